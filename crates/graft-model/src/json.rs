//! Type-directed conversion between JSON and [`Value`].
//!
//! [`from_json`] is the argument check of the HTTP call API: it accepts a JSON
//! value only if it fits the declared type, and says where and why not.
//! [`to_json`] writes any [`Value`]: bytes as base64, datetimes as ISO 8601,
//! dataclasses as objects, enum members as their values.
//!
//! Reading JSON is in `convert.rs`, writing it in `write.rs`; a call's body
//! in `body.rs`, an object reference's JSON form in `reference.rs`.
//!
//! [`Value`]: crate::Value

use serde_json::{Number, Value as Json};

mod body;
mod convert;
mod reference;
mod write;
pub use body::{BodyError, call_arguments, parse};
pub use convert::from_json;
pub use reference::is_object_id;
pub use write::to_json;

use crate::interface::TypeRef;
use crate::path::Path;

/// A JSON value that does not fit its declared type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: expected {expected}, got {found}")]
pub struct TypeError {
    /// Where in the argument: `kwh_used`, `items[2].price`.
    pub path: String,
    pub expected: String,
    /// The offending value as JSON text, shortened.
    pub found: String,
}

fn mismatch(path: &Path<'_>, expected: impl Into<String>, json: &Json) -> TypeError {
    TypeError {
        path: path.to_string(),
        expected: expected.into(),
        found: shortened(json),
    }
}

/// `json`'s text for an error message, cut to 80 characters.
pub(crate) fn shortened(json: &Json) -> String {
    let mut text = json.to_string();
    if text.len() > 80 {
        let cut = (0..=77)
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        text.truncate(cut);
        text.push_str("...");
    }
    text
}

/// A `Flag`'s value that is a combination of its members (their bits, or
/// none of them), for a JSON integer (`2.0` too, as JSON Schema counts it).
pub(crate) fn flag_value(
    members: &[crate::interface::EnumMember],
    flag: bool,
    json: &Json,
) -> Option<i64> {
    let bits = members
        .iter()
        .filter_map(|m| m.value.as_i64())
        .fold(0, |a, b| a | b);
    let value = json.as_number().and_then(int_of).filter(|_| flag)?;
    (value >= 0 && value & !bits == 0).then_some(value)
}

/// Whether a union option takes an int as it is (see [`crate::check`]).
pub(crate) fn takes_int(option: &TypeRef) -> bool {
    matches!(option, TypeRef::Int | TypeRef::Float)
}

/// A JSON number as an int: an integer, or a float with no fractional part
/// (JSON Schema counts `1.0` as an integer), within the 64-bit signed range.
fn int_of(n: &Number) -> Option<i64> {
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    // 2^63. An integer written past the i64 range reaches here as a float
    // rounded to at least 2^63 in magnitude (-2^63 - 1 rounds to -2^63), so
    // both ends are open: no out-of-range literal passes.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    let f = n.as_f64()?;
    (f.fract() == 0.0 && f > -LIMIT && f < LIMIT).then_some(f as i64)
}

#[cfg(test)]
mod tests;
