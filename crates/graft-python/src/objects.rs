//! Remote objects: instances of hosted service classes that live in the
//! gateway between calls, by id.

use pyo3::prelude::*;

/// The Python object an object reference names.
pub(crate) fn resolve<'py>(
    py: Python<'py>,
    service: &str,
    id: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let _ = py;
    Err(pyo3::exceptions::PyLookupError::new_err(format!(
        "{service} object {id} is not on this gateway"
    )))
}
