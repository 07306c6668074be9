//! The incoming metadata as hosted code reads it: `import graft_context;
//! graft_context.headers()`. gg registers the module (the same file every
//! graft vendors as `_runtime/context.py`) before it imports the hosted
//! modules. A plain method's call sets the context variable around the
//! call itself ([`call`]: no Python frame in between); a coroutine or a
//! generator is called through `graft_context.bind`, which sets it for each
//! of its steps.

use std::ffi::CString;

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use pyo3::sync::PyOnceLock;

use crate::HostError;

const SOURCE: &str = include_str!("../../../python/graft_runtime/context.py");

/// `graft_context.bind`, once the module is registered.
static BIND: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
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
    let read_only = py.import("types").and_then(|t| t.getattr("MappingProxyType"));
    let _ = BIND.set(py, bind);
    let _ = INCOMING.set(py, incoming);
    let _ = READ_ONLY.set(py, read_only.map_err(python)?.unbind());
    Ok(())
}

/// `callable`, which runs with `metadata` as its incoming metadata; itself
/// when there is none.
pub(crate) fn bound<'py>(
    py: Python<'py>,
    callable: Bound<'py, PyAny>,
    metadata: &[(String, String)],
) -> PyResult<Bound<'py, PyAny>> {
    match BIND.get(py) {
        Some(bind) if !metadata.is_empty() => bind.bind(py).call1((callable, metadata.to_vec())),
        _ => Ok(callable),
    }
}

/// Calls the plain (not async, not generator) `callable` with `metadata`
/// as its incoming metadata: the context variable is set around the call.
pub(crate) fn call<'py>(
    py: Python<'py>,
    callable: &Bound<'py, PyAny>,
    metadata: &[(String, String)],
    positional: &Bound<'py, PyTuple>,
    keyword: &Bound<'py, PyDict>,
) -> PyResult<Bound<'py, PyAny>> {
    let (Some(var), Some(read_only)) = (INCOMING.get(py), READ_ONLY.get(py)) else {
        return callable.call(positional, Some(keyword));
    };
    if metadata.is_empty() {
        return callable.call(positional, Some(keyword));
    }
    let mapping = read_only.bind(py).call1((as_dict(py, metadata)?,))?;
    let var = var.bind(py);
    // SAFETY: `var` is a ContextVar and `mapping` a live object; the token
    // the C API returns is owned by us and handed back to reset it.
    let token = unsafe {
        Bound::from_owned_ptr_or_err(py, ffi::PyContextVar_Set(var.as_ptr(), mapping.as_ptr()))?
    };
    let result = callable.call(positional, Some(keyword));
    // SAFETY: as above; the token came from this variable in this context.
    if unsafe { ffi::PyContextVar_Reset(var.as_ptr(), token.as_ptr()) } != 0 {
        return Err(PyErr::fetch(py));
    }
    result
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
