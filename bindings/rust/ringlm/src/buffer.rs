// The (buf, capacity, *written) output contract: call with a first guess; on
// RINGLM_ERR_BUFFER_TOO_SMALL the call reports the size it needs, so call once more with that.
use ringlm_sys as sys;

use crate::error::{check, Error, Result};

/// Runs `call(buf, capacity, &mut written)` with `first_guess` elements, then once more with the
/// size it reports if that was too small.
pub(crate) fn fill<T: Copy + Default>(
    first_guess: usize,
    mut call: impl FnMut(*mut T, usize, &mut usize) -> sys::ringlm_status,
) -> Result<Vec<T>> {
    let mut buf = vec![T::default(); first_guess];
    let mut written = 0usize;
    let mut status = call(buf.as_mut_ptr(), buf.len(), &mut written);
    if status == sys::RINGLM_ERR_BUFFER_TOO_SMALL {
        if written <= buf.len() {
            return Err(Error::new(
                sys::RINGLM_ERR_INTERNAL,
                format!("the library reported a buffer of {} too small but needs only {written}", buf.len()),
            ));
        }
        buf.resize(written, T::default());
        status = call(buf.as_mut_ptr(), buf.len(), &mut written);
    }
    check(status)?;
    buf.truncate(written);
    Ok(buf)
}
