//! One service's part of an interface: what a graft of it is built from.

use std::collections::BTreeSet;

use crate::interface::{Interface, Service, TypeRef};

/// The part of `iface` a graft of `service` is built from: the service,
/// the services whose objects it passes (transitively), and the named types
/// they use. `None` when there is no such service.
pub fn slice(iface: &Interface, service: &str) -> Option<Interface> {
    let first = iface.service(service)?;
    let mut names = BTreeSet::from([first.name.clone()]);
    let mut pending = vec![first];
    while let Some(s) = pending.pop() {
        for other in objects_passed(s) {
            if let Some(o) = iface
                .service(&other)
                .filter(|_| names.insert(other.clone()))
            {
                pending.push(o);
            }
        }
    }
    let services: Vec<Service> = iface
        .services
        .iter()
        .filter(|s| names.contains(&s.name))
        .cloned()
        .collect();
    let mut out = Interface {
        project: iface.project.clone(),
        services,
        types: iface.types.clone(),
    };
    // Looked up in every type, so the types the used ones' fields name are found too.
    let used = crate::allow::used::used_types(&out);
    out.types.retain(|t| used.contains(&t.name));
    Some(out)
}

/// The services whose objects `s`'s signatures name.
pub fn objects_passed(s: &Service) -> Vec<String> {
    let mut out = Vec::new();
    let params = s
        .constructor
        .iter()
        .flatten()
        .chain(s.methods.iter().flat_map(|m| &m.params));
    let types = params
        .map(|p| &p.ty)
        .chain(s.methods.iter().map(|m| &m.returns));
    types.for_each(|t| object_names(t, &mut out));
    out
}

fn object_names(ty: &TypeRef, out: &mut Vec<String>) {
    match ty {
        TypeRef::Object { service } => out.push(service.clone()),
        TypeRef::List { item } | TypeRef::Set { item } | TypeRef::VarTuple { item } => {
            object_names(item, out)
        }
        TypeRef::Optional { inner } => object_names(inner, out),
        TypeRef::Dict { key, value } => {
            object_names(key, out);
            object_names(value, out);
        }
        TypeRef::Tuple { items } | TypeRef::Union { options: items } => {
            items.iter().for_each(|t| object_names(t, out))
        }
        _ => {}
    }
}
