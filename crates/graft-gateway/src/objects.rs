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
    let has_constructor = state
        .host
        .interface()
        .service(&service)
        .is_some_and(|s| s.constructor.is_some());
    if !has_constructor {
        return refuse(no_constructor(&service, &state));
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
    match crate::observe::run(&state.host, call, crate::observe::Protocol::Http, caller)
        .value()
        .await
    {
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

fn no_constructor(service: &str, state: &AppState) -> CallError {
    if state.host.interface().service(service).is_none() {
        return CallError::NoService(service.into());
    }
    CallError::NoMethod {
        service: service.into(),
        method: CONSTRUCTOR.into(),
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
