//! The `200` response of a method that streams its results.
//!
//! OpenAPI 3.1 has no field for the schema of each item of a streamed body
//! (3.2 adds `itemSchema`), so each media type carries it as the extension
//! `x-itemSchema`, shaped as 3.2's `itemSchema`, beside a `schema` that says
//! the body is text. For Server-Sent Events an item is an event object
//! (`event`, `data`), its `data` JSON text described by `contentSchema`.

use graft_model::TypeRef;
use serde_json::{Value as Json, json};

use crate::schema::{ERROR, reference, type_schema};

/// The media type of a stream of JSON values, one a line.
pub const NDJSON: &str = "application/x-ndjson";
/// The media type of Server-Sent Events, chosen with `Accept: text/event-stream`.
pub const EVENT_STREAM: &str = "text/event-stream";

/// The `200` response of a streaming method whose items are of type `item`.
pub(crate) fn streamed_response(item: &TypeRef) -> Json {
    let description = format!(
        "The method's items ({}), sent as it yields them: one JSON value a line ({NDJSON}), \
         or Server-Sent Events when the request has `Accept: {EVENT_STREAM}`. \
         If the method raises after some items, the stream ends with the usual error body.",
        item.python()
    );
    json!({
        "description": description,
        "content": {
            NDJSON: {
                "schema": {
                    "type": "string",
                    "description": "One JSON value a line, each line flushed as the method yields it: \
                        an item, or, last, `{\"error\": {...}}` if the method raised (the error body \
                        of the 500 response). See `x-itemSchema` for one line.",
                },
                "x-itemSchema": { "anyOf": [type_schema(item), reference(ERROR)] },
            },
            EVENT_STREAM: {
                "schema": {
                    "type": "string",
                    "description": "One event an item, `data: <item as JSON>`. The stream ends with \
                        `event: end` (`data: null`) when the method returns, or `event: error` \
                        (`data: {\"error\": {...}}`) when it raised. See `x-itemSchema` for one event.",
                },
                "x-itemSchema": event_schema(item),
            },
        },
    })
}

/// One Server-Sent Event of the stream: an item, its end, or an error.
fn event_schema(item: &TypeRef) -> Json {
    let data = |schema: Json| json!({ "type": "string", "contentMediaType": "application/json", "contentSchema": schema });
    json!({
        "oneOf": [
            {
                "description": "An item.",
                "type": "object",
                "properties": { "data": data(type_schema(item)) },
                "required": ["data"],
                "not": { "required": ["event"] },
            },
            {
                "description": "The method returned: no more items.",
                "type": "object",
                "properties": { "event": { "const": "end" }, "data": { "const": "null" } },
                "required": ["event", "data"],
            },
            {
                "description": "The method raised (after the items before it).",
                "type": "object",
                "properties": { "event": { "const": "error" }, "data": data(reference(ERROR)) },
                "required": ["event", "data"],
            },
        ],
    })
}
