//! Reading Python objects as [`Value`]s, by their type
//! (`Converter::read_value`, `Converter::read_result`); the records
//! (dataclasses, models, NamedTuples, tables) are read in `shapes.rs`.

use graft_model::Value;
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PySet, PyString,
    PyTuple,
};

use super::{Converter, MAX_DEPTH, PART_ITEMS};
use crate::shared_bytes::bytes_of;

impl Converter {
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

    pub(super) fn read(&self, obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
        if depth > MAX_DEPTH {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "the value nests deeper than {MAX_DEPTH} levels (is it cyclic?)"
            )));
        }
        // Exact built-in types first: they are the common case, and an IntEnum
        // or a str subclass must not be mistaken for a plain int or str.
        if let Some(value) = self.read_exact(obj, depth)? {
            return Ok(value);
        }
        // A dataclass already read once (the items of a list of records):
        // known by its class, before the isinstance checks below.
        if let Some(shape) = self.known_shape(&obj.get_type()) {
            return self.read_fields(obj, &shape, depth);
        }
        if let Some(value) = self.read_standard(obj, depth)? {
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

    /// `obj` if it is of an exact built-in type (None, bool, int, float,
    /// str, bytes, list, tuple): each known by one type check, with no
    /// isinstance call, as most values are.
    #[inline]
    fn read_exact(&self, obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Option<Value>> {
        let value = if obj.is_none() {
            Value::None
        } else if obj.is_exact_instance_of::<PyBool>() {
            Value::Bool(obj.extract()?)
        } else if obj.is_exact_instance_of::<PyInt>() {
            Value::Int(obj.extract::<i64>().map_err(|_| int_overflow(obj))?)
        } else if obj.is_exact_instance_of::<PyFloat>() {
            Value::Float(obj.extract()?)
        } else if let Ok(s) = obj.cast_exact::<PyString>() {
            Value::Str(s.to_str()?.to_owned())
        } else if let Ok(b) = obj.cast_exact::<PyBytes>() {
            Value::Bytes(bytes_of(b))
        } else if let Ok(list) = obj.cast_exact::<PyList>() {
            self.read_list(list, depth)?
        } else if let Ok(tuple) = obj.cast_exact::<PyTuple>() {
            Value::Tuple(self.read_items(tuple.try_iter()?, depth)?)
        } else {
            return Ok(None);
        };
        Ok(Some(value))
    }

    /// `obj` if it is a dict or a set (or a subclass of one), an enum
    /// member, a datetime or date, or one of [`Scalars`](crate::scalars)'
    /// types: what the standard library makes, tried before a record.
    #[inline]
    fn read_standard(&self, obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Option<Value>> {
        let py = obj.py();
        let value = if let Ok(dict) = obj.cast::<PyDict>() {
            let mut pairs = Vec::with_capacity(dict.len());
            for (k, v) in dict.iter() {
                pairs.push((self.read(&k, depth + 1)?, self.read(&v, depth + 1)?));
            }
            Value::Dict(pairs)
        } else if obj.is_instance_of::<PySet>() || obj.is_instance_of::<PyFrozenSet>() {
            Value::Set(self.read_items(obj.try_iter()?, depth)?)
        } else if obj.is_instance(self.enum_base.bind(py))? {
            Value::Enum {
                type_name: obj.get_type().name()?.to_string(),
                value: Box::new(self.read(&obj.getattr("value")?, depth + 1)?),
            }
        } else if obj.is_instance(self.datetime.bind(py))? {
            Value::DateTime(obj.call_method0("isoformat")?.extract()?)
        } else if obj.is_instance(self.date.bind(py))? {
            Value::Date(obj.call_method0("isoformat")?.extract()?)
        } else {
            return self.scalars.read(obj);
        };
        Ok(Some(value))
    }

    /// The items of a tuple, a set or a list (one level deeper), in order.
    fn read_items(
        &self,
        items: Bound<'_, pyo3::types::PyIterator>,
        depth: usize,
    ) -> PyResult<Vec<Value>> {
        items.map(|item| self.read(&item?, depth + 1)).collect()
    }

    /// Subclasses of built-in types (a `str` subclass, a `bytearray`) are read
    /// as the built-in; anything else has no [`Value`] form.
    pub(super) fn read_subclass(&self, obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
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
            let items = self.read_items(obj.try_iter()?, depth)?;
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
