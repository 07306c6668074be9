//! [`encode_value`]: a value's bytes, and [`size_hint`], about how many.

use bytes::Bytes;
use graft_model::scalars::TimeDelta;
use graft_model::{Name, Value};

use super::tag;
use crate::sink::Sink;
use crate::table;

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
        Value::Int(i) => put_int(buf, *i),
        Value::Float(f) => put_float(buf, *f),
        Value::Str(s) => put_tagged_str(buf, tag::STR, s),
        Value::Bytes(b) => put_bytes(buf, b),
        Value::List(items) => put_list(buf, items),
        Value::Table(t) => table::put_columns(buf, t),
        Value::Tuple(items) => put_items(buf, tag::TUPLE, items),
        Value::Set(items) => put_items(buf, tag::SET, items),
        Value::Dict(pairs) => put_dict(buf, pairs),
        Value::Object { type_name, fields } => put_object(buf, type_name, fields),
        Value::Enum { type_name, value } => put_enum(buf, type_name, value),
        Value::DateTime(s) => put_tagged_str(buf, tag::DATETIME, s),
        Value::Date(s) => put_tagged_str(buf, tag::DATE, s),
        Value::Decimal(s) => put_tagged_str(buf, tag::DECIMAL, s),
        Value::Time(s) => put_tagged_str(buf, tag::TIME, s),
        Value::Uuid(bytes) => put_uuid(buf, bytes),
        Value::TimeDelta(t) => put_timedelta(buf, t),
        Value::ObjectRef { service, id } => put_object_ref(buf, service, id),
    }
}

// Each `put_*` below writes one kind of value, tag first, for one arm of
// `encode_value`. They are `#[inline]` so that encoding, a hot path, still
// compiles to one function with each arm in place.

#[inline]
fn put_int(buf: &mut impl Sink, i: i64) {
    buf.put_u8(tag::INT);
    buf.put_i64(i);
}

#[inline]
fn put_float(buf: &mut impl Sink, f: f64) {
    buf.put_u8(tag::FLOAT);
    buf.put_u64(f.to_bits());
}

/// A byte string, shared rather than copied where the sink can (see [`Sink::put_shared`]).
#[inline]
fn put_bytes(buf: &mut impl Sink, b: &Bytes) {
    buf.put_u8(tag::BYTES);
    put_len(buf, b.len());
    buf.put_shared(b);
}

/// A list: as a table where its items are objects of one shape, else item by item.
#[inline]
fn put_list(buf: &mut impl Sink, items: &[Value]) {
    if !table::put_table(buf, items) {
        put_items(buf, tag::LIST, items);
    }
}

#[inline]
fn put_dict(buf: &mut impl Sink, pairs: &[(Value, Value)]) {
    buf.put_u8(tag::DICT);
    put_len(buf, pairs.len());
    for (k, v) in pairs {
        encode_value(k, buf);
        encode_value(v, buf);
    }
}

#[inline]
fn put_object(buf: &mut impl Sink, type_name: &str, fields: &[(Name, Value)]) {
    buf.put_u8(tag::OBJECT);
    put_str(buf, type_name);
    put_fields(buf, fields);
}

#[inline]
fn put_enum(buf: &mut impl Sink, type_name: &str, value: &Value) {
    buf.put_u8(tag::ENUM);
    put_str(buf, type_name);
    encode_value(value, buf);
}

#[inline]
fn put_uuid(buf: &mut impl Sink, bytes: &[u8; 16]) {
    buf.put_u8(tag::UUID);
    buf.put_slice(bytes);
}

/// A timedelta's days, seconds and microseconds, each as the bits of an i32.
#[inline]
fn put_timedelta(buf: &mut impl Sink, t: &TimeDelta) {
    buf.put_u8(tag::TIMEDELTA);
    for field in [t.days, t.seconds, t.microseconds] {
        buf.put_u32(field as u32);
    }
}

#[inline]
fn put_object_ref(buf: &mut impl Sink, service: &str, id: &str) {
    buf.put_u8(tag::OBJECT_REF);
    put_str(buf, service);
    put_str(buf, id);
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
