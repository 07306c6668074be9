//! A call's duration in milliseconds, an `f64`, written in the bytes of
//! its `Debug` (as tracing's text formatter writes a float field) without
//! `Debug`'s grisu, which cost a call about 700 instructions.
//!
//! Mostly the `f64` is the nearest to the call's nanoseconds over 10^6,
//! and then that decimal is its shortest digits: it is written from the
//! nanoseconds ([`exact`]). Otherwise ryu writes it. Both ryu and `Debug`
//! write the shortest digits that read back as the same `f64`, and of
//! those the nearest to it; they part only where `Debug` writes an
//! exponent (below 1e-4 and from 1e16 on) and where two candidates are
//! equally near, which `Debug` rounds up and ryu to even. Those values are
//! left to `Debug`. The tests hold all three side by side.

use std::io::Write as _;
use std::time::Duration;

/// `elapsed` in milliseconds, as an access line has it.
pub fn ms(elapsed: Duration) -> f64 {
    elapsed.as_secs_f64() * 1000.0
}

/// Writes `ms(elapsed)` as `format!("{:?}", ms(elapsed))` does.
pub fn write(out: &mut Vec<u8>, elapsed: Duration) {
    let ms = ms(elapsed);
    if !exact(out, elapsed, ms) {
        debug(out, ms);
    }
}

/// Writes `ms` as the decimal of `elapsed`'s nanoseconds over 10^6 if it
/// is the `f64` nearest to that decimal (and so writes as it); whether
/// it did.
fn exact(out: &mut Vec<u8>, elapsed: Duration, ms: f64) -> bool {
    // From 100 ns (1e-4 ms, below which Debug writes an exponent) to
    // 2^52 ns (52 days: `ns as f64` is exact, and `ms` is below 2^33,
    // where doubles are under 10^-6 apart: no other decimal of six places
    // or fewer reads back as `ms`, and so none shorter).
    let mut ns = match u64::try_from(elapsed.as_nanos()) {
        Ok(ns) if (100..1 << 52).contains(&ns) && ns as f64 / 1e6 == ms => ns,
        _ => return false,
    };
    // Up to 10 whole digits, the point and 6 decimals, from the right.
    let mut text = [b'.'; 17];
    let mut at = text.len();
    for place in 0.. {
        if place == 6 {
            at -= 1; // the point
        }
        at -= 1;
        text[at] = b'0' + (ns % 10) as u8;
        ns /= 10;
        if ns == 0 && place >= 6 {
            break;
        }
    }
    // Trailing zeros dropped but the one after a point.
    let mut end = text.len();
    while text[end - 1] == b'0' && text[end - 2] != b'.' {
        end -= 1;
    }
    out.extend_from_slice(&text[at..end]);
    true
}

/// Writes `x` as `format!("{x:?}")` does.
fn debug(out: &mut Vec<u8>, x: f64) {
    if (1e-4..1e16).contains(&x) && !may_tie(x) {
        let mut digits = ryu::Buffer::new();
        out.extend_from_slice(digits.format_finite(x).as_bytes());
    } else {
        let _ = write!(out, "{x:?}");
    }
}

/// Whether `x` (normal and positive) might lie halfway between two
/// candidates of its shortest length. Halfway means that `x` is exactly a
/// decimal one digit longer, ending in 5, and the shortest takes at most
/// 17 digits: so `x`, which is `m / 2^k` (m odd) or a whole number, is a
/// fraction whose exact digits, those of `m * 5^k`, number at most 18.
/// Of the durations up to 100 s, one in 16,000 is such a fraction (the
/// multiples of 15,625 ns), nearly all of them written by [`exact`].
fn may_tie(x: f64) -> bool {
    let bits = x.to_bits();
    let mantissa = bits & ((1 << 52) - 1) | 1 << 52;
    let zeros = mantissa.trailing_zeros();
    // x = (mantissa >> zeros) * 2^-k
    let k = 1075 - (bits >> 52) as i32 - zeros as i32;
    k > 0
        && 5u64
            .checked_pow(k as u32)
            .and_then(|power| power.checked_mul(mantissa >> zeros))
            .is_some_and(|digits| digits < 10u64.pow(18))
}

#[cfg(test)]
mod tests;
