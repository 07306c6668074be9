//! The `take_*` readers: fixed-size fields, lengths and counts from the
//! front of the bytes left, never past their end.

use crate::error::WireError;

pub(crate) fn take_u8(input: &mut &[u8], what: &'static str) -> Result<u8, WireError> {
    Ok(take_array::<1>(input, what)?[0])
}

pub(crate) fn take_u16(input: &mut &[u8], what: &'static str) -> Result<u16, WireError> {
    Ok(u16::from_be_bytes(take_array(input, what)?))
}

pub(crate) fn take_u32(input: &mut &[u8], what: &'static str) -> Result<u32, WireError> {
    Ok(u32::from_be_bytes(take_array(input, what)?))
}

pub(crate) fn take_u64(input: &mut &[u8], what: &'static str) -> Result<u64, WireError> {
    Ok(u64::from_be_bytes(take_array(input, what)?))
}

pub(super) fn take_array<const N: usize>(
    input: &mut &[u8],
    what: &'static str,
) -> Result<[u8; N], WireError> {
    let (head, rest) = input.split_first_chunk::<N>().ok_or(WireError::Truncated {
        what,
        needed: N,
        remaining: input.len(),
    })?;
    *input = rest;
    Ok(*head)
}

/// Reads a u32 count of items that take at least `min_item` bytes each, and
/// refuses it unless the remaining input could hold that many.
pub(crate) fn take_count(
    input: &mut &[u8],
    what: &'static str,
    min_item: usize,
) -> Result<usize, WireError> {
    let count = take_u32(input, what)?;
    let n = count as usize;
    if n.saturating_mul(min_item) > input.len() {
        return Err(WireError::CountTooLarge {
            what,
            count,
            remaining: input.len(),
        });
    }
    Ok(n)
}

/// Reads a u32 length then that many bytes.
pub(crate) fn take_bytes<'a>(
    input: &mut &'a [u8],
    what: &'static str,
) -> Result<&'a [u8], WireError> {
    let len = take_u32(input, what)? as usize;
    if len > input.len() {
        return Err(WireError::Truncated {
            what,
            needed: len,
            remaining: input.len(),
        });
    }
    let (bytes, rest) = input.split_at(len);
    *input = rest;
    Ok(bytes)
}

/// Reads a u32 length then that many bytes of UTF-8.
pub(crate) fn take_str(input: &mut &[u8], what: &'static str) -> Result<String, WireError> {
    let bytes = take_bytes(input, what)?;
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_owned()),
        Err(_) => Err(WireError::invalid_utf8(what, bytes)),
    }
}
