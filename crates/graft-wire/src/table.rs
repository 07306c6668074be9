//! Tables: a list of objects of one shape, written by columns.
//!
//! A list whose items are objects with the same type name and field names
//! is written once as those names, then one column per field (see
//! `docs/PROTOCOL.md`, "Tables"). It decodes to the same
//! [`Value::List`] of [`Value::Object`]s a row-by-row list would, with the
//! names shared between the objects.

use bytes::{BufMut, BytesMut};
use graft_model::{Name, Value, same_name};

use crate::codec::{
    PREALLOC_ITEMS, column, decode_at, encode_value, enter, put_len, put_str, tag, take_count, take_str,
    take_u8, take_u32,
};
use crate::error::WireError;

/// Writes `items` as a table and returns true, or writes nothing and
/// returns false when they are not a table's shape (empty, not all objects,
/// names that differ, or objects without fields).
pub(crate) fn put_table(buf: &mut BytesMut, items: &[Value]) -> bool {
    let Some((type_name, names)) = shape(items) else {
        return false;
    };
    buf.put_u8(tag::TABLE);
    put_str(buf, type_name);
    put_len(buf, names.len());
    for (name, _) in names {
        put_str(buf, name);
    }
    put_len(buf, items.len());
    for j in 0..names.len() {
        put_column(buf, items, j);
    }
    true
}

/// About how many bytes [`put_table`] writes for `items`, or `None` when
/// they are not a table.
pub(crate) fn size_hint(items: &[Value]) -> Option<usize> {
    let (type_name, names) = shape(items)?;
    // The first row's size (up to 1 KiB) for every row: a walk over every
    // cell would cost as much as the encoding, and a hint only sizes a
    // buffer that still grows when a later row is larger.
    const ROW_MAX: usize = 1024;
    let head = 13 + type_name.len() + names.iter().map(|(name, _)| 5 + name.len()).sum::<usize>();
    let row = names.iter().map(|(_, value)| crate::codec::size_hint(value)).sum::<usize>();
    Some(head + row.min(ROW_MAX) * items.len())
}

/// The type name and field names every item shares, when `items` is a table.
fn shape(items: &[Value]) -> Option<(&Name, &[(Name, Value)])> {
    let Some(Value::Object { type_name, fields }) = items.first() else {
        return None;
    };
    if fields.is_empty() {
        return None;
    }
    let same = |item: &Value| match item {
        Value::Object { type_name: t, fields: f } => {
            same_name(t, type_name)
                && f.len() == fields.len()
                && f.iter().zip(fields).all(|((a, _), (b, _))| same_name(a, b))
        }
        _ => false,
    };
    items[1..].iter().all(same).then_some((type_name, fields.as_slice()))
}

/// Field `j` of every item, which [`shape`] has checked are objects with
/// at least `j + 1` fields.
fn cells(items: &[Value], j: usize) -> impl Iterator<Item = &Value> + Clone {
    items.iter().filter_map(move |item| match item {
        Value::Object { fields, .. } => fields.get(j).map(|(_, v)| v),
        _ => None,
    })
}

/// Writes column `j`: the first kind that holds every cell, as the
/// protocol requires, so encoding stays deterministic.
fn put_column(buf: &mut BytesMut, items: &[Value], j: usize) {
    let column = cells(items, j);
    if column.clone().all(|v| matches!(v, Value::Int(_))) {
        buf.put_u8(column::INT);
        for v in column {
            if let Value::Int(i) = v {
                buf.put_i64(*i);
            }
        }
    } else if column.clone().all(|v| matches!(v, Value::Float(_))) {
        buf.put_u8(column::FLOAT);
        for v in column {
            if let Value::Float(f) = v {
                buf.put_u64(f.to_bits());
            }
        }
    } else if column.clone().all(|v| matches!(v, Value::Bool(_))) {
        buf.put_u8(column::BOOL);
        for v in column {
            buf.put_u8(u8::from(matches!(v, Value::Bool(true))));
        }
    } else if column.clone().all(|v| matches!(v, Value::Str(_))) {
        buf.put_u8(column::STR);
        for v in column.clone() {
            if let Value::Str(s) = v {
                put_len(buf, s.len());
            }
        }
        for v in column {
            if let Value::Str(s) = v {
                buf.put_slice(s.as_bytes());
            }
        }
    } else {
        buf.put_u8(column::VALUES);
        for v in column {
            encode_value(v, buf);
        }
    }
}

/// Decodes a table's payload (after its tag) into its objects; `depth` is
/// the depth of the objects, one below the list's.
pub(crate) fn decode_table(input: &mut &[u8], depth: usize) -> Result<Vec<Value>, WireError> {
    let cell_depth = enter(depth)?;
    let type_name: Name = take_str(input, "table type name")?.into();
    let width = take_count(input, "table field", 5)?;
    if width == 0 {
        return Err(WireError::EmptyTable);
    }
    let mut names: Vec<Name> = Vec::with_capacity(width.min(PREALLOC_ITEMS));
    for _ in 0..width {
        names.push(take_str(input, "table field name")?.into());
    }
    let rows = take_rows(input, width)?;
    let mut columns = Vec::with_capacity(width);
    for _ in 0..width {
        columns.push(decode_column(input, rows, cell_depth)?.into_iter());
    }
    let mut objects = Vec::with_capacity(rows);
    for _ in 0..rows {
        let mut fields = Vec::with_capacity(width);
        for (name, column) in names.iter().zip(columns.iter_mut()) {
            fields.extend(column.next().map(|value| (name.clone(), value)));
        }
        objects.push(Value::Object { type_name: type_name.clone(), fields });
    }
    Ok(objects)
}

/// Reads the row count, refused unless every cell could take a byte of
/// what remains.
fn take_rows(input: &mut &[u8], width: usize) -> Result<usize, WireError> {
    let count = take_u32(input, "table row count")?;
    let rows = count as usize;
    if rows.saturating_mul(width) > input.len() {
        return Err(WireError::CountTooLarge { what: "table row", count, remaining: input.len() });
    }
    Ok(rows)
}

fn decode_column(input: &mut &[u8], rows: usize, depth: usize) -> Result<Vec<Value>, WireError> {
    let kind = take_u8(input, "table column kind")?;
    Ok(match kind {
        column::VALUES => (0..rows).map(|_| decode_at(input, depth)).collect::<Result<_, _>>()?,
        column::BOOL => take_fixed(input, rows, 1, "bool column")?
            .iter()
            .map(|&b| match b {
                0 => Ok(Value::Bool(false)),
                1 => Ok(Value::Bool(true)),
                other => Err(WireError::BadBool(other)),
            })
            .collect::<Result<_, _>>()?,
        column::INT => words(take_fixed(input, rows, 8, "int column")?).map(|w| Value::Int(w as i64)).collect(),
        column::FLOAT => words(take_fixed(input, rows, 8, "float column")?).map(|w| Value::Float(f64::from_bits(w))).collect(),
        column::STR => {
            let lengths = take_fixed(input, rows, 4, "str column lengths")?;
            decode_strs(input, lengths)?
        }
        other => return Err(WireError::UnknownColumn(other)),
    })
}

/// The next `rows` items of `width` bytes each.
fn take_fixed<'a>(input: &mut &'a [u8], rows: usize, width: usize, what: &'static str) -> Result<&'a [u8], WireError> {
    let needed = rows.saturating_mul(width);
    if needed > input.len() {
        return Err(WireError::Truncated { what, needed, remaining: input.len() });
    }
    let (column, rest) = input.split_at(needed);
    *input = rest;
    Ok(column)
}

fn words(column: &[u8]) -> impl Iterator<Item = u64> + '_ {
    column.chunks_exact(8).map(|c| u64::from_be_bytes(c.try_into().unwrap_or_default()))
}

/// A str column's strings: `lengths` (u32 each) then the bytes they add up to.
fn decode_strs(input: &mut &[u8], lengths: &[u8]) -> Result<Vec<Value>, WireError> {
    let mut out = Vec::with_capacity(lengths.len() / 4);
    for len in lengths.chunks_exact(4) {
        let len = u32::from_be_bytes(len.try_into().unwrap_or_default()) as usize;
        if len > input.len() {
            return Err(WireError::Truncated { what: "str column", needed: len, remaining: input.len() });
        }
        let (text, rest) = input.split_at(len);
        *input = rest;
        match std::str::from_utf8(text) {
            Ok(s) => out.push(Value::Str(s.to_owned())),
            Err(_) => return Err(WireError::invalid_utf8("str column item", text)),
        }
    }
    Ok(out)
}
