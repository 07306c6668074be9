//! `decimal.Decimal`, `uuid.UUID`, `datetime.timedelta` and `datetime.time`
//! to and from their [`Value`]s, for `convert.rs`.

use graft_model::Value;
use graft_model::scalars::TimeDelta;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyType};

/// The four classes, looked up once.
pub(crate) struct Scalars {
    decimal: Py<PyType>,
    uuid: Py<PyType>,
    timedelta: Py<PyType>,
    time: Py<PyType>,
}

fn class(py: Python<'_>, module: &str, name: &str) -> PyResult<Py<PyType>> {
    Ok(py
        .import(module)?
        .getattr(name)?
        .cast_into::<PyType>()?
        .unbind())
}

impl Scalars {
    pub(crate) fn new(py: Python<'_>) -> PyResult<Self> {
        Ok(Scalars {
            decimal: class(py, "decimal", "Decimal")?,
            uuid: class(py, "uuid", "UUID")?,
            timedelta: class(py, "datetime", "timedelta")?,
            time: class(py, "datetime", "time")?,
        })
    }

    /// The Python object of one of these scalars' values (`None` for any other value).
    pub(crate) fn build<'py>(
        &self,
        py: Python<'py>,
        value: &Value,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        Ok(Some(match value {
            Value::Decimal(text) => self.decimal.bind(py).call1((text,))?,
            Value::Uuid(bytes) => {
                let kwargs = PyDict::new(py);
                kwargs.set_item("bytes", PyBytes::new(py, bytes))?;
                self.uuid.bind(py).call((), Some(&kwargs))?
            }
            Value::TimeDelta(t) => {
                let fields = (t.days, t.seconds, t.microseconds);
                self.timedelta.bind(py).call1(fields)?
            }
            Value::Time(text) => self.time.bind(py).call_method1("fromisoformat", (text,))?,
            _ => return Ok(None),
        }))
    }

    /// The [`Value`] of `obj` if it is an instance of one of the four (or a subclass).
    pub(crate) fn read(&self, obj: &Bound<'_, PyAny>) -> PyResult<Option<Value>> {
        let py = obj.py();
        if obj.is_instance(self.decimal.bind(py))? {
            return Ok(Some(Value::Decimal(obj.str()?.to_str()?.to_owned())));
        }
        if obj.is_instance(self.uuid.bind(py))? {
            let bytes = obj.getattr("bytes")?.cast_into::<PyBytes>()?;
            let bytes: [u8; 16] = bytes.as_bytes().try_into().map_err(|_| {
                pyo3::exceptions::PyValueError::new_err("a UUID's bytes are not 16 long")
            })?;
            return Ok(Some(Value::Uuid(bytes)));
        }
        if obj.is_instance(self.timedelta.bind(py))? {
            return Ok(Some(Value::TimeDelta(TimeDelta {
                days: obj.getattr("days")?.extract()?,
                seconds: obj.getattr("seconds")?.extract()?,
                microseconds: obj.getattr("microseconds")?.extract()?,
            })));
        }
        if obj.is_instance(self.time.bind(py))? {
            return Ok(Some(Value::Time(obj.call_method0("isoformat")?.extract()?)));
        }
        Ok(None)
    }
}
