//! `serve` over real loopback sockets.

use std::time::{Duration, Instant};

use graft_model::{BoundArgs, Value};
use graft_wire::handshake::{self, HELLO_BYTES, Hello, hello_status};
use graft_wire::{Call, Frame, ProtocolCode, ServerConfig, Status, WireError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::{call, connect, next, start};

fn quick(heartbeat_ms: u64) -> ServerConfig {
    ServerConfig {
        heartbeat_interval: Duration::from_millis(heartbeat_ms),
        ..ServerConfig::default()
    }
}

fn str(s: &str) -> Value {
    Value::Str(s.to_string())
}

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
        args,
        timeout,
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

/// Reads until the server closes; returns the frames it sent first.
async fn frames_until_closed(conn: &mut graft_wire::Connection<TcpStream>) -> Vec<Frame> {
    let mut frames = Vec::new();
    loop {
        match tokio::time::timeout(Duration::from_secs(5), conn.read_frame())
            .await
            .expect("closed within 5 s")
        {
            Ok(Some(frame)) => frames.push(frame),
            Ok(None) | Err(WireError::Io(_)) => return frames,
            Err(err) => panic!("unexpected {err}"),
        }
    }
}

#[tokio::test]
async fn garbage_closes_only_its_own_connection() {
    let server = start(ServerConfig::default()).await;
    let mut good = connect(server.addr).await;
    let mut bad = connect(server.addr).await;
    bad.write_raw(&[0, 0, 0, 9, 0xee, 0, 0, 0, 0, 0, 0, 0, 1])
        .await
        .unwrap();
    let frames = frames_until_closed(&mut bad).await;
    let [
        Frame::ProtocolError {
            code: ProtocolCode::Malformed,
            message,
            ..
        },
    ] = &frames[..]
    else {
        panic!("expected one ProtocolError, got {frames:?}")
    };
    assert_eq!(message, "unknown frame kind 0xee");
    // Bytes that are not even a hello.
    let mut raw = TcpStream::connect(server.addr).await.unwrap();
    raw.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut answer = [0u8; HELLO_BYTES];
    raw.read_exact(&mut answer).await.unwrap();
    assert_eq!(
        Hello::decode(&answer).unwrap().status,
        hello_status::BAD_MAGIC
    );
    good.write_frame(&call(1, "echo", vec![str("still here")]))
        .await
        .unwrap();
    assert_eq!(
        next(&mut good).await,
        Some(Frame::Reply {
            id: 1,
            value: str("still here")
        })
    );
}

#[tokio::test]
async fn an_oversized_frame_is_refused_from_its_header() {
    let server = start(ServerConfig {
        max_frame_size: 1024,
        ..ServerConfig::default()
    })
    .await;
    let mut conn = connect(server.addr).await;
    // Only the header: the server must not wait for the announced megabyte.
    conn.write_raw(&[0, 0x10, 0, 0, 0x01]).await.unwrap();
    let frames = frames_until_closed(&mut conn).await;
    let [
        Frame::ProtocolError {
            code: ProtocolCode::FrameTooLarge,
            message,
            ..
        },
    ] = &frames[..]
    else {
        panic!("expected FrameTooLarge, got {frames:?}")
    };
    assert_eq!(
        message,
        "frame of 1048576 bytes exceeds the limit of 1024 bytes"
    );
}

#[tokio::test]
async fn a_reply_too_large_for_the_client_becomes_an_error() {
    let server = start(ServerConfig::default()).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    handshake::connect(&mut stream, Hello::new(4096, 10_000))
        .await
        .unwrap();
    let mut conn = graft_wire::Connection::new(stream, 4096);
    conn.set_peer_max_frame_size(1 << 20);
    conn.write_frame(&call(5, "echo", vec![Value::Bytes(vec![7; 10_000])]))
        .await
        .unwrap();
    let Some(Frame::Error {
        id: 5,
        status: Status::Internal,
        raised,
    }) = next(&mut conn).await
    else {
        panic!()
    };
    assert_eq!(
        raised.message,
        "the reply could not be sent: frame of 10014 bytes exceeds the limit of 4096 bytes"
    );
}

#[tokio::test]
async fn another_protocol_version_is_rejected() {
    let server = start(ServerConfig::default()).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let hello = Hello {
        version: 2,
        ..Hello::new(1 << 20, 1000)
    };
    let err = handshake::connect(&mut stream, hello).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "hello rejected by the peer with status 1 (peer speaks version 1)"
    );
    let mut rest = Vec::new();
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut rest))
        .await
        .unwrap();
    assert_eq!(n.unwrap(), 0, "the server closes after rejecting");
}

#[tokio::test]
async fn a_silent_connection_is_closed_but_a_pinging_one_stays() {
    let server = start(quick(100)).await;
    let mut silent = connect(server.addr).await;
    let mut pinging = connect(server.addr).await;
    let started = Instant::now();
    for id in 0..8 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        pinging.write_frame(&Frame::Ping { id }).await.unwrap();
        assert_eq!(next(&mut pinging).await, Some(Frame::Pong { id }));
    }
    let frames = frames_until_closed(&mut silent).await;
    assert!(
        matches!(
            frames[..],
            [Frame::ProtocolError {
                code: ProtocolCode::IdleTimeout,
                ..
            }]
        ),
        "{frames:?}"
    );
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn shutdown_says_goodbye_and_finishes_calls_in_flight() {
    let server = start(ServerConfig::default()).await;
    let mut conn = connect(server.addr).await;
    conn.write_frame(&call(1, "sleep", vec![Value::Int(300), str("done")]))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    server.stop.send(()).unwrap();
    let frames = frames_until_closed(&mut conn).await;
    assert_eq!(
        frames,
        [
            Frame::Goodbye {
                reason: "server shutting down".into()
            },
            Frame::Reply {
                id: 1,
                value: str("done")
            },
        ]
    );
    tokio::time::timeout(Duration::from_secs(5), server.done)
        .await
        .unwrap()
        .unwrap();
    assert!(
        TcpStream::connect(server.addr).await.is_err(),
        "no longer accepting"
    );
}
