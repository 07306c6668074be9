//! Binding the listeners and serving until asked to stop.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use graft_python::Host;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::cli::Cli;
use crate::health::{self, Health};
use crate::http::{self, AppState};
use crate::limits::{self, Limits};
use crate::tcp::HostDispatch;

/// Serves until SIGTERM or Ctrl-C; calls in flight then finish before it returns.
pub async fn run(cli: Cli, host: Arc<Host>) -> anyhow::Result<()> {
    announce(&host);
    let bound = listeners(&cli).await?;
    let state = app_state(&cli, host)?;
    let (limits, health) = (Limits::of(&cli), Arc::new(Health::default()));
    let (calls_at_once, threads) = (cli.max_in_flight, cli.max_threads_per_method);
    graft_python::admission::configure(calls_at_once as usize, threads as usize);
    let stopped = drain_on_signal(&cli, &health);
    let calls = limits::serve(
        bound.calls,
        http::calls(state.clone()),
        limits.on("calls"),
        until_stopped(stopped.clone()),
    );
    let tls = bound.tls.as_ref();
    let tcp = serve_tcp(
        bound.tcp,
        &cli,
        &state,
        &limits,
        tls,
        until_stopped(stopped.clone()),
    );
    let web_routes = web_routes(&cli, &state, &health, &limits);
    if cli.mcp {
        let http = if tls.is_some() { "https" } else { "http" };
        tracing::info!("MCP (Streamable HTTP) on {http}://{}/mcp", bound.web_addr);
    }
    let web = limits::serve(
        bound.web,
        web_routes,
        limits.on("web"),
        until_stopped(stopped.clone()),
    );
    let broker = crate::broker::from_cli(&cli, &state, until_stopped(stopped.clone()));
    health.set_ready();
    tokio::try_join!(calls, web, tcp, broker)?;
    tracing::info!("stopped");
    Ok(())
}

/// What every route and the TCP listener share: the host, the package
/// indexes built once from its interface, `--callTimeout` (0: none) and
/// the CORS origins.
fn app_state(cli: &Cli, host: Arc<Host>) -> anyhow::Result<Arc<AppState>> {
    let timeout = (cli.call_timeout > 0.0).then(|| Duration::from_secs_f64(cli.call_timeout));
    let index = crate::index::build(host.interface())?;
    let origins = cli.cors_allowed_origins.clone();
    Ok(AppState::new(host, index, timeout, origins))
}

/// Starts the drain that SIGTERM or Ctrl-C begins (`--drainDelay` of 503s
/// on /readyz, then stop); what it returns turns true when the listeners
/// are to stop.
fn drain_on_signal(cli: &Cli, health: &Arc<Health>) -> watch::Receiver<bool> {
    let (stop, stopped) = watch::channel(false);
    let delay = Duration::from_secs_f64(cli.drain_delay);
    tokio::spawn(health::drain(
        health.clone(),
        delay,
        shutdown_signal(),
        stop,
    ));
    stopped
}

/// Ends once `stopped` turns true: each listener's shutdown future.
async fn until_stopped(mut stopped: watch::Receiver<bool>) {
    let _ = stopped.wait_for(|stop| *stop).await;
}

/// With `--TCPServer` (a `listener`), serves Graft's TCP protocol until
/// `stopped`; without, ends at once.
async fn serve_tcp(
    listener: Option<TcpListener>,
    cli: &Cli,
    state: &Arc<AppState>,
    limits: &Limits,
    tls: Option<&Arc<crate::tls::Tls>>,
    stopped: impl Future<Output = ()>,
) -> std::io::Result<()> {
    if let Some(listener) = listener {
        let (dispatch, config) = tcp_server(cli, state, limits, tls);
        graft_wire::serve_with(listener, dispatch, config, stopped).await;
    }
    Ok(())
}

/// gg's listeners, bound and announced.
struct Bound {
    calls: crate::tls::Listener,
    web: crate::tls::Listener,
    /// With `--TCPServer`.
    tcp: Option<TcpListener>,
    tls: Option<Arc<crate::tls::Tls>>,
    web_addr: SocketAddr,
}

/// Binds the calls, web and (with `--TCPServer`) TCP ports, behind TLS
/// when it is configured, and says where each serves.
async fn listeners(cli: &Cli) -> anyhow::Result<Bound> {
    let calls = bind(cli, cli.port, "service calls (--port)").await?;
    let web = bind(cli, cli.http_port, "Graft Vision (--httpPort)").await?;
    let (call_addr, web_addr) = (calls.local_addr()?, web.local_addr()?);
    let tls = crate::tls::Tls::from_cli(cli)?;
    crate::index::npm::links_over_tls(tls.is_some());
    let http = if tls.is_some() { "https" } else { "http" };
    tracing::info!("service calls on {http}://{call_addr}/call/<Service>/<method>");
    tracing::info!("Graft Vision on {http}://{web_addr}/GV");
    let calls = crate::tls::listen(calls, tls.as_ref(), crate::tls::Side::Calls)?;
    let web = crate::tls::listen(web, tls.as_ref(), crate::tls::Side::Web)?;
    let tcp = match cli.tcp_server {
        true => Some(bind(cli, cli.tcp_port, "Graft's TCP protocol (--tcpPort)").await?),
        false => None,
    };
    let tcp_addr = tcp.as_ref().and_then(|l| l.local_addr().ok());
    crate::otel::serving(call_addr, web_addr, tcp_addr);
    if let Some(addr) = tcp_addr {
        let scheme = if tls.is_some() { "tls" } else { "tcp" };
        tracing::info!("TCP calls on {scheme}://{addr}");
    }
    Ok(Bound {
        calls,
        web,
        tcp,
        tls,
        web_addr,
    })
}

/// The TCP listener's dispatch onto the host and its options: the memory
/// budget HTTP bodies take from too, calls at once per connection, TLS.
fn tcp_server(
    cli: &Cli,
    state: &Arc<AppState>,
    limits: &Limits,
    tls: Option<&Arc<crate::tls::Tls>>,
) -> (Arc<HostDispatch>, graft_wire::ServerConfig) {
    let dispatch = Arc::new(HostDispatch {
        host: Arc::clone(&state.host),
        call_timeout: state.call_timeout,
        protocol: crate::observe::Protocol::Tcp,
    });
    let config = graft_wire::ServerConfig {
        memory_budget: cli.memory_budget_bytes(),
        budget: Some(limits.bodies.budget().clone()),
        max_concurrent_calls: cli.max_in_flight_per_connection as usize,
        upgrade: tls.map(crate::tls::Tls::upgrade),
        drain_timeout: limits.drain_timeout,
        ..graft_wire::ServerConfig::default()
    };
    (dispatch, config)
}

/// What `--httpPort` serves: Vision, the indexes, health, /metrics, and
/// with `--mcp` the MCP endpoint.
fn web_routes(
    cli: &Cli,
    state: &Arc<AppState>,
    health: &Arc<Health>,
    limits: &Limits,
) -> axum::Router {
    let routes = http::web(state.clone())
        .merge(health::routes(health.clone()))
        .merge(crate::metrics::routes(
            Arc::clone(&state.host),
            limits.bodies.budget().clone(),
        ));
    match cli.mcp {
        true => routes.merge(crate::mcp::routes(state.clone(), cli.mcp_origins.clone())),
        false => routes,
    }
}

fn announce(host: &Host) {
    let iface = host.interface();
    let (version, prefix) = host.python_info();
    let version = version.split_whitespace().next().unwrap_or_default();
    tracing::info!(
        "gg {} on Python {version} ({prefix})",
        env!("CARGO_PKG_VERSION")
    );
    tracing::info!("found {} services:", iface.services.len());
    for service in &iface.services {
        let methods: Vec<&str> = service.methods.iter().map(|m| m.name.as_str()).collect();
        tracing::info!(
            "  {} ({}): {}",
            service.name,
            service.file,
            methods.join(", ")
        );
    }
    for service in &iface.services {
        for method in &service.methods {
            if let Some(reason) = &method.unavailable {
                tracing::warn!("{}.{} is unavailable: {reason}", service.name, method.name);
            }
        }
    }
}

/// Connections the kernel queues for a listener before gg accepts them: a
/// burst of a thousand connects is queued, not dropped to be retried a
/// second later (the kernel caps it at `net.core.somaxconn`).
const BACKLOG: u32 = 1024;

async fn bind(cli: &Cli, port: u16, what: &str) -> anyhow::Result<TcpListener> {
    let addr = SocketAddr::new(cli.bind, port);
    let listen = || {
        let socket = match addr {
            SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4()?,
            SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6()?,
        };
        // As TcpListener::bind does: a restarted gg binds while old connections linger.
        #[cfg(unix)]
        socket.set_reuseaddr(true)?;
        socket.bind(addr)?;
        socket.listen(BACKLOG)
    };
    listen().with_context(|| format!("cannot listen on {addr} for {what}"))
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => return std::future::pending().await,
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
