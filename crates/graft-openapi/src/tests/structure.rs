//! Checks that documents keep the structure OpenAPI 3.1 requires: the fields it
//! demands, paths and keys of the allowed form, unique operation ids, and
//! references that resolve.

use std::collections::HashSet;

use serde_json::Value as Json;

use super::{shop, tutorial};
use crate::openapi;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Set to a folder to have the checked documents written there, for a full
/// validator outside Rust (say, Python's `openapi-spec-validator`).
const DUMP_DIR: &str = "GRAFT_OPENAPI_DUMP";

#[test]
fn documents_are_structurally_valid() {
    for (name, iface) in [
        ("tutorial", tutorial()),
        ("shop", shop()),
        ("empty", Default::default()),
    ] {
        let doc = openapi(&iface);
        check_document(&doc);
        check_refs(&doc, &doc);
        if let Some(dir) = std::env::var_os(DUMP_DIR) {
            let path = std::path::Path::new(&dir).join(format!("{name}.json"));
            std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap())
                .expect("write the document");
        }
    }
}

fn check_document(doc: &Json) {
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(
        doc["info"]["title"].is_string() && doc["info"]["version"].is_string(),
        "info: {}",
        doc["info"]
    );
    let mut ids = HashSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths is an object") {
        assert!(
            path.starts_with('/') && !path.contains('{'),
            "path {path:?}"
        );
        for (verb, op) in item.as_object().expect("path item is an object") {
            assert!(METHODS.contains(&verb.as_str()), "{verb} at {path}");
            assert!(
                ids.insert(op["operationId"].as_str().expect("operationId").to_string()),
                "duplicate id at {path}"
            );
            check_operation(op);
        }
    }
    for section in ["schemas", "responses"] {
        for key in doc["components"][section]
            .as_object()
            .expect("components section")
            .keys()
        {
            let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_');
            assert!(key.chars().all(allowed), "components/{section} key {key:?}");
        }
    }
}

fn check_operation(op: &Json) {
    let body = &op["requestBody"];
    assert!(
        body["content"]["application/json"]["schema"].is_object(),
        "request body {body}"
    );
    assert!(body["required"].is_boolean());
    let responses = op["responses"].as_object().expect("responses");
    assert!(responses.contains_key("200"));
    for (status, response) in responses {
        assert!(
            status.len() == 3 && status.parse::<u16>().is_ok(),
            "status {status:?}"
        );
        assert!(
            response["description"].is_string() || response["$ref"].is_string(),
            "response {response}"
        );
    }
}

/// Every `$ref` in `node` points at something in `doc`.
fn check_refs(doc: &Json, node: &Json) {
    match node {
        Json::Object(map) => {
            if let Some(target) = map.get("$ref") {
                let pointer = target
                    .as_str()
                    .and_then(|t| t.strip_prefix('#'))
                    .expect("a local reference");
                assert!(doc.pointer(pointer).is_some(), "unresolved {target}");
            }
            map.values().for_each(|v| check_refs(doc, v));
        }
        Json::Array(items) => items.iter().for_each(|v| check_refs(doc, v)),
        _ => {}
    }
}
