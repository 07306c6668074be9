use serde_json::json;

use super::*;
use crate::interface::{Default, EnumMember, TypeDef};

fn iface() -> Interface {
    let field = |name: &str, ty: TypeRef, default: bool| Field {
        name: name.into(),
        ty,
        default: default.then(|| Default {
            json: json!(0),
            python: Some("0".into()),
        }),
    };
    Interface {
        project: None,
        services: vec![],
        types: vec![
            TypeDef {
                name: "Item".into(),
                module: "shop".into(),
                doc: None,
                kind: TypeDefKind::Dataclass {
                    fields: vec![
                        field("sku", TypeRef::Str, false),
                        field("qty", TypeRef::Int, true),
                    ],
                },
            },
            TypeDef {
                name: "Color".into(),
                module: "shop".into(),
                doc: None,
                kind: TypeDefKind::Enum {
                    members: vec![
                        EnumMember {
                            name: "RED".into(),
                            value: json!(1),
                        },
                        EnumMember {
                            name: "BLUE".into(),
                            value: json!(2),
                        },
                    ],
                },
            },
        ],
    }
}

fn conv(j: Json, ty: TypeRef) -> Result<Value, TypeError> {
    from_json(&j, &ty, &iface(), "x")
}

fn named(name: &str) -> TypeRef {
    TypeRef::Named { name: name.into() }
}

#[test]
fn scalars_convert_and_refuse_other_kinds() {
    assert_eq!(conv(json!(250), TypeRef::Int), Ok(Value::Int(250)));
    assert_eq!(
        conv(json!(i64::MAX), TypeRef::Int),
        Ok(Value::Int(i64::MAX))
    );
    assert_eq!(conv(json!(2.5), TypeRef::Float), Ok(Value::Float(2.5)));
    assert_eq!(conv(json!(2), TypeRef::Float), Ok(Value::Float(2.0)));
    assert_eq!(conv(json!("2"), TypeRef::Int).unwrap_err().expected, "int");
    assert_eq!(conv(json!(2.5), TypeRef::Int).unwrap_err().found, "2.5");
    assert_eq!(
        conv(json!(u64::MAX), TypeRef::Int).unwrap_err().expected,
        "int within the 64-bit signed range"
    );
    assert!(conv(json!(1), TypeRef::Bool).is_err());
    assert_eq!(conv(json!(null), TypeRef::None), Ok(Value::None));
}

#[test]
fn bytes_are_base64_and_dates_iso() {
    assert_eq!(
        conv(json!("aGk="), TypeRef::Bytes),
        Ok(Value::Bytes(b"hi".to_vec().into()))
    );
    assert!(conv(json!("not base64!"), TypeRef::Bytes).is_err());
    assert!(conv(json!("2024-02-29T12:30:00+01:00"), TypeRef::DateTime).is_ok());
    assert!(conv(json!("2024-02-29T12:30:00.123456"), TypeRef::DateTime).is_ok());
    assert!(conv(json!("2024-02-30"), TypeRef::Date).is_err());
    assert!(conv(json!("yesterday"), TypeRef::DateTime).is_err());
}

#[test]
fn containers_keep_their_kind_and_report_paths() {
    let list = TypeRef::List {
        item: Box::new(TypeRef::Int),
    };
    assert_eq!(
        conv(json!([1, 2]), list.clone()),
        Ok(Value::List(vec![Value::Int(1), Value::Int(2)]))
    );
    assert_eq!(conv(json!([1, "a"]), list).unwrap_err().path, "x[1]");
    let pair = TypeRef::Tuple {
        items: vec![TypeRef::Int, TypeRef::Str],
    };
    assert_eq!(
        conv(json!([1, "a"]), pair.clone()),
        Ok(Value::Tuple(vec![Value::Int(1), Value::Str("a".into())]))
    );
    assert!(conv(json!([1]), pair).is_err());
    let dict = TypeRef::Dict {
        key: Box::new(TypeRef::Int),
        value: Box::new(TypeRef::Str),
    };
    assert_eq!(
        conv(json!({"7": "a"}), dict.clone()),
        Ok(Value::Dict(vec![(Value::Int(7), Value::Str("a".into()))]))
    );
    assert!(conv(json!({"seven": "a"}), dict).is_err());
}

#[test]
fn optional_and_union_try_each_option() {
    let opt = TypeRef::Optional {
        inner: Box::new(TypeRef::Int),
    };
    assert_eq!(conv(json!(null), opt.clone()), Ok(Value::None));
    assert_eq!(conv(json!(3), opt.clone()), Ok(Value::Int(3)));
    assert!(conv(json!("3"), opt).is_err());
    let union = TypeRef::Union {
        options: vec![TypeRef::Int, TypeRef::Str],
    };
    assert_eq!(conv(json!("a"), union.clone()), Ok(Value::Str("a".into())));
    assert_eq!(
        conv(json!(true), union).unwrap_err().expected,
        "Union[int, str]"
    );
}

#[test]
fn dataclasses_check_fields() {
    let ok = conv(json!({"sku": "A1"}), named("Item")).unwrap();
    assert_eq!(
        ok,
        Value::Object {
            type_name: "Item".into(),
            fields: vec![("sku".into(), Value::Str("A1".into()))]
        }
    );
    assert_eq!(
        conv(json!({"qty": 1}), named("Item")).unwrap_err().path,
        "x.sku"
    );
    assert_eq!(
        conv(json!({"sku": "A", "colour": 1}), named("Item"))
            .unwrap_err()
            .path,
        "x.colour"
    );
    assert_eq!(
        conv(json!({"sku": 5}), named("Item")).unwrap_err().path,
        "x.sku"
    );
}

#[test]
fn enums_take_values_or_member_names() {
    let red = Value::Enum {
        type_name: "Color".into(),
        value: Box::new(Value::Int(1)),
    };
    assert_eq!(conv(json!(1), named("Color")), Ok(red.clone()));
    assert_eq!(conv(json!("RED"), named("Color")), Ok(red));
    assert_eq!(
        conv(json!(3), named("Color")).unwrap_err().expected,
        "Color, one of 1, 2"
    );
}

#[test]
fn to_json_writes_every_kind() {
    let v = Value::Dict(vec![
        (Value::Int(1), Value::Bytes(b"hi".to_vec().into())),
        (
            Value::Str("t".into()),
            Value::Tuple(vec![Value::Float(0.5), Value::None]),
        ),
        (
            Value::Str("e".into()),
            Value::Enum {
                type_name: "Color".into(),
                value: Box::new(Value::Int(2)),
            },
        ),
        (Value::Str("big".into()), Value::Int(i64::MIN)),
    ]);
    assert_eq!(
        to_json(&v),
        json!({"1": "aGk=", "t": [0.5, null], "e": 2, "big": i64::MIN})
    );
}
