//! JSON Schema (draft 2020-12, as OpenAPI 3.1 uses it) for types and named types.

use graft_model::{Field, TypeDef, TypeDefKind, TypeRef};
use serde_json::{Map, Value as Json, json};

/// Where named types live in the document.
const SCHEMAS: &str = "#/components/schemas/";

/// The key of the call API's error body in `components/schemas`. The dot keeps it
/// apart from every named type: a Python class name cannot contain one.
pub(crate) const ERROR: &str = "graft.Error";

/// Standard base64 as the call API reads it: padded, and canonical (the
/// unused bits of a last, partial group are zero). `contentEncoding` alone
/// asserts nothing in JSON Schema; this lets a client know what passes.
pub const BASE64_PATTERN: &str =
    "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?$";

/// A decimal number as text, as the call API reads a `Decimal` (it also
/// takes `NaN`, `Infinity` and a JSON number, which the pattern leaves out).
pub const DECIMAL_PATTERN: &str = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$";

/// A time of day as `time.fromisoformat` reads it, with or without an offset.
pub const TIME_PATTERN: &str = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?([zZ]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?$";

/// A reference to a schema in `components/schemas`.
pub(crate) fn reference(name: &str) -> Json {
    json!({ "$ref": format!("{SCHEMAS}{name}") })
}

/// The schema of values of type `ty`, as the call API reads and writes them as JSON.
pub fn type_schema(ty: &TypeRef) -> Json {
    match ty {
        TypeRef::Any => json!({}),
        TypeRef::None => json!({ "type": "null" }),
        TypeRef::Bool => json!({ "type": "boolean" }),
        TypeRef::Int => json!({ "type": "integer", "format": "int64" }),
        TypeRef::Float => json!({ "type": "number", "format": "double" }),
        TypeRef::Str => json!({ "type": "string" }),
        TypeRef::Bytes => {
            json!({ "type": "string", "contentEncoding": "base64", "pattern": BASE64_PATTERN })
        }
        TypeRef::DateTime => json!({ "type": "string", "format": "date-time" }),
        TypeRef::Date => json!({ "type": "string", "format": "date" }),
        TypeRef::Decimal => {
            json!({ "type": "string", "format": "decimal", "pattern": DECIMAL_PATTERN })
        }
        TypeRef::Uuid => json!({ "type": "string", "format": "uuid" }),
        TypeRef::TimeDelta => json!({ "type": "string", "format": "duration" }),
        TypeRef::Time => json!({ "type": "string", "format": "time", "pattern": TIME_PATTERN }),
        TypeRef::List { item } | TypeRef::VarTuple { item } => array_schema(item, false),
        TypeRef::Set { item } => array_schema(item, true),
        TypeRef::Tuple { items } => tuple_schema(items),
        TypeRef::Dict { key, value } => dict_schema(key, value),
        TypeRef::Optional { inner } => json!({ "anyOf": [type_schema(inner), { "type": "null" }] }),
        TypeRef::Union { options } => {
            json!({ "anyOf": options.iter().map(type_schema).collect::<Vec<_>>() })
        }
        TypeRef::Literal { values } => json!({ "enum": values }),
        TypeRef::Named { name } => reference(name),
        TypeRef::Object { service } => object_ref_schema(service),
    }
}

/// A JSON array of `item`s, as lists and tuples of any length are written;
/// a set's items are marked unique, as a set holds each value once.
fn array_schema(item: &TypeRef, unique: bool) -> Json {
    let mut schema = json!({ "type": "array", "items": type_schema(item) });
    if unique {
        schema["uniqueItems"] = json!(true);
    }
    schema
}

/// A tuple of fixed length: one schema a position, and nothing past the last.
fn tuple_schema(items: &[TypeRef]) -> Json {
    json!({
        "type": "array",
        "prefixItems": items.iter().map(type_schema).collect::<Vec<_>>(),
        "items": false,
        "minItems": items.len(),
        "maxItems": items.len(),
    })
}

/// An object reference as the call API writes it: `{"service": ..., "id": ...}`.
fn object_ref_schema(service: &str) -> Json {
    json!({
        "type": "object",
        "description": format!("a reference to a {service} object on this gateway"),
        "properties": {
            "service": { "const": service },
            "id": { "type": "string", "pattern": "^[0-9a-f]{32}$" },
        },
        "required": ["id"],
        "additionalProperties": false,
    })
}

/// JSON object keys are text: a dict with int keys has them written as decimal text.
fn dict_schema(key: &TypeRef, value: &TypeRef) -> Json {
    let mut schema = json!({ "type": "object", "additionalProperties": type_schema(value) });
    if *key == TypeRef::Int {
        schema["propertyNames"] = json!({ "pattern": "^-?(0|[1-9][0-9]*)$" });
    }
    schema
}

/// The schema of a value whose type is `ty` and whose default is `default`, with
/// `description` when given.
pub(crate) fn annotated(
    ty: &TypeRef,
    default: Option<&graft_model::Default>,
    description: Option<&str>,
) -> Json {
    let mut schema = type_schema(ty);
    // A `$ref` with siblings is fine in 3.1 (JSON Schema 2020-12).
    if let Some(json) = default.and_then(default_json) {
        schema["default"] = json;
    }
    if let Some(text) = description {
        schema["description"] = Json::String(text.to_string());
    }
    schema
}

/// The default as JSON, if it has a JSON form. The model writes `null` both for
/// `None` and for defaults with no JSON form; only the first is a real default.
fn default_json(default: &graft_model::Default) -> Option<Json> {
    match &default.json {
        Json::Null if default.python.as_deref() != Some("None") => None,
        json => Some(json.clone()),
    }
}

/// An object with one property for each field, for dataclasses and exceptions.
pub(crate) fn object_schema<'a>(fields: impl IntoIterator<Item = &'a Field>) -> Json {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for field in fields {
        let mut schema = annotated(&field.ty, field.default.as_ref(), None);
        if let (Some(keywords), Some(object)) = (&field.constraints, schema.as_object_mut()) {
            object.extend(keywords.clone());
        }
        properties.insert(field.name.clone(), schema);
        if field.default.is_none() {
            required.push(Json::String(field.name.clone()));
        }
    }
    json!({ "type": "object", "properties": properties, "required": required, "additionalProperties": false })
}

/// The schema of a named type, for `components/schemas`.
pub fn type_def_schema(def: &TypeDef) -> Json {
    let mut schema = match &def.kind {
        TypeDefKind::Dataclass { fields, .. }
        | TypeDefKind::NamedTuple { fields }
        | TypeDefKind::TypedDict { fields } => object_schema(fields),
        TypeDefKind::Enum { members, flag, .. } => enum_schema(members, *flag),
        TypeDefKind::Exception { base, fields } => {
            let mut schema = object_schema(fields);
            schema["x-python-base"] = Json::String(base.clone());
            schema
        }
    };
    schema["title"] = Json::String(def.name.clone());
    if let Some(doc) = &def.doc {
        schema["description"] = Json::String(doc.clone());
    }
    schema
}

/// An enum's values; a `Flag`'s are any combination of its members' bits.
fn enum_schema(members: &[graft_model::EnumMember], flag: bool) -> Json {
    let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
    if flag {
        let bits = members
            .iter()
            .filter_map(|m| m.value.as_i64())
            .fold(0, |a, b| a | b);
        let description = format!("a combination of {}: their values or'ed", names.join(", "));
        return json!({ "type": "integer", "minimum": 0, "maximum": bits, "description": description });
    }
    json!({
        "enum": members.iter().map(|m| m.value.clone()).collect::<Vec<_>>(),
        "x-enum-varnames": names,
    })
}

/// The body of every error response of the call API.
pub(crate) fn error_schema() -> Json {
    let text = |description: &str| json!({ "type": "string", "description": description });
    json!({
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["type", "message"],
                "properties": {
                    "type": text("The error's kind: the Python exception's class name, or a gateway error."),
                    "message": text("What went wrong, for people."),
                    "param": text("The argument the error is about, when there is one."),
                    "traceback": text("The Python traceback, when the method raised and gg runs with --tracebacks."),
                    "callId": text("When the method raised: the id gg's log keeps its traceback beside."),
                },
            },
        },
    })
}
