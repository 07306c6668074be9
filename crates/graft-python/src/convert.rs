//! Conversion between [`Value`](graft_model::Value) and Python objects.
//!
//! Values going in are already checked against the interface, so
//! [`Converter::to_python`] trusts their shape; the named types (dataclasses,
//! enums) are rebuilt from the classes discovery found. Values coming out are
//! read by their Python type alone ([`Converter::read_value`]): a method
//! annotated `-> Any` may return anything that has a `Value` form.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyType};

use crate::objects::Objects;
use crate::records::Model;
use crate::scalars::Scalars;

mod build;
mod read;
mod shapes;

pub(crate) use read::naming_result;
use shapes::Shape;

/// How deeply values may nest before conversion gives up (cyclic data, say).
const MAX_DEPTH: usize = 200;

/// The items of each part a long returned list is sent in, ahead of the
/// rest (`Converter::read_result`): small enough that the caller starts
/// decoding soon, big enough that a part's fixed costs stay small.
pub(crate) const PART_ITEMS: usize = 2500;

/// The Python objects conversion needs, looked up once.
pub(crate) struct Converter {
    /// Type name -> class, for dataclasses, enums and exceptions.
    pub(crate) classes: Py<PyDict>,
    datetime: Py<PyType>,
    date: Py<PyType>,
    enum_base: Py<PyType>,
    dataclass_fields: Py<PyAny>,
    /// Decimal, UUID, timedelta and time.
    scalars: Scalars,
    /// The remote objects: a reference becomes its object going in, and an
    /// instance of a class with a constructor a new reference coming out.
    objects: Arc<Objects>,
    /// Each dataclass's name and field names, read once per class (keyed by
    /// the class object's address; the `Shape` holds the class, so the
    /// address stays its own).
    shapes: Mutex<HashMap<usize, Arc<Shape>>>,
    /// For each dataclass by name, its `__init__`'s parameter names when
    /// every one may be passed by position: objects whose fields come in
    /// that order are built with a positional call, which binds the same
    /// way as keywords but skips building a dict per object.
    init_params: HashMap<String, Vec<String>>,
    /// The hosted pydantic models, by type name.
    models: HashMap<String, Model>,
}

/// See [`Converter::init_params`].
fn init_params(
    py: Python<'_>,
    classes: &Bound<'_, PyDict>,
) -> PyResult<HashMap<String, Vec<String>>> {
    let signature = py.import("inspect")?.getattr("signature")?;
    let positional = py
        .import("inspect")?
        .getattr("Parameter")?
        .getattr("POSITIONAL_OR_KEYWORD")?;
    let mut out = HashMap::new();
    for (name, class) in classes.iter() {
        if !class.hasattr("__dataclass_fields__")? {
            continue;
        }
        let Ok(sig) = signature.call1((&class,)) else {
            continue;
        };
        let mut names = Vec::new();
        for param in sig
            .getattr("parameters")?
            .call_method0("values")?
            .try_iter()?
        {
            let param = param?;
            if !param.getattr("kind")?.eq(&positional)? {
                names.clear();
                break;
            }
            names.push(param.getattr("name")?.extract::<String>()?);
        }
        if !names.is_empty() {
            out.insert(name.extract::<String>()?, names);
        }
    }
    Ok(out)
}

impl Converter {
    pub(crate) fn new(
        py: Python<'_>,
        classes: Bound<'_, PyDict>,
        objects: Arc<Objects>,
    ) -> PyResult<Self> {
        let datetime = py.import("datetime")?;
        let init_params = init_params(py, &classes)?;
        let models = crate::records::models(&classes)?;
        Ok(Converter {
            classes: classes.unbind(),
            datetime: datetime
                .getattr("datetime")?
                .cast_into::<PyType>()?
                .unbind(),
            date: datetime.getattr("date")?.cast_into::<PyType>()?.unbind(),
            enum_base: py
                .import("enum")?
                .getattr("Enum")?
                .cast_into::<PyType>()?
                .unbind(),
            dataclass_fields: py.import("dataclasses")?.getattr("fields")?.unbind(),
            scalars: Scalars::new(py)?,
            shapes: Mutex::default(),
            objects,
            init_params,
            models,
        })
    }

    fn class<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        self.classes.bind(py).get_item(name)?.ok_or_else(|| {
            pyo3::exceptions::PyTypeError::new_err(format!("no hosted type is named {name:?}"))
        })
    }
}
