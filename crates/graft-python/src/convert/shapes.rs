//! Reading records: dataclasses, pydantic models and hosted NamedTuples
//! as objects of their fields, each class's field names read once
//! ([`Shape`]), and a list of one such class as a [`Table`] of columns.

use std::sync::Arc;

use graft_model::{Column, Name, Table, Value};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyType};

use super::Converter;

/// What reading an instance of one dataclass needs.
pub(super) struct Shape {
    pub(super) _class: Py<PyType>,
    pub(super) type_name: Name,
    pub(super) fields: Vec<(Name, Py<PyString>)>,
}

impl Converter {
    /// A list, as a [`Table`] when its items are all instances of one
    /// dataclass with fields (what its first item turns out to be decides).
    pub(super) fn read_list(&self, list: &Bound<'_, PyList>, depth: usize) -> PyResult<Value> {
        let mut items = list.iter();
        let Some(first) = items.next() else {
            return Ok(Value::List(Vec::new()));
        };
        let head = self.read(&first, depth + 1)?;
        let class = first.get_type();
        let shape = match &head {
            Value::Object { fields, .. } if !fields.is_empty() => self.known_shape(&class),
            _ => None,
        };
        let (Some(shape), Value::Object { fields, .. }) = (shape, &head) else {
            return self.read_after(head, items, list.len(), depth);
        };
        let rows = list.len();
        let mut columns: Vec<Column> = fields
            .iter()
            .map(|(_, v)| Column::starting_with(v.clone(), rows))
            .collect();
        for item in items {
            if !item.get_type().is(&class) {
                return self.read_objects(list, depth);
            }
            self.read_row(&item, &shape, &mut columns, depth)?;
        }
        let names = shape.fields.iter().map(|(name, _)| name.clone()).collect();
        Ok(Value::Table(Box::new(Table {
            type_name: shape.type_name.clone(),
            names,
            columns,
        })))
    }

    /// A list that is not a table, item by item after its first (`head`,
    /// read already to see whether it could be one).
    fn read_after<'py>(
        &self,
        head: Value,
        rest: impl Iterator<Item = Bound<'py, PyAny>>,
        len: usize,
        depth: usize,
    ) -> PyResult<Value> {
        let mut out = Vec::with_capacity(len);
        out.push(head);
        for item in rest {
            out.push(self.read(&item, depth + 1)?);
        }
        Ok(Value::List(out))
    }

    /// A list begun as a table whose items turn out to be of more than
    /// one class: read again from its start, as a list of objects.
    fn read_objects(&self, list: &Bound<'_, PyList>, depth: usize) -> PyResult<Value> {
        list.iter()
            .map(|item| self.read(&item, depth + 1))
            .collect::<PyResult<_>>()
            .map(Value::List)
    }

    /// One record's fields onto their columns; a str field goes into its
    /// column's text as it is, without a [`Value`] of its own.
    fn read_row(
        &self,
        item: &Bound<'_, PyAny>,
        shape: &Shape,
        columns: &mut [Column],
        depth: usize,
    ) -> PyResult<()> {
        for ((_, key), column) in shape.fields.iter().zip(columns.iter_mut()) {
            let cell = item.getattr(key.bind(item.py()))?;
            match cell.cast_exact::<PyString>() {
                Ok(s) => column.push_str(s.to_str()?),
                Err(_) => column.push(self.read(&cell, depth + 2)?),
            }
        }
        Ok(())
    }

    pub(super) fn read_dataclass(&self, obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
        self.read_fields(obj, &*self.shape(obj)?, depth)
    }

    pub(super) fn read_fields(
        &self,
        obj: &Bound<'_, PyAny>,
        shape: &Shape,
        depth: usize,
    ) -> PyResult<Value> {
        let mut fields = Vec::with_capacity(shape.fields.len());
        for (name, key) in &shape.fields {
            fields.push((
                name.clone(),
                self.read(&obj.getattr(key.bind(obj.py()))?, depth + 1)?,
            ));
        }
        Ok(Value::Object {
            type_name: shape.type_name.clone(),
            fields,
        })
    }

    pub(super) fn known_shape(&self, class: &Bound<'_, PyType>) -> Option<Arc<Shape>> {
        self.shapes
            .lock()
            .ok()?
            .get(&(class.as_ptr() as usize))
            .cloned()
    }

    pub(super) fn shape(&self, obj: &Bound<'_, PyAny>) -> PyResult<Arc<Shape>> {
        let class = obj.get_type();
        let key = class.as_ptr() as usize;
        if let Some(shape) = self.known_shape(&class) {
            return Ok(shape);
        }
        let mut fields = Vec::new();
        let names = match crate::records::field_names(obj)? {
            Some(names) => names,
            None => self
                .dataclass_fields
                .bind(obj.py())
                .call1((obj,))?
                .try_iter()?
                .map(|field| {
                    field?
                        .getattr("name")?
                        .cast_into::<PyString>()
                        .map_err(PyErr::from)
                })
                .collect::<PyResult<_>>()?,
        };
        for name in names {
            fields.push((name.to_str()?.into(), name.unbind()));
        }
        let shape = Arc::new(Shape {
            type_name: class.name()?.to_str()?.into(),
            _class: class.unbind(),
            fields,
        });
        if let Ok(mut shapes) = self.shapes.lock() {
            shapes.insert(key, Arc::clone(&shape));
        }
        Ok(shape)
    }

    /// A pydantic model, or a NamedTuple of a hosted type (read as an
    /// object of its fields; another NamedTuple is a tuple).
    pub(super) fn is_record(&self, obj: &Bound<'_, PyAny>) -> PyResult<bool> {
        let class = obj.get_type();
        if crate::records::is_model(&class)? {
            return Ok(true);
        }
        if !crate::records::is_named_tuple(&class)? {
            return Ok(false);
        }
        let hosted = self.classes.bind(obj.py()).get_item(class.name()?)?;
        Ok(hosted.is_some_and(|c| c.is(&class)))
    }
}
