//! `serve` over real loopback sockets: calls, replies and their failures.

use std::time::{Duration, Instant};

use graft_model::{BoundArgs, Value};
use graft_wire::{Call, Frame, ServerConfig, Status};

use crate::{call, connect, next, start, str};

#[tokio::test]
async fn concurrent_calls_on_one_connection_come_back_as_they_finish() {
    let server = start(ServerConfig::default()).await;
    let mut conn = connect(server.addr).await;
    let started = Instant::now();
    conn.write_frame(&call(1, "sleep", vec![Value::Int(400), str("slow")]))
        .await
        .unwrap();
    conn.write_frame(&call(2, "sleep", vec![Value::Int(50), str("medium")]))
        .await
        .unwrap();
    conn.write_frame(&call(3, "echo", vec![str("fast")]))
        .await
        .unwrap();
    let mut order = Vec::new();
    for _ in 0..3 {
        match next(&mut conn).await {
            Some(Frame::Reply { id, value }) => order.push((id, value, started.elapsed())),
            other => panic!("expected a reply, got {other:?}"),
        }
    }
    let ids: Vec<u64> = order.iter().map(|(id, ..)| *id).collect();
    assert_eq!(ids, [3, 2, 1], "replies in finishing order");
    assert_eq!(order[0].1, str("fast"));
    assert_eq!(order[1].1, str("medium"));
    assert_eq!(order[2].1, str("slow"));
    assert!(
        order[1].2 < Duration::from_millis(300),
        "the slow call held up others: {order:?}"
    );
}

#[tokio::test]
async fn many_callers_share_one_connection() {
    let server = start(ServerConfig::default()).await;
    let mut conn = connect(server.addr).await;
    for id in 1..=200u64 {
        let ms = Value::Int((id % 7) as i64 * 3);
        conn.write_frame(&call(id, "sleep", vec![ms, Value::Int(id as i64 * 10)]))
            .await
            .unwrap();
    }
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..200 {
        let Some(Frame::Reply { id, value }) = next(&mut conn).await else {
            panic!("expected a reply")
        };
        assert_eq!(
            value,
            Value::Int(id as i64 * 10),
            "reply {id} matched to its call"
        );
        assert!(seen.insert(id), "reply {id} twice");
    }
}

#[tokio::test]
async fn large_and_small_byte_strings_come_back_whole_and_matched() {
    // Replies of 64 KiB and more go out from the values themselves, not
    // copied into the frame; batched with small ones, each must still arrive
    // whole and in its own frame.
    let server = start(ServerConfig::default()).await;
    let mut conn = connect(server.addr).await;
    let payload = |id: u64| {
        let len = [10, 70_000, 300_000, 65_536][id as usize % 4];
        Value::Bytes(
            (0..len)
                .map(|i| (i as u64 * 31 + id) as u8)
                .collect::<Vec<u8>>()
                .into(),
        )
    };
    for id in 1..=60u64 {
        conn.write_frame(&call(id, "echo", vec![payload(id)]))
            .await
            .unwrap();
    }
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..60 {
        let Some(Frame::Reply { id, value }) = next(&mut conn).await else {
            panic!("expected a reply")
        };
        assert!(value == payload(id), "reply {id} is its call's bytes");
        assert!(seen.insert(id), "reply {id} twice");
    }
}

#[tokio::test]
async fn failures_carry_their_status_and_exception() {
    let server = start(ServerConfig::default()).await;
    let mut conn = connect(server.addr).await;
    conn.write_frame(&call(1, "fail", vec![str("A-1")]))
        .await
        .unwrap();
    let Some(Frame::Error {
        id: 1,
        status: Status::Raised,
        raised,
    }) = next(&mut conn).await
    else {
        panic!()
    };
    assert_eq!(
        (raised.type_name.as_str(), raised.module.as_str()),
        ("OutOfStock", "shop")
    );
    assert_eq!(raised.fields, [("sku".to_string(), str("A-1"))]);
    assert_eq!(raised.message, "A-1 is out of stock");
    conn.write_frame(&call(2, "nope", vec![])).await.unwrap();
    let Some(Frame::Error {
        id: 2,
        status: Status::NotFound,
        raised,
    }) = next(&mut conn).await
    else {
        panic!()
    };
    assert_eq!(raised.type_name, "AttributeError");
    assert_eq!(raised.message, "Demo has no method \"nope\"");
    conn.write_frame(&call(3, "add", vec![str("x"), Value::Int(1)]))
        .await
        .unwrap();
    let Some(Frame::Error {
        id: 3,
        status: Status::BadArguments,
        raised,
    }) = next(&mut conn).await
    else {
        panic!()
    };
    assert_eq!(raised.type_name, "TypeError");
}

#[tokio::test]
async fn the_server_enforces_the_call_timeout() {
    let server = start(ServerConfig::default()).await;
    let mut conn = connect(server.addr).await;
    let args = BoundArgs {
        positional: vec![Value::Int(5_000)],
        keyword: vec![],
    };
    let timeout = Some(Duration::from_millis(50));
    let sleep = Call {
        service: "Demo".into(),
        method: "sleep".into(),
        object: String::new(),
        args,
        timeout,
        metadata: Vec::new(),
    };
    let started = Instant::now();
    conn.write_frame(&Frame::Call { id: 9, call: sleep })
        .await
        .unwrap();
    let Some(Frame::Error {
        id: 9,
        status,
        raised,
    }) = next(&mut conn).await
    else {
        panic!()
    };
    assert_eq!(
        (status, raised.type_name.as_str()),
        (Status::DeadlineExceeded, "TimeoutError")
    );
    assert_eq!(raised.message, "Demo.sleep did not finish within 50 ms");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn ping_is_answered_with_pong() {
    let server = start(ServerConfig::default()).await;
    let mut conn = connect(server.addr).await;
    conn.write_frame(&Frame::Ping { id: 42 }).await.unwrap();
    assert_eq!(next(&mut conn).await, Some(Frame::Pong { id: 42 }));
}
