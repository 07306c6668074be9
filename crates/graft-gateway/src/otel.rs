//! OTLP export of one server span per call, following OpenTelemetry's RPC
//! semantic conventions, when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
//! `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set. The span's ids are those
//! [`crate::trace`] continues, so traces link up across gateways and grafts.
//!
//! A span is built only as its call ends, handed to the SDK's batch
//! processor (a bounded queue and a thread of its own) and sent over HTTP on
//! gg's runtime, off the call's path. With no endpoint set nothing here runs
//! but one check of [`EXPORT`] per call.

mod attributes;
mod sampler;
mod transport;

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use opentelemetry::InstrumentationScope;
use opentelemetry::trace::{
    SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState,
};
use opentelemetry_otlp::{Protocol, WithExportConfig as _, WithHttpConfig as _};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::{BatchSpanProcessor, SpanData, SpanProcessor as _};

use crate::observe::Ended;
use attributes::{Semconv, attributes};
use sampler::Sampler;

/// The exporter, when one is configured.
static EXPORT: OnceLock<Export> = OnceLock::new();
/// The listeners' addresses, for `server.address` and `server.port`.
static SERVING: OnceLock<Listeners> = OnceLock::new();

struct Export {
    processor: BatchSpanProcessor,
    scope: InstrumentationScope,
    sampler: Sampler,
    semconv: Semconv,
}

#[derive(Default)]
struct Listeners {
    http: Option<SocketAddr>,
    /// `--httpPort`, where `/mcp` is.
    web: Option<SocketAddr>,
    tcp: Option<SocketAddr>,
}

/// Flushes the spans still queued when dropped (at gg's exit).
pub struct Flush;

impl Drop for Flush {
    fn drop(&mut self) {
        if let Some(export) = EXPORT.get()
            && let Err(err) = export
                .processor
                .shutdown_with_timeout(Duration::from_secs(5))
        {
            tracing::warn!("OTLP: spans not flushed at exit: {err}");
        }
    }
}

/// Starts the export if the environment asks for it; `runtime` sends the
/// requests. Misconfiguration is logged and leaves export off: it never
/// stops gg.
pub fn start(runtime: tokio::runtime::Handle) -> Option<Flush> {
    let endpoint = endpoint()?;
    let protocol = match protocol() {
        Ok(protocol) => protocol,
        Err(value) => {
            tracing::error!(
                "OTLP: protocol `{value}` is not supported (gg sends http/protobuf or http/json); no spans are exported"
            );
            return None;
        }
    };
    if endpoint.trim_start().starts_with("https:") {
        tracing::warn!("OTLP: gg sends spans over plain HTTP only; https endpoints fail to export");
    }
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(protocol)
        .with_http_client(transport::OnRuntime::new(runtime))
        .build();
    let exporter = match exporter {
        Ok(exporter) => exporter,
        Err(err) => {
            tracing::error!("OTLP: {err}; no spans are exported");
            return None;
        }
    };
    let _ = EXPORT.set(Export::new(exporter));
    tracing::info!("OTLP: exporting a span per call to {endpoint} ({protocol:?})");
    Some(Flush)
}

/// Where spans go (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or
/// `OTEL_EXPORTER_OTLP_ENDPOINT`); None when neither is set, or when the
/// SDK (`OTEL_SDK_DISABLED`) or trace export (`OTEL_TRACES_EXPORTER=none`)
/// is turned off.
fn endpoint() -> Option<String> {
    let endpoint = first_set([
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
    ])?;
    if env_is("OTEL_SDK_DISABLED", "true") || env_is("OTEL_TRACES_EXPORTER", "none") {
        return None;
    }
    Some(endpoint)
}

impl Export {
    /// `exporter` behind the SDK's batch processor (a bounded queue and a
    /// thread of its own), spans named as gg's, sampled and attributed as
    /// the environment says.
    fn new(exporter: opentelemetry_otlp::SpanExporter) -> Export {
        let mut processor = BatchSpanProcessor::builder(exporter).build();
        processor.set_resource(&Resource::builder().build());
        let scope = InstrumentationScope::builder("gg")
            .with_version(env!("CARGO_PKG_VERSION"))
            .build();
        Export {
            processor,
            scope,
            sampler: Sampler::from_env(),
            semconv: Semconv::from_env(),
        }
    }
}

/// `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` or `OTEL_EXPORTER_OTLP_PROTOCOL`
/// (http/protobuf when unset); Err: the unsupported value.
fn protocol() -> Result<Protocol, String> {
    let value = first_set([
        "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
        "OTEL_EXPORTER_OTLP_PROTOCOL",
    ]);
    match value.as_deref().map(str::trim) {
        None | Some("http/protobuf") => Ok(Protocol::HttpBinary),
        Some("http/json") => Ok(Protocol::HttpJson),
        Some(other) => Err(other.to_owned()),
    }
}

/// The first of `names` set to something other than blanks: the
/// trace-specific variable before the general one.
fn first_set(names: [&str; 2]) -> Option<String> {
    names
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
}

fn env_is(name: &str, value: &str) -> bool {
    std::env::var(name).is_ok_and(|v| v.trim().eq_ignore_ascii_case(value))
}

/// Notes where calls arrive (`server.address`, `server.port`): the call
/// port, the web side (MCP's tool calls) and the TCP listener.
pub fn serving(http: SocketAddr, web: SocketAddr, tcp: Option<SocketAddr>) {
    let _ = SERVING.set(Listeners {
        http: Some(http),
        web: Some(web),
        tcp,
    });
}

/// Whether a call's span is sampled, given its caller's sampled flag (None:
/// a new trace); None when nothing is exported.
pub fn sample(parent: Option<bool>, trace_id: u128) -> Option<bool> {
    EXPORT
        .get()
        .map(|export| export.sampler.sampled(parent, trace_id))
}

/// Exports the span of a call that ended (if export is on and it is sampled).
pub fn end(call: &Ended<'_>) {
    let Some(export) = EXPORT.get() else { return };
    if !call.span.sampled {
        return;
    }
    export.processor.on_end(span_data(export, call));
}

fn span_data(export: &Export, call: &Ended<'_>) -> SpanData {
    let span = call.span;
    let context = SpanContext::new(
        TraceId::from(span.trace_id),
        SpanId::from(span.span_id),
        TraceFlags::SAMPLED,
        false,
        span.tracestate
            .as_deref()
            .and_then(|state| state.parse::<TraceState>().ok())
            .unwrap_or_default(),
    );
    let parent = span.parent_id.map(SpanId::from);
    let end_time = SystemTime::now();
    let failed = call.outcome != "ok";
    SpanData {
        span_context: context,
        parent_span_id: parent.unwrap_or(SpanId::INVALID),
        parent_span_is_remote: parent.is_some(),
        span_kind: SpanKind::Server,
        name: format!("{}/{}", call.service, call.method).into(),
        start_time: end_time - call.elapsed,
        end_time,
        attributes: attributes(export.semconv, call),
        dropped_attributes_count: 0,
        events: Default::default(),
        links: Default::default(),
        status: match failed {
            true => Status::error(call.outcome.to_owned()),
            false => Status::Unset,
        },
        instrumentation_scope: export.scope.clone(),
    }
}
