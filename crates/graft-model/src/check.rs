//! Checking decoded [`Value`]s against declared types.
//!
//! The wire delivers values already typed (an int is an int), so checking is
//! a walk over value and type together. Where Python itself would accept a
//! value as the declared type, the value is converted instead of refused: an
//! int for a float, a list for a tuple or set, a raw value for an enum member.

use crate::interface::{Interface, TypeDefKind, TypeRef};
use crate::json::TypeError;
use crate::path::Path;
use crate::value::Value;

/// Checks `value` against `ty`, converting where Python would; `path` names it in errors.
pub fn check_value(value: Value, ty: &TypeRef, iface: &Interface, path: &str) -> Result<Value, TypeError> {
    check(value, ty, iface, &Path::Root(path))
}

fn check(value: Value, ty: &TypeRef, iface: &Interface, path: &Path<'_>) -> Result<Value, TypeError> {
    let fail = |value: &Value| TypeError { path: path.to_string(), expected: ty.python(), found: describe(value) };
    Ok(match (ty, value) {
        (TypeRef::Any, v) => v,
        (TypeRef::None, Value::None) => Value::None,
        (TypeRef::Bool, v @ Value::Bool(_)) | (TypeRef::Int, v @ Value::Int(_)) | (TypeRef::Float, v @ Value::Float(_)) => v,
        (TypeRef::Float, Value::Int(i)) => Value::Float(i as f64),
        (TypeRef::Str, v @ Value::Str(_)) | (TypeRef::Bytes, v @ Value::Bytes(_)) => v,
        (TypeRef::DateTime, v @ Value::DateTime(_)) | (TypeRef::Date, v @ Value::Date(_)) => v,
        (TypeRef::List { item }, Value::List(xs) | Value::Tuple(xs) | Value::Set(xs)) => Value::List(items(xs, item, iface, path)?),
        (TypeRef::Set { item }, Value::List(xs) | Value::Tuple(xs) | Value::Set(xs)) => Value::Set(items(xs, item, iface, path)?),
        (TypeRef::VarTuple { item }, Value::List(xs) | Value::Tuple(xs)) => Value::Tuple(items(xs, item, iface, path)?),
        (TypeRef::Tuple { items: types }, Value::List(xs) | Value::Tuple(xs)) if xs.len() == types.len() => Value::Tuple(
            xs.into_iter()
                .zip(types)
                .enumerate()
                .map(|(i, (x, t))| check(x, t, iface, &Path::Index(path, i)))
                .collect::<Result<_, _>>()?,
        ),
        (TypeRef::Dict { key, value }, Value::Dict(pairs)) => Value::Dict(
            pairs
                .into_iter()
                .map(|(k, v)| {
                    let k = check(k, key, iface, &Path::Key(path, None))?;
                    Ok((k, check(v, value, iface, &Path::AnyEntry(path))?))
                })
                .collect::<Result<_, TypeError>>()?,
        ),
        (TypeRef::Optional { .. }, Value::None) => Value::None,
        (TypeRef::Optional { inner }, v) => check(v, inner, iface, path)?,
        (TypeRef::Union { options }, v) => {
            let found = options.iter().find_map(|t| check(v.clone(), t, iface, path).ok());
            found.ok_or_else(|| fail(&v))?
        }
        (TypeRef::Named { name }, v) => named(v, name, iface, path).map_err(|v| TypeError {
            path: path.to_string(),
            expected: name.clone(),
            found: describe(&v),
        })?,
        (_, v) => return Err(fail(&v)),
    })
}

fn items(xs: Vec<Value>, ty: &TypeRef, iface: &Interface, path: &Path<'_>) -> Result<Vec<Value>, TypeError> {
    xs.into_iter().enumerate().map(|(i, x)| check(x, ty, iface, &Path::Index(path, i))).collect()
}

/// A dataclass or exception instance of the named type, or an enum member
/// (given as a member or as its raw value). Gives the value back when it does not fit.
fn named(value: Value, name: &str, iface: &Interface, path: &Path<'_>) -> Result<Value, Value> {
    let Some(def) = iface.type_def(name) else { return Err(value) };
    match (&def.kind, value) {
        (TypeDefKind::Enum { members }, Value::Enum { type_name, value }) if type_name == name => {
            if members.iter().any(|m| crate::json::to_json(&value) == m.value) {
                Ok(Value::Enum { type_name, value })
            } else {
                Err(Value::Enum { type_name, value })
            }
        }
        (TypeDefKind::Enum { members }, raw) => match members.iter().find(|m| crate::json::to_json(&raw) == m.value) {
            Some(_) => Ok(Value::Enum { type_name: name.to_string(), value: Box::new(raw) }),
            None => Err(raw),
        },
        (TypeDefKind::Dataclass { fields } | TypeDefKind::Exception { fields, .. }, Value::Object { type_name, fields: given })
            if &*type_name == name =>
        {
            let mut given = given;
            for (i, (field, v)) in given.iter_mut().enumerate() {
                // Fields usually come in declaration order: look there first.
                let at = fields.get(i).filter(|f| *f.name == **field);
                let Some(decl) = at.or_else(|| fields.iter().find(|f| *f.name == **field)) else {
                    return Err(Value::Str(format!("{name} with an unknown field `{field}`")));
                };
                // Checked in place, so the object keeps its field vector.
                match check(std::mem::replace(v, Value::None), &decl.ty, iface, &Path::Field(path, field)) {
                    Ok(checked) => *v = checked,
                    Err(e) => return Err(Value::Str(e.to_string())),
                }
            }
            Ok(Value::Object { type_name, fields: given })
        }
        (_, v) => Err(v),
    }
}

/// The value's kind and a short rendering of it, for messages.
fn describe(value: &Value) -> String {
    let mut text = match value {
        Value::Object { type_name, .. } => return type_name.to_string(),
        Value::Enum { type_name, .. } => return type_name.clone(),
        Value::Str(s) => return format!("str {:?}", s.chars().take(40).collect::<String>()),
        other => format!("{} {}", other.kind(), crate::json::to_json(other)),
    };
    if text.len() > 80 {
        let cut = (0..=77).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
        text.truncate(cut);
        text.push_str("...");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iface() -> Interface {
        serde_json::from_value(serde_json::json!({
            "services": [],
            "types": [
                {"name": "Color", "module": "m", "kind": "enum", "members": [{"name": "RED", "value": 1}]},
                {"name": "Item", "module": "m", "kind": "dataclass", "fields": [{"name": "qty", "type": {"kind": "int"}}]}
            ]
        }))
        .unwrap()
    }

    fn check(v: Value, ty: TypeRef) -> Result<Value, TypeError> {
        check_value(v, &ty, &iface(), "x")
    }

    #[test]
    fn converts_where_python_would() {
        assert_eq!(check(Value::Int(2), TypeRef::Float), Ok(Value::Float(2.0)));
        let tuple = TypeRef::Tuple { items: vec![TypeRef::Int, TypeRef::Str] };
        assert_eq!(
            check(Value::List(vec![Value::Int(1), Value::Str("a".into())]), tuple),
            Ok(Value::Tuple(vec![Value::Int(1), Value::Str("a".into())]))
        );
        let red = Value::Enum { type_name: "Color".into(), value: Box::new(Value::Int(1)) };
        assert_eq!(check(Value::Int(1), TypeRef::Named { name: "Color".into() }), Ok(red));
    }

    #[test]
    fn refuses_what_python_code_would_trip_on() {
        assert_eq!(check(Value::Str("1".into()), TypeRef::Int).unwrap_err().found, "str \"1\"");
        assert!(check(Value::Float(1.5), TypeRef::Int).is_err());
        assert!(check(Value::Int(2), TypeRef::Named { name: "Color".into() }).is_err());
        let bad = Value::Object { type_name: "Item".into(), fields: vec![("qty".into(), Value::Str("x".into()))] };
        assert!(check(bad, TypeRef::Named { name: "Item".into() }).unwrap_err().found.contains("x.qty"));
        let list = TypeRef::List { item: Box::new(TypeRef::Int) };
        assert_eq!(check(Value::List(vec![Value::Int(1), Value::None]), list).unwrap_err().path, "x[1]");
    }
}
