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
//!
//! Plain methods are in `plain.rs`, coroutines in `coroutine.rs`.

use std::sync::Arc;

use graft_model::Value;
use pyo3::prelude::*;
use tokio::sync::{mpsc, oneshot};

use crate::answer::Answer;
use crate::call::{Args, Call, Callee, PARTS_AHEAD, Part};
use crate::deadline::Deadline;
use crate::{CallError, Host};

mod coroutine;
mod plain;

pub(crate) use plain::Pace;

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
        set_deadline(&mut call);
        let answer = Answer::new(&call);
        let admitted = match self.refused(&call.callee) {
            Some(err) => Err(err),
            None => crate::admission::enter(),
        };
        let answer = match admitted {
            Ok(slot) => answer.holding(slot),
            Err(err) => return answer.ended_with(Err(err)),
        };
        let entry = &call.callee.entry;
        let ready = matches!(call.args, Args::Checked(_) | Args::Decoded(_));
        let quick = !entry.is_async && !entry.signature.streams && entry.pace.is_quick();
        // A call on an object never runs here: it may be handed over on a
        // connection's read loop (graft_wire::Dispatch), and waits its turn.
        if ready && quick && call.callee.target.is_none() {
            let entry = Arc::clone(&call.callee.entry);
            let outcome = crate::returns::checked(&entry, self.run_inline(call));
            return answer.ended_with(outcome);
        }
        let (tx, rx) = mpsc::channel(PARTS_AHEAD);
        if matches!(call.args, Args::Arriving(_)) {
            let (limit_tx, limit_rx) = oneshot::channel();
            let driver = Arc::clone(self).drive(call, tx, Some(limit_tx));
            return answer
                .driven_by(rx, Box::pin(driver))
                .limited_later(limit_rx);
        }
        let driver = Arc::clone(self).drive(call, tx, None);
        answer.driven_by(rx, Box::pin(driver))
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

    /// Whether a plain method has proven quick and now runs on the calling
    /// worker (`None` for unknown or `async def` methods). For diagnostics and tests.
    pub fn runs_inline(&self, service: &str, method: &str) -> Option<bool> {
        let entry = self.find(service, method).ok()?.entry;
        (!entry.is_async).then(|| entry.pace.is_quick())
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

/// What is left of the call's limit reaches the hosted code
/// (`graft_context.deadline()`); a stream's limit is on each item, not on
/// the call.
fn set_deadline(call: &mut Call) {
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
}
