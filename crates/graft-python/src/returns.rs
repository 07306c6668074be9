//! A method's returned value against its declared return type: a value
//! that does not fit a scalar return type (`-> int` returning a str, `->
//! Decimal` returning a float) is an error naming the method and the type,
//! never a wrong answer. The graft's in-process runtime checks the same
//! (`python/graft_runtime/returns.py`), with the same message.
//!
//! Only the scalar kinds are checked (and Optional and Union of them): a
//! container or a named type is converted by its shape, as before.

use graft_model::{Raised, TypeRef, Value};

use crate::invoke::Outcome;
use crate::{CallError, Entry};

/// `outcome`, or a `TypeError` if its value does not fit the declared type.
pub(crate) fn checked(entry: &Entry, outcome: Outcome) -> Outcome {
    let Ok(value) = &outcome else {
        return outcome;
    };
    let method = &entry.signature;
    if method.streams || fits(value, &method.returns) {
        return outcome;
    }
    let message = format!(
        "{}.{} returned a value of type {} where its annotation says {}",
        entry.service,
        method.name,
        value.kind(),
        method.returns.python()
    );
    Err(CallError::Raised(Box::new(Raised {
        type_name: "TypeError".into(),
        module: "builtins".into(),
        args: vec![Value::Str(message.clone())],
        message,
        fields: Vec::new(),
        traceback: String::new(),
    })))
}

/// Whether `value` fits `ty` as a type checker sees it (a bool is an int,
/// an int a float, a datetime a date, an enum member its value's type);
/// types other than the scalars always fit here.
fn fits(value: &Value, ty: &TypeRef) -> bool {
    if let Value::Enum { value, .. } = value {
        return matches!(ty, TypeRef::Any | TypeRef::Named { .. }) || fits(value, ty);
    }
    match ty {
        TypeRef::None => matches!(value, Value::None),
        TypeRef::Optional { inner } => matches!(value, Value::None) || fits(value, inner),
        TypeRef::Union { options } => options.iter().any(|option| fits(value, option)),
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
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_are_checked_and_the_rest_passes() {
        let s = |t: &str| Value::Str(t.into());
        assert!(!fits(&s("5"), &TypeRef::Int));
        assert!(fits(&Value::Bool(true), &TypeRef::Int) && fits(&Value::Int(1), &TypeRef::Float));
        assert!(!fits(&Value::Float(0.1), &TypeRef::Decimal));
        let optional = TypeRef::Optional {
            inner: Box::new(TypeRef::Uuid),
        };
        assert!(fits(&Value::None, &optional) && !fits(&s("x"), &optional));
        let member = Value::Enum {
            type_name: "Level".into(),
            value: Box::new(Value::Int(2)),
        };
        assert!(fits(&member, &TypeRef::Int) && !fits(&member, &TypeRef::Str));
        let list = TypeRef::List {
            item: Box::new(TypeRef::Int),
        };
        assert!(fits(&s("not checked"), &list) && fits(&s("x"), &TypeRef::Any));
    }
}
