//! Conversion between [`Value`] and Python objects.
//!
//! Values going in are already checked against the interface, so
//! [`Converter::to_python`] trusts their shape; the named types (dataclasses,
//! enums) are rebuilt from the classes discovery found. Values coming out are
//! read by their Python type alone ([`Converter::read_value`]): a method
//! annotated `-> Any` may return anything that has a [`Value`] form.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use graft_model::{Column, Name, Table, Value, same_name};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PySet, PyString,
    PyTuple, PyType,
};

use crate::objects::Objects;
use crate::records::Model;
use crate::scalars::Scalars;
use crate::shared_bytes::bytes_of;

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

/// What reading an instance of one dataclass needs.
struct Shape {
    _class: Py<PyType>,
    type_name: Name,
    fields: Vec<(Name, Py<PyString>)>,
}

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

    /// Reads a Python object as a [`Value`], by its type.
    pub(crate) fn read_value(&self, obj: &Bound<'_, PyAny>) -> PyResult<Value> {
        self.read(obj, 0)
    }

    /// [`Converter::read_value`] of a method's result; a list of at least
    /// twice [`PART_ITEMS`] items is read [`PART_ITEMS`] at a time, each
    /// part handed to `ahead` as soon as it is read (a list, or a table),
    /// and the last part returned. Parts join into exactly the list the
    /// whole would be read as. `ahead` failing (the call is gone) stops
    /// nothing. Each part, the last too, is checked against `entry`'s
    /// return type before it goes (`returns::part`).
    pub(crate) fn read_result(
        &self,
        obj: &Bound<'_, PyAny>,
        ahead: Option<&dyn Fn(Value)>,
        entry: &crate::Entry,
    ) -> PyResult<Value> {
        let (Some(ahead), Ok(list)) = (ahead, obj.cast_exact::<PyList>()) else {
            return self.read(obj, 0);
        };
        let len = list.len();
        if len < 2 * PART_ITEMS {
            return self.read(obj, 0);
        }
        let mut start = 0;
        while len - start > PART_ITEMS {
            let part = self.read(list.get_slice(start, start + PART_ITEMS).as_any(), 0)?;
            crate::returns::part(entry, &part, start)?;
            ahead(part);
            start += PART_ITEMS;
        }
        let last = self.read(list.get_slice(start, len).as_any(), 0)?;
        crate::returns::part(entry, &last, start)?;
        Ok(last)
    }

    fn read(&self, obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
        if depth > MAX_DEPTH {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "the value nests deeper than {MAX_DEPTH} levels (is it cyclic?)"
            )));
        }
        let py = obj.py();
        let items = |iter: Bound<'_, pyo3::types::PyIterator>| -> PyResult<Vec<Value>> {
            iter.map(|item| self.read(&item?, depth + 1)).collect()
        };
        // Exact built-in types first: they are the common case, and an IntEnum
        // or a str subclass must not be mistaken for a plain int or str.
        if obj.is_none() {
            return Ok(Value::None);
        }
        if obj.is_exact_instance_of::<PyBool>() {
            return Ok(Value::Bool(obj.extract()?));
        }
        if obj.is_exact_instance_of::<PyInt>() {
            return obj
                .extract::<i64>()
                .map(Value::Int)
                .map_err(|_| int_overflow(obj));
        }
        if obj.is_exact_instance_of::<PyFloat>() {
            return Ok(Value::Float(obj.extract()?));
        }
        if let Ok(s) = obj.cast_exact::<PyString>() {
            return Ok(Value::Str(s.to_str()?.to_owned()));
        }
        if let Ok(b) = obj.cast_exact::<PyBytes>() {
            return Ok(Value::Bytes(bytes_of(b)));
        }
        if let Ok(list) = obj.cast_exact::<PyList>() {
            return self.read_list(list, depth);
        }
        if let Ok(tuple) = obj.cast_exact::<PyTuple>() {
            return Ok(Value::Tuple(items(tuple.try_iter()?)?));
        }
        // A dataclass already read once (the items of a list of records):
        // known by its class, before the isinstance checks below.
        if let Some(shape) = self.known_shape(&obj.get_type()) {
            return self.read_fields(obj, &shape, depth);
        }
        if let Ok(dict) = obj.cast::<PyDict>() {
            let mut pairs = Vec::with_capacity(dict.len());
            for (k, v) in dict.iter() {
                pairs.push((self.read(&k, depth + 1)?, self.read(&v, depth + 1)?));
            }
            return Ok(Value::Dict(pairs));
        }
        if obj.is_instance_of::<PySet>() || obj.is_instance_of::<PyFrozenSet>() {
            return Ok(Value::Set(items(obj.try_iter()?)?));
        }
        if obj.is_instance(self.enum_base.bind(py))? {
            let type_name = obj.get_type().name()?.to_string();
            let value = self.read(&obj.getattr("value")?, depth + 1)?;
            return Ok(Value::Enum {
                type_name,
                value: Box::new(value),
            });
        }
        if obj.is_instance(self.datetime.bind(py))? {
            return Ok(Value::DateTime(obj.call_method0("isoformat")?.extract()?));
        }
        if obj.is_instance(self.date.bind(py))? {
            return Ok(Value::Date(obj.call_method0("isoformat")?.extract()?));
        }
        if let Some(value) = self.scalars.read(obj)? {
            return Ok(value);
        }
        if obj.get_type().hasattr("__dataclass_fields__")? || self.is_record(obj)? {
            return self.read_dataclass(obj, depth);
        }
        if let Some(service) = self.objects.service_of(obj) {
            return self.objects.register(obj, service);
        }
        self.read_subclass(obj, depth)
    }

    /// A list, as a [`Table`] when its items are all instances of one
    /// dataclass with fields (what its first item turns out to be decides).
    fn read_list(&self, list: &Bound<'_, PyList>, depth: usize) -> PyResult<Value> {
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
            let mut out = Vec::with_capacity(list.len());
            out.push(head);
            for item in items {
                out.push(self.read(&item, depth + 1)?);
            }
            return Ok(Value::List(out));
        };
        let rows = list.len();
        let mut columns: Vec<Column> = fields
            .iter()
            .map(|(_, v)| Column::starting_with(v.clone(), rows))
            .collect();
        for item in items {
            if !item.get_type().is(&class) {
                return list
                    .iter()
                    .map(|item| self.read(&item, depth + 1))
                    .collect::<PyResult<_>>()
                    .map(Value::List);
            }
            for ((_, key), column) in shape.fields.iter().zip(columns.iter_mut()) {
                let cell = item.getattr(key.bind(item.py()))?;
                match cell.cast_exact::<PyString>() {
                    Ok(s) => column.push_str(s.to_str()?),
                    Err(_) => column.push(self.read(&cell, depth + 2)?),
                }
            }
        }
        let names = shape.fields.iter().map(|(name, _)| name.clone()).collect();
        Ok(Value::Table(Box::new(Table {
            type_name: shape.type_name.clone(),
            names,
            columns,
        })))
    }

    fn read_dataclass(&self, obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
        self.read_fields(obj, &*self.shape(obj)?, depth)
    }

    fn read_fields(&self, obj: &Bound<'_, PyAny>, shape: &Shape, depth: usize) -> PyResult<Value> {
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

    fn known_shape(&self, class: &Bound<'_, PyType>) -> Option<Arc<Shape>> {
        self.shapes
            .lock()
            .ok()?
            .get(&(class.as_ptr() as usize))
            .cloned()
    }

    fn shape(&self, obj: &Bound<'_, PyAny>) -> PyResult<Arc<Shape>> {
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
    fn is_record(&self, obj: &Bound<'_, PyAny>) -> PyResult<bool> {
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

    /// Subclasses of built-in types (a `str` subclass, a `bytearray`) are read
    /// as the built-in; anything else has no [`Value`] form.
    fn read_subclass(&self, obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
        if obj.is_instance_of::<PyBool>() {
            return Ok(Value::Bool(obj.extract()?));
        }
        if obj.is_instance_of::<PyInt>() {
            return Ok(Value::Int(obj.extract()?));
        }
        if obj.is_instance_of::<PyFloat>() {
            return Ok(Value::Float(obj.extract()?));
        }
        if let Ok(s) = obj.cast::<PyString>() {
            return Ok(Value::Str(s.to_str()?.to_owned()));
        }
        if let Ok(b) = obj.cast::<PyBytes>() {
            return Ok(Value::Bytes(bytes_of(b)));
        }
        if let Ok(b) = obj.cast::<PyByteArray>() {
            return Ok(Value::Bytes(b.to_vec().into()));
        }
        if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
            let items = obj
                .try_iter()?
                .map(|i| self.read(&i?, depth + 1))
                .collect::<PyResult<_>>()?;
            return Ok(if obj.is_instance_of::<PyTuple>() {
                Value::Tuple(items)
            } else {
                Value::List(items)
            });
        }
        Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "a value of type {} cannot cross Graft: return None, bool, int, float, str, bytes, a list, tuple, set or dict of those, a dataclass, an enum, a datetime, date, time or timedelta, a Decimal or a UUID",
            obj.get_type().name()?
        )))
    }
}

/// `err`, raised while reading a value `method` (`Service.method`) gave
/// (`how`: "returned", or "yielded" for a stream's item), with the method
/// named: `Overflow.huge returned a value Graft cannot carry: the int ...
/// is out of range: ...`. Only the built-in errors conversion
/// raises itself are named so (OverflowError, TypeError, ValueError); an
/// exception of the method's own, raised while its result was read, goes
/// on as it was, with its fields.
pub(crate) fn naming_result(py: Python<'_>, method: &str, how: &str, err: PyErr) -> PyErr {
    let value = err.value(py);
    if err.is_instance_of::<crate::returns::ReturnMisfit>(py) {
        // Named already: a plain TypeError, as any other misfit answers.
        return pyo3::exceptions::PyTypeError::new_err(value.to_string());
    }
    let ours = value.is_exact_instance_of::<pyo3::exceptions::PyOverflowError>()
        || value.is_exact_instance_of::<pyo3::exceptions::PyTypeError>()
        || value.is_exact_instance_of::<pyo3::exceptions::PyValueError>();
    if !ours {
        return err;
    }
    let message = format!("{method} {how} a value Graft cannot carry: {value}");
    PyErr::from_type(err.get_type(py), (message,))
}

/// The error for a Python int that Graft cannot carry: it names the type and
/// the value (its digits, or its size where Python will not print them).
/// The caller adds which method's result it was ([`naming_result`]).
fn int_overflow(obj: &Bound<'_, PyAny>) -> PyErr {
    let value = match obj.str() {
        Ok(text) => text.to_string(),
        Err(_) => match obj.call_method0("bit_length") {
            Ok(bits) => format!("of {bits} bits"),
            Err(_) => "too long to print".into(),
        },
    };
    pyo3::exceptions::PyOverflowError::new_err(format!(
        "the int {value} is out of range: Graft carries an int as a signed 64-bit integer \
         (-9223372036854775808 to 9223372036854775807)"
    ))
}
