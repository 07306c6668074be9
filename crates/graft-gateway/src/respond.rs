//! How the call API answers: a value as JSON, an error as
//! `{"error": {...}}` with its status, and a streaming method's items as
//! NDJSON lines or Server-Sent Events, each written as it is produced.

use std::convert::Infallible;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::{FutureExt as _, StreamExt};
use graft_model::{ArgError, Raised, json::to_json};
use graft_python::{CallError, Part, items_of};
use serde::Serialize;

use crate::observe::Observed;

/// The error body of every failed call: `{"error": {...}}`.
#[derive(Debug, Serialize)]
pub struct ErrorBody {
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
    /// The id the gateway's log keeps the traceback beside (without `--tracebacks`).
    #[serde(rename = "callId", skip_serializing_if = "Option::is_none")]
    call_id: Option<String>,
}

impl ErrorBody {
    pub fn new(kind: &str, message: impl Into<String>) -> Self {
        ErrorBody {
            kind: kind.into(),
            message: message.into(),
            param: None,
            module: None,
            fields: None,
            traceback: None,
            call_id: None,
        }
    }

    /// The response; a 503 (Overloaded) says when to call again: `Retry-After: 1`.
    pub fn respond(self, status: StatusCode) -> Response {
        let mut response = (status, Json(self.json())).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            let again = header::HeaderValue::from_static("1");
            response.headers_mut().insert(header::RETRY_AFTER, again);
        }
        response
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({ "error": self })
    }

    fn raised(mut r: Raised) -> ErrorBody {
        let call_id = crate::errors::conceal(&mut r);
        let fields = r
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), to_json(v)))
            .collect();
        ErrorBody {
            kind: r.type_name,
            message: r.message,
            param: None,
            module: Some(r.module),
            fields: Some(fields),
            traceback: (!r.traceback.is_empty()).then_some(r.traceback),
            call_id,
        }
    }

    /// A failed call's body and status.
    pub fn of(err: CallError) -> (ErrorBody, StatusCode) {
        match err {
            CallError::Raised(r) => (Self::raised(*r), StatusCode::INTERNAL_SERVER_ERROR),
            err @ (CallError::NoService(_)
            | CallError::NoMethod { .. }
            | CallError::Unavailable { .. }
            | CallError::NoObject { .. }
            | CallError::NeedsObject { .. }
            | CallError::Refused(_)) => (
                Self::new("NotFound", err.to_string()),
                StatusCode::NOT_FOUND,
            ),
            CallError::BadArguments(m) => (Self::new("ArgumentError", m), StatusCode::BAD_REQUEST),
            CallError::TooManyObjects(m) => (
                Self::new("TooManyObjects", m),
                StatusCode::TOO_MANY_REQUESTS,
            ),
            CallError::Overloaded(m) => {
                (Self::new("Overloaded", m), StatusCode::SERVICE_UNAVAILABLE)
            }
            // The message names the limit and what set it (`graft_python::Deadline`).
            CallError::DeadlineExceeded(m) => {
                (Self::new("Timeout", m), StatusCode::GATEWAY_TIMEOUT)
            }
            err @ CallError::Internal(_) => (
                Self::new("InternalError", err.to_string()),
                StatusCode::INTERNAL_SERVER_ERROR,
            ),
        }
    }
}

pub fn bad_arguments(err: ArgError) -> Response {
    let mut body = ErrorBody::new("ArgumentError", err.to_string());
    body.param = err.param().map(str::to_owned);
    body.respond(StatusCode::BAD_REQUEST)
}

/// Answers a call: its value as JSON, or its error.
pub async fn answer(answer: Observed, headers: &HeaderMap) -> Response {
    if answer.streams() {
        return stream(answer, Format::of(headers));
    }
    match answer.value().await {
        Ok(value) => Json(to_json(&value)).into_response(),
        Err(err) => {
            let (body, status) = ErrorBody::of(err);
            body.respond(status)
        }
    }
}

/// How a stream is written.
#[derive(Clone, Copy)]
enum Format {
    /// `application/x-ndjson`: a JSON value a line; an error ends it as `{"error": ...}`.
    Ndjson,
    /// `text/event-stream`: `data: <json>` per item, then `event: end` or `event: error`.
    Events,
}

impl Format {
    fn of(headers: &HeaderMap) -> Format {
        let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
        match accept {
            Some(accept) if accept.contains("text/event-stream") => Format::Events,
            _ => Format::Ndjson,
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Ndjson => "application/x-ndjson",
            Format::Events => "text/event-stream",
        }
    }

    fn item(self, json: &serde_json::Value) -> String {
        match self {
            Format::Ndjson => format!("{json}\n"),
            Format::Events => format!("data: {json}\n\n"),
        }
    }

    fn end(self, error: Option<&serde_json::Value>) -> String {
        match (self, error) {
            (Format::Ndjson, Some(error)) => format!("{error}\n"),
            (Format::Ndjson, None) => String::new(),
            (Format::Events, Some(error)) => format!("event: error\ndata: {error}\n\n"),
            (Format::Events, None) => "event: end\ndata: null\n\n".to_string(),
        }
    }
}

/// A streaming method's answer, each item written as it comes; a client
/// that goes away drops the body, and with it the answer, which closes the
/// generator. A stream refused at once (Overloaded: `--maxInFlight`,
/// `--maxThreadsPerMethod`) is answered as any refused call, 503.
fn stream(mut answer: Observed, format: Format) -> Response {
    let first = answer.next().now_or_never().flatten();
    if let Some(Part::Done(Err(err @ CallError::Overloaded(_)))) = first {
        let (body, status) = ErrorBody::of(err);
        return body.respond(status);
    }
    let state = (first, Some(answer));
    let chunks = futures::stream::unfold(state, move |(first, answer)| async move {
        let mut answer = answer?;
        let part = match first {
            Some(part) => part,
            None => answer.next().await?,
        };
        let text = match part {
            Part::Items(value) => {
                let lines: Vec<String> = items_of(value)
                    .iter()
                    .map(|item| format.item(&to_json(item)))
                    .collect();
                return Some((
                    Ok::<_, Infallible>(Bytes::from(lines.concat())),
                    (None, Some(answer)),
                ));
            }
            Part::Done(Ok(_)) => format.end(None),
            Part::Done(Err(err)) => format.end(Some(&ErrorBody::of(err).0.json())),
        };
        Some((Ok(Bytes::from(text)), (None, None)))
    });
    let headers = [
        (header::CONTENT_TYPE, format.content_type()),
        (header::CACHE_CONTROL, "no-cache"),
    ];
    (headers, Body::from_stream(chunks.boxed())).into_response()
}
