//! Classes of remote objects: a hosted class with a constructor
//! ([`Service::constructor`]) becomes a subclass of the runtime's
//! `GraftObject` (`_runtime/objects.py`, which documents when the hosted
//! object is made and released):
//!
//! ```python
//! class Cart(_runtime.GraftObject):
//!     __graft_module__ = "carts"
//!     _graft_client = _client
//!
//!     def __init__(self, owner: str, currency: str = "EUR") -> None:
//!         _client.new(self, "Cart", (), {"owner": owner, "currency": currency})
//!
//!     async def add(self, line: Line) -> int:
//!         return cast("int", await _client.call_on(self, "add", (), {"line": line}))
//! ```
//!
//! Its instance methods are `async def`s taking `self` (streaming ones
//! `def`s returning `AsyncIterator[T]`), its static and class methods are as
//! on any service class, and `close()`, `async with` and release on garbage
//! collection come from the base class. A hosted instance method named
//! `close` is not generated: the base's `close()` releases the object, which
//! runs the hosted `close()`.
//!
//! A graft also defines the object classes its signatures name
//! ([`TypeRef::Object`], a factory's result or an argument), each with all
//! of its methods, so `Shop.open_cart()` returns a `Cart` of the same graft.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use graft_model::{Interface, Method, MethodKind, Service};

use super::literal::{docstring, py_str};
use super::service::{arguments, function, parameters};
use crate::annotation::used_types;

/// The graft class of `service`, a class with a constructor.
pub fn class(service: &Service, known: &BTreeSet<String>) -> String {
    let mut out = format!("\n\nclass {}(_runtime.GraftObject):\n", service.name);
    out.push_str(&docstring(service.doc.as_deref(), "    "));
    if service.doc.is_some() {
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "    __graft_module__ = {}\n    _graft_client = _client\n",
        py_str(&service.module)
    );
    let params = service.constructor.as_deref().unwrap_or_default();
    let (positional, keywords) = arguments(params);
    let signature = match parameters(params, known) {
        p if p.is_empty() => "self".to_string(),
        p => format!("self, {p}"),
    };
    let _ = writeln!(
        out,
        "    def __init__({signature}) -> None:\n        \
         _client.new(self, {}, {positional}, {keywords})",
        py_str(&service.name)
    );
    for method in service.methods.iter().filter(|m| generated(m)) {
        out.push('\n');
        if method.kind != MethodKind::Instance {
            out.push_str("    @staticmethod\n");
        }
        out.push_str(&function(service, method, known, "    "));
    }
    out
}

/// Whether a method of an object class is on the graft class: not one the
/// graft cannot carry, nor `close` (the base's).
fn generated(method: &Method) -> bool {
    method.unavailable.is_none() && !(method.kind == MethodKind::Instance && method.name == "close")
}

/// The other services whose objects `service`'s graft passes or returns,
/// found through their signatures in turn, by name.
pub fn services<'a>(iface: &'a Interface, service: &Service) -> Vec<&'a Service> {
    let mut found: Vec<&'a Service> = Vec::new();
    let mut pending: Vec<String> = graft_model::diff::objects_passed(service);
    while let Some(name) = pending.pop() {
        if name == service.name || found.iter().any(|s| s.name == name) {
            continue;
        }
        let Some(other) = iface.services.iter().find(|s| s.name == name) else {
            continue;
        };
        if other.constructor.is_none() {
            continue;
        }
        pending.extend(graft_model::diff::objects_passed(other));
        found.push(other);
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    found
}

/// The named types and object classes a graft with these object services
/// defines, besides `known` (what its own service uses).
pub fn known_with(
    iface: &Interface,
    service: &Service,
    others: &[&Service],
    known: BTreeSet<String>,
) -> BTreeSet<String> {
    let mut all = known;
    if service.constructor.is_some() {
        all.insert(service.name.clone());
    }
    if service.constructor.is_some() || !others.is_empty() {
        all.insert("ReleasedObjectError".into());
    }
    for other in others {
        all.extend(used_types(iface, other));
        all.insert(other.name.clone());
    }
    all
}

/// The object classes of the graft (to register with its client).
pub fn registered<'a>(service: &'a Service, others: &[&'a Service]) -> Vec<&'a str> {
    let own = service.constructor.as_ref().map(|_| service.name.as_str());
    own.into_iter()
        .chain(others.iter().map(|s| s.name.as_str()))
        .collect()
}

/// The other object classes, after the service's own, and the error a call
/// on a released object raises, when the graft has object classes.
pub fn classes(service: &Service, others: &[&Service], known: &BTreeSet<String>) -> String {
    if service.constructor.is_none() && others.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    let streams = |s: &Service| s.methods.iter().any(|m| m.streams && generated(m));
    if !streams(service) && others.iter().any(|s| streams(s)) {
        // The header imports it only for the graft's own service's streams.
        out.push_str(
            "\n\nfrom typing import AsyncIterator  # noqa: E402 - for the object classes below\n",
        );
    }
    out.extend(others.iter().map(|s| class(s, known)));
    out.push_str("\n\nReleasedObjectError = _runtime.ReleasedObjectError\n");
    out
}
