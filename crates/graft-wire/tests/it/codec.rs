//! The value codec and frame byte form: edge values, limits, round trips.

use bytes::BytesMut;
use graft_model::{BoundArgs, Raised, Value};
use graft_wire::codec::tag;
use graft_wire::{
    Call, Frame, MAX_DEPTH, ProtocolCode, Status, WireError, decode_value, encode_value,
};
use proptest::collection::vec;
use proptest::prelude::*;

pub fn encode(value: &Value) -> Vec<u8> {
    let mut buf = BytesMut::new();
    encode_value(value, &mut buf);
    buf.to_vec()
}

/// Decodes a whole buffer as one value; leftover bytes are a failure.
pub fn decode_all(mut bytes: &[u8]) -> Result<Value, WireError> {
    let value = decode_value(&mut bytes)?;
    match bytes.len() {
        0 => Ok(value),
        n => Err(WireError::TrailingBytes(n)),
    }
}

/// Any value, floats with any bit pattern (every NaN payload included).
pub fn arb_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::None),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        any::<u64>().prop_map(|bits| Value::Float(f64::from_bits(bits))),
        any::<String>().prop_map(Value::Str),
        vec(any::<u8>(), 0..32).prop_map(|b| Value::Bytes(b.into())),
        "[0-9:T.+-]{0,32}".prop_map(Value::DateTime),
        "[0-9-]{0,10}".prop_map(Value::Date),
        arb_scalar(),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::List),
            vec(inner.clone(), 0..6).prop_map(Value::Tuple),
            vec(inner.clone(), 0..6).prop_map(Value::Set),
            vec((inner.clone(), inner.clone()), 0..4).prop_map(Value::Dict),
            ("[A-Za-z_]{1,12}", vec(("[a-z_]{1,8}", inner.clone()), 0..4)).prop_map(
                |(type_name, fields)| {
                    Value::Object {
                        type_name: type_name.into(),
                        fields: fields.into_iter().map(|(n, v)| (n.into(), v)).collect(),
                    }
                }
            ),
            arb_table(inner.clone()),
            ("[A-Za-z_]{1,12}", inner).prop_map(|(type_name, v)| Value::Enum {
                type_name,
                value: Box::new(v)
            }),
        ]
    })
}

/// The version-6 scalars, with any field values (a decoder takes them as they come).
fn arb_scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        "[0-9.Ee+-]{0,24}".prop_map(Value::Decimal),
        any::<[u8; 16]>().prop_map(Value::Uuid),
        any::<(i32, i32, i32)>().prop_map(|(days, seconds, microseconds)| {
            Value::TimeDelta(graft_model::scalars::TimeDelta {
                days,
                seconds,
                microseconds,
            })
        }),
        "[0-9:.+-]{0,21}".prop_map(Value::Time),
    ]
}

/// A list of objects of one shape, which encodes as a table. Each column
/// is all ints, floats, bools or strs, or mixed (a values column).
fn arb_table(
    inner: impl Strategy<Value = Value> + Clone + 'static,
) -> impl Strategy<Value = Value> {
    ("[A-Za-z_]{1,12}", vec("[a-z_]{1,8}", 1..4), 0..5usize)
        .prop_flat_map(move |(type_name, names, rows)| {
            let column = prop_oneof![
                vec(any::<i64>().prop_map(Value::Int), rows..=rows),
                vec(
                    any::<u64>().prop_map(|bits| Value::Float(f64::from_bits(bits))),
                    rows..=rows
                ),
                vec(any::<bool>().prop_map(Value::Bool), rows..=rows),
                vec(any::<String>().prop_map(Value::Str), rows..=rows),
                vec(inner.clone(), rows..=rows),
            ];
            let columns = vec(column, names.len()..=names.len());
            (Just(type_name), Just(names), Just(rows), columns)
        })
        .prop_map(|(type_name, names, rows, columns)| {
            let type_name: graft_model::Name = type_name.into();
            let names: Vec<graft_model::Name> = names.into_iter().map(Into::into).collect();
            let object = |i: usize| Value::Object {
                type_name: type_name.clone(),
                fields: names
                    .iter()
                    .zip(&columns)
                    .map(|(n, c)| (n.clone(), c[i].clone()))
                    .collect(),
            };
            Value::List((0..rows).map(object).collect())
        })
}

proptest! {
    /// encode → decode gives the same value, compared through its bytes so
    /// NaN payloads and the sign of zero count.
    #[test]
    fn value_round_trip(value in arb_value()) {
        let bytes = encode(&value);
        let back = decode_all(&bytes).expect("a value we encoded decodes");
        prop_assert_eq!(encode(&back), bytes);
        if value == value {
            prop_assert_eq!(back, value);
        }
    }

    #[test]
    fn call_frame_round_trip(positional in vec(arb_value(), 0..4), kw in vec(("[a-z]{1,6}", arb_value()), 0..3), metadata in vec(("[a-z-]{1,8}", ".{0,12}"), 0..3), id: u64) {
        let call = Call { service: "S".into(), method: "m".into(), object: String::new(), args: BoundArgs { positional, keyword: kw }, timeout: None, metadata };
        let frame = Frame::Call { id, call };
        let mut buf = BytesMut::new();
        frame.encode(&mut buf, u32::MAX).expect("fits");
        let total = Frame::check(&buf, u32::MAX).expect("whole frame");
        prop_assert_eq!(total, buf.len());
        let back = Frame::parse(&buf[4..]).expect("parses");
        let mut again = BytesMut::new();
        back.encode(&mut again, u32::MAX).expect("fits");
        prop_assert_eq!(again, buf);
    }
}

#[test]
fn edge_numbers_are_exact() {
    let values = [
        Value::Int(i64::MIN),
        Value::Int(i64::MAX),
        Value::Int(0),
        Value::Int(-1),
        Value::Float(-0.0),
        Value::Float(f64::INFINITY),
        Value::Float(f64::NEG_INFINITY),
        Value::Float(f64::from_bits(0x7ff0_0000_0000_0001)),
        Value::Float(f64::MIN_POSITIVE / 2.0),
    ];
    for value in values {
        let bytes = encode(&value);
        assert_eq!(bytes.len(), 9, "{value:?} takes a tag and 8 bytes");
        assert_eq!(encode(&decode_all(&bytes).unwrap()), bytes, "{value:?}");
    }
    assert_eq!(
        encode(&Value::Int(-2)),
        [tag::INT, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]
    );
    let Value::Float(z) = decode_all(&encode(&Value::Float(-0.0))).unwrap() else {
        panic!()
    };
    assert!(z == 0.0 && z.is_sign_negative());
}

fn nested_lists(depth: usize) -> Vec<u8> {
    let mut bytes = Vec::new();
    for _ in 0..depth {
        bytes.extend_from_slice(&[tag::LIST, 0, 0, 0, 1]);
    }
    bytes.push(tag::NONE);
    bytes
}

#[test]
fn depth_is_bounded() {
    assert!(decode_all(&nested_lists(MAX_DEPTH)).is_ok());
    let err = decode_all(&nested_lists(MAX_DEPTH + 1)).unwrap_err();
    assert!(matches!(err, WireError::TooDeep(100)), "{err}");
    // A deep bomb fails fast without touching the stack's limit.
    assert!(matches!(
        decode_all(&nested_lists(1_000_000)),
        Err(WireError::TooDeep(_))
    ));
}

#[test]
fn errors_quote_the_offending_input() {
    let count = decode_all(&[tag::LIST, 0xff, 0xff, 0xff, 0xff, 0]).unwrap_err();
    assert_eq!(
        count.to_string(),
        "list count 4294967295 cannot fit in the 1 bytes left"
    );
    let utf8 = decode_all(&[tag::STR, 0, 0, 0, 2, 0xc3, 0x28]).unwrap_err();
    assert_eq!(utf8.to_string(), r#"str is not valid UTF-8: b"\xc3(""#);
    assert_eq!(
        decode_all(&[0x42]).unwrap_err().to_string(),
        "unknown value tag 0x42"
    );
    let short = decode_all(&[tag::INT, 1, 2]).unwrap_err();
    assert_eq!(
        short.to_string(),
        "truncated int: needs 8 bytes but only 2 remain"
    );
}

fn every_frame() -> Vec<Frame> {
    let raised = Raised {
        type_name: "KeyError".into(),
        module: "builtins".into(),
        message: "'x'".into(),
        args: vec![Value::Str("x".into())],
        fields: vec![("key".into(), Value::Str("x".into()))],
        traceback: "Traceback ...".into(),
    };
    vec![
        Frame::Call {
            id: 1,
            call: Call::default(),
        },
        Frame::Reply {
            id: 2,
            value: Value::List(vec![Value::Int(1)]),
        },
        Frame::Error {
            id: 3,
            status: Status::Raised,
            raised,
        },
        Frame::Ping { id: 4 },
        Frame::Pong { id: 4 },
        Frame::Goodbye {
            reason: "bye".into(),
        },
        Frame::ProtocolError {
            id: 5,
            code: ProtocolCode::Other(900),
            message: "x".into(),
        },
    ]
}

#[test]
fn frames_need_every_byte() {
    for frame in every_frame() {
        let mut buf = BytesMut::new();
        frame.encode(&mut buf, 1 << 20).unwrap();
        for cut in 0..buf.len() {
            assert!(matches!(
                Frame::check(&buf[..cut], 1 << 20),
                Err(WireError::Incomplete)
            ));
        }
        let total = Frame::check(&buf, 1 << 20).unwrap();
        assert_eq!(Frame::parse(&buf[4..total]).unwrap(), frame);
        // A body cut short inside a whole-looking frame is an error, not a panic.
        assert!(
            Frame::parse(&buf[4..total - 1]).is_err()
                || matches!(frame, Frame::Ping { .. } | Frame::Pong { .. })
        );
    }
}

#[test]
fn frame_limits() {
    let big = Frame::Reply {
        id: 1,
        value: Value::Bytes(vec![0; 100].into()),
    };
    let mut buf = BytesMut::from(&b"keep"[..]);
    let err = big.encode(&mut buf, 50).unwrap_err();
    assert_eq!(
        err.to_string(),
        "frame of 114 bytes exceeds the limit of 50 bytes"
    );
    assert_eq!(
        &buf[..],
        b"keep",
        "a refused frame leaves the buffer as it was"
    );
    let header = [0, 0, 0, 51, 2];
    assert!(matches!(
        Frame::check(&header, 50),
        Err(WireError::FrameTooLarge { len: 51, max: 50 })
    ));
    assert!(matches!(
        Frame::check(&[0, 0, 0, 8], 50),
        Err(WireError::FrameTooShort(8))
    ));
    let mut trailing = vec![0, 0, 0, 10, 4, 0, 0, 0, 0, 0, 0, 0, 1, 0xaa];
    assert!(matches!(
        Frame::parse(&trailing[4..]),
        Err(WireError::TrailingBytes(1))
    ));
    trailing[4] = 0x99;
    assert!(matches!(
        Frame::parse(&trailing[4..]),
        Err(WireError::UnknownKind(0x99))
    ));
}

#[test]
fn size_hint_is_close_to_the_encoded_size() {
    use graft_model::Value;
    let record = |i: i64| Value::Object {
        type_name: "Record".into(),
        fields: vec![
            ("id".into(), Value::Int(i)),
            ("name".into(), Value::Str(format!("n{i}"))),
            ("ok".into(), Value::Bool(true)),
        ],
    };
    let values = [
        Value::Bytes(vec![7; 1_000_000].into()),
        Value::List((0..1000).map(record).collect()),
        Value::Dict(vec![(Value::Str("k".into()), Value::Float(1.5))]),
        Value::Enum {
            type_name: "Color".into(),
            value: Box::new(Value::Int(1)),
        },
    ];
    for value in values {
        let mut buf = bytes::BytesMut::new();
        graft_wire::encode_value(&value, &mut buf);
        let (hint, actual) = (graft_wire::codec::size_hint(&value), buf.len());
        assert!(
            hint >= actual * 3 / 4 && hint <= actual * 4 / 3,
            "hint {hint} for {actual} bytes of {}",
            value.kind()
        );
    }
}

#[test]
fn a_shared_frame_lends_its_long_byte_strings_and_copies_short_ones() {
    let long = Value::Bytes(vec![9; graft_wire::sink::SHARE_FROM].into());
    let short = Value::Bytes(vec![8; 100].into());
    let frame = Frame::Reply {
        id: 7,
        value: Value::List(vec![long.clone(), short.clone()]),
    };
    let mut buf = BytesMut::new();
    frame.encode(&mut buf, u32::MAX).unwrap();
    let whole = buf.freeze().slice(4..);
    let parsed = Frame::parse_shared(&whole).unwrap();
    assert_eq!(
        parsed,
        Frame::parse(&whole).unwrap(),
        "the same frame either way"
    );
    let Frame::Reply {
        value: Value::List(items),
        ..
    } = parsed
    else {
        panic!("a reply of a list")
    };
    let within = |b: &bytes::Bytes| whole.as_ptr_range().contains(&b.as_ptr());
    match &items[..] {
        [Value::Bytes(l), Value::Bytes(s)] => {
            assert!(within(l), "the long string is a slice of the frame");
            assert!(!within(s), "the short one is a copy");
            assert_eq!(
                (Value::Bytes(l.clone()), Value::Bytes(s.clone())),
                (long, short)
            );
        }
        other => panic!("two byte strings, got {other:?}"),
    }
}

#[test]
fn an_encoded_frame_shares_long_byte_strings_and_writes_the_same_bytes() {
    let long = bytes::Bytes::from(vec![5; graft_wire::sink::SHARE_FROM + 1]);
    let frame = Frame::Reply {
        id: 3,
        value: Value::Tuple(vec![Value::Bytes(long.clone()), Value::Int(1)]),
    };
    let mut copied = BytesMut::new();
    frame.encode(&mut copied, u32::MAX).unwrap();
    let mut shared = graft_wire::Encoded::default();
    frame.encode(&mut shared, u32::MAX).unwrap();
    assert!(
        shared.chunks().any(|c| c.as_ptr() == long.as_ptr()),
        "written from the value itself"
    );
    assert_eq!(
        shared.chunks().flatten().copied().collect::<Vec<u8>>(),
        copied.to_vec()
    );
    // Over the limit, nothing is left behind.
    let mut refused = graft_wire::Encoded::default();
    assert!(frame.encode(&mut refused, 1000).is_err());
    assert_eq!(graft_wire::Sink::written(&refused), 0);
}
