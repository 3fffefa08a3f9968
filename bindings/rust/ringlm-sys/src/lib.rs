//! Raw declarations of ringlm's C ABI, one for one with `include/ringlm.h` (read that header for
//! the contract of each call). Everything here is `unsafe` to use; the `ringlm` crate wraps it.
//!
//! The build script links the library: found through `pkg-config` or built from the checkout with
//! `cmake` (see the crate's README). `tests/layout.rs` fails when these declarations drift from the
//! header (struct fields, sizes, offsets, constants, function names).
#![no_std]
#![allow(non_camel_case_types)]

use core::ffi::{c_char, c_void};
use core::marker::{PhantomData, PhantomPinned};

// ---- versions ---------------------------------------------------------------------------------
pub const RINGLM_VERSION_MAJOR: u32 = 0;
pub const RINGLM_VERSION_MINOR: u32 = 5;
pub const RINGLM_VERSION_PATCH: u32 = 0;
/// Bumped whenever a struct layout, a signature or a status number changes incompatibly.
pub const RINGLM_ABI_VERSION: u32 = 1;

// ---- status codes -----------------------------------------------------------------------------
pub type ringlm_status = i32;
pub const RINGLM_OK: ringlm_status = 0;
pub const RINGLM_ERR_INVALID_ARGUMENT: ringlm_status = 100;
pub const RINGLM_ERR_BUFFER_TOO_SMALL: ringlm_status = 101;
pub const RINGLM_ERR_ARENA_TOO_SMALL: ringlm_status = 102;
pub const RINGLM_ERR_CONTEXT_FULL: ringlm_status = 103;
pub const RINGLM_ERR_INVALID_TOKEN: ringlm_status = 104;
pub const RINGLM_ERR_INVALID_STATE: ringlm_status = 105;
pub const RINGLM_ERR_ABORTED: ringlm_status = 106;
pub const RINGLM_ERR_IO: ringlm_status = 200;
pub const RINGLM_ERR_FILE_NOT_FOUND: ringlm_status = 201;
pub const RINGLM_ERR_BAD_FORMAT: ringlm_status = 300;
pub const RINGLM_ERR_TRUNCATED: ringlm_status = 301;
pub const RINGLM_ERR_BAD_DIMENSIONS: ringlm_status = 302;
pub const RINGLM_ERR_UNSUPPORTED: ringlm_status = 303;
pub const RINGLM_ERR_VOCAB_MISMATCH: ringlm_status = 304;
pub const RINGLM_ERR_OUT_OF_MEMORY: ringlm_status = 400;
pub const RINGLM_ERR_INTERNAL: ringlm_status = 900;

// ---- model ------------------------------------------------------------------------------------
/// Opaque model handle (`ringlm_model`).
#[repr(C)]
pub struct ringlm_model {
    _opaque: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

pub type ringlm_load_mode = i32;
pub const RINGLM_LOAD_MAP: ringlm_load_mode = 0;
pub const RINGLM_LOAD_READ: ringlm_load_mode = 1;

/// Initialise with [`ringlm_model_params_init`]; give exactly one of `path` and `data`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ringlm_model_params {
    pub struct_size: usize,
    pub path: *const c_char,
    pub tokenizer_path: *const c_char,
    pub data: *const c_void,
    pub data_size: usize,
    pub tokenizer_data: *const c_void,
    pub tokenizer_data_size: usize,
    pub load_mode: ringlm_load_mode,
    /// 0.5: only the tokenizer and its metadata, whatever the architecture; no sessions on it.
    pub vocab_only: bool,
}

#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct ringlm_model_info {
    pub struct_size: usize,
    pub n_vocab: i32,
    pub n_ctx_train: i32,
    pub n_embd: i32,
    pub n_layer: i32,
    pub n_head: i32,
    pub n_head_kv: i32,
    pub head_dim: i32,
    pub n_ff: i32,
    pub bos_token: i32,
    pub eos_token: i32,
    pub n_params: u64,
    pub weight_bytes: u64,
    pub add_bos: bool,
    pub add_eos: bool,
}

// ---- session ----------------------------------------------------------------------------------
/// Opaque session handle (`ringlm_session`).
#[repr(C)]
pub struct ringlm_session {
    _opaque: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

pub type ringlm_kv_type = i32;
pub const RINGLM_KV_F32: ringlm_kv_type = 0;
pub const RINGLM_KV_BF16: ringlm_kv_type = 1;
pub const RINGLM_KV_INT8: ringlm_kv_type = 2;

/// Initialise with [`ringlm_session_params_init`]; a field left 0 means the model's default.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ringlm_session_params {
    pub struct_size: usize,
    pub n_ctx: u32,
    pub n_batch: u32,
    pub recompute: bool,
    pub streaming: bool,
    pub n_sinks: u32,
    pub kv_type: ringlm_kv_type,
    pub logits_all: bool,
    pub n_threads: u32,
    pub temperature: f32,
    pub top_k: i32,
    pub top_p: f32,
    pub seed: u64,
    pub repeat_penalty: f32,
    pub repeat_last_n: i32,
    pub presence_penalty: f32,
    pub frequency_penalty: f32,
    pub min_p: f32,
}

/// Sampling settings changeable after create ([`ringlm_session_set_sampling`]).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ringlm_sampling_params {
    pub struct_size: usize,
    pub temperature: f32,
    pub top_k: i32,
    pub top_p: f32,
    pub seed: u64,
    pub repeat_penalty: f32,
    pub repeat_last_n: i32,
    pub presence_penalty: f32,
    pub frequency_penalty: f32,
    pub min_p: f32,
}

/// What a session did since create or reset ([`ringlm_session_get_stats`]).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct ringlm_session_stats {
    pub struct_size: usize,
    pub n_prefill_tokens: u64,
    pub prefill_ns: u64,
    pub n_decode_tokens: u64,
    pub decode_ns: u64,
    pub first_token_ns: u64,
    pub n_sampled: u64,
    pub sample_ns: u64,
}

/// One message of a conversation for [`ringlm_chat_apply_template`] (0.5).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ringlm_chat_message {
    /// "system", "user" or "assistant" (NUL-terminated).
    pub role: *const c_char,
    /// UTF-8, NUL-terminated.
    pub content: *const c_char,
}

/// Asked between layers; returning true stops the call with `RINGLM_ERR_ABORTED`.
pub type ringlm_abort_callback = Option<unsafe extern "C" fn(user_data: *mut c_void) -> bool>;

/// Called for each generated token with its piece; return false to stop generating.
pub type ringlm_token_callback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, token: i32, piece: *const c_char, piece_len: usize) -> bool>;

extern "C" {
    pub fn ringlm_status_string(status: ringlm_status) -> *const c_char;
    pub fn ringlm_last_error_message() -> *const c_char;
    pub fn ringlm_version() -> *const c_char;
    pub fn ringlm_kernel_name() -> *const c_char;
    pub fn ringlm_kernel_warning() -> *const c_char;
    pub fn ringlm_abi_version() -> u32;

    pub fn ringlm_model_params_init(params: *mut ringlm_model_params);
    pub fn ringlm_model_open(params: *const ringlm_model_params, out_model: *mut *mut ringlm_model) -> ringlm_status;
    pub fn ringlm_model_free(model: *mut ringlm_model);
    pub fn ringlm_model_get_info(model: *const ringlm_model, out_info: *mut ringlm_model_info) -> ringlm_status;

    pub fn ringlm_tokenize(
        model: *const ringlm_model,
        text: *const c_char,
        text_len: usize,
        add_bos: bool,
        tokens: *mut i32,
        capacity: usize,
        n_tokens: *mut usize,
    ) -> ringlm_status;
    pub fn ringlm_tokenize_special(
        model: *const ringlm_model,
        text: *const c_char,
        text_len: usize,
        add_bos: bool,
        tokens: *mut i32,
        capacity: usize,
        n_tokens: *mut usize,
    ) -> ringlm_status;
    pub fn ringlm_token_to_piece(
        model: *const ringlm_model,
        prev_token: i32,
        token: i32,
        buf: *mut c_char,
        capacity: usize,
        written: *mut usize,
    ) -> ringlm_status;
    pub fn ringlm_detokenize(
        model: *const ringlm_model,
        tokens: *const i32,
        n_tokens: usize,
        buf: *mut c_char,
        capacity: usize,
        written: *mut usize,
    ) -> ringlm_status;

    pub fn ringlm_chat_template_names() -> *const c_char;
    pub fn ringlm_chat_template_detect(
        template_text: *const c_char,
        text_len: usize,
        out_name: *mut *const c_char,
    ) -> ringlm_status;
    pub fn ringlm_model_chat_template(model: *const ringlm_model, out_name: *mut *const c_char) -> ringlm_status;
    pub fn ringlm_chat_apply_template(
        template_name: *const c_char,
        messages: *const ringlm_chat_message,
        n_messages: usize,
        add_assistant: bool,
        buf: *mut c_char,
        capacity: usize,
        written: *mut usize,
    ) -> ringlm_status;

    pub fn ringlm_session_params_init(params: *mut ringlm_session_params);
    pub fn ringlm_session_plan(
        model: *const ringlm_model,
        params: *const ringlm_session_params,
        out_bytes: *mut usize,
    ) -> ringlm_status;
    pub fn ringlm_session_create(
        model: *const ringlm_model,
        params: *const ringlm_session_params,
        arena: *mut c_void,
        arena_size: usize,
        out_session: *mut *mut ringlm_session,
    ) -> ringlm_status;
    pub fn ringlm_session_free(session: *mut ringlm_session);
    pub fn ringlm_session_arena_used(session: *const ringlm_session) -> usize;
    pub fn ringlm_session_n_past(session: *const ringlm_session) -> usize;
    pub fn ringlm_session_reset(session: *mut ringlm_session) -> ringlm_status;
    pub fn ringlm_session_prefill(session: *mut ringlm_session, tokens: *const i32, n_tokens: usize) -> ringlm_status;
    pub fn ringlm_session_decode(session: *mut ringlm_session, token: i32) -> ringlm_status;
    pub fn ringlm_session_logits(
        session: *const ringlm_session,
        logits: *mut *const f32,
        n_vocab: *mut usize,
    ) -> ringlm_status;
    pub fn ringlm_session_logits_ith(
        session: *const ringlm_session,
        i: usize,
        logits: *mut *const f32,
    ) -> ringlm_status;
    pub fn ringlm_session_sample(session: *mut ringlm_session, out_token: *mut i32) -> ringlm_status;
    pub fn ringlm_sampling_params_init(params: *mut ringlm_sampling_params);
    pub fn ringlm_session_set_sampling(
        session: *mut ringlm_session,
        params: *const ringlm_sampling_params,
    ) -> ringlm_status;
    pub fn ringlm_session_set_abort_callback(
        session: *mut ringlm_session,
        callback: ringlm_abort_callback,
        user_data: *mut c_void,
    ) -> ringlm_status;
    pub fn ringlm_session_get_stats(
        session: *const ringlm_session,
        out_stats: *mut ringlm_session_stats,
    ) -> ringlm_status;
    pub fn ringlm_session_generate(
        session: *mut ringlm_session,
        prompt: *const i32,
        n_prompt: usize,
        max_tokens: usize,
        callback: ringlm_token_callback,
        user_data: *mut c_void,
        n_generated: *mut usize,
    ) -> ringlm_status;

    pub fn ringlm_session_state_size(session: *const ringlm_session, bytes: *mut usize) -> ringlm_status;
    pub fn ringlm_session_state_save(
        session: *const ringlm_session,
        buf: *mut c_void,
        capacity: usize,
        written: *mut usize,
    ) -> ringlm_status;
    pub fn ringlm_session_state_load(session: *mut ringlm_session, buf: *const c_void, size: usize) -> ringlm_status;
    pub fn ringlm_session_state_save_file(session: *const ringlm_session, path: *const c_char) -> ringlm_status;
    pub fn ringlm_session_state_load_file(session: *mut ringlm_session, path: *const c_char) -> ringlm_status;
    pub fn ringlm_session_fork(
        source: *const ringlm_session,
        arena: *mut c_void,
        arena_size: usize,
        out_session: *mut *mut ringlm_session,
    ) -> ringlm_status;
}
