//! The graft's `NamedTuple` and `TypedDict` classes, and the names a graft
//! imports from `typing` for them and for `Literal`.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use graft_model::{Field, Interface, Service, TypeDef, TypeDefKind, TypeRef};

use super::literal::{docstring, json_literal, names_known, py_str};
use crate::annotation::annotation;

/// A `typing.NamedTuple` subclass with the hosted fields and defaults; its
/// `__graft_module__` is set after the class (a NamedTuple body holds fields).
pub(super) fn named_tuple(def: &TypeDef, fields: &[Field], known: &BTreeSet<String>) -> String {
    let mut out = format!("\n\nclass {}(NamedTuple):\n", def.name);
    out.push_str(&body_doc(def, fields.is_empty()));
    let mut defaulted = false;
    for f in fields {
        let default = match f.default.as_ref() {
            Some(d) => match &d.python {
                Some(expr) if names_known(expr, known) => format!(" = {expr}"),
                _ if !d.json.is_null() => format!(" = {}", json_literal(&d.json)),
                _ => " = _NOT_GIVEN".into(),
            },
            None if defaulted => " = _NOT_GIVEN".into(),
            None => String::new(),
        };
        defaulted |= !default.is_empty();
        let _ = writeln!(out, "    {}: {}{default}", f.name, annotation(&f.ty, known));
    }
    let _ = writeln!(
        out,
        "\n\nsetattr({}, \"__graft_module__\", {})",
        def.name,
        py_str(&def.module)
    );
    out
}

/// A `TypedDict`: its required keys in a base class of their own, the
/// `NotRequired` ones (a default in the model) in the class, `total=False`
/// (what Python 3.8 can read; `NotRequired` is 3.11's).
pub(super) fn typed_dict(def: &TypeDef, fields: &[Field], known: &BTreeSet<String>) -> String {
    let (optional, required): (Vec<&Field>, Vec<&Field>) =
        fields.iter().partition(|f| f.default.is_some());
    let keys = |out: &mut String, fields: &[&Field]| {
        for f in fields {
            let _ = writeln!(out, "    {}: {}", f.name, annotation(&f.ty, known));
        }
    };
    let mut out = String::new();
    let base = if optional.is_empty() {
        "TypedDict".to_string()
    } else if required.is_empty() {
        "TypedDict, total=False".to_string()
    } else {
        let _ = writeln!(out, "\n\nclass _{}Required(TypedDict):", def.name);
        keys(&mut out, &required);
        format!("_{}Required, total=False", def.name)
    };
    let own: Vec<&Field> = if base.starts_with('_') {
        optional
    } else {
        fields.iter().collect()
    };
    let _ = writeln!(out, "\n\nclass {}({base}):", def.name);
    out.push_str(&body_doc(def, own.is_empty()));
    keys(&mut out, &own);
    out
}

/// The class docstring, or `pass` when the body would be empty.
fn body_doc(def: &TypeDef, empty: bool) -> String {
    let doc = docstring(def.doc.as_deref(), "    ");
    match (doc.is_empty(), empty) {
        (true, true) => "    pass\n".into(),
        (false, false) => doc + "\n",
        _ => doc,
    }
}

/// What a graft imports from `typing` for these types, beyond what every
/// graft imports: `Literal`, `NamedTuple`, `TypedDict`, as used.
pub(super) fn typing_names(service: &Service, defs: &[&TypeDef]) -> Vec<&'static str> {
    let mut types: Vec<&TypeRef> = Vec::new();
    for method in &service.methods {
        types.push(&method.returns);
        types.extend(method.params.iter().map(|p| &p.ty));
    }
    let mut names = Vec::new();
    for def in defs {
        match &def.kind {
            TypeDefKind::NamedTuple { fields } => names.push(("NamedTuple", fields)),
            TypeDefKind::TypedDict { fields } => names.push(("TypedDict", fields)),
            TypeDefKind::Dataclass { fields, .. } | TypeDefKind::Exception { fields, .. } => {
                names.push(("", fields))
            }
            TypeDefKind::Enum { .. } => {}
        }
    }
    types.extend(names.iter().flat_map(|(_, f)| f.iter().map(|f| &f.ty)));
    let mut out: BTreeSet<&'static str> = names.iter().map(|(n, _)| *n).collect();
    out.remove("");
    if types.into_iter().any(mentions_literal) {
        out.insert("Literal");
    }
    out.into_iter().collect()
}

fn mentions_literal(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Literal { .. } => true,
        TypeRef::List { item } | TypeRef::Set { item } | TypeRef::VarTuple { item } => {
            mentions_literal(item)
        }
        TypeRef::Optional { inner } => mentions_literal(inner),
        TypeRef::Dict { key, value } => mentions_literal(key) || mentions_literal(value),
        TypeRef::Tuple { items: all } | TypeRef::Union { options: all } => {
            all.iter().any(mentions_literal)
        }
        _ => false,
    }
}

/// Whether the named type is a `TypedDict` (not registered with the client:
/// its values are plain dicts).
pub(super) fn is_typed_dict(iface: &Interface, name: &str) -> bool {
    matches!(
        iface.type_def(name).map(|d| &d.kind),
        Some(TypeDefKind::TypedDict { .. })
    )
}
