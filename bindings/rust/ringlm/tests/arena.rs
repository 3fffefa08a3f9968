// Caller arenas: refused when smaller than the plan or misaligned, used exactly when right.
mod common;

use common::stories_or_skip;
use ringlm::{Arena, ErrorKind, Session, SessionParams, ARENA_ALIGN};

#[test]
fn an_arena_below_the_plan_is_refused_with_the_bytes_needed() {
    let model = stories_or_skip!();
    let params = SessionParams::greedy();
    let plan = model.session_plan(&params).unwrap();
    for size in [0, ARENA_ALIGN, plan - ARENA_ALIGN, plan - 1] {
        let mut arena = Arena::new(size);
        let err = Session::with_arena(&model, &params, &mut arena).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ArenaTooSmall, "{size}: {err}");
        assert_eq!(err.name(), "RINGLM_ERR_ARENA_TOO_SMALL");
        assert!(err.message().contains(&plan.to_string()), "the message names the plan: {err}");
        assert!(arena.iter().all(|&b| b == 0), "nothing written to a refused arena");
    }
}

#[test]
fn a_misaligned_arena_is_refused() {
    let model = stories_or_skip!();
    let params = SessionParams::greedy();
    let plan = model.session_plan(&params).unwrap();
    let mut arena = Arena::new(plan + ARENA_ALIGN);
    for offset in [1, 8, 32] {
        let err = Session::with_arena(&model, &params, &mut arena[offset..offset + plan]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
        assert!(err.message().contains("aligned"), "{err}");
    }
    assert!(Session::with_arena(&model, &params, &mut arena[ARENA_ALIGN..]).is_ok());
}

#[test]
fn a_session_in_a_caller_arena_of_the_planned_size_generates_as_one_the_library_allocates() {
    let model = stories_or_skip!();
    let params = SessionParams::greedy();
    let prompt = model.tokenize("Once upon a time", true).unwrap();
    let mut owned = Session::new(&model, &params).unwrap();
    let mut expected = Vec::new();
    owned
        .generate(&prompt, 30, |t, _| {
            expected.push(t);
            true
        })
        .unwrap();

    let mut arena = Arena::for_session(&model, &params).unwrap();
    assert_eq!(arena.len(), model.session_plan(&params).unwrap());
    assert_eq!(arena.as_ptr() as usize % ARENA_ALIGN, 0);
    let mut session = Session::with_arena(&model, &params, &mut arena).unwrap();
    assert_eq!(session.arena_used(), model.session_plan(&params).unwrap());
    let mut got = Vec::new();
    session
        .generate(&prompt, 30, |t, _| {
            got.push(t);
            true
        })
        .unwrap();
    assert_eq!(got, expected);
    drop(session);
    assert!(arena.iter().any(|&b| b != 0), "the session lived in the arena");
}

#[test]
fn fork_into_checks_the_arena_against_the_source() {
    let model = stories_or_skip!();
    let params = SessionParams::greedy();
    let source = Session::new(&model, &params).unwrap();
    let mut small = Arena::new(source.arena_used() - 1);
    assert_eq!(source.fork_into(&mut small).unwrap_err().kind(), ErrorKind::ArenaTooSmall);
    let mut arena = Arena::new(source.arena_used() + 1);
    assert_eq!(source.fork_into(&mut arena[1..]).unwrap_err().kind(), ErrorKind::InvalidArgument);
}

#[test]
fn arenas_are_aligned_at_every_size() {
    for size in [0, 1, 63, 64, 65, 4096, 100_000] {
        let arena = Arena::new(size);
        assert_eq!(arena.len(), size);
        assert_eq!(arena.as_ptr() as usize % ARENA_ALIGN, 0, "{size}");
    }
}
