//! A call's access line, formatted straight into the log's buffer in the
//! shapes tracing's formatter writes (`Format<Full>` without time or
//! target, and `Format<Json>`), byte for byte: the tests below hold the
//! two side by side.

use std::cell::RefCell;
use std::io::Write as _;
use std::net::SocketAddr;

use serde::Serialize;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::{FormatTime as _, SystemTime};

use super::{ACCESS, LOG};
use crate::observe::Ended;
use crate::trace::LogFormat;

/// A line's bytes and its timestamp, kept by each thread from line to line.
#[derive(Default)]
struct Scratch {
    line: Vec<u8>,
    time: String,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

/// Writes `call`'s access line at info, target [`ACCESS`], if `GG_LOG`
/// lets it through.
pub fn access(call: &Ended<'_>) {
    if !tracing::enabled!(target: ACCESS, tracing::Level::INFO) {
        return;
    }
    let log = match LOG.get() {
        Some(log) if !log.color => log,
        _ => return call.event(),
    };
    SCRATCH.with_borrow_mut(|scratch| {
        scratch.line.clear();
        match log.format {
            LogFormat::Text => call.text(&mut scratch.line),
            LogFormat::Json => call.json(scratch),
        }
        log.buffer.append(&scratch.line);
    });
}

impl Ended<'_> {
    fn duration_ms(&self) -> f64 {
        duration::ms(self.elapsed)
    }

    /// The line as tracing's text formatter writes it: `&str` fields
    /// quoted (as `Debug` does; outcomes and hex ids need no escapes), the
    /// others as they `Display`, the duration as `f64`'s `Debug`.
    fn text(&self, out: &mut Vec<u8>) {
        put(out, " INFO call service=", self.service.as_bytes());
        put(out, " method=", self.method.as_bytes());
        put(out, " protocol=", self.protocol.as_bytes());
        put(out, " outcome=\"", self.outcome.as_bytes());
        out.push(b'"');
        if let Some(peer) = self.peer {
            out.extend_from_slice(b" peer=");
            address(out, peer);
        }
        put(out, " token=", self.token.as_bytes());
        out.extend_from_slice(b" duration_ms=");
        duration::write(out, self.elapsed);
        put(out, " trace_id=", self.span.trace_hex().as_bytes());
        put(out, " span_id=", self.span.span_hex().as_bytes());
        out.extend_from_slice(b" parent_id=\"");
        if let Some(parent) = self.span.parent_hex() {
            out.extend_from_slice(parent.as_bytes());
        }
        out.extend_from_slice(b"\"\n");
    }

    /// The line as tracing's JSON formatter writes it, by serde_json.
    fn json(&self, scratch: &mut Scratch) {
        scratch.time.clear();
        let _ = SystemTime.format_time(&mut Writer::new(&mut scratch.time));
        let (trace_id, span_id) = (self.span.trace_hex(), self.span.span_hex());
        let parent = self.span.parent_hex();
        let line = Json {
            timestamp: &scratch.time,
            level: "INFO",
            fields: Fields {
                message: "call",
                service: self.service,
                method: self.method,
                protocol: self.protocol,
                outcome: self.outcome,
                peer: self.peer,
                token: self.token,
                duration_ms: self.duration_ms(),
                trace_id: trace_id.as_str(),
                span_id: span_id.as_str(),
                parent_id: parent.as_ref().map_or("", |hex| hex.as_str()),
            },
        };
        let _ = serde_json::to_writer(&mut scratch.line, &line);
        scratch.line.push(b'\n');
    }

    /// The line as a tracing event, for a subscriber other than [`super::init`]'s
    /// plain one (ANSI colours on a terminal).
    fn event(&self) {
        let span = self.span;
        let parent = span.parent_hex();
        tracing::info!(
            target: ACCESS,
            service = %self.service,
            method = %self.method,
            protocol = %self.protocol,
            outcome = self.outcome,
            peer = self.peer.map(tracing::field::display),
            token = %self.token,
            duration_ms = self.duration_ms(),
            trace_id = %span.trace_hex().as_str(),
            span_id = %span.span_hex().as_str(),
            parent_id = parent.as_ref().map_or("", |hex| hex.as_str()),
            "call"
        );
    }
}

/// ` name=value` (`name` with its space and `=`).
fn put(out: &mut Vec<u8>, name: &str, value: &[u8]) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(value);
}

/// `peer` as it `Display`s; an IPv4 address (the common case) without
/// `fmt`'s machinery, which cost as much as the rest of the line, and
/// in one piece rather than a piece a number.
fn address(out: &mut Vec<u8>, peer: SocketAddr) {
    let SocketAddr::V4(peer) = peer else {
        let _ = write!(out, "{peer}");
        return;
    };
    // ".255.255.255.255:65535" at the longest, written from the right.
    let mut text = [b'.'; 22];
    let mut at = decimal(&mut text, 22, peer.port()) - 1;
    text[at] = b':';
    for octet in peer.ip().octets().into_iter().rev() {
        at = decimal(&mut text, at, octet.into()) - 1; // to the '.'
    }
    out.extend_from_slice(&text[at + 1..]);
}

/// Writes `n` in decimal into `text` to end at `end`; where it starts.
fn decimal(text: &mut [u8], mut end: usize, mut n: u16) -> usize {
    loop {
        end -= 1;
        text[end] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return end;
        }
    }
}

#[derive(Serialize)]
struct Json<'a> {
    timestamp: &'a str,
    level: &'static str,
    fields: Fields<'a>,
}

/// The fields in the order the event names them.
#[derive(Serialize)]
struct Fields<'a> {
    message: &'static str,
    service: &'a str,
    method: &'a str,
    protocol: &'a str,
    outcome: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    peer: Option<SocketAddr>,
    token: &'a str,
    duration_ms: f64,
    trace_id: &'a str,
    span_id: &'a str,
    parent_id: &'a str,
}

mod duration;
#[cfg(test)]
mod tests;
