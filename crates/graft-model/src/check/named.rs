//! The named types' checks: an enum member (given as a member or as its
//! raw value), a dataclass, NamedTuple or exception instance, a
//! `TypedDict`'s dict.

use super::structured::{positional_fits, typed_dict};
use super::{check, describe};
use crate::interface::{EnumMember, Field, Interface, TypeDefKind};
use crate::json::{TypeError, flag_value};
use crate::path::Path;
use crate::value::{Name, Value};

/// Why a value does not fit a named type.
pub(super) enum Misfit {
    /// The value as a whole is not of the type (given back, to be described).
    Whole(Value),
    /// A field of the object does not fit: the error names that field's own path.
    Inside(TypeError),
}

impl Misfit {
    /// The error to report for a value at `path` that is not a `name`.
    pub(super) fn error(self, name: &str, path: &Path<'_>) -> TypeError {
        match self {
            Misfit::Whole(v) => TypeError {
                path: path.to_string(),
                expected: name.to_string(),
                found: describe(&v),
            },
            Misfit::Inside(e) => e,
        }
    }
}

/// A dataclass or exception instance of the named type, or an enum member
/// (given as a member or as its raw value).
pub(super) fn named(
    value: Value,
    name: &str,
    iface: &Interface,
    path: &Path<'_>,
) -> Result<Value, Misfit> {
    let Some(def) = iface.type_def(name) else {
        return Err(Misfit::Whole(value));
    };
    match (&def.kind, value) {
        (TypeDefKind::Enum { members, flag, .. }, v) => enum_member(v, name, members, *flag),
        (TypeDefKind::NamedTuple { fields }, Value::Tuple(xs) | Value::List(xs))
            if positional_fits(fields, xs.len()) =>
        {
            named_tuple(xs, fields, name, iface, path).map_err(Misfit::Inside)
        }
        (TypeDefKind::TypedDict { fields }, Value::Dict(pairs)) => {
            typed_dict(pairs, fields, name, iface, path).map_err(Misfit::Inside)
        }
        (
            TypeDefKind::Dataclass { fields, .. }
            | TypeDefKind::NamedTuple { fields }
            | TypeDefKind::Exception { fields, .. },
            Value::Object {
                type_name,
                fields: given,
            },
        ) if &*type_name == name => {
            let fields = object_fields(given, fields, name, iface, path).map_err(Misfit::Inside)?;
            Ok(Value::Object { type_name, fields })
        }
        (_, v) => Err(Misfit::Whole(v)),
    }
}

/// A member of the enum `name`: a member of that enum already, or a raw
/// value one of its `members` has (or, for a `flag`, an int that combines
/// them), made a member.
fn enum_member(
    value: Value,
    name: &str,
    members: &[EnumMember],
    flag: bool,
) -> Result<Value, Misfit> {
    let is_member = |value: &Value| {
        let json = crate::json::to_json(value);
        let combination =
            matches!(value, Value::Int(_)) && flag_value(members, flag, &json).is_some();
        members.iter().any(|m| json == m.value) || combination
    };
    match value {
        Value::Enum { type_name, value } if type_name == name => match is_member(&value) {
            true => Ok(Value::Enum { type_name, value }),
            false => Err(Misfit::Whole(Value::Enum { type_name, value })),
        },
        raw => match is_member(&raw) {
            true => Ok(Value::Enum {
                type_name: name.to_string(),
                value: Box::new(raw),
            }),
            false => Err(Misfit::Whole(raw)),
        },
    }
}

/// A NamedTuple given by position (a tuple or a list), as the object of
/// its fields in order.
fn named_tuple(
    xs: Vec<Value>,
    fields: &[Field],
    name: &str,
    iface: &Interface,
    path: &Path<'_>,
) -> Result<Value, TypeError> {
    let given = fields
        .iter()
        .map(|f| f.name.as_str().into())
        .zip(xs)
        .collect();
    Ok(Value::Object {
        type_name: name.into(),
        fields: object_fields(given, fields, name, iface, path)?,
    })
}

/// The fields of an object of the dataclass or exception `name`, each
/// checked in place against its declaration (so the object keeps its field
/// vector). An error names the field's own path, as the JSON check does.
fn object_fields(
    mut given: Vec<(Name, Value)>,
    fields: &[Field],
    name: &str,
    iface: &Interface,
    path: &Path<'_>,
) -> Result<Vec<(Name, Value)>, TypeError> {
    for (i, (field, v)) in given.iter_mut().enumerate() {
        // Fields usually come in declaration order: look there first.
        let at = fields.get(i).filter(|f| *f.name == **field);
        let Some(decl) = at.or_else(|| fields.iter().find(|f| *f.name == **field)) else {
            return Err(TypeError {
                path: Path::Field(path, field).to_string(),
                expected: format!("no such field in {name}"),
                found: describe(v),
            });
        };
        let value = std::mem::replace(v, Value::None);
        *v = check(value, &decl.ty, iface, &Path::Field(path, field))?;
    }
    Ok(given)
}
