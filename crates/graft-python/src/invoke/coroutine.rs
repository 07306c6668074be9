//! `async def` methods: scheduled on the host's asyncio loop, their
//! outcome converted there by a done-callback.

use std::sync::{Arc, Mutex};

use graft_model::BoundArgs;
use pyo3::prelude::*;
use tokio::sync::oneshot;

use super::Outcome;
use crate::arguments::FirstItems;
use crate::call::Callee;
use crate::convert::naming_result;
use crate::objects::as_owner;
use crate::{CallError, Host};

impl Host {
    /// Runs an `async def` method on the host's loop; cancelled if the answer is dropped.
    pub(super) async fn call_async(
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
                method: callee.name().into(),
            };
            future.call_method1("add_done_callback", (done,))?;
            Ok::<_, PyErr>(future.unbind())
        })();
        scheduled
            .map(|future| Pending(Some(future)))
            .map_err(|err| self.raised_error(py, &err))
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
