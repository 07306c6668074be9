//! `echo-client`: measures the echo server as `bench/harness.py` measures
//! every system, and prints one JSON object on stdout.
//!
//! Phases, on one connection: `--warmup` calls (not measured), `--calls`
//! sequential calls each timed, then for each concurrency in
//! `--concurrency` `--throughput-calls` calls with that many in flight.
//! CPU seconds of this process and of `--server-pid` are read before and
//! after the measured phases. Every answer is checked against the request.

use anyhow::{Context, bail};
use clap::Parser;
use graft_bench::frame::{BUFFER, read_frame, write_frame};
use graft_bench::stats::{cpu_seconds, quantile};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncWriteExt, BufReader, BufWriter};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::Semaphore;

/// The Rust floor's measuring client.
#[derive(Parser)]
struct Args {
    /// The echo server's address.
    #[arg(long)]
    addr: String,
    /// The server's process id, for its CPU time.
    #[arg(long)]
    server_pid: u32,
    /// Request size in bytes (each answer has the same size).
    #[arg(long)]
    size: usize,
    /// Calls before measuring.
    #[arg(long, default_value_t = 200)]
    warmup: usize,
    /// Sequential calls, each timed.
    #[arg(long, default_value_t = 2000)]
    calls: usize,
    /// Calls per throughput run (at least `--waves` per call in flight).
    #[arg(long, default_value_t = 2000)]
    throughput_calls: usize,
    /// Each throughput run makes at least this many calls per call in flight,
    /// so it measures a steady flow, not one burst.
    #[arg(long, default_value_t = 4)]
    waves: usize,
    /// Calls in flight for each throughput run, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,16,64")]
    concurrency: Vec<usize>,
}

struct Conn {
    reader: BufReader<OwnedReadHalf>,
    writer: BufWriter<OwnedWriteHalf>,
    answer: Vec<u8>,
}

impl Conn {
    async fn open(addr: &str) -> anyhow::Result<Self> {
        let stream = TcpStream::connect(addr)
            .await
            .with_context(|| format!("connecting to {addr}"))?;
        stream.set_nodelay(true)?;
        let (read, write) = stream.into_split();
        let reader = BufReader::with_capacity(BUFFER, read);
        let writer = BufWriter::with_capacity(BUFFER, write);
        Ok(Self {
            reader,
            writer,
            answer: Vec::new(),
        })
    }

    /// One call: send `request`, wait for its echo. The answer is left in
    /// `self.answer` for [`check`], which the timed loop runs after taking
    /// the time, as the Python clients do.
    async fn call(&mut self, request: &[u8]) -> anyhow::Result<()> {
        write_frame(&mut self.writer, request).await?;
        self.writer.flush().await?;
        if !read_frame(&mut self.reader, &mut self.answer).await? {
            bail!("the server closed the connection");
        }
        Ok(())
    }
}

fn check(request: &[u8], answer: &[u8]) -> anyhow::Result<()> {
    if request != answer {
        bail!(
            "wrong echo: sent {} bytes, got {} different bytes",
            request.len(),
            answer.len()
        );
    }
    Ok(())
}

/// `total` calls with at most `inflight` waiting at once; answers come back
/// in order, so the reader checks each against the one request body.
async fn pipelined(
    conn: Conn,
    request: Arc<Vec<u8>>,
    total: usize,
    inflight: usize,
) -> anyhow::Result<(Conn, Duration)> {
    let Conn {
        mut reader,
        writer,
        mut answer,
    } = conn;
    let slots = Arc::new(Semaphore::new(inflight));
    let start = Instant::now();
    let sender = tokio::spawn(requests(writer, slots.clone(), request.clone(), total));
    for _ in 0..total {
        if !read_frame(&mut reader, &mut answer).await? {
            bail!("the server closed the connection");
        }
        check(&request, &answer)?;
        slots.add_permits(1);
    }
    let elapsed = start.elapsed();
    let writer = sender.await??;
    let conn = Conn {
        reader,
        writer,
        answer,
    };
    Ok((conn, elapsed))
}

/// The writing side of a pipelined run, on a task of its own so requests
/// go out while answers come in: `total` requests, each once one of the
/// `slots` for calls in flight is free. The writer comes back for the next run.
async fn requests(
    mut writer: BufWriter<OwnedWriteHalf>,
    slots: Arc<Semaphore>,
    request: Arc<Vec<u8>>,
    total: usize,
) -> anyhow::Result<BufWriter<OwnedWriteHalf>> {
    for _ in 0..total {
        slots.acquire().await?.forget();
        write_frame(&mut writer, &request).await?;
        writer.flush().await?;
    }
    Ok(writer)
}

/// `calls` sequential calls, each one's time taken from its send to its
/// answer; the check of each answer is left out of it.
async fn latencies(conn: &mut Conn, request: &[u8], calls: usize) -> anyhow::Result<Vec<Duration>> {
    let mut samples = Vec::with_capacity(calls);
    for _ in 0..calls {
        let start = Instant::now();
        conn.call(request).await?;
        samples.push(start.elapsed());
        check(request, &conn.answer)?;
    }
    Ok(samples)
}

/// The sequential calls' figures: their count, median, 99th percentile and
/// mean, in microseconds, as `bench/harness.py` reads them.
fn summary(mut samples: Vec<Duration>) -> serde_json::Value {
    let mean = samples.iter().sum::<Duration>() / samples.len().max(1) as u32;
    samples.sort();
    json!({
        "n": samples.len(),
        "p50_us": micros(quantile(&samples, 0.50)),
        "p99_us": micros(quantile(&samples, 0.99)),
        "mean_us": micros(mean),
    })
}

/// CPU seconds so far of this process and of the server's, read before and
/// after the measured phases so each side's share of the work shows.
fn cpu_times(server_pid: u32) -> anyhow::Result<(f64, f64)> {
    Ok((cpu_seconds(std::process::id())?, cpu_seconds(server_pid)?))
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let request: Arc<Vec<u8>> = Arc::new((0..args.size).map(|i| (i % 251) as u8).collect());
    let mut conn = Conn::open(&args.addr).await?;
    for _ in 0..args.warmup {
        conn.call(&request).await?;
        check(&request, &conn.answer)?;
    }
    let cpu_before = cpu_times(args.server_pid)?;
    let samples = latencies(&mut conn, &request, args.calls).await?;
    let mut throughput = serde_json::Map::new();
    let mut calls = args.calls;
    for &inflight in &args.concurrency {
        let total = args.throughput_calls.max(inflight * args.waves.max(1));
        let (back, elapsed) = pipelined(conn, request.clone(), total, inflight.max(1)).await?;
        conn = back;
        calls += total;
        throughput.insert(
            inflight.to_string(),
            json!(total as f64 / elapsed.as_secs_f64()),
        );
    }
    let cpu_after = cpu_times(args.server_pid)?;
    let out = json!({
        "seq": summary(samples),
        "throughput": throughput,
        "cpu": {
            "client_s": cpu_after.0 - cpu_before.0,
            "server_s": cpu_after.1 - cpu_before.1,
            "calls": calls,
        },
    });
    println!("{out}");
    Ok(())
}
