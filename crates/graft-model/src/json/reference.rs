//! The JSON form of an object reference: `{"service": "Cart", "id": "..."}`.
//! As an argument, the service may be left out, or the id given alone.

use serde_json::{Value as Json, json};

use super::{TypeError, mismatch};
use crate::path::Path;
use crate::value::Value;

/// A reference to an object of `service`, from its JSON form.
pub(super) fn from_json(json: &Json, service: &str, path: &Path<'_>) -> Result<Value, TypeError> {
    let fail = || {
        let expected = format!("{service} (an object reference {{\"id\": \"...\"}})");
        mismatch(path, expected, json)
    };
    let (named, id) = match json {
        Json::String(id) => (None, id),
        Json::Object(o) => match o.get("id") {
            Some(Json::String(id)) => (o.get("service"), id),
            _ => return Err(fail()),
        },
        _ => return Err(fail()),
    };
    let fits = match named {
        None => o_len_ok(json),
        Some(Json::String(s)) => s == service && o_len_ok(json),
        Some(_) => false,
    };
    if !fits || !is_object_id(id) {
        return Err(fail());
    }
    Ok(Value::ObjectRef {
        service: service.to_string(),
        id: id.clone(),
    })
}

/// An object has only the keys `id` and `service`.
fn o_len_ok(json: &Json) -> bool {
    json.as_object()
        .is_none_or(|o| o.keys().all(|k| k == "id" || k == "service"))
}

pub(super) fn to_json(service: &str, id: &str) -> Json {
    json!({ "service": service, "id": id })
}

/// Whether `id` has the form of an object id: 32 lower-case hex characters.
pub fn is_object_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}
