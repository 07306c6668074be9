//! A method's returned value against its declared return type: a value
//! that does not fit (`-> int` returning a str, `-> list[Decimal]`
//! returning floats) is a `TypeError` naming the method, where inside the
//! value (`returns[2].price`) and the type there, never a wrong answer.
//! The graft's in-process runtime checks the same
//! (`python/graft_runtime/returns.py`), with the same message. The rules
//! are in `fits.rs`. A long list sent in parts ahead has each part checked
//! before it goes (`Converter::read_result`, [`part`]).

use graft_model::{Raised, TypeRef, Value};
use pyo3::PyErr;

use crate::fits::{Misfit, fit, items};
use crate::invoke::Outcome;
use crate::{CallError, Entry};

/// `outcome`, or a `TypeError` if its value does not fit the declared type.
pub(crate) fn checked(entry: &Entry, outcome: Outcome) -> Outcome {
    let Ok(value) = &outcome else {
        return outcome;
    };
    let method = &entry.signature;
    if method.streams || matches!(method.returns, TypeRef::Any) {
        return outcome;
    }
    let Err(misfit) = fit(value, &method.returns, &entry.types) else {
        return outcome;
    };
    let message = message(entry, &misfit);
    Err(CallError::Raised(Box::new(Raised {
        type_name: "TypeError".into(),
        module: "builtins".into(),
        args: vec![Value::Str(message.clone())],
        message,
        fields: Vec::new(),
        traceback: String::new(),
    })))
}

/// A streamed item, the `index`th, against the streaming method's item type
/// (its `returns`), checked before it is sent: a [`ReturnMisfit`] naming the
/// method and where (`items[3].price`), as for a returned value. The graft's
/// in-process streams check the same (`python/graft_runtime/streams.py`).
pub(crate) fn item(entry: &Entry, value: &Value, index: usize) -> Result<(), PyErr> {
    if matches!(entry.signature.returns, TypeRef::Any) {
        return Ok(());
    }
    fit(value, &entry.signature.returns, &entry.types).map_err(|m| {
        ReturnMisfit::new_err(format!(
            "{}.{} yielded a value of type {} at items[{index}]{} where its annotation says {}",
            entry.service, entry.signature.name, m.kind, m.path, m.expected
        ))
    })
}

/// A part of a long returned list, its items from index `start` on,
/// checked before it is sent: a [`Misfit`] error (a `TypeError`) if one
/// does not fit.
pub(crate) fn part(entry: &Entry, value: &Value, start: usize) -> Result<(), PyErr> {
    let item = match &entry.signature.returns {
        TypeRef::List { item } | TypeRef::Set { item } | TypeRef::VarTuple { item } => item,
        TypeRef::Optional { inner } => match &**inner {
            TypeRef::List { item } | TypeRef::Set { item } | TypeRef::VarTuple { item } => item,
            _ => return Ok(()),
        },
        _ => return Ok(()),
    };
    let fits = match value {
        Value::List(xs) => items(xs, start, item, &entry.types),
        table @ Value::Table(_) => {
            fit(table, &entry.signature.returns, &entry.types).map_err(|m| shifted(m, start))
        }
        _ => Ok(()),
    };
    fits.map_err(|m| ReturnMisfit::new_err(message(entry, &m)))
}

/// A misfit found in a part, at its index in the whole list.
fn shifted(mut misfit: Misfit, start: usize) -> Misfit {
    let index = misfit
        .path
        .strip_prefix('[')
        .and_then(|rest| rest.split_once(']'));
    if let Some((i, rest)) = index.and_then(|(i, rest)| Some((i.parse::<usize>().ok()?, rest))) {
        misfit.path = format!("[{}]{rest}", i + start);
    }
    misfit
}

pyo3::create_exception!(
    graft,
    ReturnMisfit,
    pyo3::exceptions::PyTypeError,
    "A returned value that does not fit its declared type; its text names the method."
);

/// `Service.method returned a value of type float at returns[2] where
/// its annotation says Decimal` (no `at` for the value itself).
fn message(entry: &Entry, misfit: &Misfit) -> String {
    let at = if misfit.path.is_empty() {
        String::new()
    } else {
        format!(" at returns{}", misfit.path)
    };
    format!(
        "{}.{} returned a value of type {}{at} where its annotation says {}",
        entry.service, entry.signature.name, misfit.kind, misfit.expected
    )
}

#[cfg(test)]
mod tests {
    use crate::fits::{Types, fit};
    use graft_model::{TypeRef, Value};

    fn misfit(value: &Value, ty: &TypeRef) -> Option<(String, String)> {
        let m = fit(value, ty, &Types::default()).err()?;
        Some((m.path, m.expected))
    }

    #[test]
    fn scalars_and_containers_are_checked() {
        let s = |t: &str| Value::Str(t.into());
        let dec = || Value::Decimal("1.5".into());
        assert!(misfit(&s("5"), &TypeRef::Int).is_some());
        assert!(misfit(&Value::Bool(true), &TypeRef::Int).is_none());
        assert!(misfit(&Value::Int(1), &TypeRef::Float).is_none());
        let optional = TypeRef::Optional {
            inner: Box::new(TypeRef::Uuid),
        };
        assert!(misfit(&Value::None, &optional).is_none());
        assert_eq!(misfit(&s("x"), &optional).unwrap().1, "Optional[UUID]");
        let member = Value::Enum {
            type_name: "Level".into(),
            value: Box::new(Value::Int(2)),
        };
        assert!(
            misfit(&member, &TypeRef::Int).is_none() && misfit(&member, &TypeRef::Str).is_some()
        );
        let list = TypeRef::List {
            item: Box::new(TypeRef::Decimal),
        };
        let got = Value::List(vec![dec(), dec(), Value::Float(0.1)]);
        assert_eq!(misfit(&got, &list), Some(("[2]".into(), "Decimal".into())));
        let dict = TypeRef::Dict {
            key: Box::new(TypeRef::Str),
            value: Box::new(list.clone()),
        };
        let got = Value::Dict(vec![(s("a"), Value::List(vec![Value::Int(1)]))]);
        assert_eq!(
            misfit(&got, &dict),
            Some(("[\"a\"][0]".into(), "Decimal".into()))
        );
        assert!(misfit(&s("anything"), &TypeRef::Any).is_none());
    }
}
