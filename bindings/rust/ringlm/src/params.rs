// SessionParams: ringlm_session_params as plain Rust fields, defaults from ringlm_session_params_init.
use ringlm_sys as sys;

/// KV cache element type (`ringlm_kv_type`). Int8 stores one f32 scale per token and head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KvType {
    #[default]
    F32,
    Bf16,
    Int8,
}

/// How a session is laid out and samples. `Default` is what `ringlm_session_params_init` gives;
/// a size left 0 means the model's default. Requests the library cannot honour are refused with
/// `ErrorKind::InvalidArgument`, never changed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SessionParams {
    /// Tokens the KV cache holds (sinks + window when streaming); 0 = the training context.
    pub n_ctx: u32,
    /// Max tokens per forward pass; 0 = min(n_ctx, 64).
    pub n_batch: u32,
    /// No-cache mode: every step recomputes all positions.
    pub recompute: bool,
    /// When the context is full, evict the oldest non-sink token instead of failing.
    pub streaming: bool,
    /// Streaming: first tokens kept forever.
    pub n_sinks: u32,
    pub kv_type: KvType,
    /// Keep the logits of every token of the last call ([`Session::logits_ith`](crate::Session::logits_ith)).
    pub logits_all: bool,
    /// Threads working on the session, the caller's included; 0 = 1.
    pub n_threads: u32,
    /// 0 = greedy (argmax).
    pub temperature: f32,
    /// 0 = no top-k cut.
    pub top_k: i32,
    /// In (0, 1]; 1 = no nucleus cut.
    pub top_p: f32,
    /// Same seed + same inputs = same tokens.
    pub seed: u64,
}

impl Default for SessionParams {
    fn default() -> SessionParams {
        SessionParams::from_raw(&init_raw())
    }
}

fn init_raw() -> sys::ringlm_session_params {
    let mut p = std::mem::MaybeUninit::<sys::ringlm_session_params>::zeroed();
    // SAFETY: init writes the whole struct (all-zero is a valid value of it besides).
    unsafe {
        sys::ringlm_session_params_init(p.as_mut_ptr());
        p.assume_init()
    }
}

impl SessionParams {
    /// The defaults with temperature 0: argmax sampling, the same tokens on every run.
    pub fn greedy() -> SessionParams {
        SessionParams { temperature: 0.0, ..SessionParams::default() }
    }

    fn from_raw(p: &sys::ringlm_session_params) -> SessionParams {
        SessionParams {
            n_ctx: p.n_ctx,
            n_batch: p.n_batch,
            recompute: p.recompute,
            streaming: p.streaming,
            n_sinks: p.n_sinks,
            kv_type: match p.kv_type {
                sys::RINGLM_KV_BF16 => KvType::Bf16,
                sys::RINGLM_KV_INT8 => KvType::Int8,
                _ => KvType::F32,
            },
            logits_all: p.logits_all,
            n_threads: p.n_threads,
            temperature: p.temperature,
            top_k: p.top_k,
            top_p: p.top_p,
            seed: p.seed,
        }
    }

    /// The C struct: initialised by the library (struct_size, fields this binding predates),
    /// then every field set here.
    pub(crate) fn to_raw(&self) -> sys::ringlm_session_params {
        let mut p = init_raw();
        p.n_ctx = self.n_ctx;
        p.n_batch = self.n_batch;
        p.recompute = self.recompute;
        p.streaming = self.streaming;
        p.n_sinks = self.n_sinks;
        p.kv_type = match self.kv_type {
            KvType::F32 => sys::RINGLM_KV_F32,
            KvType::Bf16 => sys::RINGLM_KV_BF16,
            KvType::Int8 => sys::RINGLM_KV_INT8,
        };
        p.logits_all = self.logits_all;
        p.n_threads = self.n_threads;
        p.temperature = self.temperature;
        p.top_k = self.top_k;
        p.top_p = self.top_p;
        p.seed = self.seed;
        p
    }
}
