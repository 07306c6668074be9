//! Python thread states that live as long as the gateway's threads.
//!
//! `Python::attach` on a thread that has no Python thread state makes one and
//! destroys it again when it detaches (`PyGILState_Ensure` / `Release`). For
//! every call that is a new frame stack for the thread (an `mmap`) and its
//! release (a `munmap`, which interrupts the other cores to flush their
//! TLBs): measured on `gg`, one of each per remote call. The gateway's
//! runtime threads instead take a thread state when they start
//! ([`keep_thread_state`]) and give it back when they stop
//! ([`release_thread_state`]); `Python::attach` then only takes the GIL.
#![allow(unsafe_code)]

use std::cell::Cell;

use pyo3::ffi;

/// The kept thread state and the `PyGILState_Ensure` result to release it with.
type Kept = (*mut ffi::PyThreadState, ffi::PyGILState_STATE);

thread_local! {
    static KEPT: Cell<Option<Kept>> = const { Cell::new(None) };
}

/// Gives the calling thread a Python thread state that it keeps, detached,
/// until [`release_thread_state`]. For a thread-start hook; does nothing
/// before the interpreter is initialised or when the thread has one already.
pub fn keep_thread_state() {
    // SAFETY: Py_IsInitialized may be called at any time.
    if unsafe { ffi::Py_IsInitialized() } == 0 {
        return;
    }
    KEPT.with(|kept| {
        if let Some(already) = kept.take() {
            kept.set(Some(already));
            return;
        }
        // SAFETY: the interpreter is initialised and this thread is not attached
        // (a thread-start hook runs before any of the thread's work). Ensure
        // attaches it with a new thread state; SaveThread detaches it and hands
        // back that state, which stays alive because Ensure's count is still 1.
        let kept_state = unsafe {
            let gstate = ffi::PyGILState_Ensure();
            (ffi::PyEval_SaveThread(), gstate)
        };
        kept.set(Some(kept_state));
    });
}

/// Gives back the thread state [`keep_thread_state`] kept. For a thread-stop hook.
pub fn release_thread_state() {
    KEPT.with(|kept| {
        if let Some((tstate, gstate)) = kept.take() {
            // SAFETY: `tstate` is this thread's own state saved by keep_thread_state,
            // and the thread is detached (the stop hook runs after its work):
            // RestoreThread re-attaches it, and Release, matching the Ensure,
            // detaches and destroys the state.
            unsafe {
                ffi::PyEval_RestoreThread(tstate);
                ffi::PyGILState_Release(gstate);
            }
        }
    });
}
