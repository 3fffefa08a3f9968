// Model: an open ringlm_model (weights + tokenizer), immutable, shared by sessions on any threads.
use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::ptr::{self, NonNull};

use ringlm_sys as sys;

use crate::buffer;
use crate::error::{check, Error, Result};
use crate::Token;

/// How a model file is brought into memory (`ringlm_load_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LoadMode {
    /// Memory-map the file: weights never copied, pages shared between processes.
    #[default]
    Map,
    /// Read it once into private memory (huge pages where the OS has them).
    Read,
}

/// Options for [`Model::open_with`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ModelOptions {
    pub load_mode: LoadMode,
    /// The tokenizer of a llama2.c checkpoint (None: `tokenizer.bin` beside the model). GGUF
    /// files carry their own tokenizer and refuse one.
    pub tokenizer_path: Option<PathBuf>,
}

impl ModelOptions {
    pub fn new() -> ModelOptions {
        ModelOptions::default()
    }
    pub fn load_mode(mut self, mode: LoadMode) -> ModelOptions {
        self.load_mode = mode;
        self
    }
    pub fn tokenizer_path(mut self, path: impl Into<PathBuf>) -> ModelOptions {
        self.tokenizer_path = Some(path.into());
        self
    }
}

/// Hyperparameters and sizes of an open model (`ringlm_model_info`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ModelInfo {
    pub n_vocab: usize,
    /// Context length the model was trained with.
    pub n_ctx_train: usize,
    pub n_embd: usize,
    pub n_layer: usize,
    pub n_head: usize,
    pub n_head_kv: usize,
    pub head_dim: usize,
    pub n_ff: usize,
    pub bos_token: Option<Token>,
    pub eos_token: Option<Token>,
    pub n_params: u64,
    pub weight_bytes: u64,
    /// Whether prompts start with BOS: the file's `add_bos_token`, else the tokenizer's default.
    pub add_bos: bool,
    /// Whether the model wants EOS appended when text is tokenized as a whole.
    pub add_eos: bool,
}

/// An open model. Immutable: `Send + Sync`, so one model can serve sessions on many threads
/// (ringlm.h: "safe to share between threads"). Freed on drop, which the borrow checker allows
/// only once no [`Session`](crate::Session) borrows it.
#[derive(Debug)]
pub struct Model {
    raw: NonNull<sys::ringlm_model>,
    n_vocab: usize,
}

// SAFETY: ringlm.h: a model is immutable after open and may be used by any number of sessions
// on any threads at once; every call taking a model takes it as const.
unsafe impl Send for Model {}
unsafe impl Sync for Model {}

impl Drop for Model {
    fn drop(&mut self) {
        // SAFETY: opened by ringlm_model_open, freed once; no session outlives the borrow.
        unsafe { sys::ringlm_model_free(self.raw.as_ptr()) }
    }
}

pub(crate) fn path_to_c(path: &Path) -> Result<CString> {
    #[cfg(unix)]
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(path.as_os_str()).to_vec();
    #[cfg(not(unix))]
    let bytes = path
        .to_str()
        .ok_or_else(|| Error::new(sys::RINGLM_ERR_INVALID_ARGUMENT, format!("path {} is not UTF-8", path.display())))?
        .as_bytes()
        .to_vec();
    CString::new(bytes).map_err(|_| {
        Error::new(sys::RINGLM_ERR_INVALID_ARGUMENT, format!("path {} contains a NUL byte", path.display()))
    })
}

fn init_params() -> sys::ringlm_model_params {
    let mut p = std::mem::MaybeUninit::<sys::ringlm_model_params>::zeroed();
    // SAFETY: init writes the whole struct (all-zero is a valid value of it besides).
    unsafe {
        sys::ringlm_model_params_init(p.as_mut_ptr());
        p.assume_init()
    }
}

impl Model {
    /// Opens a GGUF file, or a llama2.c checkpoint with `tokenizer.bin` beside it.
    pub fn open(path: impl AsRef<Path>) -> Result<Model> {
        Model::open_with(path, &ModelOptions::default())
    }

    /// Opens a model file with options (load mode, a llama2.c tokenizer path).
    pub fn open_with(path: impl AsRef<Path>, options: &ModelOptions) -> Result<Model> {
        let path = path_to_c(path.as_ref())?;
        let tokenizer = options.tokenizer_path.as_deref().map(path_to_c).transpose()?;
        let mut p = init_params();
        p.path = path.as_ptr();
        p.tokenizer_path = tokenizer.as_ref().map_or(ptr::null(), |t| t.as_ptr());
        p.load_mode = match options.load_mode {
            LoadMode::Map => sys::RINGLM_LOAD_MAP,
            LoadMode::Read => sys::RINGLM_LOAD_READ,
        };
        Model::open_params(&p)
    }

    /// A model from memory the program keeps forever (e.g. `include_bytes!`): GGUF bytes, used
    /// in place, never copied.
    pub fn from_static(data: &'static [u8]) -> Result<Model> {
        Model::from_static_parts(data, None)
    }

    /// A llama2.c checkpoint and its tokenizer from static memory.
    pub fn from_static_with_tokenizer(data: &'static [u8], tokenizer: &'static [u8]) -> Result<Model> {
        Model::from_static_parts(data, Some(tokenizer))
    }

    fn from_static_parts(data: &'static [u8], tokenizer: Option<&'static [u8]>) -> Result<Model> {
        if data.is_empty() {
            return Err(Error::new(sys::RINGLM_ERR_INVALID_ARGUMENT, "model data is empty"));
        }
        let mut p = init_params();
        p.data = data.as_ptr().cast();
        p.data_size = data.len();
        if let Some(t) = tokenizer {
            p.tokenizer_data = t.as_ptr().cast();
            p.tokenizer_data_size = t.len();
        }
        Model::open_params(&p)
    }

    fn open_params(p: &sys::ringlm_model_params) -> Result<Model> {
        let mut raw = ptr::null_mut();
        // SAFETY: p is initialised; the strings it points to outlive the call.
        check(unsafe { sys::ringlm_model_open(p, &mut raw) })?;
        let raw = NonNull::new(raw)
            .ok_or_else(|| Error::new(sys::RINGLM_ERR_INTERNAL, "ringlm_model_open returned OK and no model"))?;
        let mut model = Model { raw, n_vocab: 0 };
        model.n_vocab = model.info().n_vocab;
        Ok(model)
    }

    /// The raw handle, for calls this crate does not wrap. Valid while `self` lives.
    pub fn as_ptr(&self) -> *const sys::ringlm_model {
        self.raw.as_ptr()
    }

    pub fn info(&self) -> ModelInfo {
        let mut i =
            sys::ringlm_model_info { struct_size: std::mem::size_of::<sys::ringlm_model_info>(), ..Default::default() };
        // SAFETY: a valid model and an out-struct of the size it says; the only failure is a null argument.
        let status = unsafe { sys::ringlm_model_get_info(self.as_ptr(), &mut i) };
        debug_assert_eq!(status, sys::RINGLM_OK);
        let size = |v: i32| usize::try_from(v).unwrap_or(0);
        let token = |v: i32| (v >= 0).then_some(v);
        ModelInfo {
            n_vocab: size(i.n_vocab),
            n_ctx_train: size(i.n_ctx_train),
            n_embd: size(i.n_embd),
            n_layer: size(i.n_layer),
            n_head: size(i.n_head),
            n_head_kv: size(i.n_head_kv),
            head_dim: size(i.head_dim),
            n_ff: size(i.n_ff),
            bos_token: token(i.bos_token),
            eos_token: token(i.eos_token),
            n_params: i.n_params,
            weight_bytes: i.weight_bytes,
            add_bos: i.add_bos,
            add_eos: i.add_eos,
        }
    }

    pub fn n_vocab(&self) -> usize {
        self.n_vocab
    }

    /// Token ids of UTF-8 `text`, with the model's BOS first if `add_bos`.
    pub fn tokenize(&self, text: &str, add_bos: bool) -> Result<Vec<Token>> {
        self.tokenize_guess(text, add_bos, text.len() + 2)
    }

    /// tokenize with a first buffer of `first_guess` ids (grown to what the library reports).
    pub(crate) fn tokenize_guess(&self, text: &str, add_bos: bool, first_guess: usize) -> Result<Vec<Token>> {
        buffer::fill(first_guess, |buf, cap, written| {
            // SAFETY: text is (ptr, len); buf holds cap ids.
            unsafe { sys::ringlm_tokenize(self.as_ptr(), text.as_ptr().cast(), text.len(), add_bos, buf, cap, written) }
        })
    }

    /// The bytes `token` stands for after `prev` (None: nothing before it). Raw bytes: a piece
    /// may be part of a UTF-8 sequence.
    pub fn token_to_piece(&self, prev: Option<Token>, token: Token) -> Result<Vec<u8>> {
        self.token_to_piece_guess(prev, token, 16)
    }

    pub(crate) fn token_to_piece_guess(
        &self,
        prev: Option<Token>,
        token: Token,
        first_guess: usize,
    ) -> Result<Vec<u8>> {
        buffer::fill(first_guess, |buf: *mut u8, cap, written| {
            // SAFETY: buf holds cap bytes.
            unsafe { sys::ringlm_token_to_piece(self.as_ptr(), prev.unwrap_or(-1), token, buf.cast(), cap, written) }
        })
    }

    /// The concatenated pieces of `tokens` as bytes (BOS/EOS give no text).
    pub fn detokenize_bytes(&self, tokens: &[Token]) -> Result<Vec<u8>> {
        self.detokenize_guess(tokens, tokens.len() * 4)
    }

    pub(crate) fn detokenize_guess(&self, tokens: &[Token], first_guess: usize) -> Result<Vec<u8>> {
        buffer::fill(first_guess, |buf: *mut u8, cap, written| {
            // SAFETY: tokens is (ptr, len); buf holds cap bytes.
            unsafe { sys::ringlm_detokenize(self.as_ptr(), tokens.as_ptr(), tokens.len(), buf.cast(), cap, written) }
        })
    }

    /// The text of `tokens`; bytes that are not UTF-8 become U+FFFD.
    pub fn detokenize(&self, tokens: &[Token]) -> Result<String> {
        Ok(String::from_utf8_lossy(&self.detokenize_bytes(tokens)?).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stories() -> Option<Model> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..");
        let shared = std::env::var_os("RINGLM_SHARED_DIR").map(PathBuf::from).unwrap_or(root.join("../shared"));
        let path = shared.join("models/stories260K.gguf");
        if !path.is_file() {
            eprintln!("skipped: no {} (set RINGLM_SHARED_DIR)", path.display());
            return None;
        }
        Some(Model::open(path).unwrap())
    }

    // Buffers that start too small are grown to the size the library reports, with the same result.
    #[test]
    fn outputs_are_retried_with_the_size_the_library_reports() {
        let Some(model) = stories() else { return };
        let text = "Once upon a time, there was a crab 🦀";
        let tokens = model.tokenize(text, true).unwrap();
        assert!(tokens.len() > 4);
        for guess in [0, 1, tokens.len() - 1, tokens.len()] {
            assert_eq!(model.tokenize_guess(text, true, guess).unwrap(), tokens);
            assert_eq!(model.detokenize_guess(&tokens, guess).unwrap(), text.as_bytes());
        }
        let piece = model.token_to_piece(None, tokens[1]).unwrap();
        assert!(piece.len() > 1);
        for guess in [0, 1, piece.len()] {
            assert_eq!(model.token_to_piece_guess(None, tokens[1], guess).unwrap(), piece);
        }
    }
}
