use std::time::{Duration, Instant};

use graft_model::{BoundArgs, Column, Table, Value};
use graft_python::{Args, Arriving, Call, CallError, Host, Part};

use crate::{Calls, catalog};

fn args(positional: Vec<Value>) -> BoundArgs {
    BoundArgs {
        positional,
        keyword: vec![],
    }
}

fn s(text: &str) -> Value {
    Value::Str(text.into())
}

/// A table of `Stamp`s (showcase/catalog.py) from (code, n) rows.
fn stamps(rows: &[(&str, i64)]) -> Value {
    Value::Table(Box::new(Table {
        type_name: "Stamp".into(),
        names: vec!["code".into(), "n".into()],
        columns: vec![
            Column::Str {
                text: rows.iter().map(|r| r.0).collect(),
                ends: rows
                    .iter()
                    .scan(0, |end, r| {
                        *end += r.0.len();
                        Some(*end)
                    })
                    .collect(),
            },
            Column::Int(rows.iter().map(|r| r.1).collect()),
        ],
    }))
}

/// The objects of a table or list, for comparing parts with a whole.
fn objects(value: &Value) -> Vec<Value> {
    match value {
        Value::Table(table) => table.to_objects(),
        Value::List(items) => items.clone(),
        other => panic!("expected a list, got {other:?}"),
    }
}

async fn call(method: &str, positional: Vec<Value>) -> Result<Value, CallError> {
    catalog().call("Catalog", method, args(positional)).await
}

#[tokio::test]
async fn scalars_round_trip_exactly() {
    let sent = vec![
        Value::Int(i64::MIN),
        Value::Float(-0.0),
        Value::Bool(true),
        s("é✓"),
        Value::Bytes(vec![0, 255].into()),
    ];
    assert_eq!(call("scalars", sent.clone()).await, Ok(Value::Tuple(sent)));
}

#[tokio::test]
async fn dataclasses_and_enums_are_rebuilt_both_ways() {
    let item = Value::Object {
        type_name: "Item".into(),
        fields: vec![("sku".into(), s("A")), ("qty".into(), Value::Int(2))],
    };
    let size = Value::Enum {
        type_name: "Size".into(),
        value: Box::new(s("l")),
    };
    let got = call("item", vec![item, size]).await.unwrap();
    let blue = Value::Enum {
        type_name: "Color".into(),
        value: Box::new(Value::Int(2)),
    };
    let want = Value::Object {
        type_name: "Item".into(),
        fields: vec![
            ("sku".into(), s("Al")),
            ("qty".into(), Value::Int(4)),
            ("color".into(), blue),
            ("tags".into(), Value::List(vec![s("x")])),
        ],
    };
    assert_eq!(got, want);
}

/// gg calls a dataclass positionally when its fields are its `__init__`'s
/// parameters in order, else with keywords: either way `__init__` and
/// `__post_init__` run.
#[tokio::test]
async fn dataclasses_are_built_through_their_init() {
    let object = |type_name: &str, fields: Vec<(&str, Value)>| Value::Object {
        type_name: type_name.into(),
        fields: fields.into_iter().map(|(n, v)| (n.into(), v)).collect(),
    };
    let stamp = |code: &str, n: i64| object("Stamp", vec![("code", s(code)), ("n", Value::Int(n))]);
    let stamps = Value::List(vec![stamp("a", 1), stamp("b", 2)]);
    let tags = Value::List(vec![
        object("Tag", vec![("text", s("t")), ("weight", Value::Int(3))]),
        object("Tag", vec![("text", s("u"))]),
    ]);
    let got = call("labels", vec![stamps, tags.clone()]).await;
    assert_eq!(
        got,
        Ok(Value::List(vec![s("a#1"), s("b#2"), s("t*3"), s("u*1")]))
    );
    // Fields in another order go by keyword; __post_init__'s check still runs.
    let swapped = object("Stamp", vec![("n", Value::Int(-1)), ("code", s("c"))]);
    match call(
        "labels",
        vec![Value::List(vec![stamp("a", 1), swapped]), tags],
    )
    .await
    {
        Err(CallError::Raised(raised)) => assert!(
            raised.message.contains("must not be negative, got -1"),
            "{raised:?}"
        ),
        other => panic!("expected the ValueError from __post_init__, got {other:?}"),
    }
}

/// A table (a list of one dataclass by columns, as the wire brings it) is
/// built into instances, and a list of one dataclass's instances is read
/// back as one; any other list stays a list of values.
#[tokio::test]
async fn tables_cross_both_ways() {
    let got = call(
        "restamp",
        vec![stamps(&[("a", 1), ("bé", 2)]), Value::List(vec![])],
    )
    .await
    .unwrap();
    assert!(
        matches!(&got, Value::Table(t) if t.rows() == 2 && matches!(t.columns[1], Column::Int(_))),
        "{got:?}"
    );
    assert_eq!(got, stamps(&[("A", 2), ("BÉ", 3)]));
    // A list that is not all one dataclass is read item by item.
    let mixed = call(
        "restamp",
        vec![stamps(&[("a", 1)]), Value::List(vec![s("x")])],
    )
    .await
    .unwrap();
    assert!(
        matches!(&mixed, Value::List(items) if items.len() == 2),
        "{mixed:?}"
    );
    assert_eq!(
        call("restamp", vec![stamps(&[]), Value::List(vec![])]).await,
        Ok(Value::List(vec![]))
    );
    // __post_init__ runs for every row.
    match call(
        "restamp",
        vec![stamps(&[("a", 1), ("b", -5)]), Value::List(vec![])],
    )
    .await
    {
        Err(CallError::Raised(raised)) => assert!(raised.message.contains("got -5"), "{raised:?}"),
        other => panic!("expected the ValueError from __post_init__, got {other:?}"),
    }
}

/// A plain method's long returned list goes ahead in parts of 2,500 when the
/// caller takes parts; joined, they are the list a whole call returns.
#[tokio::test]
async fn a_long_result_goes_ahead_in_parts_when_asked() {
    let codes: Vec<String> = (0..6001).map(|i| format!("s{i}")).collect();
    let rows: Vec<(&str, i64)> = codes
        .iter()
        .zip(0..)
        .map(|(c, i)| (c.as_str(), i))
        .collect();
    let arguments = || args(vec![stamps(&rows), Value::List(vec![])]);
    let (parts, last) = in_parts(arguments()).await;
    let mut joined = Vec::new();
    let mut sizes = Vec::new();
    for part in parts.iter().chain([&last]) {
        sizes.push(objects(part).len());
        joined.extend(objects(part));
    }
    assert_eq!(sizes, [2500, 2500, 1001]);
    let whole = call("restamp", vec![stamps(&rows), Value::List(vec![])])
        .await
        .unwrap();
    assert!(matches!(&whole, Value::Table(t) if t.rows() == 6001));
    assert_eq!(joined, objects(&whole));
    assert_eq!(joined[6000], objects(&stamps(&[("S6000", 6001)]))[0]);
    // A list shorter than two parts comes whole.
    let (parts, short) = in_parts(args(vec![stamps(&rows[..4999]), Value::List(vec![])])).await;
    assert_eq!((objects(&short).len(), parts.len()), (4999, 0));
}

/// `Catalog.restamp(args)` taking parts: the parts ahead, and the last value.
async fn in_parts(args: BoundArgs) -> (Vec<Value>, Value) {
    let mut answer = catalog().answer("Catalog", "restamp", args, true).unwrap();
    let mut parts = Vec::new();
    while let Some(part) = answer.next().await {
        match part {
            Part::Items(value) => parts.push(value),
            Part::Done(last) => return (parts, last.unwrap()),
        }
    }
    panic!("the answer ended without its last part")
}

/// Calls `Catalog.restamp` with `args`, its argument `argument` arriving
/// first as `parts` (each built as it comes), the rest after them.
async fn arriving(
    host: &std::sync::Arc<Host>,
    argument: &str,
    parts: Vec<Value>,
    args: BoundArgs,
) -> Result<Value, CallError> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    for part in parts {
        tx.send(part).unwrap();
    }
    drop(tx);
    let call = Call {
        callee: host.lookup("Catalog", "restamp")?,
        args: Args::Arriving(Arriving {
            argument: argument.into(),
            parts: rx,
            rest: Box::pin(async move { Ok((args, None)) }),
        }),
        deadline: None,
        metadata: Vec::new(),
        in_parts: false,
    };
    host.run(call).value().await
}

/// A first argument that came in parts: its first items built as they came,
/// the last ones appended when the call runs, in order.
#[tokio::test]
async fn a_first_argument_built_in_parts_is_the_whole_list() {
    let host = catalog();
    let first = vec![stamps(&[("a", 1), ("b", 2)]), stamps(&[("c", 3)])];
    let args = args(vec![stamps(&[("d", 4)]), Value::List(vec![])]);
    let got = arriving(host, "", first, args).await.unwrap();
    assert_eq!(got, stamps(&[("A", 2), ("B", 3), ("C", 4), ("D", 5)]));
    // The same, for an argument passed by keyword.
    let args = BoundArgs {
        positional: vec![],
        keyword: vec![
            ("stamps".into(), stamps(&[("b", 2)])),
            ("extra".into(), Value::List(vec![])),
        ],
    };
    let got = arriving(host, "stamps", vec![stamps(&[("a", 1)])], args).await;
    assert_eq!(got.unwrap(), stamps(&[("A", 2), ("B", 3)]));
    // Building runs the class's __init__ as the whole call would: its errors are the call's.
    let args = self::args(vec![stamps(&[("d", 4)]), Value::List(vec![])]);
    match arriving(host, "", vec![stamps(&[("x", -1)])], args).await {
        Err(CallError::Raised(raised)) => assert!(raised.message.contains("got -1"), "{raised:?}"),
        other => panic!("expected the ValueError from __post_init__, got {other:?}"),
    }
}

#[tokio::test]
async fn datetimes_sets_and_keyword_arguments_cross() {
    let got = call(
        "when",
        vec![
            Value::DateTime("2024-02-28T10:00:00+01:00".into()),
            Value::Date("2024-01-01".into()),
        ],
    )
    .await;
    assert_eq!(got, Ok(Value::DateTime("2024-02-29T10:00:00+01:00".into())));
    let kw = BoundArgs {
        positional: vec![Value::Int(3)],
        keyword: vec![("scale".into(), Value::Int(5))],
    };
    assert_eq!(
        catalog().call("catalog", "top_level", kw).await,
        Ok(Value::Int(15))
    );
    assert_eq!(
        catalog()
            .call("Catalog", "name", BoundArgs::default())
            .await,
        Ok(s("cat:Catalog"))
    );
}

#[tokio::test]
async fn coroutines_run_on_the_event_loop() {
    assert_eq!(call("later", vec![Value::Float(0.01)]).await, Ok(s("done")));
    assert_eq!(
        catalog()
            .call("catalog", "top_async", args(vec![Value::Int(1)]))
            .await,
        Ok(Value::Int(2))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocking_method_does_not_stop_other_calls() {
    let started = Instant::now();
    let slow = tokio::spawn(async { call("blocking", vec![Value::Float(1.5)]).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let quick: Vec<_> = (0..20)
        .map(|_| tokio::spawn(async { call("later", vec![Value::Float(0.0)]).await }))
        .collect();
    for q in quick {
        assert_eq!(q.await.unwrap(), Ok(s("done")));
    }
    assert!(
        !slow.is_finished(),
        "the quick calls finished while the blocking one still ran"
    );
    assert_eq!(slow.await.unwrap(), Ok(Value::Float(1.5)));
    assert!(started.elapsed() >= Duration::from_millis(1500));
}

#[tokio::test]
async fn custom_exceptions_carry_their_fields() {
    let Err(CallError::Raised(raised)) = call("buy", vec![s("A1"), Value::Int(3)]).await else {
        panic!("buy did not raise")
    };
    assert_eq!(raised.type_name, "OutOfStock");
    assert_eq!(raised.module, "catalog");
    assert_eq!(raised.message, "A1 is out of stock (wanted 3)");
    assert_eq!(
        raised.fields,
        vec![("sku".into(), s("A1")), ("wanted".into(), Value::Int(3))]
    );
    assert!(
        raised.traceback.contains("raise OutOfStock(sku, wanted)"),
        "{}",
        raised.traceback
    );
}

#[tokio::test]
async fn builtin_exceptions_and_unsendable_results_are_reported() {
    let Err(CallError::Raised(raised)) = call("divide", vec![Value::Int(1), Value::Int(0)]).await
    else {
        panic!()
    };
    assert_eq!(
        (raised.type_name.as_str(), raised.module.as_str()),
        ("ZeroDivisionError", "builtins")
    );
    assert_eq!(raised.message, "division by zero");
    let Err(CallError::Raised(raised)) = call("huge", vec![]).await else {
        panic!()
    };
    assert_eq!(raised.type_name, "OverflowError");
    assert!(
        raised.message.contains("1180591620717411303424"),
        "{}",
        raised.message
    );
}

#[tokio::test]
async fn unknown_services_and_methods_are_named() {
    assert_eq!(
        catalog().call("Nope", "x", BoundArgs::default()).await,
        Err(CallError::NoService("Nope".into()))
    );
    let err = call("nope", vec![]).await.unwrap_err();
    assert_eq!(err.to_string(), "service `Catalog` has no method `nope`");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quick_methods_move_to_the_worker_and_slow_ones_back() {
    let host = graft_python::Host::start(&[crate::fixture("pace/pace_case.py")]).unwrap();
    let call = |seconds: f64| {
        let host = std::sync::Arc::clone(&host);
        async move {
            host.call("Pace", "wait", args(vec![Value::Float(seconds)]))
                .await
        }
    };
    assert_eq!(
        host.runs_inline("Pace", "wait"),
        Some(false),
        "unknown methods start on the blocking pool"
    );
    // 32 quick runs in a row prove it quick; other tests share the interpreter,
    // so allow for a run that the machine slowed down.
    for _ in 0..500 {
        call(0.0).await.unwrap();
        if host.runs_inline("Pace", "wait") == Some(true) {
            break;
        }
    }
    assert_eq!(
        host.runs_inline("Pace", "wait"),
        Some(true),
        "quick runs prove it quick"
    );
    let slow = tokio::spawn(call(0.5));
    tokio::time::sleep(Duration::from_millis(100)).await;
    // The slow run holds one worker; the other still serves calls meanwhile.
    assert_eq!(
        catalog()
            .call("Catalog", "name", BoundArgs::default())
            .await,
        Ok(s("cat:Catalog"))
    );
    assert!(!slow.is_finished());
    slow.await.unwrap().unwrap();
    assert_eq!(
        host.runs_inline("Pace", "wait"),
        Some(false),
        "one slow run sends it back to the pool"
    );
    assert_eq!(
        host.runs_inline("Pace", "nap"),
        None,
        "coroutines are not paced"
    );
}

#[test]
fn runtime_threads_keep_and_release_their_python_thread_state() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_keep_alive(Duration::from_millis(50))
        .on_thread_start(graft_python::keep_thread_state)
        .on_thread_stop(graft_python::release_thread_state)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        for round in 0..3 {
            let calls: Vec<_> = (0..8)
                .map(|_| tokio::spawn(call("blocking", vec![Value::Float(0.01)])))
                .collect();
            for c in calls {
                assert_eq!(c.await.unwrap(), Ok(Value::Float(0.01)), "round {round}");
            }
            assert_eq!(call("later", vec![Value::Float(0.0)]).await, Ok(s("done")));
            // Idle blocking threads stop (and give their thread state back) between rounds.
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    });
    drop(runtime);
    // Python is still usable from a fresh thread after the runtime's threads are gone.
    use pyo3::types::PyAnyMethods as _;
    let after = std::thread::spawn(|| {
        pyo3::Python::attach(|py| {
            py.eval(c"6 * 7", None, None)
                .unwrap()
                .extract::<i64>()
                .unwrap()
        })
    });
    assert_eq!(after.join().unwrap(), 42);
}
