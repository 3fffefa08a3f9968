// Tokenize/detokenize round trips, and pieces that add up to the detokenized text.
mod common;

use common::stories_or_skip;

const TEXTS: [&str; 6] = [
    "Once upon a time",
    "",
    "Lily's mom said, \"Lily, let's go to the park.\"\nThe end.",
    "  two leading spaces, trailing space ",
    "héllo wörld, 日本語 and a crab 🦀", // byte fallback for what the vocabulary lacks
    "Tab\there",
];

#[test]
fn detokenize_inverts_tokenize() {
    let model = stories_or_skip!();
    let bos = model.info().bos_token.unwrap();
    for text in TEXTS {
        let with_bos = model.tokenize(text, true).unwrap();
        assert_eq!(with_bos[0], bos);
        assert_eq!(model.detokenize(&with_bos).unwrap(), text, "{with_bos:?}");
        let without = model.tokenize(text, false).unwrap();
        assert_eq!(&with_bos[1..], &without[..], "add_bos adds BOS and nothing else");
    }
}

#[test]
fn a_long_text_round_trips() {
    let model = stories_or_skip!();
    let text = common::golden().text.repeat(20);
    let tokens = model.tokenize(&text, true).unwrap();
    assert!(tokens.len() > 1000);
    assert_eq!(model.detokenize(&tokens).unwrap(), text);
}

#[test]
fn pieces_add_up_to_the_detokenized_text() {
    let model = stories_or_skip!();
    for text in TEXTS {
        let tokens = model.tokenize(text, true).unwrap();
        let mut bytes = Vec::new();
        let mut prev = None;
        for &t in &tokens {
            bytes.extend(model.token_to_piece(prev, t).unwrap());
            prev = Some(t);
        }
        assert_eq!(bytes, model.detokenize_bytes(&tokens).unwrap());
    }
}

#[test]
fn the_leading_space_of_a_piece_is_dropped_after_bos_only() {
    let model = stories_or_skip!();
    let once = model.tokenize("Once", false).unwrap();
    assert_eq!(once.len(), 1);
    let bos = model.info().bos_token;
    assert_eq!(model.token_to_piece(None, once[0]).unwrap(), b" Once");
    assert_eq!(model.token_to_piece(bos, once[0]).unwrap(), b"Once");
}
