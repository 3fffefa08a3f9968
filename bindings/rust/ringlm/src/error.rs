// Errors: a ringlm status code with its stable name and the library's message for that failure.
use std::ffi::CStr;
use std::fmt;

use ringlm_sys as sys;

/// What went wrong, by status code range (see `ringlm_status` in ringlm.h).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    InvalidArgument,
    BufferTooSmall,
    ArenaTooSmall,
    ContextFull,
    InvalidToken,
    InvalidState,
    /// The abort flag stopped a prefill, decode or generation ([`Session::set_abort_flag`](crate::Session::set_abort_flag)).
    Aborted,
    Io,
    FileNotFound,
    BadFormat,
    Truncated,
    BadDimensions,
    Unsupported,
    VocabMismatch,
    OutOfMemory,
    Internal,
    /// A code this binding does not know (a newer library).
    Other(i32),
}

impl ErrorKind {
    pub fn from_code(code: i32) -> ErrorKind {
        match code {
            sys::RINGLM_ERR_INVALID_ARGUMENT => ErrorKind::InvalidArgument,
            sys::RINGLM_ERR_BUFFER_TOO_SMALL => ErrorKind::BufferTooSmall,
            sys::RINGLM_ERR_ARENA_TOO_SMALL => ErrorKind::ArenaTooSmall,
            sys::RINGLM_ERR_CONTEXT_FULL => ErrorKind::ContextFull,
            sys::RINGLM_ERR_INVALID_TOKEN => ErrorKind::InvalidToken,
            sys::RINGLM_ERR_INVALID_STATE => ErrorKind::InvalidState,
            sys::RINGLM_ERR_ABORTED => ErrorKind::Aborted,
            sys::RINGLM_ERR_IO => ErrorKind::Io,
            sys::RINGLM_ERR_FILE_NOT_FOUND => ErrorKind::FileNotFound,
            sys::RINGLM_ERR_BAD_FORMAT => ErrorKind::BadFormat,
            sys::RINGLM_ERR_TRUNCATED => ErrorKind::Truncated,
            sys::RINGLM_ERR_BAD_DIMENSIONS => ErrorKind::BadDimensions,
            sys::RINGLM_ERR_UNSUPPORTED => ErrorKind::Unsupported,
            sys::RINGLM_ERR_VOCAB_MISMATCH => ErrorKind::VocabMismatch,
            sys::RINGLM_ERR_OUT_OF_MEMORY => ErrorKind::OutOfMemory,
            sys::RINGLM_ERR_INTERNAL => ErrorKind::Internal,
            other => ErrorKind::Other(other),
        }
    }
}

/// A failed ringlm call: the status code, its name (`ringlm_status_string`) and the message
/// (`ringlm_last_error_message`, read on the failing thread right after the call). Errors the
/// binding detects itself (a misaligned arena, a NUL in a path) use the matching status code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    code: i32,
    name: &'static str,
    message: String,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An error detected by the binding, with the library's name for `code`.
    pub(crate) fn new(code: i32, message: impl Into<String>) -> Error {
        Error { code, name: status_name(code), message: message.into() }
    }

    /// The error the library just reported with `code` on this thread.
    pub(crate) fn last(code: i32) -> Error {
        // The message first: it is valid only until this thread's next ringlm call, and
        // naming the status is one.
        // SAFETY: never NULL, NUL-terminated, valid until this thread's next ringlm call.
        let message = unsafe { CStr::from_ptr(sys::ringlm_last_error_message()) }.to_string_lossy().into_owned();
        Error { code, name: status_name(code), message }
    }

    /// The `ringlm_status` value, e.g. 201.
    pub fn code(&self) -> i32 {
        self.code
    }
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::from_code(self.code)
    }
    /// The status name, e.g. "RINGLM_ERR_FILE_NOT_FOUND".
    pub fn name(&self) -> &'static str {
        self.name
    }
    /// The details: file, offsets, sizes, the bad value.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.name, self.code, self.message)
    }
}

impl std::error::Error for Error {}

/// `ringlm_status_string`: static text in the library, never NULL.
pub fn status_name(code: i32) -> &'static str {
    // SAFETY: the library returns a pointer to a string literal for every input.
    unsafe { CStr::from_ptr(sys::ringlm_status_string(code)) }.to_str().unwrap_or("RINGLM_ERR_UNKNOWN")
}

/// Ok for RINGLM_OK, else the error the library reported.
pub(crate) fn check(status: sys::ringlm_status) -> Result<()> {
    if status == sys::RINGLM_OK {
        Ok(())
    } else {
        Err(Error::last(status))
    }
}
