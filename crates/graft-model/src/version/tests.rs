use super::*;
use crate::interface::{Param, ParamKind};

fn method(kind: MethodKind, streams: bool, params: Vec<TypeRef>, returns: TypeRef) -> Method {
    Method {
        name: "m".into(),
        kind,
        is_async: false,
        doc: None,
        params: params
            .into_iter()
            .enumerate()
            .map(|(i, ty)| Param {
                name: format!("p{i}"),
                kind: ParamKind::PositionalOrKeyword,
                ty,
                default: None,
            })
            .collect(),
        returns,
        streams,
        unavailable: None,
        idempotent: false,
    }
}

#[test]
fn plain_methods_need_the_oldest_version() {
    let m = method(MethodKind::Static, false, vec![TypeRef::Int], TypeRef::Str);
    assert_eq!(needs_version(&m, &Interface::default()), OLDEST);
}

#[test]
fn streams_need_version_5() {
    let m = method(MethodKind::Static, true, vec![], TypeRef::Int);
    assert_eq!(needs_version(&m, &Interface::default()), 5);
}

#[test]
fn objects_need_version_6() {
    let iface = Interface::default();
    let instance = method(MethodKind::Instance, false, vec![], TypeRef::Int);
    assert_eq!(needs_version(&instance, &iface), 6);
    let cart = TypeRef::Object {
        service: "Cart".into(),
    };
    let factory = method(MethodKind::Static, false, vec![], cart.clone());
    assert_eq!(needs_version(&factory, &iface), 6);
    let nested = TypeRef::List {
        item: Box::new(TypeRef::Optional {
            inner: Box::new(cart),
        }),
    };
    let taking = method(MethodKind::Function, true, vec![nested], TypeRef::None);
    assert_eq!(needs_version(&taking, &iface), 6);
}
