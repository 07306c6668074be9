//! `echo-server`: answers every length-prefixed frame with the same bytes.
//!
//! Prints `ready <port>` on stdout once listening, then serves until killed.

use anyhow::Context;
use clap::Parser;
use graft_bench::frame::{BUFFER, read_frame, write_frame};
use tokio::io::{AsyncWriteExt, BufReader, BufWriter};
use tokio::net::{TcpListener, TcpStream};

/// The Rust floor's echo server.
#[derive(Parser)]
struct Args {
    /// Address to listen on (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    bind: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let listener = TcpListener::bind(&args.bind)
        .await
        .with_context(|| format!("binding {}", args.bind))?;
    println!("ready {}", listener.local_addr()?.port());
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::spawn(async move {
            if let Err(e) = echo(stream).await {
                eprintln!("echo-server: connection ended: {e}");
            }
        });
    }
}

/// Echoes frames in order until the peer closes; flushes when no further
/// request is already buffered, so pipelined calls share writes.
async fn echo(stream: TcpStream) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let (read, write) = stream.into_split();
    let mut reader = BufReader::with_capacity(BUFFER, read);
    let mut writer = BufWriter::with_capacity(BUFFER, write);
    let mut buf = Vec::new();
    while read_frame(&mut reader, &mut buf).await? {
        write_frame(&mut writer, &buf).await?;
        if reader.buffer().is_empty() {
            writer.flush().await?;
        }
    }
    writer.flush().await
}
