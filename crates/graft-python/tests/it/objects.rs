//! Remote objects in the host (`tests/fixtures/objects/shelves.py`): state
//! kept between calls, independent objects, calls on one object one at a
//! time in arrival order, release running close(), the lease, the limit.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use graft_model::{BoundArgs, Value};
use graft_python::{Args, CONSTRUCTOR, Call, CallError, Callee, Deadline, Host, Part};

use crate::fixture;

/// A host over the shelves, with the default lease and limit.
fn shelves() -> &'static Arc<Host> {
    static HOST: OnceLock<Arc<Host>> = OnceLock::new();
    HOST.get_or_init(|| Host::start(&[fixture("objects/shelves.py")]).expect("shelves load"))
}

/// A host over the shelves with a short lease (0.3 s) and two objects per owner.
fn tight() -> &'static Arc<Host> {
    static HOST: OnceLock<Arc<Host>> = OnceLock::new();
    HOST.get_or_init(|| {
        let host = Host::start(&[fixture("objects/shelves.py")]).expect("shelves load");
        host.configure_objects(Duration::from_millis(300), 2);
        host
    })
}

fn s(text: &str) -> Value {
    Value::Str(text.into())
}

fn args(positional: Vec<Value>) -> BoundArgs {
    BoundArgs {
        positional,
        keyword: vec![],
    }
}

async fn run(host: &Arc<Host>, callee: Callee, positional: Vec<Value>) -> Result<Value, CallError> {
    let call = Call {
        callee,
        args: Args::Decoded(args(positional)),
        deadline: Deadline::shorter(None, Some(Duration::from_secs(10))),
        metadata: Vec::new(),
        in_parts: false,
    };
    host.run(call).value().await
}

/// A new shelf owned by `owner`: its id.
async fn shelf(host: &Arc<Host>, owner: u64, name: &str) -> Result<String, CallError> {
    make(host, "Shelf", owner, name).await
}

/// A new object of `class` (made with its name) owned by `owner`: its id.
async fn make(host: &Arc<Host>, class: &str, owner: u64, name: &str) -> Result<String, CallError> {
    let callee = host.lookup(class, CONSTRUCTOR)?.owned_by(owner);
    match run(host, callee, vec![s(name)]).await? {
        Value::ObjectRef { service, id } if service == class => Ok(id),
        other => panic!("a constructor answered {other:?}"),
    }
}

async fn on(
    host: &Arc<Host>,
    id: &str,
    method: &str,
    positional: Vec<Value>,
) -> Result<Value, CallError> {
    let callee = host.lookup_object("Shelf", id, method)?;
    run(host, callee, positional).await
}

async fn released(host: &Arc<Host>) -> Vec<Value> {
    match run(host, host.lookup("Store", "released").unwrap(), vec![]).await {
        Ok(Value::List(names)) => names,
        other => panic!("released() answered {other:?}"),
    }
}

#[tokio::test]
async fn an_object_keeps_its_state_and_two_objects_are_independent() {
    let host = shelves();
    let a = shelf(host, 0, "a").await.unwrap();
    let b = shelf(host, 0, "b").await.unwrap();
    assert_ne!(a, b);
    assert_eq!(a.len(), 32, "128 bits as hex: {a}");
    assert_eq!(on(host, &a, "put", vec![s("x")]).await, Ok(Value::Int(1)));
    assert_eq!(on(host, &a, "put", vec![s("y")]).await, Ok(Value::Int(2)));
    assert_eq!(on(host, &b, "put", vec![s("z")]).await, Ok(Value::Int(1)));
    let items = on(host, &a, "items", vec![]).await.unwrap();
    assert_eq!(items, Value::List(vec![s("x"), s("y")]));
}

#[tokio::test]
async fn a_constructor_checks_its_arguments_and_raises_as_a_method_does() {
    let host = shelves();
    let callee = host.lookup("Shelf", CONSTRUCTOR).unwrap();
    let Err(CallError::Raised(raised)) = run(host, callee, vec![s("c"), Value::Int(0)]).await
    else {
        panic!("a shelf of size 0 was made")
    };
    assert_eq!(raised.type_name, "ValueError");
    assert_eq!(raised.message, "a shelf holds at least one item, not 0");
    let callee = host.lookup("Shelf", CONSTRUCTOR).unwrap();
    let Err(CallError::BadArguments(message)) = run(host, callee, vec![Value::Int(5)]).await else {
        panic!("an int was taken for a name")
    };
    assert!(message.contains("name"), "{message}");
}

#[tokio::test]
async fn calls_on_one_object_run_in_arrival_order_one_at_a_time() {
    let host = shelves();
    let id = shelf(host, 0, "fifo").await.unwrap();
    // Looked up in this order; the first sleeps longest, so any overlap or
    // reordering would show in the items.
    let calls: Vec<_> = [("a", 0.3), ("b", 0.1), ("c", 0.0)]
        .into_iter()
        .map(|(item, delay)| {
            let callee = host.lookup_object("Shelf", &id, "slow_put").unwrap();
            tokio::spawn(run(host, callee, vec![s(item), Value::Float(delay)]))
        })
        .collect();
    let mut answers = Vec::new();
    for call in calls {
        answers.push(call.await.unwrap().unwrap());
    }
    let seen = |items: &[&str]| Value::List(items.iter().map(|i| s(i)).collect());
    assert_eq!(
        answers,
        vec![seen(&["a"]), seen(&["a", "b"]), seen(&["a", "b", "c"])]
    );
}

#[tokio::test]
async fn calls_on_different_objects_run_at_once() {
    let host = shelves();
    let (a, b) = (
        shelf(host, 0, "p").await.unwrap(),
        shelf(host, 0, "q").await.unwrap(),
    );
    let started = Instant::now();
    let one = on(host, &a, "slow_put", vec![s("1"), Value::Float(0.4)]);
    let two = on(host, &b, "async_put", vec![s("2"), Value::Float(0.4)]);
    let three = on(host, &b, "items", vec![]);
    let (one, two, three) = tokio::join!(one, two, three);
    assert!(
        started.elapsed() < Duration::from_millis(750),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        (one.unwrap(), two.unwrap()),
        (Value::List(vec![s("1")]), Value::List(vec![s("2")]))
    );
    // `items` came after `async_put` on b, so it saw its item.
    assert_eq!(three.unwrap(), Value::List(vec![s("2")]));
}

#[tokio::test]
async fn release_runs_close_and_the_object_is_gone() {
    let host = shelves();
    let id = shelf(host, 0, "closing").await.unwrap();
    host.release("Shelf", &id).await.unwrap();
    assert!(released(host).await.contains(&s("closing")));
    assert!(!host.has_object("Shelf", &id));
    let gone = CallError::NoObject {
        service: "Shelf".into(),
        id: id.clone(),
    };
    assert_eq!(on(host, &id, "items", vec![]).await, Err(gone.clone()));
    assert_eq!(host.release("Shelf", &id).await, Err(gone));
    assert_eq!(
        gone_message(&id),
        format!("Shelf object {id} was released or never existed")
    );
}

#[tokio::test]
async fn release_runs_an_async_aclose_or_a_context_managers_exit() {
    let host = shelves();
    let valve = make(host, "Valve", 0, "v1").await.unwrap();
    let latch = make(host, "Latch", 0, "l1").await.unwrap();
    host.release("Valve", &valve).await.unwrap();
    host.release("Latch", &latch).await.unwrap();
    let released = released(host).await;
    assert!(released.contains(&s("valve:v1")), "{released:?}");
    assert!(released.contains(&s("latch:l1")), "{released:?}");
    // An id names an object of one class only.
    let shelf = shelf(host, 0, "s1").await.unwrap();
    assert!(matches!(
        host.release("Valve", &shelf).await,
        Err(CallError::NoObject { .. })
    ));
}

fn gone_message(id: &str) -> String {
    let err = CallError::NoObject {
        service: "Shelf".into(),
        id: id.into(),
    };
    err.to_string()
}

#[tokio::test]
async fn a_method_of_an_object_needs_one() {
    let host = shelves();
    let Err(err) = host.lookup("Shelf", "put") else {
        panic!("Shelf.put was found without an object")
    };
    assert!(matches!(err, CallError::NeedsObject { .. }), "{err}");
    assert!(err.to_string().contains("POST /objects/Shelf"), "{err}");
}

#[tokio::test]
async fn a_factory_answers_a_reference_and_a_reference_comes_back_as_the_object() {
    let host = shelves();
    let made = run(host, host.lookup("Store", "shelf").unwrap(), vec![s("f")]).await;
    let Ok(Value::ObjectRef { service, id }) = made else {
        panic!("the factory answered {made:?}")
    };
    assert_eq!(service, "Shelf");
    on(host, &id, "put", vec![s("one")]).await.unwrap();
    let reference = Value::ObjectRef {
        service: "Shelf".into(),
        id: id.clone(),
    };
    let count = run(
        host,
        host.lookup("Store", "count").unwrap(),
        vec![reference],
    )
    .await;
    assert_eq!(count, Ok(Value::Int(1)));
    let unknown = Value::ObjectRef {
        service: "Shelf".into(),
        id: "0".repeat(32),
    };
    let Err(CallError::Raised(raised)) =
        run(host, host.lookup("Store", "count").unwrap(), vec![unknown]).await
    else {
        panic!("an unknown reference was taken")
    };
    assert!(
        raised.message.contains("is not on this gateway"),
        "{}",
        raised.message
    );
}

#[tokio::test]
async fn an_idle_object_is_released_when_its_lease_runs_out() {
    let host = tight();
    let id = shelf(host, 0, "leased").await.unwrap();
    // Used within the lease, it stays.
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(150)).await;
        on(host, &id, "put", vec![s("x")]).await.unwrap();
    }
    assert!(host.has_object("Shelf", &id));
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert!(!host.has_object("Shelf", &id));
    assert!(released(host).await.contains(&s("leased")));
}

#[tokio::test]
async fn an_owner_holds_at_most_max_objects() {
    let host = tight();
    shelf(host, 77, "one").await.unwrap();
    let second = shelf(host, 77, "two").await.unwrap();
    let Err(CallError::TooManyObjects(message)) = shelf(host, 77, "three").await else {
        panic!("a third object was made")
    };
    assert!(message.contains("--maxObjects 2"), "{message}");
    // Another owner is not held back; a release makes room.
    shelf(host, 78, "other").await.unwrap();
    host.release("Shelf", &second).await.unwrap();
    shelf(host, 77, "three").await.unwrap();
}

#[test]
fn discovery_describes_constructors_instance_methods_and_object_types() {
    use graft_model::{MethodKind, TypeRef};
    let iface = shelves().interface();
    let shelf = iface.service("Shelf").unwrap();
    let params: Vec<&str> = shelf
        .constructor
        .as_ref()
        .unwrap()
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(params, ["name", "size"], "no self");
    let methods: Vec<&str> = shelf.methods.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        methods,
        ["put", "items", "slow_put", "async_put", "me", "each"],
        "close is the release, not a method"
    );
    assert!(shelf.methods.iter().all(|m| m.kind == MethodKind::Instance));
    assert_eq!(shelf.methods[0].params.len(), 1, "put(item), without self");
    let store = iface.service("Store").unwrap();
    assert_eq!(store.constructor, None, "static methods only: no objects");
    let object = TypeRef::Object {
        service: "Shelf".into(),
    };
    assert_eq!(iface.method("Store", "shelf").unwrap().returns, object);
    assert_eq!(iface.method("Store", "count").unwrap().params[0].ty, object);
}

#[tokio::test]
async fn a_stream_holds_its_object_while_called_not_while_its_items_flow() {
    let host = tight(); // a lease of 0.3 s, shorter than the stream
    let id = make(host, "Shelf", 0, "streaming").await.unwrap();
    for item in ["a", "b", "c"] {
        on(host, &id, "put", vec![s(item)]).await.unwrap();
    }
    let callee = host.lookup_object("Shelf", &id, "each").unwrap();
    let call = Call {
        callee,
        args: Args::Decoded(args(vec![Value::Float(0.25)])),
        deadline: Deadline::shorter(None, Some(Duration::from_secs(10))),
        metadata: Vec::new(),
        in_parts: false,
    };
    let mut answer = host.run(call);
    let Some(Part::Items(first)) = answer.next().await else {
        panic!("no first item")
    };
    assert_eq!(first, Value::List(vec![s("a")]));
    // While its items flow, another call on the object runs.
    let started = Instant::now();
    assert_eq!(
        on(host, &id, "items", vec![]).await.unwrap(),
        Value::List(vec![s("a"), s("b"), s("c")])
    );
    assert!(
        started.elapsed() < Duration::from_millis(200),
        "{:?}",
        started.elapsed()
    );
    let rest = answer.value().await.unwrap();
    assert_eq!(rest, Value::List(vec![s("b"), s("c")]));
    // The stream outlived the lease, and the object with it.
    assert!(host.has_object("Shelf", &id));
    host.release("Shelf", &id).await.unwrap();
}

#[tokio::test]
async fn a_factory_returning_a_subclass_answers_an_object_of_the_class_it_is() {
    let host = shelves();
    let made = run(host, host.lookup("Store", "tall").unwrap(), vec![s("t")]).await;
    let Ok(Value::ObjectRef { service, id }) = made else {
        panic!("the factory answered {made:?}")
    };
    assert_eq!(service, "Shelf");
    on(host, &id, "put", vec![s("x")]).await.unwrap();
    let items = on(host, &id, "items", vec![]).await.unwrap();
    assert_eq!(
        items,
        Value::List(vec![s("tall"), s("x")]),
        "the subclass's own method"
    );
}

#[tokio::test]
async fn an_object_returned_again_keeps_its_id() {
    let host = shelves();
    let id = shelf(host, 0, "same").await.unwrap();
    let again = on(host, &id, "me", vec![]).await.unwrap();
    let same = Value::ObjectRef {
        service: "Shelf".into(),
        id: id.clone(),
    };
    assert_eq!(again, same);
    host.release("Shelf", &id).await.unwrap();
    assert!(!host.has_object("Shelf", &id));
}
