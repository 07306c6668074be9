//! The tools of `/mcp`: one per static method, class method and module
//! function of the interface, named `<Service>.<method>`.
//!
//! Their `inputSchema` and `outputSchema` are the JSON Schemas OpenAPI
//! uses (`graft_openapi`), made self-contained: each named type they use
//! is in the schema's own `$defs`. The arguments object takes no other
//! property (`additionalProperties: false`) unless the method has `**kwargs`;
//! positional-only parameters and `*args` are named too (`arguments.rs`).

use std::collections::BTreeMap;

use graft_model::{Interface, Method, MethodKind, TypeDefKind, TypeRef};
use serde_json::{Map, Value as Json, json};

/// Where OpenAPI's schemas point at named types, and where a tool's do.
const OPENAPI_REFS: &str = "#/components/schemas/";
const LOCAL_REFS: &str = "#/$defs/";

/// Whether `method` is a tool: not a remote object's method, and callable.
pub fn is_tool(method: &Method) -> bool {
    method.kind != MethodKind::Instance && method.unavailable.is_none()
}

/// The tool's name for `method` of `service`.
pub fn tool_name(service: &str, method: &str) -> String {
    format!("{service}.{method}")
}

/// The service and method a tool name names (a method name has no dot).
pub fn split_name(name: &str) -> Option<(&str, &str)> {
    name.rsplit_once('.')
        .filter(|(service, method)| !service.is_empty() && !method.is_empty())
}

/// Every tool of `iface`, in the interface's order (deterministic, as the
/// specification asks, so clients can cache the list).
pub fn list(iface: &Interface) -> Vec<Json> {
    let mut tools = Vec::new();
    for service in &iface.services {
        for method in service.methods.iter().filter(|m| is_tool(m)) {
            let name = tool_name(&service.name, &method.name);
            tools.push(json!({
                "name": name,
                "title": name,
                "description": description(&service.name, method),
                "inputSchema": self_contained(super::arguments::input_schema(method), iface),
                "outputSchema": self_contained(output_schema(method, iface), iface),
            }));
        }
    }
    tools
}

/// The method's docstring; without one, what it is.
fn description(service: &str, method: &Method) -> String {
    let doc = method.doc.as_deref().map(str::trim).unwrap_or_default();
    let mut text = if doc.is_empty() {
        format!("{service}.{} of the hosted Python modules.", method.name)
    } else {
        doc.to_owned()
    };
    if method.streams {
        let note = format!(
            "\n\nStreams: the result holds its items in order (at most {} items or {} MiB of JSON); \
             with a progressToken and SSE, each item also arrives as a progress notification.",
            super::call::MAX_ITEMS,
            super::call::MAX_ITEM_BYTES >> 20
        );
        text.push_str(&note);
    }
    text
}

/// What `structuredContent` holds: a method's value when it is a JSON object
/// (a dataclass, model, TypedDict, NamedTuple or dict), else `{"result": value}`;
/// a stream's items as `{"items": [...], "truncated": bool}`.
fn output_schema(method: &Method, iface: &Interface) -> Json {
    let value = graft_openapi::type_schema(&method.returns);
    if method.streams {
        return json!({
            "type": "object",
            "properties": {
                "items": { "type": "array", "items": value },
                "truncated": { "type": "boolean", "description": "items were left out past the bound" },
            },
            "required": ["items", "truncated"],
            "additionalProperties": false,
        });
    }
    if is_object(&method.returns, iface) {
        // 2025-11-25 wants `type` at the top even beside a `$ref`.
        let mut value = value;
        value["type"] = json!("object");
        return value;
    }
    json!({
        "type": "object",
        "properties": { "result": value },
        "required": ["result"],
        "additionalProperties": false,
    })
}

/// Whether every value of `ty` is a JSON object.
pub fn is_object(ty: &TypeRef, iface: &Interface) -> bool {
    match ty {
        TypeRef::Dict { .. } => true,
        TypeRef::Named { name } => iface.types.iter().any(|t| {
            t.name == *name
                && matches!(
                    t.kind,
                    TypeDefKind::Dataclass { .. }
                        | TypeDefKind::NamedTuple { .. }
                        | TypeDefKind::TypedDict { .. }
                )
        }),
        _ => false,
    }
}

/// `schema` with its references pointing into its own `$defs`, which holds
/// every named type it uses, directly or through another.
fn self_contained(mut schema: Json, iface: &Interface) -> Json {
    let mut defs = BTreeMap::new();
    let mut pending = Vec::new();
    relink(&mut schema, &mut pending);
    while let Some(name) = pending.pop() {
        if defs.contains_key(&name) {
            continue;
        }
        let Some(def) = iface.types.iter().find(|t| t.name == name) else {
            continue;
        };
        let mut def_schema = graft_openapi::type_def_schema(def);
        relink(&mut def_schema, &mut pending);
        defs.insert(name, def_schema);
    }
    if !defs.is_empty() {
        schema["$defs"] = Json::Object(defs.into_iter().collect::<Map<_, _>>());
    }
    schema
}

/// Rewrites each `$ref` in `schema` to `#/$defs/<name>`, noting the names.
fn relink(schema: &mut Json, names: &mut Vec<String>) {
    match schema {
        Json::Object(map) => {
            if let Some(Json::String(target)) = map.get_mut("$ref")
                && let Some(name) = target.strip_prefix(OPENAPI_REFS).map(str::to_owned)
            {
                *target = format!("{LOCAL_REFS}{name}");
                names.push(name);
            }
            map.values_mut().for_each(|v| relink(v, names));
        }
        Json::Array(items) => items.iter_mut().for_each(|v| relink(v, names)),
        _ => {}
    }
}

#[cfg(test)]
mod tests;
