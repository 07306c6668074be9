//! One `POST /call/{Service}/{method}` operation: request body and responses.

use graft_model::{Method, Param, ParamKind, Service};
use serde_json::{Map, Value as Json, json};

use crate::schema::{annotated, reference, type_schema};

/// The error responses every operation shares, as keys of `components/responses`
/// with their descriptions.
pub(crate) const ERROR_RESPONSES: [(&str, &str, &str); 4] = [
    (
        "400",
        "graft.BadArguments",
        "The arguments do not fit the method's parameters; `param` names the argument.",
    ),
    (
        "404",
        "graft.NotFound",
        "There is no such service or method.",
    ),
    (
        "500",
        "graft.Raised",
        "The method raised an exception (its class name is the error's `type`), or the gateway failed.",
    ),
    (
        "504",
        "graft.Timeout",
        "The call did not finish within the gateway's `--callTimeout` (error `type` `Timeout`). \
         For a method that streams it bounds the wait for each item; once items have been sent, \
         a timeout ends the stream with an error instead.",
    ),
];

/// The path of a method in the call API.
pub fn call_path(service: &str, method: &str) -> String {
    format!("/call/{service}/{method}")
}

/// The OpenAPI operation that calls `method` of `service`.
pub(crate) fn operation(service: &Service, method: &Method) -> Json {
    let mut op = json!({
        "operationId": format!("{}.{}", service.name, method.name),
        "tags": [service.name],
        "requestBody": request_body(method),
        "responses": responses(method),
    });
    if let Some(doc) = method
        .doc
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        op["summary"] = Json::String(doc.lines().next().unwrap_or_default().trim().to_string());
        op["description"] = Json::String(doc.to_string());
    }
    if method.idempotent {
        op["x-graft-idempotent"] = Json::Bool(true); // a graft retries it after a lost connection
    }
    op
}

fn request_body(method: &Method) -> Json {
    let named = named_arguments(method);
    // Every method takes a JSON array too; it is written out where it is
    // needed (positional-only, *args) or where an array passes as it stands
    // (nothing is required, so `[]` is a call).
    let by_position = method
        .params
        .iter()
        .any(|p| matches!(p.kind, ParamKind::PositionalOnly | ParamKind::VarPositional))
        || !method.params.iter().any(Param::is_required);
    let schema = if by_position {
        json!({ "anyOf": [named, positional_arguments(method)] })
    } else {
        named
    };
    json!({
        "description": "The arguments, as a JSON object by parameter name.",
        "required": method.params.iter().any(Param::is_required),
        "content": { "application/json": { "schema": schema } },
    })
}

/// The arguments as an object by name: what Graft Vision and most callers send
/// (and MCP's `inputSchema`). Positional-only and `*args` parameters cannot be
/// passed this way.
pub fn named_arguments(method: &Method) -> Json {
    let mut properties = Map::new();
    let mut required = Vec::new();
    let mut rest = json!(false);
    for param in &method.params {
        match param.kind {
            ParamKind::PositionalOnly | ParamKind::VarPositional => {}
            ParamKind::VarKeyword => rest = type_schema(&param.ty),
            ParamKind::PositionalOrKeyword | ParamKind::KeywordOnly => {
                properties.insert(
                    param.name.clone(),
                    annotated(&param.ty, param.default.as_ref(), None),
                );
                if param.is_required() {
                    required.push(Json::String(param.name.clone()));
                }
            }
        }
    }
    json!({ "type": "object", "properties": properties, "required": required, "additionalProperties": rest })
}

/// The arguments as an array by position, for methods with positional-only or
/// `*args` parameters.
fn positional_arguments(method: &Method) -> Json {
    let leading: Vec<&Param> = method
        .params
        .iter()
        .filter(|p| {
            matches!(
                p.kind,
                ParamKind::PositionalOnly | ParamKind::PositionalOrKeyword
            )
        })
        .collect();
    let rest = method
        .params
        .iter()
        .find(|p| p.kind == ParamKind::VarPositional);
    let required = leading.iter().take_while(|p| p.is_required()).count();
    let prefix: Vec<Json> = leading
        .iter()
        .map(|p| annotated(&p.ty, p.default.as_ref(), Some(&p.name)))
        .collect();
    let mut schema = json!({
        "type": "array",
        "items": rest.map_or(json!(false), |p| type_schema(&p.ty)),
        "minItems": required,
    });
    // JSON Schema wants prefixItems non-empty: left out when nothing leads.
    if !prefix.is_empty() {
        schema["prefixItems"] = Json::Array(prefix);
    }
    schema
}

fn responses(method: &Method) -> Json {
    let mut responses = Map::new();
    let ok = if method.streams {
        crate::stream::streamed_response(&method.returns)
    } else {
        json!({
            "description": format!("The return value: {}.", method.returns.python()),
            "content": { "application/json": { "schema": type_schema(&method.returns) } },
        })
    };
    responses.insert("200".into(), ok);
    for (status, key, _) in ERROR_RESPONSES {
        responses.insert(
            status.into(),
            json!({ "$ref": format!("#/components/responses/{key}") }),
        );
    }
    Json::Object(responses)
}

/// `components/responses`: the error responses, all with the error body.
pub(crate) fn error_responses() -> Json {
    let body = json!({ "application/json": { "schema": reference(crate::schema::ERROR) } });
    ERROR_RESPONSES
        .iter()
        .map(|(_, key, description)| {
            (
                key.to_string(),
                json!({ "description": description, "content": body }),
            )
        })
        .collect::<Map<_, _>>()
        .into()
}
