// Session controls of C API 0.4: sampling switched on a live session, the abort flag stopping a
// prefill with the context consistent, the statistics, and the model's BOS/EOS wishes.
mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use common::stories_or_skip;
use ringlm::{ErrorKind, Model, Sampling, Session, SessionParams, Token};

fn tokens_of(session: &mut Session, prompt: &[Token], n: usize) -> Vec<Token> {
    let mut out = Vec::new();
    session
        .generate(prompt, n, |t, _| {
            out.push(t);
            true
        })
        .unwrap();
    out
}

fn sampling(edit: impl FnOnce(&mut Sampling)) -> Sampling {
    let mut s = Sampling::default();
    edit(&mut s);
    s
}

fn prompt(model: &Model) -> Vec<Token> {
    model.tokenize("Once upon a time", model.info().add_bos).unwrap()
}

#[test]
fn switching_to_greedy_generates_what_a_greedy_session_does() {
    let model = stories_or_skip!();
    let prompt = prompt(&model);
    let greedy = tokens_of(&mut Session::new(&model, &SessionParams::greedy()).unwrap(), &prompt, 24);

    let mut hot = SessionParams::default();
    (hot.temperature, hot.top_k, hot.top_p) = (1.5, 0, 1.0);
    let mut switched = Session::new(&model, &hot).unwrap();
    switched.set_sampling(&Sampling::greedy()).unwrap();
    assert_eq!(tokens_of(&mut switched, &prompt, 24), greedy);
}

#[test]
fn the_same_seed_set_twice_gives_the_same_tokens() {
    let model = stories_or_skip!();
    let prompt = prompt(&model);
    let sampling = sampling(|s| (s.temperature, s.seed) = (1.0, 7));
    let mut session = Session::new(&model, &SessionParams::default()).unwrap();
    session.set_sampling(&sampling).unwrap();
    let first = tokens_of(&mut session, &prompt, 16);
    session.reset().unwrap();
    session.set_sampling(&sampling).unwrap();
    assert_eq!(tokens_of(&mut session, &prompt, 16), first);
}

#[test]
fn invalid_sampling_is_refused_and_the_old_settings_stay() {
    let model = stories_or_skip!();
    let prompt = prompt(&model);
    let greedy = tokens_of(&mut Session::new(&model, &SessionParams::greedy()).unwrap(), &prompt, 12);
    let mut session = Session::new(&model, &SessionParams::greedy()).unwrap();
    for bad in [
        sampling(|s| s.top_p = 0.0),
        sampling(|s| s.temperature = -1.0),
        sampling(|s| s.temperature = f32::NAN),
        sampling(|s| s.top_k = -3),
    ] {
        let err = session.set_sampling(&bad).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{bad:?}: {err}");
    }
    assert_eq!(tokens_of(&mut session, &prompt, 12), greedy);
}

#[test]
fn a_set_abort_flag_stops_the_prefill_and_leaves_the_context_usable() {
    let model = stories_or_skip!();
    let prompt = prompt(&model);
    let mut session = Session::new(&model, &SessionParams::greedy()).unwrap();
    let flag = Arc::new(AtomicBool::new(true));
    session.set_abort_flag(Some(flag.clone())).unwrap();
    let err = session.prefill(&prompt).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Aborted, "{err}");
    assert_eq!(session.n_past(), 0, "the stopped chunk's tokens are not in the context");

    flag.store(false, Ordering::Relaxed);
    let after = tokens_of(&mut session, &prompt, 12);
    let fresh = tokens_of(&mut Session::new(&model, &SessionParams::greedy()).unwrap(), &prompt, 12);
    assert_eq!(after, fresh);

    session.set_abort_flag(None).unwrap();
    session.reset().unwrap();
    flag.store(true, Ordering::Relaxed);
    assert_eq!(tokens_of(&mut session, &prompt, 12), fresh, "a removed flag is not asked");
}

#[test]
fn stats_count_the_prefill_and_the_generated_tokens() {
    let model = stories_or_skip!();
    let prompt = prompt(&model);
    assert!(prompt.len() > 1);
    let mut session = Session::new(&model, &SessionParams::greedy()).unwrap();
    assert_eq!(session.stats().unwrap().time_to_first_token, None);
    let generated = tokens_of(&mut session, &prompt, 10);
    let stats = session.stats().unwrap();
    assert_eq!(stats.prefill_tokens, prompt.len() as u64);
    assert_eq!(stats.sampled, generated.len() as u64);
    assert!(stats.decode_tokens + 1 >= generated.len() as u64, "{stats:?}");
    assert!(stats.time_to_first_token.is_some());
    session.reset().unwrap();
    assert_eq!(session.stats().unwrap(), ringlm::Stats::default());
}

#[test]
fn the_model_says_whether_prompts_start_with_bos() {
    let model = stories_or_skip!();
    let info = model.info();
    assert!(info.add_bos, "a SentencePiece Llama starts prompts with BOS");
    assert!(!info.add_eos);
}
