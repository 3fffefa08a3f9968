// The layout probe: reads ringlm.h, lists every struct field, enum constant, numeric RINGLM_ macro
// and RINGLM_API function in it, and writes a C program printing each one's layout or value:
//   struct NAME SIZE ALIGN | field STRUCT NAME OFFSET SIZE | const NAME VALUE | function NAME
// compiled with the C compiler (CC_<target>, TARGET_CC, CC or `cc`) into OUT_DIR/layout_probe.
// tests/layout.rs runs it and compares with the Rust declarations; a failure to generate or compile
// is written to OUT_DIR/layout_probe.err for the test to report (the crate itself still builds).
use std::env;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Default)]
struct Header {
    structs: Vec<(String, Vec<String>)>,
    constants: Vec<String>,
    functions: Vec<String>,
}

pub fn build(include_dir: &Path, cflags: &[String]) {
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let header_path = include_dir.join("ringlm.h");
    let exe = out.join("layout_probe");
    let err = out.join("layout_probe.err");
    let _ = std::fs::remove_file(&exe);
    let _ = std::fs::remove_file(&err);
    println!("cargo:rustc-env=RINGLM_SYS_LAYOUT_DIR={}", out.display());
    println!("cargo:rustc-env=RINGLM_SYS_HEADER={}", header_path.display());
    if let Err(message) = compile(&header_path, include_dir, cflags, &out, &exe) {
        println!("cargo:warning=ringlm-sys layout probe not built (tests/layout.rs will fail): {message}");
        std::fs::write(&err, message).unwrap();
    }
}

fn compile(header_path: &Path, include_dir: &Path, cflags: &[String], out: &Path, exe: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(header_path).map_err(|e| format!("{}: {e}", header_path.display()))?;
    let header = parse(&text)?;
    let source = out.join("layout_probe.c");
    std::fs::write(&source, probe_source(&header)).map_err(|e| e.to_string())?;

    let target = env::var("TARGET").unwrap_or_default();
    let cc = [format!("CC_{}", target.replace('-', "_")), format!("CC_{target}"), "TARGET_CC".into(), "CC".into()]
        .iter()
        .find_map(|v| env::var(v).ok())
        .unwrap_or_else(|| "cc".into());
    let mut parts = cc.split_whitespace();
    let mut cmd = Command::new(parts.next().unwrap_or("cc"));
    cmd.args(parts).arg("-std=c11").args(cflags).arg("-I").arg(include_dir).arg(&source).arg("-o").arg(exe);
    crate::run(&mut cmd).map(|_| ())
}

fn probe_source(h: &Header) -> String {
    let mut c = String::from(
        "#include <stddef.h>\n#include <stdio.h>\n#include \"ringlm.h\"\n\
         #define FIELD(T, F) printf(\"field %s %s %zu %zu\\n\", #T, #F, offsetof(T, F), sizeof(((T *)0)->F))\n\
         int main(void) {\n",
    );
    for (name, fields) in &h.structs {
        writeln!(c, "  printf(\"struct %s %zu %zu\\n\", \"{name}\", sizeof({name}), _Alignof({name}));").unwrap();
        for f in fields {
            writeln!(c, "  FIELD({name}, {f});").unwrap();
        }
    }
    for k in &h.constants {
        writeln!(c, "  printf(\"const %s %lld\\n\", \"{k}\", (long long)({k}));").unwrap();
    }
    for f in &h.functions {
        writeln!(c, "  printf(\"function %s\\n\", \"{f}\");").unwrap();
    }
    c.push_str("  return 0;\n}\n");
    c
}

fn parse(text: &str) -> Result<Header, String> {
    let text = strip_comments(text);
    let mut h = Header::default();
    let mut code = String::new();
    for line in text.lines() {
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix("#define ") {
            let mut words = rest.split_whitespace();
            if let (Some(name), Some(value)) = (words.next(), words.next()) {
                if name.starts_with("RINGLM_") && value.parse::<i64>().is_ok() {
                    h.constants.push(name.to_string());
                }
            }
        } else if !t.starts_with('#') {
            code.push_str(line);
            code.push('\n');
        }
    }

    let mut rest = code.as_str();
    while let Some(at) = rest.find("typedef struct") {
        rest = &rest[at + "typedef struct".len()..];
        let before_semicolon = &rest[..rest.find(';').unwrap_or(rest.len())];
        let Some(open) = before_semicolon.find('{') else { continue }; // an opaque handle
        let close = rest.find('}').ok_or("unclosed struct")?;
        let body = &rest[open + 1..close];
        let end = rest[close..].find(';').ok_or("struct without ';'")? + close;
        let name = rest[close + 1..end].trim().to_string();
        let fields =
            body.split(';').map(str::trim).filter(|d| !d.is_empty()).map(field_name).collect::<Result<_, _>>()?;
        h.structs.push((name, fields));
        rest = &rest[end..];
    }

    let mut rest = code.as_str();
    while let Some(at) = find_word(rest, "enum") {
        rest = &rest[at + 4..];
        let (Some(open), Some(close)) = (rest.find('{'), rest.find('}')) else { break };
        if rest[..open].contains(';') {
            continue;
        }
        for item in rest[open + 1..close].split(',') {
            let name = item.split('=').next().unwrap().trim();
            if !name.is_empty() {
                h.constants.push(name.to_string());
            }
        }
        rest = &rest[close..];
    }

    let mut rest = code.as_str();
    while let Some(at) = rest.find("RINGLM_API") {
        rest = &rest[at + "RINGLM_API".len()..];
        let paren = rest.find('(').ok_or("RINGLM_API without a parameter list")?;
        h.functions.push(last_identifier(&rest[..paren]).ok_or("RINGLM_API without a name")?.to_string());
    }
    if h.structs.is_empty() || h.constants.is_empty() || h.functions.is_empty() {
        return Err("found no structs, constants or functions in ringlm.h".into());
    }
    Ok(h)
}

/// The name a member declaration declares: `const char *path` -> path, `void (*f)(int)` -> f.
fn field_name(decl: &str) -> Result<String, String> {
    if decl.contains(':') || decl.contains(',') {
        return Err(format!("the probe does not handle the declaration `{decl}`"));
    }
    let decl = match decl.find("(*") {
        Some(at) => &decl[..at + 2 + decl[at + 2..].find(')').unwrap_or(0)],
        None => decl.split('[').next().unwrap(),
    };
    last_identifier(decl).map(str::to_string).ok_or_else(|| format!("no name in `{decl}`"))
}

fn last_identifier(s: &str) -> Option<&str> {
    let s = s.trim_end();
    let start = s.rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).map_or(0, |i| i + 1);
    (start < s.len()).then(|| &s[start..])
}

fn find_word(s: &str, word: &str) -> Option<usize> {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    s.match_indices(word).map(|(i, _)| i).find(|&i| {
        !s[..i].chars().next_back().is_some_and(is_ident) && !s[i + word.len()..].chars().next().is_some_and(is_ident)
    })
}

fn strip_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    loop {
        let block = rest.find("/*");
        let line = rest.find("//");
        match (block, line) {
            (Some(b), l) if l.map_or(true, |l| b < l) => {
                out.push_str(&rest[..b]);
                out.push(' ');
                rest = rest[b + 2..].find("*/").map_or("", |e| &rest[b + 2 + e + 2..]);
            }
            (_, Some(l)) => {
                out.push_str(&rest[..l]);
                rest = rest[l..].find('\n').map_or("", |e| &rest[l + e..]);
            }
            _ => {
                out.push_str(rest);
                return out;
            }
        }
    }
}
