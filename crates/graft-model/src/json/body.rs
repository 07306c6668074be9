//! Reading the body of an HTTP call: JSON text to [`Arguments`].

use serde_json::{Map, Value as Json};

use crate::bind::{ArgError, Arguments};

/// Why a call's body cannot be read as arguments.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// The body is not JSON text (or holds a string no text can be).
    #[error("the body is not valid JSON: {0}")]
    NotJson(String),
    /// The body is JSON, but neither an object nor an array.
    #[error(transparent)]
    Arguments(#[from] ArgError),
}

/// The arguments in a call's body: a JSON object (by name), a JSON array (by
/// position), or an empty body (no arguments). `null` is refused: it is a
/// value, not "no arguments", and a caller sending it has made a mistake;
/// so is a body of whitespace alone, which is not JSON text.
pub fn call_arguments(body: &[u8]) -> Result<Arguments, BodyError> {
    if body.is_empty() {
        return Ok(Arguments::Named(Map::new()));
    }
    match parse(body)? {
        Json::Null => Err(ArgError::NotArguments("null".into()).into()),
        json => Ok(Arguments::from_json(json)?),
    }
}

/// Parses JSON text, naming a lone surrogate escape (`\ud800` with no
/// second half) plainly where the parser's own message would mislead.
pub fn parse(body: &[u8]) -> Result<Json, BodyError> {
    serde_json::from_slice(body).map_err(|e| {
        let message = match lone_surrogate(body) {
            Some((at, escape)) => format!(
                "`{escape}` at byte {at} is a lone surrogate (one half of a UTF-16 pair \
                 without the other), which no Unicode text can hold"
            ),
            None => e.to_string(),
        };
        BodyError::NotJson(message)
    })
}

/// The first `\uXXXX` escape in `body` that is a surrogate not paired as
/// UTF-16 pairs them (a high one followed by a low one), with its offset.
fn lone_surrogate(body: &[u8]) -> Option<(usize, String)> {
    let escape_at = |i: usize| -> Option<u16> {
        let hex = body.get(i + 2..i + 6)?;
        (body.get(i..i + 2)? == b"\\u")
            .then(|| u16::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok())
            .flatten()
    };
    let mut i = 0;
    while i < body.len() {
        if body[i] != b'\\' {
            i += 1;
            continue;
        }
        let Some(unit) = escape_at(i) else {
            i += 2; // Another escape (`\\`, `\"`, ...): its second byte is not a backslash.
            continue;
        };
        let high = (0xD800..0xDC00).contains(&unit);
        let low = (0xDC00..0xE000).contains(&unit);
        let paired = high && escape_at(i + 6).is_some_and(|u| (0xDC00..0xE000).contains(&u));
        if (high && !paired) || low {
            return Some((i, String::from_utf8_lossy(&body[i..i + 6]).into_owned()));
        }
        i += if paired { 12 } else { 6 };
    }
    None
}
