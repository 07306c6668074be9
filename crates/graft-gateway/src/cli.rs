//! The command line of `gg`.
//!
//! Options are case-insensitive (`--TCPServer` = `--tcpserver`) and take
//! `--opt v` or `--opt=v`, as in the tutorial's gateway. Clap does the
//! parsing; [`parse`] first rewrites each option name to its canonical
//! spelling.

mod hosted;
mod spelling;

use std::net::IpAddr;
use std::path::PathBuf;

use clap::Parser;

pub use hosted::Hosted;
pub use spelling::parse;

/// Graft gateway: hosts plain Python modules and exposes every public method.
#[derive(Debug, Parser)]
#[command(name = "gg", version, about, long_about = None)]
pub struct Cli {
    /// A task other than hosting (`gg diff`); without one, gg hosts --modules.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// What to host: the modules, and which of their services and methods.
    #[command(flatten)]
    pub hosted: Hosted,

    /// Port for service calls (POST /call/<Service>/<method>).
    #[arg(long = "port", value_name = "PORT", default_value_t = 80)]
    pub port: u16,

    /// Port for Graft Vision (/GV), /status, /openapi.json, /libraries and the package index.
    #[arg(long = "httpPort", value_name = "PORT", default_value_t = 81)]
    pub http_port: u16,

    /// Serve calls over Graft's binary TCP protocol too (--TCPServer or --TCPServer=true).
    #[arg(long = "TCPServer", value_name = "BOOL", num_args = 0..=1, require_equals = true,
          default_value_t = false, default_missing_value = "true", action = clap::ArgAction::Set)]
    pub tcp_server: bool,

    /// Serve the Model Context Protocol at /mcp on --httpPort, every static method a tool (--mcp=false: off).
    #[arg(long = "mcp", value_name = "BOOL", num_args = 0..=1, require_equals = true,
          default_value_t = true, default_missing_value = "true", action = clap::ArgAction::Set)]
    pub mcp: bool,

    /// Browser origins allowed to use /mcp besides loopback ones, comma-separated (`https://app.example.com`).
    #[arg(long = "mcpOrigins", value_name = "ORIGINS", value_delimiter = ',')]
    pub mcp_origins: Vec<String>,

    /// Browser origins whose pages may call the call API across origins (CORS), comma-separated; `*` for any. Off by default.
    #[arg(
        long = "corsAllowedOrigins",
        value_name = "ORIGINS",
        value_delimiter = ','
    )]
    pub cors_allowed_origins: Vec<String>,

    /// Take calls for the hosted services from this broker too (`redis://host:6379/0`): Redis Streams, one queue per service.
    #[arg(long = "broker", value_name = "URL")]
    pub broker: Option<String>,

    /// Seconds a call taken from the broker by a gateway that stopped waits before another takes it over (reruns only idempotent methods).
    #[arg(long = "brokerReclaim", value_name = "SECONDS", default_value_t = 30.0)]
    pub broker_reclaim: f64,

    /// Port of the TCP listener, with --TCPServer.
    #[arg(long = "tcpPort", value_name = "PORT", default_value_t = 82)]
    pub tcp_port: u16,

    /// Address to listen on (all interfaces by default).
    #[arg(long = "bind", value_name = "ADDRESS", default_value = "0.0.0.0")]
    pub bind: IpAddr,

    /// Seconds an HTTP request has to send its headers once begun, and the longest its body may stall.
    #[arg(long = "headerTimeout", value_name = "SECONDS", default_value_t = 10.0,
          value_parser = positive_seconds)]
    pub header_timeout: f64,

    /// Seconds an HTTP connection may stay idle (nothing received, no request running) before gg closes it.
    #[arg(long = "idleTimeout", value_name = "SECONDS", default_value_t = 60.0,
          value_parser = positive_seconds)]
    pub idle_timeout: f64,

    /// HTTP connections the call port and the web side hold at once, together; more wait to be accepted.
    #[arg(long = "maxConnections", value_name = "N", default_value_t = 4096,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,

    /// The largest HTTP request body, in bytes (the TCP frame limit by default); larger ones answer 413.
    #[arg(long = "maxBodyBytes", value_name = "BYTES",
          default_value_t = graft_wire::DEFAULT_MAX_FRAME_SIZE as u64,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_body_bytes: u64,

    /// Seconds after SIGTERM during which /readyz answers 503 but calls are still accepted.
    #[arg(long = "drainDelay", value_name = "SECONDS", default_value_t = 5.0,
          value_parser = zero_or_more_seconds)]
    pub drain_delay: f64,

    /// Seconds the calls and streams in flight then have to finish before gg exits.
    #[arg(long = "drainTimeout", value_name = "SECONDS", default_value_t = 30.0,
          value_parser = zero_or_more_seconds)]
    pub drain_timeout: f64,

    /// Serve every listener over TLS with this certificate chain (PEM); re-read when it changes.
    #[arg(long = "tlsCert", value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// The private key of --tlsCert (PEM); re-read when it changes.
    #[arg(long = "tlsKey", value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Require client certificates signed by this CA (PEM) on the call port and the TCP listener.
    #[arg(long = "tlsClientCa", value_name = "FILE", requires = "tls_cert")]
    pub tls_client_ca: Option<PathBuf>,

    /// Longest time one call may run, in seconds, before the caller gets a timeout (0: no limit).
    #[arg(long = "callTimeout", value_name = "SECONDS", default_value_t = 300.0)]
    pub call_timeout: f64,

    /// Calls running in the gateway at once; past it a call is refused at once as Overloaded (HTTP 503).
    #[arg(long = "maxInFlight", value_name = "N", default_value_t = 1024,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_in_flight: u32,

    /// Calls running at once on one TCP connection, and requests on one HTTP/2 connection (its SETTINGS_MAX_CONCURRENT_STREAMS); past it a TCP call is refused at once as Overloaded.
    #[arg(long = "maxInFlightPerConnection", value_name = "N", default_value_t = 256,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_in_flight_per_connection: u32,

    /// Blocking threads one plain method may hold, counting calls past their deadline that still run (default: a quarter of the 512).
    #[arg(long = "maxThreadsPerMethod", value_name = "N",
          default_value_t = graft_python::admission::DEFAULT_THREADS_PER_METHOD as u32,
          value_parser = clap::value_parser!(u32).range(1..=graft_python::admission::BLOCKING_THREADS as i64))]
    pub max_threads_per_method: u32,

    /// How long a remote object may stay idle, in seconds, before gg releases it (its close() runs).
    #[arg(long = "objectTtl", value_name = "SECONDS", default_value_t = 600.0,
          value_parser = positive_seconds)]
    pub object_ttl: f64,

    /// Remote objects one TCP connection may hold at once (HTTP's callers share one such limit).
    #[arg(long = "maxObjects", value_name = "N", default_value_t = 1000,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_objects: u32,

    /// Bytes of TCP calls and replies that all connections may hold at once, in MiB; past it, gg stops reading until calls finish.
    #[arg(long = "memoryBudget", value_name = "MIB", default_value_t = 512,
          value_parser = clap::value_parser!(u64).range(1..=1 << 20))]
    pub memory_budget: u64,

    /// Require a known token from every caller and downloader: one token a line, `#` comments, `name=token` lines (docs/CONFIG.md).
    #[arg(long = "authTokens", value_name = "FILE")]
    pub auth_tokens: Option<PathBuf>,

    /// Send Python tracebacks to callers (development only; by default they stay in gg's log beside a call id).
    #[arg(long = "tracebacks")]
    pub tracebacks: bool,

    /// How gg writes its log: `text`, or `json` (one object a line; each call's access line carries its trace_id and span_id).
    #[arg(long = "logFormat", value_enum, default_value = "text")]
    pub log_format: crate::trace::LogFormat,

    /// One access line per call (service, method, outcome, duration, peer, token name); --accessLog=false turns them off.
    #[arg(long = "accessLog", value_name = "BOOL", num_args = 0..=1, require_equals = true,
          default_value_t = true, default_missing_value = "true", action = clap::ArgAction::Set)]
    pub access_log: bool,
}

/// gg's subcommands, one variant each; their options are their own.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Print the changes between two interfaces with their kinds; exit 1 on a breaking one.
    Diff {
        /// The old interface: a saved /libraries JSON file, or a gateway's or its index's URL.
        old: String,
        /// The new interface, in the same forms.
        new: String,
    },
    /// Upload the grafts gg would serve to a PyPI repository and an npm registry, skipping versions already there.
    Publish(crate::publish::PublishArgs),
}

impl Cli {
    /// `--memoryBudget` in bytes, for graft_wire's `ServerConfig`.
    pub fn memory_budget_bytes(&self) -> usize {
        usize::try_from(self.memory_budget << 20).unwrap_or(usize::MAX)
    }
}

/// A number of seconds above 0, finite.
fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 => Ok(s),
        _ => Err(format!(
            "expected a number of seconds above 0, got {text:?}"
        )),
    }
}

/// A number of seconds, 0 or more, finite.
fn zero_or_more_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(0.0) => Ok(0.0),
        _ => positive_seconds(text)
            .map_err(|_| format!("expected a number of seconds, 0 or more, got {text:?}")),
    }
}

#[cfg(test)]
mod tests;
