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
    use TypeDefKind as K;
    if o.doc != n.doc {
        out.push(Kind::Other, subject, "doc changed");
    }
    match (&o.kind, &n.kind) {
        (
            K::Enum {
                members: om,
                flag: of,
                ..
            },
            K::Enum {
                members: nm,
                flag: nf,
                ..
            },
        ) => {
            if of != nf {
                out.push(Kind::Breaking, subject, "changed between Flag and Enum");
            }
            members(subject, om, nm, out);
        }
        (
            K::Exception {
                base: ob,
                fields: of,
            },
            K::Exception {
                base: nb,
                fields: nf,
            },
        ) => {
            if ob != nb {
                out.push(
                    Kind::Breaking,
                    subject,
                    format!("base {ob} changed to {nb}"),
                );
            }
            fields(subject, of, nf, out);
        }
        (
            K::Dataclass {
                fields: of,
                frozen: ofr,
                ..
            },
            K::Dataclass {
                fields: nf,
                frozen: nfr,
                ..
            },
        ) => {
            if ofr != nfr {
                out.push(Kind::Breaking, subject, "frozen changed");
            }
            fields(subject, of, nf, out);
        }
        (K::NamedTuple { fields: of }, K::NamedTuple { fields: nf })
        | (K::TypedDict { fields: of }, K::TypedDict { fields: nf }) => {
            fields(subject, of, nf, out)
        }
        _ => out.push(Kind::Breaking, subject, "kind of type changed"),
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
            let what = format!(
                "field `{name}`: type {} changed to {}",
                o.ty.python(),
                n.ty.python()
            );
            out.push(Kind::Breaking, subject, what);
        }
        match (o.default.is_some(), n.default.is_some()) {
            (true, false) => out.push(
                Kind::Breaking,
                subject,
                format!("field `{name}` made required"),
            ),
            (false, true) => out.push(
                Kind::Addition,
                subject,
                format!("field `{name}` given a default"),
            ),
            _ if o.default != n.default || o.alias != n.alias || o.constraints != n.constraints => {
                out.push(
                    Kind::Other,
                    subject,
                    format!("field `{name}`: default or checks changed"),
                )
            }
            _ => {}
        }
    }
    for n in new.iter().filter(|n| !old.iter().any(|o| o.name == n.name)) {
        let (kind, how) = match n.default.is_some() {
            true => (Kind::Addition, "with a default"),
            false => (Kind::Breaking, "without a default"),
        };
        out.push(kind, subject, format!("new field `{}` {how}", n.name));
    }
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
