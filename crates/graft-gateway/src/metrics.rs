//! `/metrics`: gg's counters in the Prometheus text format. The call
//! counts are kept at one seam ([`crate::observe`]); connections and bytes
//! by the HTTP listeners' connections ([`crate::conn`]); remote objects are
//! read from the host when scraped; the process's CPU, memory and file
//! descriptors come from the `prometheus` crate's process collector.

use std::sync::{Arc, LazyLock};

use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use graft_python::Host;
use prometheus::{
    Encoder as _, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};

/// Every metric gg exports.
pub struct Metrics {
    registry: Registry,
    /// Calls that began: `service`, `method`, `protocol` (http or tcp).
    pub started: IntCounterVec,
    /// Calls that ended, with their `outcome`.
    pub handled: IntCounterVec,
    /// Seconds from a call's start to its answer's end: `service`, `method`.
    pub duration: HistogramVec,
    pub in_flight: IntGauge,
    /// Streaming calls whose stream has not ended.
    pub streams: IntGauge,
    objects: IntGauge,
    /// Open HTTP connections, by `listener` (calls or web).
    pub connections: IntGaugeVec,
    pub received: IntCounterVec,
    pub sent: IntCounterVec,
}

/// gg's metrics, made on first use.
pub fn metrics() -> &'static Metrics {
    static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);
    &METRICS
}

fn opts(name: &str, help: &str) -> Opts {
    Opts::new(name, help).namespace("graft")
}

impl Metrics {
    fn new() -> Metrics {
        let call = ["service", "method", "protocol"];
        let listener = ["listener"];
        let buckets = vec![
            0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            30.0, 60.0, 300.0,
        ];
        let duration = HistogramOpts::from(opts(
            "call_duration_seconds",
            "Seconds from a call's start to the end of its answer.",
        ));
        let metrics = Metrics {
            registry: Registry::new(),
            started: counter("calls_started_total", "Calls begun.", &call),
            handled: counter(
                "calls_handled_total",
                "Calls ended, by outcome (ok, or the error's kind).",
                &[&call[..], &["outcome"]].concat(),
            ),
            duration: HistogramVec::new(duration.buckets(buckets), &["service", "method"])
                .expect("valid histogram"),
            in_flight: gauge("calls_in_flight", "Calls running now."),
            streams: gauge(
                "streams_open",
                "Streaming calls whose stream has not ended.",
            ),
            objects: gauge("remote_objects", "Remote objects living in the gateway."),
            connections: IntGaugeVec::new(
                opts("http_connections_open", "Open HTTP connections."),
                &listener,
            )
            .expect("valid gauge"),
            received: counter(
                "http_received_bytes_total",
                "Bytes received on HTTP connections.",
                &listener,
            ),
            sent: counter(
                "http_sent_bytes_total",
                "Bytes sent on HTTP connections.",
                &listener,
            ),
        };
        metrics.register();
        metrics
    }

    fn register(&self) {
        let collectors: [Box<dyn prometheus::core::Collector>; 10] = [
            Box::new(self.started.clone()),
            Box::new(self.handled.clone()),
            Box::new(self.duration.clone()),
            Box::new(self.in_flight.clone()),
            Box::new(self.streams.clone()),
            Box::new(self.objects.clone()),
            Box::new(self.connections.clone()),
            Box::new(self.received.clone()),
            Box::new(self.sent.clone()),
            Box::new(prometheus::process_collector::ProcessCollector::for_self()),
        ];
        for collector in collectors {
            self.registry
                .register(collector)
                .expect("metric names are distinct");
        }
        let shedding = Box::new(crate::shedding::Counters::new());
        self.registry
            .register(shedding)
            .expect("metric names are distinct");
    }

    /// The text format of every metric, remote objects counted now.
    fn render(&self, host: &Host) -> String {
        self.objects.set(host.object_count() as i64);
        let mut text = Vec::new();
        if let Err(err) = TextEncoder::new().encode(&self.registry.gather(), &mut text) {
            tracing::error!("cannot write /metrics: {err}");
        }
        String::from_utf8_lossy(&text).into_owned()
    }
}

fn counter(name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    IntCounterVec::new(opts(name, help), labels).expect("valid counter")
}

fn gauge(name: &str, help: &str) -> IntGauge {
    IntGauge::with_opts(opts(name, help)).expect("valid gauge")
}

/// `/metrics`, open to every caller (docs/DEPLOY.md says how to protect it).
pub fn routes(host: Arc<Host>) -> Router {
    Router::new().route(
        "/metrics",
        get(move || async move { text(metrics().render(&host)) }),
    )
}

fn text(body: String) -> Response {
    let content_type = prometheus::TEXT_FORMAT;
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}
