//! Checking decoded [`Value`]s against declared types.
//!
//! The wire delivers values already typed (an int is an int), so checking is
//! a walk over value and type together. Where Python itself would accept a
//! value as the declared type, the value is converted instead of refused: an
//! int for a float, a list for a tuple or set, a raw value for an enum member.

use crate::interface::{EnumMember, Field, Interface, TypeDefKind, TypeRef};
use crate::json::takes_int;
use crate::json::{TypeError, flag_value};
use crate::path::Path;
use crate::scalars::{is_decimal, is_time};
use crate::table::{Column, Table};
use crate::value::{Name, Value};

/// Checks `value` against `ty`, converting where Python would; `path` names it in errors.
pub fn check_value(
    value: Value,
    ty: &TypeRef,
    iface: &Interface,
    path: &str,
) -> Result<Value, TypeError> {
    check(value, ty, iface, &Path::Root(path))
}

fn check(
    value: Value,
    ty: &TypeRef,
    iface: &Interface,
    path: &Path<'_>,
) -> Result<Value, TypeError> {
    let value = match value {
        Value::Table(table) => match checked_table(table, ty, iface) {
            Ok(checked) => return Ok(checked),
            // Checked object by object, which names what does not fit.
            Err(table) => Value::List(table.to_objects()),
        },
        other => other,
    };
    let fail = |value: &Value| TypeError {
        path: path.to_string(),
        expected: ty.python(),
        found: describe(value),
    };
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
            Value::Tuple(
                xs.into_iter()
                    .zip(types)
                    .enumerate()
                    .map(|(i, (x, t))| check(x, t, iface, &Path::Index(path, i)))
                    .collect::<Result<_, _>>()?,
            )
        }
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
        // An int stays an int where an option takes it as it is: `int`, or
        // `float` (a type checker takes an int for a float; only a lone
        // `float` makes it one), as a direct call does.
        (TypeRef::Union { options }, v @ Value::Int(_)) if options.iter().any(takes_int) => v,
        (TypeRef::Union { options }, v) => {
            let found = options
                .iter()
                .find_map(|t| check(v.clone(), t, iface, path).ok());
            found.ok_or_else(|| fail(&v))?
        }
        (TypeRef::Literal { values }, v) if values.contains(&crate::json::to_json(&v)) => v,
        (TypeRef::Named { name }, v) => {
            named(v, name, iface, path).map_err(|misfit| match misfit {
                Misfit::Whole(v) => TypeError {
                    path: path.to_string(),
                    expected: name.clone(),
                    found: describe(&v),
                },
                Misfit::Inside(e) => e,
            })?
        }
        (_, v) => return Err(fail(&v)),
    })
}

/// A table that fits `ty` as it is, column by column: a list of the
/// dataclass it names, each column's cells of their field's type already
/// (an int column for a `float` field becomes a float column, as a single
/// int would). Anything else comes back, to be checked object by object.
fn checked_table(
    mut table: Box<Table>,
    ty: &TypeRef,
    iface: &Interface,
) -> Result<Value, Box<Table>> {
    let item = match ty {
        TypeRef::Any => return Ok(Value::Table(table)),
        TypeRef::Optional { inner } => return checked_table(table, inner, iface),
        TypeRef::List { item } => item,
        _ => return Err(table),
    };
    let def = match &**item {
        TypeRef::Named { name } if **name == *table.type_name => iface.type_def(name),
        _ => None,
    };
    let Some(TypeDefKind::Dataclass { fields, .. }) = def.map(|d| &d.kind) else {
        return Err(table);
    };
    for (name, column) in table.names.iter().zip(table.columns.iter_mut()) {
        let Some(field) = fields.iter().find(|f| *f.name == **name) else {
            return Err(table);
        };
        if !column_fits(column, &field.ty) {
            return Err(table);
        }
    }
    Ok(Value::Table(table))
}

/// Whether every cell of `column` is a `ty` already; an int column for a
/// float is made a float column.
fn column_fits(column: &mut Column, ty: &TypeRef) -> bool {
    if let Column::Values(cells) = column {
        return cells.iter().all(|cell| as_is(cell, ty));
    }
    // A column of one kind holds no None: an Optional's inner type decides.
    let ty = match ty {
        TypeRef::Optional { inner } => inner,
        other => other,
    };
    match (ty, &*column) {
        (TypeRef::Any, _)
        | (TypeRef::Bool, Column::Bool(_))
        | (TypeRef::Int, Column::Int(_))
        | (TypeRef::Float, Column::Float(_))
        | (TypeRef::Str, Column::Str { .. }) => true,
        (TypeRef::Float, Column::Int(ints)) => {
            *column = Column::Float(ints.iter().map(|&i| i as f64).collect());
            true
        }
        _ => false,
    }
}

/// Whether `value` passes `ty` unchanged, for the plain kinds (a value of
/// another kind may still pass, after a conversion: see [`check`]).
fn as_is(value: &Value, ty: &TypeRef) -> bool {
    matches!(
        (ty, value),
        (TypeRef::Any, _)
            | (TypeRef::None | TypeRef::Optional { .. }, Value::None)
            | (TypeRef::Bool, Value::Bool(_))
            | (TypeRef::Int, Value::Int(_))
            | (TypeRef::Float, Value::Float(_))
            | (TypeRef::Str, Value::Str(_))
            | (TypeRef::Bytes, Value::Bytes(_))
            | (TypeRef::DateTime, Value::DateTime(_))
            | (TypeRef::Date, Value::Date(_))
            | (TypeRef::Decimal, Value::Decimal(_))
            | (TypeRef::Uuid, Value::Uuid(_))
            | (TypeRef::TimeDelta, Value::TimeDelta(_))
            | (TypeRef::Time, Value::Time(_))
    ) || matches!(ty, TypeRef::Optional { inner } if as_is(value, inner))
}

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

/// Why a value does not fit a named type.
enum Misfit {
    /// The value as a whole is not of the type (given back, to be described).
    Whole(Value),
    /// A field of the object does not fit: the error names that field's own path.
    Inside(TypeError),
}

/// A dataclass or exception instance of the named type, or an enum member
/// (given as a member or as its raw value).
fn named(value: Value, name: &str, iface: &Interface, path: &Path<'_>) -> Result<Value, Misfit> {
    let Some(def) = iface.type_def(name) else {
        return Err(Misfit::Whole(value));
    };
    let member = |members: &[EnumMember], flag: bool, value: &Value| {
        let json = crate::json::to_json(value);
        let combination =
            matches!(value, Value::Int(_)) && flag_value(members, flag, &json).is_some();
        members.iter().any(|m| json == m.value) || combination
    };
    match (&def.kind, value) {
        (TypeDefKind::Enum { members, flag, .. }, Value::Enum { type_name, value })
            if type_name == name =>
        {
            if member(members, *flag, &value) {
                Ok(Value::Enum { type_name, value })
            } else {
                Err(Misfit::Whole(Value::Enum { type_name, value }))
            }
        }
        (TypeDefKind::Enum { members, flag, .. }, raw) => match member(members, *flag, &raw) {
            true => Ok(Value::Enum {
                type_name: name.to_string(),
                value: Box::new(raw),
            }),
            false => Err(Misfit::Whole(raw)),
        },
        (TypeDefKind::NamedTuple { fields }, Value::Tuple(xs) | Value::List(xs))
            if positional_fits(fields, xs.len()) =>
        {
            let given = fields
                .iter()
                .map(|f| f.name.as_str().into())
                .zip(xs)
                .collect();
            let fields = object_fields(given, fields, name, iface, path).map_err(Misfit::Inside)?;
            Ok(Value::Object {
                type_name: name.into(),
                fields,
            })
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

/// The value as the JSON check would quote it (its JSON text, shortened),
/// so a wire call's errors read exactly as the HTTP call API's.
fn describe(value: &Value) -> String {
    crate::json::shortened(&crate::json::to_json(value))
}

mod structured;
use structured::{positional_fits, typed_dict};

#[cfg(test)]
mod tests;
