//! Tables: a list of objects of one shape, written by columns.
//!
//! A list whose items are objects with the same type name and field names
//! is written once as those names, then one column per field (see
//! `docs/PROTOCOL.md`, "Tables"). It decodes to a [`Value::Table`], which
//! holds it by columns and is the same value as the row-by-row
//! [`Value::List`] of [`Value::Object`]s; both encode to the same bytes.

use graft_model::{Column, Name, Table, Value, same_name};

use crate::codec::{
    Input, PREALLOC_ITEMS, column, decode_at, encode_value, enter, put_len, put_str, tag,
    take_count, take_str, take_u8, take_u32,
};
use crate::error::WireError;
use crate::sink::Sink;

/// Writes `items` as a table and returns true, or writes nothing and
/// returns false when they are not a table's shape (empty, not all objects,
/// names that differ, or objects without fields).
pub(crate) fn put_table(buf: &mut impl Sink, items: &[Value]) -> bool {
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
        put_cells(buf, cells(items, j));
    }
    true
}

/// Writes a [`Table`]: a list of its objects when it has none (a table
/// holds at least one), else the table, each column of the first kind that
/// holds every cell, as [`put_table`] writes the same objects.
pub(crate) fn put_columns(buf: &mut impl Sink, table: &Table) {
    let rows = table.rows();
    if rows == 0 {
        buf.put_u8(tag::LIST);
        put_len(buf, 0);
        return;
    }
    buf.put_u8(tag::TABLE);
    put_str(buf, &table.type_name);
    put_len(buf, table.names.len());
    for name in &table.names {
        put_str(buf, name);
    }
    put_len(buf, rows);
    for column in &table.columns {
        match column {
            Column::Bool(bools) => {
                buf.put_u8(column::BOOL);
                bools.iter().for_each(|&b| buf.put_u8(u8::from(b)));
            }
            Column::Int(ints) => {
                buf.put_u8(column::INT);
                ints.iter().for_each(|&i| buf.put_i64(i));
            }
            Column::Float(floats) => {
                buf.put_u8(column::FLOAT);
                floats.iter().for_each(|f| buf.put_u64(f.to_bits()));
            }
            Column::Str { text, ends } => {
                let strs = (0..ends.len()).map(|i| Column::str_at(text, ends, i));
                put_strs(
                    buf,
                    strs,
                    ends.len(),
                    text.len(),
                    text.as_bytes().contains(&0),
                );
            }
            Column::Values(cells) => put_cells(buf, cells.iter()),
        }
    }
}

/// About how many bytes [`put_columns`] writes.
pub(crate) fn columns_size_hint(table: &Table) -> usize {
    let rows = table.rows();
    let head =
        13 + table.type_name.len() + table.names.iter().map(|name| 5 + name.len()).sum::<usize>();
    head + table
        .columns
        .iter()
        .map(|column| match column {
            Column::Bool(_) => 1 + rows,
            Column::Int(_) | Column::Float(_) => 1 + 8 * rows,
            Column::Str { text, .. } => 1 + 4 * rows + text.len(),
            Column::Values(cells) => 1 + cells.iter().map(crate::codec::size_hint).sum::<usize>(),
        })
        .sum::<usize>()
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
    let row = names
        .iter()
        .map(|(_, value)| crate::codec::size_hint(value))
        .sum::<usize>();
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
        Value::Object {
            type_name: t,
            fields: f,
        } => {
            same_name(t, type_name)
                && f.len() == fields.len()
                && f.iter().zip(fields).all(|((a, _), (b, _))| same_name(a, b))
        }
        _ => false,
    };
    items[1..]
        .iter()
        .all(same)
        .then_some((type_name, fields.as_slice()))
}

/// Field `j` of every item, which [`shape`] has checked are objects with
/// at least `j + 1` fields.
fn cells(items: &[Value], j: usize) -> impl Iterator<Item = &Value> + Clone {
    items.iter().filter_map(move |item| match item {
        Value::Object { fields, .. } => fields.get(j).map(|(_, v)| v),
        _ => None,
    })
}

/// Writes a column of `column`'s cells: the first kind that holds every
/// cell, as the protocol requires, so encoding stays deterministic.
fn put_cells<'a>(buf: &mut impl Sink, column: impl Iterator<Item = &'a Value> + Clone) {
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
        let strs = column.filter_map(|v| {
            if let Value::Str(s) = v {
                Some(s.as_str())
            } else {
                None
            }
        });
        let (count, bytes, nul) = strs.clone().fold((0, 0, false), |(count, bytes, nul), s| {
            (count + 1, bytes + s.len(), nul || s.as_bytes().contains(&0))
        });
        put_strs(buf, strs, count, bytes, nul);
    } else {
        buf.put_u8(column::VALUES);
        for v in column {
            encode_value(v, buf);
        }
    }
}

/// Writes a str column of `count` strings, `bytes` long in all: joined by
/// 0x00 bytes unless one of them holds one (`nul`), then by lengths (the
/// protocol's rule).
fn put_strs<'a>(
    buf: &mut impl Sink,
    strs: impl Iterator<Item = &'a str> + Clone,
    count: usize,
    bytes: usize,
    nul: bool,
) {
    if nul {
        buf.put_u8(column::STR);
        strs.clone().for_each(|s| put_len(buf, s.len()));
        strs.for_each(|s| buf.put_slice(s.as_bytes()));
        return;
    }
    buf.put_u8(column::STR_JOINED);
    put_len(buf, (bytes + count).saturating_sub(1));
    for (i, s) in strs.enumerate() {
        if i > 0 {
            buf.put_u8(0);
        }
        buf.put_slice(s.as_bytes());
    }
}

/// Decodes a table's payload (after its tag); `depth` is the depth of the
/// objects, one below the list's. A table of no rows is the empty list.
pub(crate) fn decode_table(input: &mut Input<'_>, depth: usize) -> Result<Value, WireError> {
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
        columns.push(decode_column(input, rows, cell_depth)?);
    }
    if rows == 0 {
        return Ok(Value::List(Vec::new()));
    }
    Ok(Value::Table(Box::new(Table {
        type_name,
        names,
        columns,
    })))
}

/// Reads the row count, refused unless every cell could take a byte of
/// what remains.
fn take_rows(input: &mut &[u8], width: usize) -> Result<usize, WireError> {
    let count = take_u32(input, "table row count")?;
    let rows = count as usize;
    if rows.saturating_mul(width) > input.len() {
        return Err(WireError::CountTooLarge {
            what: "table row",
            count,
            remaining: input.len(),
        });
    }
    Ok(rows)
}

fn decode_column(input: &mut Input<'_>, rows: usize, depth: usize) -> Result<Column, WireError> {
    let kind = take_u8(input, "table column kind")?;
    Ok(match kind {
        column::VALUES => Column::Values(
            (0..rows)
                .map(|_| decode_at(input, depth))
                .collect::<Result<_, _>>()?,
        ),
        column::BOOL => Column::Bool(
            take_fixed(input, rows, 1, "bool column")?
                .iter()
                .map(|&b| match b {
                    0 => Ok(false),
                    1 => Ok(true),
                    other => Err(WireError::BadBool(other)),
                })
                .collect::<Result<_, _>>()?,
        ),
        column::INT => Column::Int(
            words(take_fixed(input, rows, 8, "int column")?)
                .map(|w| w as i64)
                .collect(),
        ),
        column::FLOAT => Column::Float(
            words(take_fixed(input, rows, 8, "float column")?)
                .map(f64::from_bits)
                .collect(),
        ),
        column::STR => {
            let lengths = take_fixed(input, rows, 4, "str column lengths")?;
            decode_strs(input, lengths)?
        }
        column::STR_JOINED => {
            let len = take_u32(input, "joined str column length")? as usize;
            decode_joined(take_fixed(input, len, 1, "joined str column")?, rows)?
        }
        other => return Err(WireError::UnknownColumn(other)),
    })
}

/// The next `rows` items of `width` bytes each.
fn take_fixed<'a>(
    input: &mut &'a [u8],
    rows: usize,
    width: usize,
    what: &'static str,
) -> Result<&'a [u8], WireError> {
    let needed = rows.saturating_mul(width);
    if needed > input.len() {
        return Err(WireError::Truncated {
            what,
            needed,
            remaining: input.len(),
        });
    }
    let (column, rest) = input.split_at(needed);
    *input = rest;
    Ok(column)
}

fn words(column: &[u8]) -> impl Iterator<Item = u64> + '_ {
    column
        .chunks_exact(8)
        .map(|c| u64::from_be_bytes(c.try_into().unwrap_or_default()))
}

/// A str column's strings: `lengths` (u32 each) then the bytes they add up
/// to, each valid UTF-8 on its own.
fn decode_strs(input: &mut &[u8], lengths: &[u8]) -> Result<Column, WireError> {
    let mut ends = Vec::with_capacity(lengths.len() / 4);
    let mut end = 0usize;
    for len in lengths.chunks_exact(4) {
        let len = u32::from_be_bytes(len.try_into().unwrap_or_default()) as usize;
        end += len;
        if end > input.len() {
            return Err(WireError::Truncated {
                what: "str column",
                needed: len,
                remaining: input.len() + len - end,
            });
        }
        ends.push(end);
    }
    let (bytes, rest) = input.split_at(end);
    // Valid as a whole with every end on a char boundary is the same as
    // every string valid alone, and one check instead of one per string.
    let text = std::str::from_utf8(bytes)
        .ok()
        .filter(|text| ends.iter().all(|&end| text.is_char_boundary(end)));
    let Some(text) = text else {
        let starts = std::iter::once(0).chain(ends.iter().copied());
        let bad = starts
            .zip(&ends)
            .map(|(start, &end)| &bytes[start..end])
            .find(|s| std::str::from_utf8(s).is_err());
        return Err(WireError::invalid_utf8(
            "str column item",
            bad.unwrap_or(bytes),
        ));
    };
    *input = rest;
    Ok(Column::Str {
        text: text.to_owned(),
        ends,
    })
}

/// A joined str column's strings: `bytes` is them joined by 0x00 bytes,
/// valid UTF-8 (0x00 is never part of a longer character, so each string
/// is valid alone when the whole is), and must hold `rows` strings.
fn decode_joined(bytes: &[u8], rows: usize) -> Result<Column, WireError> {
    let Ok(joined) = std::str::from_utf8(bytes) else {
        let bad = bytes
            .split(|&b| b == 0)
            .find(|s| std::str::from_utf8(s).is_err());
        return Err(WireError::invalid_utf8(
            "str column item",
            bad.unwrap_or(bytes),
        ));
    };
    let mut text = String::with_capacity(bytes.len());
    let mut ends = Vec::with_capacity(rows);
    if rows > 0 || !joined.is_empty() {
        // At most one string more than the table's rows, then the count is wrong anyway.
        for s in joined.split('\0').take(rows + 1) {
            text.push_str(s);
            ends.push(text.len());
        }
    }
    if ends.len() != rows {
        return Err(WireError::JoinedStrs {
            rows,
            found: bytes.iter().filter(|&&b| b == 0).count() + 1,
        });
    }
    Ok(Column::Str { text, ends })
}
