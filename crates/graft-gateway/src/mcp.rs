//! `/mcp` on `--httpPort`: the Model Context Protocol's Streamable HTTP
//! transport, so AI agents call hosted methods as tools (`--mcp=false`
//! turns it off).
//!
//! gg serves revision 2026-07-28 and the handshake-era 2025-11-25 (and
//! 2025-06-18) on one endpoint ([`envelope`]), statelessly: no session id
//! is issued, so any replica answers any request; GET and DELETE answer
//! 405. Its methods: `server/discover` (2026-07-28), `initialize` and
//! `ping` (handshake era), `tools/list` ([`tools`]) and `tools/call`
//! ([`call`]); any other answers `-32601` (404 under 2026-07-28).
//!
//! What applies to every caller applies here: `--authTokens` (a bearer
//! token; 401 without one), the allow-lists (the interface is filtered at
//! start-up), and each tool call goes through `observe::run`. A request
//! whose `Origin` is not a loopback origin nor one of `--mcpOrigins` is
//! refused with 403 (DNS rebinding).

mod arguments;
mod call;
mod envelope;
mod rpc;
pub(crate) mod tools;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request as HttpRequest, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value as Json, json};
use tower_http::catch_panic::CatchPanicLayer;

use crate::http::AppState;
use envelope::Era;
use rpc::{Message, Request, RpcError};

/// What the endpoint shares between requests.
#[derive(Clone)]
pub struct Mcp {
    state: Arc<AppState>,
    /// `--mcpOrigins`: browser origins allowed besides loopback ones.
    origins: Arc<Vec<String>>,
    /// The tools, listed once at start-up (the interface does not change).
    tools: Arc<Json>,
}

/// How long a client may cache `tools/list` and `server/discover` (ms).
const TTL_MS: u64 = 300_000;

const INSTRUCTIONS: &str = "Each tool is a static method, class method or module function of a \
    Python service hosted by this Graft gateway, named <Service>.<method>. Methods of remote \
    objects (classes with instances) are not tools: call them through the call API \
    (POST /objects/<Service>, then /objects/<Service>/<id>/<method>).";

/// The `/mcp` route, behind the token check and the `Origin` check.
pub fn routes(state: Arc<AppState>, origins: Vec<String>) -> Router {
    let tools = Arc::new(Json::Array(tools::list(state.host.interface())));
    let mcp = Mcp {
        state,
        origins: Arc::new(origins),
        tools,
    };
    Router::new()
        .route("/mcp", post(serve).get(not_allowed).delete(not_allowed))
        .with_state(mcp.clone())
        .layer(middleware::from_fn(crate::auth::layer))
        .layer(middleware::from_fn_with_state(mcp, origin_check))
        .layer(CatchPanicLayer::new())
}

/// 403 for a request from a browser page of a foreign origin.
async fn origin_check(State(mcp): State<Mcp>, request: HttpRequest, next: Next) -> Response {
    let origin = request.headers().get(header::ORIGIN).map(|v| v.to_str());
    match origin {
        None => next.run(request).await,
        Some(Ok(origin)) if allowed(origin, &mcp.origins) => next.run(request).await,
        Some(_) => RpcError::new(
            StatusCode::FORBIDDEN,
            rpc::INVALID_REQUEST,
            "Forbidden: this Origin may not use /mcp (gg --mcpOrigins allows more origins)",
        )
        .respond(None),
    }
}

/// GET (a stream of the server's own messages) and DELETE (a session's end):
/// gg keeps no session and sends no message of its own.
async fn not_allowed() -> Response {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        [(header::ALLOW, "POST")],
        "gg's /mcp is stateless: POST one JSON-RPC message",
    )
        .into_response()
}

/// POST /mcp: one JSON-RPC message.
async fn serve(State(mcp): State<Mcp>, headers: HeaderMap, body: Bytes) -> Response {
    let request = match rpc::parse(&body) {
        Ok(Message::Request(request)) => request,
        Ok(Message::Accepted) => return StatusCode::ACCEPTED.into_response(),
        Err(err) => return err.respond(None),
    };
    let era = match envelope::era(&headers, &request) {
        Ok(era) => era,
        Err(err) => return err.respond(Some(&request.id)),
    };
    let id = request.id.clone();
    let result = match (era, request.method.as_str()) {
        (_, "tools/call") => return call::call(&mcp, &headers, request, era).await,
        (_, "tools/list") => mcp.tool_list(era),
        (Era::Modern, "server/discover") => mcp.discover(),
        (Era::Legacy, "initialize") => mcp.initialize(&request),
        (Era::Legacy, "ping") => json!({}),
        (era, method) => return unknown_method(era, method).respond(Some(&id)),
    };
    rpc::result(&id, mcp.finish(era, result))
}

/// `-32601`: 404 under 2026-07-28, which gives the status; 200 before it.
fn unknown_method(era: Era, method: &str) -> RpcError {
    let message = format!("Method not found: {method} (gg serves tools only)");
    RpcError::new(StatusCode::NOT_FOUND, rpc::METHOD_NOT_FOUND, message).in_era(era)
}

/// Whether a page of `origin` may call: loopback origins, and those of `--mcpOrigins`.
fn allowed(origin: &str, extra: &[String]) -> bool {
    let origin = origin.trim_end_matches('/');
    if extra.iter().any(|o| o.trim_end_matches('/') == origin) {
        return true;
    }
    let host = origin.split_once("://").map_or("", |(_, rest)| rest);
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.split(':').next().unwrap_or_default(),
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl Mcp {
    /// Adds what a 2026-07-28 result carries: its type and gg's name.
    fn finish(&self, era: Era, mut result: Json) -> Json {
        if era == Era::Modern {
            result["resultType"] = json!("complete");
            result["_meta"] = json!({ "io.modelcontextprotocol/serverInfo": server_info() });
        }
        result
    }

    fn tool_list(&self, era: Era) -> Json {
        let mut result = json!({ "tools": *self.tools });
        if era == Era::Modern {
            self.cacheable(&mut result);
        }
        result
    }

    /// `ttlMs` and `cacheScope`: private when tokens decide who may call.
    fn cacheable(&self, result: &mut Json) {
        let scope = if crate::auth::on() {
            "private"
        } else {
            "public"
        };
        result["ttlMs"] = json!(TTL_MS);
        result["cacheScope"] = json!(scope);
    }

    fn discover(&self) -> Json {
        let mut result = json!({
            "supportedVersions": envelope::supported(),
            "capabilities": { "tools": { "listChanged": false } },
            "instructions": INSTRUCTIONS,
        });
        self.cacheable(&mut result);
        result
    }

    /// The handshake: the client's version if gg serves it, else the newest it does.
    fn initialize(&self, request: &Request) -> Json {
        let asked = request.text("protocolVersion").unwrap_or_default();
        let version = envelope::LEGACY
            .into_iter()
            .find(|v| *v == asked)
            .unwrap_or(envelope::LEGACY[0]);
        json!({
            "protocolVersion": version,
            "capabilities": { "tools": { "listChanged": false } },
            "serverInfo": server_info(),
            "instructions": INSTRUCTIONS,
        })
    }
}

fn server_info() -> Json {
    json!({ "name": "gg", "title": "Graft gateway", "version": env!("CARGO_PKG_VERSION") })
}

#[cfg(test)]
mod tests;
