//! The incoming metadata as hosted code reads it: `import graft_context;
//! graft_context.headers()`. gg registers the module (the same file every
//! graft vendors as `_runtime/context.py`) before it imports the hosted
//! modules. A plain method's call sets the context variables around the
//! call itself ([`call`]: no Python frame in between), a plain generator's
//! around each of its steps ([`within`], with that item's deadline); a
//! coroutine is called through `graft_context.bind`, which sets them for
//! each of its steps, and an async generator's pump sets them so
//! (`streams.py`).

use std::ffi::CString;

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyFloat, PyTuple};

use crate::HostError;

const SOURCE: &str = include_str!("../../../python/graft_runtime/context.py");

/// `graft_context.bind`, once the module is registered.
static BIND: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
/// `graft_context._deadline`, the context variable `deadline()` reads.
static DEADLINE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
/// `graft_context._incoming`, the context variable `headers()` reads.
static INCOMING: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
/// `types.MappingProxyType`.
static READ_ONLY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Registers the module `graft_context` in `sys.modules`.
pub(crate) fn install(py: Python<'_>) -> Result<(), HostError> {
    let python = |e: PyErr| HostError::Python(e.to_string());
    let code = CString::new(SOURCE).map_err(|e| HostError::Python(e.to_string()))?;
    let module = PyModule::from_code(py, &code, c"graft/graft_context.py", c"graft_context")
        .map_err(python)?;
    let bind = module.getattr("bind").map_err(python)?.unbind();
    let incoming = module.getattr("_incoming").map_err(python)?.unbind();
    let deadline = module.getattr("_deadline").map_err(python)?.unbind();
    let read_only = py
        .import("types")
        .and_then(|t| t.getattr("MappingProxyType"));
    let _ = BIND.set(py, bind);
    let _ = INCOMING.set(py, incoming);
    let _ = DEADLINE.set(py, deadline);
    let _ = READ_ONLY.set(py, read_only.map_err(python)?.unbind());
    Ok(())
}

/// `callable`, which runs with `metadata` as its incoming metadata and
/// `deadline` as its deadline; itself when there is neither.
pub(crate) fn bound<'py>(
    py: Python<'py>,
    callable: Bound<'py, PyAny>,
    metadata: &[(String, String)],
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
/// as its incoming metadata and `deadline` as its deadline: the context
/// variables are set around the call.
pub(crate) fn call<'py>(
    py: Python<'py>,
    callable: &Bound<'py, PyAny>,
    metadata: &[(String, String)],
    deadline: Option<f64>,
    positional: &Bound<'py, PyTuple>,
    keyword: &Bound<'py, PyDict>,
) -> PyResult<Bound<'py, PyAny>> {
    within(py, metadata, deadline, || {
        callable.call(positional, Some(keyword))
    })
}

/// Runs `step` (Python code: a call, a generator's next item) with
/// `metadata` as the incoming metadata and `deadline` as the deadline.
pub(crate) fn within<'py, T>(
    py: Python<'py>,
    metadata: &[(String, String)],
    deadline: Option<f64>,
    step: impl FnOnce() -> PyResult<T>,
) -> PyResult<T> {
    let incoming = match (INCOMING.get(py), READ_ONLY.get(py)) {
        (Some(var), Some(read_only)) if !metadata.is_empty() => {
            let mapping = read_only.bind(py).call1((as_dict(py, metadata)?,))?;
            Some(Set::new(var.bind(py), &mapping)?)
        }
        _ => None,
    };
    let until = match (DEADLINE.get(py), deadline) {
        (Some(var), Some(at)) => Some(Set::new(var.bind(py), PyFloat::new(py, at).as_any())?),
        _ => None,
    };
    let result = step();
    [until, incoming]
        .into_iter()
        .flatten()
        .try_for_each(|set| set.reset(py))?;
    result
}

/// A context variable set to a value, until [`Set::reset`].
struct Set<'py> {
    var: Bound<'py, PyAny>,
    token: Bound<'py, PyAny>,
}

impl<'py> Set<'py> {
    fn new(var: &Bound<'py, PyAny>, value: &Bound<'py, PyAny>) -> PyResult<Set<'py>> {
        // SAFETY: `var` is a ContextVar and `value` a live object; the token
        // the C API returns is owned by us and handed back to reset it.
        let token = unsafe {
            Bound::from_owned_ptr_or_err(
                var.py(),
                ffi::PyContextVar_Set(var.as_ptr(), value.as_ptr()),
            )?
        };
        Ok(Set {
            var: var.clone(),
            token,
        })
    }

    fn reset(self, py: Python<'py>) -> PyResult<()> {
        // SAFETY: as above; the token came from this variable in this context.
        match unsafe { ffi::PyContextVar_Reset(self.var.as_ptr(), self.token.as_ptr()) } {
            0 => Ok(()),
            _ => Err(PyErr::fetch(py)),
        }
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
