//! JSON-RPC 2.0 as MCP's Streamable HTTP carries it: one message a POST,
//! answered with one JSON object (or an SSE stream, `call.rs`), errors with
//! the codes JSON-RPC and MCP define and the HTTP status the specification
//! gives each.

use axum::Json as JsonBody;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value as Json, json};

pub const PARSE_ERROR: i64 = -32700;
pub const INVALID_REQUEST: i64 = -32600;
pub const METHOD_NOT_FOUND: i64 = -32601;
pub const INVALID_PARAMS: i64 = -32602;
/// 2026-07-28: the HTTP headers do not match the body, or one is missing.
pub const HEADER_MISMATCH: i64 = -32020;
/// 2026-07-28: the request's protocol version is not one gg serves.
pub const UNSUPPORTED_VERSION: i64 = -32022;

/// A message a client sent.
pub enum Message {
    /// A request: it gets an answer.
    Request(Request),
    /// A notification, or a response to a request gg never sends: 202.
    Accepted,
}

/// One JSON-RPC request.
pub struct Request {
    pub id: Json,
    pub method: String,
    pub params: Map<String, Json>,
}

impl Request {
    /// The text of `params[key]`.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.params.get(key).and_then(Json::as_str)
    }

    /// `params._meta`, the request's metadata.
    pub fn meta(&self) -> Option<&Map<String, Json>> {
        self.params.get("_meta").and_then(Json::as_object)
    }
}

/// A JSON-RPC error, with the HTTP status it is sent with.
#[derive(Debug)]
pub struct RpcError {
    pub status: StatusCode,
    pub code: i64,
    pub message: String,
    pub data: Option<Json>,
}

impl RpcError {
    pub fn new(status: StatusCode, code: i64, message: impl Into<String>) -> Self {
        RpcError {
            status,
            code,
            message: message.into(),
            data: None,
        }
    }

    /// `-32602 Invalid params`, 400.
    pub fn invalid_params(message: impl Into<String>) -> Self {
        RpcError::new(StatusCode::BAD_REQUEST, INVALID_PARAMS, message)
    }

    /// `-32020 HeaderMismatch`, 400.
    pub fn header_mismatch(message: impl Into<String>) -> Self {
        RpcError::new(StatusCode::BAD_REQUEST, HEADER_MISMATCH, message)
    }

    /// Sent as the request's era sends errors: before 2026-07-28 a request's
    /// JSON-RPC error (past the transport's checks) comes with 200.
    pub fn in_era(mut self, era: super::Era) -> Self {
        if era == super::Era::Legacy {
            self.status = StatusCode::OK;
        }
        self
    }

    pub fn with_data(mut self, data: Json) -> Self {
        self.data = Some(data);
        self
    }

    /// The error response to the request `id` (`null` when it could not be read).
    pub fn respond(self, id: Option<&Json>) -> Response {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(data) = self.data {
            error["data"] = data;
        }
        let body =
            json!({ "jsonrpc": "2.0", "id": id.cloned().unwrap_or(Json::Null), "error": error });
        (self.status, JsonBody(body)).into_response()
    }
}

/// Reads a POST body: one JSON-RPC message (batches are not part of MCP).
pub fn parse(body: &[u8]) -> Result<Message, RpcError> {
    let json: Json = serde_json::from_slice(body).map_err(|e| {
        RpcError::new(
            StatusCode::BAD_REQUEST,
            PARSE_ERROR,
            format!("Parse error: {e}"),
        )
    })?;
    let invalid = |why: &str| {
        RpcError::new(
            StatusCode::BAD_REQUEST,
            INVALID_REQUEST,
            format!("Invalid Request: {why}"),
        )
    };
    let Json::Object(mut object) = json else {
        return Err(invalid("the body must be one JSON-RPC message, an object"));
    };
    if object.get("jsonrpc").and_then(Json::as_str) != Some("2.0") {
        return Err(invalid("`jsonrpc` must be \"2.0\""));
    }
    let Some(Json::String(method)) = object.remove("method") else {
        return match object.contains_key("result") || object.contains_key("error") {
            true => Ok(Message::Accepted),
            false => Err(invalid("`method` must be a string")),
        };
    };
    let params = match object.remove("params") {
        None | Some(Json::Null) => Map::new(),
        Some(Json::Object(params)) => params,
        Some(_) => return Err(invalid("`params` must be an object")),
    };
    match object.remove("id") {
        None => Ok(Message::Accepted),
        Some(id @ (Json::String(_) | Json::Number(_))) => {
            Ok(Message::Request(Request { id, method, params }))
        }
        Some(_) => Err(invalid("`id` must be a string or an integer")),
    }
}

/// The successful response to the request `id`.
pub fn result(id: &Json, result: Json) -> Response {
    JsonBody(envelope(id, result)).into_response()
}

/// `{"jsonrpc": "2.0", "id": id, "result": result}`.
pub fn envelope(id: &Json, result: Json) -> Json {
    json!({ "jsonrpc": "2.0", "id": id, "result": result })
}
