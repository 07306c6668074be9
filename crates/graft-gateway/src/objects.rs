//! The call API of remote objects: `POST /objects/<Service>` makes one
//! (201 `{"id": ...}`), `POST /objects/<Service>/<id>/<method>` calls a
//! method of it as `/call` does, `DELETE /objects/<Service>/<id>` releases
//! it (204). An id that is not (or no longer) here answers 404.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, post};
use graft_model::Value;
use graft_python::{CONSTRUCTOR, CallError};

use crate::http::{AppState, failed, prepare, refuse};

/// The routes, for the call API's router.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/objects/{service}", post(construct))
        .route("/objects/{service}/{id}/{method}", post(call))
        .route("/objects/{service}/{id}", delete(release))
}

/// `POST /objects/<Service>`: the constructor's arguments; 201 with the new object's id.
async fn construct(
    State(state): State<Arc<AppState>>,
    Path(service): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(missing) = no_constructor(&service, &state) {
        return refuse(missing);
    }
    if let Some(refused) = crate::http::version_refused(&headers, &service, CONSTRUCTOR) {
        return refused;
    }
    let callee = match state.host.lookup(&service, CONSTRUCTOR) {
        Ok(callee) => callee,
        Err(err) => return refuse(err),
    };
    let call = match prepare(&state, callee, &body, &headers) {
        Ok(call) => call,
        Err(refused) => return *refused,
    };
    let caller = crate::conn::caller();
    let protocol = crate::observe::Protocol::Http;
    let made = crate::observe::run(&state.host, call, protocol, caller)
        .value()
        .await;
    created(&service, made)
}

/// Why objects of `service` cannot be made, if they cannot: no such
/// service, or one without a constructor (a 404 either way).
fn no_constructor(service: &str, state: &AppState) -> Option<CallError> {
    match state.host.interface().service(service) {
        Some(s) if s.constructor.is_some() => None,
        Some(_) => Some(CallError::NoMethod {
            service: service.into(),
            method: CONSTRUCTOR.into(),
        }),
        None => Some(CallError::NoService(service.into())),
    }
}

/// The answer to a constructor's call: 201 with the new object's id; a
/// constructor that answered anything but an object is the gateway's fault.
fn created(service: &str, made: Result<Value, CallError>) -> Response {
    match made {
        Ok(Value::ObjectRef { id, .. }) => {
            let body = axum::Json(serde_json::json!({ "id": id }));
            (StatusCode::CREATED, body).into_response()
        }
        Ok(other) => failed(CallError::Internal(format!(
            "{service}() made no object but {}",
            other.kind()
        ))),
        Err(err) => failed(err),
    }
}

/// `POST /objects/<Service>/<id>/<method>`: as `/call`, on the object.
async fn call(
    State(state): State<Arc<AppState>>,
    Path((service, id, method)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refused) = crate::http::version_refused(&headers, &service, &method) {
        return refused;
    }
    let callee = state.host.lookup_object(&service, &id, &method);
    crate::http::answer(&state, callee, &headers, &body).await
}

/// `DELETE /objects/<Service>/<id>`: 204 once released (its `close()` ran).
async fn release(
    State(state): State<Arc<AppState>>,
    Path((service, id)): Path<(String, String)>,
) -> Response {
    match state.host.release(&service, &id).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(err) => failed(err),
    }
}
