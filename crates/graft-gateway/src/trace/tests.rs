//! W3C trace context as gg continues it, ids kept as numbers.

use super::{Hex, continue_in, parse, random};

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

fn metadata(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

fn traceparent(metadata: &[(String, String)]) -> Vec<&str> {
    let found = metadata.iter().filter(|(name, _)| name == "traceparent");
    found.map(|(_, value)| value.as_str()).collect()
}

#[test]
fn hex_is_zero_padded_lower_case() {
    assert_eq!(Hex::<16>::of(0xab).as_str(), "00000000000000ab");
    assert_eq!(Hex::<2>::of(1).as_str(), "01");
    assert_eq!(Hex::<32>::of(u128::MAX).as_str(), "f".repeat(32));
    assert_eq!(
        Hex::<32>::of(0x4bf92f3577b34da6a3ce929d0e0e4736).as_str(),
        TRACE
    );
}

#[test]
fn hex_is_what_format_writes() {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    for _ in 0..10_000 {
        let (high, low) = (random(), random());
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let id = u128::from(high) << 64 | u128::from(low);
        assert_eq!(Hex::<32>::of(id).as_str(), format!("{id:032x}"));
        assert_eq!(Hex::<16>::of(low.into()).as_str(), format!("{low:016x}"));
        // Small numbers too, with their leading zeros.
        let small = state >> (state % 64);
        assert_eq!(
            Hex::<16>::of(small.into()).as_str(),
            format!("{small:016x}")
        );
        let byte = small as u8;
        assert_eq!(Hex::<2>::of(byte.into()).as_str(), format!("{byte:02x}"));
    }
}

#[test]
fn ids_are_random_and_never_zero() {
    let mut ids: Vec<u64> = (0..10_000).map(|_| random()).collect();
    let other = std::thread::spawn(random).join().unwrap();
    ids.push(other);
    assert!(ids.iter().all(|&id| id != 0));
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 10_001);
    // Every bit is set in some ids and clear in others.
    let (any, all) = ids
        .iter()
        .fold((0, u64::MAX), |(any, all), id| (any | id, all & id));
    assert_eq!((any, all), (u64::MAX, 0));
}

#[test]
fn a_valid_traceparent_is_read_as_numbers() {
    let value = format!("00-{TRACE}-00f067aa0ba902b7-01");
    let (trace, parent, flags) = parse(&value).unwrap();
    assert_eq!(
        (trace, parent, flags),
        (0x4bf92f3577b34da6a3ce929d0e0e4736, 0xf067aa0ba902b7, 1)
    );
    // A later version may add fields; version 00 may not.
    assert!(parse(&format!("01-{TRACE}-00f067aa0ba902b7-01-more")).is_some());
    for bad in [
        format!("00-{TRACE}-00f067aa0ba902b7-01-more"),
        format!("ff-{TRACE}-00f067aa0ba902b7-01"),
        format!("00-{}-00f067aa0ba902b7-01", "0".repeat(32)),
        format!("00-{TRACE}-0000000000000000-01"),
        format!("00-{}-00f067aa0ba902b7-01", TRACE.to_uppercase()),
        format!("00-+{}-00f067aa0ba902b7-01", &TRACE[1..]),
        format!("00-{TRACE}-00f067aa0ba902b-01"),
        "garbage".to_owned(),
    ] {
        assert!(parse(&bad).is_none(), "{bad}");
    }
}

#[test]
fn a_call_continues_its_callers_trace_with_a_span_of_its_own() {
    let sent = format!("00-{TRACE}-00f067aa0ba902b7-00");
    let mut meta = metadata(&[("traceparent", &sent), ("tracestate", "a=1"), ("x", "y")]);
    let span = continue_in(&mut meta);
    // The others keep their order; the new traceparent comes last.
    let names: Vec<&str> = meta.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["tracestate", "x", "traceparent"]);
    assert_eq!(span.trace_hex().as_str(), TRACE);
    assert_eq!(span.parent_hex().unwrap().as_str(), "00f067aa0ba902b7");
    assert!(!span.sampled);
    assert_eq!(span.tracestate.as_deref(), Some("a=1"));
    let own = format!("00-{TRACE}-{}-00", span.span_hex().as_str());
    assert_eq!(traceparent(&meta), [own.as_str()]);
    assert!(
        meta.iter()
            .any(|(name, value)| name == "tracestate" && value == "a=1")
    );
}

#[test]
fn a_call_without_a_valid_traceparent_starts_a_trace() {
    let bad = format!("00-{TRACE}-0000000000000000-01");
    let mut meta = metadata(&[("traceparent", &bad), ("tracestate", "a=1")]);
    let span = continue_in(&mut meta);
    let other = continue_in(&mut metadata(&[]));
    assert!(span.parent_id.is_none() && span.sampled && span.tracestate.is_none());
    assert_ne!(span.trace_hex().as_str(), TRACE);
    assert_ne!(span.trace_id, other.trace_id);
    assert!(span.trace_id >> 64 != 0 && span.trace_id as u64 != 0 && span.span_id != 0);
    let own = format!(
        "00-{}-{}-01",
        span.trace_hex().as_str(),
        span.span_hex().as_str()
    );
    assert_eq!(meta, metadata(&[("traceparent", &own)]));
}
