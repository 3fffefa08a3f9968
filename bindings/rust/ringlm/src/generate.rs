// Generation over ringlm_session_generate: a closure called per token, and an iterator that runs
// the C loop one token per step (prompt first, then the previous token), so both stop at the same
// end-of-generation tokens, give the same pieces and leave the session in the same state.
use std::any::Any;
use std::ffi::{c_char, c_void};
use std::panic::{self, AssertUnwindSafe};
use std::ptr;

use ringlm_sys as sys;

use crate::error::{check, Result};
use crate::{Session, Token};

/// One generated token and the bytes it adds to the text (possibly part of a UTF-8 sequence).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    pub token: Token,
    pub piece: Vec<u8>,
}

struct Callback<F> {
    on_token: F,
    panic: Option<Box<dyn Any + Send>>,
}

unsafe extern "C" fn trampoline<F: FnMut(Token, &[u8]) -> bool>(
    user: *mut c_void,
    token: i32,
    piece: *const c_char,
    len: usize,
) -> bool {
    // SAFETY: user is the &mut Callback<F> that generate passed; it outlives the C call.
    let cb = unsafe { &mut *user.cast::<Callback<F>>() };
    let bytes = if len == 0 { &[][..] } else { unsafe { std::slice::from_raw_parts(piece.cast::<u8>(), len) } };
    // A panic must not unwind through C: keep it, stop generating, re-raise after the call.
    match panic::catch_unwind(AssertUnwindSafe(|| (cb.on_token)(token, bytes))) {
        Ok(go_on) => go_on,
        Err(payload) => {
            cb.panic = Some(payload);
            false
        }
    }
}

impl<'a> Session<'a> {
    /// Prefills `prompt`, then samples and decodes up to `max_tokens` new tokens, calling
    /// `on_token(token, piece)` for each; stops early at end of sequence or when it returns false.
    /// Returns the number of tokens handed to `on_token`. The last token handed out is not decoded
    /// (as in ringlm_session_generate): prefill it before continuing the conversation.
    pub fn generate<F: FnMut(Token, &[u8]) -> bool>(
        &mut self,
        prompt: &[Token],
        max_tokens: usize,
        on_token: F,
    ) -> Result<usize> {
        let mut cb = Callback { on_token, panic: None };
        let mut n = 0usize;
        // SAFETY: prompt is (ptr, len); cb lives across the call and matches the trampoline's F.
        let status = unsafe {
            sys::ringlm_session_generate(
                self.as_mut_ptr(),
                prompt.as_ptr(),
                prompt.len(),
                max_tokens,
                Some(trampoline::<F>),
                ptr::addr_of_mut!(cb).cast(),
                &mut n,
            )
        };
        if let Some(payload) = cb.panic {
            panic::resume_unwind(payload);
        }
        check(status)?;
        Ok(n)
    }

    /// The same generation as [`generate`](Self::generate), as an iterator of tokens with their
    /// pieces. Dropping the iterator early stops like a callback returning false.
    pub fn generate_iter<'s>(&'s mut self, prompt: &'s [Token], max_tokens: usize) -> Generation<'s, 'a> {
        Generation { session: self, prompt, last: None, remaining: max_tokens, done: false }
    }
}

/// Iterator returned by [`Session::generate_iter`]; stops after the first error.
pub struct Generation<'s, 'a> {
    session: &'s mut Session<'a>,
    prompt: &'s [Token],
    last: Option<Token>,
    remaining: usize,
    done: bool,
}

impl Iterator for Generation<'_, '_> {
    type Item = Result<Generated>;

    fn next(&mut self) -> Option<Result<Generated>> {
        if self.done || self.remaining == 0 {
            return None;
        }
        // The first step prefills the prompt, each later one the token handed out before.
        let last;
        let input: &[Token] = match self.last {
            None => self.prompt,
            Some(t) => {
                last = [t];
                &last
            }
        };
        let mut out = None;
        let step = self.session.generate(input, 1, |token, piece| {
            out = Some(Generated { token, piece: piece.to_vec() });
            true
        });
        self.remaining -= 1;
        match (step, out) {
            (Ok(_), Some(g)) => {
                self.last = Some(g.token);
                Some(Ok(g))
            }
            (Ok(_), None) => {
                self.done = true; // end of generation
                None
            }
            (Err(e), _) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}
