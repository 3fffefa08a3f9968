// Snapshots: a session restored from bytes, from a file or forked continues exactly as the original
// does (sampling at temperature > 0, so the RNG state counts too).
mod common;

use common::stories_or_skip;
use ringlm::{Arena, ErrorKind, Model, Session, SessionParams, Token};

fn sampling() -> SessionParams {
    let mut p = SessionParams::default();
    p.temperature = 0.9;
    p.top_k = 0;
    p.seed = 7;
    p
}

/// Continues a session that stands after `last` was handed out (not yet decoded).
fn continue_from(session: &mut Session, last: Token, n: usize) -> Vec<Token> {
    let mut out = Vec::new();
    session
        .generate(&[last], n, |t, _| {
            out.push(t);
            true
        })
        .unwrap();
    out
}

#[test]
fn restored_sessions_continue_like_the_original() {
    let model = stories_or_skip!();
    let params = sampling();
    let prompt = model.tokenize("Once upon a time", true).unwrap();
    let mut arena = Arena::for_session(&model, &params).unwrap(); // outlives the sessions below
    let mut original = Session::new(&model, &params).unwrap();
    let mut first = Vec::new();
    original
        .generate(&prompt, 12, |t, _| {
            first.push(t);
            true
        })
        .unwrap();
    let last = *first.last().unwrap();
    let n_past = original.n_past();

    let bytes = original.save_state().unwrap();
    assert_eq!(bytes.len(), original.state_size().unwrap());
    let file = std::env::temp_dir().join(format!("ringlm-rust-snapshot-{}.bin", std::process::id()));
    original.save_state_file(&file).unwrap();
    let mut forked = original.fork().unwrap();
    let mut forked_into = original.fork_into(&mut arena).unwrap();

    let expected = continue_from(&mut original, last, 40);
    assert_eq!(expected.len(), 40);

    let mut from_bytes = Session::new(&model, &params).unwrap();
    from_bytes.load_state(&bytes).unwrap();
    assert_eq!(from_bytes.n_past(), n_past);
    let mut from_file = Session::new(&model, &params).unwrap();
    from_file.load_state_file(&file).unwrap();
    std::fs::remove_file(&file).unwrap();

    for (name, session) in
        [("bytes", &mut from_bytes), ("file", &mut from_file), ("fork", &mut forked), ("fork_into", &mut forked_into)]
    {
        assert_eq!(continue_from(session, last, 40), expected, "restored from {name}");
    }

    // Without the snapshot the same calls go elsewhere: the test above can tell.
    let mut fresh = Session::new(&model, &params).unwrap();
    fresh.prefill(&prompt).unwrap();
    assert_ne!(continue_from(&mut fresh, last, 40), expected);
}

#[test]
fn a_snapshot_of_another_layout_is_refused_and_changes_nothing() {
    let model = stories_or_skip!();
    let mut small = SessionParams::greedy();
    small.n_ctx = 32;
    let mut source = Session::new(&model, &SessionParams::greedy()).unwrap();
    source.prefill(&model.tokenize("Once upon a time", true).unwrap()).unwrap();
    let bytes = source.save_state().unwrap();

    let mut other = Session::new(&model, &small).unwrap();
    other.prefill(&[1, 403]).unwrap();
    let logits_before = other.logits().unwrap().to_vec();
    let err = other.load_state(&bytes).unwrap_err();
    assert_ne!(err.kind(), ErrorKind::Internal, "{err}");
    assert!(!err.message().is_empty());
    assert_eq!(other.n_past(), 2);
    assert_eq!(other.logits().unwrap(), &logits_before[..]);

    let err = other.load_state(&bytes[..bytes.len() / 2]).unwrap_err();
    assert!(!err.message().is_empty(), "{err}");
    assert_eq!(other.n_past(), 2);
}

#[test]
fn save_into_a_caller_buffer() {
    let model = stories_or_skip!();
    let mut session = Session::new(&model, &SessionParams::greedy()).unwrap();
    session.prefill(&model.tokenize("Once upon a time", true).unwrap()).unwrap();
    let size = session.state_size().unwrap();
    let mut buf = vec![0u8; size];
    assert_eq!(session.save_state_into(&mut buf[..size - 1]).unwrap_err().kind(), ErrorKind::BufferTooSmall);
    assert_eq!(session.save_state_into(&mut buf).unwrap(), size);
    assert_eq!(buf, session.save_state().unwrap());
}

#[test]
fn a_model_serves_a_snapshot_to_sessions_on_other_threads() {
    let model: Model = stories_or_skip!();
    let params = sampling();
    let prompt = model.tokenize("Once upon a time", true).unwrap();
    let mut base = Session::new(&model, &params).unwrap();
    base.prefill(&prompt).unwrap();
    let bytes = base.save_state().unwrap();
    let mut expected = Vec::new();
    base.generate(&[], 20, |t, _| {
        expected.push(t);
        true
    })
    .unwrap();

    std::thread::scope(|scope| {
        let runs: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    let mut s = Session::new(&model, &params).unwrap();
                    s.load_state(&bytes).unwrap();
                    let mut got = Vec::new();
                    s.generate(&[], 20, |t, _| {
                        got.push(t);
                        true
                    })
                    .unwrap();
                    got
                })
            })
            .collect();
        for run in runs {
            assert_eq!(run.join().unwrap(), expected);
        }
    });
}
