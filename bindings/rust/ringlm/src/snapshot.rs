// Snapshots: a session's KV cache, position, logits and sampler RNG as bytes or a file; a session
// restored from one continues exactly as the original would.
use std::path::Path;

use ringlm_sys as sys;

use crate::buffer;
use crate::error::{check, Result};
use crate::model::path_to_c;
use crate::Session;

impl Session<'_> {
    /// Bytes a snapshot of the session takes now.
    pub fn state_size(&self) -> Result<usize> {
        let mut bytes = 0usize;
        // SAFETY: valid session.
        check(unsafe { sys::ringlm_session_state_size(self.as_ptr(), &mut bytes) })?;
        Ok(bytes)
    }

    /// A snapshot of the session.
    pub fn save_state(&self) -> Result<Vec<u8>> {
        let size = self.state_size()?;
        buffer::fill(size, |buf: *mut u8, cap, written| {
            // SAFETY: buf holds cap bytes.
            unsafe { sys::ringlm_session_state_save(self.as_ptr(), buf.cast(), cap, written) }
        })
    }

    /// A snapshot written into `buf` (no allocation); returns the bytes written. A buffer below
    /// [`state_size`](Self::state_size) gives `ErrorKind::BufferTooSmall`.
    pub fn save_state_into(&self, buf: &mut [u8]) -> Result<usize> {
        let mut written = 0usize;
        // SAFETY: buf is (ptr, len).
        check(unsafe {
            sys::ringlm_session_state_save(self.as_ptr(), buf.as_mut_ptr().cast(), buf.len(), &mut written)
        })?;
        Ok(written)
    }

    /// Restores a snapshot of a session of the same model and layout (n_ctx, streaming/sinks,
    /// kv_type, recompute). One that does not fit is refused before the session changes.
    pub fn load_state(&mut self, snapshot: &[u8]) -> Result<()> {
        // SAFETY: snapshot is (ptr, len).
        check(unsafe { sys::ringlm_session_state_load(self.as_mut_ptr(), snapshot.as_ptr().cast(), snapshot.len()) })
    }

    pub fn save_state_file(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path_to_c(path.as_ref())?;
        // SAFETY: NUL-terminated path.
        check(unsafe { sys::ringlm_session_state_save_file(self.as_ptr(), path.as_ptr()) })
    }

    pub fn load_state_file(&mut self, path: impl AsRef<Path>) -> Result<()> {
        let path = path_to_c(path.as_ref())?;
        // SAFETY: NUL-terminated path.
        check(unsafe { sys::ringlm_session_state_load_file(self.as_mut_ptr(), path.as_ptr()) })
    }
}
