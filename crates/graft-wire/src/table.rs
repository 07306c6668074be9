//! Tables: a list of objects of one shape, written by columns.
//!
//! A list whose items are objects with the same type name and field names
//! is written once as those names, then one column per field (see
//! `docs/PROTOCOL.md`, "Tables"). It decodes to a [`Value::Table`], which
//! holds it by columns and is the same value as the row-by-row
//! [`Value::List`] of [`Value::Object`]s; both encode to the same bytes.
//!
//! Writing is in `encode.rs`, reading in `decode.rs`.

mod decode;
mod encode;

pub(crate) use decode::decode_table;
pub(crate) use encode::{columns_size_hint, put_columns, put_table, size_hint};
