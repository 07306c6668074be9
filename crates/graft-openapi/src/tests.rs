use graft_model::interface::Project;
use graft_model::{
    Default, EnumMember, Field, Interface, Method, MethodKind, Param, ParamKind, Service,
    ServiceKind, TypeDef, TypeDefKind, TypeRef,
};
use serde_json::{Value as Json, json};

use super::*;

fn param(name: &str, kind: ParamKind, ty: TypeRef, default: Option<(Json, &str)>) -> Param {
    let default = default.map(|(json, python)| Default {
        json,
        python: Some(python.into()).filter(|p: &String| !p.is_empty()),
    });
    Param {
        name: name.into(),
        kind,
        ty,
        default,
    }
}

fn method(name: &str, doc: Option<&str>, params: Vec<Param>, returns: TypeRef) -> Method {
    Method {
        name: name.into(),
        kind: MethodKind::Static,
        is_async: false,
        doc: doc.map(Into::into),
        params,
        returns,
        streams: false,
        unavailable: None,
        idempotent: false,
    }
}

fn service(name: &str, doc: Option<&str>, methods: Vec<Method>) -> Service {
    Service {
        name: name.into(),
        kind: ServiceKind::Class,
        module: name.to_lowercase(),
        file: format!("src/{}.py", name.to_lowercase()),
        doc: doc.map(Into::into),
        methods,
        exceptions: vec![],
        constructor: None,
    }
}

/// The two services of the tutorial.
fn tutorial() -> Interface {
    let kwh = param(
        "kwh_used",
        ParamKind::PositionalOrKeyword,
        TypeRef::Int,
        None,
    );
    Interface {
        project: Some(Project {
            name: "energy-platform".into(),
            version: "1.0.0".into(),
        }),
        services: vec![
            service(
                "EnergyPriceCalculator",
                None,
                vec![method("get_price", None, vec![], TypeRef::Int)],
            ),
            service(
                "BillingService",
                Some("Bills customers."),
                vec![method("calculate_bill", None, vec![kwh], TypeRef::Int)],
            ),
        ],
        types: vec![],
    }
}

fn named(name: &str) -> TypeRef {
    TypeRef::Named { name: name.into() }
}

fn field(name: &str, ty: TypeRef, default: Option<Json>) -> Field {
    Field {
        name: name.into(),
        ty,
        default: default.map(|json| Default {
            python: Some(json.to_string()),
            json,
        }),
        alias: None,
        constraints: None,
    }
}

/// A shop with named types and every kind of parameter.
fn shop() -> Interface {
    let kind = ParamKind::PositionalOrKeyword;
    let methods = vec![
        method(
            "order",
            Some("Places an order.\n\nReturns the order's id."),
            vec![
                param(
                    "items",
                    kind,
                    TypeRef::List {
                        item: Box::new(named("Item")),
                    },
                    None,
                ),
                param(
                    "color",
                    kind,
                    named("Color"),
                    Some((json!("red"), "Color.RED")),
                ),
                param(
                    "note",
                    ParamKind::KeywordOnly,
                    TypeRef::Optional {
                        inner: Box::new(TypeRef::Str),
                    },
                    Some((json!(null), "None")),
                ),
                param(
                    "tags",
                    kind,
                    TypeRef::Set {
                        item: Box::new(TypeRef::Str),
                    },
                    Some((json!(null), "")),
                ),
            ],
            TypeRef::Int,
        ),
        method(
            "log",
            None,
            vec![
                param("level", ParamKind::PositionalOnly, TypeRef::Int, None),
                param("args", ParamKind::VarPositional, TypeRef::Str, None),
                param("extra", ParamKind::VarKeyword, TypeRef::Float, None),
            ],
            TypeRef::None,
        ),
        Method {
            streams: true,
            ..method(
                "watch",
                Some("The item's stock, each time it changes."),
                vec![param("sku", kind, TypeRef::Str, None)],
                named("Item"),
            )
        },
    ];
    let types = vec![
        TypeDef {
            name: "Item".into(),
            module: "shop".into(),
            doc: Some("One line of an order.".into()),
            kind: TypeDefKind::Dataclass {
                fields: vec![
                    field("sku", TypeRef::Str, None),
                    field("qty", TypeRef::Int, Some(json!(1))),
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
                        value: json!("red"),
                    },
                    EnumMember {
                        name: "BLUE".into(),
                        value: json!("blue"),
                    },
                ],
                flag: false,
                mixin: None,
            },
        },
        TypeDef {
            name: "OutOfStock".into(),
            module: "shop".into(),
            doc: None,
            kind: TypeDefKind::Exception {
                base: "Exception".into(),
                fields: vec![field("sku", TypeRef::Str, None)],
            },
        },
    ];
    Interface {
        project: None,
        services: vec![service("Shop", None, methods)],
        types,
    }
}

#[test]
fn tutorial_document() {
    insta::assert_json_snapshot!(openapi(&tutorial()));
}

#[test]
fn scalar_schemas() {
    assert_eq!(
        type_schema(&TypeRef::Int),
        json!({ "type": "integer", "format": "int64" })
    );
    assert_eq!(
        type_schema(&TypeRef::Float),
        json!({ "type": "number", "format": "double" })
    );
    assert_eq!(type_schema(&TypeRef::Bool), json!({ "type": "boolean" }));
    assert_eq!(type_schema(&TypeRef::Str), json!({ "type": "string" }));
    assert_eq!(
        type_schema(&TypeRef::Bytes),
        json!({ "type": "string", "contentEncoding": "base64", "pattern": schema::BASE64_PATTERN })
    );
    assert_eq!(
        type_schema(&TypeRef::DateTime),
        json!({ "type": "string", "format": "date-time" })
    );
    assert_eq!(
        type_schema(&TypeRef::Date),
        json!({ "type": "string", "format": "date" })
    );
    assert_eq!(type_schema(&TypeRef::None), json!({ "type": "null" }));
    assert_eq!(type_schema(&TypeRef::Any), json!({}));
}

#[test]
fn container_schemas() {
    let int = || Box::new(TypeRef::Int);
    assert_eq!(
        type_schema(&TypeRef::List { item: int() }),
        json!({ "type": "array", "items": { "type": "integer", "format": "int64" } })
    );
    assert_eq!(
        type_schema(&TypeRef::Set {
            item: Box::new(TypeRef::Str)
        }),
        json!({ "type": "array", "items": { "type": "string" }, "uniqueItems": true })
    );
    assert_eq!(
        type_schema(&TypeRef::VarTuple {
            item: Box::new(TypeRef::Bool)
        }),
        json!({ "type": "array", "items": { "type": "boolean" } })
    );
    assert_eq!(
        type_schema(&TypeRef::Tuple {
            items: vec![TypeRef::Str, TypeRef::None]
        }),
        json!({ "type": "array", "prefixItems": [{ "type": "string" }, { "type": "null" }], "items": false, "minItems": 2, "maxItems": 2 })
    );
    assert_eq!(
        type_schema(&TypeRef::Dict {
            key: Box::new(TypeRef::Str),
            value: Box::new(TypeRef::Float)
        }),
        json!({ "type": "object", "additionalProperties": { "type": "number", "format": "double" } })
    );
    let by_int = type_schema(&TypeRef::Dict {
        key: int(),
        value: Box::new(TypeRef::Any),
    });
    assert_eq!(
        by_int["propertyNames"],
        json!({ "pattern": "^-?(0|[1-9][0-9]*)$" })
    );
}

#[test]
fn union_optional_and_named_schemas() {
    assert_eq!(
        type_schema(&TypeRef::Optional {
            inner: Box::new(named("Item"))
        }),
        json!({ "anyOf": [{ "$ref": "#/components/schemas/Item" }, { "type": "null" }] })
    );
    assert_eq!(
        type_schema(&TypeRef::Union {
            options: vec![TypeRef::Int, TypeRef::Str]
        }),
        json!({ "anyOf": [{ "type": "integer", "format": "int64" }, { "type": "string" }] })
    );
}

#[test]
fn request_body_has_named_arguments_required_and_defaults() {
    let doc = openapi(&shop());
    let op = &doc["paths"]["/call/Shop/order"]["post"];
    assert_eq!(op["operationId"], "Shop.order");
    assert_eq!(op["summary"], "Places an order.");
    assert_eq!(
        op["description"],
        "Places an order.\n\nReturns the order's id."
    );
    assert_eq!(op["requestBody"]["required"], true);
    let body = &op["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(body["type"], "object");
    assert_eq!(body["required"], json!(["items"]));
    assert_eq!(body["additionalProperties"], false);
    let props = &body["properties"];
    assert_eq!(
        props["items"]["items"],
        json!({ "$ref": "#/components/schemas/Item" })
    );
    assert_eq!(
        props["color"],
        json!({ "$ref": "#/components/schemas/Color", "default": "red" })
    );
    // `None` is a real default; a default with no JSON form is left out.
    assert_eq!(props["note"]["default"], Json::Null);
    assert!(props["tags"].get("default").is_none(), "{}", props["tags"]);
}

#[test]
fn positional_only_and_var_parameters() {
    let doc = openapi(&shop());
    let op = &doc["paths"]["/call/Shop/log"]["post"];
    assert_eq!(op["requestBody"]["required"], true);
    let [named, positional] = op["requestBody"]["content"]["application/json"]["schema"]["anyOf"]
        .as_array()
        .unwrap()
        .as_slice()
    else {
        panic!("expected two forms of arguments: {op}");
    };
    assert_eq!(named["properties"], json!({}));
    assert_eq!(
        named["additionalProperties"],
        json!({ "type": "number", "format": "double" })
    );
    assert_eq!(
        positional["prefixItems"],
        json!([{ "type": "integer", "format": "int64", "description": "level" }])
    );
    assert_eq!(positional["items"], json!({ "type": "string" }));
    assert_eq!(positional["minItems"], 1);
    assert_eq!(
        op["responses"]["200"]["content"]["application/json"]["schema"],
        json!({ "type": "null" })
    );
}

#[test]
fn named_type_schemas() {
    let doc = openapi(&shop());
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["Item"],
        json!({
            "title": "Item",
            "description": "One line of an order.",
            "type": "object",
            "properties": { "sku": { "type": "string" }, "qty": { "type": "integer", "format": "int64", "default": 1 } },
            "required": ["sku"],
            "additionalProperties": false,
        })
    );
    assert_eq!(
        schemas["Color"],
        json!({ "title": "Color", "enum": ["red", "blue"], "x-enum-varnames": ["RED", "BLUE"] })
    );
    assert_eq!(schemas["OutOfStock"]["type"], "object");
    assert_eq!(schemas["OutOfStock"]["required"], json!(["sku"]));
    assert_eq!(schemas["OutOfStock"]["x-python-base"], "Exception");
}

#[test]
fn error_responses_share_the_error_body() {
    let doc = openapi(&tutorial());
    let responses = &doc["paths"]["/call/BillingService/calculate_bill"]["post"]["responses"];
    for (status, key) in [
        ("400", "graft.BadArguments"),
        ("404", "graft.NotFound"),
        ("500", "graft.Raised"),
        ("504", "graft.Timeout"),
    ] {
        assert_eq!(
            responses[status]["$ref"],
            format!("#/components/responses/{key}")
        );
        let schema = &doc["components"]["responses"][key]["content"]["application/json"]["schema"];
        assert_eq!(schema["$ref"], "#/components/schemas/graft.Error");
    }
    let error = &doc["components"]["schemas"]["graft.Error"]["properties"]["error"];
    assert_eq!(error["required"], json!(["type", "message"]));
    let mut fields: Vec<&String> = error["properties"].as_object().unwrap().keys().collect();
    fields.sort();
    assert_eq!(fields, ["callId", "message", "param", "traceback", "type"]);
}

mod stream;
mod structure;

/// The call API decodes only canonical padded base64, which is what
/// BASE64_PATTERN describes (tests/e2e/test_http_api.py matches the pattern
/// itself against the gateway).
#[test]
fn bytes_are_canonical_padded_base64() {
    use graft_model::json::from_json;
    let iface = Interface::default();
    let decodes = |text: &str| from_json(&json!(text), &TypeRef::Bytes, &iface, "b").is_ok();
    // (text, whether it is canonical padded base64)
    let cases = [
        ("", true),
        ("QQ==", true),
        ("QUI=", true),
        ("QUJD", true),
        ("QR==", false),
        ("QUJ=", false),
        ("QQ", false),
        ("QQ=", false),
        ("Q===", false),
        ("QUJD\n", false),
        ("ìh", false),
    ];
    for (text, canonical) in cases {
        assert_eq!(decodes(text), canonical, "{text:?}");
    }
}

/// The scalars of issue 14 are strings with a format (and a pattern where
/// the format alone says too little); what the patterns allow, the call API takes.
#[test]
fn decimal_uuid_duration_and_time_schemas() {
    use graft_model::json::from_json;
    assert_eq!(
        type_schema(&TypeRef::Uuid),
        json!({"type": "string", "format": "uuid"})
    );
    assert_eq!(
        type_schema(&TypeRef::TimeDelta),
        json!({"type": "string", "format": "duration"})
    );
    assert_eq!(type_schema(&TypeRef::Decimal)["format"], "decimal");
    assert_eq!(type_schema(&TypeRef::Time)["pattern"], schema::TIME_PATTERN);
    let iface = Interface::default();
    for (ty, text) in [
        (TypeRef::Decimal, "-1.50e3"),
        (TypeRef::Decimal, ".5"),
        (TypeRef::Time, "23:59:59.5Z"),
    ] {
        assert!(from_json(&json!(text), &ty, &iface, "x").is_ok(), "{text}");
    }
}

#[test]
fn an_unavailable_method_has_no_operation() {
    let mut iface = tutorial();
    iface.services[0].methods[0].unavailable =
        Some("parameter `x`: type `m.Opaque` has no Graft form".into());
    let name = iface.services[0].methods[0].name.clone();
    let doc = openapi(&iface);
    let paths = doc["paths"].as_object().unwrap();
    assert!(
        !paths.keys().any(|p| p.ends_with(&format!("/{name}"))),
        "{paths:?}"
    );
}

#[test]
fn idempotent_methods_are_marked() {
    let mut iface = tutorial();
    iface.services[0].methods[0].idempotent = true;
    let doc = openapi(&iface);
    let price = &doc["paths"]["/call/EnergyPriceCalculator/get_price"]["post"];
    assert_eq!(price["x-graft-idempotent"], json!(true));
    let bill = &doc["paths"]["/call/BillingService/calculate_bill"]["post"];
    assert!(
        bill.get("x-graft-idempotent").is_none(),
        "only where declared"
    );
}
