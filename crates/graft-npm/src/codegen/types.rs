//! `TypeRef` as TypeScript type text, and the declarations of the named
//! types a graft uses (interfaces, enums as frozen objects of their values,
//! exceptions as `GraftError` subclasses).

use std::fmt::Write as _;

use graft_model::{Field, Interface, TypeDef, TypeDefKind, TypeRef};

use super::{doc_comment, ident};

/// Where a type stands: an argument takes more forms (a `Date` for a
/// datetime, a number of seconds for a timedelta) than a result gives.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Argument,
    Result,
}

/// The TypeScript type of `ty`.
pub fn ts(ty: &TypeRef, side: Side) -> String {
    let a = |t: &TypeRef| ts(t, side);
    let wrap = |t: &TypeRef| {
        let text = ts(t, side);
        if text.contains(' ')
            && !text.starts_with('[')
            && !text.starts_with("Record")
            && !text.starts_with("Map")
        {
            format!("({text})")
        } else {
            text
        }
    };
    match ty {
        TypeRef::Any => "unknown".into(),
        TypeRef::None => "null".into(),
        TypeRef::Bool => "boolean".into(),
        TypeRef::Int => "Int".into(),
        TypeRef::Float => "number".into(),
        TypeRef::Str | TypeRef::Decimal | TypeRef::Uuid | TypeRef::Date | TypeRef::Time => {
            "string".into()
        }
        TypeRef::Bytes => "Uint8Array".into(),
        TypeRef::DateTime if side == Side::Argument => "Date | string".into(),
        TypeRef::DateTime => "string".into(),
        TypeRef::TimeDelta if side == Side::Argument => "string | number".into(),
        TypeRef::TimeDelta => "string".into(),
        TypeRef::List { item } | TypeRef::Set { item } | TypeRef::VarTuple { item } => {
            format!("{}[]", wrap(item))
        }
        TypeRef::Tuple { items } => {
            format!("[{}]", items.iter().map(a).collect::<Vec<_>>().join(", "))
        }
        TypeRef::Dict { key, value } if matches!(**key, TypeRef::Str) => {
            format!("Record<string, {}>", a(value))
        }
        TypeRef::Dict { key, value } if string_literals(key) => {
            format!("Partial<Record<{}, {}>>", a(key), a(value))
        }
        TypeRef::Dict { key, value } => format!("Map<{}, {}>", a(key), a(value)),
        TypeRef::Optional { inner } => format!("{} | null", a(inner)),
        TypeRef::Union { options } => options.iter().map(a).collect::<Vec<_>>().join(" | "),
        TypeRef::Literal { values } => values
            .iter()
            .map(serde_json::Value::to_string)
            .collect::<Vec<_>>()
            .join(" | "),
        TypeRef::Named { name } => ident(name),
        TypeRef::Object { service } => ident(service),
    }
}

/// A `Literal` of strings only: a dict keyed by it is a plain object too.
pub fn string_literals(ty: &TypeRef) -> bool {
    matches!(ty, TypeRef::Literal { values } if values.iter().all(serde_json::Value::is_string))
}

/// The `.d.ts` declarations of `defs`.
pub fn declarations(iface: &Interface, defs: &[&TypeDef]) -> String {
    let mut out = String::new();
    for def in defs {
        out.push_str(&doc_comment(def.doc.as_deref(), ""));
        let name = ident(&def.name);
        match &def.kind {
            TypeDefKind::Enum { members, .. } => {
                let _ = writeln!(out, "export declare const {name}: {{");
                for m in members {
                    let _ = writeln!(out, "  readonly {}: {};", ident(&m.name), m.value);
                }
                let _ = writeln!(
                    out,
                    "}};\nexport type {name} = (typeof {name})[keyof typeof {name}]{};\n",
                    flag_extra(def)
                );
            }
            TypeDefKind::Exception { base, fields } => {
                let parent = exception_base(iface, base);
                let _ = writeln!(out, "export declare class {name} extends {parent} {{");
                out.push_str(&field_lines(fields, "  ", false));
                let _ = writeln!(
                    out,
                    "  constructor(message: string, fields: {{ {} }});\n}}\n",
                    inline_fields(fields)
                );
            }
            TypeDefKind::Dataclass { fields, .. }
            | TypeDefKind::NamedTuple { fields }
            | TypeDefKind::TypedDict { fields } => {
                let _ = writeln!(out, "export interface {name} {{");
                out.push_str(&field_lines(fields, "  ", true));
                out.push_str("}\n\n");
            }
        }
    }
    out
}

/// A `Flag` takes any combination of its members: any number too.
fn flag_extra(def: &TypeDef) -> &'static str {
    match def.kind {
        TypeDefKind::Enum { flag: true, .. } => " | number",
        _ => "",
    }
}

/// The graft class an exception extends: another exception of the graft, else `GraftError`.
pub fn exception_base(iface: &Interface, base: &str) -> String {
    match iface.type_def(base).map(|d| &d.kind) {
        Some(TypeDefKind::Exception { .. }) => ident(base),
        _ => "GraftError".into(),
    }
}

fn field_lines(fields: &[Field], indent: &str, optional_defaults: bool) -> String {
    fields
        .iter()
        .map(|f| {
            let q = if optional_defaults && f.default.is_some() {
                "?"
            } else {
                ""
            };
            format!(
                "{indent}{}{q}: {};\n",
                prop(&f.name),
                ts(&f.ty, Side::Result)
            )
        })
        .collect()
}

fn inline_fields(fields: &[Field]) -> String {
    fields
        .iter()
        .map(|f| format!("{}: {};", prop(&f.name), ts(&f.ty, Side::Result)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A property name, quoted when it is not an identifier.
pub fn prop(name: &str) -> String {
    if is_identifier(name) {
        name.into()
    } else {
        serde_json::Value::from(name).to_string()
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}
