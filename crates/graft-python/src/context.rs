//! The incoming metadata as hosted code reads it: `import graft_context;
//! graft_context.headers()`. gg registers the module (the same file every
//! graft vendors as `_runtime/context.py`) before it imports the hosted
//! modules, and a call with metadata calls its method through
//! `graft_context.bind`, which sets it for the call (and, for a coroutine
//! or a generator, for each of its steps).

use std::ffi::CString;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::HostError;

const SOURCE: &str = include_str!("../../../python/graft_runtime/context.py");

/// `graft_context.bind`, once the module is registered.
static BIND: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Registers the module `graft_context` in `sys.modules`.
pub(crate) fn install(py: Python<'_>) -> Result<(), HostError> {
    let python = |e: PyErr| HostError::Python(e.to_string());
    let code = CString::new(SOURCE).map_err(|e| HostError::Python(e.to_string()))?;
    let module = PyModule::from_code(py, &code, c"graft/graft_context.py", c"graft_context")
        .map_err(python)?;
    let bind = module.getattr("bind").map_err(python)?.unbind();
    let _ = BIND.set(py, bind);
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
