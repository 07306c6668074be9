//! The round-trip rule of the fuzz tests: what decodes must encode to bytes
//! that decode to the same value, and encode to the same bytes again.
//!
//! Values are compared, not the input bytes: the encoder writes one form of
//! each value, but a decoder accepts others (a zero-row table is an empty
//! list, a list of same-shaped objects is a table, an int column may come as
//! a values column), so input bytes need not be what the encoder writes.
//! Shared with the cargo-fuzz target (`fuzz/fuzz_targets/decode.rs`
//! includes this file).

use bytes::{Bytes, BytesMut};
use graft_model::Value;
use graft_wire::{Frame, decode_value, encode_value};

/// Whether `a` and `b` are the same value: floats bit for bit (every NaN
/// payload), a table the same as the list of its objects.
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Table(t), other) | (other, Value::Table(t)) => {
            same(&Value::List(t.to_objects()), other)
        }
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
        (Value::List(x), Value::List(y))
        | (Value::Tuple(x), Value::Tuple(y))
        | (Value::Set(x), Value::Set(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same(v, w))
        }
        (Value::Dict(x), Value::Dict(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k, v), (l, w))| same(k, l) && same(v, w))
        }
        (
            Value::Object {
                type_name: t,
                fields: f,
            },
            Value::Object {
                type_name: u,
                fields: g,
            },
        ) => {
            t == u
                && f.len() == g.len()
                && f.iter().zip(g).all(|((k, v), (l, w))| k == l && same(v, w))
        }
        (
            Value::Enum {
                type_name: t,
                value: v,
            },
            Value::Enum {
                type_name: u,
                value: w,
            },
        ) => t == u && same(v, w),
        _ => a == b,
    }
}

/// Checks the rule for the value at the start of `data`, if one decodes
/// there; panics if it breaks.
pub fn value_round_trips(data: &[u8]) {
    let Ok(first) = decode_value(&mut &data[..]) else {
        return;
    };
    let once = encode(&first);
    let again = decode_value(&mut &once[..]).expect("an encoded value decodes");
    assert!(same(&first, &again), "{first:?} came back as {again:?}");
    assert_eq!(encode(&again), once, "the same value encodes the same way");
}

/// Checks the rule for a frame body (the bytes after the length prefix),
/// parsed both from a slice and from a shared buffer; panics if it breaks.
pub fn frame_round_trips(body: &[u8]) {
    let parsed = Frame::parse(body);
    let shared = Frame::parse_shared(&Bytes::copy_from_slice(body));
    assert_eq!(
        parsed.is_ok(),
        shared.is_ok(),
        "parse and parse_shared agree"
    );
    let (Ok(first), Ok(shared)) = (parsed, shared) else {
        return;
    };
    let once = encode_frame(&first);
    assert_eq!(encode_frame(&shared), once, "parse and parse_shared agree");
    let again = Frame::parse(&once[4..]).expect("an encoded frame parses");
    assert_eq!((first.name(), first.id()), (again.name(), again.id()));
    if let (Some(v), Some(w)) = (frame_value(&first), frame_value(&again)) {
        assert!(same(v, w), "{v:?} came back as {w:?}");
    }
    assert_eq!(
        encode_frame(&again),
        once,
        "the same frame encodes the same way"
    );
}

fn frame_value(frame: &Frame) -> Option<&Value> {
    match frame {
        Frame::Reply { value, .. }
        | Frame::ReplyPart { value, .. }
        | Frame::CallPart { value, .. }
        | Frame::Items { value, .. } => Some(value),
        _ => None,
    }
}

fn encode(value: &Value) -> Vec<u8> {
    let mut buf = BytesMut::new();
    encode_value(value, &mut buf);
    buf.to_vec()
}

fn encode_frame(frame: &Frame) -> Vec<u8> {
    let mut buf = BytesMut::new();
    frame
        .encode(&mut buf, u32::MAX)
        .expect("a parsed frame fits");
    buf.to_vec()
}
