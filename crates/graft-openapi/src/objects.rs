//! The operations of remote objects: `POST /objects/{Service}` makes one
//! (201 with its id), `POST /objects/{Service}/{id}/{method}` calls one of
//! its methods as `/call` does, `DELETE /objects/{Service}/{id}` releases it.

use graft_model::{Method, MethodKind, Service, TypeRef};
use serde_json::{Map, Value as Json, json};

use crate::operation::operation;
use crate::schema::reference;

/// The pattern of an object id: 128 bits as lower-case hex.
const ID_PATTERN: &str = "^[0-9a-f]{32}$";

/// The paths of `service`'s objects, if it has a constructor.
pub(crate) fn paths(service: &Service, paths: &mut Map<String, Json>) {
    let Some(params) = &service.constructor else {
        return;
    };
    let name = &service.name;
    paths.insert(
        format!("/objects/{name}"),
        json!({ "post": construct(service, params) }),
    );
    let callable = service
        .methods
        .iter()
        .filter(|m| m.kind == MethodKind::Instance && m.unavailable.is_none());
    for method in callable {
        let mut op = operation(service, method);
        op["parameters"] = json!([id_parameter(name)]);
        op["responses"]["404"]["description"] = json!(not_found(name));
        let path = format!("/objects/{name}/{{id}}/{}", method.name);
        paths.insert(path, json!({ "post": op }));
    }
    paths.insert(
        format!("/objects/{name}/{{id}}"),
        json!({ "delete": release(name) }),
    );
}

fn construct(service: &Service, params: &[graft_model::Param]) -> Json {
    let method = Method {
        name: "__init__".into(),
        kind: MethodKind::Instance,
        is_async: false,
        doc: service.doc.clone(),
        params: params.to_vec(),
        returns: TypeRef::Object {
            service: service.name.clone(),
        },
        streams: false,
        unavailable: None,
        idempotent: false,
    };
    let mut op = operation(service, &method);
    op["operationId"] = json!(format!("{}.new", service.name));
    op["summary"] = json!(format!("Make a {} object", service.name));
    let responses = op["responses"]
        .as_object_mut()
        .expect("responses are an object");
    responses.remove("200");
    responses.insert("201".into(), made(&service.name));
    op
}

fn made(service: &str) -> Json {
    json!({
        "description": format!("The new {service} object, living on the gateway: its id."),
        "content": { "application/json": { "schema": {
            "type": "object",
            "properties": { "id": { "type": "string", "pattern": ID_PATTERN } },
            "required": ["id"],
            "additionalProperties": false,
        } } },
    })
}

fn release(service: &str) -> Json {
    json!({
        "operationId": format!("{service}.release"),
        "tags": [service],
        "summary": format!("Release a {service} object (its close() runs)"),
        "parameters": [id_parameter(service)],
        "responses": {
            "204": { "description": "Released." },
            "404": {
                "description": not_found(service),
                "content": { "application/json": { "schema": reference(crate::schema::ERROR) } },
            },
            "500": { "$ref": "#/components/responses/graft.Raised" },
        },
    })
}

fn id_parameter(service: &str) -> Json {
    json!({
        "name": "id",
        "in": "path",
        "required": true,
        "description": format!("The id of a {service} object, as POST /objects/{service} answered it."),
        "schema": { "type": "string", "pattern": ID_PATTERN },
    })
}

fn not_found(service: &str) -> String {
    format!("There is no {service} object with this id here (released, expired or never made).")
}

#[cfg(test)]
mod tests;
