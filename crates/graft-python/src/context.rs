//! The incoming metadata as hosted code reads it: `import graft_context;
//! graft_context.headers()`. gg registers the module (the same file every
//! graft vendors as `_runtime/context.py`) before it imports the hosted
//! modules. A plain method's call, and each step of a plain generator,
//! runs synchronously on one thread: gg notes its metadata and deadline
//! on that thread ([`within`]) and `graft_context` reads them from there
//! only when asked (`_served_headers`, `_served_deadline`), so a call whose
//! code never asks builds no Python object for them. A coroutine is called
//! through `graft_context.bind`, which sets the context variables for each
//! of its steps, and an async generator's pump sets them so (`streams.py`).

use std::cell::RefCell;
use std::ffi::CString;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple};

use crate::HostError;

const SOURCE: &str = include_str!("../../../python/graft_runtime/context.py");

/// `graft_context.bind`, once the module is registered.
static BIND: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
/// `types.MappingProxyType`.
static READ_ONLY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The metadata and deadline of the plain call (or generator step) this
/// thread runs now, while it runs.
struct Served {
    metadata: Arc<[(String, String)]>,
    deadline: Option<f64>,
}

thread_local! {
    static SERVED: RefCell<Option<Served>> = const { RefCell::new(None) };
}

/// Registers the module `graft_context` in `sys.modules`.
pub(crate) fn install(py: Python<'_>) -> Result<(), HostError> {
    let python = |e: PyErr| HostError::Python(e.to_string());
    let code = CString::new(SOURCE).map_err(|e| HostError::Python(e.to_string()))?;
    let module = PyModule::from_code(py, &code, c"graft/graft_context.py", c"graft_context")
        .map_err(python)?;
    let bind = module.getattr("bind").map_err(python)?.unbind();
    let read_only = py
        .import("types")
        .and_then(|t| t.getattr("MappingProxyType"));
    let _ = BIND.set(py, bind);
    let _ = READ_ONLY.set(py, read_only.map_err(python)?.unbind());
    let headers = wrap_pyfunction!(served_headers, &module).map_err(python)?;
    let deadline = wrap_pyfunction!(served_deadline, &module).map_err(python)?;
    module.setattr("_served_headers", headers).map_err(python)?;
    module
        .setattr("_served_deadline", deadline)
        .map_err(python)?;
    Ok(())
}

/// The metadata of the call this thread serves, as a read-only mapping;
/// `None` outside one.
#[pyfunction]
fn served_headers(py: Python<'_>) -> PyResult<Option<Bound<'_, PyAny>>> {
    let metadata = SERVED.with_borrow(|served| served.as_ref().map(|s| Arc::clone(&s.metadata)));
    let (Some(metadata), Some(read_only)) = (metadata, READ_ONLY.get(py)) else {
        return Ok(None);
    };
    read_only
        .bind(py)
        .call1((as_dict(py, &metadata)?,))
        .map(Some)
}

/// When the call this thread serves must end, on `time.monotonic()`'s
/// clock; `None` without a limit or outside a call.
#[pyfunction]
fn served_deadline() -> Option<f64> {
    SERVED.with_borrow(|served| served.as_ref().and_then(|s| s.deadline))
}

/// `callable`, which runs with `metadata` as its incoming metadata and
/// `deadline` as its deadline; itself when there is neither.
pub(crate) fn bound<'py>(
    py: Python<'py>,
    callable: Bound<'py, PyAny>,
    metadata: &Arc<[(String, String)]>,
    deadline: Option<f64>,
) -> PyResult<Bound<'py, PyAny>> {
    match BIND.get(py) {
        Some(bind) if !metadata.is_empty() || deadline.is_some() => {
            bind.bind(py).call1((callable, metadata.to_vec(), deadline))
        }
        _ => Ok(callable),
    }
}

/// Calls the plain (not async, not generator) `callable` with `metadata`
/// as its incoming metadata and `deadline` as its deadline.
pub(crate) fn call<'py>(
    py: Python<'py>,
    callable: &Bound<'py, PyAny>,
    metadata: &Arc<[(String, String)]>,
    deadline: Option<f64>,
    positional: &Bound<'py, PyTuple>,
    keyword: &Bound<'py, PyDict>,
) -> PyResult<Bound<'py, PyAny>> {
    within(py, metadata, deadline, || {
        callable.call(positional, Some(keyword))
    })
}

/// Runs `step` (Python code: a call, a generator's next item) with
/// `metadata` as the incoming metadata and `deadline` as the deadline, noted
/// on this thread while it runs (the thread's note before is put back after).
pub(crate) fn within<'py, T>(
    _py: Python<'py>,
    metadata: &Arc<[(String, String)]>,
    deadline: Option<f64>,
    step: impl FnOnce() -> PyResult<T>,
) -> PyResult<T> {
    if metadata.is_empty() && deadline.is_none() {
        return step();
    }
    let served = Served {
        metadata: Arc::clone(metadata),
        deadline,
    };
    let before = SERVED.replace(Some(served));
    // Put back even if `step` panics, so no later call reads this one's note.
    let _restore = Restore(before);
    step()
}

/// Puts the thread's note before a call back when dropped.
struct Restore(Option<Served>);

impl Drop for Restore {
    fn drop(&mut self) {
        SERVED.set(self.0.take());
    }
}

/// Seconds on the clock of Python's `time.monotonic()` (CLOCK_MONOTONIC),
/// which a deadline is given on; `None` where gg does not read that clock.
pub(crate) fn monotonic() -> Option<f64> {
    #[cfg(target_os = "linux")]
    {
        let mut now = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `now` is a valid timespec to write to.
        let read = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) };
        (read == 0).then_some(now.tv_sec as f64 + now.tv_nsec as f64 * 1e-9)
    }
    #[cfg(not(target_os = "linux"))]
    None
}

/// `graft_context.as_mapping`'s dict: lower-case names, a name given twice
/// holding both values joined by ", ".
fn as_dict<'py>(py: Python<'py>, metadata: &[(String, String)]) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (name, value) in metadata {
        let name = name.to_lowercase();
        match dict.get_item(&name)? {
            Some(before) => dict.set_item(&name, format!("{before}, {value}"))?,
            None => dict.set_item(&name, value)?,
        }
    }
    Ok(dict)
}
