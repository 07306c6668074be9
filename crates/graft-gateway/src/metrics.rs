//! `/metrics`: gg's counters in the Prometheus text format. The call
//! counts are kept at one seam ([`crate::observe`]), with the calls refused
//! before they began beside them ([`refused`]); connections and bytes by the
//! HTTP listeners' connections ([`crate::conn`]); TCP's connections and
//! bytes, counted by `graft_wire`, and remote objects are read when scraped;
//! the process's CPU, memory and file descriptors come from the
//! `prometheus` crate's process collector.

mod scraped;

use std::sync::{Arc, LazyLock, Mutex};

use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use graft_python::Host;
use graft_wire::budget::Budget;
use prometheus::core::Collector;
use prometheus::{
    Encoder as _, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec,
    Opts, Registry, TextEncoder,
};

use crate::observe::Protocol;
use scraped::{Held, Tcp};

/// Every metric gg exports.
pub struct Metrics {
    registry: Registry,
    /// Calls that began: `service`, `method`, `protocol` (http or tcp).
    pub started: IntCounterVec,
    /// Calls that ended, with their `outcome`.
    pub handled: IntCounterVec,
    /// With `--authTokens`, calls begun by each token's name: `caller`,
    /// `service`, `method` (a series per token and method, never the token).
    pub by_caller: IntCounterVec,
    /// Seconds from a call's start to its answer's end: `service`, `method`.
    pub duration: HistogramVec,
    pub in_flight: IntGauge,
    /// Streaming calls whose stream has not ended.
    pub streams: IntGauge,
    /// Calls refused before they began: `protocol`, `outcome`.
    refusals: IntCounterVec,
    /// Open HTTP connections, by `listener` (calls or web).
    pub connections: IntGaugeVec,
    /// HTTP connections accepted, by `listener`.
    pub accepted: IntCounterVec,
    pub received: IntCounterVec,
    pub sent: IntCounterVec,
    held: Held,
    tcp: Tcp,
}

/// The HTTP listeners' metrics, made before they take their places in [`Metrics`].
struct Http {
    connections: IntGaugeVec,
    accepted: IntCounterVec,
    received: IntCounterVec,
    sent: IntCounterVec,
}

/// gg's metrics, made and registered on first use.
pub fn metrics() -> &'static Metrics {
    static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
        let metrics = Metrics::new();
        metrics.register();
        metrics
    });
    &METRICS
}

fn opts(name: &str, help: &str) -> Opts {
    Opts::new(name, help).namespace("graft")
}

impl Metrics {
    fn new() -> Metrics {
        let call = ["service", "method", "protocol"];
        let Http {
            connections,
            accepted,
            received,
            sent,
        } = Http::new();
        Metrics {
            registry: Registry::new(),
            started: counter("calls_started_total", "Calls begun.", &call),
            handled: counter(
                "calls_handled_total",
                "Calls ended, by outcome (ok, or the error's kind).",
                &[&call[..], &["outcome"]].concat(),
            ),
            by_caller: counter(
                "calls_by_caller_total",
                "Calls begun, by the name of the --authTokens entry that made them.",
                &["caller", "service", "method"],
            ),
            duration: duration(),
            in_flight: gauge("calls_in_flight", "Calls running now."),
            streams: gauge(
                "streams_open",
                "Streaming calls whose stream has not ended.",
            ),
            refusals: counter(
                "calls_refused_total",
                "Calls refused before they began: no such service or method, arguments that do not bind, no known token.",
                &["protocol", "outcome"],
            ),
            connections,
            accepted,
            received,
            sent,
            held: Held::new(),
            tcp: Tcp::new(),
        }
    }

    /// Registers gg's own metrics, the process's (CPU, memory, file
    /// descriptors), the broker's and shedding's, in one registry.
    fn register(&self) {
        let process = prometheus::process_collector::ProcessCollector::for_self();
        let collectors = self
            .calls()
            .into_iter()
            .chain(self.http())
            .chain(self.held.collectors())
            .chain(self.tcp.collectors())
            .chain([Box::new(process) as Box<dyn Collector>])
            .chain(crate::broker::status::collectors())
            .chain([Box::new(crate::shedding::Counters::new()) as Box<dyn Collector>]);
        for collector in collectors {
            self.registry
                .register(collector)
                .expect("metric names are distinct");
        }
    }

    /// The calls' metrics: begun, ended, by caller, their durations, those
    /// running and those refused.
    fn calls(&self) -> [Box<dyn Collector>; 7] {
        [
            Box::new(self.started.clone()),
            Box::new(self.handled.clone()),
            Box::new(self.by_caller.clone()),
            Box::new(self.duration.clone()),
            Box::new(self.in_flight.clone()),
            Box::new(self.streams.clone()),
            Box::new(self.refusals.clone()),
        ]
    }

    /// The HTTP listeners' connections and bytes.
    fn http(&self) -> [Box<dyn Collector>; 4] {
        [
            Box::new(self.connections.clone()),
            Box::new(self.accepted.clone()),
            Box::new(self.received.clone()),
            Box::new(self.sent.clone()),
        ]
    }

    /// The text format of every metric, remote objects, the memory budget
    /// and TCP's traffic counted now.
    fn render(&self, host: &Host, budget: &Budget) -> String {
        // One scrape at a time brings the TCP counters up to date.
        static SCRAPE: Mutex<()> = Mutex::new(());
        let _one = SCRAPE.lock().unwrap_or_else(|p| p.into_inner());
        self.held.read(host, budget);
        self.tcp.catch_up(graft_wire::traffic());
        let mut text = Vec::new();
        if let Err(err) = TextEncoder::new().encode(&self.registry.gather(), &mut text) {
            tracing::error!("cannot write /metrics: {err}");
        }
        String::from_utf8_lossy(&text).into_owned()
    }
}

impl Http {
    fn new() -> Http {
        let listener = ["listener"];
        let connections = opts("http_connections_open", "Open HTTP connections.");
        Http {
            connections: IntGaugeVec::new(connections, &listener).expect("valid gauge"),
            accepted: counter(
                "http_connections_total",
                "HTTP connections accepted.",
                &listener,
            ),
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
        }
    }
}

/// `call_duration_seconds`, in buckets from half a millisecond to five
/// minutes: quick calls and slow ones both fall between two bounds.
fn duration() -> HistogramVec {
    let buckets = vec![
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
        60.0, 300.0,
    ];
    let duration = HistogramOpts::from(opts(
        "call_duration_seconds",
        "Seconds from a call's start to the end of its answer.",
    ));
    HistogramVec::new(duration.buckets(buckets), &["service", "method"]).expect("valid histogram")
}

/// Counts a call refused before it began, by why (`outcome`).
pub fn refused(protocol: Protocol, outcome: &str) {
    let m = metrics();
    m.refusals
        .with_label_values(&[protocol.label(), outcome])
        .inc();
}

fn counter(name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    IntCounterVec::new(opts(name, help), labels).expect("valid counter")
}

fn gauge(name: &str, help: &str) -> IntGauge {
    IntGauge::with_opts(opts(name, help)).expect("valid gauge")
}

/// A counter without labels.
fn total(name: &str, help: &str) -> IntCounter {
    IntCounter::with_opts(opts(name, help)).expect("valid counter")
}

/// `/metrics`, open to every caller (docs/DEPLOY.md says how to protect it).
pub fn routes(host: Arc<Host>, budget: Budget) -> Router {
    Router::new().route(
        "/metrics",
        get(move || async move { text(metrics().render(&host, &budget)) }),
    )
}

fn text(body: String) -> Response {
    let content_type = prometheus::TEXT_FORMAT;
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}
