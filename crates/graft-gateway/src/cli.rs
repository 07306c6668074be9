//! The command line of `gg`.
//!
//! Options are case-insensitive (`--TCPServer` = `--tcpserver`) and take
//! `--opt v` or `--opt=v`, as in the tutorial's gateway. Clap does the
//! parsing; [`parse`] first rewrites each option name to its canonical
//! spelling.

use std::ffi::OsString;
use std::net::IpAddr;
use std::path::PathBuf;

use clap::{CommandFactory, Parser};

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

/// What gg hosts, the same for serving and for `gg publish`: the modules,
/// and the services and methods of them that are exposed.
#[derive(Debug, clap::Args)]
pub struct Hosted {
    /// The main module: a folder, a .py file or a package (added to --modules).
    #[arg(value_name = "MODULE")]
    pub module: Option<PathBuf>,

    /// Modules to host, comma-separated: folders, .py files or packages.
    #[arg(long = "modules", value_name = "PATHS", value_delimiter = ',')]
    pub modules: Vec<PathBuf>,

    /// Expose only these services (comma-separated), with all their methods; with --methods, both add up.
    #[arg(long = "types", value_name = "SERVICES", value_delimiter = ',')]
    pub types: Vec<String>,

    /// Expose only these methods, as Service.method, comma-separated (`--methods Calc.add,Calc.sub`).
    #[arg(long = "methods", value_name = "METHODS", value_delimiter = ',')]
    pub methods: Vec<String>,
}

impl Hosted {
    /// Every module path given, the positional one first.
    pub fn paths(&self) -> Vec<PathBuf> {
        self.module
            .iter()
            .chain(&self.modules)
            .filter(|p| !p.as_os_str().is_empty())
            .cloned()
            .collect()
    }
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

/// Parses `args` (the program name first), accepting option names in any case.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Cli, clap::Error> {
    let command = Cli::command();
    let longs: Vec<String> = command
        .get_arguments()
        .filter_map(|a| a.get_long().map(str::to_owned))
        .chain(["help".to_owned(), "version".to_owned()])
        .collect();
    let args = args.into_iter().map(|arg| canonical(arg, &longs));
    Cli::try_parse_from(args)
}

/// `--HTTPPORT=91` becomes `--httpPort=91`; anything else is left as it is.
fn canonical(arg: OsString, longs: &[String]) -> OsString {
    let Some(text) = arg.to_str() else { return arg };
    let Some(option) = text.strip_prefix("--") else {
        return arg;
    };
    let (name, value) = match option.split_once('=') {
        Some((name, value)) => (name, Some(value)),
        None => (option, None),
    };
    match longs.iter().find(|long| long.eq_ignore_ascii_case(name)) {
        Some(long) => match value {
            Some(value) => format!("--{long}={value}").into(),
            None => format!("--{long}").into(),
        },
        None => arg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cli(args: &[&str]) -> Result<Cli, clap::Error> {
        parse(
            std::iter::once("gg")
                .chain(args.iter().copied())
                .map(OsString::from),
        )
    }

    #[test]
    fn takes_the_tutorials_flags_in_any_case() {
        let c = cli(&[
            "--modules",
            "/a/price_calculator.py",
            "--httpPort",
            "91",
            "--port",
            "90",
            "--TCPServer",
            "--tcpPort=9092",
            "--memoryBudget",
            "64",
        ])
        .unwrap();
        assert_eq!(
            (c.port, c.http_port, c.tcp_port, c.tcp_server),
            (90, 91, 9092, true)
        );
        assert_eq!(c.hosted.paths(), [PathBuf::from("/a/price_calculator.py")]);
        assert_eq!(c.memory_budget_bytes(), 64 << 20);
        let c = cli(&[
            "--MODULES=a,b",
            "--HTTPPORT=1",
            "--tcpserver=false",
            "--MEMORYBUDGET=8",
            "main.py",
        ])
        .unwrap();
        assert_eq!(c.memory_budget, 8);
        assert_eq!(c.hosted.paths(), ["main.py", "a", "b"].map(PathBuf::from));
        assert_eq!((c.http_port, c.tcp_server), (1, false));
    }

    #[test]
    fn has_defaults() {
        let c = cli(&["./src/"]).unwrap();
        assert_eq!(
            (c.port, c.http_port, c.tcp_port, c.tcp_server),
            (80, 81, 82, false)
        );
        assert_eq!(c.bind.to_string(), "0.0.0.0");
        assert!(c.mcp && c.mcp_origins.is_empty());
        assert!(!cli(&["./src/", "--MCP=false"]).unwrap().mcp);
        assert_eq!(c.memory_budget_bytes(), 512 << 20);
    }

    #[test]
    fn refuses_unknown_options_with_status_2() {
        let err = cli(&["--modules", "x", "--prot", "1"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("--prot"), "{err}");
        assert_eq!(cli(&["--port", "eighty"]).unwrap_err().exit_code(), 2);
        assert_eq!(cli(&["--memoryBudget=0"]).unwrap_err().exit_code(), 2);
    }
}
