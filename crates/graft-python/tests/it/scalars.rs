//! Decimal, UUID, timedelta and time through the host
//! (tests/e2e/fixtures/realcode/money.py): discovered, converted both ways
//! exactly, and the methods Graft cannot carry or answer rightly refused.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use graft_model::scalars::TimeDelta;
use graft_model::{BoundArgs, TypeRef, Value};
use graft_python::{CallError, Host};

use crate::Calls;

fn money() -> &'static Arc<Host> {
    static HOST: OnceLock<Arc<Host>> = OnceLock::new();
    HOST.get_or_init(|| {
        let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/e2e/fixtures/realcode/money.py");
        Host::start(&[file]).expect("the money fixture loads")
    })
}

async fn call(service: &str, method: &str, positional: Vec<Value>) -> Result<Value, CallError> {
    let args = BoundArgs {
        positional,
        keyword: vec![],
    };
    money().call(service, method, args).await
}

fn decimal(text: &str) -> Value {
    Value::Decimal(text.into())
}

#[test]
fn discovery_knows_the_scalars_and_marks_what_it_cannot_carry() {
    let iface = money().interface();
    let types = |service: &str, method: &str| {
        let m = iface.method(service, method).unwrap();
        let mut all: Vec<TypeRef> = m.params.iter().map(|p| p.ty.clone()).collect();
        all.push(m.returns.clone());
        all
    };
    assert_eq!(
        types("Catalog", "double"),
        [TypeRef::Decimal, TypeRef::Decimal]
    );
    assert_eq!(types("Rooms", "describe_id"), [TypeRef::Uuid, TypeRef::Str]);
    let later = types("Rooms", "later");
    assert_eq!(later, [TypeRef::Time, TypeRef::Int, TypeRef::Time]);
    assert_eq!(
        types("Rooms", "hours"),
        [TypeRef::TimeDelta, TypeRef::Float]
    );
    let audit = iface.method("Ledger", "audit").unwrap();
    assert_eq!(
        audit.unavailable.as_deref(),
        Some("parameter `entry`: type `money.Opaque` has no Graft form")
    );
    let kind = iface.method("Ledger", "kind").unwrap();
    assert_eq!(
        (kind.params[0].ty.clone(), kind.unavailable.clone()),
        (TypeRef::Any, None)
    );
    match money().lookup("Ledger", "audit") {
        Err(CallError::Unavailable { reason, .. }) => assert!(reason.contains("money.Opaque")),
        other => panic!("{:?}", other.map(|_| ())),
    }
}

#[tokio::test]
async fn values_cross_exactly_both_ways() {
    let sum = call("Catalog", "add", vec![decimal("0.1"), decimal("0.2")]).await;
    assert_eq!(sum, Ok(decimal("0.3")));
    assert_eq!(
        call("Catalog", "double", vec![decimal("-1.50")]).await,
        Ok(decimal("-3.00"))
    );
    let td = |days, seconds, microseconds| {
        Value::TimeDelta(TimeDelta {
            days,
            seconds,
            microseconds,
        })
    };
    let longer = call("Rooms", "extend", vec![td(0, 3600, 0), td(-1, 81000, 7)]).await;
    assert_eq!(longer, Ok(td(-1, 84600, 7)));
    let Ok(Value::Uuid(id)) = call("Rooms", "room_id", vec![Value::Str("blue".into())]).await
    else {
        panic!("a UUID")
    };
    let described = call("Rooms", "describe_id", vec![Value::Uuid(id)])
        .await
        .unwrap();
    assert!(matches!(described, Value::Str(s) if s.ends_with(" v5")));
    let opens = call("Rooms", "opens", vec![Value::Int(6)]).await;
    assert_eq!(opens, Ok(Value::Time("10:00:00.250000+01:00".into())));
    let when = Value::DateTime("2026-03-28T23:00:00+01:00".into());
    let shifted = call("Rooms", "shift", vec![when, td(0, 7200, 0)]).await;
    assert_eq!(
        shifted,
        Ok(Value::DateTime("2026-03-29T01:00:00+01:00".into()))
    );
}

#[tokio::test]
async fn a_return_that_does_not_fit_is_a_type_error() {
    let Err(CallError::Raised(raised)) = call("Ledger", "count", vec![Value::Int(5)]).await else {
        panic!("an error")
    };
    assert_eq!(
        (raised.type_name.as_str(), raised.module.as_str()),
        ("TypeError", "builtins")
    );
    assert_eq!(
        raised.message,
        "Ledger.count returned a value of type str where its annotation says int"
    );
}
