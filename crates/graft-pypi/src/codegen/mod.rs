//! The graft's `__init__.py`, generated from the interface for one service.
//!
//! The file, in order: a module docstring; imports; the client and
//! `GraftConfig`; the data types (`types`); the service class and, for a
//! module service, its functions (`service`); the registration of the
//! types with the client. Every method is an `async def` returning
//! `cast("T", await _client.call(...))`, so `mypy --strict` checks callers
//! against the hosted signatures; a streaming method (`Method::streams`) is a
//! plain `def` returning `_client.stream(...)`, typed `AsyncIterator[T]`.
//!
//! Choices, where the hosted code has no exact equivalent:
//! - Class methods become static methods (the graft has no `cls` to pass).
//! - A module service (its module's functions) is a class named after the
//!   module *and* module-level functions, but those whose name is taken.
//! - A parameter default with no source form (a mutable or opaque value;
//!   `Default::python` is `None`) or naming a type the graft lacks becomes
//!   `_NOT_GIVEN`: the argument is then not sent and the hosted default
//!   applies, in-process and remotely alike.
//! - A dataclass field's default with no source form is rebuilt from its
//!   JSON value by a `default_factory`; with no JSON value either the field
//!   is required (or `_NOT_GIVEN` when an earlier field has a default, to keep
//!   the class valid).
//! - An exception's base is kept when it is another exception of the graft
//!   or a built-in exception; otherwise it is `Exception`. Its `__init__`
//!   takes the hosted fields; `str(e)` of a raised one is the provider's
//!   message (the runtime sets it).
//! - Every generated class carries `__graft_module__`, the hosted module of
//!   the original, so the runtime can convert to and from it in-process.

mod literal;
mod objects;
mod service;
mod shapes;
mod types;

use std::collections::BTreeSet;
use std::fmt::Write as _;

use graft_model::{Interface, Service, ServiceKind, TypeDef};

pub use literal::py_str;

use crate::annotation::used_types;
use crate::names;

/// The `__init__.py` of `service`'s graft.
///
/// `default_config` is the package default configuration baked into the
/// graft (the sixth source in the runtime's precedence), if any.
pub fn init_py(iface: &Interface, service: &Service, default_config: Option<&str>) -> String {
    let service = &carried(service);
    let known = used_types(iface, service);
    let objects = objects::services(iface, service);
    let known = objects::known_with(iface, service, &objects, known);
    let defs: Vec<&TypeDef> = known.iter().filter_map(|n| iface.type_def(n)).collect();
    let typing_extra = shapes::typing_names(service, &defs);
    let mut out = header(iface, service, &typing_extra, &known);
    let idempotent = idempotent(service, &objects);
    out.push_str(&client(service, default_config, &idempotent));
    out.push_str(&types::all(&defs, &known));
    out.push_str(&service::class(service, &known));
    out.push_str(&objects::classes(service, &objects, &known));
    let taken = taken(service, &known);
    out.push_str(&service::module_functions(service, &known, &taken));
    out.push_str(&registration(iface, service, &defs, &objects));
    out.push_str(&exports(service, &taken));
    with_scalar_imports(out)
}

/// `service` with only the methods Graft can carry: one it cannot
/// (`Method::unavailable`) is left off the graft, not generated to fail.
fn carried(service: &Service) -> Service {
    Service {
        methods: service
            .methods
            .iter()
            .filter(|m| m.unavailable.is_none())
            .cloned()
            .collect(),
        ..service.clone()
    }
}

/// The names the graft defines at module level (its types, the runtime's
/// exports, the service class): a module function of the same name is
/// left off the module, and all of them are exported.
fn taken(service: &Service, known: &BTreeSet<String>) -> BTreeSet<String> {
    let mut taken: BTreeSet<String> = known.clone();
    taken.extend(RUNTIME_NAMES.map(String::from));
    taken.insert(service.name.clone());
    taken
}

/// `_client.register(...)`: the graft's classes the runtime converts to and
/// from the hosted ones, sorted; a TypedDict is a plain dict and needs none.
fn registration(
    iface: &Interface,
    service: &Service,
    defs: &[&TypeDef],
    objects: &[&Service],
) -> String {
    let mut registered: Vec<&str> = defs
        .iter()
        .map(|d| d.name.as_str())
        .filter(|n| !shapes::is_typed_dict(iface, n))
        .collect();
    registered.extend(objects::registered(service, objects));
    registered.sort_unstable();
    format!("\n\n_client.register({})\n", registered.join(", "))
}

/// `out` with `import decimal` and `import uuid` where its annotations name
/// `decimal.Decimal` or `uuid.UUID`; other grafts stay byte for byte.
fn with_scalar_imports(out: String) -> String {
    let extra: String = [("decimal.Decimal", "decimal"), ("uuid.UUID", "uuid")]
        .iter()
        .filter(|(used, _)| out.contains(used))
        .map(|(_, module)| format!("import {module}\n"))
        .collect();
    out.replacen("import enum\n", &format!("import enum\n{extra}"), 1)
}

/// The module docstring and the imports: what every graft opens with.
fn header(
    iface: &Interface,
    service: &Service,
    typing_extra: &[&str],
    known: &BTreeSet<String>,
) -> String {
    let mut out = literal::docstring(Some(&module_doc(iface, service)), "");
    let typing = typing_imports(service, typing_extra);
    let errors = error_imports(known);
    let _ = write!(
        out,
        "\nfrom __future__ import annotations\n\n\
         import datetime\n\
         import enum\n\
         from dataclasses import dataclass, field\n\
         from typing import {typing}\n\n\
         from . import _runtime\n\
         from ._runtime import GraftConfigError, RemoteError, Unauthenticated{errors}\n",
    );
    out
}

/// The module docstring: where the graft comes from, and how to choose
/// where its calls run, for a reader who opens the file or calls `help()`.
fn module_doc(iface: &Interface, service: &Service) -> String {
    let dist = names::distribution(&service.name);
    let origin = match &iface.project {
        Some(p) => format!("{} {}", p.name, p.version),
        None => "a Graft gateway".into(),
    };
    format!(
        "The Graft of `{name}` (module `{module}`, from {origin}).\n\n\
         Every method of `{name}` is here with the same parameters and types, as an\n\
         `async def`. Where calls run is configuration, not code:\n\n    \
         GraftConfig.set_config(\"name={dist};host=inMemory;runtime=python;modules=/app/src\")\n    \
         GraftConfig.set_config(\"name={dist};host=provider:9092;runtime=python\")\n\n\
         or the GRAFT_CONFIG environment variable. Generated by Graft; do not edit.",
        name = service.name,
        module = service.module,
    )
}

/// The names imported from `typing`, sorted: the few every graft uses,
/// and `typing_extra`, what its types need.
fn typing_imports(service: &Service, typing_extra: &[&str]) -> String {
    let mut typing = vec!["Any", "Optional", "Union", "cast"];
    // AsyncIterator only where a method streams: other grafts stay byte for byte as they were.
    if service.methods.iter().any(|m| m.streams) {
        typing.push("AsyncIterator");
    }
    typing.extend(typing_extra);
    typing.sort_unstable();
    typing.join(", ")
}

/// `, CircuitOpen, ...`: the failures a caller sees (errors.py), imported
/// from the runtime but where a hosted type already takes the name.
fn error_imports(known: &BTreeSet<String>) -> String {
    ERROR_NAMES
        .iter()
        .filter(|n| !known.contains(**n))
        .map(|n| format!(", {n}"))
        .collect()
}

/// `, idempotent=(...)`: the graft's methods declared idempotent
/// (`@graft_context.idempotent`) as `"Service.method"`, which a graft
/// retries after a lost connection; nothing when there are none.
fn idempotent(service: &Service, objects: &[&Service]) -> String {
    let names: Vec<String> = std::iter::once(service)
        .chain(objects.iter().copied())
        .flat_map(|s| {
            s.methods
                .iter()
                .filter(|m| m.idempotent && m.unavailable.is_none())
                .map(move |m| py_str(&format!("{}.{}", s.name, m.name)))
        })
        .collect();
    match names.len() {
        0 => String::new(),
        1 => format!(", idempotent=({},)", names[0]),
        _ => format!(", idempotent=({})", names.join(", ")),
    }
}

fn client(service: &Service, default_config: Option<&str>, idempotent: &str) -> String {
    let kind = match service.kind {
        ServiceKind::Class => "class",
        ServiceKind::Module => "module",
    };
    let default = default_config.map_or_else(|| "None".to_string(), py_str);
    format!(
        "\n_client = _runtime.GraftClient(\n    {0}, service={1}, module={2}, kind={3}, default_config={default}{idempotent}\n)\n\
         _client.remote.graft = _runtime.graft_version({0})\n\
         _NOT_GIVEN: Any = _runtime.NOT_GIVEN\n\n\n\
         class GraftConfig(_runtime.GraftConfig):\n    \
         \"\"\"Where this graft's calls run: `GraftConfig.set_config(text)`; see the module docstring.\"\"\"\n\n    \
         _graft_client = _client\n",
        py_str(&names::distribution(&service.name)),
        py_str(&service.name),
        py_str(&service.module),
        py_str(kind),
    )
}

/// The failures of a remote call (`_runtime/errors.py`) every graft exports.
const ERROR_NAMES: [&str; 4] = ["CircuitOpen", "Overloaded", "Timeout", "Unavailable"];

/// Names every graft exports from its runtime (Unauthenticated: `gg --authTokens` refused its token).
const RUNTIME_NAMES: [&str; 8] = [
    "CircuitOpen",
    "GraftConfig",
    "GraftConfigError",
    "Overloaded",
    "RemoteError",
    "Timeout",
    "Unauthenticated",
    "Unavailable",
];

/// `__all__`: every name `taken` at module level, and a module service's
/// functions that kept theirs.
fn exports(service: &Service, taken: &BTreeSet<String>) -> String {
    let mut all: BTreeSet<String> = taken.clone();
    if service.kind == ServiceKind::Module {
        all.extend(
            service
                .methods
                .iter()
                .map(|m| m.name.clone())
                .filter(|n| !taken.contains(n)),
        );
    }
    let items: Vec<String> = all
        .iter()
        .map(|n| format!("    {},\n", py_str(n)))
        .collect();
    format!("\n__all__ = [\n{}]\n", items.concat())
}
