//! The tagged value encoding: [`encode_value`] and [`decode_value`].
//!
//! Each value is a one-byte tag followed by its payload; integers, floats,
//! lengths and counts are big-endian. See `docs/PROTOCOL.md`, "Values".
//!
//! Decoding never trusts a count: a count is checked against the bytes that
//! remain (every item takes at least one) and vectors are pre-sized for a
//! few items at most, so memory stays proportional to the input. Nesting is
//! bounded by [`MAX_DEPTH`] so a hostile input cannot exhaust the stack.
//!
//! Writing is in `encode.rs`, reading in `decode.rs`, and the bounded
//! readers of fixed-size fields, lengths and counts in `take.rs`.

mod decode;
mod encode;
mod take;

pub use decode::decode_value;
pub use encode::{encode_value, size_hint};

pub(crate) use decode::{Input, decode_at, decode_fields_at, decode_items, enter};
pub(crate) use encode::{put_fields, put_len, put_str};
pub(crate) use take::{take_count, take_str, take_u8, take_u16, take_u32, take_u64};

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
