//! Which protocol version a method needs of a wire client: the one rule,
//! read by the gateway's TCP side before it runs a call.

use crate::interface::{Field, Interface, Method, MethodKind, TypeDefKind, TypeRef};

/// The oldest protocol version a client may call with.
pub const OLDEST: u16 = 3;
/// Streaming methods ([`Method::streams`]).
pub const STREAMS: u16 = 5;
/// Remote objects (constructors, instance methods, object references) and
/// the value types of issue 14.
pub const OBJECTS: u16 = 6;

/// The oldest protocol version whose clients can call `method`: it
/// streams, it is an object's method or constructor, or one of its
/// parameter, return or field types needs a newer value form.
pub fn needs_version(method: &Method, interface: &Interface) -> u16 {
    let own = if method.kind == MethodKind::Instance || method.name == "__init__" {
        OBJECTS
    } else if method.streams {
        STREAMS
    } else {
        OLDEST
    };
    let mut seen = Vec::new();
    let types = method
        .params
        .iter()
        .map(|p| &p.ty)
        .chain(std::iter::once(&method.returns));
    types.fold(own, |v, ty| v.max(type_version(ty, interface, &mut seen)))
}

/// The version a value of `ty` needs; `seen` holds the named types
/// visited, so a recursive type ends.
fn type_version<'a>(ty: &'a TypeRef, interface: &'a Interface, seen: &mut Vec<&'a str>) -> u16 {
    let mut of = |t: &'a TypeRef| type_version(t, interface, seen);
    match ty {
        TypeRef::Any
        | TypeRef::None
        | TypeRef::Bool
        | TypeRef::Int
        | TypeRef::Float
        | TypeRef::Str
        | TypeRef::Bytes
        | TypeRef::DateTime
        | TypeRef::Date
        | TypeRef::Literal { .. } => OLDEST,
        TypeRef::Object { .. }
        | TypeRef::Decimal
        | TypeRef::Uuid
        | TypeRef::TimeDelta
        | TypeRef::Time => OBJECTS,
        TypeRef::List { item } | TypeRef::Set { item } | TypeRef::VarTuple { item } => of(item),
        TypeRef::Optional { inner } => of(inner),
        TypeRef::Dict { key, value } => of(key).max(of(value)),
        TypeRef::Tuple { items } => items.iter().map(of).max().unwrap_or(OLDEST),
        TypeRef::Union { options } => options.iter().map(of).max().unwrap_or(OLDEST),
        TypeRef::Named { name } => named_version(name, interface, seen),
    }
}

fn named_version<'a>(name: &'a str, interface: &'a Interface, seen: &mut Vec<&'a str>) -> u16 {
    if seen.contains(&name) {
        return OLDEST;
    }
    seen.push(name);
    // The kinds with fields need what their fields need; others (enums) nothing new.
    let fields: &[Field] = match interface.type_def(name).map(|d| &d.kind) {
        Some(
            TypeDefKind::Dataclass { fields, .. }
            | TypeDefKind::NamedTuple { fields }
            | TypeDefKind::TypedDict { fields }
            | TypeDefKind::Exception { fields, .. },
        ) => fields,
        _ => &[],
    };
    fields
        .iter()
        .map(|f| type_version(&f.ty, interface, seen))
        .max()
        .unwrap_or(OLDEST)
}

#[cfg(test)]
mod tests;
