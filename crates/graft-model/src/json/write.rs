//! [`to_json`]: any [`Value`] written as JSON.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Number, Value as Json};

use super::reference;
use crate::value::Value;

/// Writes any [`Value`] as JSON.
pub fn to_json(value: &Value) -> Json {
    match value {
        Value::None => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::Number((*i).into()),
        Value::Float(f) => Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::Str(s) | Value::Date(s) | Value::Decimal(s) => Json::String(s.clone()),
        Value::DateTime(s) | Value::Time(s) => Json::String(crate::scalars::iso_json(s)),
        Value::Uuid(bytes) => Json::String(crate::scalars::uuid_text(bytes)),
        Value::TimeDelta(delta) => Json::String(delta.iso()),
        Value::Bytes(b) => Json::String(BASE64.encode(b)),
        Value::List(items) | Value::Tuple(items) | Value::Set(items) => {
            Json::Array(items.iter().map(to_json).collect())
        }
        Value::Table(table) => Json::Array(table.to_objects().iter().map(to_json).collect()),
        Value::Dict(pairs) => Json::Object(
            pairs
                .iter()
                .map(|(k, v)| (key_text(k), to_json(v)))
                .collect(),
        ),
        Value::Object { fields, .. } => Json::Object(
            fields
                .iter()
                .map(|(k, v)| (k.to_string(), to_json(v)))
                .collect(),
        ),
        Value::Enum { value, .. } => to_json(value),
        Value::ObjectRef { service, id } => reference::to_json(service, id),
    }
}

fn key_text(key: &Value) -> String {
    match to_json(key) {
        Json::String(s) => s,
        other => other.to_string(),
    }
}
