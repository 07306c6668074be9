//! W3C trace context (https://www.w3.org/TR/trace-context/) for one call:
//! a call's `traceparent` metadata names its caller's span; gg continues
//! that trace with a span of its own and hands the hosted code (and so any
//! graft it calls) a `traceparent` naming that span. A missing or invalid
//! `traceparent` starts a new trace; it is never an error.

use std::cell::Cell;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

/// `--logFormat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// The trace a call belongs to and its span in it. The ids are kept as
/// numbers and written as hex ([`Hex`]) only where a line or a header
/// needs them, so that a call allocates none of them.
pub struct Span {
    pub trace_id: u128,
    pub span_id: u64,
    /// The caller's span, when the call named a valid one.
    pub parent_id: Option<u64>,
    /// The sampled flag passed on: whether this span is recorded
    /// ([`crate::otel`]).
    pub sampled: bool,
    /// The caller's `tracestate`, passed on unchanged (kept only with a
    /// valid `traceparent`, as W3C asks).
    pub tracestate: Option<String>,
}

impl Span {
    pub fn trace_hex(&self) -> Hex<32> {
        Hex::of(self.trace_id)
    }

    pub fn span_hex(&self) -> Hex<16> {
        Hex::of(self.span_id.into())
    }

    pub fn parent_hex(&self) -> Option<Hex<16>> {
        self.parent_id.map(|id| Hex::of(id.into()))
    }

    /// Writes the `traceparent` that names this span to the calls it
    /// makes into `value` (in place of what it held).
    fn traceparent(&self, flags: u8, value: &mut String) {
        let mut bytes = [b'-'; 55];
        bytes[..2].copy_from_slice(b"00");
        bytes[3..35].copy_from_slice(self.trace_hex().as_bytes());
        bytes[36..52].copy_from_slice(self.span_hex().as_bytes());
        bytes[53..].copy_from_slice(Hex::<2>::of(flags.into()).as_bytes());
        value.clear();
        value.push_str(std::str::from_utf8(&bytes).expect("hex digits are ASCII"));
    }
}

/// The low `N` hex digits of a number, lower case and zero-padded, as
/// W3C writes ids; on the stack.
pub struct Hex<const N: usize>([u8; N]);

impl<const N: usize> Hex<N> {
    pub fn of(value: u128) -> Hex<N> {
        let mut digits = [0; N];
        for (eight, at) in digits.rchunks_mut(8).zip(0..) {
            let word = hex8((value >> (32 * at)) as u32);
            eight.copy_from_slice(&word[8 - eight.len()..]);
        }
        Hex(digits)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("hex digits are ASCII")
    }
}

/// The eight hex digits of `word`, worked out together in one `u64` (a
/// digit a byte) rather than one by one.
fn hex8(word: u32) -> [u8; 8] {
    // Each nibble to a byte of its own, the highest first.
    let mut digits = u64::from(word);
    digits = (digits | digits << 16) & 0x0000_ffff_0000_ffff;
    digits = (digits | digits << 8) & 0x00ff_00ff_00ff_00ff;
    digits = (digits | digits << 4) & 0x0f0f_0f0f_0f0f_0f0f;
    // 1 in each byte that holds 10 or more: its digit is a letter, 39
    // past where '0' + 10 would be.
    let letters = (digits + 0x0606_0606_0606_0606) >> 4 & 0x0101_0101_0101_0101;
    (digits + 0x3030_3030_3030_3030 + letters * 39).to_be_bytes()
}

/// The call's span: continues the trace its `traceparent` names (or starts
/// one) and puts the new span's `traceparent` in `metadata` in its place.
pub fn continue_in(metadata: &mut Vec<(String, String)>) -> Span {
    let given = metadata.iter().position(|(name, _)| name == "traceparent");
    let incoming = given.and_then(|at| parse(&metadata[at].1));
    let (trace_id, parent_id, mut flags) = match incoming {
        Some((trace, parent, flags)) => (trace, Some(parent), flags),
        None => (u128::from(random()) << 64 | u128::from(random()), None, 1),
    };
    // With export on, its sampler decides; otherwise the caller's flags pass on.
    let parent_sampled = parent_id.map(|_| flags & 1 == 1);
    if let Some(sampled) = crate::otel::sample(parent_sampled, trace_id) {
        flags = (flags & !1) | u8::from(sampled);
    }
    let tracestate = match parent_id {
        Some(_) => tracestate(metadata),
        None => None,
    };
    let span = Span {
        span_id: random(),
        trace_id,
        parent_id,
        sampled: flags & 1 == 1,
        tracestate,
    };
    // The caller's entry, if any, names the new span (at the end, as a new one would).
    let mut own = match given {
        Some(at) => metadata.remove(at),
        None => ("traceparent".into(), String::new()),
    };
    metadata.retain(|(name, _)| {
        name != "traceparent" && (name != "tracestate" || span.tracestate.is_some())
    });
    span.traceparent(flags, &mut own.1);
    metadata.push(own);
    span
}

/// The call's `tracestate`: its values joined, as a header given twice is
/// (https://www.w3.org/TR/trace-context/#tracestate-header).
fn tracestate(metadata: &[(String, String)]) -> Option<String> {
    let values: Vec<&str> = metadata
        .iter()
        .filter(|(name, value)| name == "tracestate" && !value.trim().is_empty())
        .map(|(_, value)| value.trim())
        .collect();
    (!values.is_empty()).then(|| values.join(","))
}

/// (trace id, parent id, flags) of a valid version-00 `traceparent`.
fn parse(value: &str) -> Option<(u128, u64, u8)> {
    let mut parts = value.trim().split('-');
    let (version, trace, parent, flags) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let version = hex(version, 2)?;
    if version == 0xff || (version == 0 && parts.next().is_some()) {
        return None;
    }
    let (high, low) = (trace.get(..16)?, trace.get(16..)?);
    let trace = u128::from(hex(high, 16)?) << 64 | u128::from(hex(low, 16)?);
    let (parent, flags) = (hex(parent, 16)?, hex(flags, 2)?);
    (trace != 0 && parent != 0).then_some((trace, parent, flags as u8))
}

/// The value of `digits` if it is `len` (at most 16) lower-case hex
/// digits, as W3C asks.
fn hex(digits: &str, len: usize) -> Option<u64> {
    if digits.len() != len {
        return None;
    }
    // A table, not a branch per digit: ids are random, so branches mispredict.
    const DIGITS: [u8; 256] = {
        let mut table = [0xff; 256];
        let mut at = 0;
        while at < 16 {
            table[b"0123456789abcdef"[at] as usize] = at as u8;
            at += 1;
        }
        table
    };
    let mut value = 0;
    let mut bad = 0;
    for digit in digits.bytes() {
        let digit = DIGITS[usize::from(digit)];
        bad |= digit;
        value = value << 4 | u64::from(digit & 0xf);
    }
    (bad < 16).then_some(value)
}

thread_local! {
    /// The state of this thread's generator of ids (wyrand, by fastrand): a
    /// multiply an id, where SipHash over a counter cost a hundred
    /// instructions. Seeded from std's randomly keyed hasher (keys from the
    /// OS), so that other threads and processes start elsewhere.
    static IDS: Cell<u64> = Cell::new(RandomState::new().build_hasher().finish());
}

/// A non-zero random u64.
fn random() -> u64 {
    IDS.with(|state| {
        let mut ids = fastrand::Rng::with_seed(state.get());
        let id = ids.u64(..);
        state.set(ids.get_seed());
        id.max(1)
    })
}

#[cfg(test)]
mod tests;
