//! Python annotations for [`TypeRef`]s, and the named types a service uses.

use std::collections::BTreeSet;

use graft_model::{Interface, Service, TypeDefKind, TypeRef};

/// The annotation a graft writes for `ty`, as `from __future__ import
/// annotations` lets it: `list[Item]`, `Optional[int]`, `datetime.datetime`.
///
/// `known` holds the named types the graft defines; a name outside it (the
/// interface is inconsistent) is written as `Any` so the graft still imports.
pub fn annotation(ty: &TypeRef, known: &BTreeSet<String>) -> String {
    ty.python_with(&|t| match t {
        TypeRef::DateTime => Some("datetime.datetime".into()),
        TypeRef::Date => Some("datetime.date".into()),
        TypeRef::Decimal => Some("decimal.Decimal".into()),
        TypeRef::Uuid => Some("uuid.UUID".into()),
        TypeRef::TimeDelta => Some("datetime.timedelta".into()),
        TypeRef::Time => Some("datetime.time".into()),
        TypeRef::Named { name } if !known.contains(name) => Some("Any".into()),
        TypeRef::Object { service } if !known.contains(service) => Some("Any".into()),
        _ => None,
    })
}

/// The named types a service's graft defines: those its signatures use,
/// the exceptions of its module, and, transitively, the types their fields use.
pub fn used_types(iface: &Interface, service: &Service) -> BTreeSet<String> {
    let mut pending: Vec<String> = service.exceptions.clone();
    for method in &service.methods {
        names_in(&method.returns, &mut pending);
        for param in &method.params {
            names_in(&param.ty, &mut pending);
        }
    }
    for param in service.constructor.iter().flatten() {
        names_in(&param.ty, &mut pending);
    }
    let mut found = BTreeSet::new();
    while let Some(name) = pending.pop() {
        let Some(def) = iface.type_def(&name) else {
            continue;
        };
        if !found.insert(name) {
            continue;
        }
        let fields = match &def.kind {
            TypeDefKind::Dataclass { fields, .. }
            | TypeDefKind::NamedTuple { fields }
            | TypeDefKind::TypedDict { fields }
            | TypeDefKind::Exception { fields, .. } => fields.as_slice(),
            TypeDefKind::Enum { .. } => &[],
        };
        for field in fields {
            names_in(&field.ty, &mut pending);
        }
        if let TypeDefKind::Exception { base, .. } = &def.kind {
            pending.push(base.clone());
        }
    }
    found
}

fn names_in(ty: &TypeRef, out: &mut Vec<String>) {
    match ty {
        TypeRef::Named { name } => out.push(name.clone()),
        TypeRef::List { item } | TypeRef::Set { item } | TypeRef::VarTuple { item } => {
            names_in(item, out)
        }
        TypeRef::Optional { inner } => names_in(inner, out),
        TypeRef::Dict { key, value } => {
            names_in(key, out);
            names_in(value, out);
        }
        TypeRef::Tuple { items: all } | TypeRef::Union { options: all } => {
            all.iter().for_each(|t| names_in(t, out))
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Constructors of the types the cases name, so that each case reads
    // as one line: the type, then its annotation.

    fn named(n: &str) -> TypeRef {
        TypeRef::Named { name: n.into() }
    }

    fn list(item: TypeRef) -> TypeRef {
        TypeRef::List {
            item: Box::new(item),
        }
    }

    fn optional(inner: TypeRef) -> TypeRef {
        TypeRef::Optional {
            inner: Box::new(inner),
        }
    }

    fn tuple(items: Vec<TypeRef>) -> TypeRef {
        TypeRef::Tuple { items }
    }

    /// `tuple[T, ...]`.
    fn var_tuple(item: TypeRef) -> TypeRef {
        TypeRef::VarTuple {
            item: Box::new(item),
        }
    }

    fn dict(key: TypeRef, value: TypeRef) -> TypeRef {
        TypeRef::Dict {
            key: Box::new(key),
            value: Box::new(value),
        }
    }

    fn set(item: TypeRef) -> TypeRef {
        TypeRef::Set {
            item: Box::new(item),
        }
    }

    #[test]
    fn annotations() {
        let known: BTreeSet<String> = ["Item".to_string()].into();
        let union = TypeRef::Union {
            options: vec![TypeRef::Int, named("Item"), TypeRef::None],
        };
        let cases = [
            (list(named("Item")), "list[Item]"),
            (optional(TypeRef::DateTime), "Optional[datetime.datetime]"),
            (tuple(vec![]), "tuple[()]"),
            (tuple(vec![TypeRef::Int, TypeRef::Str]), "tuple[int, str]"),
            (var_tuple(TypeRef::Date), "tuple[datetime.date, ...]"),
            (
                dict(TypeRef::Str, set(TypeRef::Bytes)),
                "dict[str, set[bytes]]",
            ),
            (union, "Union[int, Item, None]"),
            (named("Unknown"), "Any"),
        ];
        for (ty, text) in cases {
            assert_eq!(annotation(&ty, &known), text);
        }
    }
}
