//! The JSON descriptions in `vectors.json`: a typed, lossless JSON form of
//! every value and frame, so another implementation can build the expected
//! result. Integers and request ids are decimal strings (JSON numbers lose
//! precision past 2^53); floats carry their IEEE-754 bits in hex.

use graft_model::{Raised, Value};
use graft_wire::{Frame, Hello};
use serde_json::{Value as Json, json};

pub fn value(v: &Value) -> Json {
    match v {
        Value::None => json!({"type": "none"}),
        Value::Bool(b) => json!({"type": "bool", "value": b}),
        Value::Int(i) => json!({"type": "int", "value": i.to_string()}),
        Value::Float(f) => {
            json!({"type": "float", "bits": format!("{:016x}", f.to_bits()), "value": format!("{f:?}")})
        }
        Value::Str(s) => json!({"type": "str", "value": s}),
        Value::Bytes(b) => json!({"type": "bytes", "hex": hex::encode(b)}),
        Value::List(items) => {
            json!({"type": "list", "items": items.iter().map(value).collect::<Vec<_>>()})
        }
        // The list its objects make: a table is only a way of writing one.
        Value::Table(table) => value(&Value::List(table.to_objects())),
        Value::Tuple(items) => {
            json!({"type": "tuple", "items": items.iter().map(value).collect::<Vec<_>>()})
        }
        Value::Set(items) => {
            json!({"type": "set", "items": items.iter().map(value).collect::<Vec<_>>()})
        }
        Value::Dict(pairs) => {
            let items: Vec<_> = pairs
                .iter()
                .map(|(k, v)| json!([value(k), value(v)]))
                .collect();
            json!({"type": "dict", "items": items})
        }
        Value::Object { type_name, fields } => {
            json!({"type": "object", "name": &**type_name, "fields": named(fields)})
        }
        Value::Enum {
            type_name,
            value: inner,
        } => json!({"type": "enum", "name": type_name, "value": value(inner)}),
        Value::DateTime(s) => json!({"type": "datetime", "value": s}),
        Value::Date(s) => json!({"type": "date", "value": s}),
        Value::ObjectRef { service, id } => {
            json!({"type": "object_ref", "service": service, "id": id})
        }
        Value::Decimal(s) => json!({"type": "decimal", "value": s}),
        Value::Time(s) => json!({"type": "time", "value": s}),
        Value::Uuid(b) => json!({"type": "uuid", "hex": hex::encode(b)}),
        Value::TimeDelta(t) => json!({
            "type": "timedelta", "days": t.days, "seconds": t.seconds, "microseconds": t.microseconds,
        }),
    }
}

fn named<N: AsRef<str>>(fields: &[(N, Value)]) -> Json {
    fields
        .iter()
        .map(|(name, v)| json!([name.as_ref(), value(v)]))
        .collect()
}

fn values(items: &[Value]) -> Json {
    items.iter().map(value).collect()
}

pub fn frame(f: &Frame) -> Json {
    let id = f.id().to_string();
    match f {
        Frame::Call { call, .. } => json!({
            "frame": "call", "id": id, "service": call.service, "method": call.method,
            "object": call.object, "metadata": call.metadata,
            "timeout_ms": call.timeout.map_or(0, |t| t.as_millis() as u64),
            "args": values(&call.args.positional), "kwargs": named(&call.args.keyword),
        }),
        Frame::Reply { value: v, .. } => json!({"frame": "reply", "id": id, "value": value(v)}),
        Frame::CallPart {
            service,
            method,
            argument,
            value: v,
            ..
        } => json!({
            "frame": "call_part", "id": id, "service": service, "method": method,
            "argument": argument, "value": value(v),
        }),
        Frame::ReplyPart { value: v, .. } => {
            json!({"frame": "reply_part", "id": id, "value": value(v)})
        }
        Frame::Items { value: v, .. } => json!({"frame": "items", "id": id, "value": value(v)}),
        Frame::Credit { bytes, .. } => json!({"frame": "credit", "id": id, "bytes": bytes}),
        Frame::Cancel { .. } => json!({"frame": "cancel", "id": id}),
        Frame::Error { status, raised, .. } => {
            let mut out = raised_json(raised);
            out["frame"] = json!("error");
            out["id"] = json!(id);
            out["status"] = json!(*status as u8);
            out
        }
        Frame::Ping { .. } => json!({"frame": "ping", "id": id}),
        Frame::Pong { .. } => json!({"frame": "pong", "id": id}),
        Frame::Goodbye { reason } => json!({"frame": "goodbye", "id": id, "reason": reason}),
        Frame::Auth { token } => json!({"frame": "auth", "id": id, "token": token}),
        Frame::ProtocolError { code, message, .. } => {
            json!({"frame": "protocol_error", "id": id, "code": code.to_u16(), "message": message})
        }
    }
}

fn raised_json(r: &Raised) -> Json {
    json!({
        "type_name": r.type_name, "module": r.module, "message": r.message,
        "args": values(&r.args), "fields": named(&r.fields), "traceback": r.traceback,
    })
}

pub fn hello(h: &Hello) -> Json {
    json!({
        "version": h.version, "status": h.status,
        "max_frame_size": h.max_frame_size, "heartbeat_ms": h.heartbeat_ms,
    })
}

/// The data types the vectors use, so a client can register matching
/// classes and check that objects and enums come back as them.
pub fn types() -> Json {
    json!({
        "Point": {"kind": "dataclass", "fields": ["x", "y"]},
        "Line": {"kind": "dataclass", "fields": ["start", "end"]},
        "Color": {"kind": "enum", "members": {"RED": "red", "GREEN": "green"}},
        "Priority": {"kind": "enum", "members": {"LOW": 1, "HIGH": 3}},
    })
}
