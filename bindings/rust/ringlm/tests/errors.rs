// Errors carry the status code, its name and the library's message for that very failure.
mod common;

use common::stories_or_skip;
use ringlm::{ErrorKind, Model, ModelOptions, Session, SessionParams};

#[test]
fn missing_file_is_file_not_found_with_the_path_in_the_message() {
    let path = std::env::temp_dir().join("ringlm-rust-test-no-such-dir/model.gguf");
    let err = Model::open(&path).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::FileNotFound);
    assert_eq!(err.code(), ringlm::sys::RINGLM_ERR_FILE_NOT_FOUND);
    assert_eq!(err.name(), "RINGLM_ERR_FILE_NOT_FOUND");
    assert!(err.message().contains(path.to_str().unwrap()), "message: {}", err.message());
    let shown = err.to_string();
    assert!(shown.starts_with("RINGLM_ERR_FILE_NOT_FOUND (201): "), "{shown}");
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(err);
    assert_eq!(boxed.to_string(), shown);
}

#[test]
fn each_error_has_its_own_message() {
    // The message is read right after the failing call: a later failure does not rewrite it.
    let first = Model::open("/ringlm-rust-test/first.gguf").unwrap_err();
    let second = Model::open("/ringlm-rust-test/second.gguf").unwrap_err();
    assert!(first.message().contains("first.gguf") && !first.message().contains("second"));
    assert!(second.message().contains("second.gguf"));
}

#[test]
fn a_file_that_is_no_model_is_refused() {
    let Some(shared) = common::shared_dir() else { return };
    // A GGUF header cut short.
    let bytes = std::fs::read(shared.join("models/stories260K.gguf")).unwrap();
    let cut: &'static [u8] = Box::leak(bytes[..64].to_vec().into_boxed_slice());
    let err = Model::from_static(cut).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Truncated | ErrorKind::BadFormat), "{err}");
    assert!(!err.message().is_empty());
    assert_eq!(Model::from_static(&[]).unwrap_err().kind(), ErrorKind::InvalidArgument);
}

#[test]
fn a_path_with_a_nul_byte_is_an_invalid_argument() {
    let err = Model::open("model\0.gguf").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert_eq!(err.name(), "RINGLM_ERR_INVALID_ARGUMENT");
    assert!(err.message().contains("NUL"), "{err}");
}

#[test]
fn a_tokenizer_path_for_a_gguf_model_is_refused() {
    let Some(shared) = common::shared_dir() else { return };
    let options = ModelOptions::new().tokenizer_path(shared.join("models/tok512.bin"));
    let err = Model::open_with(shared.join("models/stories260K.gguf"), &options).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.message().contains("tokenizer"), "{err}");
}

#[test]
fn bad_session_params_are_refused_with_the_reason() {
    let model = stories_or_skip!();
    // (n_ctx beyond the training context is allowed: only memory limits it)
    let train = model.info().n_ctx_train as u32;
    type Spoil = fn(&mut SessionParams, u32);
    let cases: [(Spoil, &str); 4] = [
        (|p, _| p.top_p = 2.0, "top_p"),
        (|p, _| p.temperature = -1.0, "temperature"),
        (|p, train| (p.n_ctx, p.n_sinks, p.streaming) = (train, train, true), "sinks"),
        (|p, _| (p.n_ctx, p.n_batch) = (8, 16), "n_batch"),
    ];
    for (bad, word) in cases {
        let mut params = SessionParams::greedy();
        bad(&mut params, train);
        let err = model.session_plan(&params).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
        assert!(err.message().contains(word), "{word}: {err}");
        assert_eq!(Session::new(&model, &params).unwrap_err(), err);
    }
}

#[test]
fn calls_out_of_order_or_out_of_range_are_refused() {
    let model = stories_or_skip!();
    let mut params = SessionParams::greedy();
    params.n_ctx = 8;
    let mut session = Session::new(&model, &params).unwrap();
    assert_eq!(session.sample().unwrap_err().kind(), ErrorKind::InvalidState);
    assert_eq!(session.logits().unwrap_err().kind(), ErrorKind::InvalidState);
    let err = session.decode(model.n_vocab() as i32).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidToken);
    assert!(err.message().contains("512"), "{err}");
    assert_eq!(session.prefill(&[]).unwrap_err().kind(), ErrorKind::InvalidArgument);
    assert_eq!(session.prefill(&[1; 9]).unwrap_err().kind(), ErrorKind::ContextFull);
    assert_eq!(session.n_past(), 0, "a refused call leaves the session as it was");
    assert_eq!(model.token_to_piece(None, -1).unwrap_err().kind(), ErrorKind::InvalidToken);
    assert_eq!(model.detokenize(&[1, 99999]).unwrap_err().kind(), ErrorKind::InvalidToken);
}
