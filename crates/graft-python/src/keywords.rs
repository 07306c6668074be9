//! Keyword arguments' names as Python strings, made and interned once at
//! start-up. CPython matches a keyword to its parameter by identity before
//! comparing text, so a call made with these names binds without string
//! comparisons, and builds no name.

use std::collections::HashMap;

use graft_model::Interface;
use pyo3::prelude::*;
use pyo3::types::PyString;
use rustc_hash::FxBuildHasher;

/// Every parameter name of the hosted methods and constructors.
pub(crate) struct Keywords(HashMap<String, Py<PyString>, FxBuildHasher>);

impl Keywords {
    pub(crate) fn of(py: Python<'_>, interface: &Interface) -> Keywords {
        let mut names = HashMap::default();
        for service in &interface.services {
            let methods = service.methods.iter().map(|m| &m.params);
            for param in methods.chain(&service.constructor).flatten() {
                let name = &param.name;
                names
                    .entry(name.clone())
                    .or_insert_with(|| PyString::intern(py, name).unbind());
            }
        }
        Keywords(names)
    }

    /// `name` as a Python string: the interned one for a parameter's name.
    pub(crate) fn get<'py>(&self, py: Python<'py>, name: &str) -> Bound<'py, PyString> {
        match self.0.get(name) {
            Some(known) => known.bind(py).clone(),
            None => PyString::new(py, name),
        }
    }
}
