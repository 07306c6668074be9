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
async fn frames_until_closed(conn: &mut crate::connection::Connection<TcpStream>) -> Vec<Frame> {
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
    let mut conn = connect_accepting(server.addr, 4096).await;
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
        "hello rejected by the peer with status 1 (peer speaks version 8)"
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

fn ints(range: std::ops::Range<i64>) -> Value {
    Value::List(range.map(Value::Int).collect())
}

#[tokio::test]
async fn a_returned_list_goes_ahead_in_parts_to_a_version_4_client() {
    let server = start(ServerConfig::default()).await;
    let mut conn = connect(server.addr).await;
    conn.write_frame(&call(7, "echo_in_parts", vec![ints(0..10), Value::Int(3)]))
        .await
        .unwrap();
    let mut frames = Vec::new();
    while !matches!(
        frames.last(),
        Some(Frame::Reply { .. } | Frame::Error { .. })
    ) {
        frames.push(next(&mut conn).await.expect("a frame"));
    }
    let part = |id, range| Frame::ReplyPart {
        id,
        value: ints(range),
    };
    assert_eq!(
        frames,
        [
            part(7, 0..3),
            part(7, 3..6),
            part(7, 6..9),
            Frame::Reply {
                id: 7,
                value: ints(9..10)
            }
        ]
    );
}

#[tokio::test]
async fn a_version_3_client_is_answered_in_version_3_with_whole_replies() {
    let server = start(ServerConfig::default()).await;
    let mut conn = connect_version_3(server.addr).await;
    conn.write_frame(&call(8, "echo_in_parts", vec![ints(0..10), Value::Int(3)]))
        .await
        .unwrap();
    assert_eq!(
        next(&mut conn).await,
        Some(Frame::Reply {
            id: 8,
            value: ints(0..10)
        })
    );
}

#[tokio::test]
async fn parts_and_reply_together_stay_within_the_clients_limit() {
    let server = start(ServerConfig::default()).await;
    let mut conn = connect_accepting(server.addr, 4096).await;
    // 1,000 ints in parts of 100: each part is 914 bytes, fine alone; five of them are not.
    conn.write_frame(&call(
        9,
        "echo_in_parts",
        vec![ints(0..1000), Value::Int(100)],
    ))
    .await
    .unwrap();
    let mut parts = 0;
    let raised = loop {
        match next(&mut conn).await {
            Some(Frame::ReplyPart { id: 9, .. }) => parts += 1,
            Some(Frame::Error {
                id: 9,
                status: Status::Internal,
                raised,
            }) => break raised,
            other => panic!("expected parts then an Error, got {other:?}"),
        }
    };
    assert_eq!(parts, 4, "4 x 914 bytes fit in 4096, a fifth does not");
    assert_eq!(
        raised.message,
        "the reply could not be sent: frame of 914 bytes, after 3656 bytes sent ahead in parts, \
         exceeds the limit of 4096 bytes"
    );
    still_answers(&mut conn, 10).await;
}

/// Connects as a client that accepts frames of at most `max` bytes.
async fn connect_accepting(
    addr: std::net::SocketAddr,
    max: u32,
) -> crate::connection::Connection<TcpStream> {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    handshake::connect(&mut stream, Hello::new(max, 10_000))
        .await
        .unwrap();
    let mut conn = crate::connection::Connection::new(stream, max);
    conn.set_peer_max_frame_size(1 << 20);
    conn
}

fn call_part(id: u64, range: std::ops::Range<i64>) -> Frame {
    Frame::CallPart {
        id,
        service: "Demo".into(),
        method: "echo".into(),
        argument: String::new(),
        value: ints(range),
    }
}

#[tokio::test]
async fn a_first_argument_in_parts_is_joined_before_the_call_runs() {
    let server = start(ServerConfig::default()).await;
    let mut conn = connect(server.addr).await;
    for frame in [
        call_part(3, 0..4),
        call_part(3, 4..8),
        call(3, "echo", vec![ints(8..10)]),
    ] {
        conn.write_frame(&frame).await.unwrap();
    }
    assert_eq!(
        next(&mut conn).await,
        Some(Frame::Reply {
            id: 3,
            value: ints(0..10)
        })
    );
    // A keyword argument, likewise.
    let by_name = Frame::CallPart {
        id: 9,
        service: "Demo".into(),
        method: "echo".into(),
        argument: "value".into(),
        value: ints(0..3),
    };
    conn.write_frame(&by_name).await.unwrap();
    let mut last = call(9, "echo", vec![]);
    if let Frame::Call { call, .. } = &mut last {
        call.args.keyword.push(("value".into(), ints(3..5)));
    }
    conn.write_frame(&last).await.unwrap();
    assert_eq!(
        next(&mut conn).await,
        Some(Frame::Reply {
            id: 9,
            value: ints(0..5)
        })
    );
    // A Call the parts cannot go with is refused, and their stream ends with it.
    conn.write_frame(&call_part(4, 0..4)).await.unwrap();
    conn.write_frame(&call(4, "echo", vec![Value::None]))
        .await
        .unwrap();
    assert_eq!(
        bad_arguments(&mut conn, 4).await,
        "Demo.echo: the argument sent in parts (the first positional one) is not a list in the call"
    );
    still_answers(&mut conn, 5).await;
}

/// The message of the BadArguments Error that must come next, for call `id`.
async fn bad_arguments(conn: &mut crate::connection::Connection<TcpStream>, id: u64) -> String {
    match next(conn).await {
        Some(Frame::Error {
            id: got,
            status: Status::BadArguments,
            raised,
        }) if got == id => raised.message,
        other => panic!("expected BadArguments for call {id}, got {other:?}"),
    }
}

/// Call `id` (2 + 3) is answered next: nothing of an earlier call came between.
async fn still_answers(conn: &mut crate::connection::Connection<TcpStream>, id: u64) {
    conn.write_frame(&call(id, "add", vec![Value::Int(2), Value::Int(3)]))
        .await
        .unwrap();
    let answer = next(conn).await;
    assert_eq!(
        answer,
        Some(Frame::Reply {
            id,
            value: Value::Int(5)
        })
    );
}

#[tokio::test]
async fn parts_past_the_servers_limit_fail_their_call_only() {
    let server = start(ServerConfig {
        max_frame_size: 8192,
        ..ServerConfig::default()
    })
    .await;
    let mut conn = connect(server.addr).await;
    for start in (0..2000).step_by(500) {
        conn.write_frame(&call_part(6, start..start + 500))
            .await
            .unwrap();
    }
    conn.write_frame(&call(6, "echo", vec![ints(0..1)]))
        .await
        .unwrap();
    assert_eq!(
        bad_arguments(&mut conn, 6).await,
        "the call's parts pass the server's limit of 8192 bytes"
    );
    still_answers(&mut conn, 7).await;
}

#[tokio::test]
async fn a_version_3_client_may_not_send_parts() {
    let server = start(ServerConfig::default()).await;
    let mut conn = connect_version_3(server.addr).await;
    conn.write_frame(&call_part(8, 0..4)).await.unwrap();
    let Some(Frame::ProtocolError { id: 8, code, .. }) = next(&mut conn).await else {
        panic!("expected a ProtocolError")
    };
    assert_eq!(code, ProtocolCode::UnexpectedFrame);
}

/// Connects as a version-3 client, which the server answers in version 3.
async fn connect_version_3(addr: std::net::SocketAddr) -> crate::connection::Connection<TcpStream> {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let ours = Hello {
        version: 3,
        ..Hello::new(1 << 20, 10_000)
    };
    stream.write_all(&ours.encode()).await.unwrap();
    let mut theirs = [0u8; HELLO_BYTES];
    stream.read_exact(&mut theirs).await.unwrap();
    let theirs = Hello::decode(&theirs).unwrap();
    assert_eq!((theirs.version, theirs.status), (3, hello_status::OK));
    crate::connection::Connection::new(stream, 1 << 20).speaking(3)
}
