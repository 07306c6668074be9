//! Errors of the Python host.

use graft_model::{Raised, Value};
use pyo3::exceptions::PyBaseException;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyType};

use crate::Host;

/// Why the host could not start.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    #[error("failed to import {file}:\n{error}")]
    Import { file: String, error: String },
    #[error("{0}")]
    Discovery(String),
    /// An option that names what the modules do not hold (`--types`,
    /// `--methods`): a usage error, found once they are discovered.
    #[error("{0}")]
    Usage(String),
    #[error("the Python interpreter failed: {0}")]
    Python(String),
}

/// Why one call did not return a value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CallError {
    #[error("no service named `{0}`")]
    NoService(String),
    #[error("service `{service}` has no method `{method}`")]
    NoMethod { service: String, method: String },
    /// The method is listed but cannot be called: a type in its signature
    /// has no Graft form ([`graft_model::Method::unavailable`]).
    #[error("`{service}.{method}` is unavailable: {reason}")]
    Unavailable {
        service: String,
        method: String,
        reason: String,
    },
    /// A remote object that is not (or no longer) on this gateway.
    #[error("{service} object {id} was released or never existed")]
    NoObject { service: String, id: String },
    /// A method of an object, called without one.
    #[error(
        "`{service}.{method}` is a method of a {service} object: make one first \
         (POST /objects/{service}), then call it there"
    )]
    NeedsObject { service: String, method: String },
    /// Not served as the caller knows it: the gateway refused the call for
    /// the caller's graft version (the message says why); a NotFound.
    #[error("{0}")]
    Refused(String),
    /// The caller holds as many remote objects as it may (`--maxObjects`).
    #[error("{0}")]
    TooManyObjects(String),
    /// The method raised (or its arguments or result could not be converted).
    #[error("{}: {}", .0.type_name, .0.message)]
    Raised(Box<Raised>),
    /// The arguments do not fit the method; the text says which and why.
    #[error("{0}")]
    BadArguments(String),
    /// The caller's deadline passed: for the whole call, or for a stream's next item.
    #[error("{0}")]
    DeadlineExceeded(String),
    /// The host runs as many calls as it may (in all, or on this method's
    /// threads) and refused this one at once, before it ran.
    #[error("{0}")]
    Overloaded(String),
    #[error("the call was lost inside the gateway: {0}")]
    Internal(String),
}

impl Host {
    /// Describes a Python exception for the caller.
    pub(crate) fn raised(&self, py: Python<'_>, err: &PyErr) -> Raised {
        let exc = err.value(py);
        let class = exc.get_type();
        let text = |r: PyResult<Bound<'_, PyAny>>| r.map(|v| v.to_string()).unwrap_or_default();
        let args = self.args_of(exc);
        let fields = self.fields_of(exc);
        let traceback = self.traceback_of(py, &class, err);
        Raised {
            type_name: text(class.getattr("__name__")),
            module: text(class.getattr("__module__")),
            message: exc.str().map(|s| s.to_string()).unwrap_or_default(),
            args,
            fields,
            traceback,
        }
    }

    /// The exception's `args` as values, for a client to rebuild it with;
    /// none when one of them has no value form.
    fn args_of(&self, exc: &Bound<'_, PyBaseException>) -> Vec<Value> {
        exc.getattr("args")
            .and_then(|a| {
                a.try_iter()?
                    .map(|v| self.converter.read_value(&v?))
                    .collect::<PyResult<Vec<_>>>()
            })
            .unwrap_or_default()
    }

    /// The exception's public attributes (a custom one's `__init__`
    /// parameters) that have a value form; the others are left out, so
    /// one odd attribute does not cost the caller the rest.
    fn fields_of(&self, exc: &Bound<'_, PyBaseException>) -> Vec<(String, Value)> {
        exc.getattr("__dict__")
            .ok()
            .and_then(|d| d.cast_into::<PyDict>().ok())
            .map(|d| {
                d.iter()
                    .filter_map(|(k, v)| {
                        let name = k.extract::<String>().ok().filter(|n| !n.starts_with('_'))?;
                        Some((name, self.converter.read_value(&v).ok()?))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The traceback as Python prints it, for the people who read the
    /// caller's logs; empty if it cannot be formatted.
    fn traceback_of(&self, py: Python<'_>, class: &Bound<'_, PyType>, err: &PyErr) -> String {
        self.format_exception
            .bind(py)
            .call1((class, err.value(py), err.traceback(py)))
            .and_then(|lines| lines.extract::<Vec<String>>())
            .map(|lines| lines.concat())
            .unwrap_or_default()
    }
}
