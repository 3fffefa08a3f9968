// Arena: an owned, zeroed, 64-byte aligned byte buffer to lay a session out in, and the checks a
// caller's arena must pass before ringlm_session_create sees it.
use std::alloc::{self, Layout};
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

use ringlm_sys as sys;

use crate::error::{Error, Result};
use crate::{Model, SessionParams};

/// The alignment ringlm requires of a session arena.
pub const ARENA_ALIGN: usize = 64;

#[repr(C, align(64))]
struct Aligned([u8; ARENA_ALIGN]);

/// A heap buffer aligned to [`ARENA_ALIGN`], for [`Session::with_arena`](crate::Session::with_arena)
/// when the arena should come from the program rather than the library.
pub struct Arena {
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: Arena owns its bytes like a Box<[u8]>.
unsafe impl Send for Arena {}
unsafe impl Sync for Arena {}

impl Arena {
    /// `len` zeroed bytes at a 64-byte aligned address.
    pub fn new(len: usize) -> Arena {
        if len == 0 {
            return Arena { ptr: NonNull::<Aligned>::dangling().cast(), len };
        }
        let layout = Layout::from_size_align(len, ARENA_ALIGN).expect("arena size overflows");
        // SAFETY: layout has a non-zero size.
        let ptr =
            NonNull::new(unsafe { alloc::alloc_zeroed(layout) }).unwrap_or_else(|| alloc::handle_alloc_error(layout));
        Arena { ptr, len }
    }

    /// An arena of exactly the size `ringlm_session_plan` gives for these params.
    pub fn for_session(model: &Model, params: &SessionParams) -> Result<Arena> {
        Ok(Arena::new(model.session_plan(params)?))
    }
}

impl Drop for Arena {
    fn drop(&mut self) {
        if self.len > 0 {
            // SAFETY: allocated in new with this layout.
            unsafe { alloc::dealloc(self.ptr.as_ptr(), Layout::from_size_align_unchecked(self.len, ARENA_ALIGN)) }
        }
    }
}

impl Deref for Arena {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        // SAFETY: len initialised bytes owned by self.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl DerefMut for Arena {
    fn deref_mut(&mut self) -> &mut [u8] {
        // SAFETY: as above, borrowed uniquely.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

/// Refuses an arena that is misaligned or smaller than `needed` (the plan), before the library sees it.
pub(crate) fn check(arena: &[u8], needed: usize) -> Result<()> {
    let address = arena.as_ptr() as usize;
    if address % ARENA_ALIGN != 0 {
        return Err(Error::new(
            sys::RINGLM_ERR_INVALID_ARGUMENT,
            format!("arena at {address:#x} is not {ARENA_ALIGN}-byte aligned (use ringlm::Arena or align the buffer)"),
        ));
    }
    if arena.len() < needed {
        return Err(Error::new(
            sys::RINGLM_ERR_ARENA_TOO_SMALL,
            format!("arena of {} bytes is smaller than the session plan: {needed} bytes needed", arena.len()),
        ));
    }
    Ok(())
}
