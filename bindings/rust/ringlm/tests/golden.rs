// Golden text: stories260K greedy from BOS + "Once upon a time" reproduces, token for token, the
// reference of tests/e2e/golden_reference.h (read from the checkout), through both generation APIs
// and every way of opening the model.
mod common;

use common::stories_or_skip;
use ringlm::{Model, Session, SessionParams, Token};

const PROMPT: &str = "Once upon a time";
const N: usize = 40;
// The start of kReferenceText in tests/e2e/golden_reference.h, copied by hand: the prompt and the
// text of the 40 tokens greedy generation adds to it.
const LITERAL_PREFIX: &str =
    "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball.";

/// Checks 40 generated tokens and their text against the reference, three ways: the ids, the
/// reference ids detokenized through the binding, and the literal prefix above.
fn check_golden(model: &Model, tokens: &[Token], pieces: &[u8]) {
    let golden = common::golden();
    let prompt = model.tokenize(PROMPT, true).unwrap();
    let bos = model.info().bos_token.expect("stories260K has a BOS token");
    assert_eq!(prompt[0], bos);
    let n_prompt = prompt.len() - 1;
    assert_eq!(&prompt[1..], &golden.ids[..n_prompt], "the reference starts with the prompt's tokens");
    assert_eq!(tokens, &golden.ids[n_prompt..n_prompt + N], "generated ids differ from kReferenceIds");

    let text = format!("{PROMPT}{}", String::from_utf8(pieces.to_vec()).unwrap());
    let mut reference = vec![bos];
    reference.extend_from_slice(&golden.ids[..n_prompt + N]);
    assert_eq!(text, model.detokenize(&reference).unwrap());
    assert!(golden.text.starts_with(&text), "{text:?} is not a prefix of kReferenceText");
    assert_eq!(text, LITERAL_PREFIX);
}

fn generate_with_closure(model: &Model) -> (Vec<Token>, Vec<u8>) {
    let mut session = Session::new(model, &SessionParams::greedy()).unwrap();
    let prompt = model.tokenize(PROMPT, true).unwrap();
    let (mut tokens, mut text) = (Vec::new(), Vec::new());
    let n = session
        .generate(&prompt, N, |token, piece| {
            tokens.push(token);
            text.extend_from_slice(piece);
            true
        })
        .unwrap();
    assert_eq!(n, N);
    (tokens, text)
}

#[test]
fn greedy_closure_matches_the_reference() {
    let model = stories_or_skip!();
    let (tokens, text) = generate_with_closure(&model);
    check_golden(&model, &tokens, &text);
}

#[test]
fn greedy_iterator_matches_the_reference_and_the_closure() {
    let model = stories_or_skip!();
    let mut session = Session::new(&model, &SessionParams::greedy()).unwrap();
    let prompt = model.tokenize(PROMPT, true).unwrap();
    let (mut tokens, mut text) = (Vec::new(), Vec::new());
    for step in session.generate_iter(&prompt, N) {
        let step = step.unwrap();
        tokens.push(step.token);
        text.extend_from_slice(&step.piece);
    }
    check_golden(&model, &tokens, &text);
    // Both leave the last token handed out undecoded.
    assert_eq!(session.n_past(), prompt.len() + N - 1);
}

#[test]
fn llama2c_checkpoint_with_its_tokenizer_matches_the_reference() {
    let Some(shared) = common::shared_dir() else { return };
    let model = common::open_stories_bin(&shared);
    let (tokens, text) = generate_with_closure(&model);
    check_golden(&model, &tokens, &text);
}

#[test]
fn model_from_static_memory_matches_the_reference() {
    let Some(shared) = common::shared_dir() else { return };
    let bytes: &'static [u8] =
        Box::leak(std::fs::read(shared.join("models/stories260K.gguf")).unwrap().into_boxed_slice());
    let model = Model::from_static(bytes).unwrap();
    let (tokens, text) = generate_with_closure(&model);
    check_golden(&model, &tokens, &text);
}

#[test]
fn read_load_mode_matches_the_reference() {
    let Some(shared) = common::shared_dir() else { return };
    let options = ringlm::ModelOptions::new().load_mode(ringlm::LoadMode::Read);
    let model = Model::open_with(shared.join("models/stories260K.gguf"), &options).unwrap();
    let (tokens, text) = generate_with_closure(&model);
    check_golden(&model, &tokens, &text);
}
