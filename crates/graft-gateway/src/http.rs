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
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use graft_model::bind;
use graft_model::json::BodyError;
use graft_python::{Args, Call, Deadline, Host};
use tower_http::catch_panic::CatchPanicLayer;

use crate::observe::{self, Protocol};
use crate::respond::{self, ErrorBody, bad_arguments};

/// What every route shares.
pub struct AppState {
    pub host: Arc<Host>,
    /// One graft per service, for `/simple/` and `/packages/`.
    pub index: Arc<graft_pypi::Index>,
    /// `--callTimeout`; `None` for no limit.
    pub call_timeout: Option<Duration>,
    /// `--corsAllowedOrigins`: browser origins that may call the call API (`cors.rs`).
    pub cors_origins: Vec<String>,
    /// The interface and its OpenAPI document, written once at start-up.
    libraries: String,
    openapi: String,
}

impl AppState {
    pub fn new(
        host: Arc<Host>,
        index: Arc<graft_pypi::Index>,
        call_timeout: Option<Duration>,
        cors_origins: Vec<String>,
    ) -> Arc<Self> {
        let iface = host.interface();
        let libraries = libraries(iface);
        let openapi = graft_openapi::openapi(iface).to_string();
        Arc::new(AppState {
            host,
            index,
            call_timeout,
            cors_origins,
            libraries,
            openapi,
        })
    }
}

/// `/libraries`: the interface, and each service's graft with its
/// version and releases (`versions::shown`).
fn libraries(iface: &graft_model::Interface) -> String {
    let mut value = serde_json::to_value(crate::errors::without_paths(iface))
        .unwrap_or_else(|e| serde_json::json!({"error": e.to_string()}));
    value["grafts"] = crate::index::versions::shown();
    value.to_string()
}

/// The call API, served on `--port`.
pub fn calls(state: Arc<AppState>) -> Router {
    let origins = state.cors_origins.clone();
    let router = Router::new()
        .route("/call/{service}/{method}", post(call))
        .merge(crate::objects::routes())
        .with_state(state)
        .layer(axum::middleware::from_fn(crate::auth::layer))
        .layer(CatchPanicLayer::custom(panicked));
    crate::cors::allow(router, &origins)
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
        .layer(axum::middleware::from_fn(crate::auth::layer))
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
    let objects = state.host.object_count();
    let mut body = serde_json::json!({"status": "ready", "services": services, "objects": objects});
    if let Some(broker) = crate::broker::status::shown() {
        body["broker"] = broker;
    }
    Json(body).into_response()
}

fn json_text(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// `POST /call/<Service>/<method>`: one [`Call`] of the hosted method.
async fn call(
    State(state): State<Arc<AppState>>,
    Path((service, method)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refused) = version_refused(&headers, &service, &method) {
        return refused;
    }
    answer(
        &state,
        state.host.lookup(&service, &method),
        &headers,
        &body,
    )
    .await
}

/// The 404 for a call of `service.method` (a method, an object's, or the
/// constructor) that the calling graft's version knew otherwise
/// (`index::versions`), if it is refused.
pub(crate) fn version_refused(
    headers: &HeaderMap,
    service: &str,
    method: &str,
) -> Option<Response> {
    let graft = headers
        .get(crate::index::versions::HEADER)
        .and_then(|v| v.to_str().ok());
    let message = crate::index::versions::refused(graft, service, method)?;
    crate::metrics::refused(Protocol::Http, "not_found");
    Some(ErrorBody::new("NotFound", message).respond(StatusCode::NOT_FOUND))
}

/// The response to a call of `callee` (`/call` and `/objects/.../<method>`):
/// its answer, or why it cannot run.
pub(crate) async fn answer(
    state: &AppState,
    callee: Result<graft_python::Callee, graft_python::CallError>,
    headers: &HeaderMap,
    body: &Bytes,
) -> Response {
    let callee = match callee {
        Ok(callee) => callee,
        Err(err) => return refuse(err),
    };
    match prepare(state, callee, body, headers) {
        Ok(call) => {
            let (protocol, caller) = (Protocol::Http, crate::conn::caller());
            respond::answer(observe::run(&state.host, call, protocol, caller), headers).await
        }
        Err(refused) => *refused,
    }
}

/// The error response of a call that cannot run (no such service, method
/// or object), counted among the refused.
pub(crate) fn refuse(err: graft_python::CallError) -> Response {
    crate::metrics::refused(Protocol::Http, observe::outcome_of(Some(&err)));
    failed(err)
}

/// The error response of a call that cannot run.
pub(crate) fn failed(err: graft_python::CallError) -> Response {
    let (body, status) = ErrorBody::of(err);
    body.respond(status)
}

/// The caller's `Graft-Timeout-Ms` (milliseconds; 0 or not a number: none),
/// no longer than `--callTimeout` (`cap`); the deadline names which set it.
fn deadline(headers: &HeaderMap, cap: Option<Duration>) -> Option<Deadline> {
    let asked = headers
        .get(TIMEOUT_HEADER)
        .and_then(|value| value.to_str().ok()?.trim().parse::<u64>().ok())
        .filter(|&ms| ms > 0)
        .map(Duration::from_millis);
    Deadline::shorter(asked, cap)
}

/// The request header that carries the caller's remaining time.
const TIMEOUT_HEADER: &str = "graft-timeout-ms";

/// The [`Call`] of `callee` with the JSON arguments in `body` and the
/// metadata in `headers`, or the response that refuses them (counted).
pub(crate) fn prepare(
    state: &AppState,
    callee: graft_python::Callee,
    body: &Bytes,
    headers: &HeaderMap,
) -> Result<Call, Box<Response>> {
    let refuse = |outcome: &str, response: Response| {
        crate::metrics::refused(Protocol::Http, outcome);
        Box::new(response)
    };
    // An empty body is no arguments; `null`, or text that is not JSON, is refused.
    let arguments = match graft_model::json::call_arguments(body) {
        Ok(arguments) => arguments,
        Err(BodyError::Arguments(err)) => return Err(refuse("bad_arguments", bad_arguments(err))),
        Err(err @ BodyError::NotJson(_)) => {
            let body = ErrorBody::new("BadRequest", err.to_string());
            return Err(refuse("bad_request", body.respond(StatusCode::BAD_REQUEST)));
        }
    };
    let iface = state.host.interface();
    let bound = bind::bind(callee.signature(), arguments, iface);
    let args = bound.map_err(|err| refuse("bad_arguments", bad_arguments(err)))?;
    Ok(Call {
        callee,
        args: Args::Checked(args),
        deadline: deadline(headers, state.call_timeout),
        metadata: crate::metadata::from_http(headers),
        in_parts: false,
    })
}
