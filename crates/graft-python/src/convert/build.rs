//! Building Python objects from [`Value`]s (`Converter::to_python`): the
//! named types rebuilt from the classes discovery found, a table's rows
//! with one call of their class each.

use graft_model::{Column, Name, Table, Value, same_name};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyList, PySet, PyString, PyTuple};

use super::Converter;
use crate::records::Model;

/// The class and the Python field names of the objects last built, so the
/// items of a list of one dataclass look them up once, not per item.
#[derive(Default)]
struct Built<'py> {
    last: Option<Class<'py>>,
    /// Inside a pydantic model's fields: models are built as dicts, for
    /// the outer model to validate (see `records.rs`).
    in_model: bool,
}

/// A type name, its class, the field names (Rust and Python) last used with
/// it, and whether they are its `__init__`'s parameters in order.
struct Class<'py> {
    name: Name,
    class: Bound<'py, PyAny>,
    keys: Vec<(Name, Bound<'py, PyString>)>,
    positional: bool,
}

impl<'py> Class<'py> {
    /// An instance from its fields' values, in the order of `keys`, taken
    /// out of `cells` (left empty, so a table's rows reuse one buffer).
    fn instantiate(
        &self,
        py: Python<'py>,
        cells: &mut Vec<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        if self.positional {
            return self.class.call1(PyTuple::new(py, cells.drain(..))?);
        }
        let kwargs = PyDict::new(py);
        for ((_, key), cell) in self.keys.iter().zip(cells.drain(..)) {
            kwargs.set_item(key, cell)?;
        }
        self.class.call((), Some(&kwargs))
    }
}

impl Converter {
    /// Builds the Python object for `value`.
    pub(crate) fn to_python<'py>(
        &self,
        py: Python<'py>,
        value: &Value,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.build(py, value, &mut Built::default())
    }

    fn build<'py>(
        &self,
        py: Python<'py>,
        value: &Value,
        built: &mut Built<'py>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Ok(match value {
            Value::None => py.None().into_bound(py),
            Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
            Value::Int(i) => i.into_pyobject(py)?.into_any(),
            Value::Float(f) => PyFloat::new(py, *f).into_any(),
            Value::Str(s) => PyString::new(py, s).into_any(),
            Value::Bytes(b) => PyBytes::new(py, b).into_any(),
            Value::List(items) => PyList::new(py, self.all(py, items, built)?)?.into_any(),
            Value::Table(table) => self.table(py, table, built)?,
            Value::Tuple(items) => PyTuple::new(py, self.all(py, items, built)?)?.into_any(),
            Value::Set(items) => PySet::new(py, self.all(py, items, built)?)?.into_any(),
            Value::Dict(pairs) => {
                let dict = PyDict::new(py);
                for (k, v) in pairs {
                    dict.set_item(self.build(py, k, built)?, self.build(py, v, built)?)?;
                }
                dict.into_any()
            }
            Value::Object { type_name, fields } => self.object(py, type_name, fields, built)?,
            Value::Enum { type_name, value } => self
                .class(py, type_name)?
                .call1((self.build(py, value, built)?,))?,
            Value::DateTime(s) => self.datetime.bind(py).call_method1("fromisoformat", (s,))?,
            Value::Date(s) => self.date.bind(py).call_method1("fromisoformat", (s,))?,
            Value::Decimal(_) | Value::Uuid(_) | Value::TimeDelta(_) | Value::Time(_) => {
                let built = self.scalars.build(py, value)?;
                built.unwrap_or_else(|| py.None().into_bound(py))
            }
            Value::ObjectRef { service, id } => self.objects.resolve(py, service, id)?,
        })
    }

    fn all<'py>(
        &self,
        py: Python<'py>,
        items: &[Value],
        built: &mut Built<'py>,
    ) -> PyResult<Vec<Bound<'py, PyAny>>> {
        items.iter().map(|v| self.build(py, v, built)).collect()
    }

    /// A dataclass instance, made by calling its class with the fields as
    /// keywords (so its `__init__` and `__post_init__` run as for any caller).
    fn object<'py>(
        &self,
        py: Python<'py>,
        type_name: &Name,
        fields: &[(Name, Value)],
        built: &mut Built<'py>,
    ) -> PyResult<Bound<'py, PyAny>> {
        if let Some(model) = self.models.get(&**type_name) {
            return self.model(py, model, fields, built);
        }
        let class = self.class_for(py, type_name, fields.iter().map(|(name, _)| name), built)?;
        let mut cells = fields
            .iter()
            .map(|(_, v)| self.build(py, v, built))
            .collect::<PyResult<Vec<_>>>()?;
        let object = class.instantiate(py, &mut cells);
        built.last = Some(class);
        object
    }

    /// A pydantic model's fields as the dict it validates (keyed by alias);
    /// validated here unless this model is inside another.
    fn model<'py>(
        &self,
        py: Python<'py>,
        model: &Model,
        fields: &[(Name, Value)],
        built: &mut Built<'py>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let outer = std::mem::replace(&mut built.in_model, true);
        let dict = PyDict::new(py);
        for (name, value) in fields {
            dict.set_item(model.key(py, name), self.build(py, value, built)?)?;
        }
        built.in_model = outer;
        if outer {
            return Ok(dict.into_any());
        }
        model.validate(dict)
    }

    /// A table's objects, built as [`Converter::object`] builds each, from
    /// its columns.
    fn table<'py>(
        &self,
        py: Python<'py>,
        table: &Table,
        built: &mut Built<'py>,
    ) -> PyResult<Bound<'py, PyAny>> {
        if self.models.contains_key(&*table.type_name) {
            return PyList::new(py, self.all(py, &table.to_objects(), built)?)
                .map(|l| l.into_any());
        }
        let class = self.class_for(py, &table.type_name, table.names.iter(), built)?;
        let mut objects = Vec::with_capacity(table.rows());
        let mut cells = Vec::with_capacity(table.columns.len());
        for i in 0..table.rows() {
            for column in &table.columns {
                cells.push(self.cell(py, column, i, built)?);
            }
            objects.push(class.instantiate(py, &mut cells)?);
        }
        built.last = Some(class);
        Ok(PyList::new(py, objects)?.into_any())
    }

    fn cell<'py>(
        &self,
        py: Python<'py>,
        column: &Column,
        i: usize,
        built: &mut Built<'py>,
    ) -> PyResult<Bound<'py, PyAny>> {
        Ok(match column {
            Column::Bool(v) => PyBool::new(py, v[i]).to_owned().into_any(),
            Column::Int(v) => v[i].into_pyobject(py)?.into_any(),
            Column::Float(v) => PyFloat::new(py, v[i]).into_any(),
            Column::Str { text, ends } => {
                PyString::new(py, Column::str_at(text, ends, i)).into_any()
            }
            Column::Values(v) => self.build(py, &v[i], built)?,
        })
    }

    /// The class named `type_name` and how to call it with fields `names`:
    /// the one last used when the names are the same (the objects of a list).
    fn class_for<'py, 'n>(
        &self,
        py: Python<'py>,
        type_name: &Name,
        names: impl ExactSizeIterator<Item = &'n Name> + Clone,
        built: &mut Built<'py>,
    ) -> PyResult<Class<'py>> {
        let same = |class: &Class<'py>| {
            same_name(&class.name, type_name)
                && class.keys.len() == names.len()
                && class
                    .keys
                    .iter()
                    .zip(names.clone())
                    .all(|((a, _), b)| same_name(a, b))
        };
        if let Some(last) = built.last.take().filter(same) {
            return Ok(last);
        }
        let keys = names
            .clone()
            .map(|name| (name.clone(), PyString::intern(py, name)))
            .collect();
        let positional = self.init_params.get(&**type_name).is_some_and(|params| {
            params.len() == names.len() && params.iter().zip(names).all(|(p, f)| **p == **f)
        });
        Ok(Class {
            name: type_name.clone(),
            class: self.class(py, type_name)?,
            keys,
            positional,
        })
    }
}
