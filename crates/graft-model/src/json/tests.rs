use serde_json::json;

use super::*;
use crate::interface::{Default, EnumMember, Field, Interface, TypeDef, TypeDefKind};
use crate::value::Value;

fn iface() -> Interface {
    let field = |name: &str, ty: TypeRef, default: bool| Field {
        name: name.into(),
        ty,
        default: default.then(|| Default {
            json: json!(0),
            python: Some("0".into()),
        }),
        alias: None,
        constraints: None,
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
                    model: false,
                    frozen: false,
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
                    flag: false,
                    mixin: None,
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

/// JSON Schema counts a number with a zero fractional part as an integer, so
/// `1.0` passes an int parameter (OpenAPI says `"type": "integer"`).
#[test]
fn integral_floats_are_ints() {
    let int = |text: &str| conv(serde_json::from_str(text).unwrap(), TypeRef::Int);
    assert_eq!(int("1.0"), Ok(Value::Int(1)));
    assert_eq!(int("1478.0"), Ok(Value::Int(1478)));
    assert_eq!(int("-0.0"), Ok(Value::Int(0)));
    assert_eq!(int("1e3"), Ok(Value::Int(1000)));
    assert_eq!(
        int("-9223372036854774784.0"),
        Ok(Value::Int(i64::MIN + 1024))
    );
    assert_eq!(int("-9223372036854775808"), Ok(Value::Int(i64::MIN)));
    assert_eq!(int("1.5").unwrap_err().expected, "int");
    // Integers written past the range arrive as floats rounded onto 2^63.
    let past = [
        "-9223372036854775809",
        "9223372036854775808.0",
        "-9223372036854775808.0",
        "1e19",
        "-1e19",
        "1e300",
    ];
    for too_big in past {
        assert_eq!(
            int(too_big).unwrap_err().expected,
            "int within the 64-bit signed range",
            "{too_big}"
        );
    }
    let ints = TypeRef::List {
        item: Box::new(TypeRef::Int),
    };
    assert_eq!(
        conv(json!([2.0, 3]), ints),
        Ok(Value::List(vec![Value::Int(2), Value::Int(3)]))
    );
    let int_or_float = TypeRef::Union {
        options: vec![TypeRef::Int, TypeRef::Float],
    };
    assert_eq!(
        conv(json!(2.0), int_or_float.clone()),
        Ok(Value::Float(2.0))
    );
    assert_eq!(conv(json!(2), int_or_float), Ok(Value::Int(2)));
    let int_or_str = TypeRef::Union {
        options: vec![TypeRef::Str, TypeRef::Int],
    };
    assert_eq!(conv(json!(2.0), int_or_str), Ok(Value::Int(2)));
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
fn a_string_for_a_union_with_str_stays_a_str() {
    let decimal_or_str = TypeRef::Union {
        options: vec![TypeRef::Decimal, TypeRef::Str],
    };
    assert_eq!(
        conv(json!("1.5"), decimal_or_str.clone()),
        Ok(Value::Str("1.5".into()))
    );
    assert_eq!(
        conv(json!(1.5), decimal_or_str),
        Ok(Value::Decimal("1.5".into()))
    );
    let date_or_str = TypeRef::Union {
        options: vec![TypeRef::DateTime, TypeRef::Str],
    };
    assert_eq!(
        conv(json!("2026-01-02T00:00:00"), date_or_str),
        Ok(Value::Str("2026-01-02T00:00:00".into()))
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

#[test]
fn a_call_body_is_an_object_an_array_or_nothing() {
    let named = |body: &str| match call_arguments(body.as_bytes()) {
        Ok(crate::bind::Arguments::Named(map)) => map.len(),
        other => panic!("{body}: {other:?}"),
    };
    assert_eq!(named(""), 0);
    // whitespace alone is not JSON text (schemathesis's ST201)
    assert!(matches!(call_arguments(b" \n"), Err(BodyError::NotJson(_))));
    assert_eq!(named("{}"), 0);
    assert_eq!(named(r#"{"a": 1}"#), 1);
    assert!(matches!(
        call_arguments(b"[1, 2]"),
        Ok(crate::bind::Arguments::Positional(items)) if items.len() == 2
    ));
    for body in ["null", " null ", "3", "\"a\""] {
        let err = call_arguments(body.as_bytes()).unwrap_err();
        assert!(
            matches!(
                err,
                BodyError::Arguments(crate::bind::ArgError::NotArguments(_))
            ),
            "{body}: {err:?}"
        );
    }
    assert_eq!(
        call_arguments(b"null").unwrap_err().to_string(),
        "the arguments must be a JSON object (by name) or a JSON array (by position), got null"
    );
    assert!(matches!(call_arguments(b"{"), Err(BodyError::NotJson(_))));
}

/// JSON allows `\ud800` alone; no Unicode text can hold it, and serde_json's
/// own message ("unexpected end of hex escape") would send the caller looking
/// for a typo. The message names the escape instead.
#[test]
fn a_lone_surrogate_is_named() {
    for (body, escape, at) in [
        (r#"{"s": "\ud800"}"#, r"\ud800", 7),
        (r#"{"s": "a\uDBFFb"}"#, r"\uDBFF", 8),
        (r#"{"s": "\udc00"}"#, r"\udc00", 7),
        (r#"{"s": "\ud83d\ude00\ud800x"}"#, r"\ud800", 19),
        (r#"["\\", "\ud800"]"#, r"\ud800", 8),
    ] {
        let err = call_arguments(body.as_bytes()).unwrap_err().to_string();
        let expected = format!("`{escape}` at byte {at} is a lone surrogate");
        assert!(err.contains(&expected), "{body}: {err}");
        assert!(!err.contains("hex escape"), "{err}");
    }
    // A pair is one character; `\\ud800` is a backslash and text.
    let pair = r#"{"s": "\ud83d\ude00", "t": "\\ud800"}"#;
    let Ok(crate::bind::Arguments::Named(map)) = call_arguments(pair.as_bytes()) else {
        panic!()
    };
    assert_eq!(map["s"], json!("\u{1F600}"));
    assert_eq!(map["t"], json!("\\ud800"));
    // Other bad JSON keeps the parser's message.
    let err = call_arguments(br#"{"s": "\uZZZZ"}"#)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("the body is not valid JSON: "), "{err}");
}

#[test]
fn decimals_uuids_durations_and_times_take_pydantics_json_forms() {
    let dec = |s: &str| Ok(Value::Decimal(s.into()));
    assert_eq!(conv(json!("1.50"), TypeRef::Decimal), dec("1.50"));
    assert_eq!(conv(json!(1.5), TypeRef::Decimal), dec("1.5"));
    assert_eq!(conv(json!(7), TypeRef::Decimal), dec("7"));
    let err = conv(json!("1.5x"), TypeRef::Decimal).unwrap_err();
    assert_eq!(err.to_string(), "x: expected Decimal, got \"1.5x\"");
    let id = "12345678-9abc-def0-1234-56789abcdef0";
    let uuid = conv(json!(id.to_uppercase()), TypeRef::Uuid).unwrap();
    assert_eq!(to_json(&uuid), json!(id));
    assert!(conv(json!(12), TypeRef::Uuid).is_err());
    let delta = conv(json!("-PT1S"), TypeRef::TimeDelta).unwrap();
    assert_eq!(to_json(&delta), json!("-PT1S"));
    assert_eq!(
        to_json(&conv(json!(90.5), TypeRef::TimeDelta).unwrap()),
        json!("PT1M30.5S")
    );
    assert!(conv(json!("an hour"), TypeRef::TimeDelta).is_err());
    let time = conv(json!("10:00:00.250000+01:00"), TypeRef::Time).unwrap();
    assert_eq!(to_json(&time), json!("10:00:00.250000+01:00"));
    assert!(conv(json!("25:00"), TypeRef::Time).is_err());
    // A zero offset is pydantic's `Z`; the value keeps isoformat's text.
    let utc = conv(json!("2026-03-28T23:00:00Z"), TypeRef::DateTime).unwrap();
    assert_eq!(to_json(&utc), json!("2026-03-28T23:00:00Z"));
    let utc = Value::DateTime("2026-03-28T23:00:00.000001+00:00".into());
    assert_eq!(to_json(&utc), json!("2026-03-28T23:00:00.000001Z"));
    assert_eq!(
        to_json(&Value::Time("10:00:00+00:00".into())),
        json!("10:00:00Z")
    );
    let naive = Value::DateTime("2026-03-28T23:00:00".into());
    assert_eq!(to_json(&naive), json!("2026-03-28T23:00:00"));
    // As dict keys they are text, never reparsed as numbers.
    let dict = TypeRef::Dict {
        key: Box::new(TypeRef::Decimal),
        value: Box::new(TypeRef::Int),
    };
    let keyed = conv(json!({"1.50": 1}), dict).unwrap();
    assert_eq!(
        keyed,
        Value::Dict(vec![(Value::Decimal("1.50".into()), Value::Int(1))])
    );
}

#[test]
fn an_int_for_a_union_with_float_stays_an_int() {
    let float_or_str = TypeRef::Union {
        options: vec![TypeRef::Float, TypeRef::Str],
    };
    assert_eq!(
        conv(json!(1000000), float_or_str.clone()),
        Ok(Value::Int(1000000))
    );
    assert_eq!(
        conv(json!(1.5), float_or_str.clone()),
        Ok(Value::Float(1.5))
    );
    assert_eq!(conv(json!("7"), float_or_str), Ok(Value::Str("7".into())));
    // A lone float makes it one, as before.
    assert_eq!(conv(json!(3), TypeRef::Float), Ok(Value::Float(3.0)));
}
