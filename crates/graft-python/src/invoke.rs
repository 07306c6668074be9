//! Running one [`Call`]: [`Host::run`], the host's one entry point.
//!
//! A plain method runs on one of tokio's blocking threads while it holds the
//! GIL, so a slow or blocking method never stalls the gateway's async
//! workers; once it has proven quick ([`Pace`]), it runs on the calling
//! worker instead, which saves two thread hand-offs per call. An `async def`
//! method is scheduled on the host's asyncio loop from the calling worker
//! (creating a coroutine runs none of its body); a done-callback converts its
//! result there and sends it back through a oneshot channel, so no thread
//! waits for a coroutine. A streaming method is driven by `stream.rs`.

use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use graft_model::{BoundArgs, Value};
use pyo3::prelude::*;
use tokio::sync::{mpsc, oneshot};

use crate::arguments::FirstItems;
use crate::call::{Answer, Args, Call, Callee, PARTS_AHEAD, Part};
use crate::convert::naming_result;
use crate::deadline::Deadline;
use crate::objects::as_owner;
use crate::reaper::Leftovers;
use crate::{CallError, Host};

pub(crate) type Outcome = Result<Value, CallError>;
/// Where a call's parts go, for its [`Answer`].
pub(crate) type PartSender = mpsc::Sender<Part>;

impl Host {
    /// The hosted method `service.method`, or which of the two is missing
    /// (an object's method too: see [`Host::lookup`]).
    pub(crate) fn find(&self, service: &str, method: &str) -> Result<Callee, CallError> {
        let methods = self
            .methods
            .get(service)
            .ok_or_else(|| CallError::NoService(service.into()))?;
        let entry = methods.get(method).ok_or_else(|| CallError::NoMethod {
            service: service.into(),
            method: method.into(),
        })?;
        if let Some(reason) = &entry.signature.unavailable {
            return Err(CallError::Unavailable {
                service: service.into(),
                method: method.into(),
                reason: reason.clone(),
            });
        }
        Ok(Callee::new(Arc::clone(entry)))
    }

    /// Runs `call`; its answer is read from the [`Answer`] as it comes.
    pub fn run(self: &Arc<Self>, mut call: Call) -> Answer {
        if !call.metadata.is_empty() {
            call.callee.metadata = std::mem::take(&mut call.metadata).into();
        }
        // What is left of it reaches the hosted code (`graft_context.deadline()`);
        // a stream's limit is on each item, not on the call.
        match call.deadline {
            Some(limit) if call.callee.signature().streams => {
                call.callee.item_limit = Some(limit.as_secs_f64());
            }
            Some(limit) => {
                let now = crate::context::monotonic();
                call.callee.deadline = now.map(|now| now + limit.as_secs_f64());
            }
            None => {}
        }
        let (tx, rx) = mpsc::channel(PARTS_AHEAD);
        let answer = Answer::new(&call, rx);
        let admitted = match self.refused(&call.callee) {
            Some(err) => Err(err),
            None => crate::admission::enter(),
        };
        let answer = match admitted {
            Ok(slot) => answer.holding(slot),
            Err(err) => {
                let _ = tx.try_send(Part::Done(Err(err)));
                return answer;
            }
        };
        let entry = &call.callee.entry;
        let ready = matches!(call.args, Args::Checked(_) | Args::Decoded(_));
        let quick = !entry.is_async && !entry.signature.streams && entry.pace.is_quick();
        // A call on an object never runs here: it may be handed over on a
        // connection's read loop (graft_wire::Dispatch), and waits its turn.
        if ready && quick && call.callee.target.is_none() {
            let entry = Arc::clone(&call.callee.entry);
            let outcome = crate::returns::checked(&entry, self.run_inline(call));
            // The channel is new and has room: this never fails.
            let _ = tx.try_send(Part::Done(outcome));
            return answer;
        }
        if matches!(call.args, Args::Arriving(_)) {
            let (limit_tx, limit_rx) = oneshot::channel();
            let driver = Arc::clone(self).drive(call, tx, Some(limit_tx));
            return answer.driven_by(Box::pin(driver)).limited_later(limit_rx);
        }
        let driver = Arc::clone(self).drive(call, tx, None);
        answer.driven_by(Box::pin(driver))
    }

    /// Runs a quick plain method on the calling worker.
    fn run_inline(&self, call: Call) -> Outcome {
        let args = match call.args {
            Args::Checked(args) => args,
            Args::Decoded(args) => self.check(&call.callee, args)?,
            Args::Arriving(_) => unreachable!("only ready arguments run inline"),
        };
        Python::attach(|py| self.run_paced(py, &call.callee, args, None, None))
    }

    /// Produces `call`'s answer into `tx`; `limit` learns the deadline of a
    /// call whose last arguments come later.
    async fn drive(
        self: Arc<Self>,
        call: Call,
        tx: PartSender,
        limit: Option<oneshot::Sender<Option<Deadline>>>,
    ) {
        let entry = Arc::clone(&call.callee.entry);
        let outcome = crate::returns::checked(&entry, self.outcome(call, &tx, limit).await);
        // The answer may be gone (a timeout, a closed connection).
        let _ = tx.send(Part::Done(outcome)).await;
    }

    async fn outcome(
        self: &Arc<Self>,
        call: Call,
        tx: &PartSender,
        limit: Option<oneshot::Sender<Option<Deadline>>>,
    ) -> Outcome {
        let Call {
            callee,
            args,
            in_parts,
            ..
        } = call;
        let (args, first) = self.arguments_of(&callee, args, limit).await?;
        let turn = callee.take_turn();
        if let Some(turn) = &turn {
            turn.wait().await;
        }
        if callee.entry.signature.streams {
            return self.stream(callee, args, first, tx.clone(), turn).await;
        }
        if callee.entry.is_async {
            return self.call_async(&callee, args, first).await;
        }
        let ahead = in_parts.then(|| tx.clone());
        // The turn goes with the method: a caller that stops waiting (a
        // timeout) does not let the object's next call start while it runs.
        self.call_sync(callee, args, first, ahead, turn).await
    }

    /// Runs a plain method: on this thread if it has proven quick, else on
    /// a blocking thread, if the method holds fewer than its share of them
    /// (else it is refused as Overloaded). A caller that stops waiting
    /// leaves the thread to finish; the call is counted as abandoned.
    async fn call_sync(
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
        crate::admission::take_thread(&callee.entry.pace.threads, || callee.name())?;
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
    fn run_paced(
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

    /// Whether a plain method has proven quick and now runs on the calling
    /// worker (`None` for unknown or `async def` methods). For diagnostics and tests.
    pub fn runs_inline(&self, service: &str, method: &str) -> Option<bool> {
        let entry = self.find(service, method).ok()?.entry;
        (!entry.is_async).then(|| entry.pace.is_quick())
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
                    .map_err(|err| naming_result(py, &callee.name(), "returned", err))?;
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

    /// Runs an `async def` method on the host's loop; cancelled if the answer is dropped.
    async fn call_async(
        self: &Arc<Self>,
        callee: &Callee,
        args: BoundArgs,
        first: Option<FirstItems>,
    ) -> Outcome {
        let (tx, rx) = oneshot::channel();
        let pending = Python::attach(|py| self.start_async(py, callee, &args, first.as_ref(), tx))?;
        let outcome = rx
            .await
            .map_err(|_| CallError::Internal("the coroutine was dropped".into()));
        pending.done();
        outcome?
    }

    fn start_async(
        self: &Arc<Self>,
        py: Python<'_>,
        callee: &Callee,
        args: &BoundArgs,
        first: Option<&FirstItems>,
        tx: oneshot::Sender<Outcome>,
    ) -> Result<Pending, CallError> {
        let scheduled = (|| {
            let (positional, keyword) = self.python_arguments(py, args, first)?;
            let coroutine = callee.callable(py)?.call(positional, Some(&keyword))?;
            let future = self
                .run_coroutine_threadsafe
                .bind(py)
                .call1((coroutine, self.event_loop.bind(py)))?;
            let done = Done {
                host: Arc::clone(self),
                tx: Mutex::new(Some(tx)),
                owner: callee.owner,
                method: callee.name(),
            };
            future.call_method1("add_done_callback", (done,))?;
            Ok::<_, PyErr>(future.unbind())
        })();
        scheduled
            .map(|future| Pending(Some(future)))
            .map_err(|err| self.raised_error(py, &err))
    }

    /// A Python exception, as the caller's error.
    pub(crate) fn raised_error(&self, py: Python<'_>, err: &PyErr) -> CallError {
        if let Some(message) = crate::records::invalid_argument(py, err) {
            return CallError::BadArguments(message);
        }
        if let Some(message) = crate::objects::too_many(py, err) {
            return CallError::TooManyObjects(message);
        }
        CallError::Raised(Box::new(self.raised(py, err)))
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

    fn is_quick(&self) -> bool {
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

/// The done-callback of one coroutine: converts its outcome on the loop thread.
#[pyclass]
struct Done {
    host: Arc<Host>,
    tx: Mutex<Option<oneshot::Sender<Outcome>>>,
    /// Who owns an object the coroutine returns.
    owner: u64,
    /// `Service.method`, for an error converting its result.
    method: String,
}

#[pymethods]
impl Done {
    fn __call__(&self, py: Python<'_>, future: &Bound<'_, PyAny>) {
        let outcome = future
            .call_method0("result")
            .and_then(|r| {
                as_owner(self.owner, || self.host.converter.read_value(&r))
                    .map_err(|err| naming_result(py, &self.method, "returned", err))
            })
            .map_err(|err| self.host.raised_error(py, &err));
        if let Some(tx) = self.tx.lock().ok().and_then(|mut tx| tx.take()) {
            // The caller may have gone (a timeout, a closed connection): nothing to do then.
            let _ = tx.send(outcome);
        }
    }
}

/// A scheduled coroutine; cancelled if the caller stops waiting for it.
struct Pending(Option<Py<PyAny>>);

impl Pending {
    fn done(mut self) {
        self.0 = None;
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(future) = self.0.take() {
            Python::attach(|py| {
                let _ = future.bind(py).call_method0("cancel");
            });
        }
    }
}
