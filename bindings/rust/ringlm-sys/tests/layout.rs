// Drift between src/lib.rs and ringlm.h fails here: the layout probe (build/probe.rs, compiled from
// the header of the library linked) prints every struct's size and alignment, each field's offset
// and size, each constant's value and each function's name; the tables below must match it exactly,
// both ways. A field added to the header (struct_size versioning) is a failure until declared here.
use ringlm_sys::*;
use std::collections::BTreeMap;
use std::mem::{align_of, offset_of, size_of};
use std::path::Path;
use std::process::Command;

fn field_size<T, F>(_: fn(&T) -> &F) -> usize {
    size_of::<F>()
}

/// (struct name, size, align, [(field, offset, size)]) for every struct of the header.
type StructLayout = (&'static str, usize, usize, Vec<(&'static str, usize, usize)>);

macro_rules! layout {
    ($t:ident { $($f:ident),* $(,)? }) => {
        (stringify!($t), size_of::<$t>(), align_of::<$t>(),
         vec![$((stringify!($f), offset_of!($t, $f), field_size(|v: &$t| &v.$f))),*])
    };
}

fn rust_structs() -> Vec<StructLayout> {
    vec![
        layout!(ringlm_model_params {
            struct_size,
            path,
            tokenizer_path,
            data,
            data_size,
            tokenizer_data,
            tokenizer_data_size,
            load_mode,
            vocab_only
        }),
        layout!(ringlm_model_info {
            struct_size,
            n_vocab,
            n_ctx_train,
            n_embd,
            n_layer,
            n_head,
            n_head_kv,
            head_dim,
            n_ff,
            bos_token,
            eos_token,
            n_params,
            weight_bytes,
            add_bos,
            add_eos
        }),
        layout!(ringlm_session_params {
            struct_size,
            n_ctx,
            n_batch,
            recompute,
            streaming,
            n_sinks,
            kv_type,
            logits_all,
            n_threads,
            temperature,
            top_k,
            top_p,
            seed,
            repeat_penalty,
            repeat_last_n,
            presence_penalty,
            frequency_penalty,
            min_p
        }),
        layout!(ringlm_sampling_params {
            struct_size,
            temperature,
            top_k,
            top_p,
            seed,
            repeat_penalty,
            repeat_last_n,
            presence_penalty,
            frequency_penalty,
            min_p
        }),
        layout!(ringlm_chat_message { role, content }),
        layout!(ringlm_session_stats {
            struct_size,
            n_prefill_tokens,
            prefill_ns,
            n_decode_tokens,
            decode_ns,
            first_token_ns,
            n_sampled,
            sample_ns
        }),
    ]
}

macro_rules! constants {
    ($($k:ident),* $(,)?) => { vec![$((stringify!($k), $k as i64)),*] };
}

fn rust_constants() -> Vec<(&'static str, i64)> {
    constants![
        RINGLM_VERSION_MAJOR,
        RINGLM_VERSION_MINOR,
        RINGLM_VERSION_PATCH,
        RINGLM_ABI_VERSION,
        RINGLM_OK,
        RINGLM_ERR_INVALID_ARGUMENT,
        RINGLM_ERR_BUFFER_TOO_SMALL,
        RINGLM_ERR_ARENA_TOO_SMALL,
        RINGLM_ERR_CONTEXT_FULL,
        RINGLM_ERR_INVALID_TOKEN,
        RINGLM_ERR_INVALID_STATE,
        RINGLM_ERR_ABORTED,
        RINGLM_ERR_IO,
        RINGLM_ERR_FILE_NOT_FOUND,
        RINGLM_ERR_BAD_FORMAT,
        RINGLM_ERR_TRUNCATED,
        RINGLM_ERR_BAD_DIMENSIONS,
        RINGLM_ERR_UNSUPPORTED,
        RINGLM_ERR_VOCAB_MISMATCH,
        RINGLM_ERR_OUT_OF_MEMORY,
        RINGLM_ERR_INTERNAL,
        RINGLM_LOAD_MAP,
        RINGLM_LOAD_READ,
        RINGLM_KV_F32,
        RINGLM_KV_BF16,
        RINGLM_KV_INT8,
    ]
}

// Naming each function as a value makes the test fail to link if the library lacks it.
macro_rules! functions {
    ($($f:ident),* $(,)?) => { vec![$({ let _: *const () = $f as *const (); stringify!($f) }),*] };
}

fn rust_functions() -> Vec<&'static str> {
    functions![
        ringlm_status_string,
        ringlm_last_error_message,
        ringlm_version,
        ringlm_kernel_name,
        ringlm_kernel_warning,
        ringlm_abi_version,
        ringlm_model_params_init,
        ringlm_model_open,
        ringlm_model_free,
        ringlm_model_get_info,
        ringlm_tokenize,
        ringlm_tokenize_special,
        ringlm_token_to_piece,
        ringlm_detokenize,
        ringlm_chat_template_names,
        ringlm_chat_template_detect,
        ringlm_model_chat_template,
        ringlm_chat_apply_template,
        ringlm_session_params_init,
        ringlm_session_plan,
        ringlm_session_create,
        ringlm_session_free,
        ringlm_session_arena_used,
        ringlm_session_n_past,
        ringlm_session_reset,
        ringlm_session_prefill,
        ringlm_session_decode,
        ringlm_session_logits,
        ringlm_session_logits_ith,
        ringlm_session_sample,
        ringlm_sampling_params_init,
        ringlm_session_set_sampling,
        ringlm_session_set_abort_callback,
        ringlm_session_get_stats,
        ringlm_session_generate,
        ringlm_sampling_params_init,
        ringlm_session_set_sampling,
        ringlm_session_set_abort_callback,
        ringlm_session_get_stats,
        ringlm_session_state_size,
        ringlm_session_state_save,
        ringlm_session_state_load,
        ringlm_session_state_save_file,
        ringlm_session_state_load_file,
        ringlm_session_fork,
    ]
}

/// What the probe printed, parsed.
#[derive(Default)]
struct CLayout {
    structs: Vec<StructLayoutOwned>,
    constants: BTreeMap<String, i64>,
    functions: Vec<String>,
}
type StructLayoutOwned = (String, usize, usize, Vec<(String, usize, usize)>);

fn run_probe() -> CLayout {
    let dir = Path::new(env!("RINGLM_SYS_LAYOUT_DIR"));
    if let Ok(err) = std::fs::read_to_string(dir.join("layout_probe.err")) {
        panic!("the layout probe for {} was not built: {err}", env!("RINGLM_SYS_HEADER"));
    }
    let out = Command::new(dir.join("layout_probe")).output().expect("run the layout probe");
    assert!(out.status.success(), "layout probe failed: {}", String::from_utf8_lossy(&out.stderr));
    let mut c = CLayout::default();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let w: Vec<&str> = line.split(' ').collect();
        let n = |i: usize| w[i].parse::<usize>().unwrap();
        match w[0] {
            "struct" => c.structs.push((w[1].into(), n(2), n(3), Vec::new())),
            "field" => {
                let s = c.structs.iter_mut().find(|s| s.0 == w[1]).expect("field before its struct");
                s.3.push((w[2].into(), n(3), n(4)));
            }
            "const" => {
                c.constants.insert(w[1].into(), w[2].parse().unwrap());
            }
            "function" => c.functions.push(w[1].into()),
            _ => panic!("unexpected probe line: {line}"),
        }
    }
    c
}

#[test]
fn structs_match_the_header_field_for_field() {
    let c = run_probe();
    let rust = rust_structs();
    let header = env!("RINGLM_SYS_HEADER");
    for (name, ..) in &c.structs {
        assert!(rust.iter().any(|r| r.0 == name), "struct {name} of {header} is not declared in ringlm-sys");
    }
    for (name, size, align, fields) in &rust {
        let (_, c_size, c_align, c_fields) =
            c.structs.iter().find(|s| s.0 == *name).unwrap_or_else(|| panic!("{name} is not in {header}"));
        let c_names: Vec<&str> = c_fields.iter().map(|f| f.0.as_str()).collect();
        let names: Vec<&str> = fields.iter().map(|f| f.0).collect();
        assert_eq!(names, c_names, "{name}: fields differ from {header}");
        for ((field, offset, fsize), (_, c_offset, c_fsize)) in fields.iter().zip(c_fields) {
            assert_eq!((offset, fsize), (c_offset, c_fsize), "{name}.{field}: (offset, size) differ from C");
        }
        assert_eq!((size, align), (c_size, c_align), "{name}: (size, align) differ from C");
    }
}

/// The names only one side has and the values that differ, or None when both sides agree.
fn difference(rust: &BTreeMap<String, i64>, c: &BTreeMap<String, i64>) -> Option<String> {
    let only_c: Vec<_> = c.keys().filter(|k| !rust.contains_key(*k)).collect();
    let only_rust: Vec<_> = rust.keys().filter(|k| !c.contains_key(*k)).collect();
    let differ: Vec<_> =
        rust.iter().filter(|(k, v)| c.get(*k).is_some_and(|cv| cv != *v)).map(|(k, v)| (k, v, c[k])).collect();
    (!(only_c.is_empty() && only_rust.is_empty() && differ.is_empty())).then(|| {
        format!("only in the header: {only_c:?}; only in ringlm-sys: {only_rust:?}; (name, Rust, C): {differ:?}")
    })
}

#[test]
fn constants_match_the_header() {
    let c = run_probe();
    let rust: BTreeMap<String, i64> = rust_constants().into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    if let Some(d) = difference(&rust, &c.constants) {
        panic!("constants differ from {}: {d}", env!("RINGLM_SYS_HEADER"));
    }
}

#[test]
fn functions_match_the_header() {
    let c = run_probe();
    let header: BTreeMap<String, i64> = c.functions.into_iter().map(|f| (f, 0)).collect();
    let rust: BTreeMap<String, i64> = rust_functions().into_iter().map(|f| (f.to_string(), 0)).collect();
    if let Some(d) = difference(&rust, &header) {
        panic!("RINGLM_API functions differ from {}: {d}", env!("RINGLM_SYS_HEADER"));
    }
}

#[test]
fn params_init_sets_struct_size_to_the_rust_size() {
    // The library itself checks struct_size against its sizeof: this is the same check at run time.
    unsafe {
        let mut mp = std::mem::MaybeUninit::<ringlm_model_params>::zeroed().assume_init();
        ringlm_model_params_init(&mut mp);
        assert_eq!(mp.struct_size, size_of::<ringlm_model_params>());
        let mut sp = std::mem::MaybeUninit::<ringlm_session_params>::zeroed().assume_init();
        ringlm_session_params_init(&mut sp);
        assert_eq!(sp.struct_size, size_of::<ringlm_session_params>());
        assert_eq!(ringlm_abi_version(), RINGLM_ABI_VERSION);
    }
}
