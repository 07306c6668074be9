//! Schemas of the structured types: Literal, NamedTuple, TypedDict, Flag
//! and a pydantic model's field checks.

use graft_model::{Default, EnumMember, Field, TypeDef, TypeDefKind, TypeRef};
use graft_openapi::{type_def_schema, type_schema};
use serde_json::{Map, Value as Json, json};

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

fn def(kind: TypeDefKind) -> TypeDef {
    TypeDef {
        name: "T".into(),
        module: "m".into(),
        doc: None,
        kind,
    }
}

#[test]
fn a_literal_is_an_enum_of_its_values() {
    let ty = TypeRef::Literal {
        values: vec![json!("new"), json!(1), Json::Null],
    };
    assert_eq!(type_schema(&ty), json!({ "enum": ["new", 1, null] }));
}

#[test]
fn a_typed_dict_requires_its_required_keys_only() {
    let fields = vec![
        field("street", TypeRef::Str, false),
        field("note", TypeRef::Str, true),
    ];
    let schema = type_def_schema(&def(TypeDefKind::TypedDict { fields }));
    assert_eq!(schema["required"], json!(["street"]));
    assert_eq!(schema["additionalProperties"], json!(false));
    assert_eq!(schema["properties"]["note"], json!({ "type": "string" }));
}

#[test]
fn a_named_tuple_is_an_object_of_its_fields() {
    let fields = vec![field("x", TypeRef::Float, false)];
    let schema = type_def_schema(&def(TypeDefKind::NamedTuple { fields }));
    assert_eq!(schema["type"], "object");
    assert_eq!(schema["required"], json!(["x"]));
}

#[test]
fn a_flag_is_any_combination_of_its_bits() {
    let member = |name: &str, value: i64| EnumMember {
        name: name.into(),
        value: json!(value),
    };
    let kind = TypeDefKind::Enum {
        members: vec![member("READ", 1), member("WRITE", 2), member("EXEC", 4)],
        flag: true,
        mixin: None,
    };
    let schema = type_def_schema(&def(kind));
    assert_eq!(schema["type"], "integer");
    assert_eq!(
        (&schema["minimum"], &schema["maximum"]),
        (&json!(0), &json!(7))
    );
}

#[test]
fn a_model_field_carries_its_checks() {
    let mut qty = field("qty", TypeRef::Int, false);
    let mut keywords = Map::new();
    keywords.insert("exclusiveMinimum".into(), json!(0));
    qty.constraints = Some(keywords);
    let kind = TypeDefKind::Dataclass {
        fields: vec![qty],
        model: true,
        frozen: false,
    };
    let schema = type_def_schema(&def(kind));
    let expected = json!({ "type": "integer", "format": "int64", "exclusiveMinimum": 0 });
    assert_eq!(schema["properties"]["qty"], expected);
}
