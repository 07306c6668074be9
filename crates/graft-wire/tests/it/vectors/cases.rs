//! Every test vector: what it holds and whether it must decode.

use std::time::Duration;

use bytes::BytesMut;
use graft_model::{BoundArgs, Raised, Value};
use graft_wire::codec::tag;
use graft_wire::handshake::hello_status;
use graft_wire::{Call, DEFAULT_MAX_FRAME_SIZE, Frame, Hello, ProtocolCode, Status};
use serde_json::{Value as Json, json};

use super::describe;
use crate::codec::encode;

pub enum Expect {
    /// Must decode to the described value, frame or hello.
    Decode(Json),
    /// Must be rejected; the reason names the rule it breaks.
    Reject(&'static str),
}

pub struct Vector {
    pub file: String,
    /// "value", "frame" or "hello".
    pub kind: &'static str,
    pub expect: Expect,
    pub note: &'static str,
    pub bytes: Vec<u8>,
}

impl Vector {
    pub fn manifest_entry(&self) -> Json {
        let mut entry = json!({"file": self.file, "kind": self.kind, "note": self.note});
        match &self.expect {
            Expect::Decode(description) => {
                entry["expect"] = json!("decode");
                entry[self.kind] = description.clone();
            }
            Expect::Reject(reason) => {
                entry["expect"] = json!("reject");
                entry["reason"] = json!(reason);
            }
        }
        entry
    }
}

fn value(name: &str, note: &'static str, v: Value) -> Vector {
    let expect = Expect::Decode(describe::value(&v));
    Vector {
        file: format!("value-{name}.bin"),
        kind: "value",
        expect,
        note,
        bytes: encode(&v),
    }
}

fn frame(name: &str, note: &'static str, f: Frame) -> Vector {
    let mut buf = BytesMut::new();
    f.encode(&mut buf, DEFAULT_MAX_FRAME_SIZE)
        .expect("vector frame fits");
    let expect = Expect::Decode(describe::frame(&f));
    Vector {
        file: format!("frame-{name}.bin"),
        kind: "frame",
        expect,
        note,
        bytes: buf.to_vec(),
    }
}

fn hello(name: &str, note: &'static str, h: Hello) -> Vector {
    let expect = Expect::Decode(describe::hello(&h));
    Vector {
        file: format!("hello-{name}.bin"),
        kind: "hello",
        expect,
        note,
        bytes: h.encode().to_vec(),
    }
}

fn reject(
    kind: &'static str,
    name: &str,
    reason: &'static str,
    note: &'static str,
    bytes: Vec<u8>,
) -> Vector {
    Vector {
        file: format!("{kind}-reject-{name}.bin"),
        kind,
        expect: Expect::Reject(reason),
        note,
        bytes,
    }
}

/// An object id, as a gateway makes them: 128 random bits in lower-case hex.
const CART_ID: &str = "4f2a9c0e1b7d4e6f8a3c5b2d1e0f9a8b";

fn s(text: &str) -> Value {
    Value::Str(text.to_string())
}

fn named(name: &str) -> Value {
    Value::Object {
        type_name: "Named".into(),
        fields: vec![("name".into(), s(name))],
    }
}

fn point(x: i64, y: i64) -> Value {
    Value::Object {
        type_name: "Point".into(),
        fields: vec![("x".into(), Value::Int(x)), ("y".into(), Value::Int(y))],
    }
}

fn record(id: i64, name: &str, value: f64, active: bool, unit: &str) -> Value {
    Value::Object {
        type_name: "Record".into(),
        fields: vec![
            ("id".into(), Value::Int(id)),
            ("name".into(), s(name)),
            ("value".into(), Value::Float(value)),
            ("active".into(), Value::Bool(active)),
            ("unit".into(), s(unit)),
        ],
    }
}

fn reading(value: Value, at: Value) -> Value {
    Value::Object {
        type_name: "Reading".into(),
        fields: vec![("value".into(), value), ("at".into(), at)],
    }
}

fn en(type_name: &str, v: Value) -> Value {
    Value::Enum {
        type_name: type_name.into(),
        value: Box::new(v),
    }
}

fn nested(depth: usize) -> Value {
    (0..depth).fold(Value::None, |inner, _| Value::List(vec![inner]))
}

pub fn all() -> Vec<Vector> {
    let mut all = values();
    all.extend(frames());
    all.extend(stream_frames());
    all.extend(rejects());
    all
}

fn values() -> Vec<Vector> {
    let all_bytes: Vec<u8> = (0..=255).collect();
    vec![
        value("none", "None", Value::None),
        value("true", "True", Value::Bool(true)),
        value("false", "False", Value::Bool(false)),
        value("int-zero", "0", Value::Int(0)),
        value("int-minus-one", "-1", Value::Int(-1)),
        value("int-min", "i64 minimum, -2**63", Value::Int(i64::MIN)),
        value("int-max", "i64 maximum, 2**63-1", Value::Int(i64::MAX)),
        value("float-half", "0.5", Value::Float(0.5)),
        value(
            "float-negative-zero",
            "-0.0: the sign bit must survive",
            Value::Float(-0.0),
        ),
        value(
            "float-nan",
            "the canonical quiet NaN, bit-exact",
            Value::Float(f64::NAN),
        ),
        value("float-inf", "+infinity", Value::Float(f64::INFINITY)),
        value(
            "float-neg-inf",
            "-infinity",
            Value::Float(f64::NEG_INFINITY),
        ),
        value("str-empty", "empty string", s("")),
        value(
            "str-unicode",
            "non-ASCII text, astral plane included",
            s("héllo wörld ✓ 中文 😀"),
        ),
        value("str-nul", "a NUL inside a string", s("a\0b")),
        value(
            "bytes-empty",
            "empty bytes",
            Value::Bytes(Vec::new().into()),
        ),
        value(
            "bytes-all",
            "every byte value 0..255, raw",
            Value::Bytes(all_bytes.into()),
        ),
        value("list-empty", "[]", Value::List(Vec::new())),
        value(
            "list-mixed",
            "a list of mixed kinds",
            Value::List(vec![
                Value::Int(1),
                s("two"),
                Value::Float(3.0),
                Value::None,
            ]),
        ),
        value("tuple-empty", "()", Value::Tuple(Vec::new())),
        value(
            "tuple-pair",
            "(1, 'a')",
            Value::Tuple(vec![Value::Int(1), s("a")]),
        ),
        value("set-empty", "set()", Value::Set(Vec::new())),
        value(
            "set-ints",
            "{1, 2, 3}",
            Value::Set(vec![Value::Int(1), Value::Int(2), Value::Int(3)]),
        ),
        value("dict-empty", "{}", Value::Dict(Vec::new())),
        value(
            "dict-str-keys",
            "{'a': 1, 'b': [True]}",
            Value::Dict(vec![
                (s("a"), Value::Int(1)),
                (s("b"), Value::List(vec![Value::Bool(true)])),
            ]),
        ),
        value(
            "dict-mixed-keys",
            "keys of several kinds: int, tuple, None",
            Value::Dict(vec![
                (Value::Int(1), s("one")),
                (Value::Tuple(vec![Value::Int(1), Value::Int(2)]), s("pair")),
                (Value::None, s("none")),
            ]),
        ),
        value("object-point", "dataclass Point(x=1, y=-2)", point(1, -2)),
        value(
            "object-line",
            "dataclass Line holding two Points",
            Value::Object {
                type_name: "Line".into(),
                fields: vec![("start".into(), point(0, 0)), ("end".into(), point(3, 4))],
            },
        ),
        value(
            "enum-str",
            "Color.RED, a str-valued enum member",
            en("Color", s("red")),
        ),
        value(
            "enum-int",
            "Priority.HIGH, an int-valued enum member",
            en("Priority", Value::Int(3)),
        ),
        value(
            "datetime-aware",
            "datetime with microseconds and an offset",
            Value::DateTime("2024-02-29T13:45:30.123456+01:00".into()),
        ),
        value(
            "datetime-naive",
            "datetime without a timezone",
            Value::DateTime("1999-12-31T23:59:59".into()),
        ),
        value("date", "a date", Value::Date("2024-02-29".into())),
        value(
            "object-ref",
            "a reference to the Cart object CART_ID (version 6)",
            Value::ObjectRef {
                service: "Cart".into(),
                id: CART_ID.into(),
            },
        ),
        value(
            "decimal",
            "Decimal('-1234.5600'), trailing zeros kept",
            Value::Decimal("-1234.5600".into()),
        ),
        value(
            "decimal-nan",
            "Decimal('NaN')",
            Value::Decimal("NaN".into()),
        ),
        value(
            "uuid",
            "UUID('12345678-9abc-def0-1234-56789abcdef0')",
            Value::Uuid([
                0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc,
                0xde, 0xf0,
            ]),
        ),
        value(
            "timedelta",
            "timedelta(days=1, hours=2, minutes=3, seconds=4.5)",
            Value::TimeDelta(graft_model::scalars::TimeDelta {
                days: 1,
                seconds: 7384,
                microseconds: 500_000,
            }),
        ),
        value(
            "timedelta-negative",
            "timedelta(microseconds=-1): days -1, seconds 86399, microseconds 999999",
            Value::TimeDelta(graft_model::scalars::TimeDelta {
                days: -1,
                seconds: 86399,
                microseconds: 999_999,
            }),
        ),
        value("time", "time(12, 30)", Value::Time("12:30:00".into())),
        value(
            "time-aware",
            "time with microseconds and an offset",
            Value::Time("23:59:59.000001-05:30".into()),
        ),
        value(
            "nested-mixed",
            "containers inside containers",
            Value::List(vec![Value::Dict(vec![(
                s("k"),
                Value::Tuple(vec![
                    Value::Set(vec![Value::Int(1)]),
                    en("Color", s("green")),
                    Value::Bytes(vec![0, 1].into()),
                ]),
            )])]),
        ),
        value(
            "nested-max-depth",
            "100 nested lists: the deepest allowed",
            nested(100),
        ),
        value(
            "table-records",
            "three Records as a table: an int, a float, a bool and two str columns (one non-ASCII, one empty)",
            Value::List(vec![
                record(1, "caf\u{e9}", 0.25, true, "kWh"),
                record(-2, "", -0.0, false, "MWh"),
                record(i64::MAX, "record-000003", f64::INFINITY, true, ""),
            ]),
        ),
        value(
            "table-str-with-nul",
            "Points named by a str column whose second string holds U+0000: lengths, not joined",
            Value::List(vec![named("a"), named("b\u{0}c"), named("")]),
        ),
        value(
            "table-one-row",
            "a list of one Point: a table too",
            Value::List(vec![point(1, 2)]),
        ),
        value(
            "table-values-columns",
            "Readings whose columns mix kinds (int and None; a Point and a table of Points): values columns",
            Value::List(vec![
                reading(Value::Int(7), point(0, 1)),
                reading(Value::None, Value::List(vec![point(2, 3), point(4, 5)])),
            ]),
        ),
        value(
            "list-objects-of-two-shapes",
            "a Point then a Line: not one shape, so a plain list",
            Value::List(vec![
                point(1, 1),
                Value::Object {
                    type_name: "Line".into(),
                    fields: vec![("start".into(), point(0, 0)), ("end".into(), point(1, 1))],
                },
            ]),
        ),
    ]
}

fn frames() -> Vec<Vector> {
    let args = BoundArgs {
        positional: vec![Value::Int(7), s("kWh"), point(1, 2)],
        keyword: vec![
            ("when".into(), Value::Date("2024-01-01".into())),
            ("tags".into(), Value::Set(vec![s("a")])),
        ],
    };
    let call = Call {
        service: "EnergyPriceCalculator".into(),
        method: "get_price".into(),
        object: String::new(),
        args,
        timeout: Some(Duration::from_millis(1500)),
        metadata: Vec::new(),
    };
    let bare = Call {
        service: "S".into(),
        method: "m".into(),
        args: BoundArgs::default(),
        ..Call::default()
    };
    let on_object = Call {
        service: "Cart".into(),
        method: "add".into(),
        object: CART_ID.into(),
        args: BoundArgs {
            positional: vec![s("H-1")],
            keyword: Vec::new(),
        },
        timeout: None,
        metadata: Vec::new(),
    };
    let with_metadata = Call {
        service: "S".into(),
        method: "m".into(),
        metadata: vec![
            ("x-user".into(), "ada".into()),
            (
                "traceparent".into(),
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".into(),
            ),
        ],
        ..Call::default()
    };
    let raised = Raised {
        type_name: "OutOfStock".into(),
        module: "shop".into(),
        message: "A-1 is out of stock".into(),
        args: vec![s("A-1")],
        fields: vec![("sku".into(), s("A-1"))],
        traceback:
            "Traceback (most recent call last):\n  ...\nshop.OutOfStock: A-1 is out of stock\n"
                .into(),
    };
    let missing =
        graft_wire::CallFailure::NotFound("Demo has no method \"nope\"".into()).into_frame(4);
    vec![
        frame(
            "call",
            "a call with positional and keyword arguments and a 1500 ms timeout",
            Frame::Call { id: 1, call },
        ),
        frame(
            "call-bare",
            "a call without arguments or timeout",
            Frame::Call { id: 2, call: bare },
        ),
        frame(
            "call-object",
            "a call of the method add on the Cart object CART_ID (version 6)",
            Frame::Call {
                id: 3,
                call: on_object,
            },
        ),
        frame(
            "call-metadata",
            "a call carrying metadata: x-user and a W3C traceparent (version 7)",
            Frame::Call {
                id: 7,
                call: with_metadata,
            },
        ),
        frame(
            "reply",
            "a reply holding a value",
            Frame::Reply {
                id: 1,
                value: Value::Tuple(vec![Value::Float(0.25), s("EUR")]),
            },
        ),
        frame(
            "call-part",
            "the first items of a call's keyword argument lines, ahead of its Call (version 4)",
            Frame::CallPart {
                id: 6,
                service: "Shop".into(),
                method: "total".into(),
                argument: "lines".into(),
                value: Value::List(vec![Value::Int(3), Value::Int(4)]),
            },
        ),
        frame(
            "reply-part",
            "the first items of a returned list, ahead of its Reply (version 4)",
            Frame::ReplyPart {
                id: 5,
                value: Value::List(vec![Value::Int(1), s("two")]),
            },
        ),
        frame(
            "reply-max-id",
            "the largest request id",
            Frame::Reply {
                id: u64::MAX,
                value: Value::None,
            },
        ),
        frame(
            "error-raised",
            "a custom exception with a field",
            Frame::Error {
                id: 3,
                status: Status::Raised,
                raised,
            },
        ),
        frame(
            "error-not-found",
            "status 1, as the server reports an unknown method",
            missing,
        ),
        frame(
            "error-overloaded",
            "status 8, a call refused at once by a full server (version 8)",
            overloaded(),
        ),
        frame("ping", "heartbeat", Frame::Ping { id: 5 }),
        frame("pong", "heartbeat answer", Frame::Pong { id: 5 }),
        frame(
            "auth",
            "a client's token, right after its hello (version 7)",
            Frame::Auth {
                token: "tok-alice-7Qx".into(),
            },
        ),
        frame(
            "goodbye",
            "the server is shutting down",
            Frame::Goodbye {
                reason: "server shutting down".into(),
            },
        ),
        frame(
            "protocol-error",
            "frame too large, before closing",
            Frame::ProtocolError {
                id: 0,
                code: ProtocolCode::FrameTooLarge,
                message: "frame of 1048576 bytes exceeds the limit of 1024 bytes".into(),
            },
        ),
        hello(
            "client",
            "a client's hello: version 8, 64 MiB frames, 10 s heartbeat",
            Hello::new(DEFAULT_MAX_FRAME_SIZE, 10_000),
        ),
        hello(
            "version-rejected",
            "a server refusing the client's version",
            Hello {
                status: hello_status::UNSUPPORTED_VERSION,
                ..Hello::new(DEFAULT_MAX_FRAME_SIZE, 10_000)
            },
        ),
    ]
}

/// Status 8 (version 8): the server ran as many calls as it may.
fn overloaded() -> Frame {
    let message = "256 calls run on this connection already; call again later";
    Frame::Error {
        id: 9,
        status: Status::Overloaded,
        raised: builtin(Status::Overloaded, message),
    }
}

/// The exception a server reports with `status` (not Raised).
fn builtin(status: Status, message: &str) -> Raised {
    Raised {
        type_name: status.builtin_exception().into(),
        module: "builtins".into(),
        message: message.into(),
        args: vec![s(message)],
        fields: Vec::new(),
        traceback: String::new(),
    }
}

/// The frames of a streaming call (version 5).
fn stream_frames() -> Vec<Vector> {
    let cancelled = builtin(Status::Cancelled, "Feed.count was cancelled by the client");
    vec![
        frame(
            "items",
            "the next items of a streaming call (version 5)",
            Frame::Items {
                id: 7,
                value: Value::List(vec![Value::Int(0), Value::Int(1), Value::Int(2)]),
            },
        ),
        frame(
            "items-table",
            "the next items of a streaming call, two Records written as a table (version 5)",
            Frame::Items {
                id: 7,
                value: Value::List(vec![
                    record(1, "a", 0.5, true, "kWh"),
                    record(2, "b", 1.5, false, "MWh"),
                ]),
            },
        ),
        frame(
            "credit",
            "the client adds 131072 bytes to a stream's window (version 5)",
            Frame::Credit {
                id: 7,
                bytes: 131_072,
            },
        ),
        frame(
            "cancel",
            "the client stops consuming a stream (version 5)",
            Frame::Cancel { id: 7 },
        ),
        frame(
            "error-cancelled",
            "status 6, the server's answer to a Cancel (version 5)",
            Frame::Error {
                id: 7,
                status: Status::Cancelled,
                raised: cancelled,
            },
        ),
    ]
}

fn rejects() -> Vec<Vector> {
    let depth_bomb = encode(&nested(101));
    let frame_of = |kind: u8, body: &[u8]| {
        let mut bytes = ((9 + body.len()) as u32).to_be_bytes().to_vec();
        bytes.push(kind);
        bytes.extend_from_slice(&1u64.to_be_bytes());
        bytes.extend_from_slice(body);
        bytes
    };
    let mut truncated_frame = frame_of(2, &[tag::INT, 0, 0, 0, 0, 0, 0, 0, 1]);
    truncated_frame.truncate(truncated_frame.len() - 3);
    // A table named T with one field "a" and `rows` rows, then `column`.
    let table = |rows: u32, column: &[u8]| {
        let mut bytes = vec![tag::TABLE, 0, 0, 0, 1, b'T', 0, 0, 0, 1, 0, 0, 0, 1, b'a'];
        bytes.extend_from_slice(&rows.to_be_bytes());
        bytes.extend_from_slice(column);
        bytes
    };
    let mut deep_table = [tag::LIST, 0, 0, 0, 1].repeat(99);
    deep_table.extend(table(0, &[3]));
    vec![
        reject("value", "empty", "truncated", "no bytes at all", Vec::new()),
        reject(
            "value",
            "truncated-uuid",
            "truncated",
            "a UUID of 15 bytes",
            [vec![tag::UUID], vec![0; 15]].concat(),
        ),
        reject(
            "value",
            "truncated-timedelta",
            "truncated",
            "a timedelta of two fields",
            [vec![tag::TIMEDELTA], vec![0; 8]].concat(),
        ),
        reject(
            "value",
            "table-no-fields",
            "empty table",
            "a table with 0 fields",
            vec![tag::TABLE, 0, 0, 0, 1, b'T', 0, 0, 0, 0, 0, 0, 0, 0],
        ),
        reject(
            "value",
            "table-column-kind",
            "unknown column",
            "column kind 0x07 is not assigned",
            table(1, &[7, 0]),
        ),
        reject(
            "value",
            "table-bad-bool",
            "bad bool",
            "a bool column holding the byte 02",
            table(1, &[1, 2]),
        ),
        reject(
            "value",
            "table-oversize-rows",
            "count too large",
            "a table claiming 2**32-1 rows in 9 bytes",
            table(u32::MAX, &[3, 0, 0, 0, 0, 0, 0, 0, 0]),
        ),
        reject(
            "value",
            "table-truncated-column",
            "truncated",
            "two rows, an int column holding one",
            table(2, &[3, 0, 0, 0, 0, 0, 0, 0, 1, 0]),
        ),
        reject(
            "value",
            "table-split-utf8",
            "invalid UTF-8",
            "a str column cutting the two bytes of U+00E9 into two strings",
            table(2, &[5, 0, 0, 0, 1, 0, 0, 0, 1, 0xc3, 0xa9]),
        ),
        reject(
            "value",
            "table-joined-count",
            "joined str column",
            "two rows, a joined str column holding one string",
            table(2, &[6, 0, 0, 0, 1, b'a']),
        ),
        reject(
            "value",
            "table-joined-utf8",
            "invalid UTF-8",
            "a joined str column whose second string is the byte ff",
            table(2, &[6, 0, 0, 0, 3, b'a', 0, 0xff]),
        ),
        reject(
            "value",
            "table-joined-truncated",
            "truncated",
            "a joined str column announcing 5 bytes and holding 1",
            table(1, &[6, 0, 0, 0, 5, b'a']),
        ),
        reject(
            "value",
            "table-too-deep",
            "too deep",
            "an empty table inside 99 nested lists: its objects would be at depth 100",
            deep_table,
        ),
        reject(
            "value",
            "truncated-int",
            "truncated",
            "an int with 3 of its 8 bytes",
            vec![tag::INT, 0, 0, 1],
        ),
        reject(
            "value",
            "truncated-str",
            "truncated",
            "a str announcing 10 bytes, holding 3",
            vec![tag::STR, 0, 0, 0, 10, b'a', b'b', b'c'],
        ),
        reject(
            "value",
            "bad-tag",
            "unknown tag",
            "tag 0x42 is not assigned",
            vec![0x42],
        ),
        reject(
            "value",
            "oversize-count",
            "count too large",
            "a list claiming 2**32-1 items in 1 byte",
            vec![tag::LIST, 0xff, 0xff, 0xff, 0xff, tag::NONE],
        ),
        reject(
            "value",
            "depth-bomb",
            "too deep",
            "101 nested lists, one past the limit",
            depth_bomb,
        ),
        reject(
            "value",
            "bad-utf8",
            "invalid UTF-8",
            "a str holding the bytes c3 28",
            vec![tag::STR, 0, 0, 0, 2, 0xc3, 0x28],
        ),
        reject(
            "value",
            "bad-utf8-object-name",
            "invalid UTF-8",
            "an object type name holding the byte ff",
            vec![tag::OBJECT, 0, 0, 0, 1, 0xff, 0, 0, 0, 0],
        ),
        reject(
            "value",
            "trailing-bytes",
            "trailing bytes",
            "None followed by an extra byte: a value file holds one value",
            vec![tag::NONE, tag::NONE],
        ),
        reject(
            "frame",
            "reply-part-not-a-list",
            "not a list",
            "a ReplyPart whose value is an int",
            frame_of(8, &[tag::INT, 0, 0, 0, 0, 0, 0, 0, 1]),
        ),
        reject(
            "frame",
            "call-part-not-a-list",
            "not a list",
            "a CallPart whose value is None",
            frame_of(
                9,
                &[0, 0, 0, 1, b'S', 0, 0, 0, 1, b'm', 0, 0, 0, 0, tag::NONE],
            ),
        ),
        reject(
            "frame",
            "items-not-a-list",
            "not a list",
            "an Items frame whose value is a str",
            frame_of(0x0a, &[tag::STR, 0, 0, 0, 1, b'x']),
        ),
        reject(
            "frame",
            "credit-truncated",
            "truncated",
            "a Credit frame with 2 of its 4 body bytes",
            frame_of(0x0b, &[0, 1]),
        ),
        reject(
            "frame",
            "cancel-trailing-bytes",
            "trailing bytes",
            "a Cancel frame with a body byte",
            frame_of(0x0c, &[0]),
        ),
        reject(
            "frame",
            "unknown-kind",
            "unknown frame kind",
            "frame kind 0xee",
            frame_of(0xee, &[]),
        ),
        reject(
            "frame",
            "too-short",
            "frame too short",
            "a length of 5, less than kind and id",
            vec![0, 0, 0, 5, 4, 0, 0, 0, 0],
        ),
        reject(
            "frame",
            "oversize",
            "frame too large",
            "a length of 2**32-1, over the 64 MiB default",
            vec![0xff, 0xff, 0xff, 0xff, 2],
        ),
        reject(
            "frame",
            "truncated",
            "truncated",
            "a reply frame missing its last 3 bytes",
            truncated_frame,
        ),
        reject(
            "frame",
            "trailing-bytes",
            "trailing bytes",
            "a ping with a body byte",
            frame_of(4, &[0]),
        ),
        reject(
            "frame",
            "goodbye-id",
            "goodbye id",
            "a goodbye whose request id is not 0",
            frame_of(6, &[0, 0, 0, 0]),
        ),
        reject(
            "frame",
            "bad-status",
            "unknown status",
            "an error frame with status 9",
            frame_of(3, &[9]),
        ),
        reject(
            "frame",
            "bad-reply-value",
            "unknown tag",
            "a reply whose value has tag 0x42",
            frame_of(2, &[0x42]),
        ),
        reject(
            "hello",
            "bad-magic",
            "bad magic",
            "an HTTP request where a hello belongs",
            b"GET / HTTP/1.1\r\n".to_vec(),
        ),
    ]
}
