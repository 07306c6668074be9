//! The Python host: CPython embedded in the gateway.
//!
//! [`Host::start`] initialises the interpreter, imports the hosted modules and
//! builds the [`Interface`] from them (discovery is a real Python file,
//! `src/python/discover.py`). [`Host::run`] runs one [`Call`] and answers
//! with an [`Answer`]: zero or more parts (a long list's first items, a
//! stream's items), then a [`Value`](graft_model::Value) or an error.
//!
//! Every use of the GIL in Graft is in this crate; other crates see only
//! [`graft_model`] types.
//!
//! - `call`, `answer`: [`Call`], [`Args`] and [`Part`]: one call; [`Answer`]: its answer.
//! - `arguments`: a call's arguments checked, gathered as they arrive, made Python.
//! - `convert`: [`Value`](graft_model::Value) to and from Python objects.
//! - `keywords`: parameter names as interned Python strings, for keyword arguments.
//! - `invoke`: [`Host::run`]; plain methods on blocking threads (or, once
//!   quick, on the calling worker; `invoke/plain.rs`) and coroutines on the
//!   host's asyncio loop (`invoke/coroutine.rs`).
//! - `stream`: streaming methods (generators and async generators).
//! - `objects`, `object_calls`, `callee`, `turns`: remote objects (instances
//!   of hosted classes living in the gateway), calls of their methods one at
//!   a time in arrival order, their release and their lease.
//! - `interpreter`: CPython started as the interpreter gg was built against.
//! - `error`: [`HostError`] (start-up) and [`CallError`] (one call).
//! - `gc_pause`: the garbage collector held off while arguments are built.
//! - `malloc`: CPython's raw allocator and arenas taken from mimalloc.
//! - `reaper`: a big call's objects freed on a thread of their own, after its answer.
//! - `thread_state`: Python thread states kept for a thread's life, for the
//!   gateway's runtime threads.

pub mod admission;
mod answer;
mod arguments;
mod call;
mod callee;
mod context;
mod convert;
mod deadline;
mod error;
mod fits;
mod gc_pause;
mod interpreter;
mod invoke;
mod keywords;
mod malloc;
mod object_calls;
mod objects;
mod reaper;
mod records;
mod returns;
mod scalars;
mod shared_bytes;
mod start;
mod stream;
mod thread_state;
mod turns;

use std::collections::HashMap;

use rustc_hash::FxBuildHasher;
use std::sync::Arc;

use graft_model::Interface;
use pyo3::prelude::*;
use pyo3::types::PyModule;

pub use answer::Answer;
pub use call::{Args, Arriving, Call, Callee, Part, items_of};
pub use deadline::{Deadline, SetBy};
pub use error::{CallError, HostError};
pub use object_calls::{CONSTRUCTOR, RELEASE};
pub use objects::{DEFAULT_MAX_OBJECTS, DEFAULT_TTL_SECONDS};
pub use thread_state::{keep_thread_state, release_thread_state};

/// The hosted methods by service and method name. Made once at start-up
/// and only read after, so names a caller sends are looked up with a quick
/// hash (no one can grow these maps to make their lookups slow).
type Methods = HashMap<String, HashMap<String, Arc<Entry>, FxBuildHasher>, FxBuildHasher>;

/// The embedded interpreter with the hosted modules loaded.
pub struct Host {
    interface: Interface,
    /// Service name -> method name -> the callable to invoke.
    methods: Methods,
    converter: convert::Converter,
    /// The asyncio loop that runs `async def` methods, on its own thread.
    event_loop: Py<PyAny>,
    run_coroutine_threadsafe: Py<PyAny>,
    format_exception: Py<PyAny>,
    /// `src/python/streams.py`: async generators driven one item at a time.
    streams: Py<PyModule>,
    /// Frees big calls' objects after their answers.
    reaper: reaper::Reaper,
    /// The remote objects living in the gateway.
    objects: Arc<objects::Objects>,
    /// Parameter names as interned Python strings, for keyword arguments.
    keywords: keywords::Keywords,
}

struct Entry {
    service: String,
    /// `Service.method`, as calls are named in messages, metrics and logs.
    name: String,
    /// The method in the interface.
    signature: graft_model::interface::Method,
    callable: Py<PyAny>,
    /// An `async def` method or async generator: it runs on the host's loop.
    is_async: bool,
    /// Where a plain method runs: see `invoke::Pace`.
    pace: invoke::Pace,
    /// The hosted named types, for checking what it returns (`returns.rs`).
    types: Arc<fits::Types>,
}

impl Host {
    /// The interface discovery built from the hosted modules.
    pub fn interface(&self) -> &Interface {
        &self.interface
    }

    /// The Python version string of the embedded interpreter, and its `sys.prefix`.
    pub fn python_info(&self) -> (String, String) {
        Python::attach(|py| {
            let sys = py.import("sys").ok();
            let get = |name: &str| {
                sys.as_ref()
                    .and_then(|s| s.getattr(name).ok())
                    .map(|v| v.to_string())
                    .unwrap_or_default()
            };
            (get("version"), get("prefix"))
        })
    }
}
