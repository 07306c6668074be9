//! Plain methods: on a blocking thread, or once quick ([`Pace`]) on the
//! calling worker.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use graft_model::{BoundArgs, Value};
use pyo3::prelude::*;

use super::{Outcome, PartSender};
use crate::arguments::FirstItems;
use crate::call::{Callee, Part};
use crate::convert::naming_result;
use crate::objects::as_owner;
use crate::reaper::Leftovers;
use crate::{CallError, Host};

impl Host {
    /// Runs a plain method: on this thread if it has proven quick, else on
    /// a blocking thread, if the method holds fewer than its share of them
    /// (else it is refused as Overloaded). A caller that stops waiting
    /// leaves the thread to finish; the call is counted as abandoned.
    pub(super) async fn call_sync(
        self: &Arc<Self>,
        callee: Callee,
        args: BoundArgs,
        first: Option<FirstItems>,
        ahead: Option<PartSender>,
        turn: Option<crate::turns::Ticket>,
    ) -> Outcome {
        if callee.entry.pace.is_quick() {
            return Python::attach(|py| self.run_paced(py, &callee, args, first, None));
        }
        // The bulkhead: a method that blocks holds only so many threads.
        crate::admission::take_thread(&callee.entry.pace.threads, || callee.name().into())?;
        let host = Arc::clone(self);
        let watch = crate::admission::Watch::new();
        let blocking = tokio::task::spawn_blocking(move || {
            let _turn = turn;
            let _thread = crate::admission::Thread(&callee.entry.pace.threads);
            Python::attach(|py| host.run_paced(py, &callee, args, first, ahead.as_ref()))
        });
        let outcome = blocking.await;
        watch.finished();
        outcome.map_err(|e| CallError::Internal(e.to_string()))?
    }

    /// Runs a plain method and records how long it took, once the GIL is held
    /// (waiting for the GIL says nothing about the method).
    pub(super) fn run_paced(
        &self,
        py: Python<'_>,
        callee: &Callee,
        args: BoundArgs,
        first: Option<FirstItems>,
        ahead: Option<&PartSender>,
    ) -> Outcome {
        let started = Instant::now();
        let outcome = self.run_sync(py, callee, args, first, ahead);
        callee.entry.pace.record(started.elapsed());
        outcome
    }

    /// Runs a plain method; a long returned list's first items go to
    /// `ahead` (only ever given on a blocking thread, where waiting for
    /// room is allowed). A big call's objects and arguments are freed later,
    /// by the reaper (`reaper.rs`).
    fn run_sync(
        &self,
        py: Python<'_>,
        callee: &Callee,
        args: BoundArgs,
        first: Option<FirstItems>,
        ahead: Option<&PartSender>,
    ) -> Outcome {
        // The call may be gone (timed out, its connection closed): then the parts go nowhere.
        let send = |part: Value| {
            if let Some(tx) = ahead {
                crate::stream::send_blocking(py, tx, Part::Items(part));
            }
        };
        let ahead = ahead.is_some().then_some(&send as &dyn Fn(Value));
        let ran =
            self.python_arguments(py, &args, first.as_ref())
                .and_then(|(positional, keyword)| {
                    let result = callee.call_plain(py, &positional, &keyword)?;
                    let value = as_owner(callee.owner, || {
                        self.converter.read_result(&result, ahead, &callee.entry)
                    })
                    .map_err(|err| naming_result(py, callee.name(), "returned", err))?;
                    let objects = vec![
                        positional.into_any().unbind(),
                        keyword.into_any().unbind(),
                        result.unbind(),
                    ];
                    Ok((value, objects))
                });
        match ran {
            Ok((value, objects)) => {
                self.reaper.dispose(py, Leftovers { objects, args }, &value);
                Ok(value)
            }
            Err(err) => Err(self.raised_error(py, &err)),
        }
    }
}

/// How quickly a plain method has run lately, to decide where it runs.
///
/// Counts consecutive runs under [`Pace::QUICK`]; after [`Pace::PROBATION`]
/// of them the method runs on the calling worker. One slow run starts the
/// count again, so a method that blocks goes back to the blocking pool after
/// at most one run on a worker (and the runtime has spare workers for that).
#[derive(Default)]
pub(crate) struct Pace {
    quick_runs: AtomicU32,
    /// Blocking threads running the method now (`crate::admission`).
    pub(crate) threads: AtomicUsize,
}

impl Pace {
    const QUICK: Duration = Duration::from_micros(500);
    const PROBATION: u32 = 32;

    pub(super) fn is_quick(&self) -> bool {
        self.quick_runs.load(Ordering::Relaxed) >= Self::PROBATION
    }

    fn record(&self, took: Duration) {
        if took > Self::QUICK {
            self.quick_runs.store(0, Ordering::Relaxed);
        } else if !self.is_quick() {
            self.quick_runs.fetch_add(1, Ordering::Relaxed);
        }
    }
}
