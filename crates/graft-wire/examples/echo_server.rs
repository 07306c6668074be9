//! A Graft wire server running the `Demo` service (`tests/it/demo.rs`, test
//! code that this example includes), for testing clients in other languages
//! against the real server.
//!
//! Usage: `echo_server [PORT] [HEARTBEAT_MS]`. Port 0 (the default) picks a
//! free port. Prints `listening on 127.0.0.1:PORT` once ready; stops on
//! Ctrl-C or when its standard input closes.

use std::sync::Arc;
use std::time::Duration;

use graft_wire::{ServerConfig, serve_with};
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

#[path = "../tests/it/demo.rs"]
mod demo;

use demo::Demo;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut argv = std::env::args().skip(1);
    let port: u16 = argv.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let mut config = ServerConfig::default();
    if let Some(ms) = argv.next().and_then(|ms| ms.parse().ok()) {
        config.heartbeat_interval = Duration::from_millis(ms);
    }
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on {}", listener.local_addr()?);
    let stdin_closed = async {
        let mut sink = [0u8; 64];
        let mut stdin = tokio::io::stdin();
        while matches!(stdin.read(&mut sink).await, Ok(n) if n > 0) {}
    };
    let shutdown = async {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = stdin_closed => {}
        }
    };
    serve_with(listener, Arc::new(Demo), config, shutdown).await;
    Ok(())
}
