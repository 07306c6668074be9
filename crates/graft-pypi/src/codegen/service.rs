//! The service class (and a module service's functions): each hosted method
//! as an `async def` with the same parameters, routed through `_client.call`;
//! a streaming one as a `def` returning `_client.stream(...)`. A class with
//! a constructor is a class of remote objects instead (`objects`).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use graft_model::{Method, MethodKind, Param, ParamKind, Service, ServiceKind, TypeRef};

use super::literal::{docstring, names_known, py_str};
use super::objects;
use crate::annotation::annotation;

/// The service class: one static `async def` per hosted method.
pub fn class(service: &Service, known: &BTreeSet<String>) -> String {
    if service.constructor.is_some() {
        return objects::class(service, known);
    }
    let mut out = format!("\n\nclass {}:\n", service.name);
    out.push_str(&docstring(service.doc.as_deref(), "    "));
    if service.methods.is_empty() {
        out.push_str("    pass\n");
    }
    for (i, method) in service.methods.iter().enumerate() {
        if i > 0 || service.doc.is_some() {
            out.push('\n');
        }
        out.push_str("    @staticmethod\n");
        out.push_str(&function(service, method, known, "    "));
    }
    out
}

/// A module service's functions at module level too, but those whose name
/// is already taken by `taken` (a type, the class, `GraftConfig`).
pub fn module_functions(
    service: &Service,
    known: &BTreeSet<String>,
    taken: &BTreeSet<String>,
) -> String {
    if service.kind != ServiceKind::Module {
        return String::new();
    }
    let mut out = String::new();
    for method in service.methods.iter().filter(|m| !taken.contains(&m.name)) {
        out.push_str("\n\n");
        out.push_str(&function(service, method, known, ""));
    }
    out
}

/// One `async def`, its docstring and its forwarding call, at `indent`;
/// for a streaming method, a plain `def` returning its items' stream. An
/// instance method takes `self` and calls the object's hosted object.
pub(super) fn function(
    service: &Service,
    method: &Method,
    known: &BTreeSet<String>,
    indent: &str,
) -> String {
    if method.streams {
        return streaming(service, method, known, indent);
    }
    let returns = annotation(&method.returns, known);
    let mut out = format!(
        "{indent}async def {}({}) -> {returns}:\n",
        method.name,
        signature(method, known)
    );
    let body = format!("{indent}    ");
    out.push_str(&docstring(method.doc.as_deref(), &body));
    let (positional, keywords) = arguments(&method.params);
    let call = format!(
        "await _client.{}, {positional}, {keywords})",
        target(service, method, "call")
    );
    let _ = match &method.returns {
        TypeRef::None => writeln!(out, "{body}{call}"),
        TypeRef::Any => writeln!(out, "{body}return {call}"),
        _ => writeln!(out, "{body}return cast({}, {call})", py_str(&returns)),
    };
    out
}

/// A streaming method: a plain `def` typed `-> AsyncIterator[T]` (T the
/// item type), so callers write `async for x in Service.method(...)` and
/// `mypy --strict` refuses `await Service.method(...)`. `_client.stream`
/// returns the runtime's stream, an `AsyncIterator[Any]`.
fn streaming(service: &Service, method: &Method, known: &BTreeSet<String>, indent: &str) -> String {
    let item = annotation(&method.returns, known);
    let mut out = format!(
        "{indent}def {}({}) -> AsyncIterator[{item}]:\n",
        method.name,
        signature(method, known)
    );
    let body = format!("{indent}    ");
    out.push_str(&docstring(method.doc.as_deref(), &body));
    let (positional, keywords) = arguments(&method.params);
    let _ = writeln!(
        out,
        "{body}return _client.{}, {positional}, {keywords})",
        target(service, method, "stream")
    );
    out
}

/// The start of the runtime call: `call("Service", "method"` for a static
/// method, `call_on(self, "method"` for an instance method (`how` is `call`
/// or `stream`).
fn target(service: &Service, method: &Method, how: &str) -> String {
    if method.kind == MethodKind::Instance {
        format!("{how}_on(self, {}", py_str(&method.name))
    } else {
        format!("{how}({}, {}", py_str(&service.name), py_str(&method.name))
    }
}

/// A method's parameter list, `self` first for an instance method.
fn signature(method: &Method, known: &BTreeSet<String>) -> String {
    let params = parameters(&method.params, known);
    match (method.kind == MethodKind::Instance, params.is_empty()) {
        (false, _) => params,
        (true, true) => "self".into(),
        (true, false) => format!("self, {params}"),
    }
}

/// The parameter list, with `/` and `*` where the hosted signature has them.
pub(super) fn parameters(params: &[Param], known: &BTreeSet<String>) -> String {
    let mut parts: Vec<String> = Vec::new();
    for (i, p) in params.iter().enumerate() {
        let ty = annotation(&p.ty, known);
        let text = match p.kind {
            ParamKind::VarPositional => format!("*{}: {ty}", p.name),
            ParamKind::VarKeyword => format!("**{}: {ty}", p.name),
            _ => format!("{}: {ty}{}", p.name, default(p, known)),
        };
        let first_keyword_only = p.kind == ParamKind::KeywordOnly
            && !params[..i]
                .iter()
                .any(|q| matches!(q.kind, ParamKind::KeywordOnly | ParamKind::VarPositional));
        if first_keyword_only {
            parts.push("*".into());
        }
        parts.push(text);
        let last_positional_only = p.kind == ParamKind::PositionalOnly
            && params
                .get(i + 1)
                .is_none_or(|q| q.kind != ParamKind::PositionalOnly);
        if last_positional_only {
            parts.push("/".into());
        }
    }
    parts.join(", ")
}

/// ` = <hosted default>`; `_NOT_GIVEN` when it has no source form (the
/// argument is then not sent and the hosted default applies).
fn default(p: &Param, known: &BTreeSet<String>) -> String {
    match &p.default {
        None => String::new(),
        Some(d) => match &d.python {
            Some(expr) if names_known(expr, known) => format!(" = {expr}"),
            _ => " = _NOT_GIVEN".into(),
        },
    }
}

/// The call's positional tuple and keyword dict display. Positional-only
/// parameters go by position, and so do all before `*args` when there is
/// one (to keep their places); the rest go by name, `**kwargs` merged in.
pub(super) fn arguments(params: &[Param]) -> (String, String) {
    let has_var = params.iter().any(|p| p.kind == ParamKind::VarPositional);
    let (mut positional, mut keywords) = (Vec::new(), Vec::new());
    for p in params {
        match p.kind {
            ParamKind::PositionalOnly => positional.push(p.name.clone()),
            ParamKind::PositionalOrKeyword if has_var => positional.push(p.name.clone()),
            ParamKind::VarPositional => positional.push(format!("*{}", p.name)),
            ParamKind::VarKeyword => keywords.push(format!("**{}", p.name)),
            _ => keywords.push(format!("{}: {}", py_str(&p.name), p.name)),
        }
    }
    let tuple = match positional.len() {
        0 => "()".into(),
        1 => format!("({},)", positional[0]),
        _ => format!("({})", positional.join(", ")),
    };
    (tuple, format!("{{{}}}", keywords.join(", ")))
}
