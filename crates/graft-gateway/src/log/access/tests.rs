//! The access line as written here against the same line as tracing's
//! formatter writes it (the event gg sent before), in text and JSON.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tracing_subscriber::EnvFilter;

use super::Scratch;
use crate::observe::Ended;
use crate::trace::{LogFormat, Span};

/// A writer whose lines the test reads back.
#[derive(Clone, Default)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What tracing writes of `call`'s event with gg's log set up as `format`, under `filter`.
fn by_tracing(call: &Ended<'_>, format: LogFormat, filter: &str) -> String {
    let sink = Sink::default();
    let writer = sink.clone();
    let log = super::super::subscriber(format, false, EnvFilter::new(filter), move || {
        writer.clone()
    });
    tracing::subscriber::with_default(log, || call.event());
    String::from_utf8(sink.0.lock().unwrap().clone()).unwrap()
}

fn written(call: &Ended<'_>, format: LogFormat) -> String {
    let mut scratch = Scratch::default();
    match format {
        LogFormat::Text => call.text(&mut scratch.line),
        LogFormat::Json => call.json(&mut scratch),
    }
    String::from_utf8(scratch.line).unwrap()
}

/// `line` with its timestamp's value left out.
fn untimed(line: &str) -> String {
    let (before, after) = line.split_once("\"timestamp\":\"").expect("a timestamp");
    let (time, after) = after.split_once('"').unwrap();
    assert!(time.ends_with('Z') && time.len() > 20, "{time}");
    format!("{before}\"timestamp\":\"\"{after}")
}

fn span(parent: Option<u64>) -> Span {
    Span {
        trace_id: 0x0af7651916cd43dd8448eb211c80319c,
        span_id: 0x00f067aa0ba902b7,
        parent_id: parent,
        sampled: true,
        tracestate: None,
    }
}

fn calls<'a>(spans: &'a [Span; 2]) -> Vec<Ended<'a>> {
    let peer: SocketAddr = "127.0.0.1:50123".parse().unwrap();
    let peer6: SocketAddr = "[::1]:8080".parse().unwrap();
    let call = |peer, token, ms: f64, span| Ended {
        service: "Inventory",
        method: "add",
        protocol: "tcp",
        outcome: "ok",
        peer,
        token,
        elapsed: Duration::from_secs_f64(ms / 1000.0),
        span,
    };
    vec![
        call(Some(peer), "alice", 0.0421, &spans[0]),
        call(Some(peer6), "line 3", 12.0, &spans[1]),
        call(None, "", 1234.56789, &spans[0]),
        Ended {
            outcome: "deadline_exceeded",
            protocol: "broker",
            ..call(None, "name \"quoted\" \u{e9}", 0.000012, &spans[1])
        },
    ]
}

#[test]
fn text_lines_are_tracings_byte_for_byte() {
    let spans = [span(None), span(Some(0xb7ad6b7169203331))];
    for call in calls(&spans) {
        let ours = written(&call, LogFormat::Text);
        assert_eq!(ours, by_tracing(&call, LogFormat::Text, "info"));
        assert!(
            ours.starts_with(" INFO call service=Inventory method=add"),
            "{ours}"
        );
    }
}

#[test]
fn json_lines_are_tracings_byte_for_byte() {
    let spans = [span(None), span(Some(0xb7ad6b7169203331))];
    for call in calls(&spans) {
        let ours = written(&call, LogFormat::Json);
        assert_eq!(
            untimed(&ours),
            untimed(&by_tracing(&call, LogFormat::Json, "info"))
        );
        let value: serde_json::Value = serde_json::from_str(&ours).unwrap();
        assert_eq!(
            value["fields"]["trace_id"],
            "0af7651916cd43dd8448eb211c80319c"
        );
    }
}

#[test]
fn the_ids_are_written_as_w3c_hex() {
    let spans = [span(Some(0xb7ad6b7169203331)), span(None)];
    let line = written(&calls(&spans)[0], LogFormat::Text);
    assert!(
        line.ends_with(concat!(
            " trace_id=0af7651916cd43dd8448eb211c80319c span_id=00f067aa0ba902b7",
            " parent_id=\"b7ad6b7169203331\"\n"
        )),
        "{line}"
    );
    assert!(
        line.contains(" peer=127.0.0.1:50123 token=alice duration_ms=0.0421 "),
        "{line}"
    );
}

#[test]
fn gg_log_can_turn_the_line_off() {
    let spans = [span(None), span(None)];
    let call = &calls(&spans)[0];
    let sink = Sink::default();
    let writer = sink.clone();
    let log = super::super::subscriber(
        LogFormat::Text,
        false,
        EnvFilter::new("info,gg::access=off"),
        move || writer.clone(),
    );
    tracing::subscriber::with_default(log, || {
        super::access(call);
        tracing::info!("other lines still written");
    });
    let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
    assert_eq!(text, " INFO other lines still written\n");
    assert!(by_tracing(call, LogFormat::Text, "info").contains("method=add"));
}

#[test]
fn peers_are_written_as_they_display() {
    let peers = [
        "127.0.0.1:50123",
        "0.0.0.0:0",
        "255.255.255.255:65535",
        "10.0.9.100:9",
        "[::1]:8080",
        "[fe80::1%2]:443",
    ];
    // Every octet in every place, ports of every length.
    let ports = [0, 7, 10, 99, 100, 999, 1000, 9999, 10000, 65535];
    let every = (0..=255u8).zip(ports.iter().cycle()).map(|(n, port)| {
        let ip = std::net::Ipv4Addr::new(n, 255 - n, n / 2, n % 10);
        SocketAddr::from((ip, *port)).to_string()
    });
    for peer in peers.map(str::to_owned).into_iter().chain(every) {
        let peer: SocketAddr = peer.parse().unwrap();
        let mut out = Vec::new();
        super::address(&mut out, peer);
        assert_eq!(String::from_utf8(out).unwrap(), peer.to_string());
    }
}
