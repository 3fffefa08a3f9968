// Generation: the closure and the iterator stop where ringlm_session_generate does and leave the
// session in the same state; a panic in the closure comes back out; sessions move between threads.
mod common;

use common::stories_or_skip;
use ringlm::{Model, Session, SessionParams, Token};

fn assert_send<T: Send>() {}
fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn model_is_send_and_sync_and_session_is_send() {
    assert_send_sync::<Model>();
    assert_send::<Session<'static>>();
    assert_send_sync::<ringlm::Arena>();
    assert_send_sync::<ringlm::Error>();
}

#[test]
fn stopping_early_leaves_the_same_state_both_ways() {
    let model = stories_or_skip!();
    let prompt = model.tokenize("Once upon a time", true).unwrap();
    let mut by_closure = Session::new(&model, &SessionParams::greedy()).unwrap();
    let mut seen = Vec::new();
    let n = by_closure
        .generate(&prompt, 50, |t, _| {
            seen.push(t);
            seen.len() < 7
        })
        .unwrap();
    assert_eq!((n, seen.len()), (7, 7));

    let mut by_iter = Session::new(&model, &SessionParams::greedy()).unwrap();
    let taken: Vec<Token> = by_iter.generate_iter(&prompt, 50).take(7).map(|g| g.unwrap().token).collect();
    assert_eq!(taken, seen);
    assert_eq!(by_iter.n_past(), by_closure.n_past());
    assert_eq!(by_iter.n_past(), prompt.len() + 6, "the token handed out last is not decoded");
    // Same state: same logits and the same continuation. (Snapshot bytes are not compared: they
    // include the KV slots past n_past, whatever the arena held before.)
    assert_eq!(by_iter.logits().unwrap(), by_closure.logits().unwrap());
    let last = *seen.last().unwrap();
    let rest = |s: &mut Session| {
        let mut out = Vec::new();
        s.generate(&[last], 20, |t, _| {
            out.push(t);
            true
        })
        .unwrap();
        out
    };
    assert_eq!(rest(&mut by_iter), rest(&mut by_closure));
}

#[test]
fn generation_stops_at_the_end_of_the_context_with_an_error() {
    let model = stories_or_skip!();
    let mut params = SessionParams::greedy();
    params.n_ctx = 16;
    let prompt = model.tokenize("Once upon a time", true).unwrap();
    let mut session = Session::new(&model, &params).unwrap();
    let steps: Vec<_> = session.generate_iter(&prompt, 100).collect();
    let last = steps.last().unwrap().as_ref().unwrap_err();
    assert_eq!(last.kind(), ringlm::ErrorKind::ContextFull);
    assert!(steps[..steps.len() - 1].iter().all(|s| s.is_ok()));
    assert_eq!(steps.len() - 1, 16 - prompt.len() + 1, "tokens handed out before the context filled");
}

#[test]
fn a_panic_in_the_callback_propagates_and_the_session_stays_usable() {
    let model = stories_or_skip!();
    let prompt = model.tokenize("Once upon a time", true).unwrap();
    let mut session = Session::new(&model, &SessionParams::greedy()).unwrap();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        session.generate(&prompt, 10, |_, _| panic!("stop here")).unwrap();
    }));
    assert_eq!(*caught.unwrap_err().downcast::<&str>().unwrap(), "stop here");
    assert_eq!(session.n_past(), prompt.len());
    session.reset().unwrap();
    assert_eq!(session.n_past(), 0);
    assert_eq!(session.generate(&prompt, 3, |_, _| true).unwrap(), 3);
}

#[test]
fn logits_follow_the_last_token_and_sample_greedy_is_their_argmax() {
    let model = stories_or_skip!();
    let mut params = SessionParams::greedy();
    params.logits_all = true;
    let prompt = model.tokenize("Once upon a time", true).unwrap();
    let mut session = Session::new(&model, &params).unwrap();
    session.prefill(&prompt).unwrap();
    let logits = session.logits().unwrap().to_vec();
    assert_eq!(logits.len(), model.n_vocab());
    assert_eq!(session.logits_ith(prompt.len() - 1).unwrap(), &logits[..]);
    assert_ne!(session.logits_ith(0).unwrap(), &logits[..]);
    let argmax = (0..logits.len()).max_by(|&a, &b| logits[a].total_cmp(&logits[b])).unwrap();
    assert_eq!(session.sample().unwrap(), argmax as Token);
    session.decode(argmax as Token).unwrap();
    assert_eq!(session.n_past(), prompt.len() + 1);
}

#[test]
fn sessions_on_several_threads_share_one_model() {
    let model = stories_or_skip!();
    let prompt = model.tokenize("Once upon a time", true).unwrap();
    let run = |session: &mut Session| {
        let mut out = Vec::new();
        session
            .generate(&prompt, 30, |t, _| {
                out.push(t);
                true
            })
            .unwrap();
        out
    };
    let expected = run(&mut Session::new(&model, &SessionParams::greedy()).unwrap());
    std::thread::scope(|scope| {
        let handles: Vec<_> =
            (0..3).map(|_| scope.spawn(|| run(&mut Session::new(&model, &SessionParams::greedy()).unwrap()))).collect();
        // A session created here moves to another thread and continues there.
        let mut moved = Session::new(&model, &SessionParams::greedy()).unwrap();
        moved.prefill(&prompt[..2]).unwrap();
        let rest = &prompt[2..];
        let mover = scope.spawn(move || {
            let mut out = Vec::new();
            moved
                .generate(rest, 30, |t, _| {
                    out.push(t);
                    true
                })
                .unwrap();
            out
        });
        for h in handles {
            assert_eq!(h.join().unwrap(), expected);
        }
        assert_eq!(mover.join().unwrap(), expected);
    });
}
