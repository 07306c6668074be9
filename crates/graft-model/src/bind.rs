//! Matching a call's arguments to a method's parameters, as Python would.

use serde_json::{Map, Value as Json};

use crate::interface::{Interface, Method, ParamKind};
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
            ArgError::Missing(p) | ArgError::Unknown(p) | ArgError::PositionalOnly(p) => Some(p),
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

/// Checks `args` against `method`'s parameters and converts them to [`Value`]s.
pub fn bind(method: &Method, args: Arguments, iface: &Interface) -> Result<BoundArgs, ArgError> {
    let convert = |param: &str, json: &Json, ty| {
        from_json(json, ty, iface, param).map_err(|source| ArgError::Type { param: param.to_string(), source })
    };
    let mut bound = BoundArgs::default();
    match args {
        Arguments::Positional(items) => {
            let mut items = items.into_iter();
            for param in &method.params {
                match param.kind {
                    ParamKind::PositionalOnly | ParamKind::PositionalOrKeyword => match items.next() {
                        Some(j) => bound.positional.push(convert(&param.name, &j, &param.ty)?),
                        None if param.is_required() => return Err(ArgError::Missing(param.name.clone())),
                        None => {}
                    },
                    ParamKind::VarPositional => {
                        for j in items.by_ref() {
                            bound.positional.push(convert(&param.name, &j, &param.ty)?);
                        }
                    }
                    ParamKind::KeywordOnly if param.is_required() => return Err(ArgError::Missing(param.name.clone())),
                    ParamKind::KeywordOnly | ParamKind::VarKeyword => {}
                }
            }
            let extra = items.count();
            if extra > 0 {
                let max = bound.positional.len();
                return Err(ArgError::TooMany { max, given: max + extra });
            }
        }
        Arguments::Named(mut map) => {
            for param in &method.params {
                match param.kind {
                    ParamKind::VarPositional | ParamKind::VarKeyword => {}
                    ParamKind::PositionalOnly if map.contains_key(&param.name) => {
                        return Err(ArgError::PositionalOnly(param.name.clone()));
                    }
                    _ => match map.remove(&param.name) {
                        Some(j) => bound.keyword.push((param.name.clone(), convert(&param.name, &j, &param.ty)?)),
                        None if param.is_required() => return Err(ArgError::Missing(param.name.clone())),
                        None => {}
                    },
                }
            }
            let rest = method.params.iter().find(|p| p.kind == ParamKind::VarKeyword);
            for (name, j) in map {
                let Some(rest) = rest else { return Err(ArgError::Unknown(name)) };
                let value = convert(&name, &j, &rest.ty)?;
                bound.keyword.push((name, value));
            }
        }
    }
    Ok(bound)
}

#[cfg(test)]
mod tests;
