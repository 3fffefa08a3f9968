// Session: one conversation (KV cache, activations, sampler) in one arena, borrowing its model.
use std::cell::Cell;
use std::ffi::c_void;
use std::marker::PhantomData;
use std::ptr::{self, NonNull};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use ringlm_sys as sys;

use crate::arena;
use crate::error::{check, Error, Result};
use crate::{Model, SessionParams, Token};

/// One conversation with a model: KV cache, activations and sampler state in one arena that is
/// planned before the first token; no call on it allocates.
///
/// `Session<'a>` borrows its model (and a caller's arena) for `'a`, so neither can be freed or
/// touched while the session lives. It is `Send` but not `Sync` (ringlm.h: "a session must not be
/// used by two threads at the same time; it may move between threads between calls").
pub struct Session<'a> {
    raw: NonNull<sys::ringlm_session>,
    model: &'a Model,
    _arena: PhantomData<&'a mut [u8]>,
    _not_sync: PhantomData<Cell<()>>,
    /// The flag the abort callback reads; kept alive as long as the library may call it.
    pub(crate) abort: Option<Arc<AtomicBool>>,
}

// SAFETY: ringlm.h lets a session move between threads between calls; &Model is Send as Model
// is Sync. Not Sync: calls on one session must not overlap.
unsafe impl Send for Session<'_> {}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        // SAFETY: created by ringlm_session_create/fork, freed once.
        unsafe { sys::ringlm_session_free(self.raw.as_ptr()) }
    }
}

impl std::fmt::Debug for Session<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("n_past", &self.n_past()).field("arena_used", &self.arena_used()).finish()
    }
}

impl Model {
    /// Exact arena bytes a session with these params needs (`ringlm_session_plan`).
    pub fn session_plan(&self, params: &SessionParams) -> Result<usize> {
        let raw = params.to_raw();
        let mut bytes = 0usize;
        // SAFETY: valid model and initialised params.
        check(unsafe { sys::ringlm_session_plan(self.as_ptr(), &raw, &mut bytes) })?;
        Ok(bytes)
    }
}

fn wrap<'a>(model: &'a Model, status: sys::ringlm_status, raw: *mut sys::ringlm_session) -> Result<Session<'a>> {
    check(status)?;
    let raw = NonNull::new(raw).ok_or_else(|| Error::new(sys::RINGLM_ERR_INTERNAL, "OK and no session"))?;
    Ok(Session { raw, model, _arena: PhantomData, _not_sync: PhantomData, abort: None })
}

impl<'a> Session<'a> {
    /// A session whose arena the library allocates once (the planned size) and frees on drop.
    pub fn new(model: &'a Model, params: &SessionParams) -> Result<Session<'a>> {
        Session::create(model, params, ptr::null_mut(), 0)
    }

    /// A session laid out entirely in `arena`, which must be 64-byte aligned and at least
    /// [`Model::session_plan`] bytes ([`Arena`](crate::Arena) gives such a buffer). The arena is
    /// borrowed until the session is dropped.
    pub fn with_arena(model: &'a Model, params: &SessionParams, arena: &'a mut [u8]) -> Result<Session<'a>> {
        arena::check(arena, model.session_plan(params)?)?;
        Session::create(model, params, arena.as_mut_ptr().cast(), arena.len())
    }

    fn create(model: &'a Model, params: &SessionParams, arena: *mut c_void, size: usize) -> Result<Session<'a>> {
        let p = params.to_raw();
        let mut raw = ptr::null_mut();
        // SAFETY: the arena (or null) is valid for 'a, which the session does not outlive.
        let status = unsafe { sys::ringlm_session_create(model.as_ptr(), &p, arena, size, &mut raw) };
        wrap(model, status, raw)
    }

    /// A new session (same model and params, library-allocated arena) continuing from where this
    /// one stands.
    pub fn fork(&self) -> Result<Session<'a>> {
        let mut raw = ptr::null_mut();
        // SAFETY: valid source; null arena.
        let status = unsafe { sys::ringlm_session_fork(self.raw.as_ptr(), ptr::null_mut(), 0, &mut raw) };
        wrap(self.model, status, raw)
    }

    /// [`fork`](Self::fork) into a caller's arena (64-byte aligned, at least [`arena_used`](Self::arena_used) bytes).
    pub fn fork_into<'b>(&self, arena: &'b mut [u8]) -> Result<Session<'b>>
    where
        'a: 'b,
    {
        arena::check(arena, self.arena_used())?;
        let mut raw = ptr::null_mut();
        // SAFETY: the arena is valid for 'b, which the new session does not outlive.
        let status =
            unsafe { sys::ringlm_session_fork(self.raw.as_ptr(), arena.as_mut_ptr().cast(), arena.len(), &mut raw) };
        wrap(self.model, status, raw)
    }

    pub fn model(&self) -> &'a Model {
        self.model
    }

    /// The raw handle, for calls this crate does not wrap. Valid while `self` lives.
    pub fn as_ptr(&self) -> *const sys::ringlm_session {
        self.raw.as_ptr()
    }

    pub(crate) fn as_mut_ptr(&mut self) -> *mut sys::ringlm_session {
        self.raw.as_ptr()
    }

    /// Bytes of the arena laid out (equals the plan).
    pub fn arena_used(&self) -> usize {
        // SAFETY: valid session.
        unsafe { sys::ringlm_session_arena_used(self.as_ptr()) }
    }

    /// Tokens currently in the context.
    pub fn n_past(&self) -> usize {
        // SAFETY: valid session.
        unsafe { sys::ringlm_session_n_past(self.as_ptr()) }
    }

    /// Forgets all tokens; the arena is reused as is.
    pub fn reset(&mut self) -> Result<()> {
        // SAFETY: valid session, used by this thread only (&mut).
        check(unsafe { sys::ringlm_session_reset(self.as_mut_ptr()) })
    }

    /// Appends tokens to the context and computes the logits after the last one.
    pub fn prefill(&mut self, tokens: &[Token]) -> Result<()> {
        // SAFETY: tokens is (ptr, len).
        check(unsafe { sys::ringlm_session_prefill(self.as_mut_ptr(), tokens.as_ptr(), tokens.len()) })
    }

    /// Appends one token (a decode step).
    pub fn decode(&mut self, token: Token) -> Result<()> {
        // SAFETY: valid session.
        check(unsafe { sys::ringlm_session_decode(self.as_mut_ptr(), token) })
    }

    /// Logits after the last appended token, one per vocabulary entry. Borrowed from the arena:
    /// the next mutating call on the session ends the borrow.
    pub fn logits(&self) -> Result<&[f32]> {
        let mut logits = ptr::null();
        let mut n = 0usize;
        // SAFETY: valid session; on success logits points at n floats inside the arena.
        check(unsafe { sys::ringlm_session_logits(self.as_ptr(), &mut logits, &mut n) })?;
        // SAFETY: as above; they stay until the next call that takes &mut self.
        Ok(unsafe { std::slice::from_raw_parts(logits, n) })
    }

    /// With `logits_all`: the logits after token `i` (0-based) of the last prefill/decode call.
    pub fn logits_ith(&self, i: usize) -> Result<&[f32]> {
        let mut logits = ptr::null();
        // SAFETY: valid session; on success logits points at n_vocab floats inside the arena.
        check(unsafe { sys::ringlm_session_logits_ith(self.as_ptr(), i, &mut logits) })?;
        // SAFETY: as above.
        Ok(unsafe { std::slice::from_raw_parts(logits, self.model.n_vocab()) })
    }

    /// Picks the next token from the current logits with the session's sampling params.
    pub fn sample(&mut self) -> Result<Token> {
        let mut token = -1;
        // SAFETY: valid session.
        check(unsafe { sys::ringlm_session_sample(self.as_mut_ptr(), &mut token) })?;
        Ok(token)
    }
}
