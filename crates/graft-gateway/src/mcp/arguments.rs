//! A tool's arguments are one JSON object, by name, yet Python methods may
//! take parameters only by position (`def f(a, /)`) or a `*args`. Here each
//! of those has a name too: a positional-only parameter its own, `*args`
//! its name, as an array of the items. [`input_schema`] describes them so;
//! [`bind`] moves them back to their positions before the call API's own
//! binding (`graft_model::bind`) checks every argument.

use graft_model::bind::{self, ArgError, Arguments, BoundArgs};
use graft_model::{Interface, Method, ParamKind, TypeRef};
use serde_json::{Map, Value as Json, json};

/// The tool's `inputSchema`: OpenAPI's named arguments, plus each
/// positional-only parameter by name and `*args` as an array.
pub fn input_schema(method: &Method) -> Json {
    let mut schema = graft_openapi::named_arguments(method);
    for param in &method.params {
        let property = match param.kind {
            ParamKind::PositionalOnly => {
                let mut property = graft_openapi::type_schema(&param.ty);
                if let Some(default) = param.default.as_ref().filter(|d| !d.json.is_null()) {
                    property["default"] = default.json.clone();
                }
                property["description"] = json!("positional-only in Python; named here");
                property
            }
            ParamKind::VarPositional => json!({
                "type": "array",
                "items": graft_openapi::type_schema(&param.ty),
                "description": format!("*{}: the items passed by position after the parameters before it", param.name),
            }),
            _ => continue,
        };
        schema["properties"][param.name.as_str()] = property;
        if param.is_required()
            && let Some(required) = schema["required"].as_array_mut()
        {
            required.push(Json::String(param.name.clone()));
        }
    }
    schema
}

/// Binds a tool call's `arguments` to `method`: positional-only parameters
/// and `*args` go by position (with every parameter before a non-empty
/// `*args`, as Python needs), the rest by name.
pub fn bind(
    method: &Method,
    mut named: Map<String, Json>,
    iface: &Interface,
) -> Result<BoundArgs, ArgError> {
    let by_position = |p: &graft_model::Param| {
        matches!(p.kind, ParamKind::PositionalOnly | ParamKind::VarPositional)
    };
    if !method.params.iter().any(by_position) {
        return bind::bind(method, Arguments::Named(named), iface);
    }
    let rest = rest_items(method, &mut named, iface)?;
    let mut positional = Vec::new();
    for param in leading(method) {
        // Before a non-empty `*args` every parameter goes by position; else
        // only positional-only ones (up to the first left to its default).
        if rest.is_empty() && param.kind != ParamKind::PositionalOnly {
            break;
        }
        match named.remove(&param.name) {
            Some(value) => positional.push(value),
            None if rest.is_empty() && !param.is_required() => break,
            None => return Err(ArgError::Missing(param.name.clone())),
        }
    }
    positional.extend(rest);
    bind::bind_mixed(method, positional, named, iface)
}

/// The parameters before `*args` (or all that may go by position).
fn leading(method: &Method) -> impl Iterator<Item = &graft_model::Param> {
    method.params.iter().take_while(|p| {
        matches!(
            p.kind,
            ParamKind::PositionalOnly | ParamKind::PositionalOrKeyword
        )
    })
}

/// The items of `*args`, taken out of `named` (none when it is absent).
fn rest_items(
    method: &Method,
    named: &mut Map<String, Json>,
    iface: &Interface,
) -> Result<Vec<Json>, ArgError> {
    let Some(param) = method
        .params
        .iter()
        .find(|p| p.kind == ParamKind::VarPositional)
    else {
        return Ok(Vec::new());
    };
    match named.remove(&param.name) {
        None => Ok(Vec::new()),
        Some(Json::Array(items)) => Ok(items),
        Some(other) => {
            let list = TypeRef::List {
                item: Box::new(param.ty.clone()),
            };
            match graft_model::json::from_json(&other, &list, iface, &param.name) {
                Err(source) => Err(ArgError::Type {
                    param: param.name.clone(),
                    source,
                }),
                Ok(_) => Ok(vec![other]),
            }
        }
    }
}
