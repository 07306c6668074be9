//! An `f64` written in the bytes of its `Debug` (as tracing's text
//! formatter writes a float field), by ryu: `Debug`'s grisu cost a call
//! about 700 instructions for its duration alone.
//!
//! Both write the shortest digits that read back as the same `f64`, and of
//! those the nearest to it; they part only where `Debug` writes an
//! exponent (below 1e-4 and from 1e16 on) and where two candidates are
//! equally near, which `Debug` rounds up and ryu to even. Those values are
//! left to `Debug`: the tests hold the two side by side.

use std::io::Write as _;

/// Writes `x` as `format!("{x:?}")` does.
pub fn debug(out: &mut Vec<u8>, x: f64) {
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
/// multiples of 15,625 ns); those go to `Debug`.
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
