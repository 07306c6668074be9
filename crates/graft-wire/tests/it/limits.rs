//! `serve` over real loopback sockets: what closes a connection (garbage,
//! oversized frames, another version, silence, shutdown) and what does not.

use std::time::{Duration, Instant};

use graft_model::Value;
use graft_wire::handshake::{self, HELLO_BYTES, Hello, hello_status};
use graft_wire::{Frame, ProtocolCode, ServerConfig, Status, WireError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::{call, connect, next, start, str};

fn quick(heartbeat_ms: u64) -> ServerConfig {
    ServerConfig {
        heartbeat_interval: Duration::from_millis(heartbeat_ms),
        ..ServerConfig::default()
    }
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
    conn.write_frame(&call(5, "echo", vec![Value::Bytes(vec![7; 10_000].into())]))
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
        version: 1,
        ..Hello::new(1 << 20, 1000)
    };
    let err = handshake::connect(&mut stream, hello).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "hello rejected by the peer with status 1 (peer speaks version 3)"
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

#[tokio::test]
async fn a_client_that_stops_sending_still_gets_its_replies() {
    let server = start(ServerConfig::default()).await;
    let mut conn = connect(server.addr).await;
    let slow = call(1, "sleep", vec![Value::Int(100), str("late")]);
    conn.write_frame(&slow).await.unwrap();
    conn.get_mut().shutdown().await.unwrap();
    let frames = frames_until_closed(&mut conn).await;
    assert_eq!(
        frames,
        [Frame::Reply {
            id: 1,
            value: str("late")
        }]
    );
}

#[tokio::test]
async fn calls_past_the_concurrency_cap_wait_their_turn() {
    let config = ServerConfig {
        max_concurrent_calls: 2,
        ..ServerConfig::default()
    };
    let server = start(config).await;
    let mut conn = connect(server.addr).await;
    let started = Instant::now();
    for id in 1..=3 {
        let sleep = call(id, "sleep", vec![Value::Int(200), Value::Int(id as i64)]);
        conn.write_frame(&sleep).await.unwrap();
    }
    let mut last = Duration::ZERO;
    for _ in 0..3 {
        assert!(matches!(next(&mut conn).await, Some(Frame::Reply { .. })));
        last = started.elapsed();
    }
    assert!(
        last >= Duration::from_millis(400),
        "the third call ran alongside the others: {last:?}"
    );
}
