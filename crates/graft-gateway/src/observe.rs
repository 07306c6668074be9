//! The one seam every call goes through, over HTTP and TCP alike: [`run`]
//! starts a built [`Call`] on the host and [`Observed`] reads its answer,
//! noting the call's start, its end and outcome, and its duration
//! ([`crate::metrics`]), and writes its access line. A call refused before
//! it is built (no such method, HTTP arguments that do not bind, no known
//! token) is counted by [`crate::metrics::refused`] instead.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use graft_model::Value;
use graft_python::{Answer, Call, CallError, Host, Part};

use crate::metrics::metrics;
use series::Series;

mod series;

/// Which listener a call came in on.
#[derive(Clone, Copy)]
pub enum Protocol {
    Http,
    Tcp,
    /// An MCP tool call (`/mcp`, over HTTP on `--httpPort`).
    Mcp,
    /// Taken from a broker's queue (`--broker`).
    Broker,
}

impl Protocol {
    const COUNT: usize = 4;

    /// Where the protocol's series is in a [`Series`]' arrays.
    fn index(self) -> usize {
        self as usize
    }

    pub fn label(self) -> &'static str {
        match self {
            Protocol::Http => "http",
            Protocol::Tcp => "tcp",
            Protocol::Mcp => "mcp",
            Protocol::Broker => "broker",
        }
    }
}

/// Who made a call, for its access line: the peer's address (if known)
/// and the name of the `--authTokens` entry it presented (empty without
/// auth), never the token itself.
#[derive(Clone, Copy, Default)]
pub struct Caller {
    pub peer: Option<SocketAddr>,
    pub token: &'static str,
}

/// Whether each call writes its access line (`--accessLog`, on by default).
static ACCESS_LOG: AtomicBool = AtomicBool::new(true);

/// `--accessLog=false` turns the access lines off; `GG_LOG` filters them too.
pub fn log_access(on: bool) {
    ACCESS_LOG.store(on, Ordering::Relaxed);
}

/// Runs `call` by `caller` on `host`, observed until its answer ends (or is dropped).
pub fn run(host: &Arc<Host>, mut call: Call, protocol: Protocol, caller: Caller) -> Observed {
    let span = crate::trace::continue_in(&mut call.metadata);
    let series = Series::of(&call.callee);
    let streams = call.callee.signature().streams;
    let m = metrics();
    series.started(protocol);
    if !caller.token.is_empty() {
        m.by_caller
            .with_label_values(&[caller.token, series.service(), series.method()])
            .inc();
    }
    m.in_flight.inc();
    if streams {
        m.streams.inc();
    }
    let record = Record {
        series,
        protocol,
        began: Instant::now(),
        streams,
        outcome: None,
        span,
        caller,
    };
    Observed {
        answer: host.run(call),
        record,
    }
}

/// A call's answer, read as [`Answer`] is, noting its end.
pub struct Observed {
    answer: Answer,
    record: Record,
}

impl Observed {
    pub fn streams(&self) -> bool {
        self.answer.streams()
    }

    pub async fn next(&mut self) -> Option<Part> {
        let part = self.answer.next().await;
        if let Some(Part::Done(outcome)) = &part {
            self.record.outcome = Some(outcome_of(outcome.as_ref().err()));
        }
        part
    }

    /// The whole answer as one value (a stream's items as a list).
    pub async fn value(self) -> Result<Value, CallError> {
        let Observed { answer, mut record } = self;
        let value = answer.value().await;
        record.outcome = Some(outcome_of(value.as_ref().err()));
        value
    }
}

/// What is known of a call until it ends; counted as it drops.
struct Record {
    series: Arc<Series>,
    protocol: Protocol,
    began: Instant,
    streams: bool,
    /// None: the caller went away before the answer ended.
    outcome: Option<&'static str>,
    /// The call's span in its W3C trace ([`crate::trace`]).
    span: crate::trace::Span,
    caller: Caller,
}

impl Drop for Record {
    fn drop(&mut self) {
        let m = metrics();
        let (service, method) = (self.series.service(), self.series.method());
        let outcome = self.outcome.unwrap_or("cancelled");
        let elapsed = self.began.elapsed();
        self.series
            .ended(self.protocol, outcome, elapsed.as_secs_f64());
        let protocol = self.protocol.label();
        m.in_flight.dec();
        if self.streams {
            m.streams.dec();
        }
        let ended = Ended {
            span: &self.span,
            service,
            method,
            protocol,
            outcome,
            peer: self.caller.peer,
            token: self.caller.token,
            elapsed,
        };
        // One line per call at info, target `gg::access` (`--accessLog=false`,
        // or `GG_LOG=info,gg::access=off`, turns it off).
        if ACCESS_LOG.load(Ordering::Relaxed) {
            crate::log::access(&ended);
        }
        crate::otel::end(&ended);
    }
}

/// What is said of a call as it ends: in its access line ([`crate::log`])
/// and its span ([`crate::otel`]).
pub struct Ended<'a> {
    pub span: &'a crate::trace::Span,
    pub service: &'a str,
    pub method: &'a str,
    /// "http", "tcp", "mcp" (an MCP tool call, over HTTP) or "broker".
    pub protocol: &'a str,
    /// The `outcome` label of [`crate::metrics`]: "ok" or what went wrong.
    pub outcome: &'a str,
    /// The caller's address (`network.peer.address`, `network.peer.port`).
    pub peer: Option<SocketAddr>,
    /// The name of the caller's `--authTokens` entry, never the token.
    pub token: &'a str,
    pub elapsed: Duration,
}

/// The `outcome` label of an answer that ended with `error` (or none).
pub fn outcome_of(error: Option<&CallError>) -> &'static str {
    match error {
        None => "ok",
        Some(CallError::Raised(_)) => "raised",
        Some(CallError::BadArguments(_)) => "bad_arguments",
        Some(CallError::DeadlineExceeded(_)) => "deadline_exceeded",
        Some(CallError::Overloaded(_)) => "overloaded",
        Some(CallError::TooManyObjects(_)) => "too_many_objects",
        Some(CallError::Internal(_)) => "internal",
        Some(_) => "not_found",
    }
}
