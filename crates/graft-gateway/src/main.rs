//! `gg`, the Graft gateway.
//!
//! Start-up runs in order: parse the command line ([`cli`]), start CPython
//! and discover the hosted modules (`graft_python::Host`), then bind the
//! listeners and serve until SIGTERM or Ctrl-C ([`serve`]). Routes are in
//! [`http`].

mod auth;
mod broker;
mod cli;
mod conn;
mod cors;
mod diff;
mod errors;
mod health;
mod hosting;
mod http;
mod index;
mod limits;
mod log;
mod mcp;
mod metadata;
mod metrics;
mod objects;
mod observe;
mod otel;
mod publish;
mod respond;
mod serve;
mod shedding;
mod tcp;
mod tls;
mod trace;

use std::process::ExitCode;
use std::sync::Arc;

use graft_python::Host;
use tokio::runtime::Runtime;

/// mimalloc for gg's own allocations: a call's values are many small,
/// short-lived allocations made on one thread and freed on another, where
/// it spends about half the CPU of the system allocator (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let mut cli = match cli::parse(std::env::args_os()) {
        Ok(cli) => cli,
        Err(err) => err.exit(),
    };
    if let Some(command) = cli.command.take() {
        return match command {
            cli::Command::Diff { old, new } => diff::run(&old, &new),
            cli::Command::Publish(args) => publish::run(args),
        };
    }
    let _log = log::init(cli.log_format);
    if let Err(code) = configure_calls(&cli) {
        return code;
    }
    let host = match start_host(&cli) {
        Ok(host) => host,
        Err(code) => return code,
    };
    match runtime() {
        Ok(runtime) => serve_on(&runtime, cli, host),
        Err(code) => code,
    }
}

/// What every call reads: whether tracebacks go to callers, whether it
/// writes an access line, and the known tokens (`--authTokens`; a file
/// that cannot be used exits with status 2).
fn configure_calls(cli: &cli::Cli) -> Result<(), ExitCode> {
    errors::send_tracebacks(cli.tracebacks);
    observe::log_access(cli.access_log);
    auth::init(cli.auth_tokens.as_deref()).map_err(|err| {
        eprintln!("error: {err:#}");
        ExitCode::from(2)
    })
}

/// CPython started and the hosted modules discovered, with the limits of
/// their remote objects (`--objectTtl`, `--maxObjects`).
fn start_host(cli: &cli::Cli) -> Result<Arc<Host>, ExitCode> {
    let host = hosting::start(&cli.hosted)?;
    let ttl = std::time::Duration::from_secs_f64(cli.object_ttl);
    host.configure_objects(ttl, cli.max_objects as usize);
    Ok(host)
}

/// The async runtime, each of its threads able to enter CPython.
fn runtime() -> Result<Runtime, ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers())
        .on_thread_start(graft_python::keep_thread_state)
        .on_thread_stop(graft_python::release_thread_state)
        .enable_all()
        .build();
    runtime.map_err(|err| {
        eprintln!("error: cannot start the async runtime: {err}");
        ExitCode::from(1)
    })
}

/// Serves on `runtime` until stopped (spans exported meanwhile, if asked),
/// then releases the remote objects still living in the gateway.
fn serve_on(runtime: &Runtime, cli: cli::Cli, host: Arc<Host>) -> ExitCode {
    // Dropped before the runtime, which sends the last spans.
    let _spans = otel::start(runtime.handle().clone());
    let objects = Arc::clone(&host);
    let served = runtime.block_on(serve::run(cli, host));
    // Calls have ended: the objects still living in the gateway are released (their close() runs).
    let released = objects.release_all();
    if released > 0 {
        tracing::info!("released {released} remote objects at shutdown");
    }
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(1)
        }
    }
}

/// Worker threads: more than the cores, so that a hosted method that turns
/// slow while running on a worker (see `graft_python`'s invoke module) leaves
/// others free for `/status` and every other call.
fn workers() -> usize {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    (cores * 2).max(8)
}
