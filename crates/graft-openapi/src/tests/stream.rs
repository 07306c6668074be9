//! The `200` response of a streaming method: NDJSON and Server-Sent Events,
//! each with the schema of one item.

use serde_json::json;

use super::shop;
use crate::openapi;
use crate::stream::{EVENT_STREAM, NDJSON};

#[test]
fn a_streaming_method_answers_ndjson_or_events_of_its_items() {
    let doc = openapi(&shop());
    let op = &doc["paths"]["/call/Shop/watch"]["post"];
    let ok = &op["responses"]["200"];
    let content = ok["content"].as_object().unwrap();
    let mut types: Vec<&String> = content.keys().collect();
    types.sort();
    assert_eq!(types, [NDJSON, EVENT_STREAM]);
    assert!(
        ok["description"].as_str().unwrap().contains("(Item)"),
        "{ok}"
    );
    let item = json!({ "$ref": "#/components/schemas/Item" });
    let error = json!({ "$ref": "#/components/schemas/graft.Error" });
    // A line is an item, or the error body that ends a failed stream.
    assert_eq!(
        content[NDJSON]["x-itemSchema"],
        json!({ "anyOf": [item, error] })
    );
    assert_eq!(content[NDJSON]["schema"]["type"], "string");
    // An event: an item's data is its JSON text; `end` and `error` close the stream.
    let events = content[EVENT_STREAM]["x-itemSchema"]["oneOf"]
        .as_array()
        .unwrap();
    assert_eq!(events.len(), 3);
    assert_eq!(events[0]["properties"]["data"]["contentSchema"], item);
    assert_eq!(
        events[0]["properties"]["data"]["contentMediaType"],
        "application/json"
    );
    assert_eq!(events[1]["properties"]["event"]["const"], "end");
    assert_eq!(events[2]["properties"]["event"]["const"], "error");
    assert_eq!(events[2]["properties"]["data"]["contentSchema"], error);
    // The errors before any item are the plain call's.
    for status in ["400", "404", "500", "504"] {
        assert!(op["responses"][status]["$ref"].is_string(), "{status}");
    }
}

#[test]
fn a_plain_method_answers_json() {
    let doc = openapi(&shop());
    let ok = &doc["paths"]["/call/Shop/order"]["post"]["responses"]["200"];
    let content = ok["content"].as_object().unwrap();
    assert_eq!(content.keys().collect::<Vec<_>>(), ["application/json"]);
}
