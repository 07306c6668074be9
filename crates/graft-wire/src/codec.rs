//! The tagged value encoding: [`encode_value`] and [`decode_value`].
//!
//! Each value is a one-byte tag followed by its payload; integers, floats,
//! lengths and counts are big-endian. See `docs/PROTOCOL.md`, "Values".
//!
//! Decoding never trusts a count: a count is checked against the bytes that
//! remain (every item takes at least one) and vectors are pre-sized for a
//! few items at most, so memory stays proportional to the input. Nesting is
//! bounded by [`MAX_DEPTH`] so a hostile input cannot exhaust the stack.

use std::ops::{Deref, DerefMut};

use bytes::Bytes;
use graft_model::Value;
use graft_model::scalars::TimeDelta;

use crate::error::WireError;
use crate::sink::{SHARE_FROM, Sink};
use crate::table;

/// The deepest nesting of containers (list, tuple, set, dict, object, enum)
/// a decoder accepts. A value at the top level is at depth 0; a container's
/// items are one deeper. A container at depth 100 is rejected.
pub const MAX_DEPTH: usize = 100;

/// Most items a container's vector is sized for before they are decoded.
///
/// A count is only checked against the bytes left, and nested containers
/// all check against the same bytes, so sizing each vector by its count
/// could reserve `MAX_DEPTH` times the input. Past this many, vectors grow
/// as items actually arrive.
pub(crate) const PREALLOC_ITEMS: usize = 64;

/// The one-byte tags that start every encoded value.
pub mod tag {
    pub const NONE: u8 = 0x00;
    pub const FALSE: u8 = 0x01;
    pub const TRUE: u8 = 0x02;
    pub const INT: u8 = 0x03;
    pub const FLOAT: u8 = 0x04;
    pub const STR: u8 = 0x05;
    pub const BYTES: u8 = 0x06;
    pub const LIST: u8 = 0x07;
    pub const TUPLE: u8 = 0x08;
    pub const SET: u8 = 0x09;
    pub const DICT: u8 = 0x0a;
    pub const OBJECT: u8 = 0x0b;
    pub const ENUM: u8 = 0x0c;
    pub const DATETIME: u8 = 0x0d;
    pub const DATE: u8 = 0x0e;
    pub const TABLE: u8 = 0x0f;
    /// `decimal.Decimal` (version 6): str, as `str(d)` writes it.
    pub const DECIMAL: u8 = 0x10;
    /// `uuid.UUID` (version 6): its 16 bytes.
    pub const UUID: u8 = 0x11;
    /// `datetime.timedelta` (version 6): days, seconds, microseconds as i32.
    pub const TIMEDELTA: u8 = 0x12;
    /// `datetime.time` (version 6): str, as `time.isoformat()` writes it.
    pub const TIME: u8 = 0x13;
    /// An object reference (version 6): service name, then id.
    pub const OBJECT_REF: u8 = 0x14;
}

/// The one-byte kinds of a table's columns (see [`tag::TABLE`]).
pub mod column {
    pub const VALUES: u8 = 0x00;
    pub const BOOL: u8 = 0x01;
    pub const INT: u8 = 0x03;
    pub const FLOAT: u8 = 0x04;
    /// Each string's length, then the strings back to back.
    pub const STR: u8 = 0x05;
    /// The strings joined by 0x00 bytes, when none holds U+0000 (version 3).
    pub const STR_JOINED: u8 = 0x06;
}

/// About how many bytes [`encode_value`] writes for `value`, to size buffers
/// once instead of growing them while encoding.
pub fn size_hint(value: &Value) -> usize {
    const COUNT: usize = 5; // a tag and a u32 count or length
    match value {
        Value::None | Value::Bool(_) => 1,
        Value::Int(_) | Value::Float(_) => 9,
        Value::Str(s)
        | Value::DateTime(s)
        | Value::Date(s)
        | Value::Decimal(s)
        | Value::Time(s) => COUNT + s.len(),
        Value::Uuid(_) => 17,
        Value::TimeDelta(_) => 13,
        Value::Bytes(b) => COUNT + b.len(),
        Value::List(items) => table::size_hint(items)
            .unwrap_or_else(|| COUNT + items.iter().map(size_hint).sum::<usize>()),
        Value::Table(t) => table::columns_size_hint(t),
        Value::Tuple(items) | Value::Set(items) => {
            COUNT + items.iter().map(size_hint).sum::<usize>()
        }
        Value::Dict(pairs) => {
            COUNT
                + pairs
                    .iter()
                    .map(|(k, v)| size_hint(k) + size_hint(v))
                    .sum::<usize>()
        }
        Value::Object { type_name, fields } => {
            2 * COUNT
                + type_name.len()
                + fields
                    .iter()
                    .map(|(name, v)| 4 + name.len() + size_hint(v))
                    .sum::<usize>()
        }
        Value::Enum { type_name, value } => COUNT + type_name.len() + size_hint(value),
        Value::ObjectRef { service, id } => 2 * COUNT + service.len() + id.len(),
    }
}

/// Appends the encoding of `value` to `buf`.
///
/// A list of objects of one shape is written as a table (see the
/// `table` module). Lengths are written as u32; a string or container
/// over 4 GiB cannot be encoded faithfully, but such a value also exceeds
/// any frame limit, which [`crate::Frame::encode`] checks.
pub fn encode_value(value: &Value, buf: &mut impl Sink) {
    match value {
        Value::None => buf.put_u8(tag::NONE),
        Value::Bool(false) => buf.put_u8(tag::FALSE),
        Value::Bool(true) => buf.put_u8(tag::TRUE),
        Value::Int(i) => {
            buf.put_u8(tag::INT);
            buf.put_i64(*i);
        }
        Value::Float(f) => {
            buf.put_u8(tag::FLOAT);
            buf.put_u64(f.to_bits());
        }
        Value::Str(s) => put_tagged_str(buf, tag::STR, s),
        Value::Bytes(b) => {
            buf.put_u8(tag::BYTES);
            put_len(buf, b.len());
            buf.put_shared(b);
        }
        Value::List(items) => {
            if !table::put_table(buf, items) {
                put_items(buf, tag::LIST, items);
            }
        }
        Value::Table(t) => table::put_columns(buf, t),
        Value::Tuple(items) => put_items(buf, tag::TUPLE, items),
        Value::Set(items) => put_items(buf, tag::SET, items),
        Value::Dict(pairs) => {
            buf.put_u8(tag::DICT);
            put_len(buf, pairs.len());
            for (k, v) in pairs {
                encode_value(k, buf);
                encode_value(v, buf);
            }
        }
        Value::Object { type_name, fields } => {
            buf.put_u8(tag::OBJECT);
            put_str(buf, type_name);
            put_fields(buf, fields);
        }
        Value::Enum { type_name, value } => {
            buf.put_u8(tag::ENUM);
            put_str(buf, type_name);
            encode_value(value, buf);
        }
        Value::DateTime(s) => put_tagged_str(buf, tag::DATETIME, s),
        Value::Date(s) => put_tagged_str(buf, tag::DATE, s),
        Value::Decimal(s) => put_tagged_str(buf, tag::DECIMAL, s),
        Value::Time(s) => put_tagged_str(buf, tag::TIME, s),
        Value::Uuid(bytes) => {
            buf.put_u8(tag::UUID);
            buf.put_slice(bytes);
        }
        Value::TimeDelta(t) => {
            buf.put_u8(tag::TIMEDELTA);
            for field in [t.days, t.seconds, t.microseconds] {
                buf.put_u32(field as u32);
            }
        }
        Value::ObjectRef { service, id } => {
            buf.put_u8(tag::OBJECT_REF);
            put_str(buf, service);
            put_str(buf, id);
        }
    }
}

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

pub(crate) fn decode_at(input: &mut Input<'_>, depth: usize) -> Result<Value, WireError> {
    let tag = take_u8(input, "value tag")?;
    Ok(match tag {
        tag::NONE => Value::None,
        tag::FALSE => Value::Bool(false),
        tag::TRUE => Value::Bool(true),
        tag::INT => Value::Int(take_u64(input, "int")? as i64),
        tag::FLOAT => Value::Float(f64::from_bits(take_u64(input, "float")?)),
        tag::STR => Value::Str(take_str(input, "str")?),
        tag::BYTES => {
            let bytes = take_bytes(input, "bytes")?;
            Value::Bytes(input.bytes(bytes))
        }
        tag::LIST => Value::List(decode_items(input, enter(depth)?, "list")?),
        tag::TUPLE => Value::Tuple(decode_items(input, enter(depth)?, "tuple")?),
        tag::SET => Value::Set(decode_items(input, enter(depth)?, "set")?),
        tag::DICT => Value::Dict(decode_pairs(input, enter(depth)?)?),
        tag::OBJECT => {
            let depth = enter(depth)?;
            let type_name = take_str(input, "object type name")?.into();
            let fields = decode_fields_at(input, depth, "object field")?;
            Value::Object { type_name, fields }
        }
        tag::ENUM => {
            let depth = enter(depth)?;
            let type_name = take_str(input, "enum type name")?;
            let value = Box::new(decode_at(input, depth)?);
            Value::Enum { type_name, value }
        }
        tag::DATETIME => Value::DateTime(take_str(input, "datetime")?),
        tag::DATE => Value::Date(take_str(input, "date")?),
        tag::DECIMAL => Value::Decimal(take_str(input, "decimal")?),
        tag::TIME => Value::Time(take_str(input, "time")?),
        tag::UUID => Value::Uuid(take_array(input, "uuid")?),
        tag::TIMEDELTA => Value::TimeDelta(TimeDelta {
            days: take_u32(input, "timedelta")? as i32,
            seconds: take_u32(input, "timedelta")? as i32,
            microseconds: take_u32(input, "timedelta")? as i32,
        }),
        tag::TABLE => table::decode_table(input, enter(depth)?)?,
        tag::OBJECT_REF => Value::ObjectRef {
            service: take_str(input, "object reference service")?,
            id: take_str(input, "object reference id")?,
        },
        other => return Err(WireError::UnknownTag(other)),
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

fn put_items(buf: &mut impl Sink, tag: u8, items: &[Value]) {
    buf.put_u8(tag);
    put_len(buf, items.len());
    for item in items {
        encode_value(item, buf);
    }
}

/// Writes a u32 count then (name, value) pairs, as objects and calls use.
pub(crate) fn put_fields<N: AsRef<str>>(buf: &mut impl Sink, fields: &[(N, Value)]) {
    put_len(buf, fields.len());
    for (name, value) in fields {
        put_str(buf, name.as_ref());
        encode_value(value, buf);
    }
}

fn put_tagged_str(buf: &mut impl Sink, tag: u8, s: &str) {
    buf.put_u8(tag);
    put_str(buf, s);
}

/// Writes a u32 byte length then the UTF-8 bytes.
pub(crate) fn put_str(buf: &mut impl Sink, s: &str) {
    put_len(buf, s.len());
    buf.put_slice(s.as_bytes());
}

pub(crate) fn put_len(buf: &mut impl Sink, len: usize) {
    buf.put_u32(u32::try_from(len).unwrap_or(u32::MAX));
}

pub(crate) fn take_u8(input: &mut &[u8], what: &'static str) -> Result<u8, WireError> {
    Ok(take_array::<1>(input, what)?[0])
}

pub(crate) fn take_u16(input: &mut &[u8], what: &'static str) -> Result<u16, WireError> {
    Ok(u16::from_be_bytes(take_array(input, what)?))
}

pub(crate) fn take_u32(input: &mut &[u8], what: &'static str) -> Result<u32, WireError> {
    Ok(u32::from_be_bytes(take_array(input, what)?))
}

pub(crate) fn take_u64(input: &mut &[u8], what: &'static str) -> Result<u64, WireError> {
    Ok(u64::from_be_bytes(take_array(input, what)?))
}

fn take_array<const N: usize>(input: &mut &[u8], what: &'static str) -> Result<[u8; N], WireError> {
    let (head, rest) = input.split_first_chunk::<N>().ok_or(WireError::Truncated {
        what,
        needed: N,
        remaining: input.len(),
    })?;
    *input = rest;
    Ok(*head)
}

/// Reads a u32 count of items that take at least `min_item` bytes each, and
/// refuses it unless the remaining input could hold that many.
pub(crate) fn take_count(
    input: &mut &[u8],
    what: &'static str,
    min_item: usize,
) -> Result<usize, WireError> {
    let count = take_u32(input, what)?;
    let n = count as usize;
    if n.saturating_mul(min_item) > input.len() {
        return Err(WireError::CountTooLarge {
            what,
            count,
            remaining: input.len(),
        });
    }
    Ok(n)
}

/// Reads a u32 length then that many bytes.
pub(crate) fn take_bytes<'a>(
    input: &mut &'a [u8],
    what: &'static str,
) -> Result<&'a [u8], WireError> {
    let len = take_u32(input, what)? as usize;
    if len > input.len() {
        return Err(WireError::Truncated {
            what,
            needed: len,
            remaining: input.len(),
        });
    }
    let (bytes, rest) = input.split_at(len);
    *input = rest;
    Ok(bytes)
}

/// Reads a u32 length then that many bytes of UTF-8.
pub(crate) fn take_str(input: &mut &[u8], what: &'static str) -> Result<String, WireError> {
    let bytes = take_bytes(input, what)?;
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_owned()),
        Err(_) => Err(WireError::invalid_utf8(what, bytes)),
    }
}
