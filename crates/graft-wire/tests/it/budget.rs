//! The server's memory budget ([`ServerConfig::memory_budget`]) over real
//! sockets: a spent budget pauses reading and reading resumes once calls
//! give their bytes back; nothing waits for ever on it.

use std::time::{Duration, Instant};

use bytes::Bytes;
use graft_model::Value;
use graft_wire::budget::Budget;
use graft_wire::{Frame, FrameReader, ServerConfig};
use tokio::io::AsyncWriteExt;

use crate::{call, connect, next, start};

type Conn = crate::connection::Connection<tokio::net::TcpStream>;

/// A server whose connections share `budget` bytes, with heartbeats every
/// `heartbeat` (so idle connections close after three of them).
fn budgeted(budget: usize, heartbeat: Duration) -> ServerConfig {
    ServerConfig {
        memory_budget: budget,
        heartbeat_interval: heartbeat,
        ..ServerConfig::default()
    }
}

fn blob(len: usize, byte: u8) -> Value {
    Value::Bytes(Bytes::from(vec![byte; len]))
}

/// The next frame that is not a Ping or Pong, and how many Pings came
/// before it.
async fn next_answer(conn: &mut Conn) -> (Frame, usize) {
    let mut pings = 0;
    loop {
        match next(conn).await.expect("a frame") {
            Frame::Ping { .. } => pings += 1,
            Frame::Pong { .. } => {}
            frame => return (frame, pings),
        }
    }
}

/// Asserts that `frame` is call `id`'s Reply of `value` (without printing
/// a big value when it is not).
fn assert_reply(frame: &Frame, id: u64, value: &Value) {
    match frame {
        Frame::Reply { id: got, value: v } => assert!(*got == id && v == value, "call {got}"),
        other => panic!("expected call {id}'s Reply, got a {}", other.name()),
    }
}

/// Pings on `conn` every `every` for `lasting`, as a live client does.
async fn keep_alive(conn: &mut Conn, every: Duration, lasting: Duration) {
    let until = Instant::now() + lasting;
    while Instant::now() < until {
        conn.write_frame(&Frame::Ping { id: 99 }).await.unwrap();
        tokio::time::sleep(every).await;
    }
}

#[tokio::test]
async fn a_spent_budget_pauses_reading_until_a_call_gives_its_bytes_back() {
    // Heartbeats every 100 ms: a connection silent for 300 ms would close.
    let beat = Duration::from_millis(100);
    let server = start(budgeted(1 << 20, beat)).await;
    let (mut first, mut second) = (connect(server.addr).await, connect(server.addr).await);
    let slow = call(1, "sleep", vec![Value::Int(1000), blob(700_000, 1)]);
    first.write_frame(&slow).await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let waiting = async {
        let sent = Instant::now();
        let echo = call(2, "echo", vec![blob(700_000, 2)]);
        second.write_frame(&echo).await.unwrap();
        let (reply, pings) = next_answer(&mut second).await;
        let waited = sent.elapsed();
        assert_reply(&reply, 2, &blob(700_000, 2));
        (pings, waited, add_on(&mut second, 3).await)
    };
    let ((pings, waited, added), ()) = tokio::join!(
        waiting,
        keep_alive(&mut first, beat / 2, Duration::from_millis(1100))
    );
    // The echo was read only once the sleeping call was done with its
    // 700 kB; its connection, silent meanwhile, stayed open and was pinged.
    assert!(
        waited >= Duration::from_millis(850),
        "answered after {waited:?}"
    );
    assert!(pings >= 3, "{pings} pings while waiting for the budget");
    let (reply, _) = next_answer(&mut first).await;
    assert_reply(&reply, 1, &blob(700_000, 1));
    // Both connections go on.
    assert_eq!(
        (added, add_on(&mut first, 4).await),
        (Value::Int(3), Value::Int(3))
    );
}

/// What `add(1, 2)`, sent as call `id` on `conn`, answers.
async fn add_on(conn: &mut Conn, id: u64) -> Value {
    conn.write_frame(&call(id, "add", vec![Value::Int(1), Value::Int(2)]))
        .await
        .unwrap();
    match next_answer(conn).await.0 {
        Frame::Reply { value, .. } => value,
        other => panic!("expected a Reply, got {other:?}"),
    }
}

#[tokio::test]
async fn calls_and_replies_bigger_than_the_whole_budget_pass_one_at_a_time() {
    let server = start(budgeted(64 * 1024, Duration::from_secs(10))).await;
    let clients = (0..4u8).map(|n| async move {
        let mut conn = connect(server.addr).await;
        for k in 0..3u8 {
            let id = u64::from(n * 3 + k + 1);
            let frame = call(id, "echo", vec![blob(300_000, n * 3 + k)]);
            conn.write_frame(&frame).await.unwrap();
        }
        for _ in 0..3 {
            let Frame::Reply { id, value } = next_answer(&mut conn).await.0 else {
                panic!("expected a Reply")
            };
            assert!(value == blob(300_000, id as u8 - 1), "call {id}");
        }
    });
    futures::future::join_all(clients).await;
}

#[tokio::test]
async fn an_argument_in_parts_larger_than_the_budget_does_not_wait_on_itself() {
    let server = start(budgeted(16 * 1024, Duration::from_secs(10))).await;
    let mut conn = connect(server.addr).await;
    let part = |k: u8| Frame::CallPart {
        id: 7,
        service: "Demo".into(),
        method: "echo".into(),
        argument: String::new(),
        value: Value::List(vec![blob(20_000, k)]),
    };
    for k in 0..10 {
        conn.write_frame(&part(k)).await.unwrap();
    }
    let last = Value::List(vec![blob(20_000, 10)]);
    conn.write_frame(&call(7, "echo", vec![last]))
        .await
        .unwrap();
    let items = (0..=10).map(|k| blob(20_000, k)).collect();
    let reply = next_answer(&mut conn).await.0;
    assert_reply(&reply, 7, &Value::List(items));
}

/// One frame, encoded with its length prefix.
fn encoded(frame: &Frame) -> Vec<u8> {
    let mut buf = bytes::BytesMut::new();
    frame.encode(&mut buf, u32::MAX).unwrap();
    buf.to_vec()
}

#[tokio::test]
async fn control_frames_are_read_while_the_budget_is_spent() {
    let budget = Budget::new(1000);
    let all = budget.acquire(1000).await;
    let (mut client, server) = tokio::io::duplex(64 * 1024);
    let mut reader = FrameReader::new(server, u32::MAX).with_budget(budget.clone());
    let credit = Frame::Credit { id: 1, bytes: 4096 };
    for frame in [
        Frame::Ping { id: 9 },
        credit.clone(),
        Frame::Cancel { id: 2 },
    ] {
        client.write_all(&encoded(&frame)).await.unwrap();
        let (read, held) = reader.read_held().await.unwrap().unwrap();
        assert_eq!((read, held.bytes()), (frame, 0));
    }
    // A call waits, and the reader says so.
    client
        .write_all(&encoded(&call(3, "echo", vec![Value::Int(1)])))
        .await
        .unwrap();
    let wait = tokio::time::timeout(Duration::from_millis(100), reader.read_held()).await;
    assert!(wait.is_err(), "a call was read with no room in the budget");
    assert!(reader.waits_for_budget());
    drop(all);
    let (read, held) = reader.read_held().await.unwrap().unwrap();
    assert_eq!(read.id(), 3);
    assert!(held.bytes() > 0 && !reader.waits_for_budget());
}

#[tokio::test]
async fn a_client_that_reads_no_replies_is_given_up_and_the_others_go_on() {
    // Budget 1 MiB, heartbeats every 100 ms: 300 ms of no progress is stuck.
    let server = start(budgeted(1 << 20, Duration::from_millis(100))).await;
    let mut deaf = connect(server.addr).await;
    // 30 replies of 1 MB: more than loopback's buffers take while nobody
    // reads, so they stay queued in the server, charged to the budget.
    let sending = tokio::spawn(async move {
        for id in 1..=30 {
            let echo = call(id, "echo", vec![blob(1_000_000, id as u8)]);
            if deaf.write_frame(&echo).await.is_err() {
                break; // given up: the server closed the connection
            }
        }
        deaf
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut other = connect(server.addr).await;
    let answered = tokio::time::timeout(Duration::from_secs(5), async {
        let echo = call(1, "echo", vec![blob(100_000, 7)]);
        other.write_frame(&echo).await.unwrap();
        next_answer(&mut other).await.0
    });
    let reply = answered
        .await
        .expect("the other connection waited for ever");
    assert_reply(&reply, 1, &blob(100_000, 7));
    drop(sending.await.unwrap());
}
