//! A span's attributes, per OpenTelemetry's RPC semantic conventions (the
//! old ones, the stable ones or both, as `OTEL_SEMCONV_STABILITY_OPT_IN`
//! asks), its network's and, for an MCP tool call, MCP's.

use opentelemetry::KeyValue;

use super::SERVING;
use crate::observe::Ended;

/// Which RPC conventions spans follow (`OTEL_SEMCONV_STABILITY_OPT_IN`).
#[derive(Clone, Copy)]
pub(super) struct Semconv {
    /// rpc.system, rpc.service, rpc.method (v1.37; the default).
    old: bool,
    /// rpc.system.name, rpc.method as Service/method (unless `old`: it
    /// keeps the method's name), rpc.response.status_code.
    stable: bool,
}

/// The span's attributes, per the RPC semantic conventions.
pub(super) fn attributes(semconv: Semconv, call: &Ended<'_>) -> Vec<KeyValue> {
    let mut attributes = Vec::with_capacity(10);
    if semconv.old {
        attributes.push(KeyValue::new("rpc.system", "graft"));
        attributes.push(KeyValue::new("rpc.service", call.service.to_owned()));
        attributes.push(KeyValue::new("rpc.method", call.method.to_owned()));
    }
    if semconv.stable {
        attributes.push(KeyValue::new("rpc.system.name", "graft"));
        if !semconv.old {
            let method = format!("{}/{}", call.service, call.method);
            attributes.push(KeyValue::new("rpc.method", method));
        }
        let status = call.outcome.to_ascii_uppercase();
        attributes.push(KeyValue::new("rpc.response.status_code", status));
    }
    attributes.push(KeyValue::new("graft.outcome", call.outcome.to_owned()));
    if call.outcome != "ok" {
        attributes.push(KeyValue::new("error.type", call.outcome.to_owned()));
    }
    network(call, &mut attributes);
    attributes
}

/// The span's network attributes (and MCP's, for a tool call): the
/// listener the call came in on, and the caller's address.
fn network(call: &Ended<'_>, attributes: &mut Vec<KeyValue>) {
    attributes.push(KeyValue::new("network.transport", "tcp"));
    if matches!(call.protocol, "http" | "mcp") {
        attributes.push(KeyValue::new("network.protocol.name", "http"));
    }
    if call.protocol == "mcp" {
        // OpenTelemetry's MCP conventions: a tool call, the tool by its name.
        attributes.push(KeyValue::new("mcp.method.name", "tools/call"));
        attributes.push(KeyValue::new("gen_ai.operation.name", "execute_tool"));
        let tool = crate::mcp::tools::tool_name(call.service, call.method);
        attributes.push(KeyValue::new("gen_ai.tool.name", tool));
    }
    if let Some(peer) = call.peer {
        attributes.push(KeyValue::new("network.peer.address", peer.ip().to_string()));
        attributes.push(KeyValue::new("network.peer.port", i64::from(peer.port())));
    }
    let listeners = SERVING.get();
    let address = match call.protocol {
        "http" => listeners.and_then(|l| l.http),
        "mcp" => listeners.and_then(|l| l.web),
        "tcp" => listeners.and_then(|l| l.tcp),
        _ => None, // a broker's calls come from its queues
    };
    if let Some(address) = address {
        if !address.ip().is_unspecified() {
            attributes.push(KeyValue::new("server.address", address.ip().to_string()));
        }
        attributes.push(KeyValue::new("server.port", i64::from(address.port())));
    }
}

impl Semconv {
    pub(super) fn from_env() -> Semconv {
        let opt_in = std::env::var("OTEL_SEMCONV_STABILITY_OPT_IN").unwrap_or_default();
        let values: Vec<&str> = opt_in.split(',').map(str::trim).collect();
        let dup = values.contains(&"rpc/dup");
        let stable = dup || values.contains(&"rpc");
        Semconv {
            old: dup || !stable,
            stable,
        }
    }
}
