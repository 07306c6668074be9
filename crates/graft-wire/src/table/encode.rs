//! Writing tables: a list of same-shaped objects, or a [`Table`], by columns.

use graft_model::{Column, Name, Table, Value, same_name};

use crate::codec::{column, encode_value, put_len, put_str, tag};
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
        put_column(buf, column);
    }
}

/// Writes one of a [`Table`]'s columns.
fn put_column(buf: &mut impl Sink, column: &Column) {
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
