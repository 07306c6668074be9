//! The host's side of remote objects: finding a method of an object,
//! refusing a constructor past the caller's limit, releasing an object,
//! and the sweeper that releases objects whose lease ran out.

use std::sync::{Arc, Weak};
use std::time::Duration;

use graft_model::MethodKind;
use pyo3::prelude::*;

use crate::callee::Target;
use crate::objects::Object;
use crate::{CallError, Callee, Host};

/// The method name of a constructor, as a call names it.
pub const CONSTRUCTOR: &str = "__init__";
/// The method name of a release, as a wire call names it.
pub const RELEASE: &str = "__release__";

impl Host {
    /// The hosted method `service.method`, or which of the two is missing. A
    /// method of an object is called on one ([`Host::lookup_object`]); the
    /// method `__init__` of a class with a constructor makes one.
    pub fn lookup(&self, service: &str, method: &str) -> Result<Callee, CallError> {
        let callee = self.find(service, method)?;
        if callee.signature().kind == MethodKind::Instance && method != CONSTRUCTOR {
            return Err(CallError::NeedsObject {
                service: service.into(),
                method: method.into(),
            });
        }
        Ok(callee)
    }

    /// The method `method` of the object `id` of `service`. The call's
    /// turn among the object's calls is taken now, so calls run in the
    /// order they were looked up.
    pub fn lookup_object(
        &self,
        service: &str,
        id: &str,
        method: &str,
    ) -> Result<Callee, CallError> {
        let mut callee = self.find(service, method)?;
        if method == CONSTRUCTOR {
            return Err(CallError::NoMethod {
                service: service.into(),
                method: method.into(),
            });
        }
        if callee.signature().kind != MethodKind::Instance {
            // A static or class method, named with an object of its class.
            return self.object(service, id).map(|_| callee);
        }
        let object = self
            .objects
            .hold(service, id)
            .ok_or_else(|| gone(service, id))?;
        callee.target = Some(Arc::new(Target::new(object)));
        Ok(callee)
    }

    /// Whether the object `id` of `service` lives here.
    pub fn has_object(&self, service: &str, id: &str) -> bool {
        self.objects.get(service, id).is_some()
    }

    /// How many remote objects live in the gateway now.
    pub fn object_count(&self) -> usize {
        self.objects.len()
    }

    /// Releases every object, on this thread (their `close()` runs): for
    /// a gateway that stops. Answers how many there were.
    pub fn release_all(&self) -> usize {
        let objects = self.objects.take_all();
        let count = objects.len();
        if count > 0 {
            self.run_releases(objects, "at shutdown");
        }
        count
    }

    /// Runs the release hooks of `objects`, taken out of the table
    /// already, on this thread; one that raises is logged.
    fn run_releases(&self, objects: Vec<Arc<Object>>, when: &str) {
        Python::attach(|py| {
            for object in objects {
                let (service, id) = (&object.service, &object.id);
                tracing::debug!("{service} object {id} released {when}");
                if let Err(err) = self.objects.run_release(py, &object, &self.event_loop) {
                    tracing::warn!("releasing the {service} object {id} {when} raised: {err}");
                }
            }
        });
    }

    /// `--objectTtl` and `--maxObjects`.
    pub fn configure_objects(&self, ttl: Duration, max: usize) {
        self.objects.configure(ttl, max);
    }

    fn object(&self, service: &str, id: &str) -> Result<Arc<Object>, CallError> {
        self.objects
            .get(service, id)
            .ok_or_else(|| gone(service, id))
    }

    /// Why a call may not start, if it may not: a constructor past its
    /// caller's `--maxObjects`.
    pub(crate) fn refused(&self, callee: &Callee) -> Option<CallError> {
        let constructs = callee.signature().name == CONSTRUCTOR;
        let why = constructs.then(|| self.objects.full(callee.owner))??;
        Some(CallError::TooManyObjects(why))
    }

    /// Releases the object `id` of `service` once the calls on it before
    /// this one have ended: it leaves the table and its `close()` (or
    /// `aclose()`, `__exit__`, `__aexit__`) runs, off the event loop.
    pub async fn release(self: &Arc<Self>, service: &str, id: &str) -> Result<(), CallError> {
        let object = self
            .objects
            .hold(service, id)
            .ok_or_else(|| gone(service, id))?;
        let target = Target::new(object);
        let turn = target.take_turn();
        if let Some(turn) = &turn {
            turn.wait().await;
        }
        let object = self
            .objects
            .remove(service, id)
            .ok_or_else(|| gone(service, id))?;
        let host = Arc::clone(self);
        let released = tokio::task::spawn_blocking(move || {
            Python::attach(|py| {
                let ran = host.objects.run_release(py, &object, &host.event_loop);
                ran.map_err(|err| host.raised_error(py, &err))
            })
        });
        released
            .await
            .map_err(|e| CallError::Internal(e.to_string()))?
    }
}

/// The error of a call on an object that is not (or no longer) here.
fn gone(service: &str, id: &str) -> CallError {
    CallError::NoObject {
        service: service.into(),
        id: id.into(),
    }
}

/// Starts the thread that releases objects idle past their lease; it
/// ends with the host.
pub(crate) fn start_sweeper(host: &Arc<Host>) -> std::io::Result<()> {
    let host = Arc::downgrade(host);
    std::thread::Builder::new()
        .name("graft-objects".into())
        .spawn(move || sweep(host))
        .map(drop)
}

fn sweep(host: Weak<Host>) {
    loop {
        let Some(pause) = host
            .upgrade()
            .map(|h| (h.objects.ttl() / 4).clamp(MIN_PAUSE, MAX_PAUSE))
        else {
            return;
        };
        std::thread::sleep(pause);
        let Some(host) = host.upgrade() else {
            return;
        };
        let expired = host.objects.take_expired();
        if !expired.is_empty() {
            host.run_releases(expired, "as its lease ran out (--objectTtl)");
        }
    }
}

const MIN_PAUSE: Duration = Duration::from_millis(50);
const MAX_PAUSE: Duration = Duration::from_secs(1);
