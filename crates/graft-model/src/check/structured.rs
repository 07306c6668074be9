//! The structured types' checks: a `TypedDict`'s dict, a NamedTuple given
//! as a tuple.

use super::{check, describe};
use crate::interface::{Field, Interface};
use crate::json::TypeError;
use crate::path::Path;
use crate::value::Value;

/// Whether `n` values by position fill a NamedTuple's `fields`: every
/// required one, and no more than it has.
pub(super) fn positional_fits(fields: &[Field], n: usize) -> bool {
    n <= fields.len() && fields.iter().skip(n).all(|f| f.default.is_some())
}

/// A `TypedDict`'s dict: text keys it declares, each value checked; every
/// key without a default given.
pub(super) fn typed_dict(
    pairs: Vec<(Value, Value)>,
    fields: &[Field],
    name: &str,
    iface: &Interface,
    path: &Path<'_>,
) -> Result<Value, TypeError> {
    let mut out = Vec::with_capacity(pairs.len());
    for (key, v) in pairs {
        let Value::Str(text) = &key else {
            return Err(TypeError {
                path: Path::Key(path, None).to_string(),
                expected: format!("a key of {name} (str)"),
                found: describe(&key),
            });
        };
        let Some(decl) = fields.iter().find(|f| f.name == *text) else {
            return Err(TypeError {
                path: Path::Field(path, text).to_string(),
                expected: format!("no such key in {name}"),
                found: describe(&v),
            });
        };
        let v = check(v, &decl.ty, iface, &Path::Field(path, text))?;
        out.push((key, v));
    }
    let given = |f: &&Field| {
        out.iter()
            .any(|(k, _)| matches!(k, Value::Str(s) if *s == f.name))
    };
    if let Some(missing) = fields.iter().find(|f| f.default.is_none() && !given(f)) {
        return Err(TypeError {
            path: Path::Field(path, &missing.name).to_string(),
            expected: missing.ty.python(),
            found: "nothing (the field is required)".into(),
        });
    }
    Ok(Value::Dict(out))
}
