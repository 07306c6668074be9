//! Reading tables: [`decode_table`], and each column of the kind it says.

use graft_model::{Column, Name, Table, Value};

use crate::codec::{
    Input, PREALLOC_ITEMS, column, decode_at, enter, take_count, take_str, take_u8, take_u32,
};
use crate::error::WireError;

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
