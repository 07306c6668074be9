//! `tools/call`: one call of a hosted method through the seam every call
//! takes ([`crate::observe::run`]), answered as a tool result.
//!
//! Arguments are bound by the call API's own binding (`graft_model::bind`):
//! one the interface refuses is a tool error naming the parameter, and
//! Python is not reached. A raised exception is a tool error whose
//! `structuredContent` is the call API's error body (type, module, message,
//! fields). A streaming method's items are gathered into the result, up to
//! [`MAX_ITEMS`] items or [`MAX_ITEM_BYTES`] of JSON (past that the
//! generator is closed and `truncated` is true); with a `progressToken` and
//! `Accept: text/event-stream`, each item is also sent as it comes, as a
//! `notifications/progress` whose `message` is the item's JSON.

use std::convert::Infallible;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use graft_model::json::to_json;
use graft_python::{Args, Call, CallError, Deadline, Part, items_of};
use serde_json::{Value as Json, json};

use super::rpc::{self, Request, RpcError};
use super::{Era, Mcp, tools};
use crate::observe::{self, Observed, Protocol};
use crate::respond::ErrorBody;

/// The most items a stream's result holds.
pub const MAX_ITEMS: usize = 10_000;
/// The most bytes of JSON a stream's items hold in its result.
pub const MAX_ITEM_BYTES: usize = 16 << 20;

/// Answers a `tools/call` request.
pub async fn call(mcp: &Mcp, headers: &HeaderMap, request: Request, era: Era) -> Response {
    let (observed, wrap) = match start(mcp, headers, &request) {
        Ok(Ok(started)) => started,
        Ok(Err(refused)) => return rpc::result(&request.id, mcp.finish(era, refused)),
        Err(err) => return err.in_era(era).respond(Some(&request.id)),
    };
    let token = request.meta().and_then(|m| m.get("progressToken")).cloned();
    let sse = accepts_events(headers);
    match (observed.streams(), token) {
        (true, Some(token)) if sse => events(mcp.clone(), observed, request.id, token, era),
        (true, _) => {
            let mut gathered = Gathered::default();
            let end = gather(&mut Some(observed), &mut gathered).await;
            rpc::result(&request.id, mcp.finish(era, gathered.result(end)))
        }
        (false, _) => {
            let result = match observed.value().await {
                Ok(value) => success(to_json(&value), wrap),
                Err(err) => failure(err, None),
            };
            rpc::result(&request.id, mcp.finish(era, result))
        }
    }
}

/// The running call (and whether its value is wrapped as `{"result": ...}`);
/// or the tool error of arguments the method refuses; or the protocol
/// error of an unknown tool or a malformed request.
fn start(
    mcp: &Mcp,
    headers: &HeaderMap,
    request: &Request,
) -> Result<Result<(Observed, bool), Json>, RpcError> {
    let name = request
        .text("name")
        .ok_or_else(|| RpcError::invalid_params("tools/call needs `name`, the tool's name"))?;
    let unknown = |why: String| RpcError::invalid_params(format!("Unknown tool: {name} ({why})"));
    let (service, method) = tools::split_name(name)
        .ok_or_else(|| unknown("tools are named <Service>.<method>".into()))?;
    let callee = mcp.state.host.lookup(service, method).map_err(|err| {
        crate::metrics::refused(Protocol::Mcp, observe::outcome_of(Some(&err)));
        unknown(err.to_string())
    })?;
    let arguments = match request.params.get("arguments") {
        None | Some(Json::Null) => Default::default(),
        Some(Json::Object(arguments)) => arguments.clone(),
        Some(_) => return Err(RpcError::invalid_params("`arguments` must be an object")),
    };
    let iface = mcp.state.host.interface();
    let wrap = !tools::is_object(&callee.signature().returns, iface);
    let args = match super::arguments::bind(callee.signature(), arguments, iface) {
        Ok(args) => args,
        Err(err) => {
            crate::metrics::refused(Protocol::Mcp, "bad_arguments");
            return Ok(Err(refused(&err)));
        }
    };
    let call = Call {
        callee,
        args: Args::Checked(args),
        deadline: Deadline::shorter(None, mcp.state.call_timeout),
        metadata: metadata(headers, request),
        in_parts: false,
    };
    let caller = crate::conn::caller();
    let observed = observe::run(&mcp.state.host, call, Protocol::Mcp, caller);
    Ok(Ok((observed, wrap)))
}

/// The call's metadata: the request's headers, and a `traceparent` in `_meta` in place of the header's.
fn metadata(headers: &HeaderMap, request: &Request) -> Vec<(String, String)> {
    let mut metadata = crate::metadata::from_http(headers);
    let traceparent = request.meta().and_then(|m| m.get("traceparent"));
    if let Some(traceparent) = traceparent.and_then(Json::as_str) {
        metadata.retain(|(name, _)| name != "traceparent");
        metadata.push(("traceparent".into(), traceparent.into()));
    }
    metadata
}

fn accepts_events(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("text/event-stream"))
}

/// A successful tool result: `json` as text, and as structured content
/// (wrapped as `{"result": ...}` when `wrap`).
fn success(json: Json, wrap: bool) -> Json {
    let text = json.to_string();
    let structured = if wrap {
        json!({ "result": json })
    } else {
        json
    };
    json!({
        "content": [{ "type": "text", "text": text }],
        "structuredContent": structured,
        "isError": false,
    })
}

/// A tool error: the call API's error body as structured content (with a
/// stream's items so far), its type and message as text.
fn failure(err: CallError, items: Option<Json>) -> Json {
    let (body, _) = ErrorBody::of(err);
    tool_error(serde_json::to_value(body).unwrap_or_default(), items)
}

fn tool_error(error: Json, items: Option<Json>) -> Json {
    let kind = error["type"].as_str().unwrap_or("Error");
    let text = format!("{kind}: {}", error["message"].as_str().unwrap_or_default());
    let mut structured = json!({ "error": error });
    if let Some(items) = items {
        structured["items"] = items;
    }
    json!({
        "content": [{ "type": "text", "text": text }],
        "structuredContent": structured,
        "isError": true,
    })
}

/// The tool error of arguments the method refuses: as the call API's 400 body.
fn refused(err: &graft_model::ArgError) -> Json {
    let mut error =
        serde_json::to_value(ErrorBody::new("ArgumentError", err.to_string())).unwrap_or_default();
    if let Some(param) = err.param() {
        error["param"] = Json::String(param.to_owned());
    }
    tool_error(error, None)
}

/// A stream's items so far, within the bounds.
#[derive(Default)]
struct Gathered {
    items: Vec<Json>,
    bytes: usize,
    truncated: bool,
}

impl Gathered {
    /// Keeps `item`; false (and `truncated`) once the bounds are reached.
    fn add(&mut self, item: Json) -> bool {
        let size = item.to_string().len();
        if self.items.len() >= MAX_ITEMS || self.bytes + size > MAX_ITEM_BYTES {
            self.truncated = true;
            return false;
        }
        self.bytes += size;
        self.items.push(item);
        true
    }

    /// The tool result once the stream ended with `end`.
    fn result(self, end: Result<(), CallError>) -> Json {
        let items = Json::Array(self.items);
        match end {
            Ok(()) => {
                let structured = json!({ "items": items, "truncated": self.truncated });
                success(structured, false)
            }
            Err(err) => failure(err, Some(items)),
        }
    }
}

/// Reads the stream's next part into `gathered`, returning the items it
/// added; `Err` with the end once it ended, or was cut at the bounds (the
/// answer is then dropped, which closes the generator).
async fn next(
    answer: &mut Option<Observed>,
    gathered: &mut Gathered,
) -> Result<Vec<Json>, Result<(), CallError>> {
    let Some(observed) = answer.as_mut() else {
        return Err(Ok(()));
    };
    match observed.next().await {
        Some(Part::Items(value)) => {
            let mut added = Vec::new();
            for item in items_of(value) {
                let json = to_json(&item);
                if !gathered.add(json.clone()) {
                    *answer = None;
                    break;
                }
                added.push(json);
            }
            Ok(added)
        }
        Some(Part::Done(Err(err))) => Err(Err(err)),
        Some(Part::Done(Ok(_))) | None => Err(Ok(())),
    }
}

/// Every item of the stream, within the bounds, and how it ended.
async fn gather(answer: &mut Option<Observed>, gathered: &mut Gathered) -> Result<(), CallError> {
    loop {
        if let Err(end) = next(answer, gathered).await {
            return end;
        }
    }
}

/// The answer as Server-Sent Events: a progress notification per item as it
/// comes, then the result. A client that goes away drops the body, and
/// with it the call.
fn events(mcp: Mcp, observed: Observed, id: Json, token: Json, era: Era) -> Response {
    let state = Some((Some(observed), Gathered::default()));
    let chunks = futures::stream::unfold(state, move |state| {
        let (mcp, id, token) = (mcp.clone(), id.clone(), token.clone());
        async move {
            let (mut answer, mut gathered) = state?;
            let text = match next(&mut answer, &mut gathered).await {
                Ok(added) => {
                    let first = gathered.items.len() - added.len();
                    let lines: Vec<String> = (added.iter().enumerate())
                        .map(|(i, item)| progress(&token, first + i + 1, item))
                        .collect();
                    let next = Some((answer, gathered));
                    return Some((Ok::<_, Infallible>(Bytes::from(lines.concat())), next));
                }
                Err(end) => event(&rpc::envelope(&id, mcp.finish(era, gathered.result(end)))),
            };
            Some((Ok(Bytes::from(text)), None))
        }
    });
    let headers = [
        (header::CONTENT_TYPE, "text/event-stream"),
        (header::CACHE_CONTROL, "no-cache"),
        (header::HeaderName::from_static("x-accel-buffering"), "no"),
    ];
    (headers, Body::from_stream(chunks.boxed())).into_response()
}

/// The progress notification of the `n`th item.
fn progress(token: &Json, n: usize, item: &Json) -> String {
    event(&json!({
        "jsonrpc": "2.0",
        "method": "notifications/progress",
        "params": { "progressToken": token, "progress": n, "message": item.to_string() },
    }))
}

fn event(message: &Json) -> String {
    format!("event: message\ndata: {message}\n\n")
}
