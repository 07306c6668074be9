//! Remote objects: instances of hosted service classes that live in the
//! gateway between calls, by id.
//!
//! An object enters the table when a method (a constructor, or a factory)
//! returns an instance of a service class with a constructor: the caller
//! gets a reference (`Value::ObjectRef`) and the object is owned by the
//! caller's connection (HTTP's objects by the gateway), which may hold
//! `--maxObjects` of them. It leaves when released, or once idle for
//! `--objectTtl` (a sweeper thread looks every second); its release hook
//! (`close()`, `aclose()`, `__exit__`, `__aexit__`) then runs.

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use graft_model::Value;
use pyo3::prelude::*;
use pyo3::types::{PyModule, PyType};

use crate::turns::Line;

mod table;

use table::Table;

/// The default idle lease (`--objectTtl`), in seconds.
pub const DEFAULT_TTL_SECONDS: u64 = 600;
/// The default number of objects one connection may hold (`--maxObjects`).
pub const DEFAULT_MAX_OBJECTS: usize = 1000;

thread_local! {
    /// Who owns the objects a result made on this thread: see [`as_owner`].
    static OWNER: Cell<u64> = const { Cell::new(0) };
}

/// Runs `f` with the objects it registers owned by `owner` (a connection
/// number; 0 for HTTP's, the gateway's own).
pub(crate) fn as_owner<T>(owner: u64, f: impl FnOnce() -> T) -> T {
    let before = OWNER.replace(owner);
    let out = f();
    OWNER.set(before);
    out
}

/// One remote object.
pub(crate) struct Object {
    pub(crate) id: String,
    pub(crate) service: String,
    pub(crate) instance: Py<PyAny>,
    owner: u64,
    /// Its calls, one at a time in arrival order.
    pub(crate) line: Arc<Line>,
    /// Calls holding it (waiting, running, or streaming its items): it
    /// does not expire while one does.
    users: AtomicUsize,
    last_use: Mutex<Instant>,
}

impl Object {
    /// A call starts holding the object.
    pub(crate) fn enter(&self) {
        self.users.fetch_add(1, Ordering::Relaxed);
        self.touch();
    }

    /// A call stops holding the object.
    pub(crate) fn leave(&self) {
        self.users.fetch_sub(1, Ordering::Relaxed);
        self.touch();
    }

    pub(crate) fn touch(&self) {
        *self.last_use.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
    }

    fn idle_since(&self) -> Instant {
        *self.last_use.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The objects living in the gateway, and what it takes to make and release them.
pub(crate) struct Objects {
    table: Mutex<Table>,
    /// Service classes with a constructor, by the address of the class.
    classes: HashMap<usize, (String, Py<PyType>)>,
    ttl_ms: AtomicU64,
    max: AtomicUsize,
    /// `python/objects.py`.
    helpers: Py<PyModule>,
}

impl Objects {
    pub(crate) fn new(classes: Vec<(String, Bound<'_, PyType>)>, helpers: Py<PyModule>) -> Self {
        let classes = classes
            .into_iter()
            .map(|(name, class)| (class.as_ptr() as usize, (name, class.unbind())))
            .collect();
        Objects {
            table: Mutex::default(),
            classes,
            ttl_ms: AtomicU64::new(DEFAULT_TTL_SECONDS * 1000),
            max: AtomicUsize::new(DEFAULT_MAX_OBJECTS),
            helpers,
        }
    }

    fn table(&self) -> MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn configure(&self, ttl: Duration, max: usize) {
        self.ttl_ms.store(ttl.as_millis() as u64, Ordering::Relaxed);
        self.max.store(max, Ordering::Relaxed);
    }

    pub(crate) fn ttl(&self) -> Duration {
        Duration::from_millis(self.ttl_ms.load(Ordering::Relaxed))
    }

    /// The service whose class `obj` is an instance of, if any: its own
    /// class, else the nearest base that is one (a factory may return a
    /// subclass of the class it declares).
    pub(crate) fn service_of(&self, obj: &Bound<'_, PyAny>) -> Option<&str> {
        if self.classes.is_empty() {
            return None;
        }
        let class = obj.get_type();
        let known = |class: &Bound<'_, PyAny>| self.classes.get(&(class.as_ptr() as usize));
        let found = known(class.as_any()).or_else(|| {
            let mro = class.getattr("__mro__").ok()?;
            let mut bases = mro.try_iter().ok()?;
            bases.find_map(|base| known(&base.ok()?))
        });
        found.map(|(name, _)| name.as_str())
    }

    /// Why `owner` may not make another object, if it may not.
    pub(crate) fn full(&self, owner: u64) -> Option<String> {
        self.table().full(owner, self.max.load(Ordering::Relaxed))
    }

    /// Registers `obj`, an instance of `service`, for the current owner
    /// (one living here already keeps its id); its reference.
    pub(crate) fn register(&self, obj: &Bound<'_, PyAny>, service: &str) -> PyResult<Value> {
        let service = service.to_string();
        let known = self
            .table()
            .by_instance
            .get(&(obj.as_ptr() as usize))
            .cloned();
        if let Some(id) = known {
            return Ok(Value::ObjectRef { service, id });
        }
        let owner = OWNER.get();
        let id: String = self
            .helpers
            .bind(obj.py())
            .call_method0("new_id")?
            .extract()?;
        let object = Arc::new(Object {
            id: id.clone(),
            service: service.clone(),
            instance: obj.clone().unbind(),
            owner,
            line: Arc::default(),
            users: AtomicUsize::new(0),
            last_use: Mutex::new(Instant::now()),
        });
        let mut table = self.table();
        // Checked with the insertion, so callers at once cannot pass the limit.
        if let Some(why) = table.full(owner, self.max.load(Ordering::Relaxed)) {
            return Err(TooManyObjects::new_err(why));
        }
        table.insert(object);
        Ok(Value::ObjectRef { service, id })
    }

    /// The object `id` of `service`, if it lives here.
    pub(crate) fn get(&self, service: &str, id: &str) -> Option<Arc<Object>> {
        let found = self.table().by_id.get(id).cloned();
        found.filter(|o| o.service == service)
    }

    /// The object `id` of `service`, held for a call ([`Object::enter`]) in
    /// the same step as it is found, so its lease cannot run out between.
    pub(crate) fn hold(&self, service: &str, id: &str) -> Option<Arc<Object>> {
        let table = self.table();
        let found = table.by_id.get(id).filter(|o| o.service == service)?;
        found.enter();
        Some(Arc::clone(found))
    }

    /// The Python object a reference names (an argument passed back).
    pub(crate) fn resolve<'py>(
        &self,
        py: Python<'py>,
        service: &str,
        id: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        match self.get(service, id) {
            Some(object) => {
                object.touch();
                Ok(object.instance.bind(py).clone())
            }
            None => Err(pyo3::exceptions::PyLookupError::new_err(format!(
                "{service} object {id} is not on this gateway (released, expired, or made by another)"
            ))),
        }
    }

    /// Takes the object `id` of `service` out of the table.
    pub(crate) fn remove(&self, service: &str, id: &str) -> Option<Arc<Object>> {
        let mut table = self.table();
        if table.by_id.get(id).is_none_or(|o| o.service != service) {
            return None;
        }
        table.take(id)
    }

    /// Takes out the objects idle for longer than the lease, with no call running or waiting.
    pub(crate) fn take_expired(&self) -> Vec<Arc<Object>> {
        let ttl = self.ttl();
        let mut table = self.table();
        let expired: Vec<String> = (table.by_id.values())
            .filter(|o| o.users.load(Ordering::Relaxed) == 0 && o.line.is_idle())
            .filter(|o| o.idle_since().elapsed() > ttl)
            .map(|o| o.id.clone())
            .collect();
        expired.iter().filter_map(|id| table.take(id)).collect()
    }

    /// Takes every object out of the table (the gateway is stopping).
    pub(crate) fn take_all(&self) -> Vec<Arc<Object>> {
        self.table().take_all()
    }

    /// Runs `object`'s release hook, on this thread (a coroutine on `event_loop`).
    pub(crate) fn run_release(
        &self,
        py: Python<'_>,
        object: &Object,
        event_loop: &Py<PyAny>,
    ) -> PyResult<()> {
        let helpers = self.helpers.bind(py);
        let args = (object.instance.bind(py), event_loop.bind(py));
        helpers.call_method1("release", args).map(drop)
    }

    /// How many objects live here now.
    pub(crate) fn len(&self) -> usize {
        self.table().by_id.len()
    }
}

pyo3::create_exception!(
    graft,
    TooManyObjects,
    pyo3::exceptions::PyRuntimeError,
    "A method returned an object past its caller's --maxObjects."
);

/// The message of `err` if it is a factory's object past the caller's
/// `--maxObjects` ([`TooManyObjects`]): the call answers as a constructor
/// past it does (`CallError::TooManyObjects`).
pub(crate) fn too_many(py: Python<'_>, err: &PyErr) -> Option<String> {
    err.is_instance_of::<TooManyObjects>(py)
        .then(|| err.value(py).to_string())
}
