//! Allow-lists: `gg --types` and `--methods` expose only the services and
//! methods they name.
//!
//! [`Allow::apply`] takes everything else out of the [`Interface`] once, at
//! start-up, before anything reads it; so every surface (HTTP, TCP, Vision,
//! OpenAPI, `/libraries`, the grafts) answers 404 for the rest, because for
//! them it does not exist. A service named in `--types` keeps all its
//! methods; one with methods in `--methods` keeps those (`Cart.__init__`
//! keeps its constructor). The named types only hidden methods used go
//! too. With neither list, everything is exposed.

use std::collections::BTreeSet;

use crate::interface::{Interface, Service};

/// The constructor's name in `--methods` (`Cart.__init__`).
const CONSTRUCTOR: &str = "__init__";

/// The services and methods to expose.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Allow {
    types: BTreeSet<String>,
    methods: BTreeSet<(String, String)>,
}

impl Allow {
    /// The allow-lists of `--types A,B` and `--methods A.m,B.n`; a method
    /// not written `Service.method` is an error.
    pub fn new(types: &[String], methods: &[String]) -> Result<Allow, String> {
        let methods = methods
            .iter()
            .map(|m| match m.trim().split_once('.') {
                Some((s, m)) if !s.is_empty() && !m.is_empty() => Ok((s.to_owned(), m.to_owned())),
                _ => Err(format!("--methods takes Service.method, not {m:?}")),
            })
            .collect::<Result<_, _>>()?;
        let types = types.iter().map(|t| t.trim().to_owned()).collect();
        Ok(Allow { types, methods })
    }

    /// Whether no list was given: everything is exposed.
    pub fn everything(&self) -> bool {
        self.types.is_empty() && self.methods.is_empty()
    }

    /// Takes out of `iface` every service and method the lists do not name.
    /// A name that matches nothing is an error (a typo would otherwise hide
    /// what it meant to expose).
    pub fn apply(&self, iface: &mut Interface) -> Result<(), String> {
        if self.everything() {
            return Ok(());
        }
        self.check_names(iface)?;
        iface.services.retain_mut(|service| self.keep(service));
        let used = used::used_types(iface);
        iface.types.retain(|t| used.contains(&t.name));
        Ok(())
    }

    /// Keeps what `service` exposes; `false` when that is nothing.
    fn keep(&self, service: &mut Service) -> bool {
        if self.types.contains(&service.name) {
            return true;
        }
        let allowed = |method: &str| {
            self.methods
                .contains(&(service.name.clone(), method.to_owned()))
        };
        if !allowed(CONSTRUCTOR) {
            service.constructor = None;
        }
        let methods = std::mem::take(&mut service.methods);
        service.methods = methods.into_iter().filter(|m| allowed(&m.name)).collect();
        !service.methods.is_empty() || service.constructor.is_some()
    }

    fn check_names(&self, iface: &Interface) -> Result<(), String> {
        let service = |name: &str| iface.services.iter().find(|s| s.name == name);
        if let Some(t) = self.types.iter().find(|t| service(t).is_none()) {
            return Err(format!("--types names {t}, which is no hosted service"));
        }
        let exists = |(s, m): &&(String, String)| {
            service(s).is_some_and(|s| {
                (m == CONSTRUCTOR && s.constructor.is_some())
                    || s.methods.iter().any(|x| &x.name == m)
            })
        };
        match self.methods.iter().find(|m| !exists(m)) {
            Some((s, m)) => Err(format!(
                "--methods names {s}.{m}, which is no hosted method"
            )),
            None => Ok(()),
        }
    }
}

#[path = "allow/used.rs"]
pub(crate) mod used;

#[cfg(test)]
#[path = "allow/tests.rs"]
mod tests;
