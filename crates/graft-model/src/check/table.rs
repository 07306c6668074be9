//! A table checked as it is, column by column, so that a list of many
//! objects is not taken apart to be checked object by object.

use crate::interface::{Interface, TypeDefKind, TypeRef};
use crate::table::{Column, Table};
use crate::value::Value;

/// A table that fits `ty` as it is, column by column: a list of the
/// dataclass it names, each column's cells of their field's type already
/// (an int column for a `float` field becomes a float column, as a single
/// int would). Anything else comes back, to be checked object by object.
pub(super) fn checked_table(
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
/// another kind may still pass, after a conversion: see [`super::check`]).
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
