//! [`from_json`]: a JSON value checked against its declared type and
//! turned into a [`Value`]; the named types (enums, dataclasses,
//! NamedTuples, TypedDicts) in `convert/named.rs`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Map, Number, Value as Json};

use super::{TypeError, int_of, mismatch, reference, takes_int};
use crate::interface::{Interface, TypeRef};
use crate::path::Path;
use crate::value::Value;

/// Converts `json` to a [`Value`] of type `ty`, or says why it does not fit.
/// `path` names the value in errors (usually the parameter's name).
pub fn from_json(
    json: &Json,
    ty: &TypeRef,
    iface: &Interface,
    path: &str,
) -> Result<Value, TypeError> {
    Converter { iface }.convert(json, ty, &Path::Root(path))
}

struct Converter<'a> {
    iface: &'a Interface,
}

impl Converter<'_> {
    fn convert(&self, json: &Json, ty: &TypeRef, path: &Path<'_>) -> Result<Value, TypeError> {
        let fail = || mismatch(path, ty.python(), json);
        Ok(match (ty, json) {
            (TypeRef::Any, _) => any(json),
            (TypeRef::None, Json::Null) => Value::None,
            (TypeRef::Bool, Json::Bool(b)) => Value::Bool(*b),
            (TypeRef::Int, Json::Number(n)) => Value::Int(int(n, json, path)?),
            (TypeRef::Float, Json::Number(n)) => Value::Float(n.as_f64().ok_or_else(fail)?),
            (TypeRef::Str, Json::String(s)) => Value::Str(s.clone()),
            (TypeRef::Bytes, Json::String(s)) => Value::Bytes(base64(s, json, path)?),
            (TypeRef::DateTime, Json::String(s)) if is_datetime(s) => Value::DateTime(s.clone()),
            (TypeRef::Date, Json::String(s)) if is_date(s) => Value::Date(s.clone()),
            (TypeRef::Decimal | TypeRef::Uuid | TypeRef::TimeDelta | TypeRef::Time, _) => {
                crate::scalars::from_json(json, ty).ok_or_else(fail)?
            }
            (TypeRef::List { item }, Json::Array(a)) => Value::List(self.items(a, item, path)?),
            (TypeRef::Set { item }, Json::Array(a)) => Value::Set(self.items(a, item, path)?),
            (TypeRef::VarTuple { item }, Json::Array(a)) => {
                Value::Tuple(self.items(a, item, path)?)
            }
            (TypeRef::Tuple { items }, Json::Array(a)) if a.len() == items.len() => {
                Value::Tuple(self.tuple_items(a, items, path)?)
            }
            (TypeRef::Dict { key, value }, Json::Object(o)) => {
                Value::Dict(self.dict_pairs(o, key, value, path)?)
            }
            (TypeRef::Optional { .. }, Json::Null) => Value::None,
            (TypeRef::Optional { inner }, _) => self.convert(json, inner, path)?,
            (TypeRef::Union { options }, _) => self.union(json, options, path).ok_or_else(fail)?,
            (TypeRef::Literal { values }, _) if values.contains(json) => any(json),
            (TypeRef::Named { name }, _) => self.named(json, name, path)?,
            (TypeRef::Object { service }, _) => reference::from_json(json, service, path)?,
            _ => return Err(fail()),
        })
    }

    /// The first option of a union that `json` fits, if any.
    fn union(&self, json: &Json, options: &[TypeRef], path: &Path<'_>) -> Option<Value> {
        match json {
            // An integer stays an int where an option takes it as it is: `int`,
            // or `float` (a type checker takes an int for a float), as a direct call does.
            Json::Number(n) if n.as_i64().is_some() && options.iter().any(takes_int) => {
                Some(Value::Int(n.as_i64().unwrap_or_default()))
            }
            // A string stays a str where an option takes one: JSON also writes Decimal,
            // datetime and UUID as text, and a caller's string (a TypeScript graft's,
            // as over TCP) must not become one of them.
            Json::String(s) if options.contains(&TypeRef::Str) => Some(Value::Str(s.clone())),
            _ => {
                // `1.0` is a float first, an int only when no other option takes it.
                let written_as_float = json.as_number().is_some_and(Number::is_f64);
                let (ints, others): (Vec<&TypeRef>, Vec<&TypeRef>) = options
                    .iter()
                    .partition(|t| written_as_float && **t == TypeRef::Int);
                others
                    .into_iter()
                    .chain(ints)
                    .find_map(|t| self.convert(json, t, path).ok())
            }
        }
    }

    fn items(
        &self,
        items: &[Json],
        ty: &TypeRef,
        path: &Path<'_>,
    ) -> Result<Vec<Value>, TypeError> {
        items
            .iter()
            .enumerate()
            .map(|(i, j)| self.convert(j, ty, &Path::Index(path, i)))
            .collect()
    }

    /// A fixed-length tuple's items, each converted to the type at its place.
    fn tuple_items(
        &self,
        items: &[Json],
        types: &[TypeRef],
        path: &Path<'_>,
    ) -> Result<Vec<Value>, TypeError> {
        items
            .iter()
            .zip(types)
            .enumerate()
            .map(|(i, (j, t))| self.convert(j, t, &Path::Index(path, i)))
            .collect()
    }

    /// A JSON object's entries as a dict's pairs: each key read as a `key`
    /// (see [`Converter::key`]), each value converted to `value`.
    fn dict_pairs(
        &self,
        o: &Map<String, Json>,
        key: &TypeRef,
        value: &TypeRef,
        path: &Path<'_>,
    ) -> Result<Vec<(Value, Value)>, TypeError> {
        o.iter()
            .map(|(k, v)| {
                let key = self.key(k, key, path)?;
                Ok((key, self.convert(v, value, &Path::Entry(path, k))?))
            })
            .collect()
    }

    /// JSON object keys are text; a dict with other key types has them written as text.
    fn key(&self, key: &str, ty: &TypeRef, path: &Path<'_>) -> Result<Value, TypeError> {
        let as_json = match ty {
            TypeRef::Str
            | TypeRef::Any
            | TypeRef::DateTime
            | TypeRef::Date
            | TypeRef::Decimal
            | TypeRef::Uuid
            | TypeRef::TimeDelta
            | TypeRef::Time => Json::String(key.into()),
            _ => serde_json::from_str(key).unwrap_or_else(|_| Json::String(key.into())),
        };
        self.convert(&as_json, ty, &Path::Key(path, Some(key)))
    }
}

/// A JSON number as an int; a whole number past the 64-bit range is
/// refused as such, so the caller sees why.
fn int(n: &Number, json: &Json, path: &Path<'_>) -> Result<i64, TypeError> {
    int_of(n).ok_or_else(|| {
        let expected = if json.as_f64().is_some_and(|f| f.fract() == 0.0) {
            "int within the 64-bit signed range"
        } else {
            "int"
        };
        mismatch(path, expected, json)
    })
}

/// Base64 text as the bytes it encodes.
fn base64(text: &str, json: &Json, path: &Path<'_>) -> Result<bytes::Bytes, TypeError> {
    match BASE64.decode(text) {
        Ok(bytes) => Ok(bytes.into()),
        Err(_) => Err(mismatch(path, "bytes (base64 text)", json)),
    }
}

/// A JSON value taken as it comes, for `Any`.
fn any(json: &Json) -> Value {
    match json {
        Json::Null => Value::None,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => n
            .as_i64()
            .map(Value::Int)
            .unwrap_or_else(|| Value::Float(n.as_f64().unwrap_or(f64::NAN))),
        Json::String(s) => Value::Str(s.clone()),
        Json::Array(a) => Value::List(a.iter().map(any).collect()),
        Json::Object(o) => Value::Dict(
            o.iter()
                .map(|(k, v)| (Value::Str(k.clone()), any(v)))
                .collect(),
        ),
    }
}

fn is_date(s: &str) -> bool {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

fn is_datetime(s: &str) -> bool {
    const NAIVE: [&str; 4] = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ];
    chrono::DateTime::parse_from_rfc3339(s).is_ok()
        || chrono::DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%:z").is_ok()
        || NAIVE
            .iter()
            .any(|f| chrono::NaiveDateTime::parse_from_str(s, f).is_ok())
        || is_date(s)
}

mod named;
