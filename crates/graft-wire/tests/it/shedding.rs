//! Calls past a connection's cap (`ServerConfig::max_concurrent_calls`)
//! are refused at once with status Overloaded (version 8), or Unavailable
//! for a client of version 7, never queued.

use std::time::{Duration, Instant};

use graft_model::Value;
use graft_wire::handshake::{HELLO_BYTES, Hello, hello_status};
use graft_wire::{Frame, ServerConfig, Status};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::connection::Connection;
use crate::{call, connect, next, start, str};

fn capped(calls: usize) -> ServerConfig {
    ServerConfig {
        max_concurrent_calls: calls,
        ..ServerConfig::default()
    }
}

fn sleep(id: u64) -> Frame {
    call(id, "sleep", vec![Value::Int(300), Value::Int(id as i64)])
}

#[tokio::test]
async fn calls_past_the_cap_are_refused_at_once_as_overloaded() {
    let server = start(capped(2)).await;
    let mut conn = connect(server.addr).await;
    let started = Instant::now();
    for id in 1..=3 {
        conn.write_frame(&sleep(id)).await.unwrap();
    }
    let Some(Frame::Error { id, status, raised }) = next(&mut conn).await else {
        panic!("the third call was not refused first")
    };
    assert!(started.elapsed() < Duration::from_millis(250), "queued");
    assert_eq!((id, status), (3, Status::Overloaded));
    assert_eq!(raised.type_name, "ConnectionRefusedError");
    assert!(raised.message.contains("2 calls run"), "{}", raised.message);
    for want in 1..=2 {
        let reply = next(&mut conn).await;
        assert!(matches!(reply, Some(Frame::Reply { id, .. }) if id == want));
    }
    // Places free again once calls end.
    conn.write_frame(&call(4, "echo", vec![str("again")]))
        .await
        .unwrap();
    assert!(matches!(
        next(&mut conn).await,
        Some(Frame::Reply { id: 4, .. })
    ));
}

#[tokio::test]
async fn a_version_7_client_is_refused_as_unavailable() {
    let server = start(capped(1)).await;
    let mut conn = connect_version(server.addr, 7).await;
    conn.write_frame(&sleep(1)).await.unwrap();
    conn.write_frame(&sleep(2)).await.unwrap();
    let Some(Frame::Error { id, status, .. }) = next(&mut conn).await else {
        panic!("the second call was not refused")
    };
    assert_eq!((id, status), (2, Status::Unavailable));
}

#[test]
fn overloaded_is_unavailable_before_version_8() {
    assert_eq!(Status::Overloaded.for_version(7), Status::Unavailable);
    assert_eq!(Status::Overloaded.for_version(8), Status::Overloaded);
    assert_eq!(Status::Raised.for_version(3), Status::Raised);
    assert_eq!(Status::from_u8(8).unwrap(), Status::Overloaded);
}

async fn connect_version(addr: std::net::SocketAddr, version: u16) -> Connection<TcpStream> {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let ours = Hello {
        version,
        ..Hello::new(1 << 20, 10_000)
    };
    stream.write_all(&ours.encode()).await.unwrap();
    let mut theirs = [0u8; HELLO_BYTES];
    stream.read_exact(&mut theirs).await.unwrap();
    let theirs = Hello::decode(&theirs).unwrap();
    assert_eq!((theirs.version, theirs.status), (version, hello_status::OK));
    Connection::new(stream, 1 << 20).speaking(version)
}
