//! Integration tests of graft-wire, one binary with a module per topic.
//!
//! - `codec`: value encoding, edge values, round trips (proptest);
//! - `connection`, `demo`: the test client's connection and the demo service;
//! - `fuzz`, `round_trip`: arbitrary bytes into the decoders: no panic,
//!   bounded memory, what decodes round-trips as the same value;
//! - `server`, `limits`, `hello`: real loopback sockets against `serve`;
//! - `budget`: the server's memory budget: reads pause and resume;
//! - `shedding`: calls past a connection's cap are refused (Overloaded);
//! - `streams`: streaming calls (version 5), credit, cancel, request ids;
//! - `vectors`: the committed `docs/protocol-vectors` match the encoder.

mod alloc;
mod budget;
mod codec;
mod connection;
mod demo;
mod fuzz;
mod hello;
mod limits;
mod round_trip;
mod server;
mod shedding;
mod streams;
mod vectors;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use graft_model::{BoundArgs, Value};
use graft_wire::handshake::{self, Hello};
use graft_wire::{Call, Frame, ServerConfig, serve_with};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use connection::Connection;
use demo::Demo;

/// A running demo server; dropping `stop` (or sending on it) shuts it down.
pub struct TestServer {
    pub addr: SocketAddr,
    pub stop: oneshot::Sender<()>,
    pub done: JoinHandle<()>,
}

pub async fn start(config: ServerConfig) -> TestServer {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    let (stop, stopped) = oneshot::channel::<()>();
    let done = tokio::spawn(serve_with(listener, Arc::new(Demo), config, async {
        let _ = stopped.await;
    }));
    TestServer { addr, stop, done }
}

/// Connects and completes the handshake.
pub async fn connect(addr: SocketAddr) -> Connection<TcpStream> {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let hello = Hello::new(graft_wire::DEFAULT_MAX_FRAME_SIZE, 10_000);
    handshake::connect(&mut stream, hello)
        .await
        .expect("handshake");
    Connection::new(stream, graft_wire::DEFAULT_MAX_FRAME_SIZE)
}

/// A Call frame to the demo service with positional arguments.
pub fn call(id: u64, method: &str, positional: Vec<Value>) -> Frame {
    let args = BoundArgs {
        positional,
        keyword: Vec::new(),
    };
    let call = Call {
        service: "Demo".into(),
        method: method.into(),
        object: String::new(),
        args,
        timeout: None,
        metadata: Vec::new(),
    };
    Frame::Call { id, call }
}

/// Reads one frame, failing the test after five seconds.
pub async fn next(conn: &mut Connection<TcpStream>) -> Option<Frame> {
    tokio::time::timeout(Duration::from_secs(5), conn.read_frame())
        .await
        .expect("no frame within 5 s")
        .expect("read frame")
}

pub fn str(s: &str) -> Value {
    Value::Str(s.to_string())
}
