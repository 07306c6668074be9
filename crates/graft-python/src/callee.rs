//! [`Callee`]: what one call calls, a hosted method or a method of one
//! remote object (with the call's turn among that object's calls).

use std::sync::{Arc, Mutex};

use graft_model::interface::Method;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::Entry;
use crate::objects::Object;
use crate::turns::Ticket;

/// A method found by [`Host::lookup`](crate::Host::lookup) (or, on an
/// object, [`Host::lookup_object`](crate::Host::lookup_object)): what a call calls.
#[derive(Clone)]
pub struct Callee {
    pub(crate) entry: Arc<Entry>,
    /// The object a method of an object is called on, with its call's turn.
    pub(crate) target: Option<Arc<Target>>,
    /// Who owns the objects the call makes: a connection's number, 0 for HTTP.
    pub(crate) owner: u64,
    /// The call's metadata, which the hosted code reads (`graft_context`).
    pub(crate) metadata: Arc<[(String, String)]>,
    /// When the call must end, on Python's `time.monotonic()` clock
    /// (`graft_context.deadline()`); `None`: no limit.
    pub(crate) deadline: Option<f64>,
    /// A stream's limit on each next item, in seconds: the deadline its
    /// generator sees is this long from when it is asked for an item.
    pub(crate) item_limit: Option<f64>,
}

/// The object of one call, and that call's place among the object's calls.
pub(crate) struct Target {
    pub(crate) object: Arc<Object>,
    turn: Mutex<Option<Ticket>>,
}

impl Target {
    /// A call's target: `object`, held for it already (`Objects::hold`).
    pub(crate) fn new(object: Arc<Object>) -> Target {
        let ticket = object.line.ticket();
        Target {
            object,
            turn: Mutex::new(Some(ticket)),
        }
    }
}

impl Target {
    /// The turn, taken out (once).
    pub(crate) fn take_turn(&self) -> Option<Ticket> {
        self.turn.lock().ok()?.take()
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        self.object.leave();
    }
}

impl Callee {
    pub(crate) fn new(entry: Arc<Entry>) -> Callee {
        Callee {
            entry,
            target: None,
            owner: 0,
            metadata: Arc::new([]),
            deadline: None,
            item_limit: None,
        }
    }

    /// The method's signature in the interface.
    pub fn signature(&self) -> &Method {
        &self.entry.signature
    }

    /// `Service.method`, for messages.
    pub fn name(&self) -> &str {
        &self.entry.name
    }

    /// A number that stands for the method alone, the same for all its
    /// calls for the host's life (methods are made once, at start-up):
    /// what a caller keeps per method is found by it without hashing names.
    pub fn key(&self) -> usize {
        Arc::as_ptr(&self.entry) as usize
    }

    /// The same callee for a caller whose new objects `owner` holds (a
    /// TCP connection's number; HTTP's are 0, the gateway's).
    pub fn owned_by(mut self, owner: u64) -> Callee {
        self.owner = owner;
        self
    }

    /// The call's turn on its object, taken out (once): held while it runs.
    pub(crate) fn take_turn(&self) -> Option<Ticket> {
        self.target.as_ref()?.take_turn()
    }

    /// What to call for a coroutine or generator: the object's bound
    /// method, or the hosted callable, bound to the call's metadata and deadline.
    pub(crate) fn callable<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::context::bound(py, self.unbound(py)?, &self.metadata, self.deadline)
    }

    /// Calls a plain method with the call's metadata and deadline set around it.
    pub(crate) fn call_plain<'py>(
        &self,
        py: Python<'py>,
        positional: &Bound<'py, PyTuple>,
        keyword: &Bound<'py, PyDict>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let callable = self.unbound(py)?;
        crate::context::call(
            py,
            &callable,
            &self.metadata,
            self.deadline,
            positional,
            keyword,
        )
    }

    /// Runs `step` (a generator's next item) with the call's metadata and
    /// the item's deadline, [`Callee::item_limit`] from now, set around it.
    pub(crate) fn next_item<'py, T>(
        &self,
        py: Python<'py>,
        step: impl FnOnce() -> PyResult<T>,
    ) -> PyResult<T> {
        let at = self
            .item_limit
            .and_then(|limit| Some(crate::context::monotonic()? + limit));
        crate::context::within(py, &self.metadata, at, step)
    }

    /// The object's bound method, or the hosted callable.
    pub(crate) fn unbound<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(match &self.target {
            Some(target) => {
                let instance = target.object.instance.bind(py);
                instance.getattr(self.entry.signature.name.as_str())?
            }
            None => self.entry.callable.bind(py).clone(),
        })
    }
}
