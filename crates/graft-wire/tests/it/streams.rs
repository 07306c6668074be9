//! Streaming calls (version 5) against the demo server's `count(n)`: Items
//! then a Reply of None, within the client's credit; Cancel; and request ids.

use std::time::Duration;

use graft_model::Value;
use graft_wire::server::INITIAL_WINDOW;
use graft_wire::{Frame, ServerConfig, Status};

use crate::{call, connect, next, start};

/// The ints in an Items frame's value.
fn ints(value: &Value) -> Vec<i64> {
    let Value::List(items) = value else {
        panic!("expected a list of items, got {value:?}")
    };
    items
        .iter()
        .map(|item| match item {
            Value::Int(i) => *i,
            other => panic!("expected an int item, got {other:?}"),
        })
        .collect()
}

#[tokio::test]
async fn a_stream_sends_its_items_in_order_then_a_reply_of_none() {
    let server = start(ServerConfig::default()).await;
    let mut conn = connect(server.addr).await;
    conn.write_frame(&call(1, "count", vec![Value::Int(1000)]))
        .await
        .unwrap();
    let mut got = Vec::new();
    loop {
        match next(&mut conn).await.expect("a frame") {
            Frame::Items { id: 1, value } => got.extend(ints(&value)),
            Frame::Reply { id: 1, value } => {
                assert_eq!(value, Value::None);
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(got, (0..1000).collect::<Vec<_>>());
}

/// Reads Items frames of call 1 until none comes for 300 ms; their bytes.
async fn items_until_quiet(
    conn: &mut crate::connection::Connection<tokio::net::TcpStream>,
    got: &mut Vec<i64>,
) -> usize {
    let mut bytes = 0;
    loop {
        let quiet = tokio::time::timeout(Duration::from_millis(300), conn.read_frame()).await;
        match quiet {
            Err(_) => return bytes,
            Ok(frame) => match frame.unwrap().expect("a frame") {
                Frame::Items { id: 1, value } => {
                    bytes += graft_wire::codec::size_hint(&value);
                    got.extend(ints(&value));
                }
                other => panic!("unexpected {other:?}"),
            },
        }
    }
}

#[tokio::test]
async fn a_stream_pauses_when_its_credit_is_spent_and_goes_on_with_more() {
    let server = start(ServerConfig::default()).await;
    let mut conn = connect(server.addr).await;
    let n = 200_000;
    conn.write_frame(&call(1, "count", vec![Value::Int(n)]))
        .await
        .unwrap();
    let mut got = Vec::new();
    let first = items_until_quiet(&mut conn, &mut got).await;
    let window = INITIAL_WINDOW as usize;
    assert!(
        first >= window / 2 && first <= window + 70 * 1024,
        "{first} bytes of items sent within a window of {window}"
    );
    assert!(
        (got.len() as i64) < n,
        "the whole stream came without credit"
    );
    let before = got.len();
    conn.write_frame(&Frame::Credit {
        id: 1,
        bytes: 64 * 1024,
    })
    .await
    .unwrap();
    let more = items_until_quiet(&mut conn, &mut got).await;
    assert!(more > 0 && got.len() > before, "credit brought no items");
    assert!(
        more <= 64 * 1024 + 70 * 1024,
        "{more} bytes for 64 KiB of credit"
    );
    assert_eq!(got, (0..got.len() as i64).collect::<Vec<_>>());
}

#[tokio::test]
async fn cancel_ends_a_stream_with_status_cancelled() {
    let server = start(ServerConfig::default()).await;
    let mut conn = connect(server.addr).await;
    conn.write_frame(&call(1, "count", vec![Value::Int(1_000_000)]))
        .await
        .unwrap();
    conn.write_frame(&Frame::Cancel { id: 1 }).await.unwrap();
    loop {
        match next(&mut conn).await.expect("a frame") {
            Frame::Items { id: 1, .. } => {}
            Frame::Error { id: 1, status, .. } => {
                assert_eq!(status, Status::Cancelled);
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    // The id is free again, and the connection serves on.
    conn.write_frame(&call(1, "add", vec![Value::Int(2), Value::Int(3)]))
        .await
        .unwrap();
    assert!(matches!(
        next(&mut conn).await,
        Some(Frame::Reply {
            id: 1,
            value: Value::Int(5)
        })
    ));
}

#[tokio::test]
async fn a_second_call_with_a_running_calls_id_is_a_protocol_error() {
    let server = start(ServerConfig::default()).await;
    let mut conn = connect(server.addr).await;
    conn.write_frame(&call(7, "sleep", vec![Value::Int(2000)]))
        .await
        .unwrap();
    conn.write_frame(&call(7, "add", vec![Value::Int(1), Value::Int(1)]))
        .await
        .unwrap();
    match next(&mut conn).await {
        Some(Frame::ProtocolError { id: 7, message, .. }) => {
            assert!(message.contains("id 7"), "{message}")
        }
        other => panic!("expected a protocol error, got {other:?}"),
    }
}
