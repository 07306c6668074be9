use serde_json::json;

use super::*;
use crate::interface::{Default, MethodKind, Param, TypeRef};

fn param(name: &str, kind: ParamKind, ty: TypeRef, default: bool) -> Param {
    let default = default.then(|| Default {
        json: json!(1),
        python: Some("1".into()),
    });
    Param {
        name: name.into(),
        kind,
        ty,
        default,
    }
}

fn method(params: Vec<Param>) -> Method {
    Method {
        name: "m".into(),
        kind: MethodKind::Static,
        is_async: false,
        doc: None,
        params,
        returns: TypeRef::Int,
        streams: false,
        unavailable: None,
        idempotent: false,
    }
}

fn named(j: Json) -> Arguments {
    Arguments::from_json(j).unwrap()
}

fn calc() -> Method {
    method(vec![
        param(
            "kwh_used",
            ParamKind::PositionalOrKeyword,
            TypeRef::Int,
            false,
        ),
        param("rate", ParamKind::PositionalOrKeyword, TypeRef::Float, true),
        param("note", ParamKind::KeywordOnly, TypeRef::Str, true),
    ])
}

#[test]
fn binds_by_name_and_position() {
    let iface = Interface::default();
    let by_name = bind(
        &calc(),
        named(json!({"kwh_used": 250, "note": "n"})),
        &iface,
    )
    .unwrap();
    assert_eq!(
        by_name.keyword,
        vec![
            ("kwh_used".into(), Value::Int(250)),
            ("note".into(), Value::Str("n".into()))
        ]
    );
    let by_pos = bind(&calc(), named(json!([250, 0.5])), &iface).unwrap();
    assert_eq!(by_pos.positional, vec![Value::Int(250), Value::Float(0.5)]);
    assert_eq!(
        bind(&calc(), named(json!(null)), &iface),
        Err(ArgError::Missing("kwh_used".into()))
    );
}

#[test]
fn errors_name_the_parameter() {
    let iface = Interface::default();
    let err = bind(&calc(), named(json!({"kwh_used": "lots"})), &iface).unwrap_err();
    assert_eq!(err.param(), Some("kwh_used"));
    assert_eq!(
        err.to_string(),
        "argument `kwh_used` has the wrong type: kwh_used: expected int, got \"lots\""
    );
    assert_eq!(
        bind(&calc(), named(json!({"kwh_used": 1, "kwh": 2})), &iface),
        Err(ArgError::Unknown("kwh".into()))
    );
    assert_eq!(
        bind(&calc(), named(json!([1, 2.0, 3])), &iface),
        Err(ArgError::TooMany { max: 2, given: 3 })
    );
    assert!(matches!(
        Arguments::from_json(json!(5)),
        Err(ArgError::NotArguments(_))
    ));
}

#[test]
fn var_args_collect_the_rest() {
    let iface = Interface::default();
    let m = method(vec![
        param("first", ParamKind::PositionalOnly, TypeRef::Int, false),
        param("rest", ParamKind::VarPositional, TypeRef::Int, false),
        param("opts", ParamKind::VarKeyword, TypeRef::Str, false),
    ]);
    let b = bind(&m, named(json!([1, 2, 3])), &iface).unwrap();
    assert_eq!(
        b.positional,
        vec![Value::Int(1), Value::Int(2), Value::Int(3)]
    );
    assert_eq!(
        bind(&m, named(json!({"first": 1})), &iface),
        Err(ArgError::PositionalOnly("first".into()))
    );
    let kw = method(vec![param(
        "opts",
        ParamKind::VarKeyword,
        TypeRef::Str,
        false,
    )]);
    assert_eq!(
        bind(&kw, named(json!({"a": "x"})), &iface).unwrap().keyword,
        vec![("a".into(), Value::Str("x".into()))]
    );
    assert!(bind(&kw, named(json!({"a": 1})), &iface).is_err());
}

#[test]
fn checks_decoded_values_by_position_and_name() {
    let iface = Interface::default();
    let args = BoundArgs {
        positional: vec![Value::Int(250)],
        keyword: vec![("rate".into(), Value::Int(2))],
    };
    let b = check(&calc(), args, &iface).unwrap();
    assert_eq!(b.keyword, vec![("rate".into(), Value::Float(2.0))]);
    let twice = BoundArgs {
        positional: vec![Value::Int(1)],
        keyword: vec![("kwh_used".into(), Value::Int(2))],
    };
    assert_eq!(
        check(&calc(), twice, &iface),
        Err(ArgError::Twice("kwh_used".into()))
    );
    let wrong = BoundArgs {
        positional: vec![Value::Str("x".into())],
        keyword: vec![],
    };
    assert_eq!(
        check(&calc(), wrong, &iface).unwrap_err().param(),
        Some("kwh_used")
    );
    assert_eq!(
        check(&calc(), BoundArgs::default(), &iface),
        Err(ArgError::Missing("kwh_used".into()))
    );
}
