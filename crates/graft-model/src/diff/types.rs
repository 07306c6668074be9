//! Changes to named types: dataclasses, named tuples, typed dicts,
//! exceptions and enums.

use super::{Changes, Kind};
use crate::interface::{EnumMember, Field, Interface, TypeDef, TypeDefKind};

/// Adds the changes between the named types of `old` and `new`.
pub(super) fn diff(old: &Interface, new: &Interface, out: &mut Changes) {
    for o in &old.types {
        let subject = format!("type {}", o.name);
        match new.type_def(&o.name) {
            Some(n) => type_def(&subject, o, n, out),
            None => out.push(Kind::Breaking, &subject, "type removed"),
        }
    }
    for n in new.types.iter().filter(|n| old.type_def(&n.name).is_none()) {
        out.push(Kind::Addition, &format!("type {}", n.name), "type added");
    }
}

fn type_def(subject: &str, o: &TypeDef, n: &TypeDef, out: &mut Changes) {
    if o.doc != n.doc {
        out.push(Kind::Other, subject, "doc changed");
    }
    let (old, new) = (shape(&o.kind), shape(&n.kind));
    if old.kind != new.kind {
        let what = format!("changed from {} to {}", old.kind, new.kind);
        return out.push(Kind::Breaking, subject, what);
    }
    if old.traits != new.traits {
        let what = format!("{} changed to {}", old.traits, new.traits);
        out.push(Kind::Breaking, subject, what);
    }
    fields(subject, old.fields, new.fields, out);
    members(subject, old.members, new.members, out);
}

/// What callers of a named type depend on, whatever its kind.
struct Shape<'a> {
    kind: &'static str,
    /// Frozen or not, an exception's base.
    traits: String,
    fields: &'a [Field],
    members: &'a [EnumMember],
}

fn shape(kind: &TypeDefKind) -> Shape<'_> {
    let of = |kind, traits: String, fields| Shape {
        kind,
        traits,
        fields,
        members: &[],
    };
    match kind {
        TypeDefKind::Dataclass { fields, frozen, .. } => {
            let traits = if *frozen { "frozen" } else { "not frozen" };
            of("dataclass", traits.into(), fields)
        }
        TypeDefKind::NamedTuple { fields } => of("NamedTuple", String::new(), fields),
        TypeDefKind::TypedDict { fields } => of("TypedDict", String::new(), fields),
        TypeDefKind::Exception { base, fields } => of("exception", format!("base {base}"), fields),
        TypeDefKind::Enum { members, flag, .. } => Shape {
            kind: if *flag { "Flag" } else { "Enum" },
            traits: String::new(),
            fields: &[],
            members,
        },
    }
}

fn fields(subject: &str, old: &[Field], new: &[Field], out: &mut Changes) {
    for o in old {
        let name = &o.name;
        let Some(n) = new.iter().find(|f| f.name == o.name) else {
            out.push(Kind::Breaking, subject, format!("field `{name}` removed"));
            continue;
        };
        if o.ty != n.ty {
            let (from, to) = (o.ty.python(), n.ty.python());
            let what = format!("field `{name}`: type {from} changed to {to}");
            out.push(Kind::Breaking, subject, what);
        }
        field_default(subject, o, n, out);
    }
    for n in new.iter().filter(|n| !old.iter().any(|o| o.name == n.name)) {
        let (kind, how) = match n.default.is_some() {
            true => (Kind::Addition, "with a default"),
            false => (Kind::Breaking, "without a default"),
        };
        out.push(kind, subject, format!("new field `{}` {how}", n.name));
    }
}

fn field_default(subject: &str, o: &Field, n: &Field, out: &mut Changes) {
    let name = &o.name;
    let (kind, what) = match (o.default.is_some(), n.default.is_some()) {
        (true, false) => (Kind::Breaking, "made required"),
        (false, true) => (Kind::Addition, "given a default"),
        _ if (&o.default, &o.alias, &o.constraints) != (&n.default, &n.alias, &n.constraints) => {
            (Kind::Other, "default or checks changed")
        }
        _ => return,
    };
    out.push(kind, subject, format!("field `{name}` {what}"));
}

fn members(subject: &str, old: &[EnumMember], new: &[EnumMember], out: &mut Changes) {
    for o in old {
        match new.iter().find(|m| m.name == o.name) {
            None => out.push(
                Kind::Breaking,
                subject,
                format!("member {} removed", o.name),
            ),
            Some(n) if n.value != o.value => out.push(
                Kind::Breaking,
                subject,
                format!("member {}: value changed", o.name),
            ),
            Some(_) => {}
        }
    }
    for n in new.iter().filter(|n| !old.iter().any(|o| o.name == n.name)) {
        out.push(Kind::Addition, subject, format!("member {} added", n.name));
    }
}
