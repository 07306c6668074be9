//! What bounds an HTTP connection: how long its request headers may take
//! to arrive once begun (`--headerTimeout`), how long it may stay idle
//! (`--idleTimeout`: new and silent, or kept alive between requests), how
//! long its body may stall (`--headerTimeout` too), how large the body may be
//! (`--maxBodyBytes`), how many bytes of bodies all requests hold at once
//! (`--memoryBudget`, shared with TCP frames: `bodies.rs`), and how many
//! connections the HTTP listeners hold at once (`--maxConnections`).
//! [`serve`] replaces `axum::serve` for this.
//!
//! The call port speaks HTTP/2 too: a connection whose first bytes are
//! HTTP/2's preface (h2c with prior knowledge, or h2 chosen by TLS's ALPN)
//! is served as HTTP/2, running at most `--maxInFlightPerConnection`
//! requests at once (its SETTINGS_MAX_CONCURRENT_STREAMS). Those first bytes are read under the same bounds as
//! a request's headers: while none came, `--idleTimeout`; once one came,
//! the rest within `--headerTimeout`. An HTTP/2 connection is idle when no
//! request has run for `--idleTimeout`, whatever frames it sends.

mod bodies;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt as _};

use axum::Router;
use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::http::{Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::serve::Listener;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt as _;
use tower_http::timeout::RequestBodyTimeoutLayer;

use crate::conn::{Activity, Rewind, Watched};
use crate::respond::ErrorBody;

/// The limits of every HTTP listener; `connections` is shared by them all.
#[derive(Clone)]
pub struct Limits {
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_body_bytes: usize,
    /// The memory budget that request bodies take from, the TCP listener's too.
    pub bodies: bodies::Bodies,
    pub connections: Arc<Semaphore>,
    /// On shutdown, how long the calls in flight have to finish.
    pub drain_timeout: Duration,
    /// The listener's name in the metrics: calls or web.
    pub listener: &'static str,
    /// Whether the listener speaks HTTP/2 as well as HTTP/1 (the call port).
    pub http2: bool,
    /// Requests one HTTP/2 connection runs at once (`--maxInFlightPerConnection`,
    /// announced as SETTINGS_MAX_CONCURRENT_STREAMS); HTTP/1 runs one.
    pub max_streams: u32,
}

/// Serves `router` on `listener` until `shutdown` completes; then accepts no
/// more connections, lets each finish its request in flight (up to
/// `drain_timeout`) and returns.
pub async fn serve<L: Listener<Addr = std::net::SocketAddr>>(
    mut listener: L,
    router: Router,
    limits: Limits,
    shutdown: impl Future,
) -> std::io::Result<()> {
    let router = bounded(router, &limits);
    let (stop, stopping) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = async {
            let permit = Arc::clone(&limits.connections).acquire_owned().await;
            (permit, listener.accept().await)
        };
        let (permit, (io, peer)) = tokio::select! {
            accepted = accepted => accepted,
            _ = &mut shutdown => break,
        };
        let connection = connection(io, peer, router.clone(), limits.clone(), stopping.clone());
        tokio::spawn(async move {
            connection.await;
            drop(permit);
        });
    }
    drop((listener, stopping));
    let _ = stop.send(true);
    if tokio::time::timeout(limits.drain_timeout, stop.closed())
        .await
        .is_err()
    {
        tracing::warn!("HTTP requests still running after --drainTimeout; leaving them");
    }
    Ok(())
}

/// Serves one connection from `peer` to its end: closed when idle for
/// `--idleTimeout`; asked to finish its request in flight and close once
/// `stop` is true.
async fn connection<I>(
    io: I,
    peer: std::net::SocketAddr,
    router: Router,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let activity = Activity::new();
    let running = Arc::clone(&activity);
    let service = tower::service_fn(move |req: Request<hyper::body::Incoming>| {
        let request = running.start();
        let answer = crate::conn::from(peer, router.clone().oneshot(req.map(Body::new)));
        async move { answer.await.map(|response| request.until_sent(response)) }
    });
    let mut io = Watched::new(io, Arc::clone(&activity), limits.listener);
    let Some((http2, read)) = version(&mut io, &limits, &activity, &mut stop).await else {
        return; // closed, or stalled in its first bytes
    };
    if http2 {
        io.busy_on_requests_only();
    }
    let builder = builder(http2, &limits);
    let io = TokioIo::new(Rewind::new(read, io));
    let conn = builder.serve_connection(io, TowerToHyperService::new(service));
    let (mut conn, idle) = (std::pin::pin!(conn), limits.idle_timeout);
    let mut stopping = false;
    loop {
        tokio::select! {
            _ = conn.as_mut() => return,
            _ = stop.wait_for(|stop| *stop), if !stopping => {
                stopping = true;
                conn.as_mut().graceful_shutdown();
            }
            () = activity.idle_for(idle) => return, // dropped: closed
        }
    }
}

/// Whether the connection speaks HTTP/2 (on a listener that does), told by
/// its first bytes, with those bytes; `None` if it closes, stays silent for
/// `--idleTimeout`, stalls in them, or gg stops first.
async fn version<I: AsyncRead + Unpin>(
    io: &mut I,
    limits: &Limits,
    activity: &Activity,
    stop: &mut watch::Receiver<bool>,
) -> Option<(bool, Vec<u8>)> {
    if !limits.http2 {
        return Some((false, Vec::new()));
    }
    tokio::select! {
        sniffed = sniff(io, limits.header_timeout) => sniffed,
        () = activity.idle_for(limits.idle_timeout) => None,
        _ = stop.wait_for(|stop| *stop) => None,
    }
}

/// HTTP/2's connection preface, which its clients send first.
const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Reads a connection's first bytes until they tell its HTTP version: `true`
/// after HTTP/2's whole preface, `false` at the first byte that differs
/// (HTTP/1), with the bytes read. Once a first byte came, the rest must
/// within `limit`; `None` if they do not, or the connection closes.
async fn sniff<I: AsyncRead + Unpin>(io: &mut I, limit: Duration) -> Option<(bool, Vec<u8>)> {
    let mut read = Vec::with_capacity(PREFACE.len());
    let mut chunk = [0; PREFACE.len()];
    let mut deadline = None;
    loop {
        let want = &mut chunk[..PREFACE.len() - read.len()];
        let n = match deadline {
            None => io.read(want).await.ok()?,
            Some(at) => tokio::time::timeout_at(at, io.read(want))
                .await
                .ok()?
                .ok()?,
        };
        if n == 0 {
            return None;
        }
        deadline.get_or_insert(tokio::time::Instant::now() + limit);
        read.extend_from_slice(&chunk[..n]);
        if !PREFACE.starts_with(&read) {
            return Some((false, read));
        }
        if read.len() == PREFACE.len() {
            return Some((true, read));
        }
    }
}

/// How a connection is served: HTTP/2, or HTTP/1 with `--headerTimeout`.
fn builder(http2: bool, limits: &Limits) -> Builder<TokioExecutor> {
    let builder = Builder::new(TokioExecutor::new());
    if http2 {
        let mut builder = builder.http2_only();
        builder
            .http2()
            .timer(TokioTimer::new())
            .max_concurrent_streams(limits.max_streams);
        return builder;
    }
    let mut builder = builder.http1_only();
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    builder
}

/// `router` with the body limits, its refusals answered as JSON errors.
/// The budgeted body wraps the timed one, so waiting for room is no stall.
fn bounded(router: Router, limits: &Limits) -> Router {
    let budget = limits.bodies.clone();
    router
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
        .layer(axum::middleware::from_fn_with_state(budget, bodies::hold))
        .layer(RequestBodyTimeoutLayer::new(limits.header_timeout))
        .layer(axum::middleware::map_response(as_json_error))
}

/// How axum's refusals of a request body begin.
const BODY_REFUSED: &str = "Failed to buffer the request body";

/// A plain-text refusal of axum's (a body too large, stalled or unreadable)
/// becomes the usual `{"error": {...}}` body, with its status kept.
async fn as_json_error(response: Response) -> Response {
    let status = response.status();
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    let refusal = matches!(
        status,
        StatusCode::PAYLOAD_TOO_LARGE | StatusCode::BAD_REQUEST
    );
    if !refusal || !plain {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = match axum::body::to_bytes(body, 64 * 1024).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) => String::new(),
    };
    if status == StatusCode::BAD_REQUEST && !text.starts_with(BODY_REFUSED) {
        return Response::from_parts(parts, Body::from(text));
    }
    let kind = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "PayloadTooLarge",
        _ => "BadRequest",
    };
    let message = match status {
        StatusCode::PAYLOAD_TOO_LARGE => format!("{text} (--maxBodyBytes)"),
        _ => text,
    };
    ErrorBody::new(kind, message)
        .respond(status)
        .into_response()
}

impl Limits {
    /// The limits set on the command line.
    pub fn of(cli: &crate::cli::Cli) -> Limits {
        let max_body_bytes = usize::try_from(cli.max_body_bytes).unwrap_or(usize::MAX);
        let budget = graft_wire::budget::Budget::new(cli.memory_budget_bytes());
        Limits {
            header_timeout: Duration::from_secs_f64(cli.header_timeout),
            idle_timeout: Duration::from_secs_f64(cli.idle_timeout),
            max_body_bytes,
            bodies: bodies::Bodies::new(budget, max_body_bytes),
            connections: Arc::new(Semaphore::new(cli.max_connections as usize)),
            drain_timeout: Duration::from_secs_f64(cli.drain_timeout),
            listener: "calls",
            http2: true,
            max_streams: cli.max_in_flight_per_connection,
        }
    }

    /// The same limits for the listener named `listener` in the metrics.
    pub fn on(&self, listener: &'static str) -> Limits {
        Limits {
            listener,
            http2: listener == "calls",
            ..self.clone()
        }
    }
}
