//! The metrics read when `/metrics` is scraped, rather than counted as
//! things happen: remote objects and the memory budget, which the host and
//! the budget know, and TCP's traffic, which `graft_wire` counts.

use graft_python::Host;
use graft_wire::budget::Budget;
use prometheus::core::Collector;
use prometheus::{IntCounter, IntGauge};

use super::{gauge, total};

/// What the gateway holds, read from the host and the budget when scraped.
pub(super) struct Held {
    objects: IntGauge,
    /// `--memoryBudget` in bytes, and the bytes of it held now by request
    /// bodies and TCP frames (`graft_wire::Budget`).
    budget_bytes: IntGauge,
    budget_in_use: IntGauge,
}

/// TCP's connections and bytes, as `graft_wire::traffic` counted them when last scraped.
pub(super) struct Tcp {
    open: IntGauge,
    accepted: IntCounter,
    received: IntCounter,
    sent: IntCounter,
}

impl Held {
    pub(super) fn new() -> Held {
        Held {
            objects: gauge("remote_objects", "Remote objects living in the gateway."),
            budget_bytes: gauge(
                "memory_budget_bytes",
                "The bytes request bodies and TCP frames may hold at once (--memoryBudget).",
            ),
            budget_in_use: gauge(
                "memory_budget_in_use_bytes",
                "The bytes of the memory budget held now by request bodies and TCP frames.",
            ),
        }
    }

    pub(super) fn collectors(&self) -> [Box<dyn Collector>; 3] {
        [
            Box::new(self.objects.clone()),
            Box::new(self.budget_bytes.clone()),
            Box::new(self.budget_in_use.clone()),
        ]
    }

    /// Sets the gauges to what `host` and `budget` hold now.
    pub(super) fn read(&self, host: &Host, budget: &Budget) {
        self.objects.set(host.object_count() as i64);
        self.budget_bytes.set(budget.limit() as i64);
        self.budget_in_use.set(budget.in_use() as i64);
    }
}

impl Tcp {
    pub(super) fn new() -> Tcp {
        Tcp {
            open: gauge("tcp_connections_open", "Open TCP connections."),
            accepted: total("tcp_connections_total", "TCP connections accepted."),
            received: total(
                "tcp_received_bytes_total",
                "Bytes received on TCP connections.",
            ),
            sent: total("tcp_sent_bytes_total", "Bytes sent on TCP connections."),
        }
    }

    pub(super) fn collectors(&self) -> [Box<dyn Collector>; 4] {
        [
            Box::new(self.open.clone()),
            Box::new(self.accepted.clone()),
            Box::new(self.received.clone()),
            Box::new(self.sent.clone()),
        ]
    }

    /// Brings the counters up to `traffic`'s totals.
    pub(super) fn catch_up(&self, traffic: &graft_wire::Traffic) {
        self.open.set(traffic.open());
        let pairs = [
            (&self.accepted, traffic.accepted()),
            (&self.received, traffic.received()),
            (&self.sent, traffic.sent()),
        ];
        for (counter, total) in pairs {
            counter.inc_by(total.saturating_sub(counter.get()));
        }
    }
}
