use axum::http::{HeaderMap, HeaderValue};
use serde_json::json;

use super::envelope::{self, Era};
use super::rpc::{self, Message, Request};
use super::*;

#[test]
fn allows_loopback_origins_and_named_ones_only() {
    let extra = vec!["https://agents.example.com".to_owned()];
    for origin in [
        "http://localhost:3000",
        "http://127.0.0.1",
        "http://127.0.0.9:81",
        "http://[::1]:8080",
        "https://agents.example.com/",
    ] {
        assert!(allowed(origin, &extra), "{origin}");
    }
    for origin in [
        "http://evil.example.com",
        "http://localhost.evil.example.com",
        "http://10.0.0.1",
        "null",
        "https://agents.example.com.evil.com",
    ] {
        assert!(!allowed(origin, &extra), "{origin}");
    }
}

fn request(method: &str, params: serde_json::Value) -> Request {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    match rpc::parse(body.to_string().as_bytes()) {
        Ok(Message::Request(request)) => request,
        _ => panic!("not a request"),
    }
}

fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.insert(*name, HeaderValue::from_static(value));
    }
    map
}

const META: &str = "io.modelcontextprotocol/protocolVersion";

#[test]
fn tells_the_revisions_apart() {
    let initialize = request("initialize", json!({"protocolVersion": "2025-11-25"}));
    assert_eq!(
        envelope::era(&HeaderMap::new(), &initialize).unwrap(),
        Era::Legacy
    );
    let legacy = headers(&[("mcp-protocol-version", "2025-11-25")]);
    let list = request("tools/list", json!({}));
    assert_eq!(envelope::era(&legacy, &list).unwrap(), Era::Legacy);
    let meta =
        json!({"_meta": {META: "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}});
    let modern = headers(&[
        ("mcp-protocol-version", "2026-07-28"),
        ("mcp-method", " tools/list "),
    ]);
    assert_eq!(
        envelope::era(&modern, &request("tools/list", meta)).unwrap(),
        Era::Modern
    );
}

#[test]
fn refuses_what_2026_07_28_forbids() {
    let code = |h: &HeaderMap, r: &Request| envelope::era(h, r).unwrap_err().code;
    let caps = "io.modelcontextprotocol/clientCapabilities";
    let modern = headers(&[
        ("mcp-protocol-version", "2026-07-28"),
        ("mcp-method", "tools/call"),
        ("mcp-name", "=?base64?QXRsYXMucG9w?="),
    ]);
    let call = |meta| request("tools/call", json!({"name": "Atlas.pop", "_meta": meta}));
    // The name header may be base64; the body is what it must match.
    assert!(envelope::era(&modern, &call(json!({META: "2026-07-28", caps: {}}))).is_ok());
    assert_eq!(
        code(&modern, &call(json!({META: "2026-07-28"}))),
        rpc::INVALID_PARAMS
    );
    assert_eq!(code(&modern, &call(json!({}))), rpc::INVALID_PARAMS);
    let other = request(
        "tools/call",
        json!({"name": "Atlas.other", "_meta": {META: "2026-07-28", caps: {}}}),
    );
    assert_eq!(code(&modern, &other), rpc::HEADER_MISMATCH);
    let old = headers(&[("mcp-protocol-version", "1900-01-01")]);
    let err = envelope::era(&old, &call(json!({META: "1900-01-01", caps: {}}))).unwrap_err();
    assert_eq!(err.code, rpc::UNSUPPORTED_VERSION);
    assert_eq!(err.data.unwrap()["supported"][0], "2026-07-28");
    assert_eq!(
        code(&old, &request("tools/list", json!({}))),
        rpc::UNSUPPORTED_VERSION
    );
}

#[test]
fn reads_one_message_per_post() {
    assert!(matches!(
        rpc::parse(b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"),
        Ok(Message::Accepted)
    ));
    assert!(matches!(
        rpc::parse(b"{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}}"),
        Ok(Message::Accepted)
    ));
    assert_eq!(
        rpc::parse(b"not json").err().unwrap().code,
        rpc::PARSE_ERROR
    );
    assert_eq!(rpc::parse(b"[]").err().unwrap().code, rpc::INVALID_REQUEST);
    let null_id = b"{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}";
    assert_eq!(
        rpc::parse(null_id).err().unwrap().code,
        rpc::INVALID_REQUEST
    );
}
