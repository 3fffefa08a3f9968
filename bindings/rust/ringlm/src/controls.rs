// Controls of a live session: sampling settings, the abort flag and the timing figures.
use std::ffi::c_void;
use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ringlm_sys as sys;

use crate::error::{check, Result};
use crate::{Session, SessionParams};

/// Sampling settings a live session can switch to ([`Session::set_sampling`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Sampling {
    /// 0 = greedy (argmax).
    pub temperature: f32,
    /// 0 = no top-k cut.
    pub top_k: i32,
    /// In (0, 1]; 1 = no nucleus cut.
    pub top_p: f32,
    /// The session's random generator is reseeded with it.
    pub seed: u64,
}

impl Default for Sampling {
    /// What `ringlm_sampling_params_init` gives (the same as [`SessionParams::default`]).
    fn default() -> Sampling {
        let p = SessionParams::default();
        Sampling { temperature: p.temperature, top_k: p.top_k, top_p: p.top_p, seed: p.seed }
    }
}

impl Sampling {
    /// Argmax: the same tokens on every run.
    pub fn greedy() -> Sampling {
        Sampling { temperature: 0.0, ..Sampling::default() }
    }

    /// The C struct: initialised by the library (struct_size, fields this binding predates),
    /// then the fields set here.
    fn to_raw(&self) -> sys::ringlm_sampling_params {
        let mut p = MaybeUninit::<sys::ringlm_sampling_params>::zeroed();
        // SAFETY: init writes the whole struct (all-zero is a valid value of it besides).
        let mut p = unsafe {
            sys::ringlm_sampling_params_init(p.as_mut_ptr());
            p.assume_init()
        };
        p.temperature = self.temperature;
        p.top_k = self.top_k;
        p.top_p = self.top_p;
        p.seed = self.seed;
        p
    }
}

/// What a session did since it was created or reset ([`Session::stats`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// Tokens of calls with more than one token, and their time.
    pub prefill_tokens: u64,
    pub prefill_time: Duration,
    /// One-token calls (generation decodes one token a step), and their time.
    pub decode_tokens: u64,
    pub decode_time: Duration,
    /// From the start of the first prefill/decode to the end of the first sample; `None` until
    /// a token was sampled.
    pub time_to_first_token: Option<Duration>,
    pub sampled: u64,
    pub sample_time: Duration,
}

unsafe extern "C" fn abort_requested(user_data: *mut c_void) -> bool {
    // SAFETY: user_data is the AtomicBool inside the Arc the session keeps while it is installed.
    unsafe { &*(user_data as *const AtomicBool) }.load(Ordering::Relaxed)
}

impl Session<'_> {
    /// Switches the sampling settings and reseeds the random generator. An invalid value is
    /// refused and the session keeps its settings.
    pub fn set_sampling(&mut self, sampling: &Sampling) -> Result<()> {
        let p = sampling.to_raw();
        // SAFETY: valid session and initialised params.
        check(unsafe { sys::ringlm_session_set_sampling(self.as_mut_ptr(), &p) })
    }

    /// Stops a running prefill, decode or generation between two layers once `flag` is set (from
    /// any thread): the call fails with [`ErrorKind::Aborted`](crate::ErrorKind::Aborted), the
    /// context keeps the chunks completed before it. `None` removes the flag.
    pub fn set_abort_flag(&mut self, flag: Option<Arc<AtomicBool>>) -> Result<()> {
        let (callback, user): (sys::ringlm_abort_callback, *mut c_void) = match &flag {
            Some(f) => (Some(abort_requested), Arc::as_ptr(f) as *mut c_void),
            None => (None, std::ptr::null_mut()),
        };
        // SAFETY: valid session; the flag outlives its installation (kept in self.abort below
        // until replaced, which happens only after the library stopped using the old pointer).
        check(unsafe { sys::ringlm_session_set_abort_callback(self.as_mut_ptr(), callback, user) })?;
        self.abort = flag;
        Ok(())
    }

    /// Token counts and times since create or reset.
    pub fn stats(&self) -> Result<Stats> {
        let mut s = sys::ringlm_session_stats {
            struct_size: std::mem::size_of::<sys::ringlm_session_stats>(),
            ..Default::default()
        };
        // SAFETY: valid session and an out-struct whose struct_size is set.
        check(unsafe { sys::ringlm_session_get_stats(self.as_ptr(), &mut s) })?;
        Ok(Stats {
            prefill_tokens: s.n_prefill_tokens,
            prefill_time: Duration::from_nanos(s.prefill_ns),
            decode_tokens: s.n_decode_tokens,
            decode_time: Duration::from_nanos(s.decode_ns),
            time_to_first_token: (s.first_token_ns > 0).then(|| Duration::from_nanos(s.first_token_ns)),
            sampled: s.n_sampled,
            sample_time: Duration::from_nanos(s.sample_ns),
        })
    }
}
