//! What changed between two interfaces, and how much it matters to callers.
//!
//! [`diff`] lists each [`Change`] with its [`Kind`]: `Breaking` when a
//! caller written against the old interface may fail or get a wrong answer
//! (a method, parameter or field removed or renamed, a parameter made
//! required, a type changed, static changed to instance, ...), `Addition`
//! when it only gains (a method, an optional parameter, a field with a
//! default), and `Other` for the rest (docs, defaults). Graft versions follow
//! the largest kind: major, minor, patch. [`slice`] cuts one service's part
//! out of an interface, which is what a graft of it is built from.

use std::fmt;

use crate::interface::{Interface, Method, MethodKind, Param, ParamKind, Service};

mod slice;
mod types;

pub use slice::{objects_passed, slice};

/// How much a change matters to a caller of the old interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// Docs, defaults: raises the patch.
    Other,
    /// Something new that old callers do not see: raises the minor.
    Addition,
    /// Old callers may fail: raises the major.
    Breaking,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Other => "other",
            Kind::Addition => "addition",
            Kind::Breaking => "breaking",
        }
    }
}

/// One change: its kind, what it is about (`Shop.buy`, `type Item`) and what happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: Kind,
    pub subject: String,
    pub what: String,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:<8}  {}: {}",
            self.kind.as_str(),
            self.subject,
            self.what
        )
    }
}

/// The largest kind among `changes`, `None` when there are none.
pub fn largest(changes: &[Change]) -> Option<Kind> {
    changes.iter().map(|c| c.kind).max()
}

/// Every change from `old` to `new`: services, their methods and
/// constructors, then named types.
pub fn diff(old: &Interface, new: &Interface) -> Vec<Change> {
    let mut out = Changes::default();
    for o in &old.services {
        match new.service(&o.name) {
            Some(n) => out.service(o, n),
            None => out.push(Kind::Breaking, &o.name, "service removed"),
        }
    }
    for n in new
        .services
        .iter()
        .filter(|n| old.service(&n.name).is_none())
    {
        out.push(Kind::Addition, &n.name, "service added");
    }
    types::diff(old, new, &mut out);
    out.list
}

/// The method name under which a service's constructor is called and its changes listed.
pub const CONSTRUCTOR: &str = "__init__";

/// The changes that touch calls of `service.method` as `old` had it: to the
/// method (or the constructor, [`CONSTRUCTOR`]), its service, and the named
/// types it uses.
pub fn method_changes(
    old: &Interface,
    new: &Interface,
    service: &str,
    method: &str,
) -> Vec<Change> {
    let subject = format!("{service}.{method}");
    let used = old.service(service).map(|s| {
        let mut s = s.clone();
        s.methods.retain(|m| m.name == method);
        s.exceptions.clear();
        if method != CONSTRUCTOR {
            s.constructor = None;
        }
        let one = Interface {
            project: None,
            services: vec![s],
            types: old.types.clone(),
        };
        crate::allow::used::used_types(&one)
    });
    let uses = |c: &Change| {
        c.subject
            .strip_prefix("type ")
            .is_some_and(|t| used.as_ref().is_some_and(|u| u.contains(t)))
    };
    diff(old, new)
        .into_iter()
        .filter(|c| c.subject == subject || c.subject == service || uses(c))
        .collect()
}

/// Changes as they are found.
#[derive(Default)]
pub(crate) struct Changes {
    list: Vec<Change>,
}

impl Changes {
    pub(crate) fn push(&mut self, kind: Kind, subject: &str, what: impl Into<String>) {
        self.list.push(Change {
            kind,
            subject: subject.into(),
            what: what.into(),
        });
    }

    fn service(&mut self, o: &Service, n: &Service) {
        if o.doc != n.doc {
            self.push(Kind::Other, &o.name, "doc changed");
        }
        let init = format!("{}.{CONSTRUCTOR}", o.name);
        match (&o.constructor, &n.constructor) {
            (Some(op), Some(np)) => self.params(&init, op, np),
            (Some(_), None) => self.push(Kind::Breaking, &init, "constructor removed"),
            (None, Some(_)) => self.push(Kind::Addition, &init, "constructor added"),
            (None, None) => {}
        }
        let callable = |s: &Service| -> Vec<Method> {
            s.methods
                .iter()
                .filter(|m| m.unavailable.is_none())
                .cloned()
                .collect()
        };
        let (old_methods, new_methods) = (callable(o), callable(n));
        for om in &old_methods {
            let subject = format!("{}.{}", o.name, om.name);
            match new_methods.iter().find(|m| m.name == om.name) {
                Some(nm) => self.method(&subject, om, nm),
                None => self.push(Kind::Breaking, &subject, "method removed"),
            }
        }
        for nm in new_methods
            .iter()
            .filter(|m| !old_methods.iter().any(|o| o.name == m.name))
        {
            self.push(
                Kind::Addition,
                &format!("{}.{}", n.name, nm.name),
                "method added",
            );
        }
    }

    fn method(&mut self, subject: &str, o: &Method, n: &Method) {
        if o.kind != n.kind {
            let what = format!("{} changed to {}", kind_name(o.kind), kind_name(n.kind));
            self.push(Kind::Breaking, subject, what);
        }
        if o.streams != n.streams {
            let what = if n.streams {
                "now streams its result"
            } else {
                "no longer streams"
            };
            self.push(Kind::Breaking, subject, what);
        }
        if o.returns != n.returns {
            let what = format!(
                "return type {} changed to {}",
                o.returns.python(),
                n.returns.python()
            );
            self.push(Kind::Breaking, subject, what);
        }
        self.params(subject, &o.params, &n.params);
        if o.doc != n.doc {
            self.push(Kind::Other, subject, "doc changed");
        }
        if (o.is_async, o.idempotent) != (n.is_async, n.idempotent) {
            self.push(Kind::Other, subject, "async or idempotent changed");
        }
    }

    fn params(&mut self, subject: &str, old: &[Param], new: &[Param]) {
        for (i, op) in old.iter().enumerate() {
            let Some((j, np)) = new.iter().enumerate().find(|(_, p)| p.name == op.name) else {
                let what = format!("parameter `{}` removed", op.name);
                self.push(Kind::Breaking, subject, what);
                continue;
            };
            let moved = positional(op) && (!positional(np) || i != j);
            self.param(subject, op, np, moved);
        }
        for np in new.iter().filter(|p| !old.iter().any(|o| o.name == p.name)) {
            let (kind, how) = match np.is_required() {
                true => (Kind::Breaking, "required"),
                false => (Kind::Addition, "optional"),
            };
            self.push(kind, subject, format!("new {how} parameter `{}`", np.name));
        }
    }

    fn param(&mut self, subject: &str, o: &Param, n: &Param, moved: bool) {
        let name = &o.name;
        if o.ty != n.ty {
            let what = format!(
                "parameter `{name}`: type {} changed to {}",
                o.ty.python(),
                n.ty.python()
            );
            self.push(Kind::Breaking, subject, what);
        }
        if moved || o.kind != n.kind {
            self.push(
                Kind::Breaking,
                subject,
                format!("parameter `{name}` moved or changed kind"),
            );
        }
        match (o.is_required(), n.is_required()) {
            (false, true) => self.push(
                Kind::Breaking,
                subject,
                format!("parameter `{name}` made required"),
            ),
            (true, false) => self.push(
                Kind::Addition,
                subject,
                format!("parameter `{name}` made optional"),
            ),
            _ if o.default != n.default => self.push(
                Kind::Other,
                subject,
                format!("parameter `{name}`: default changed"),
            ),
            _ => {}
        }
    }
}

fn positional(p: &Param) -> bool {
    matches!(
        p.kind,
        ParamKind::PositionalOnly | ParamKind::PositionalOrKeyword
    )
}

fn kind_name(kind: MethodKind) -> &'static str {
    match kind {
        MethodKind::Static => "static",
        MethodKind::Class => "classmethod",
        MethodKind::Function => "function",
        MethodKind::Instance => "instance",
    }
}

#[cfg(test)]
mod tests;
