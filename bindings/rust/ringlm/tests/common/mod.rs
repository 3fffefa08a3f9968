// What the integration tests share: where the test models are (RINGLM_SHARED_DIR, default
// ../shared beside the checkout), opening them, and the golden reference read from
// tests/e2e/golden_reference.h of the checkout.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use ringlm::{Model, ModelOptions};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..").canonicalize().unwrap()
}

/// The shared/ folder, or None (after saying why) when its models are absent.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("RINGLM_SHARED_DIR").map(PathBuf::from).unwrap_or_else(|| repo_root().join("../shared"));
    if dir.join("models/stories260K.gguf").is_file() {
        Some(dir)
    } else {
        eprintln!("skipped: no models/stories260K.gguf in {} (set RINGLM_SHARED_DIR)", dir.display());
        None
    }
}

/// Opens stories260K.gguf, or returns from the test (skipping it) when shared/ is absent.
macro_rules! stories_or_skip {
    () => {
        match common::shared_dir() {
            Some(dir) => ringlm::Model::open(dir.join("models/stories260K.gguf")).expect("open stories260K.gguf"),
            None => return,
        }
    };
}
pub(crate) use stories_or_skip;

/// stories260K as a llama2.c checkpoint with its tokenizer (tok512.bin).
pub fn open_stories_bin(shared: &Path) -> Model {
    let options = ModelOptions::new().tokenizer_path(shared.join("models/tok512.bin"));
    Model::open_with(shared.join("models/stories260K.bin"), &options).expect("open stories260K.bin")
}

/// kReferenceIds and kReferenceText of tests/e2e/golden_reference.h: token ids after BOS (the
/// prompt's first) and the text they spell.
pub struct Golden {
    pub ids: Vec<i32>,
    pub text: String,
}

pub fn golden() -> Golden {
    let path = repo_root().join("tests/e2e/golden_reference.h");
    let src = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let ids_src = between(&src, "kReferenceIds[] = {", "}");
    let ids = ids_src.split(',').map(str::trim).filter(|s| !s.is_empty()).map(|s| s.parse().unwrap()).collect();
    let text_src = between(&src, "kReferenceText[] =", ";");
    Golden { ids, text: c_string_literals(text_src) }
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> &'a str {
    let from = s.find(start).unwrap_or_else(|| panic!("no `{start}` in golden_reference.h")) + start.len();
    &s[from..from + s[from..].find(end).unwrap()]
}

/// The concatenation of the C string literals in `s` (escapes \n \" \\ only, all the header uses).
fn c_string_literals(s: &str) -> String {
    let mut out = String::new();
    let mut in_literal = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (in_literal, c) {
            (false, '"') => in_literal = true,
            (true, '"') => in_literal = false,
            (true, '\\') => match chars.next() {
                Some('n') => out.push('\n'),
                Some(e @ ('"' | '\\' | '\'')) => out.push(e),
                other => panic!("unhandled escape \\{other:?} in golden_reference.h"),
            },
            (true, c) => out.push(c),
            (false, _) => {}
        }
    }
    out
}
