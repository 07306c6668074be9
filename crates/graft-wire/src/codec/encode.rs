//! [`encode_value`]: a value's bytes, and [`size_hint`], about how many.

use graft_model::Value;

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
