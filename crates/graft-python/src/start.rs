//! Start-up: interpreter set-up, discovery, and the event loop thread.

use std::collections::HashMap;
use std::ffi::{CStr, CString};
use std::path::PathBuf;
use std::sync::Arc;

use graft_model::{Allow, Interface, Method, MethodKind, Service, TypeRef};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyModule, PyType};

use crate::convert::Converter;
use crate::fits::Types;
use crate::object_calls::CONSTRUCTOR;
use crate::objects::Objects;
use crate::{Entry, Host, HostError};

const RECORDS: &str = include_str!("python/records.py");
const HINTS: &str = include_str!("python/hints.py");
const DEFAULTS: &str = include_str!("python/defaults.py");
const TYPES: &str = include_str!("python/types.py");
const SERVICES: &str = include_str!("python/services.py");
const DISCOVER: &str = include_str!("python/discover.py");
const STREAMS: &str = include_str!("python/streams.py");
const OBJECTS: &str = include_str!("python/objects.py");

impl Host {
    /// Starts CPython, imports the modules at `paths` and discovers their services.
    pub fn start(paths: &[PathBuf]) -> Result<Arc<Host>, HostError> {
        Host::start_allowing(paths, &Allow::default())
    }

    /// [`Host::start`], hosting only the services and methods `allow`
    /// names (`gg --types`, `--methods`): the rest is taken out of the
    /// interface before anything reads it, so no surface can call or show it.
    pub fn start_allowing(paths: &[PathBuf], allow: &Allow) -> Result<Arc<Host>, HostError> {
        crate::malloc::without_huge_pages();
        crate::malloc::use_mimalloc();
        crate::interpreter::initialize()?;
        let host = Python::attach(|py| load(py, paths, allow))?;
        let host = Arc::new(host);
        crate::object_calls::start_sweeper(&host)
            .map_err(|e| HostError::Python(format!("cannot start the objects' sweeper: {e}")))?;
        let event_loop = Python::attach(|py| host.event_loop.clone_ref(py));
        std::thread::Builder::new()
            .name("graft-asyncio".into())
            .spawn(move || {
                Python::attach(|py| {
                    if let Err(err) = event_loop.bind(py).call_method0("run_forever") {
                        tracing::error!("the asyncio event loop stopped: {err}");
                    }
                })
            })
            .map_err(|e| HostError::Python(format!("cannot start the event loop thread: {e}")))?;
        Ok(host)
    }
}

fn load(py: Python<'_>, paths: &[PathBuf], allow: &Allow) -> Result<Host, HostError> {
    let python = |e: PyErr| HostError::Python(e.to_string());
    let Discovered {
        interface,
        callables,
        classes,
    } = discover(py, paths, allow)?;
    let methods = entries(&interface, &callables).map_err(python)?;
    let asyncio = py.import("asyncio").map_err(python)?;
    let streams = embedded(py, STREAMS, c"graft/streams.py", c"_graft_streams")?;
    let helpers = embedded(py, OBJECTS, c"graft/objects.py", c"_graft_objects")?;
    let objects = Arc::new(Objects::new(
        object_classes(&interface, &callables)?,
        helpers.unbind(),
    ));
    Ok(Host {
        keywords: crate::keywords::Keywords::of(py, &interface),
        streams: streams.unbind(),
        interface,
        methods,
        converter: Converter::new(py, classes, Arc::clone(&objects)).map_err(python)?,
        objects,
        event_loop: asyncio
            .call_method0("new_event_loop")
            .map_err(python)?
            .unbind(),
        run_coroutine_threadsafe: asyncio
            .getattr("run_coroutine_threadsafe")
            .map_err(python)?
            .unbind(),
        format_exception: py
            .import("traceback")?
            .getattr("format_exception")
            .map_err(python)?
            .unbind(),
        reaper: crate::reaper::Reaper::start()
            .map_err(|e| HostError::Python(format!("cannot start the reaper thread: {e}")))?,
    })
}

/// What discovery hands the host.
struct Discovered<'py> {
    /// The interface, less what `--types` and `--methods` leave out.
    interface: Interface,
    /// Service name -> method name -> the callable (`__init__`: the class).
    callables: Bound<'py, PyDict>,
    /// The hosted named types by name, for the converter to rebuild them.
    classes: Bound<'py, PyDict>,
}

/// Runs discovery (`discover.py`) over the modules at `paths`, after
/// preparing the interpreter (`prepare`), and applies `allow`.
fn discover<'py>(
    py: Python<'py>,
    paths: &[PathBuf],
    allow: &Allow,
) -> Result<Discovered<'py>, HostError> {
    let python = |e: PyErr| HostError::Python(e.to_string());
    let module = discovery_module(py)?;
    module.getattr("prepare")?.call1(("gg",)).map_err(python)?;
    let paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let found = module
        .getattr("discover")?
        .call1((paths,))
        .map_err(|e| discovery_error(py, &module, e))?;
    let (json, callables, classes): (String, Bound<'_, PyDict>, Bound<'_, PyDict>) =
        found.extract().map_err(python)?;
    let mut interface: Interface = serde_json::from_str(&json).map_err(|e| {
        HostError::Python(format!(
            "discovery produced an interface Graft cannot read: {e}"
        ))
    })?;
    allow.apply(&mut interface).map_err(HostError::Usage)?;
    Ok(Discovered {
        interface,
        callables,
        classes,
    })
}

/// `discover.py`, run after the files it imports: each imports those
/// before it (`from_code` registers each in `sys.modules`); the module
/// `graft_context` is registered among them, before any hosted module
/// can import it.
fn discovery_module(py: Python<'_>) -> Result<Bound<'_, PyModule>, HostError> {
    embedded(py, RECORDS, c"graft/records.py", c"_graft_records")?;
    crate::context::install(py)?;
    embedded(py, HINTS, c"graft/hints.py", c"_graft_hints")?;
    embedded(py, DEFAULTS, c"graft/defaults.py", c"_graft_defaults")?;
    embedded(py, TYPES, c"graft/types.py", c"_graft_types")?;
    embedded(py, SERVICES, c"graft/services.py", c"_graft_services")?;
    embedded(py, DISCOVER, c"graft/discover.py", c"_graft_discover")
}

impl From<PyErr> for HostError {
    fn from(err: PyErr) -> Self {
        HostError::Python(err.to_string())
    }
}

/// Runs one of Graft's own Python files as the module `name`.
fn embedded<'py>(
    py: Python<'py>,
    source: &str,
    file: &CStr,
    name: &CStr,
) -> Result<Bound<'py, PyModule>, HostError> {
    let code = CString::new(source).map_err(|e| HostError::Python(e.to_string()))?;
    PyModule::from_code(py, &code, file, name).map_err(|e| HostError::Python(e.to_string()))
}

fn discovery_error(py: Python<'_>, module: &Bound<'_, PyModule>, err: PyErr) -> HostError {
    let value = err.value(py);
    let is = |name: &str| {
        module
            .getattr(name)
            .is_ok_and(|cls| value.is_instance(&cls).unwrap_or(false))
    };
    let attr = |name: &str| {
        value
            .getattr(name)
            .map(|v| v.to_string())
            .unwrap_or_default()
    };
    if is("ImportFailure") {
        HostError::Import {
            file: attr("file"),
            error: attr("error"),
        }
    } else if is("DiscoveryError") {
        HostError::Discovery(value.to_string())
    } else {
        let trace = err
            .traceback(py)
            .and_then(|t| t.format().ok())
            .unwrap_or_default();
        HostError::Python(format!("discovery failed: {err}\n{trace}"))
    }
}

fn entries(iface: &Interface, callables: &Bound<'_, PyDict>) -> PyResult<crate::Methods> {
    let mut services = crate::Methods::default();
    let types = Arc::new(Types::of(iface));
    for service in &iface.services {
        let funcs = callables.get_item(&service.name)?.ok_or_else(|| {
            pyo3::exceptions::PyKeyError::new_err(format!(
                "discovery lost the callables of {}",
                service.name
            ))
        })?;
        let mut methods = HashMap::default();
        if let Some(method) = constructor(service) {
            let callable = funcs.get_item(CONSTRUCTOR)?.unbind();
            methods.insert(
                CONSTRUCTOR.to_string(),
                entry(service, method, callable, &types),
            );
        }
        for method in &service.methods {
            let callable = funcs.get_item(&method.name)?.unbind();
            methods.insert(
                method.name.clone(),
                entry(service, method.clone(), callable, &types),
            );
        }
        services.insert(service.name.clone(), methods);
    }
    Ok(services)
}

fn entry(
    service: &Service,
    signature: Method,
    callable: Py<PyAny>,
    types: &Arc<Types>,
) -> Arc<Entry> {
    Arc::new(Entry {
        service: service.name.clone(),
        name: format!("{}.{}", service.name, signature.name),
        is_async: signature.is_async,
        signature,
        callable,
        pace: Default::default(),
        types: Arc::clone(types),
    })
}

/// A class's constructor as a method: `__init__`, taking the constructor's
/// parameters and returning an object of the class.
fn constructor(service: &Service) -> Option<Method> {
    let params = service.constructor.clone()?;
    Some(Method {
        name: CONSTRUCTOR.into(),
        kind: MethodKind::Instance,
        is_async: false,
        doc: service.doc.clone(),
        params,
        returns: TypeRef::Object {
            service: service.name.clone(),
        },
        streams: false,
        unavailable: None,
        idempotent: false,
    })
}

/// The classes whose instances are remote objects, by service name.
fn object_classes<'py>(
    iface: &Interface,
    callables: &Bound<'py, PyDict>,
) -> PyResult<Vec<(String, Bound<'py, PyType>)>> {
    let mut classes = Vec::new();
    for service in iface.services.iter().filter(|s| s.constructor.is_some()) {
        if let Some(funcs) = callables.get_item(&service.name)? {
            let class = funcs.get_item(CONSTRUCTOR)?.cast_into::<PyType>()?;
            classes.push((service.name.clone(), class));
        }
    }
    Ok(classes)
}
