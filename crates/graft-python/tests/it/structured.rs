//! Structured types through the host (tests/e2e/fixtures/realcode/orders.py):
//! pydantic models validated by the model itself, NamedTuples read as
//! objects, TypedDicts as dicts, Flag combinations, and their discovery.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use graft_model::json::{from_json, to_json};
use graft_model::{BoundArgs, TypeDefKind, TypeRef, Value};
use graft_python::{CallError, Host};
use serde_json::{Value as Json, json};

use crate::Calls;

fn orders() -> &'static Arc<Host> {
    static HOST: OnceLock<Arc<Host>> = OnceLock::new();
    HOST.get_or_init(|| {
        let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/e2e/fixtures/realcode/orders.py");
        Host::start(&[file]).expect("the orders fixture loads")
    })
}

/// Calls `Orders.method` with JSON arguments by name, converted as the
/// call API converts them; the answer as JSON.
async fn call(method: &str, args: Json) -> Result<Json, CallError> {
    let host = orders();
    let iface = host.interface();
    let signature = iface.method("Orders", method).expect("the method exists");
    let keyword = args
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, json)| {
            let ty = &signature.param(name).expect("a parameter").ty;
            (name.clone(), from_json(json, ty, iface, name).unwrap())
        })
        .collect();
    let args = BoundArgs {
        positional: vec![],
        keyword,
    };
    host.call("Orders", method, args).await.map(|v| to_json(&v))
}

#[test]
fn discovery_describes_each_structured_type() {
    let iface = orders().interface();
    let kind = |name: &str| &iface.type_def(name).expect(name).kind;
    let TypeDefKind::Dataclass { fields, model, .. } = kind("Order") else {
        panic!("Order is a dataclass-like type")
    };
    assert!(*model);
    assert_eq!(fields[0].name, "order_id");
    assert_eq!(fields[0].alias.as_deref(), Some("orderId"));
    assert_eq!(fields[2].ty.python(), "Literal['new', 'paid', 'shipped']");
    assert!(matches!(kind("Point"), TypeDefKind::NamedTuple { fields } if fields.len() == 2));
    let TypeDefKind::TypedDict { fields } = kind("Address") else {
        panic!("Address is a TypedDict")
    };
    let optional: Vec<bool> = fields.iter().map(|f| f.default.is_some()).collect();
    assert_eq!(optional, [false, false, true], "note is NotRequired");
    assert!(matches!(kind("Perm"), TypeDefKind::Enum { flag: true, .. }));
    assert!(
        matches!(kind("Priority"), TypeDefKind::Enum { mixin: Some(m), flag: false, .. } if m == "int")
    );
    assert!(matches!(kind("Channel"), TypeDefKind::Enum { mixin: Some(m), .. } if m == "str"));
    let weigh = iface.method("Orders", "weigh").unwrap();
    let types: Vec<String> = weigh.params.iter().map(|p| p.ty.python()).collect();
    assert_eq!(types, ["int", "dict[str, int]", "list[str]"]);
    assert_eq!(
        weigh.returns,
        TypeRef::Union {
            options: vec![TypeRef::Int, TypeRef::Str]
        }
    );
    let typing = iface.method("Orders", "weigh_typing").unwrap();
    assert_eq!(
        (&typing.params, &typing.returns),
        (&weigh.params, &weigh.returns)
    );
    assert!(iface.service("Order").is_none() && iface.service("Point").is_none());
    let lowest = iface.method("Orders", "lowest").unwrap();
    let reason = lowest.unavailable.as_deref().unwrap_or_default();
    assert!(
        reason.starts_with("parameter `level`: type `Literal["),
        "{reason}"
    );
}

#[tokio::test]
async fn a_model_argument_is_validated_by_the_model() {
    let order = json!({"orderId": 2, "customer": {"name": "Ann"}});
    let placed = call("place", json!({ "order": order })).await.unwrap();
    assert_eq!(placed["status"], "paid");
    assert_eq!(placed["order_id"], 2);
    let bad = json!({"orderId": 2, "customer": {"name": ""}});
    // A bad argument, answered with pydantic's text (the field named).
    let Err(CallError::BadArguments(message)) = call("place", json!({ "order": bad })).await else {
        panic!("the model refuses the argument")
    };
    assert!(
        message.starts_with("1 validation error for Order\ncustomer.name\n"),
        "{message}"
    );
}

#[tokio::test]
async fn named_tuples_typed_dicts_and_flags_come_back_as_they_went() {
    let mid = call(
        "midpoint",
        json!({"a": {"x": 0.0, "y": 2.0}, "b": {"x": 4.0}}),
    );
    assert_eq!(mid.await.unwrap(), json!({"x": 2.0, "y": 1.0}));
    let moved = call(
        "move",
        json!({"address": {"street": "S", "city": "C"}, "city": "D"}),
    );
    assert_eq!(moved.await.unwrap(), json!({"street": "S", "city": "D"}));
    assert_eq!(
        call("grant", json!({"perm": 1, "extra": 4})).await.unwrap(),
        json!(5)
    );
    let value = orders()
        .call(
            "Orders",
            "midpoint",
            BoundArgs {
                positional: vec![point(1.0), point(3.0)],
                keyword: vec![],
            },
        )
        .await
        .unwrap();
    assert!(matches!(value, Value::Object { type_name, .. } if &*type_name == "Point"));
}

fn point(x: f64) -> Value {
    Value::Object {
        type_name: "Point".into(),
        fields: vec![
            ("x".into(), Value::Float(x)),
            ("y".into(), Value::Float(0.0)),
        ],
    }
}
