//! Safe Rust API for ringlm, a CPU-only LLM inference runtime (the C ABI in `include/ringlm.h`,
//! declared raw by `ringlm-sys`).
//!
//! ```no_run
//! use ringlm::{Model, Session, SessionParams};
//!
//! let model = Model::open("stories260K.gguf")?;
//! let mut session = Session::new(&model, &SessionParams::greedy())?;
//! let prompt = model.tokenize("Once upon a time", true)?;
//! let mut text = String::from("Once upon a time");
//! for step in session.generate_iter(&prompt, 40) {
//!     text.push_str(&String::from_utf8_lossy(&step?.piece));
//! }
//! println!("{text}");
//! # Ok::<(), ringlm::Error>(())
//! ```
//!
//! # Threads
//!
//! ringlm.h promises that a model is immutable and may serve any number of sessions on any
//! threads at once, and that a session is used by one thread at a time but may move between
//! threads between calls. So [`Model`] is `Send + Sync` (share it with `&Model` or `Arc<Model>`),
//! and [`Session`] is `Send` but not `Sync`:
//!
//! ```compile_fail,E0277
//! fn shared_between_threads<T: Sync>() {}
//! shared_between_threads::<ringlm::Session<'static>>();
//! ```
//!
//! # Lifetimes
//!
//! A [`Session`] borrows its model, so the model cannot be freed while a session uses it:
//!
//! ```compile_fail,E0597
//! # use ringlm::{Model, Session, SessionParams};
//! let session = {
//!     let model = Model::open("stories260K.gguf").unwrap();
//!     Session::new(&model, &SessionParams::default()).unwrap()
//! };
//! # drop(session);
//! ```
//!
//! ```compile_fail,E0505
//! # use ringlm::{Model, Session, SessionParams};
//! let model = Model::open("stories260K.gguf").unwrap();
//! let mut session = Session::new(&model, &SessionParams::default()).unwrap();
//! drop(model);
//! session.decode(1).unwrap();
//! ```
//!
//! A caller's arena stays borrowed while the session lives in it:
//!
//! ```compile_fail,E0502
//! # use ringlm::{Arena, Model, Session, SessionParams};
//! let model = Model::open("stories260K.gguf").unwrap();
//! let params = SessionParams::default();
//! let mut arena = Arena::for_session(&model, &params).unwrap();
//! let mut session = Session::with_arena(&model, &params, &mut arena).unwrap();
//! println!("{}", arena[0]);
//! session.decode(1).unwrap();
//! ```
//!
//! and logits borrowed from the session end at its next mutating call:
//!
//! ```compile_fail,E0502
//! # use ringlm::{Model, Session, SessionParams};
//! let model = Model::open("stories260K.gguf").unwrap();
//! let mut session = Session::new(&model, &SessionParams::default()).unwrap();
//! session.prefill(&[1]).unwrap();
//! let logits = session.logits().unwrap();
//! session.decode(2).unwrap();
//! println!("{}", logits[0]);
//! ```
//!
//! # Errors
//!
//! Every fallible call returns [`Error`]: the status code, its name and the library's message
//! for that failure (read on the same thread right after the call).

mod arena;
mod buffer;
mod controls;
mod error;
mod generate;
mod model;
mod params;
mod session;
mod snapshot;

use std::ffi::CStr;

pub use arena::{Arena, ARENA_ALIGN};
pub use controls::{Sampling, Stats};
pub use error::{status_name, Error, ErrorKind, Result};
pub use generate::{Generated, Generation};
pub use model::{LoadMode, Model, ModelInfo, ModelOptions};
pub use params::{KvType, SessionParams};
pub use ringlm_sys as sys;
pub use session::Session;

/// A token id, in `[0, n_vocab)`.
pub type Token = i32;

fn static_str(s: *const std::ffi::c_char) -> &'static str {
    // SAFETY: the callers pass the library's static NUL-terminated text.
    unsafe { CStr::from_ptr(s) }.to_str().unwrap_or("")
}

/// The library's version, "MAJOR.MINOR.PATCH".
pub fn version() -> &'static str {
    // SAFETY: static text.
    static_str(unsafe { sys::ringlm_version() })
}

/// The library's ABI version; this crate is written for [`sys::RINGLM_ABI_VERSION`].
pub fn abi_version() -> u32 {
    // SAFETY: no arguments.
    unsafe { sys::ringlm_abi_version() }
}

/// The kernel set chosen for this CPU ("scalar", "avx2", ...).
pub fn kernel_name() -> &'static str {
    // SAFETY: static text.
    static_str(unsafe { sys::ringlm_kernel_name() })
}

/// Why RINGLM_SIMD, RINGLM_GEMM, RINGLM_PREFETCH or RINGLM_QUANT_STREAMS was not honoured, if so.
pub fn kernel_warning() -> Option<&'static str> {
    // SAFETY: NULL or static text.
    let w = unsafe { sys::ringlm_kernel_warning() };
    (!w.is_null()).then(|| static_str(w))
}
