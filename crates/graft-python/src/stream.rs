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
//!
//! A plain generator holds a blocking thread for its whole stream, so it
//! counts against `--maxThreadsPerMethod` as a plain call does. Each step of
//! a generator runs with the call's metadata and the deadline of the item
//! it is asked for (`graft_context.deadline()`: the stream's limit on each
//! next item, from when the item is asked for).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

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
        // The bulkhead: a plain generator holds its blocking thread until it
        // ends, so it counts against its method's threads as a plain call does.
        crate::admission::take_thread(&callee.entry.pace.threads, || callee.name().into())?;
        let host = Arc::clone(self);
        let watch = crate::admission::Watch::new();
        let pumped = tokio::task::spawn_blocking(move || {
            let _thread = crate::admission::Thread(&callee.entry.pace.threads);
            Python::attach(|py| host.pump(py, &callee, args, first, &tx, turn))
        });
        let outcome = pumped.await;
        watch.finished();
        outcome.map_err(|e| CallError::Internal(e.to_string()))?
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
                callee.call_plain(py, &positional, &keyword)?.try_iter()
            })
            .map_err(|err| self.raised_error(py, &err))?;
        drop(turn);
        let outcome = self.pump_items(py, callee, &iterator, tx);
        let closed = iterator.getattr("close").and_then(|close| close.call0());
        if let Err(err) = closed
            && !err.is_instance_of::<pyo3::exceptions::PyAttributeError>(py)
        {
            tracing::warn!("closing a stream's generator raised: {err}");
        }
        outcome
    }

    /// Sends each item of a plain generator, each step run with the call's
    /// metadata and that item's deadline (`graft_context.deadline()`).
    fn pump_items(
        &self,
        py: Python<'_>,
        callee: &Callee,
        iterator: &Bound<'_, pyo3::types::PyIterator>,
        tx: &PartSender,
    ) -> Outcome {
        let mut items = iterator.clone();
        for index in 0.. {
            let item = callee.next_item(py, || items.next().transpose());
            let value = match item {
                Ok(None) => break,
                Ok(Some(item)) => (self.converter.read_value(&item))
                    .and_then(|value| {
                        crate::returns::item(&callee.entry, &value, index).map(|()| value)
                    })
                    .map_err(|err| naming_result(py, callee.name(), "yielded", err)),
                Err(err) => Err(err),
            }
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
        let pumping =
            Python::attach(|py| self.start_pump(py, callee, &args, first.as_ref(), items_tx))
                .map_err(|err| Python::attach(|py| self.raised_error(py, &err)))?;
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

    /// Calls an async streaming method and starts pumping its generator
    /// on the host's loop, each item converted there and handed to `sink`;
    /// each step runs with the call's metadata and that item's deadline.
    fn start_pump(
        self: &Arc<Self>,
        py: Python<'_>,
        callee: &Callee,
        args: &BoundArgs,
        first: Option<&FirstItems>,
        sink: mpsc::UnboundedSender<NextOutcome>,
    ) -> PyResult<Pumping> {
        let (positional, keyword) = self.python_arguments(py, args, first)?;
        let agen = callee.call_plain(py, &positional, &keyword)?;
        let sink = Sink {
            host: Arc::clone(self),
            tx: sink,
            method: callee.name().into(),
            entry: Arc::clone(&callee.entry),
            sent: AtomicUsize::new(0),
        };
        let context = (callee.metadata.to_vec(), callee.item_limit);
        let event_loop = self.event_loop.bind(py);
        let started = (self.streams.bind(py))
            .call_method1("start", (&agen, sink, AHEAD, event_loop, context))?;
        let (future, room) = started.extract::<(Py<PyAny>, Py<PyAny>)>()?;
        Ok(Pumping {
            host: Arc::clone(self),
            agen: agen.unbind(),
            future,
            room,
        })
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
    /// The method, whose item type each item is checked against (`returns::item`).
    entry: Arc<crate::Entry>,
    /// The items handed on so far: the next one's index.
    sent: AtomicUsize,
}

#[pymethods]
impl Sink {
    /// Converts and sends `item`; false if the pump should stop (the
    /// item could not be converted, or nobody listens any more).
    fn item(&self, py: Python<'_>, item: &Bound<'_, PyAny>) -> bool {
        let index = self.sent.fetch_add(1, Ordering::Relaxed);
        let value = (self.host.converter.read_value(item))
            .and_then(|value| crate::returns::item(&self.entry, &value, index).map(|()| value));
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
