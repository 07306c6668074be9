//! W3C trace context (https://www.w3.org/TR/trace-context/) for one call:
//! a call's `traceparent` metadata names its caller's span; gg continues
//! that trace with a span of its own and hands the hosted code (and so any
//! graft it calls) a `traceparent` naming that span. A missing or invalid
//! `traceparent` starts a new trace; it is never an error.

use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

/// `--logFormat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// The trace a call belongs to and its span in it, as lower-case hex.
pub struct Span {
    pub trace_id: String,
    pub span_id: String,
    /// The caller's span, when the call named a valid one.
    pub parent_id: Option<String>,
    /// The sampled flag passed on: whether this span is recorded
    /// ([`crate::otel`]).
    pub sampled: bool,
    /// The caller's `tracestate`, passed on unchanged (kept only with a
    /// valid `traceparent`, as W3C asks).
    pub tracestate: Option<String>,
}

/// The call's span: continues the trace its `traceparent` names (or starts
/// one) and puts the new span's `traceparent` in `metadata` in its place.
pub fn continue_in(metadata: &mut Vec<(String, String)>) -> Span {
    let incoming = metadata
        .iter()
        .find(|(name, _)| name == "traceparent")
        .and_then(|(_, value)| parse(value));
    let (trace_id, parent_id, mut flags) = match incoming {
        Some((trace, parent, flags)) => (trace, Some(parent), flags),
        None => (format!("{:016x}{:016x}", random(), random()), None, 1),
    };
    // With export on, its sampler decides; otherwise the caller's flags pass on.
    let parent_sampled = parent_id.as_ref().map(|_| flags & 1 == 1);
    if let Some(sampled) = crate::otel::sample(parent_sampled, &trace_id) {
        flags = (flags & !1) | u8::from(sampled);
    }
    let tracestate = match parent_id {
        Some(_) => tracestate(metadata),
        None => None,
    };
    let span = Span {
        span_id: format!("{:016x}", random()),
        trace_id,
        parent_id,
        sampled: flags & 1 == 1,
        tracestate,
    };
    metadata.retain(|(name, _)| {
        name != "traceparent" && (name != "tracestate" || span.tracestate.is_some())
    });
    let value = format!("00-{}-{}-{flags:02x}", span.trace_id, span.span_id);
    metadata.push(("traceparent".into(), value));
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
fn parse(value: &str) -> Option<(String, String, u8)> {
    let mut parts = value.trim().split('-');
    let (version, trace, parent, flags) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let hex = |s: &str, len: usize| {
        s.len() == len
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    let zero = |s: &str| s.bytes().all(|b| b == b'0');
    let valid = hex(version, 2)
        && version != "ff"
        && (version != "00" || parts.next().is_none())
        && hex(trace, 32)
        && !zero(trace)
        && hex(parent, 16)
        && !zero(parent)
        && hex(flags, 2);
    let flags = u8::from_str_radix(flags, 16).ok()?;
    valid.then(|| (trace.to_owned(), parent.to_owned(), flags))
}

/// A non-zero random u64 (std's randomly keyed hasher over a counter).
fn random() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.finish().max(1)
}
