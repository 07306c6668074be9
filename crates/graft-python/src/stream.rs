//! Streaming methods: each item a hosted generator yields goes to the
//! call's [`Answer`](crate::Answer) as a part as soon as it is produced.
//!
//! The answer holds only a few parts (`PARTS_AHEAD`): when its reader does
//! not take them (its caller is slow, or out of credit), the producer waits,
//! so a stream holds little in the gateway. A plain generator runs on a
//! blocking thread, which waits for room without the GIL; an async
//! generator is asked for each next item on the host's loop. When the
//! answer is dropped (the caller stopped, the deadline passed, the
//! connection closed), the generator is closed, so its `finally` runs.

use std::sync::{Arc, Mutex};

use graft_model::{BoundArgs, Value};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::oneshot;

use crate::arguments::FirstItems;
use crate::call::Part;
use crate::invoke::{Outcome, PartSender};
use crate::{CallError, Entry, Host};

/// What asking an async generator for its next item gives: the item, or
/// `None` at its end.
type NextOutcome = Result<Option<Value>, CallError>;

impl Host {
    /// Runs a streaming method: its items go to `tx`; the outcome is `None`
    /// at the end, or the exception it raised after the items before it.
    pub(crate) async fn stream(
        self: &Arc<Self>,
        entry: Arc<Entry>,
        args: BoundArgs,
        first: Option<FirstItems>,
        tx: PartSender,
    ) -> Outcome {
        if entry.is_async {
            return self.stream_async(&entry, args, first, tx).await;
        }
        let host = Arc::clone(self);
        let pumped = tokio::task::spawn_blocking(move || {
            Python::attach(|py| host.pump(py, &entry, args, first, &tx))
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
        entry: &Entry,
        args: BoundArgs,
        first: Option<FirstItems>,
        tx: &PartSender,
    ) -> Outcome {
        let iterator = self
            .python_arguments(py, &args, first.as_ref())
            .and_then(|(positional, keyword)| {
                let returned = entry.callable.bind(py).call(&positional, Some(&keyword))?;
                returned.try_iter()
            })
            .map_err(|err| self.raised_error(py, &err))?;
        let outcome = self.pump_items(py, &iterator, tx);
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
        iterator: &Bound<'_, pyo3::types::PyIterator>,
        tx: &PartSender,
    ) -> Outcome {
        for item in iterator.clone() {
            let value = item
                .and_then(|item| self.converter.read_value(&item))
                .map_err(|err| self.raised_error(py, &err))?;
            let part = Part::Items(Value::List(vec![value]));
            let sent = match tx.try_send(part) {
                Ok(()) => true,
                Err(TrySendError::Full(part)) => py.detach(|| tx.blocking_send(part)).is_ok(),
                Err(TrySendError::Closed(_)) => false,
            };
            if !sent {
                return Err(stopped());
            }
        }
        Ok(Value::None)
    }

    /// Runs an async streaming method: asks its async generator for one item
    /// at a time on the host's loop, each once the answer has room for it.
    async fn stream_async(
        self: &Arc<Self>,
        entry: &Entry,
        args: BoundArgs,
        first: Option<FirstItems>,
        tx: PartSender,
    ) -> Outcome {
        let agen = Python::attach(|py| {
            let (positional, keyword) = self.python_arguments(py, &args, first.as_ref())?;
            let agen = entry.callable.bind(py).call(positional, Some(&keyword))?;
            Ok(agen.unbind())
        })
        .map_err(|err: PyErr| Python::attach(|py| self.raised_error(py, &err)))?;
        let mut closing = Closing {
            host: Arc::clone(self),
            agen,
            pending: None,
        };
        loop {
            let (next_tx, next_rx) = oneshot::channel();
            closing.pending = Some(Python::attach(|py| closing.ask(py, next_tx))?);
            let next = next_rx.await.map_err(|_| stopped())?;
            closing.pending = None;
            let Some(value) = next? else {
                return Ok(Value::None);
            };
            if tx
                .send(Part::Items(Value::List(vec![value])))
                .await
                .is_err()
            {
                return Err(stopped());
            }
        }
    }
}

/// The error of a stream whose answer is gone: nobody reads it.
fn stopped() -> CallError {
    CallError::Internal("the stream's caller stopped".into())
}

/// An async generator being streamed; closed when dropped, however the
/// stream ended (a finished generator closes as a no-op).
struct Closing {
    host: Arc<Host>,
    agen: Py<PyAny>,
    /// The item asked for and not yet come.
    pending: Option<Py<PyAny>>,
}

impl Closing {
    /// Asks for the next item; it comes through `tx`.
    fn ask(
        &self,
        py: Python<'_>,
        tx: oneshot::Sender<NextOutcome>,
    ) -> Result<Py<PyAny>, CallError> {
        let streams = self.host.streams.bind(py);
        let asked = streams
            .call_method1("next_item", (&self.agen, self.host.event_loop.bind(py)))
            .and_then(|future| {
                let done = NextItem {
                    host: Arc::clone(&self.host),
                    tx: Mutex::new(Some(tx)),
                };
                future.call_method1("add_done_callback", (done,))?;
                Ok(future.unbind())
            });
        asked.map_err(|err| self.host.raised_error(py, &err))
    }
}

impl Drop for Closing {
    fn drop(&mut self) {
        Python::attach(|py| {
            let host = &self.host;
            let pending = self.pending.take();
            let closed = host
                .streams
                .bind(py)
                .call_method1("close", (&self.agen, pending, host.event_loop.bind(py)));
            if let Err(err) = closed {
                tracing::warn!("closing a stream's async generator failed: {err}");
            }
        });
    }
}

/// The done-callback of one next item: `(True, item)`, or `(False, None)` at the end.
#[pyclass]
struct NextItem {
    host: Arc<Host>,
    tx: Mutex<Option<oneshot::Sender<NextOutcome>>>,
}

#[pymethods]
impl NextItem {
    fn __call__(&self, py: Python<'_>, future: &Bound<'_, PyAny>) {
        if future
            .call_method0("cancelled")
            .is_ok_and(|c| c.is_truthy().unwrap_or(false))
        {
            return;
        }
        let next = future
            .call_method0("result")
            .and_then(|r| {
                let (more, item) = r
                    .cast_into::<PyTuple>()?
                    .extract::<(bool, Bound<'_, PyAny>)>()?;
                more.then(|| self.host.converter.read_value(&item))
                    .transpose()
            })
            .map_err(|err| self.host.raised_error(py, &err));
        if let Some(tx) = self.tx.lock().ok().and_then(|mut tx| tx.take()) {
            // The stream may be gone: nothing to do then.
            let _ = tx.send(next);
        }
    }
}
