//! Load shedding's counters in `/metrics`: calls refused as Overloaded
//! (`--maxInFlight`, `--maxInFlightPerConnection`, `--maxThreadsPerMethod`)
//! and plain calls abandoned by their caller while they still ran. The host
//! and the wire server count them (`graft_python::admission`); a scrape
//! reads them.

use prometheus::core::{Collector, Desc};
use prometheus::proto::MetricFamily;
use prometheus::{IntCounter, Opts};

/// The two counters, brought up to date on each scrape.
pub struct Counters {
    shed: IntCounter,
    abandoned: IntCounter,
}

impl Counters {
    pub fn new() -> Counters {
        let counter = |name: &str, help: &str| {
            IntCounter::with_opts(Opts::new(name, help).namespace("graft")).expect("valid counter")
        };
        Counters {
            shed: counter(
                "calls_shed_total",
                "Calls refused at once as Overloaded: the gateway, the connection or the method ran as many as it may.",
            ),
            abandoned: counter(
                "calls_abandoned_total",
                "Plain calls whose caller stopped waiting (their deadline passed) while they still ran on a thread.",
            ),
        }
    }
}

/// Raises `counter` to `total`.
fn catch_up(counter: &IntCounter, total: u64) {
    let now = counter.get();
    if total > now {
        counter.inc_by(total - now);
    }
}

impl Collector for Counters {
    fn desc(&self) -> Vec<&Desc> {
        [self.shed.desc(), self.abandoned.desc()].concat()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        catch_up(&self.shed, graft_python::admission::shed_total());
        catch_up(&self.abandoned, graft_python::admission::abandoned_total());
        [self.shed.collect(), self.abandoned.collect()].concat()
    }
}
