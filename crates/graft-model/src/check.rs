//! Checking decoded [`Value`]s against declared types.
//!
//! The wire delivers values already typed (an int is an int), so checking is
//! a walk over value and type together. Where Python itself would accept a
//! value as the declared type, the value is converted instead of refused: an
//! int for a float, a list for a tuple or set, a raw value for an enum member.
//!
//! Tables checked column by column are in `table.rs`, named types (enums,
//! dataclasses, exceptions) in `named.rs`, a `TypedDict` and a NamedTuple
//! given as a tuple in `structured.rs`.

use crate::interface::{Interface, TypeRef};
use crate::json::TypeError;
use crate::json::takes_int;
use crate::path::Path;
use crate::scalars::{is_decimal, is_time};
use crate::value::Value;

/// Checks `value` against `ty`, converting where Python would; `path` names it in errors.
pub fn check_value(
    value: Value,
    ty: &TypeRef,
    iface: &Interface,
    path: &str,
) -> Result<Value, TypeError> {
    check(value, ty, iface, &Path::Root(path))
}

/// [`check_value`] at `path`, for the values inside others. A table that
/// does not fit as it is gets checked object by object, which names what
/// does not fit.
fn check(
    value: Value,
    ty: &TypeRef,
    iface: &Interface,
    path: &Path<'_>,
) -> Result<Value, TypeError> {
    let value = match value {
        Value::Table(table) => match checked_table(table, ty, iface) {
            Ok(checked) => return Ok(checked),
            Err(table) => Value::List(table.to_objects()),
        },
        other => other,
    };
    match ty {
        TypeRef::List { .. }
        | TypeRef::Set { .. }
        | TypeRef::VarTuple { .. }
        | TypeRef::Tuple { .. }
        | TypeRef::Dict { .. } => container(value, ty, iface, path),
        TypeRef::Optional { .. }
        | TypeRef::Union { .. }
        | TypeRef::Literal { .. }
        | TypeRef::Named { .. } => alternative(value, ty, iface, path),
        _ => scalar(value, ty).map_err(|value| wrong_type(path, ty, &value)),
    }
}

/// A value of a plain kind or an object reference (any value, for `Any`)
/// that is a `ty`, converted where Python would take it as one (an int for
/// a float or a Decimal); the value back where it is not.
fn scalar(value: Value, ty: &TypeRef) -> Result<Value, Value> {
    Ok(match (ty, value) {
        (TypeRef::Any, v) => v,
        (TypeRef::None, Value::None) => Value::None,
        (TypeRef::Bool, v @ Value::Bool(_))
        | (TypeRef::Int, v @ Value::Int(_))
        | (TypeRef::Float, v @ Value::Float(_)) => v,
        (TypeRef::Float, Value::Int(i)) => Value::Float(i as f64),
        (TypeRef::Str, v @ Value::Str(_)) | (TypeRef::Bytes, v @ Value::Bytes(_)) => v,
        (TypeRef::DateTime, v @ Value::DateTime(_)) | (TypeRef::Date, v @ Value::Date(_)) => v,
        (TypeRef::Decimal, Value::Decimal(s)) if is_decimal(&s) => Value::Decimal(s),
        (TypeRef::Decimal, Value::Int(i)) => Value::Decimal(i.to_string()),
        (TypeRef::Uuid, v @ Value::Uuid(_)) => v,
        (TypeRef::TimeDelta, Value::TimeDelta(t)) if t.is_normalised() => Value::TimeDelta(t),
        (TypeRef::Time, Value::Time(s)) if is_time(&s) => Value::Time(s),
        (TypeRef::Object { service }, Value::ObjectRef { service: s, id }) if *service == s => {
            Value::ObjectRef { service: s, id }
        }
        (_, v) => return Err(v),
    })
}

/// A list, set or tuple of items each checked against its type, or a dict
/// of keys and values each checked; a list, tuple or set becomes the kind
/// `ty` declares.
fn container(
    value: Value,
    ty: &TypeRef,
    iface: &Interface,
    path: &Path<'_>,
) -> Result<Value, TypeError> {
    Ok(match (ty, value) {
        (TypeRef::List { item }, Value::List(xs) | Value::Tuple(xs) | Value::Set(xs)) => {
            Value::List(items(xs, item, iface, path)?)
        }
        (TypeRef::Set { item }, Value::List(xs) | Value::Tuple(xs) | Value::Set(xs)) => {
            Value::Set(items(xs, item, iface, path)?)
        }
        (TypeRef::VarTuple { item }, Value::List(xs) | Value::Tuple(xs)) => {
            Value::Tuple(items(xs, item, iface, path)?)
        }
        (TypeRef::Tuple { items: types }, Value::List(xs) | Value::Tuple(xs))
            if xs.len() == types.len() =>
        {
            Value::Tuple(tuple_items(xs, types, iface, path)?)
        }
        (TypeRef::Dict { key, value }, Value::Dict(pairs)) => {
            Value::Dict(dict_pairs(pairs, key, value, iface, path)?)
        }
        (_, v) => return Err(wrong_type(path, ty, &v)),
    })
}

/// A value that fits one of several: an Optional's None or inner type, a
/// Union's first option that takes it, a Literal's value, or a named type.
fn alternative(
    value: Value,
    ty: &TypeRef,
    iface: &Interface,
    path: &Path<'_>,
) -> Result<Value, TypeError> {
    Ok(match (ty, value) {
        (TypeRef::Optional { .. }, Value::None) => Value::None,
        (TypeRef::Optional { inner }, v) => check(v, inner, iface, path)?,
        // An int stays an int where an option takes it as it is: `int`, or
        // `float` (a type checker takes an int for a float; only a lone
        // `float` makes it one), as a direct call does.
        (TypeRef::Union { options }, v @ Value::Int(_)) if options.iter().any(takes_int) => v,
        (TypeRef::Union { options }, v) => match first_option(&v, options, iface, path) {
            Some(found) => found,
            None => return Err(wrong_type(path, ty, &v)),
        },
        (TypeRef::Literal { values }, v) if values.contains(&crate::json::to_json(&v)) => v,
        (TypeRef::Named { name }, v) => {
            named(v, name, iface, path).map_err(|m| m.error(name, path))?
        }
        (_, v) => return Err(wrong_type(path, ty, &v)),
    })
}

/// The value as the first of a union's `options` that takes it, if any.
fn first_option(
    value: &Value,
    options: &[TypeRef],
    iface: &Interface,
    path: &Path<'_>,
) -> Option<Value> {
    options
        .iter()
        .find_map(|t| check(value.clone(), t, iface, path).ok())
}

/// Each of `xs` checked against `ty`, at its index.
fn items(
    xs: Vec<Value>,
    ty: &TypeRef,
    iface: &Interface,
    path: &Path<'_>,
) -> Result<Vec<Value>, TypeError> {
    xs.into_iter()
        .enumerate()
        .map(|(i, x)| check(x, ty, iface, &Path::Index(path, i)))
        .collect()
}

/// Each of a fixed-length tuple's `xs` checked against the type at its place.
fn tuple_items(
    xs: Vec<Value>,
    types: &[TypeRef],
    iface: &Interface,
    path: &Path<'_>,
) -> Result<Vec<Value>, TypeError> {
    xs.into_iter()
        .zip(types)
        .enumerate()
        .map(|(i, (x, t))| check(x, t, iface, &Path::Index(path, i)))
        .collect()
}

/// A dict's pairs, each key checked against `key` and each value against `value`.
fn dict_pairs(
    pairs: Vec<(Value, Value)>,
    key: &TypeRef,
    value: &TypeRef,
    iface: &Interface,
    path: &Path<'_>,
) -> Result<Vec<(Value, Value)>, TypeError> {
    pairs
        .into_iter()
        .map(|(k, v)| {
            let k = check(k, key, iface, &Path::Key(path, None))?;
            Ok((k, check(v, value, iface, &Path::AnyEntry(path))?))
        })
        .collect()
}

/// The error of a value that is not a `ty`, at `path`.
fn wrong_type(path: &Path<'_>, ty: &TypeRef, value: &Value) -> TypeError {
    TypeError {
        path: path.to_string(),
        expected: ty.python(),
        found: describe(value),
    }
}

/// The value as the JSON check would quote it (its JSON text, shortened),
/// so a wire call's errors read exactly as the HTTP call API's.
fn describe(value: &Value) -> String {
    crate::json::shortened(&crate::json::to_json(value))
}

mod named;
mod structured;
mod table;
use named::named;
use table::checked_table;

#[cfg(test)]
mod tests;
