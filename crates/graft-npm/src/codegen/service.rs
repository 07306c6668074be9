//! The classes of a TypeScript graft, in `index.js` and `index.d.ts`: the
//! service (static methods), a class with instances (a `RemoteObject`
//! subclass), exceptions and enums.

use std::fmt::Write as _;

use graft_model::{Interface, Method, MethodKind, Param, ParamKind, Service, TypeDef, TypeDefKind};

use super::types::{Side, exception_base, prop, ts};
use super::{doc_comment, ident, json_str};

/// Exception classes: `GraftError` (or another graft exception) subclasses
/// whose constructor takes the message and the fields.
pub fn exception_classes(iface: &Interface, defs: &[&TypeDef]) -> String {
    let mut out = String::new();
    for def in defs {
        let TypeDefKind::Exception { base, fields } = &def.kind else {
            continue;
        };
        let name = ident(&def.name);
        let _ = writeln!(
            out,
            "export class {name} extends {} {{\n  constructor(message, fields = {{}}) {{\n    \
             super(message, fields);\n    this.name = {};",
            exception_base(iface, base),
            json_str(&def.name)
        );
        for f in fields {
            let _ = writeln!(out, "    this[{0}] = fields[{0}];", json_str(&f.name));
        }
        out.push_str("  }\n}\n\n");
    }
    out
}

/// Enums as frozen objects of their members' values.
pub fn enum_objects(defs: &[&TypeDef]) -> String {
    let mut out = String::new();
    for def in defs {
        if let TypeDefKind::Enum { members, .. } = &def.kind {
            let body: Vec<String> = members
                .iter()
                .map(|m| format!("{}: {}", prop(&m.name), m.value))
                .collect();
            let _ = writeln!(
                out,
                "export const {} = Object.freeze({{ {} }});\n",
                ident(&def.name),
                body.join(", ")
            );
        }
    }
    out
}

/// The parameters a generated method takes: all but `*args` and `**kwargs`.
fn params(ps: &[Param]) -> Vec<&Param> {
    ps.iter()
        .filter(|p| !matches!(p.kind, ParamKind::VarPositional | ParamKind::VarKeyword))
        .collect()
}

fn names(ps: &[&Param]) -> String {
    ps.iter()
        .map(|p| ident(&p.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Typed parameters; one with a default is optional unless a required one follows.
fn typed(ps: &[&Param], streams: bool) -> String {
    let last_required = ps.iter().rposition(|p| p.is_required());
    let mut out: Vec<String> = ps
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let ty = ts(&p.ty, Side::Argument);
            match (p.is_required(), last_required.is_some_and(|r| r > i)) {
                (true, _) => format!("{}: {ty}", ident(&p.name)),
                (false, true) => format!("{}: {ty} | undefined", ident(&p.name)),
                (false, false) => format!("{}?: {ty}", ident(&p.name)),
            }
        })
        .collect();
    if streams {
        out.push("options?: StreamOptions".into());
    }
    out.join(", ")
}

fn is_instance(service: &Service, m: &Method) -> bool {
    service.constructor.is_some() && m.kind == MethodKind::Instance
}

/// Methods a graft class has: `close` and `aclose` of a class with instances are its release.
fn methods(service: &Service) -> impl Iterator<Item = &Method> {
    service.methods.iter().filter(move |m| {
        !(is_instance(service, m) && matches!(m.name.as_str(), "close" | "aclose"))
    })
}

/// A service's class in `index.js`; one with instances is registered
/// with the client, which makes its objects from the references it gets.
pub fn class_js(service: &Service) -> String {
    let name = ident(&service.name);
    let quoted = json_str(&service.name);
    let mut out = class_head_js(service, &name, &quoted);
    for m in methods(service) {
        out.push_str(&method_js(service, m, &quoted));
    }
    out.push_str("}\n");
    if service.constructor.is_some() {
        let _ = writeln!(out, "graft.objects[{quoted}] = {name};");
    }
    out.push('\n');
    out
}

/// A class's opening line; a class with instances extends `RemoteObject`,
/// its constructor passing the arguments on to make the hosted object.
fn class_head_js(service: &Service, name: &str, quoted: &str) -> String {
    match &service.constructor {
        Some(ctor) => format!(
            "export class {name} extends RemoteObject {{\n  constructor({0}) {{\n    \
             super(graft, {quoted}, [{0}]);\n  }}\n",
            names(&params(ctor))
        ),
        None => format!("export class {name} {{\n"),
    }
}

/// One method in `index.js`: a call or a stream, through the client
/// (static) or through the object it is called on (an instance method);
/// a stream takes the caller's `options` last.
fn method_js(service: &Service, m: &Method, quoted: &str) -> String {
    let list = names(&params(&m.params));
    let method = json_str(&m.name);
    let sig = if m.streams && list.is_empty() {
        "options".to_string()
    } else if m.streams {
        format!("{list}, options")
    } else {
        list.clone()
    };
    let body = match (is_instance(service, m), m.streams) {
        (true, false) => format!("this.graftCall({method}, [{list}])"),
        (true, true) => format!("this.graftStream({method}, [{list}], options)"),
        (false, false) => format!("graft.call({quoted}, {method}, [{list}])"),
        (false, true) => format!("graft.stream({quoted}, {method}, [{list}], options)"),
    };
    format!(
        "  {}{}({sig}) {{\n    return {body};\n  }}\n",
        static_word(service, m),
        prop(&m.name)
    )
}

/// `static ` before a method of the service, nothing before an instance method.
fn static_word(service: &Service, m: &Method) -> &'static str {
    if is_instance(service, m) {
        ""
    } else {
        "static "
    }
}

pub fn class_dts(service: &Service) -> String {
    let name = ident(&service.name);
    let mut out = doc_comment(service.doc.as_deref(), "");
    match &service.constructor {
        Some(ctor) => {
            let _ = writeln!(
                out,
                "export declare class {name} extends RemoteObject {{\n  constructor({});",
                typed(&params(ctor), false)
            );
        }
        None => {
            let _ = writeln!(
                out,
                "export declare class {name} {{\n  private constructor();"
            );
        }
    }
    for m in methods(service) {
        out.push_str(&doc_comment(m.doc.as_deref(), "  "));
        let ret = ts(&m.returns, Side::Result);
        let ret = match m.streams {
            true => format!("AsyncGenerator<{ret}, void, undefined>"),
            false => format!("Promise<{ret}>"),
        };
        let _ = writeln!(
            out,
            "  {}{}({}): {ret};",
            static_word(service, m),
            prop(&m.name),
            typed(&params(&m.params), m.streams)
        );
    }
    out.push_str("}\n\n");
    out
}
