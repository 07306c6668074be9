//! The graft's own data types: enums, dataclasses and exception classes,
//! each tagged with `__graft_module__` (the hosted module that defines the
//! original) so the runtime can convert to and from the hosted classes.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use graft_model::{EnumMember, Field, TypeDef, TypeDefKind};

use super::literal::{docstring, json_literal, names_known, py_str};
use super::shapes;
use crate::annotation::annotation;

/// Built-in exception classes a graft exception may derive from.
const BUILTIN_BASES: &[&str] = &[
    "Exception",
    "ArithmeticError",
    "AssertionError",
    "AttributeError",
    "BufferError",
    "ConnectionError",
    "EOFError",
    "FileExistsError",
    "FileNotFoundError",
    "FloatingPointError",
    "ImportError",
    "IndexError",
    "KeyError",
    "LookupError",
    "MemoryError",
    "NotImplementedError",
    "OSError",
    "OverflowError",
    "PermissionError",
    "RecursionError",
    "ReferenceError",
    "RuntimeError",
    "StopAsyncIteration",
    "TimeoutError",
    "TypeError",
    "UnicodeError",
    "ValueError",
    "ZeroDivisionError",
];

/// Every type in `names`: enums first (dataclass defaults may name their
/// members), then dataclasses, then exceptions, each base before its subclasses.
pub fn all(defs: &[&TypeDef], known: &BTreeSet<String>) -> String {
    let mut out = String::new();
    for def in defs {
        if let TypeDefKind::Enum {
            members,
            flag,
            mixin,
        } = &def.kind
        {
            out.push_str(&enumeration(
                def,
                members,
                enum_base(*flag, mixin.as_deref()),
            ));
        }
    }
    for def in defs {
        match &def.kind {
            TypeDefKind::NamedTuple { fields } => {
                out.push_str(&shapes::named_tuple(def, fields, known))
            }
            TypeDefKind::TypedDict { fields } => {
                out.push_str(&shapes::typed_dict(def, fields, known))
            }
            _ => {}
        }
    }
    for def in defs {
        if let TypeDefKind::Dataclass { fields, frozen, .. } = &def.kind {
            out.push_str(&dataclass(def, fields, *frozen, known));
        }
    }
    for def in exceptions_in_order(defs) {
        if let TypeDefKind::Exception { base, fields } = &def.kind {
            out.push_str(&exception(def, base, fields, known));
        }
    }
    out
}

/// The graft enum's bases: the hosted one's kind (`IntEnum`, `Flag`, ...)
/// in forms Python 3.8 has (a `StrEnum` is `str, enum.Enum`).
fn enum_base(flag: bool, mixin: Option<&str>) -> &'static str {
    match (flag, mixin) {
        (true, Some("int")) => "enum.IntFlag",
        (true, _) => "enum.Flag",
        (false, Some("int")) => "enum.IntEnum",
        (false, Some("str")) => "str, enum.Enum",
        _ => "enum.Enum",
    }
}

fn enumeration(def: &TypeDef, members: &[EnumMember], base: &str) -> String {
    let mut out = format!("\n\nclass {}({base}):\n", def.name);
    out.push_str(&class_doc(def));
    let _ = writeln!(out, "    __graft_module__ = {}", py_str(&def.module));
    for m in members {
        let _ = writeln!(out, "    {} = {}", m.name, json_literal(&m.value));
    }
    out
}

fn dataclass(def: &TypeDef, fields: &[Field], frozen: bool, known: &BTreeSet<String>) -> String {
    let decorator = if frozen {
        "@dataclass(frozen=True)"
    } else {
        "@dataclass"
    };
    let mut out = format!("\n\n{decorator}\nclass {}:\n", def.name);
    out.push_str(&class_doc(def));
    let _ = writeln!(out, "    __graft_module__ = {}", py_str(&def.module));
    let mut defaulted = false;
    for f in fields {
        let default = field_default(f, known, defaulted);
        defaulted |= !default.is_empty();
        let _ = writeln!(out, "    {}: {}{default}", f.name, annotation(&f.ty, known));
    }
    out
}

/// ` = <default>` for a dataclass field or an `__init__` parameter, or ``.
///
/// The hosted default's expression when it has one; else its JSON value
/// (from a factory, so it is not shared); else the field is required,
/// unless an earlier one has a default, where `_NOT_GIVEN` keeps the
/// signature valid.
fn field_default(f: &Field, known: &BTreeSet<String>, after_default: bool) -> String {
    match &f.default {
        Some(d) => match &d.python {
            Some(expr) if names_known(expr, known) => format!(" = {expr}"),
            _ if !d.json.is_null() => format!(
                " = field(default_factory=lambda: {})",
                json_literal(&d.json)
            ),
            _ => " = _NOT_GIVEN".into(),
        },
        None if after_default => " = _NOT_GIVEN".into(),
        None => String::new(),
    }
}

fn exception(def: &TypeDef, base: &str, fields: &[Field], known: &BTreeSet<String>) -> String {
    let base = exception_base(base, known);
    let mut out = format!("\n\nclass {}({base}):\n", def.name);
    out.push_str(&class_doc(def));
    let names = field_names(fields);
    let _ = writeln!(out, "    __graft_module__ = {}", py_str(&def.module));
    let _ = writeln!(out, "    __graft_fields__: tuple[str, ...] = {names}");
    if !fields.is_empty() {
        out.push_str(&exception_init(fields, known));
    }
    out
}

/// The base an exception class keeps: another exception of the graft or a
/// built-in one; any other (the hosted code's own) the graft cannot
/// import, so it becomes `Exception`.
fn exception_base<'a>(base: &'a str, known: &BTreeSet<String>) -> &'a str {
    if known.contains(base) || BUILTIN_BASES.contains(&base) {
        base
    } else {
        "Exception"
    }
}

/// `("a", "b")`: the field names as a Python tuple literal, for
/// `__graft_fields__`, which the runtime reads to rebuild a raised one.
fn field_names(fields: &[Field]) -> String {
    let names: Vec<String> = fields.iter().map(|f| py_str(&f.name)).collect();
    if names.len() == 1 {
        format!("({},)", names[0])
    } else {
        format!("({})", names.join(", "))
    }
}

/// An exception's `__init__`: the hosted fields as parameters, kept as
/// attributes and as `args`. A default from a factory becomes `_NOT_GIVEN`:
/// `field(...)` means something only in a dataclass.
fn exception_init(fields: &[Field], known: &BTreeSet<String>) -> String {
    let mut params = vec!["self".to_string()];
    let mut defaulted = false;
    for f in fields {
        let mut default = field_default(f, known, defaulted);
        if default.starts_with(" = field(") {
            default = " = _NOT_GIVEN".into();
        }
        defaulted |= !default.is_empty();
        params.push(format!("{}: {}{default}", f.name, annotation(&f.ty, known)));
    }
    let args: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    let mut out = format!("\n    def __init__({}) -> None:\n", params.join(", "));
    let _ = writeln!(
        out,
        "        BaseException.__init__(self, {})",
        args.join(", ")
    );
    for name in args {
        let _ = writeln!(out, "        self.{name} = {name}");
    }
    out
}

/// The class docstring, then a blank line, or nothing.
fn class_doc(def: &TypeDef) -> String {
    let doc = docstring(def.doc.as_deref(), "    ");
    if doc.is_empty() { doc } else { doc + "\n" }
}

/// Exceptions with each graft-defined base before the classes derived from it.
fn exceptions_in_order<'a>(defs: &[&'a TypeDef]) -> Vec<&'a TypeDef> {
    let mut pending: Vec<&TypeDef> = defs
        .iter()
        .copied()
        .filter(|d| matches!(d.kind, TypeDefKind::Exception { .. }))
        .collect();
    let mut done: Vec<&TypeDef> = Vec::new();
    while !pending.is_empty() {
        let ready = pending.iter().position(|d| match &d.kind {
            TypeDefKind::Exception { base, .. } => !pending.iter().any(|p| &p.name == base),
            _ => true,
        });
        done.push(pending.remove(ready.unwrap_or(0)));
    }
    done
}
