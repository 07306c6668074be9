//! The scalars real code uses beyond JSON's own: `decimal.Decimal`,
//! `uuid.UUID`, `datetime.timedelta` and `datetime.time`. Their text forms
//! are pydantic v2's in JSON mode; each is checked here, before any Python
//! runs, so Python's own constructor never meets text it would refuse.
//!
//! [`TimeDelta`] and its duration text are in `timedelta.rs`.

use serde_json::Value as Json;

use crate::interface::TypeRef;
use crate::value::Value;

mod timedelta;
pub use timedelta::TimeDelta;

/// Whether `text` is a number as `decimal.Decimal(text)` reads it: a sign,
/// digits with a point and an exponent, `Infinity`/`Inf`, `NaN` or `sNaN`
/// (any case, NaN with payload digits); spaces around and single
/// underscores between digits are allowed, as Python allows them.
pub fn is_decimal(text: &str) -> bool {
    let text = text.trim();
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let lower = body.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" {
        return true;
    }
    if let Some(payload) = lower.strip_prefix("nan").or(lower.strip_prefix("snan")) {
        return payload.is_empty() || digits(payload);
    }
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, fraction)) => {
            (whole.is_empty() || digits(whole))
                && (fraction.is_empty() || digits(fraction))
                && !(whole.is_empty() && fraction.is_empty())
        }
        None => digits(mantissa),
    };
    exponent_ok && mantissa_ok
}

/// One or more ASCII digits, with single underscores between them.
fn digits(text: &str) -> bool {
    !text.is_empty()
        && !text.starts_with('_')
        && !text.ends_with('_')
        && !text.contains("__")
        && text.bytes().all(|b| b.is_ascii_digit() || b == b'_')
}

/// A UUID's 16 bytes from its text, as `uuid.UUID(text)` reads it: 32 hex
/// digits, hyphens anywhere, in braces or after `urn:uuid:`, any case.
pub fn parse_uuid(text: &str) -> Option<[u8; 16]> {
    let text = text.trim();
    let text = text.strip_prefix("urn:uuid:").unwrap_or(text);
    let text = match text.strip_prefix('{') {
        Some(inner) => inner.strip_suffix('}')?,
        None => text,
    };
    let hex: Vec<u8> = text.bytes().filter(|&b| b != b'-').collect();
    if hex.len() != 32 || !hex.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let mut out = [0u8; 16];
    for (byte, pair) in out.iter_mut().zip(hex.chunks(2)) {
        let pair = std::str::from_utf8(pair).ok()?;
        *byte = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(out)
}

/// A `datetime` or `time`'s text (`isoformat()`'s, as the wire carries it)
/// in pydantic v2's JSON form: a zero offset is written `Z`.
pub fn iso_json(text: &str) -> String {
    match text.strip_suffix("+00:00") {
        Some(local) => format!("{local}Z"),
        None => text.to_owned(),
    }
}

/// The canonical text of a UUID: lower-case, hyphenated, as `str(uuid)` writes it.
pub fn uuid_text(bytes: &[u8; 16]) -> String {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Whether `text` is a time of day as `time.fromisoformat` reads it:
/// `HH[:MM[:SS[.ffffff]]]`, then `Z` or an offset `±HH:MM[:SS[.ffffff]]`.
pub fn is_time(text: &str) -> bool {
    let (clock, offset) = match text.find(['+', '-', 'Z', 'z']) {
        Some(at) => (&text[..at], Some(&text[at..])),
        None => (text, None),
    };
    let offset_ok = match offset {
        None | Some("Z" | "z") => true,
        Some(o) => clock_ok(&o[1..], 2, 24),
    };
    offset_ok && clock_ok(clock, 1, 24)
}

/// `HH`, `HH:MM`, `HH:MM:SS` or `HH:MM:SS.f` (1 to 6 digits), with at
/// least `parts` parts and hours below `hours`.
fn clock_ok(text: &str, parts: usize, hours: u32) -> bool {
    let (main, fraction) = match text.split_once('.') {
        Some((main, f)) => (main, Some(f)),
        None => (text, None),
    };
    let fields: Vec<&str> = main.split(':').collect();
    let limits = [hours, 60, 60];
    let fields_ok = fields.len() >= parts
        && fields.len() <= 3
        && fields.iter().zip(limits).all(|(f, limit)| {
            f.len() == 2
                && f.bytes().all(|b| b.is_ascii_digit())
                && f.parse::<u32>().is_ok_and(|n| n < limit)
        });
    let fraction_ok = fraction.is_none_or(|f| {
        fields.len() == 3 && (1..=6).contains(&f.len()) && f.bytes().all(|b| b.is_ascii_digit())
    });
    fields_ok && fraction_ok
}

/// A JSON value as one of these scalars (`ty`), if it is one: Decimal
/// from its text or a number, UUID from its text, timedelta from an ISO
/// 8601 duration or a number of seconds, time from its ISO text.
pub(crate) fn from_json(json: &Json, ty: &TypeRef) -> Option<Value> {
    match (ty, json) {
        (TypeRef::Decimal, Json::String(s)) if is_decimal(s) => {
            Some(Value::Decimal(s.trim().into()))
        }
        (TypeRef::Decimal, Json::Number(n)) => Some(Value::Decimal(n.to_string())),
        (TypeRef::Uuid, Json::String(s)) => parse_uuid(s).map(Value::Uuid),
        (TypeRef::TimeDelta, Json::String(s)) => TimeDelta::parse(s).map(Value::TimeDelta),
        (TypeRef::TimeDelta, Json::Number(n)) => {
            TimeDelta::from_seconds(n.as_f64()?).map(Value::TimeDelta)
        }
        (TypeRef::Time, Json::String(s)) if is_time(s) => Some(Value::Time(s.clone())),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
