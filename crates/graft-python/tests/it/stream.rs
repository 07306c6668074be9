//! Streaming methods through `Host::run`: items as parts, the generator
//! paused by a slow reader, closed when the answer is dropped, and the
//! deadline on each next item.

use std::time::{Duration, Instant};

use graft_model::{BoundArgs, Value};
use graft_python::{Answer, Args, Call, CallError, Deadline, Part};

use crate::{Calls, catalog};

fn args(positional: Vec<Value>) -> BoundArgs {
    BoundArgs {
        positional,
        keyword: vec![],
    }
}

fn start(method: &str, positional: Vec<Value>, deadline: Option<Duration>) -> Answer {
    let host = catalog();
    let call = Call {
        callee: host.lookup("Catalog", method).unwrap(),
        args: Args::Checked(args(positional)),
        deadline: Deadline::shorter(deadline, None),
        metadata: Vec::new(),
        in_parts: true,
    };
    host.run(call)
}

#[test]
fn discovery_marks_iterators_as_streams_of_their_items() {
    let iface = catalog().interface();
    for name in ["count", "count_async", "ticks"] {
        let m = iface.method("Catalog", name).unwrap();
        assert!(m.streams, "{name}");
        assert_eq!(m.returns.python(), "int");
    }
    assert!(!iface.method("Catalog", "ended").unwrap().streams);
}

#[tokio::test]
async fn plain_and_async_generators_stream_their_items_then_none() {
    for method in ["count", "count_async"] {
        let mut answer = start(method, vec![Value::Int(3)], None);
        let mut items = Vec::new();
        loop {
            match answer.next().await.expect("a part") {
                Part::Items(value) => items.extend(graft_python::items_of(value)),
                Part::Done(end) => {
                    assert_eq!(end, Ok(Value::None), "{method}");
                    break;
                }
            }
        }
        assert_eq!(items, [0, 1, 2].map(Value::Int), "{method}");
    }
}

#[tokio::test]
async fn an_item_of_another_type_than_declared_ends_the_stream_with_a_type_error() {
    for method in ["misfit_items", "misfit_items_async"] {
        let mut answer = start(method, vec![Value::Int(2)], None);
        let mut items = Vec::new();
        let end = loop {
            match answer.next().await.expect("a part") {
                Part::Items(value) => items.extend(graft_python::items_of(value)),
                Part::Done(end) => break end,
            }
        };
        assert_eq!(items, [0, 1].map(Value::Int), "{method}");
        let Err(CallError::Raised(raised)) = end else {
            panic!("{method}: {end:?}");
        };
        assert_eq!(raised.type_name, "TypeError");
        assert_eq!(
            raised.message,
            format!(
                "Catalog.{method} yielded a value of type str at items[2] where its annotation says int"
            )
        );
    }
}

#[tokio::test]
async fn a_reader_that_takes_nothing_pauses_the_generator() {
    let mut answer = start("count", vec![Value::Int(1_000_000)], None);
    assert!(matches!(answer.next().await, Some(Part::Items(_))));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let produced = catalog().call("Catalog", "produced", args(vec![])).await;
    let Ok(Value::Int(produced)) = produced else {
        panic!("{produced:?}")
    };
    assert!(produced < 20, "the generator ran on to {produced} items");
}

/// Whether `Catalog.ended(key)`.
async fn ended(key: &str) -> bool {
    let ended = catalog().call("Catalog", "ended", args(vec![Value::Str(key.into())]));
    ended.await == Ok(Value::Bool(true))
}

/// Waits up to `wait` for `Catalog.ended(key)`.
async fn ended_within(key: &str, wait: Duration) -> bool {
    let until = Instant::now() + wait;
    while Instant::now() < until {
        if ended(key).await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

#[tokio::test]
async fn dropping_the_answer_closes_the_generator() {
    let key = Value::Str("dropped".into());
    let mut answer = start("ticks", vec![key, Value::Float(0.01)], None);
    for _ in 0..3 {
        assert!(matches!(answer.next().await, Some(Part::Items(_))));
    }
    assert!(!ended("dropped").await);
    drop(answer);
    let second = Duration::from_secs(1);
    assert!(
        ended_within("dropped", second).await,
        "the generator's finally never ran"
    );
}

#[tokio::test]
async fn the_deadline_bounds_each_next_item_and_closes_the_generator() {
    let key = Value::Str("late".into());
    let limit = Some(Duration::from_millis(800));
    // Items 100 ms apart: each well within the limit (a loaded machine may
    // delay one by hundreds of ms), the stream longer than it.
    let mut answer = start("ticks", vec![key.clone(), Value::Float(0.1)], limit);
    for _ in 0..12 {
        assert!(matches!(answer.next().await, Some(Part::Items(_))));
    }
    drop(answer);
    assert!(ended_within("late", Duration::from_secs(1)).await);
    // Items 2 s apart: the second is past the limit.
    let mut answer = start("ticks", vec![key, Value::Float(2.0)], limit);
    assert!(matches!(answer.next().await, Some(Part::Items(_))));
    match answer.next().await {
        Some(Part::Done(Err(CallError::DeadlineExceeded(message)))) => {
            assert!(
                message.contains(
                    "Catalog.ticks produced no next item within 0.8 s (the caller's timeout)"
                ),
                "{message}"
            )
        }
        other => panic!("expected the deadline, got {other:?}"),
    }
    assert!(answer.next().await.is_none());
    drop(answer);
    // Closed once its sleep of two seconds is over and it yields again.
    assert!(ended_within("late", Duration::from_secs(3)).await);
}
