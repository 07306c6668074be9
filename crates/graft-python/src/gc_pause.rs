//! Holding CPython's cyclic garbage collector off while a call's arguments
//! are built.
//!
//! Building 10,000 dataclass instances triggers 14 young-generation
//! collections, and every instance then survives into the older
//! generations, which makes full collections of the whole heap frequent:
//! measured, the collector took about a tenth of gg's CPU on a call with
//! 10,000 records. New objects reachable only from the arguments under
//! construction cannot be garbage yet, so collecting them then is wasted
//! work. Once the pause ends, the next allocation runs one collection of
//! everything allocated meanwhile, as usual.
//!
//! The collector's switch is the interpreter's, shared by every thread, and a
//! method's `__init__` may let another thread take the GIL mid-build, so
//! pauses nest: the first one switches the collector off (only if it was on)
//! and the last one switches it back on. All of it happens with the GIL held.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use pyo3::{Python, ffi};

/// How many pauses are in force.
static PAUSES: AtomicUsize = AtomicUsize::new(0);
/// Whether the first pause found the collector on (so the last turns it on again).
static WAS_ENABLED: AtomicBool = AtomicBool::new(false);

/// The collector stays off while this lives; it must be dropped with the GIL
/// held, which the `'py` lifetime ensures.
pub(crate) struct GcPause<'py> {
    _py: Python<'py>,
}

impl<'py> GcPause<'py> {
    pub(crate) fn new(py: Python<'py>) -> Self {
        if PAUSES.fetch_add(1, Ordering::Relaxed) == 0 {
            // SAFETY: the GIL is held (`py`); PyGC_Disable returns the previous state.
            let was = unsafe { ffi::PyGC_Disable() } == 1;
            WAS_ENABLED.store(was, Ordering::Relaxed);
        }
        GcPause { _py: py }
    }
}

impl Drop for GcPause<'_> {
    fn drop(&mut self) {
        if PAUSES.fetch_sub(1, Ordering::Relaxed) == 1 && WAS_ENABLED.load(Ordering::Relaxed) {
            // SAFETY: the GIL is held (`self._py`).
            unsafe { ffi::PyGC_Enable() };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pyo3::prelude::*;

    #[test]
    fn pauses_nest_and_restore_the_collector() {
        Python::initialize();
        Python::attach(|py| {
            let gc = py.import("gc").unwrap();
            let enabled = || {
                gc.call_method0("isenabled")
                    .unwrap()
                    .extract::<bool>()
                    .unwrap()
            };
            assert!(enabled());
            {
                let _outer = GcPause::new(py);
                assert!(!enabled());
                drop(GcPause::new(py));
                assert!(
                    !enabled(),
                    "an inner pause must not switch the collector back on"
                );
            }
            assert!(enabled());
            // A collector the user switched off stays off.
            gc.call_method0("disable").unwrap();
            drop(GcPause::new(py));
            assert!(!enabled());
            gc.call_method0("enable").unwrap();
        });
    }
}
