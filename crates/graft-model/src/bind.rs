//! Matching a call's arguments to a method's parameters, as Python would.

use serde_json::{Map, Value as Json};

use crate::check::check_value;
use crate::interface::{Interface, Method, ParamKind, TypeRef};
use crate::json::{TypeError, from_json};
use crate::value::Value;

/// The arguments of one call, as a caller sends them.
#[derive(Debug, Clone)]
pub enum Arguments {
    /// A JSON object: arguments by parameter name.
    Named(Map<String, Json>),
    /// A JSON array: arguments by position.
    Positional(Vec<Json>),
}

/// Checked arguments, ready to pass to the hosted method.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BoundArgs {
    pub positional: Vec<Value>,
    pub keyword: Vec<(String, Value)>,
}

/// Why a call's arguments do not fit the method. Each names the parameter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArgError {
    #[error("missing required argument `{0}`")]
    Missing(String),
    #[error("unknown argument `{0}`")]
    Unknown(String),
    #[error("argument `{0}` is given twice, by position and by name")]
    Twice(String),
    #[error("argument `{0}` is positional-only; pass the arguments as a JSON array")]
    PositionalOnly(String),
    #[error("too many positional arguments: the method takes at most {max}, got {given}")]
    TooMany { max: usize, given: usize },
    #[error("argument `{param}` has the wrong type: {source}")]
    Type {
        param: String,
        #[source]
        source: TypeError,
    },
    #[error("the arguments must be a JSON object (by name) or a JSON array (by position), got {0}")]
    NotArguments(String),
}

impl ArgError {
    /// The parameter the error is about, where there is one.
    pub fn param(&self) -> Option<&str> {
        match self {
            ArgError::Missing(p)
            | ArgError::Unknown(p)
            | ArgError::Twice(p)
            | ArgError::PositionalOnly(p) => Some(p),
            ArgError::Type { param, .. } => Some(param),
            ArgError::TooMany { .. } | ArgError::NotArguments(_) => None,
        }
    }
}

impl Arguments {
    /// Reads a call body: an object, an array, or nothing (no arguments).
    pub fn from_json(json: Json) -> Result<Self, ArgError> {
        match json {
            Json::Object(map) => Ok(Arguments::Named(map)),
            Json::Array(items) => Ok(Arguments::Positional(items)),
            Json::Null => Ok(Arguments::Named(Map::new())),
            other => Err(ArgError::NotArguments(other.to_string())),
        }
    }
}

/// Checks JSON `args` against `method`'s parameters and converts them to [`Value`]s.
pub fn bind(method: &Method, args: Arguments, iface: &Interface) -> Result<BoundArgs, ArgError> {
    match args {
        Arguments::Positional(items) => bind_mixed(method, items, Map::new(), iface),
        Arguments::Named(map) => bind_mixed(method, Vec::new(), map, iface),
    }
}

/// [`bind`] for arguments given partly by position, partly by name, as
/// Python takes them (an MCP tool call's positional-only and `*args`).
pub fn bind_mixed(
    method: &Method,
    positional: Vec<Json>,
    keyword: Map<String, Json>,
    iface: &Interface,
) -> Result<BoundArgs, ArgError> {
    let keyword = keyword.into_iter().collect();
    bind_with(method, positional, keyword, |name, json: Json, ty| {
        from_json(&json, ty, iface, name)
    })
}

/// Checks already decoded arguments (from the wire) against `method`'s
/// parameters, converting them where Python would accept them as the
/// declared type (an int for a float, a list for a tuple).
pub fn check(method: &Method, args: BoundArgs, iface: &Interface) -> Result<BoundArgs, ArgError> {
    bind_with(method, args.positional, args.keyword, |name, value, ty| {
        check_value(value, ty, iface, name)
    })
}

/// Matches positional then keyword arguments to parameters as Python does,
/// converting each with `convert(parameter name, argument, declared type)`.
fn bind_with<T>(
    method: &Method,
    positional: Vec<T>,
    keyword: Vec<(String, T)>,
    convert: impl Fn(&str, T, &TypeRef) -> Result<Value, TypeError>,
) -> Result<BoundArgs, ArgError> {
    let convert = |param: &str, arg: T, ty: &TypeRef| {
        convert(param, arg, ty).map_err(|source| ArgError::Type {
            param: param.to_string(),
            source,
        })
    };
    // Which parameters have an argument, so a name cannot fill one twice
    // and a required one left empty is found.
    let mut filled = vec![false; method.params.len()];
    let bound = BoundArgs {
        positional: by_position(method, positional, &mut filled, &convert)?,
        keyword: by_name(method, keyword, &mut filled, &convert)?,
    };
    match method
        .params
        .iter()
        .zip(&filled)
        .find(|(p, filled)| p.is_required() && !**filled)
    {
        Some((missing, _)) => Err(ArgError::Missing(missing.name.clone())),
        None => Ok(bound),
    }
}

/// The positional arguments, converted, in the parameters that take them
/// in order (a `*args` takes the rest); more than they take is an error.
fn by_position<T>(
    method: &Method,
    positional: Vec<T>,
    filled: &mut [bool],
    convert: &impl Fn(&str, T, &TypeRef) -> Result<Value, ArgError>,
) -> Result<Vec<Value>, ArgError> {
    let mut bound = Vec::new();
    let mut items = positional.into_iter();
    for (i, param) in method.params.iter().enumerate() {
        match param.kind {
            ParamKind::PositionalOnly | ParamKind::PositionalOrKeyword => {
                let Some(arg) = items.next() else { break };
                bound.push(convert(&param.name, arg, &param.ty)?);
                filled[i] = true;
            }
            ParamKind::VarPositional => {
                for arg in items.by_ref() {
                    bound.push(convert(&param.name, arg, &param.ty)?);
                }
            }
            ParamKind::KeywordOnly | ParamKind::VarKeyword => break,
        }
    }
    let extra = items.count();
    if extra > 0 {
        let max = bound.len();
        return Err(ArgError::TooMany {
            max,
            given: max + extra,
        });
    }
    Ok(bound)
}

/// The keyword arguments, converted, each by the parameter of its name (or
/// a `**kwargs`): not one already filled by position, nor positional-only.
fn by_name<T>(
    method: &Method,
    keyword: Vec<(String, T)>,
    filled: &mut [bool],
    convert: &impl Fn(&str, T, &TypeRef) -> Result<Value, ArgError>,
) -> Result<Vec<(String, Value)>, ArgError> {
    let rest = method
        .params
        .iter()
        .find(|p| p.kind == ParamKind::VarKeyword);
    let mut bound = Vec::new();
    for (name, arg) in keyword {
        let found = method.params.iter().position(|p| {
            p.name == name && !matches!(p.kind, ParamKind::VarPositional | ParamKind::VarKeyword)
        });
        let ty = match found {
            Some(i) if filled[i] => return Err(ArgError::Twice(name)),
            Some(i) if method.params[i].kind == ParamKind::PositionalOnly => {
                return Err(ArgError::PositionalOnly(name));
            }
            Some(i) => {
                filled[i] = true;
                &method.params[i].ty
            }
            None => &rest.ok_or_else(|| ArgError::Unknown(name.clone()))?.ty,
        };
        let value = convert(&name, arg, ty)?;
        bound.push((name, value));
    }
    Ok(bound)
}

#[cfg(test)]
mod tests;
