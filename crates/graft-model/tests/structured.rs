//! Structured types (issue 14): Literal, NamedTuple, TypedDict, Flag and
//! pydantic models, through the JSON check and the decoded-value check alike.

use graft_model::json::{from_json, to_json};
use graft_model::{
    Default, EnumMember, Field, Interface, TypeDef, TypeDefKind, TypeRef, Value, check_value,
};
use serde_json::{Value as Json, json};

fn field(name: &str, ty: TypeRef, optional: bool) -> Field {
    Field {
        name: name.into(),
        ty,
        default: optional.then_some(Default {
            json: Json::Null,
            python: None,
        }),
        alias: None,
        constraints: None,
    }
}

fn def(name: &str, kind: TypeDefKind) -> TypeDef {
    TypeDef {
        name: name.into(),
        module: "orders".into(),
        doc: None,
        kind,
    }
}

fn iface() -> Interface {
    let mut order_id = field("order_id", TypeRef::Int, false);
    order_id.alias = Some("orderId".into());
    let member = |name: &str, value: i64| EnumMember {
        name: name.into(),
        value: json!(value),
    };
    let point = vec![
        field("x", TypeRef::Float, false),
        field("y", TypeRef::Float, true),
    ];
    let address = vec![
        field("street", TypeRef::Str, false),
        field("note", TypeRef::Str, true),
    ];
    Interface {
        project: None,
        services: vec![],
        types: vec![
            def("Point", TypeDefKind::NamedTuple { fields: point }),
            def("Address", TypeDefKind::TypedDict { fields: address }),
            def(
                "Perm",
                TypeDefKind::Enum {
                    members: vec![member("READ", 1), member("WRITE", 2), member("EXEC", 4)],
                    flag: true,
                    mixin: None,
                },
            ),
            def(
                "Order",
                TypeDefKind::Dataclass {
                    fields: vec![order_id, field("status", status(), true)],
                    model: true,
                    frozen: false,
                },
            ),
        ],
    }
}

fn status() -> TypeRef {
    TypeRef::Literal {
        values: vec![json!("new"), json!("paid")],
    }
}

fn named(name: &str) -> TypeRef {
    TypeRef::Named { name: name.into() }
}

/// The JSON check's error for `json` as an `arg` of type `ty`.
fn json_error(json: Json, ty: &TypeRef) -> String {
    from_json(&json, ty, &iface(), "arg")
        .unwrap_err()
        .to_string()
}

#[test]
fn a_literal_takes_its_values_only() {
    let iface = iface();
    let ok = from_json(&json!("paid"), &status(), &iface, "status").unwrap();
    assert_eq!(ok, Value::Str("paid".into()));
    let expected = "status: expected Literal['new', 'paid'], got \"bogus\"";
    assert_eq!(json_error_at(json!("bogus"), "status"), expected);
    let wire = check_value(Value::Str("bogus".into()), &status(), &iface, "status");
    assert_eq!(wire.unwrap_err().to_string(), expected);
    assert!(check_value(Value::Str("new".into()), &status(), &iface, "s").is_ok());
    let ints = TypeRef::Literal {
        values: vec![json!(1), json!(true), Json::Null],
    };
    assert_eq!(ints.python(), "Literal[1, True, None]");
    assert!(check_value(Value::Int(1), &ints, &iface, "n").is_ok());
    assert!(check_value(Value::Bool(true), &ints, &iface, "n").is_ok());
    assert!(check_value(Value::Int(2), &ints, &iface, "n").is_err());
}

fn json_error_at(json: Json, path: &str) -> String {
    from_json(&json, &status(), &iface(), path)
        .unwrap_err()
        .to_string()
}

#[test]
fn a_named_tuple_is_an_object_of_its_fields() {
    let iface = iface();
    let point = from_json(&json!({"x": 1.5}), &named("Point"), &iface, "p").unwrap();
    let Value::Object { type_name, fields } = &point else {
        panic!("{point:?}")
    };
    assert_eq!(&**type_name, "Point");
    assert_eq!(fields.len(), 1);
    assert!(check_value(point.clone(), &named("Point"), &iface, "p").is_ok());
    assert!(json_error(json!({"y": 1.0}), &named("Point")).contains("arg.x"));
    // A tuple (a JSON array) by position, as pydantic takes a NamedTuple.
    let by_position = from_json(&json!([1.5]), &named("Point"), &iface, "p").unwrap();
    assert_eq!(by_position, point);
    assert!(from_json(&json!([1.5, 2.0, 3.0]), &named("Point"), &iface, "p").is_err());
    let tuple = Value::Tuple(vec![Value::Float(1.5), Value::Int(2)]);
    let checked = check_value(tuple, &named("Point"), &iface, "p").unwrap();
    assert_eq!(to_json(&checked), json!({"x": 1.5, "y": 2.0}));
    assert!(check_value(Value::Tuple(vec![]), &named("Point"), &iface, "p").is_err());
}

#[test]
fn a_typed_dict_is_a_dict_with_its_keys() {
    let iface = iface();
    let ty = named("Address");
    let given = from_json(&json!({"street": "S"}), &ty, &iface, "a").unwrap();
    assert_eq!(
        given,
        Value::Dict(vec![(Value::Str("street".into()), Value::Str("S".into()))])
    );
    assert_eq!(to_json(&given), json!({"street": "S"}));
    assert!(check_value(given, &ty, &iface, "a").is_ok());
    assert!(json_error(json!({"note": "n"}), &ty).contains("arg.street"));
    assert!(json_error(json!({"street": "S", "zip": 1}), &ty).contains("arg.zip"));
    let dict = |pairs: &[(&str, Value)]| {
        Value::Dict(
            pairs
                .iter()
                .map(|(k, v)| (Value::Str((*k).into()), v.clone()))
                .collect(),
        )
    };
    let missing = check_value(dict(&[("note", Value::Str("n".into()))]), &ty, &iface, "a");
    assert_eq!(
        missing.unwrap_err().to_string(),
        "a.street: expected str, got nothing (the field is required)"
    );
    let wrong = check_value(dict(&[("street", Value::Int(1))]), &ty, &iface, "a");
    assert_eq!(
        wrong.unwrap_err().to_string(),
        "a.street: expected str, got 1"
    );
    let unknown = check_value(
        dict(&[("street", Value::Str("S".into())), ("zip", Value::Int(1))]),
        &ty,
        &iface,
        "a",
    );
    assert!(
        unknown
            .unwrap_err()
            .to_string()
            .starts_with("a.zip: expected no such key in Address")
    );
}

#[test]
fn a_flag_takes_any_combination_of_its_members() {
    let iface = iface();
    let ty = named("Perm");
    let seven = from_json(&json!(7), &ty, &iface, "p").unwrap();
    assert_eq!(
        seven,
        Value::Enum {
            type_name: "Perm".into(),
            value: Box::new(Value::Int(7))
        }
    );
    assert!(from_json(&json!(0), &ty, &iface, "p").is_ok());
    assert!(
        from_json(&json!(6.0), &ty, &iface, "p").is_ok(),
        "an integral number, as JSON Schema counts it"
    );
    assert!(json_error(json!(8), &ty).contains("a combination of 1, 2, 4"));
    assert!(check_value(Value::Int(6), &ty, &iface, "p").is_ok());
    assert!(check_value(Value::Int(9), &ty, &iface, "p").is_err());
}

#[test]
fn a_model_takes_a_field_by_name_or_by_alias() {
    let iface = iface();
    let ty = named("Order");
    for key in ["order_id", "orderId"] {
        let order = from_json(&json!({ key: 3 }), &ty, &iface, "order").unwrap();
        assert_eq!(to_json(&order), json!({"order_id": 3}));
    }
    let bad = json_error(json!({"orderId": 3, "status": "lost"}), &ty);
    assert_eq!(
        bad,
        "arg.status: expected Literal['new', 'paid'], got \"lost\""
    );
}
