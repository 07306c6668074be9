//! [`decode_value`]: a value from its bytes, within [`MAX_DEPTH`].

use std::ops::{Deref, DerefMut};

use bytes::Bytes;
use graft_model::Value;
use graft_model::scalars::TimeDelta;

use super::take::{take_array, take_bytes, take_count, take_str, take_u8, take_u32, take_u64};
use super::{MAX_DEPTH, PREALLOC_ITEMS, tag};
use crate::error::WireError;
use crate::sink::SHARE_FROM;
use crate::table;

/// Decodes one value from the front of `input`, advancing it past the value.
pub fn decode_value(input: &mut &[u8]) -> Result<Value, WireError> {
    let mut from = Input::new(input);
    let value = decode_at(&mut from, 0);
    *input = from.rest;
    value
}

/// What is being decoded: the bytes left, and the shared buffer they lie in,
/// if any, so that long byte strings are sliced from it rather than copied.
pub(crate) struct Input<'a> {
    rest: &'a [u8],
    whole: Option<&'a Bytes>,
}

impl<'a> Input<'a> {
    pub(crate) fn new(rest: &'a [u8]) -> Self {
        Input { rest, whole: None }
    }

    /// All of `whole`, whose long byte strings decode as slices of it.
    pub(crate) fn shared(whole: &'a Bytes) -> Self {
        Input {
            rest: whole,
            whole: Some(whole),
        }
    }

    /// `slice` (part of this input) as a byte string of its own.
    fn bytes(&self, slice: &'a [u8]) -> Bytes {
        match self.whole {
            Some(whole) if slice.len() >= SHARE_FROM => whole.slice_ref(slice),
            _ => Bytes::copy_from_slice(slice),
        }
    }
}

/// The `take_*` readers work on the bytes left.
impl<'a> Deref for Input<'a> {
    type Target = &'a [u8];

    fn deref(&self) -> &Self::Target {
        &self.rest
    }
}

impl DerefMut for Input<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.rest
    }
}

/// Decodes one value at nesting `depth` (see [`MAX_DEPTH`]).
pub(crate) fn decode_at(input: &mut Input<'_>, depth: usize) -> Result<Value, WireError> {
    let tag = take_u8(input, "value tag")?;
    Ok(match tag {
        tag::NONE => Value::None,
        tag::FALSE => Value::Bool(false),
        tag::TRUE => Value::Bool(true),
        tag::INT => Value::Int(take_u64(input, "int")? as i64),
        tag::FLOAT => Value::Float(f64::from_bits(take_u64(input, "float")?)),
        tag::STR => Value::Str(take_str(input, "str")?),
        tag::BYTES => Value::Bytes(take_shared_bytes(input)?),
        tag::LIST => Value::List(decode_items(input, enter(depth)?, "list")?),
        tag::TUPLE => Value::Tuple(decode_items(input, enter(depth)?, "tuple")?),
        tag::SET => Value::Set(decode_items(input, enter(depth)?, "set")?),
        tag::DICT => Value::Dict(decode_pairs(input, enter(depth)?)?),
        tag::OBJECT => decode_object(input, enter(depth)?)?,
        tag::ENUM => decode_enum(input, enter(depth)?)?,
        tag::DATETIME => Value::DateTime(take_str(input, "datetime")?),
        tag::DATE => Value::Date(take_str(input, "date")?),
        tag::DECIMAL => Value::Decimal(take_str(input, "decimal")?),
        tag::TIME => Value::Time(take_str(input, "time")?),
        tag::UUID => Value::Uuid(take_array(input, "uuid")?),
        tag::TIMEDELTA => Value::TimeDelta(take_timedelta(input)?),
        tag::TABLE => table::decode_table(input, enter(depth)?)?,
        tag::OBJECT_REF => decode_object_ref(input)?,
        other => return Err(WireError::UnknownTag(other)),
    })
}

// The readers below decode one kind of value after its tag, for one arm of
// `decode_at`. They are `#[inline]` so that decoding, a hot path, still
// compiles to one function with each arm in place.

/// A byte string, a slice of the shared input where it is long enough.
#[inline]
fn take_shared_bytes(input: &mut Input<'_>) -> Result<Bytes, WireError> {
    let bytes = take_bytes(input, "bytes")?;
    Ok(input.bytes(bytes))
}

/// An object's type name and fields, its fields at `depth`.
#[inline]
fn decode_object(input: &mut Input<'_>, depth: usize) -> Result<Value, WireError> {
    let type_name = take_str(input, "object type name")?.into();
    let fields = decode_fields_at(input, depth, "object field")?;
    Ok(Value::Object { type_name, fields })
}

/// An enum member: its type's name and its value, at `depth`.
#[inline]
fn decode_enum(input: &mut Input<'_>, depth: usize) -> Result<Value, WireError> {
    let type_name = take_str(input, "enum type name")?;
    let value = Box::new(decode_at(input, depth)?);
    Ok(Value::Enum { type_name, value })
}

/// A timedelta's days, seconds and microseconds, each the bits of an i32.
#[inline]
fn take_timedelta(input: &mut Input<'_>) -> Result<TimeDelta, WireError> {
    Ok(TimeDelta {
        days: take_u32(input, "timedelta")? as i32,
        seconds: take_u32(input, "timedelta")? as i32,
        microseconds: take_u32(input, "timedelta")? as i32,
    })
}

#[inline]
fn decode_object_ref(input: &mut Input<'_>) -> Result<Value, WireError> {
    Ok(Value::ObjectRef {
        service: take_str(input, "object reference service")?,
        id: take_str(input, "object reference id")?,
    })
}

/// The depth of a container's items, or an error past [`MAX_DEPTH`].
pub(crate) fn enter(depth: usize) -> Result<usize, WireError> {
    if depth >= MAX_DEPTH {
        Err(WireError::TooDeep(MAX_DEPTH))
    } else {
        Ok(depth + 1)
    }
}

/// Decodes a u32 count then that many values, each at `depth`.
pub(crate) fn decode_items(
    input: &mut Input<'_>,
    depth: usize,
    what: &'static str,
) -> Result<Vec<Value>, WireError> {
    let count = take_count(input, what, 1)?;
    let mut items = Vec::with_capacity(count.min(PREALLOC_ITEMS));
    for _ in 0..count {
        items.push(decode_at(input, depth)?);
    }
    Ok(items)
}

fn decode_pairs(input: &mut Input<'_>, depth: usize) -> Result<Vec<(Value, Value)>, WireError> {
    let count = take_count(input, "dict", 2)?;
    let mut pairs = Vec::with_capacity(count.min(PREALLOC_ITEMS));
    for _ in 0..count {
        let key = decode_at(input, depth)?;
        pairs.push((key, decode_at(input, depth)?));
    }
    Ok(pairs)
}

/// Decodes a u32 count then that many (name, value) pairs.
pub(crate) fn decode_fields_at<N: From<String>>(
    input: &mut Input<'_>,
    depth: usize,
    what: &'static str,
) -> Result<Vec<(N, Value)>, WireError> {
    // A field is at least a 4-byte name length and a 1-byte value tag.
    let count = take_count(input, what, 5)?;
    let mut fields = Vec::with_capacity(count.min(PREALLOC_ITEMS));
    for _ in 0..count {
        let name = take_str(input, what)?;
        fields.push((name.into(), decode_at(input, depth)?));
    }
    Ok(fields)
}
