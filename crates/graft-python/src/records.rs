//! The hosted types that travel as objects but are not dataclasses:
//! pydantic models (validated by the model itself) and NamedTuples.
//!
//! A model argument is built as one dict, keyed by each field's alias
//! (what `model_validate` takes), with any models inside it as dicts too,
//! and validated once at its top: a `ValidationError` then names the
//! field's whole path (`customer.name`), as pydantic reports it.

use std::collections::HashMap;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};

/// One hosted pydantic model.
pub(crate) struct Model {
    /// `Model.model_validate`.
    validate: Py<PyAny>,
    /// Field name -> the key `model_validate` reads it from (its alias, or its name).
    keys: HashMap<String, Py<PyString>>,
}

impl Model {
    /// The key of field `name` in the dict the model validates.
    pub(crate) fn key<'py>(&self, py: Python<'py>, name: &str) -> Bound<'py, PyString> {
        match self.keys.get(name) {
            Some(key) => key.bind(py).clone(),
            None => PyString::new(py, name),
        }
    }

    /// The model from `dict`; a `ValidationError` becomes an
    /// [`InvalidArgument`] with its text.
    pub(crate) fn validate<'py>(&self, dict: Bound<'py, PyDict>) -> PyResult<Bound<'py, PyAny>> {
        let py = dict.py();
        self.validate.bind(py).call1((dict,)).map_err(|err| {
            let class = err.get_type(py);
            let module = class.module().map(|m| m.to_string()).unwrap_or_default();
            let is_validation = class.name().is_ok_and(|n| n == "ValidationError");
            if !(is_validation && module.starts_with("pydantic")) {
                return err;
            }
            InvalidArgument::new_err(err.value(py).to_string())
        })
    }
}

pyo3::create_exception!(
    graft,
    InvalidArgument,
    pyo3::exceptions::PyTypeError,
    "An argument its pydantic model refused: the call's arguments are bad."
);

/// The message of an argument a model refused (`err` is an [`InvalidArgument`]),
/// for a bad-arguments answer: pydantic's text, naming each field.
pub(crate) fn invalid_argument(py: Python<'_>, err: &PyErr) -> Option<String> {
    err.is_instance_of::<InvalidArgument>(py)
        .then(|| err.value(py).to_string())
}

/// The hosted pydantic models by type name, among discovery's classes.
pub(crate) fn models(classes: &Bound<'_, PyDict>) -> PyResult<HashMap<String, Model>> {
    let mut out = HashMap::new();
    for (name, class) in classes.iter() {
        let Ok(class) = class.cast_into::<pyo3::types::PyType>() else {
            continue;
        };
        if !is_model(&class)? {
            continue;
        }
        let mut keys = HashMap::new();
        for (field, info) in class.getattr("model_fields")?.cast_into::<PyDict>()?.iter() {
            let alias = info.getattr("alias")?;
            let key = if alias.is_none() {
                field.clone()
            } else {
                alias
            };
            keys.insert(
                field.extract::<String>()?,
                key.cast_into::<PyString>()?.unbind(),
            );
        }
        let validate = class.getattr("model_validate")?.unbind();
        out.insert(name.extract::<String>()?, Model { validate, keys });
    }
    Ok(out)
}

/// Whether `class` is a pydantic model (`BaseModel` subclass).
pub(crate) fn is_model(class: &Bound<'_, pyo3::types::PyType>) -> PyResult<bool> {
    Ok(class.hasattr("__pydantic_fields__")? && class.hasattr("model_validate")?)
}

/// Whether `class` is a `NamedTuple` (a tuple subclass with `_fields`).
pub(crate) fn is_named_tuple(class: &Bound<'_, pyo3::types::PyType>) -> PyResult<bool> {
    Ok(class.is_subclass_of::<PyTuple>()?
        && class
            .getattr("_fields")
            .is_ok_and(|f| f.is_instance_of::<PyTuple>()))
}

/// The field names of a pydantic model or a NamedTuple instance, in order;
/// `None` for other objects.
pub(crate) fn field_names<'py>(
    obj: &Bound<'py, PyAny>,
) -> PyResult<Option<Vec<Bound<'py, PyString>>>> {
    let class = obj.get_type();
    let names = if is_model(&class)? {
        class
            .getattr("model_fields")?
            .try_iter()?
            .collect::<PyResult<Vec<_>>>()?
    } else if is_named_tuple(&class)? {
        class
            .getattr("_fields")?
            .try_iter()?
            .collect::<PyResult<Vec<_>>>()?
    } else {
        return Ok(None);
    };
    names
        .into_iter()
        .map(|n| n.cast_into::<PyString>().map_err(PyErr::from))
        .collect::<PyResult<_>>()
        .map(Some)
}
