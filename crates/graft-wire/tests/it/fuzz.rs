//! Hostile input: arbitrary and mutated bytes into every decoder. Nothing
//! may panic, memory must stay proportional to the input, and what decodes
//! keeps the round-trip rule (`round_trip.rs`), as in the cargo-fuzz target.

use graft_model::Value;
use graft_wire::codec::tag;
use graft_wire::{Frame, Hello, MAX_DEPTH, decode_value};
use proptest::collection::vec;
use proptest::prelude::*;

use crate::alloc::peak_during;
use crate::codec::{arb_value, encode};
use crate::round_trip::{frame_round_trips, same, value_round_trips};

/// The most a decoder may allocate for `n` input bytes: a few decoded
/// values per byte (vectors double as they grow) plus the few items each
/// nesting level pre-sizes.
fn budget(n: usize) -> usize {
    let pair = size_of::<(Value, Value)>();
    4096 + 4 * n * pair + MAX_DEPTH * 64 * pair
}

/// Feeds `bytes` to the value decoder and the frame parser; returns the
/// peak allocation.
fn decode_everything(bytes: &[u8]) -> usize {
    let ((), peak) = peak_during(|| {
        let mut input = bytes;
        let _ = decode_value(&mut input);
        let _ = Frame::check(bytes, u32::MAX);
        if bytes.len() >= 13 {
            let _ = Frame::parse(&bytes[4..]);
        }
        if let Some(hello) = bytes.first_chunk::<16>() {
            let _ = Hello::decode(hello);
        }
    });
    peak
}

/// Checks the round-trip rule on whatever in `bytes` decodes.
fn round_trips(bytes: &[u8]) {
    value_round_trips(bytes);
    if let Ok(total) = Frame::check(bytes, u32::MAX) {
        frame_round_trips(&bytes[4..total]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes(bytes in vec(any::<u8>(), 0..512)) {
        let peak = decode_everything(&bytes);
        prop_assert!(peak <= budget(bytes.len()), "{peak} bytes for {} input bytes", bytes.len());
        round_trips(&bytes);
    }

    /// Valid encodings with bytes overwritten and cut short reach deeper
    /// into the decoder than random bytes do.
    #[test]
    fn mutated_encodings(value in arb_value(), edits in vec((any::<prop::sample::Index>(), any::<u8>()), 1..4), cut in any::<prop::sample::Index>()) {
        let mut bytes = encode(&value);
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        bytes.truncate(cut.index(bytes.len() + 1));
        let peak = decode_everything(&bytes);
        prop_assert!(peak <= budget(bytes.len()), "{peak} bytes for {} input bytes", bytes.len());
        round_trips(&bytes);
    }

    /// Frames around arbitrary bodies, with every kind byte (0x0a to 0x0c
    /// are version 5's Items, Credit and Cancel).
    #[test]
    fn arbitrary_frame_bodies(kind in 0u8..14, body in vec(any::<u8>(), 0..256)) {
        let mut bytes = ((9 + body.len()) as u32).to_be_bytes().to_vec();
        bytes.push(kind);
        bytes.extend_from_slice(&7u64.to_be_bytes());
        bytes.extend_from_slice(&body);
        let peak = decode_everything(&bytes);
        prop_assert!(peak <= budget(bytes.len()));
        round_trips(&bytes);
    }

    /// Items frames around encodings of any value: a list or table parses
    /// and round-trips, anything else is refused.
    #[test]
    fn items_frames(value in arb_value()) {
        let mut body = vec![0x0a];
        body.extend_from_slice(&7u64.to_be_bytes());
        body.extend_from_slice(&encode(&value));
        let is_list = matches!(value, Value::List(_) | Value::Table(_));
        prop_assert_eq!(Frame::parse(&body).is_ok(), is_list);
        frame_round_trips(&body);
    }
}

/// The false alarm of the byte-comparing harness: a zero-row table decodes
/// to an empty list, which encodes as a list, not a table.
#[test]
fn a_zero_row_table_round_trips_as_an_empty_list() {
    let mut bytes = vec![tag::TABLE];
    bytes.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    bytes.push(0x03); // an int column of no items
    let mut input = bytes.as_slice();
    let table = decode_value(&mut input).expect("a zero-row table decodes");
    assert!(input.is_empty());
    assert!(same(&table, &Value::List(Vec::new())));
    assert_eq!(encode(&table), [tag::LIST, 0, 0, 0, 0]);
    round_trips(&bytes);
}

/// A NaN is the same value only bit for bit: the rule compares floats by
/// their bits, so a decoder that changed a NaN's payload would be caught.
#[test]
fn same_compares_floats_bit_for_bit() {
    let nan = f64::from_bits(0x7ff8_0000_0000_0001);
    assert!(same(&Value::Float(nan), &Value::Float(nan)));
    assert!(!same(&Value::Float(nan), &Value::Float(f64::NAN)));
    assert!(!same(&Value::Float(0.0), &Value::Float(-0.0)));
}

/// Nested containers each claiming as many items as bytes remain must not
/// reserve that much at every level.
#[test]
fn nested_claims_do_not_multiply() {
    let n = 1 << 20;
    let mut bytes = Vec::new();
    for _ in 0..MAX_DEPTH - 1 {
        bytes.push(tag::LIST);
        bytes.extend_from_slice(&(n as u32).to_be_bytes());
    }
    bytes.resize(bytes.len() + n, tag::NONE);
    let peak = decode_everything(&bytes);
    assert!(
        peak <= budget(bytes.len()),
        "{peak} bytes for {} input bytes",
        bytes.len()
    );
    // The innermost list really decodes a million values (so the counter
    // counts): that must cost about a million values, not a hundred times it.
    assert!(peak >= n * size_of::<Value>(), "{peak}");
    assert!(peak < 4 * n * size_of::<Value>(), "{peak}");
}

#[test]
fn huge_counts_and_lengths_fail_without_allocating() {
    for tag in [tag::LIST, tag::DICT, tag::STR, tag::BYTES, tag::OBJECT] {
        let bytes = [tag, 0xff, 0xff, 0xff, 0xf0, 0, 0, 0];
        let peak = decode_everything(&bytes);
        assert!(peak < 4096, "tag {tag:#x}: {peak} bytes");
    }
}

/// A table writes its names once for every row: decoding must share them,
/// not copy a long name into each of a million objects.
#[test]
fn table_names_are_not_copied_per_row() {
    let long = vec![b'n'; 1 << 16];
    let rows = 1usize << 20;
    let mut bytes = vec![tag::TABLE];
    for name in [&long, &long] {
        // The type name, then (after the field count) the one field's name.
        bytes.extend_from_slice(&(name.len() as u32).to_be_bytes());
        bytes.extend_from_slice(name);
        if bytes.len() < 2 * long.len() {
            bytes.extend_from_slice(&1u32.to_be_bytes());
        }
    }
    bytes.extend_from_slice(&(rows as u32).to_be_bytes());
    bytes.push(1); // a bool column
    bytes.resize(bytes.len() + rows, 1);
    let mut input = bytes.as_slice();
    let (decoded, peak) = peak_during(|| {
        decode_value(&mut input).map(|v| matches!(&v, Value::Table(t) if t.rows() == rows))
    });
    assert!(decoded.unwrap(), "the table decodes to {rows} objects");
    assert!(
        peak <= budget(bytes.len()),
        "{peak} bytes for {} input bytes",
        bytes.len()
    );
}
