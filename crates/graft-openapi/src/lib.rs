//! The OpenAPI 3.1 document of a Graft gateway's HTTP call API.
//!
//! [`openapi`] reads only the interface model ([`graft_model::Interface`]) and
//! writes one `POST /call/{Service}/{method}` operation for each method: the
//! request body is a JSON object of named arguments, the `200` response is the
//! return value (for a method that streams, its items as NDJSON or
//! Server-Sent Events), and `400`, `404`, `500` and `504` share one error
//! body, `{"error": {"type", "message", "param"?, "traceback"?}}`.
//!
//! - [`schema`]: JSON Schema for types ([`type_schema`]) and named types
//!   ([`type_def_schema`]), and the error body.
//! - `operation`: one operation's request body and responses.
//! - `objects`: the operations of remote objects (`/objects/{Service}/...`).
//! - [`stream`]: the `200` response of a streaming method.

mod objects;
mod operation;
pub mod schema;
pub mod stream;

use graft_model::{Interface, MethodKind};
use serde_json::{Map, Value as Json, json};

pub use operation::{call_path, named_arguments};
pub use schema::{type_def_schema, type_schema};

/// The OpenAPI version the document follows.
pub const OPENAPI_VERSION: &str = "3.1.0";

/// The OpenAPI 3.1 document of the call API of `iface`.
pub fn openapi(iface: &Interface) -> Json {
    json!({
        "openapi": OPENAPI_VERSION,
        "info": info(iface),
        "tags": tags(iface),
        "paths": paths(iface),
        "components": {
            "schemas": schemas(iface),
            "responses": operation::error_responses(),
        },
    })
}

fn info(iface: &Interface) -> Json {
    let (title, version) = match &iface.project {
        Some(p) => (p.name.clone(), p.version.clone()),
        None => ("Graft gateway".to_string(), "0.0.0".to_string()),
    };
    json!({
        "title": title,
        "version": version,
        "description": "Every public method of the hosted Python modules, called with \
            `POST /call/{Service}/{method}` and a JSON object of named arguments.",
    })
}

/// One tag for each service, carrying its docstring.
fn tags(iface: &Interface) -> Json {
    let tags = iface.services.iter().map(|s| {
        let mut tag = json!({ "name": s.name });
        if let Some(doc) = &s.doc {
            tag["description"] = Json::String(doc.clone());
        }
        tag
    });
    Json::Array(tags.collect())
}

fn paths(iface: &Interface) -> Json {
    let mut paths = Map::new();
    for service in &iface.services {
        // A method Graft cannot carry is not callable: it has no operation.
        let static_methods = service
            .methods
            .iter()
            .filter(|m| m.kind != MethodKind::Instance);
        for method in static_methods.filter(|m| m.unavailable.is_none()) {
            let op = operation::operation(service, method);
            paths.insert(
                call_path(&service.name, &method.name),
                json!({ "post": op }),
            );
        }
        objects::paths(service, &mut paths);
    }
    Json::Object(paths)
}

fn schemas(iface: &Interface) -> Json {
    let mut schemas: Map<String, Json> = iface
        .types
        .iter()
        .map(|t| (t.name.clone(), type_def_schema(t)))
        .collect();
    schemas.insert(schema::ERROR.into(), schema::error_schema());
    Json::Object(schemas)
}

#[cfg(test)]
mod tests;
