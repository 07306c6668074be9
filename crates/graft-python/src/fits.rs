//! Whether a returned [`Value`] fits its declared type, through
//! containers and named types (`returns.rs` names the method in the error).
//!
//! The rules, the same as the graft's in-process check
//! (`python/graft_runtime/returns.py`), as a type checker sees values:
//! a bool is an int, an int a float, a datetime a date, an enum member its
//! value's type; a list, tuple or set fits any of `list`, `set` and
//! `tuple[T, ...]` (item by item); a dataclass, NamedTuple or model is
//! checked field by field when it is of the very type named, and an
//! object of another hosted type passes as it is (a subclass, say); a
//! TypedDict's keys present are checked; `Any` is not looked into.
//! A table (a list of records) is checked column by column: a typed
//! column by one cell, unless its field takes a `Literal`.

use std::collections::HashMap;

use graft_model::interface::{Field, TypeDef, TypeDefKind};
use graft_model::{Column, Interface, Table, TypeRef, Value};

/// The hosted named types, by name.
#[derive(Default)]
pub(crate) struct Types(HashMap<String, TypeDef>);

impl Types {
    pub(crate) fn of(interface: &Interface) -> Self {
        Types(
            interface
                .types
                .iter()
                .map(|t| (t.name.clone(), t.clone()))
                .collect(),
        )
    }
}

/// Where and how a value does not fit: `path` is built as the error
/// unwinds (`[2]`, `.price`), only for a value that does not fit.
#[derive(Debug)]
pub(crate) struct Misfit {
    pub(crate) path: String,
    pub(crate) kind: &'static str,
    pub(crate) expected: String,
}

impl Misfit {
    fn whole(value: &Value, ty: &TypeRef) -> Self {
        Misfit {
            path: String::new(),
            kind: value.kind(),
            expected: ty.python(),
        }
    }

    fn inside(mut self, segment: &str) -> Self {
        self.path.insert_str(0, segment);
        self
    }
}

type Fit = Result<(), Misfit>;

/// Whether `value` fits `ty`.
pub(crate) fn fit(value: &Value, ty: &TypeRef, types: &Types) -> Fit {
    if let Value::Table(table) = value {
        return fit_table(table, ty, types);
    }
    if let Value::Enum { value: raw, .. } = value {
        return fit_enum(value, raw, ty, types);
    }
    match ty {
        TypeRef::Any => Ok(()),
        TypeRef::Optional { .. } if matches!(value, Value::None) => Ok(()),
        TypeRef::Optional { inner } => fit(value, inner, types).map_err(|m| restated(m, ty)),
        TypeRef::Union { options } if options.iter().any(|o| fit(value, o, types).is_ok()) => {
            Ok(())
        }
        TypeRef::Literal { values } if values.contains(&graft_model::json::to_json(value)) => {
            Ok(())
        }
        TypeRef::List { item } | TypeRef::Set { item } | TypeRef::VarTuple { item } => {
            match value {
                Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => items(xs, 0, item, types),
                _ => Err(Misfit::whole(value, ty)),
            }
        }
        TypeRef::Tuple { items: each } => fit_tuple(value, each, ty, types),
        TypeRef::Dict { key, value: item } => fit_dict(value, key, item, ty, types),
        TypeRef::Named { name } => fit_named(value, name, ty, types),
        TypeRef::Object { .. } if matches!(value, Value::ObjectRef { .. }) => Ok(()),
        _ if scalar_fits(value, ty) => Ok(()),
        _ => Err(Misfit::whole(value, ty)),
    }
}

/// An enum member (`value`, of value `raw`) fits any named type, not
/// looked into, and what its value fits: an IntEnum's member is an int.
fn fit_enum(value: &Value, raw: &Value, ty: &TypeRef, types: &Types) -> Fit {
    let fits = match ty {
        TypeRef::Any | TypeRef::Named { .. } => true,
        _ => fit(raw, ty, types).is_ok(),
    };
    if fits {
        Ok(())
    } else {
        Err(Misfit::whole(value, ty))
    }
}

/// A fixed tuple (`tuple[int, str]`): a list or tuple of as many items,
/// each fitting its own type.
fn fit_tuple(value: &Value, each: &[TypeRef], ty: &TypeRef, types: &Types) -> Fit {
    match value {
        Value::List(xs) | Value::Tuple(xs) if xs.len() == each.len() => {
            for (i, (x, t)) in xs.iter().zip(each).enumerate() {
                fit(x, t, types).map_err(|m| m.inside(&format!("[{i}]")))?;
            }
            Ok(())
        }
        _ => Err(Misfit::whole(value, ty)),
    }
}

/// A dict, key by key and value by value; the misfit names the key.
fn fit_dict(value: &Value, key: &TypeRef, item: &TypeRef, ty: &TypeRef, types: &Types) -> Fit {
    match value {
        Value::Dict(pairs) => pairs.iter().try_for_each(|(k, v)| {
            fit(k, key, types).map_err(|m| m.inside(&key_segment(k)))?;
            fit(v, item, types).map_err(|m| m.inside(&entry_segment(k)))
        }),
        _ => Err(Misfit::whole(value, ty)),
    }
}

/// `items`, the items of a list from index `start` on, each against `item`.
pub(crate) fn items(items: &[Value], start: usize, item: &TypeRef, types: &Types) -> Fit {
    for (i, x) in items.iter().enumerate() {
        fit(x, item, types).map_err(|m| m.inside(&format!("[{}]", start + i)))?;
    }
    Ok(())
}

/// A misfit right at an `Optional`'s value names the `Optional`.
fn restated(misfit: Misfit, ty: &TypeRef) -> Misfit {
    if misfit.path.is_empty() {
        return Misfit {
            expected: ty.python(),
            ..misfit
        };
    }
    misfit
}

fn key_segment(key: &Value) -> String {
    match key {
        Value::Str(k) => format!(" key {k:?}"),
        _ => " key".into(),
    }
}

fn entry_segment(key: &Value) -> String {
    match key {
        Value::Str(k) => format!("[{k:?}]"),
        _ => "[...]".into(),
    }
}

fn fit_named(value: &Value, name: &str, ty: &TypeRef, types: &Types) -> Fit {
    let Some(def) = types.0.get(name) else {
        return Ok(());
    };
    match (&def.kind, value) {
        (TypeDefKind::Enum { .. }, Value::Enum { .. }) => Ok(()),
        (
            TypeDefKind::Dataclass { fields, .. }
            | TypeDefKind::NamedTuple { fields }
            | TypeDefKind::Exception { fields, .. },
            Value::Object {
                type_name,
                fields: given,
            },
        ) => {
            if **type_name != *name {
                return Ok(()); // another hosted type: passed as it is
            }
            given
                .iter()
                .try_for_each(|(field, v)| match declared(fields, field) {
                    Some(decl) => {
                        fit(v, &decl.ty, types).map_err(|m| m.inside(&format!(".{field}")))
                    }
                    None => Ok(()),
                })
        }
        (TypeDefKind::TypedDict { fields }, Value::Dict(pairs)) => {
            pairs.iter().try_for_each(|(k, v)| {
                let Value::Str(key) = k else { return Ok(()) };
                match declared(fields, key) {
                    Some(decl) => fit(v, &decl.ty, types).map_err(|m| m.inside(&entry_segment(k))),
                    None => Ok(()),
                }
            })
        }
        _ => Err(Misfit::whole(value, ty)),
    }
}

fn declared<'a>(fields: &'a [Field], name: &str) -> Option<&'a Field> {
    fields.iter().find(|f| f.name == name)
}

/// A table against `ty`: column by column when `ty` is a list of exactly
/// its type; otherwise object by object.
fn fit_table(table: &Table, ty: &TypeRef, types: &Types) -> Fit {
    let item = match ty {
        TypeRef::Any => return Ok(()),
        TypeRef::Optional { inner } => return fit_table(table, inner, types),
        TypeRef::List { item } | TypeRef::Set { item } | TypeRef::VarTuple { item } => item,
        _ => return fit(&Value::List(table.to_objects()), ty, types),
    };
    let item = match &**item {
        TypeRef::Optional { inner } => inner,
        other => other,
    };
    let fields = match (item, types.0.get(&*table.type_name).map(|d| &d.kind)) {
        (TypeRef::Any, _) => return Ok(()),
        (
            TypeRef::Named { name },
            Some(TypeDefKind::Dataclass { fields, .. } | TypeDefKind::NamedTuple { fields }),
        ) if *name == *table.type_name => fields,
        _ => return items(&table.to_objects(), 0, item, types),
    };
    for (name, column) in table.names.iter().zip(&table.columns) {
        if let Some(decl) = declared(fields, name) {
            fit_column(column, &decl.ty, types)
                .map_err(|(row, m)| m.inside(&format!(".{name}")).inside(&format!("[{row}]")))?;
        }
    }
    Ok(())
}

/// A column's cells against their field's type; the misfit's row.
fn fit_column(column: &Column, ty: &TypeRef, types: &Types) -> Result<(), (usize, Misfit)> {
    let cell = |i: usize| match column {
        Column::Bool(v) => Value::Bool(v[i]),
        Column::Int(v) => Value::Int(v[i]),
        Column::Float(v) => Value::Float(v[i]),
        Column::Str { text, ends } => Value::Str(Column::str_at(text, ends, i).to_owned()),
        Column::Values(v) => v[i].clone(),
    };
    if let Column::Values(cells) = column {
        for (i, v) in cells.iter().enumerate() {
            fit(v, ty, types).map_err(|m| (i, m))?;
        }
        return Ok(());
    }
    // A typed column's cells are all of one kind: one cell says for all,
    // unless a Literal looks at each value.
    let rows = if has_literal(ty) {
        column.len()
    } else {
        column.len().min(1)
    };
    for i in 0..rows {
        fit(&cell(i), ty, types).map_err(|m| (i, m))?;
    }
    Ok(())
}

fn has_literal(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Literal { .. } => true,
        TypeRef::Optional { inner } => has_literal(inner),
        TypeRef::Union { options } => options.iter().any(has_literal),
        _ => false,
    }
}

/// Whether a scalar `value` fits the scalar type `ty`.
fn scalar_fits(value: &Value, ty: &TypeRef) -> bool {
    match ty {
        TypeRef::None => matches!(value, Value::None),
        TypeRef::Bool => matches!(value, Value::Bool(_)),
        TypeRef::Int => matches!(value, Value::Int(_) | Value::Bool(_)),
        TypeRef::Float => matches!(value, Value::Float(_) | Value::Int(_) | Value::Bool(_)),
        TypeRef::Str => matches!(value, Value::Str(_)),
        TypeRef::Bytes => matches!(value, Value::Bytes(_)),
        TypeRef::DateTime => matches!(value, Value::DateTime(_)),
        TypeRef::Date => matches!(value, Value::Date(_) | Value::DateTime(_)),
        TypeRef::Decimal => matches!(value, Value::Decimal(_)),
        TypeRef::Uuid => matches!(value, Value::Uuid(_)),
        TypeRef::TimeDelta => matches!(value, Value::TimeDelta(_)),
        TypeRef::Time => matches!(value, Value::Time(_)),
        _ => false,
    }
}
