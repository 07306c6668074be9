//! A method's series in the call metrics, found once per thread and
//! method: a call then counts itself without formatting its name or
//! hashing its labels (about a thousand instructions a call).

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, OnceLock};

use graft_python::Callee;
use prometheus::{Histogram, IntCounter};

use super::Protocol;
use crate::metrics::metrics;

/// One method's name and the series its calls count in most often, each
/// made on its first use (a series shows in `/metrics` once it counted).
pub(super) struct Series {
    /// `Service.method`.
    full: Box<str>,
    /// Where the method's name starts in `full`.
    method: usize,
    /// `graft_calls_started_total`, by protocol ([`Protocol::index`]).
    started: [OnceLock<IntCounter>; Protocol::COUNT],
    /// `graft_calls_handled_total` with outcome `ok`, by protocol.
    ok: [OnceLock<IntCounter>; Protocol::COUNT],
    duration: Histogram,
}

thread_local! {
    /// The series of the methods called on this thread, by [`Callee::key`].
    static FOUND: RefCell<HashMap<usize, Arc<Series>, BuildHasherDefault<ByKey>>> =
        RefCell::default();
}

impl Series {
    /// `callee`'s method's series.
    pub fn of(callee: &Callee) -> Arc<Series> {
        let key = callee.key();
        FOUND.with(|found| {
            let mut found = found.borrow_mut();
            let series = found
                .entry(key)
                .or_insert_with(|| Arc::new(Series::new(callee)));
            Arc::clone(series)
        })
    }

    fn new(callee: &Callee) -> Series {
        let full: Box<str> = callee.name().into();
        let method = full.len() - callee.signature().name.len();
        let service = &full[..method.saturating_sub(1)];
        let duration = metrics()
            .duration
            .with_label_values(&[service, &full[method..]]);
        Series {
            started: Default::default(),
            ok: Default::default(),
            duration,
            method,
            full,
        }
    }

    pub fn service(&self) -> &str {
        &self.full[..self.method.saturating_sub(1)]
    }

    pub fn method(&self) -> &str {
        &self.full[self.method..]
    }

    pub fn started(&self, protocol: Protocol) {
        let labels = [self.service(), self.method(), protocol.label()];
        self.started[protocol.index()]
            .get_or_init(|| metrics().started.with_label_values(&labels))
            .inc();
    }

    /// Counts a call's end: its outcome and how long it took.
    pub fn ended(&self, protocol: Protocol, outcome: &str, seconds: f64) {
        let labels = [self.service(), self.method(), protocol.label(), outcome];
        let handled = || metrics().handled.with_label_values(&labels);
        match outcome {
            "ok" => self.ok[protocol.index()].get_or_init(handled).inc(),
            _ => handled().inc(),
        }
        self.duration.observe(seconds);
    }
}

/// The hasher of [`Callee::key`]s, which are addresses already.
#[derive(Default)]
struct ByKey(u64);

impl Hasher for ByKey {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 << 8) | u64::from(byte);
        }
    }

    fn write_usize(&mut self, key: usize) {
        // Addresses are aligned: their low bits say nothing, so mix them in.
        let mixed = (key as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 = mixed ^ (mixed >> 32);
    }
}
