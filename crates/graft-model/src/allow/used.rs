//! The named types an interface's services use: those their signatures name,
//! the exceptions of their modules, and the types those name in turn.

use std::collections::BTreeSet;

use crate::interface::{Field, Interface, TypeDefKind, TypeRef};

/// The names of the types `iface`'s services reach, directly or through
/// other types' fields (and an exception's base).
pub fn used_types(iface: &Interface) -> BTreeSet<String> {
    let mut found = Found::default();
    for service in &iface.services {
        found.pending.extend(service.exceptions.iter().cloned());
        let params = service.constructor.iter().flatten();
        let params = params.chain(service.methods.iter().flat_map(|m| &m.params));
        for param in params {
            found.type_ref(&param.ty);
        }
        for method in &service.methods {
            found.type_ref(&method.returns);
        }
    }
    while let Some(name) = found.pending.pop() {
        if !found.used.insert(name.clone()) {
            continue;
        }
        let Some(def) = iface.type_def(&name) else {
            continue;
        };
        let fields = match &def.kind {
            TypeDefKind::Dataclass { fields, .. }
            | TypeDefKind::NamedTuple { fields }
            | TypeDefKind::TypedDict { fields } => fields.as_slice(),
            TypeDefKind::Exception { base, fields } => {
                found.pending.push(base.clone());
                fields.as_slice()
            }
            TypeDefKind::Enum { .. } => &[],
        };
        fields.iter().for_each(|f: &Field| found.type_ref(&f.ty));
    }
    found.used
}

#[derive(Default)]
struct Found {
    used: BTreeSet<String>,
    /// Names reached and not yet looked into.
    pending: Vec<String>,
}

impl Found {
    fn type_ref(&mut self, ty: &TypeRef) {
        match ty {
            TypeRef::Named { name } => self.pending.push(name.clone()),
            TypeRef::List { item }
            | TypeRef::Set { item }
            | TypeRef::VarTuple { item }
            | TypeRef::Optional { inner: item } => self.type_ref(item),
            TypeRef::Tuple { items } | TypeRef::Union { options: items } => {
                items.iter().for_each(|t| self.type_ref(t));
            }
            TypeRef::Dict { key, value } => {
                self.type_ref(key);
                self.type_ref(value);
            }
            _ => {}
        }
    }
}
