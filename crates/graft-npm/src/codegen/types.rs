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
    match ty {
        TypeRef::List { item } | TypeRef::Set { item } | TypeRef::VarTuple { item } => {
            format!("{}[]", array_item(item, side))
        }
        TypeRef::Tuple { items } => format!("[{}]", joined(items, side, ", ")),
        TypeRef::Dict { key, value } => dict(key, value, side),
        TypeRef::Optional { inner } => format!("{} | null", ts(inner, side)),
        TypeRef::Union { options } => joined(options, side, " | "),
        TypeRef::Literal { values } => values
            .iter()
            .map(serde_json::Value::to_string)
            .collect::<Vec<_>>()
            .join(" | "),
        TypeRef::Named { name } => ident(name),
        TypeRef::Object { service } => ident(service),
        other => scalar(other, side).into(),
    }
}

/// A type without parts, in TypeScript: kept apart from [`ts`] because
/// only here does the side matter (a datetime argument may be a `Date`,
/// a timedelta one a number of seconds). `Any` is `unknown`.
fn scalar(ty: &TypeRef, side: Side) -> &'static str {
    match (ty, side) {
        (TypeRef::None, _) => "null",
        (TypeRef::Bool, _) => "boolean",
        (TypeRef::Int, _) => "Int",
        (TypeRef::Float, _) => "number",
        (TypeRef::Bytes, _) => "Uint8Array",
        (TypeRef::DateTime, Side::Argument) => "Date | string",
        (TypeRef::TimeDelta, Side::Argument) => "string | number",
        (
            TypeRef::Str
            | TypeRef::Decimal
            | TypeRef::Uuid
            | TypeRef::Date
            | TypeRef::Time
            | TypeRef::DateTime
            | TypeRef::TimeDelta,
            _,
        ) => "string",
        _ => "unknown",
    }
}

/// An array's item type, in parentheses where it has spaces (a union, an
/// `Optional`), since `A | B[]` would be an array of `B` only.
fn array_item(item: &TypeRef, side: Side) -> String {
    let text = ts(item, side);
    if text.contains(' ')
        && !text.starts_with('[')
        && !text.starts_with("Record")
        && !text.starts_with("Map")
    {
        format!("({text})")
    } else {
        text
    }
}

/// A dict: a plain object where its keys can be property names (strings,
/// or a `Literal` of strings), else a `Map`, as the runtime converts it.
fn dict(key: &TypeRef, value: &TypeRef, side: Side) -> String {
    let value_text = ts(value, side);
    if matches!(key, TypeRef::Str) {
        format!("Record<string, {value_text}>")
    } else if string_literals(key) {
        format!("Partial<Record<{}, {value_text}>>", ts(key, side))
    } else {
        format!("Map<{}, {value_text}>", ts(key, side))
    }
}

/// `types` in TypeScript, joined by `separator` (a tuple's items, a union's options).
fn joined(types: &[TypeRef], side: Side, separator: &str) -> String {
    types
        .iter()
        .map(|t| ts(t, side))
        .collect::<Vec<_>>()
        .join(separator)
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
