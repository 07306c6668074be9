//! What a gateway shows of its broker: `/status` (and Vision, which reads
//! it) names the broker and the queues it takes calls from; `/metrics`
//! has each queue's length and the calls expired or taken over.

use std::sync::{LazyLock, OnceLock};

use prometheus::core::Collector;
use prometheus::{IntCounter, IntCounterVec, IntGaugeVec, Opts};

/// The broker and queues this gateway serves, once it does.
static SERVING: OnceLock<serde_json::Value> = OnceLock::new();

struct Gauges {
    length: IntGaugeVec,
    expired: IntCounter,
    reclaimed: IntCounterVec,
}

static GAUGES: LazyLock<Gauges> = LazyLock::new(|| Gauges {
    length: IntGaugeVec::new(
        opts(
            "broker_queue_length",
            "Calls in a broker queue, waiting or running (XLEN).",
        ),
        &["queue"],
    )
    .expect("valid gauge"),
    expired: IntCounter::with_opts(opts(
        "broker_calls_expired_total",
        "Calls taken from a broker queue after their deadline, dropped unrun.",
    ))
    .expect("valid counter"),
    reclaimed: IntCounterVec::new(
        opts(
            "broker_calls_reclaimed_total",
            "Calls taken over from a gateway that stopped: rerun (idempotent) or refused.",
        ),
        &["outcome"],
    )
    .expect("valid counter"),
});

fn opts(name: &str, help: &str) -> Opts {
    Opts::new(name, help).namespace("graft")
}

/// The broker's metrics, for `/metrics`'s registry.
pub fn collectors() -> Vec<Box<dyn Collector>> {
    let g = &*GAUGES;
    vec![
        Box::new(g.length.clone()),
        Box::new(g.expired.clone()),
        Box::new(g.reclaimed.clone()),
    ]
}

pub(super) fn serving(url: &str, queues: &[String], consumer: &str) {
    let shown = serde_json::json!({"url": url, "queues": queues, "consumer": consumer});
    let _ = SERVING.set(shown);
    for queue in queues {
        GAUGES.length.with_label_values(&[queue]).set(0);
    }
}

/// `/status`'s `broker`, with `--broker`: its URL (no password), queues and consumer name.
pub fn shown() -> Option<serde_json::Value> {
    SERVING.get().cloned()
}

pub(super) fn queue_length(queue: &str, length: i64) {
    GAUGES.length.with_label_values(&[queue]).set(length);
}

pub(super) fn expired() {
    GAUGES.expired.inc();
}

pub(super) fn reclaimed(outcome: &str) {
    GAUGES.reclaimed.with_label_values(&[outcome]).inc();
}

/// `url` with its password, if any, replaced by `***`.
pub fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((user, host)) if user.contains(':') => {
            let name = user.split(':').next().unwrap_or_default();
            format!("{scheme}://{name}:***@{host}")
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::without_password;

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(without_password("redis://h:6379/0"), "redis://h:6379/0");
        assert_eq!(
            without_password("redis://:s3cret@h:6379/0"),
            "redis://:***@h:6379/0"
        );
        assert_eq!(without_password("redis://u:pw@h/1"), "redis://u:***@h/1");
    }
}
