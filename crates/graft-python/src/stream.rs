//! Streaming methods: each item a hosted generator yields goes to the
//! call's [`Answer`](crate::Answer) as a part as soon as it is produced.
//!
//! The answer holds only a few parts (`PARTS_AHEAD`): when its reader does
//! not take them (its caller is slow, or out of credit), the producer waits,
//! so a stream holds little in the gateway. A plain generator runs on a
//! blocking thread, which waits for room without the GIL; an async
//! generator runs on the host's loop, a few items ahead at most. When the
//! answer is dropped (the caller stopped, the deadline passed, the
//! connection closed), the generator is closed, so its `finally` runs.

use std::sync::Arc;

use graft_model::{BoundArgs, Value};
use pyo3::prelude::*;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;

use crate::arguments::FirstItems;
use crate::call::Part;
use crate::convert::naming_result;
use crate::invoke::{Outcome, PartSender};
use crate::turns::Ticket;
use crate::{CallError, Callee, Host};

/// What a pump hands on: an item, `None` at the generator's end, or what it raised.
type NextOutcome = Result<Option<Value>, CallError>;

impl Host {
    /// Runs a streaming method: its items go to `tx`; the outcome is `None`
    /// at the end, or the exception it raised after the items before it.
    /// On an object, `turn` is held while the method is called (its
    /// generator made), not while the items flow: other calls on the object
    /// may run meanwhile, as in-process.
    pub(crate) async fn stream(
        self: &Arc<Self>,
        callee: Callee,
        args: BoundArgs,
        first: Option<FirstItems>,
        tx: PartSender,
        turn: Option<Ticket>,
    ) -> Outcome {
        if callee.entry.is_async {
            return self.stream_async(&callee, args, first, tx, turn).await;
        }
        let host = Arc::clone(self);
        let pumped = tokio::task::spawn_blocking(move || {
            Python::attach(|py| host.pump(py, &callee, args, first, &tx, turn))
        });
        pumped
            .await
            .map_err(|e| CallError::Internal(e.to_string()))?
    }

    /// Calls a plain streaming method and sends its items, on this blocking
    /// thread; closes its generator however the stream ends.
    fn pump(
        &self,
        py: Python<'_>,
        callee: &Callee,
        args: BoundArgs,
        first: Option<FirstItems>,
        tx: &PartSender,
        turn: Option<Ticket>,
    ) -> Outcome {
        let iterator = self
            .python_arguments(py, &args, first.as_ref())
            .and_then(|(positional, keyword)| {
                let returned = callee.callable(py)?.call(&positional, Some(&keyword))?;
                returned.try_iter()
            })
            .map_err(|err| self.raised_error(py, &err))?;
        drop(turn);
        let outcome = self.pump_items(py, &callee.name(), &iterator, tx);
        let closed = iterator.getattr("close").and_then(|close| close.call0());
        if let Err(err) = closed
            && !err.is_instance_of::<pyo3::exceptions::PyAttributeError>(py)
        {
            tracing::warn!("closing a stream's generator raised: {err}");
        }
        outcome
    }

    fn pump_items(
        &self,
        py: Python<'_>,
        method: &str,
        iterator: &Bound<'_, pyo3::types::PyIterator>,
        tx: &PartSender,
    ) -> Outcome {
        for item in iterator.clone() {
            let value = item
                .and_then(|item| {
                    let value = self.converter.read_value(&item);
                    value.map_err(|err| naming_result(py, method, "yielded", err))
                })
                .map_err(|err| self.raised_error(py, &err))?;
            if !send_blocking(py, tx, Part::Items(Value::List(vec![value]))) {
                return Err(stopped());
            }
        }
        Ok(Value::None)
    }

    /// Runs an async streaming method: its generator runs on the host's
    /// loop (`streams.py`'s `pump`), at most [`AHEAD`] items ahead of what
    /// went to the answer; each item sent gives its room back.
    async fn stream_async(
        self: &Arc<Self>,
        callee: &Callee,
        args: BoundArgs,
        first: Option<FirstItems>,
        tx: PartSender,
        turn: Option<Ticket>,
    ) -> Outcome {
        let (items_tx, mut items) = mpsc::unbounded_channel();
        let pumping = Python::attach(|py| {
            let (positional, keyword) = self.python_arguments(py, &args, first.as_ref())?;
            let agen = callee.callable(py)?.call(positional, Some(&keyword))?;
            let sink = Sink {
                host: Arc::clone(self),
                tx: items_tx,
                method: callee.name(),
            };
            let started = self
                .streams
                .bind(py)
                .call_method1("start", (&agen, sink, AHEAD, self.event_loop.bind(py)))?;
            let (future, room) = started.extract::<(Py<PyAny>, Py<PyAny>)>()?;
            Ok(Pumping {
                host: Arc::clone(self),
                agen: agen.unbind(),
                future,
                room,
            })
        })
        .map_err(|err: PyErr| Python::attach(|py| self.raised_error(py, &err)))?;
        drop(turn);
        loop {
            // The pump gone without an end: it was stopped.
            let mut next = Some(items.recv().await.ok_or_else(stopped)?);
            let mut sent = 0;
            while let Some(Ok(Some(value))) = next {
                let part = Part::Items(Value::List(vec![value]));
                if tx.send(part).await.is_err() {
                    return Err(stopped());
                }
                sent += 1;
                next = items.try_recv().ok();
            }
            pumping.give_room(sent);
            match next {
                None | Some(Ok(Some(_))) => continue,
                Some(Ok(None)) => return Ok(Value::None),
                Some(Err(err)) => return Err(err),
            }
        }
    }
}

/// Items an async generator may be ahead of what went to the answer.
const AHEAD: usize = 16;

/// Sends `part` from a blocking thread, waiting without the GIL while the
/// answer has no room; false if the answer is gone.
pub(crate) fn send_blocking(py: Python<'_>, tx: &PartSender, part: Part) -> bool {
    match tx.try_send(part) {
        Ok(()) => true,
        Err(TrySendError::Full(part)) => py.detach(|| tx.blocking_send(part)).is_ok(),
        Err(TrySendError::Closed(_)) => false,
    }
}

/// The error of a stream whose answer is gone: nobody reads it.
fn stopped() -> CallError {
    CallError::Internal("the stream's caller stopped".into())
}

/// An async generator being pumped; stopped and closed when dropped,
/// however the stream ended (a finished generator closes as a no-op).
struct Pumping {
    host: Arc<Host>,
    agen: Py<PyAny>,
    /// The pump's concurrent future.
    future: Py<PyAny>,
    /// Its room: an asyncio.Semaphore.
    room: Py<PyAny>,
}

impl Pumping {
    fn give_room(&self, n: usize) {
        if n == 0 {
            return;
        }
        Python::attach(|py| {
            let host = &self.host;
            let given = host
                .streams
                .bind(py)
                .call_method1("give_room", (&self.room, n, host.event_loop.bind(py)));
            if let Err(err) = given {
                tracing::warn!("a stream's pump got no room: {err}");
            }
        });
    }
}

impl Drop for Pumping {
    fn drop(&mut self) {
        Python::attach(|py| {
            let host = &self.host;
            let closed = host.streams.bind(py).call_method1(
                "close",
                (&self.agen, &self.future, host.event_loop.bind(py)),
            );
            if let Err(err) = closed {
                tracing::warn!("closing a stream's async generator failed: {err}");
            }
        });
    }
}

/// Where a pump hands each item: converted on the loop's thread, then sent
/// to the stream's task.
#[pyclass]
struct Sink {
    host: Arc<Host>,
    tx: mpsc::UnboundedSender<NextOutcome>,
    /// `Service.method`, for an item that cannot be converted.
    method: String,
}

#[pymethods]
impl Sink {
    /// Converts and sends `item`; false if the pump should stop (the
    /// item could not be converted, or nobody listens any more).
    fn item(&self, py: Python<'_>, item: &Bound<'_, PyAny>) -> bool {
        let value = self.host.converter.read_value(item);
        let value = value.map_err(|err| naming_result(py, &self.method, "yielded", err));
        let converted = value.is_ok();
        let next = value
            .map(Some)
            .map_err(|err| self.host.raised_error(py, &err));
        self.tx.send(next).is_ok() && converted
    }

    fn end(&self) {
        let _ = self.tx.send(Ok(None));
    }

    fn fail(&self, py: Python<'_>, exc: Bound<'_, PyAny>) {
        let err = PyErr::from_value(exc);
        let _ = self.tx.send(Err(self.host.raised_error(py, &err)));
    }
}
