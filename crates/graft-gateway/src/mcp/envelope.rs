//! Which revision of MCP a request speaks, and the checks its revision asks
//! of its headers.
//!
//! - **2026-07-28** (modern): no handshake; every request names its version
//!   and the client's capabilities in `_meta`, and mirrors its version,
//!   method and tool name in the `MCP-Protocol-Version`, `Mcp-Method` and
//!   `Mcp-Name` headers, which must match the body.
//! - **2025-11-25** (legacy, and 2025-06-18): an `initialize` handshake,
//!   answered without a session id (gg keeps no session), then requests
//!   with the negotiated version in `MCP-Protocol-Version`.

use axum::http::{HeaderMap, StatusCode};
use base64::Engine as _;
use serde_json::{Value as Json, json};

use super::rpc::{Request, RpcError, UNSUPPORTED_VERSION};

/// The current revision.
pub const MODERN: &str = "2026-07-28";
/// The handshake-era revisions gg serves, newest first.
pub const LEGACY: [&str; 2] = ["2025-11-25", "2025-06-18"];

const VERSION_KEY: &str = "io.modelcontextprotocol/protocolVersion";
const CAPABILITIES_KEY: &str = "io.modelcontextprotocol/clientCapabilities";

/// The revision a request speaks.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Era {
    Modern,
    Legacy,
}

/// Every version gg serves, newest first.
pub fn supported() -> Vec<&'static str> {
    std::iter::once(MODERN).chain(LEGACY).collect()
}

/// The era of `request`, checked as its era requires.
pub fn era(headers: &HeaderMap, request: &Request) -> Result<Era, RpcError> {
    let header = header(headers, "mcp-protocol-version");
    let in_meta = request.meta().is_some_and(|m| m.contains_key(VERSION_KEY));
    match header.as_deref() {
        _ if in_meta => modern(headers, request).map(|()| Era::Modern),
        Some(MODERN) => modern(headers, request).map(|()| Era::Modern),
        None => Ok(Era::Legacy),
        Some(version) if LEGACY.contains(&version) => Ok(Era::Legacy),
        Some(version) => Err(unsupported(version)),
    }
}

/// The checks of a 2026-07-28 request: its `_meta`, then its headers.
fn modern(headers: &HeaderMap, request: &Request) -> Result<(), RpcError> {
    let meta = request.meta();
    let version = meta.and_then(|m| m.get(VERSION_KEY)).and_then(Json::as_str);
    let Some(version) = version else {
        return Err(RpcError::invalid_params(format!(
            "Invalid params: `_meta` must carry `{VERSION_KEY}`"
        )));
    };
    let header_version = header(headers, "mcp-protocol-version");
    if header_version.as_deref() != Some(version) {
        return Err(mismatch("MCP-Protocol-Version", header_version, version));
    }
    if version != MODERN {
        return Err(unsupported(version));
    }
    if !meta.is_some_and(|m| m.get(CAPABILITIES_KEY).is_some_and(Json::is_object)) {
        return Err(RpcError::invalid_params(format!(
            "Invalid params: `_meta` must carry `{CAPABILITIES_KEY}`, an object"
        )));
    }
    let method = header(headers, "mcp-method");
    if method.as_deref() != Some(request.method.as_str()) {
        return Err(mismatch("Mcp-Method", method, &request.method));
    }
    let named = ["tools/call", "prompts/get", "resources/read"].contains(&request.method.as_str());
    if named {
        let body = request.text("name").or_else(|| request.text("uri"));
        let name = header(headers, "mcp-name").map(|v| decoded(&v));
        if name.is_none() || name.as_deref() != body {
            return Err(mismatch("Mcp-Name", name, body.unwrap_or_default()));
        }
    }
    Ok(())
}

/// `-32022`: the version is not served, with those that are.
pub fn unsupported(requested: &str) -> RpcError {
    RpcError::new(
        StatusCode::BAD_REQUEST,
        UNSUPPORTED_VERSION,
        format!(
            "Unsupported protocol version {requested}: gg serves {}",
            supported().join(", ")
        ),
    )
    .with_data(json!({ "supported": supported(), "requested": requested }))
}

fn mismatch(name: &str, header: Option<String>, body: &str) -> RpcError {
    let message = match header {
        None => format!("Header mismatch: the {name} header is missing (the body says {body:?})"),
        Some(header) => {
            format!(
                "Header mismatch: {name} header value {header:?} does not match body value {body:?}"
            )
        }
    };
    RpcError::header_mismatch(message)
}

/// A header's value as text, without surrounding whitespace.
fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    let value = headers.get(name)?.to_str().ok()?;
    Some(value.trim().to_owned())
}

/// `=?base64?...?=` decoded; any other value as it is.
fn decoded(value: &str) -> String {
    let inner = value
        .strip_prefix("=?base64?")
        .and_then(|v| v.strip_suffix("?="));
    let Some(inner) = inner else {
        return value.to_owned();
    };
    base64::engine::general_purpose::STANDARD
        .decode(inner)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_else(|| value.to_owned())
}
