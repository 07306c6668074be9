//! The HTTP side of the gateway.
//!
//! [`calls`] is the call API (`POST /call/<Service>/<method>`), served on
//! `--port`. [`web`] is everything on `--httpPort`: Graft Vision at `/GV`,
//! `/status`, `/openapi.json`, `/libraries` (the interface as JSON), the
//! package index (`/simple/`, `/packages/`, in `index.rs`), and the call API
//! again so Vision can call from its own origin.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use graft_model::{ArgError, Arguments, Raised, bind, json::to_json};
use graft_python::{CallError, Host};
use serde::Serialize;
use tower_http::catch_panic::CatchPanicLayer;

/// What every route shares.
pub struct AppState {
    pub host: Arc<Host>,
    /// One graft per service, for `/simple/` and `/packages/`.
    pub index: Arc<graft_pypi::Index>,
    /// `--callTimeout`; `None` for no limit.
    pub call_timeout: Option<Duration>,
    /// The interface and its OpenAPI document, written once at start-up.
    libraries: String,
    openapi: String,
}

impl AppState {
    pub fn new(
        host: Arc<Host>,
        index: Arc<graft_pypi::Index>,
        call_timeout: Option<Duration>,
    ) -> Arc<Self> {
        let iface = host.interface();
        let libraries =
            serde_json::to_string(iface).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
        let openapi = graft_openapi::openapi(iface).to_string();
        Arc::new(AppState {
            host,
            index,
            call_timeout,
            libraries,
            openapi,
        })
    }
}

/// The call API, served on `--port`.
pub fn calls(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/call/{service}/{method}", post(call))
        .with_state(state)
        .layer(CatchPanicLayer::custom(panicked))
}

/// A bug in the gateway answers 500 with a JSON error; the connection and the gateway go on.
fn panicked(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("no message");
    tracing::error!("a request handler panicked: {detail}");
    ErrorBody::new(
        "InternalError",
        format!("the gateway failed on this request: {detail}"),
    )
    .respond(StatusCode::INTERNAL_SERVER_ERROR)
}

/// Vision, status, interface and OpenAPI (and the call API), served on `--httpPort`.
pub fn web(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::temporary("/GV") }))
        .route("/GV", get(vision))
        .route("/GV/", get(vision))
        .route("/status", get(status))
        .route(
            "/libraries",
            get(|State(s): State<Arc<AppState>>| async move { json_text(s.libraries.clone()) }),
        )
        .route(
            "/openapi.json",
            get(|State(s): State<Arc<AppState>>| async move { json_text(s.openapi.clone()) }),
        )
        .with_state(state.clone())
        .merge(crate::index::routes(Arc::clone(&state.index)))
        .layer(CatchPanicLayer::custom(panicked))
        .merge(calls(state))
}

async fn vision() -> Response {
    (
        [(header::CONTENT_TYPE, graft_vision::CONTENT_TYPE)],
        graft_vision::PAGE,
    )
        .into_response()
}

async fn status(State(state): State<Arc<AppState>>) -> Response {
    let services = state.host.interface().services.len();
    Json(serde_json::json!({"status": "ready", "services": services})).into_response()
}

fn json_text(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// The error body of every failed call: `{"error": {...}}`.
#[derive(Debug, Serialize)]
struct ErrorBody {
    #[serde(rename = "type")]
    kind: String,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    param: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    module: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    traceback: Option<String>,
}

impl ErrorBody {
    fn new(kind: &str, message: impl Into<String>) -> Self {
        ErrorBody {
            kind: kind.into(),
            message: message.into(),
            param: None,
            module: None,
            fields: None,
            traceback: None,
        }
    }

    fn respond(self, status: StatusCode) -> Response {
        (status, Json(serde_json::json!({ "error": self }))).into_response()
    }
}

fn bad_arguments(err: ArgError) -> Response {
    let mut body = ErrorBody::new("ArgumentError", err.to_string());
    body.param = err.param().map(str::to_owned);
    body.respond(StatusCode::BAD_REQUEST)
}

fn raised(r: Raised) -> Response {
    let fields = r
        .fields
        .iter()
        .map(|(k, v)| (k.clone(), to_json(v)))
        .collect();
    let body = ErrorBody {
        kind: r.type_name,
        message: r.message,
        param: None,
        module: Some(r.module),
        fields: Some(fields),
        traceback: Some(r.traceback),
    };
    body.respond(StatusCode::INTERNAL_SERVER_ERROR)
}

async fn call(
    State(state): State<Arc<AppState>>,
    Path((service, method)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let iface = state.host.interface();
    let Some(signature) = iface.method(&service, &method) else {
        let message = match iface.service(&service) {
            None => CallError::NoService(service),
            Some(_) => CallError::NoMethod { service, method },
        };
        return ErrorBody::new("NotFound", message.to_string()).respond(StatusCode::NOT_FOUND);
    };
    let json = if body.iter().all(u8::is_ascii_whitespace) {
        serde_json::Value::Null
    } else {
        match serde_json::from_slice(&body) {
            Ok(json) => json,
            Err(e) => {
                return ErrorBody::new("BadRequest", format!("the body is not valid JSON: {e}"))
                    .respond(StatusCode::BAD_REQUEST);
            }
        }
    };
    let args = match Arguments::from_json(json).and_then(|args| bind::bind(signature, args, iface))
    {
        Ok(args) => args,
        Err(err) => return bad_arguments(err),
    };
    let outcome = state.host.call(&service, &method, args);
    let outcome = match state.call_timeout {
        Some(limit) => match tokio::time::timeout(limit, outcome).await {
            Ok(outcome) => outcome,
            Err(_) => {
                let message = format!(
                    "{service}.{method} did not finish within {} s (--callTimeout)",
                    limit.as_secs_f64()
                );
                return ErrorBody::new("Timeout", message).respond(StatusCode::GATEWAY_TIMEOUT);
            }
        },
        None => outcome.await,
    };
    match outcome {
        Ok(value) => Json(to_json(&value)).into_response(),
        Err(CallError::Raised(r)) => raised(*r),
        Err(err @ (CallError::NoService(_) | CallError::NoMethod { .. })) => {
            ErrorBody::new("NotFound", err.to_string()).respond(StatusCode::NOT_FOUND)
        }
        Err(err @ CallError::Internal(_)) => ErrorBody::new("InternalError", err.to_string())
            .respond(StatusCode::INTERNAL_SERVER_ERROR),
    }
}
