//! Invoking hosted methods.
//!
//! A plain method runs on one of tokio's blocking threads while it holds the
//! GIL, so a slow or blocking method never stalls the gateway's async
//! workers; once it has proven quick ([`Pace`]), it runs on the calling
//! worker instead, which saves two thread hand-offs per call. An `async def`
//! method is scheduled on the host's asyncio loop from the calling worker
//! (creating a coroutine runs none of its body); a done-callback converts its
//! result there and sends it back through a oneshot channel, so no thread
//! waits for a coroutine.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use graft_model::{BoundArgs, Raised, Value};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use tokio::sync::oneshot;

use crate::gc_pause::GcPause;
use crate::reaper::Leftovers;
use crate::{CallError, Entry, Host};

type Outcome = Result<Value, CallError>;

/// Where a call's long returned list goes ahead in parts: see [`Host::call_in_parts`].
pub type Parts = tokio::sync::mpsc::UnboundedSender<Value>;

/// The instances of an argument's first items built so far, while the
/// rest of it comes: see [`Host::call_streamed`].
pub struct FirstItems {
    /// A keyword argument's name, or empty for the first positional one.
    argument: String,
    built: Py<PyList>,
}

impl FirstItems {
    /// None built yet, for the keyword argument `argument` (empty: the first positional one).
    pub fn new(argument: &str) -> FirstItems {
        let built = Python::attach(|py| PyList::empty(py).unbind());
        FirstItems {
            argument: argument.to_string(),
            built,
        }
    }
}

/// What a call over the wire brings besides its arguments: an argument's
/// first items built as they came, and where a long result goes ahead.
#[derive(Default)]
struct Streams {
    first: Option<FirstItems>,
    parts: Option<Parts>,
}

impl Host {
    /// Calls `service.method` with `args` (already checked against the interface).
    pub async fn call(self: &Arc<Self>, service: &str, method: &str, args: BoundArgs) -> Outcome {
        self.call_in_parts(service, method, args, None).await
    }

    /// [`Host::call`], sending a long returned list's first items through
    /// `parts` while the rest is read (`Converter::read_result`); the
    /// outcome is then the last part. Only plain methods send parts.
    pub async fn call_in_parts(
        self: &Arc<Self>,
        service: &str,
        method: &str,
        args: BoundArgs,
        parts: Option<Parts>,
    ) -> Outcome {
        self.call_with(service, method, args, Streams { first: None, parts })
            .await
    }

    /// [`Host::call_in_parts`] of a call one of whose arguments came
    /// partly ahead: `first` holds the instances of its first items, built
    /// as they came ([`Host::extend`]), and that argument in `args` the
    /// last items, which are appended to them.
    pub async fn call_streamed(
        self: &Arc<Self>,
        service: &str,
        method: &str,
        args: BoundArgs,
        first: FirstItems,
        parts: Option<Parts>,
    ) -> Outcome {
        let streams = Streams {
            first: Some(first),
            parts,
        };
        self.call_with(service, method, args, streams).await
    }

    /// Builds the instances of `items` (a list or table, already checked)
    /// and appends them to `first`, on a blocking thread.
    pub async fn extend(
        self: &Arc<Self>,
        first: &FirstItems,
        items: Value,
    ) -> Result<(), CallError> {
        let host = Arc::clone(self);
        let list = Python::attach(|py| first.built.clone_ref(py));
        let built = tokio::task::spawn_blocking(move || {
            Python::attach(|py| {
                let _pause = GcPause::new(py);
                let items = host.converter.to_python(py, &items)?;
                list.bind(py).call_method1("extend", (items,)).map(drop)
            })
        });
        match built.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(err)) => Err(Python::attach(|py| {
                CallError::Raised(Box::new(self.raised(py, &err)))
            })),
            Err(err) => Err(CallError::Internal(err.to_string())),
        }
    }

    async fn call_with(
        self: &Arc<Self>,
        service: &str,
        method: &str,
        args: BoundArgs,
        streams: Streams,
    ) -> Outcome {
        let entry = self.entry(service, method)?;
        if !entry.is_async {
            return self.call_sync(entry, args, streams).await;
        }
        let (tx, rx) = oneshot::channel();
        let first = streams.first.as_ref();
        let pending = Python::attach(|py| self.start_async(py, &entry, &args, first, tx))?;
        let outcome = rx
            .await
            .map_err(|_| CallError::Internal("the coroutine was dropped".into()));
        pending.done();
        outcome?
    }

    /// Runs a plain method: on this thread if it has proven quick, else on a blocking thread.
    async fn call_sync(
        self: &Arc<Self>,
        entry: Arc<Entry>,
        args: BoundArgs,
        streams: Streams,
    ) -> Outcome {
        if entry.pace.is_quick() {
            return Python::attach(|py| self.run_paced(py, &entry, args, streams));
        }
        let host = Arc::clone(self);
        let blocking = tokio::task::spawn_blocking(move || {
            Python::attach(|py| host.run_paced(py, &entry, args, streams))
        });
        blocking
            .await
            .map_err(|e| CallError::Internal(e.to_string()))?
    }

    /// Runs a plain method and records how long it took, once the GIL is held
    /// (waiting for the GIL says nothing about the method).
    fn run_paced(
        &self,
        py: Python<'_>,
        entry: &Entry,
        args: BoundArgs,
        streams: Streams,
    ) -> Outcome {
        let started = Instant::now();
        let outcome = self.run_sync(py, entry, args, streams);
        entry.pace.record(started.elapsed());
        outcome
    }

    /// Whether a plain method has proven quick and now runs on the calling
    /// worker (`None` for unknown or `async def` methods). For diagnostics and tests.
    pub fn runs_inline(&self, service: &str, method: &str) -> Option<bool> {
        let entry = self.entry(service, method).ok()?;
        (!entry.is_async).then(|| entry.pace.is_quick())
    }

    fn entry(&self, service: &str, method: &str) -> Result<Arc<Entry>, CallError> {
        let methods = self
            .methods
            .get(service)
            .ok_or_else(|| CallError::NoService(service.into()))?;
        let entry = methods.get(method).ok_or_else(|| CallError::NoMethod {
            service: service.into(),
            method: method.into(),
        })?;
        Ok(Arc::clone(entry))
    }

    /// The Python arguments; with `first`, its argument's instances are
    /// appended to those built already, and it is that list.
    fn arguments<'py>(
        &self,
        py: Python<'py>,
        args: &BoundArgs,
        first: Option<&FirstItems>,
    ) -> PyResult<(Bound<'py, PyTuple>, Bound<'py, PyDict>)> {
        let _pause = GcPause::new(py);
        let joined = |last: Bound<'py, PyAny>, first: &FirstItems| {
            let list = first.built.bind(py);
            list.call_method1("extend", (last,))?;
            Ok::<_, PyErr>(list.clone().into_any())
        };
        let mut positional = args
            .positional
            .iter()
            .map(|v| self.converter.to_python(py, v))
            .collect::<PyResult<Vec<_>>>()?;
        if let (Some(first), Some(last)) = (
            first.filter(|f| f.argument.is_empty()),
            positional.first_mut(),
        ) {
            *last = joined(last.clone(), first)?;
        }
        let keyword = PyDict::new(py);
        for (name, value) in &args.keyword {
            let mut value = self.converter.to_python(py, value)?;
            if let Some(first) = first.filter(|f| f.argument == *name) {
                value = joined(value, first)?;
            }
            keyword.set_item(name, value)?;
        }
        Ok((PyTuple::new(py, positional)?, keyword))
    }

    /// Runs a plain method; a big call's objects and arguments are freed
    /// later, by the reaper (`reaper.rs`).
    fn run_sync(
        &self,
        py: Python<'_>,
        entry: &Entry,
        args: BoundArgs,
        Streams { first, parts }: Streams,
    ) -> Outcome {
        // The call may be gone (timed out, its connection closed): then the parts go nowhere.
        let send = |part: Value| drop(parts.as_ref().map(|tx| tx.send(part)));
        let ahead = parts.is_some().then_some(&send as &dyn Fn(Value));
        let ran = self
            .arguments(py, &args, first.as_ref())
            .and_then(|(positional, keyword)| {
                let result = entry.callable.bind(py).call(&positional, Some(&keyword))?;
                let value = self.converter.read_result(&result, ahead)?;
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
            Err(err) => Err(CallError::Raised(Box::new(self.raised(py, &err)))),
        }
    }

    fn start_async(
        self: &Arc<Self>,
        py: Python<'_>,
        entry: &Entry,
        args: &BoundArgs,
        first: Option<&FirstItems>,
        tx: oneshot::Sender<Outcome>,
    ) -> Result<Pending, CallError> {
        let scheduled = (|| {
            let (positional, keyword) = self.arguments(py, args, first)?;
            let coroutine = entry.callable.bind(py).call(positional, Some(&keyword))?;
            let future = self
                .run_coroutine_threadsafe
                .bind(py)
                .call1((coroutine, self.event_loop.bind(py)))?;
            let done = Done {
                host: Arc::clone(self),
                tx: Mutex::new(Some(tx)),
            };
            future.call_method1("add_done_callback", (done,))?;
            Ok::<_, PyErr>(future.unbind())
        })();
        scheduled
            .map(|future| Pending(Some(future)))
            .map_err(|err| CallError::Raised(Box::new(self.raised(py, &err))))
    }

    /// Describes a Python exception for the caller.
    pub(crate) fn raised(&self, py: Python<'_>, err: &PyErr) -> Raised {
        let exc = err.value(py);
        let class = exc.get_type();
        let text = |r: PyResult<Bound<'_, PyAny>>| r.map(|v| v.to_string()).unwrap_or_default();
        let args = exc
            .getattr("args")
            .and_then(|a| {
                a.try_iter()?
                    .map(|v| self.converter.read_value(&v?))
                    .collect::<PyResult<Vec<_>>>()
            })
            .unwrap_or_default();
        let fields = exc
            .getattr("__dict__")
            .ok()
            .and_then(|d| d.cast_into::<PyDict>().ok())
            .map(|d| {
                d.iter()
                    .filter_map(|(k, v)| {
                        let name = k.extract::<String>().ok().filter(|n| !n.starts_with('_'))?;
                        Some((name, self.converter.read_value(&v).ok()?))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let traceback = self
            .format_exception
            .bind(py)
            .call1((&class, exc, err.traceback(py)))
            .and_then(|lines| lines.extract::<Vec<String>>())
            .map(|lines| lines.concat())
            .unwrap_or_default();
        Raised {
            type_name: text(class.getattr("__name__")),
            module: text(class.getattr("__module__")),
            message: exc.str().map(|s| s.to_string()).unwrap_or_default(),
            args,
            fields,
            traceback,
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
}

#[pymethods]
impl Done {
    fn __call__(&self, py: Python<'_>, future: &Bound<'_, PyAny>) {
        let outcome = future
            .call_method0("result")
            .and_then(|r| self.host.converter.read_value(&r))
            .map_err(|err| CallError::Raised(Box::new(self.host.raised(py, &err))));
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
