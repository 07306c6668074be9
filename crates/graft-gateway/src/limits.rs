//! What bounds an HTTP connection: how long its request headers may take
//! to arrive once begun (`--headerTimeout`), how long it may stay idle
//! (`--idleTimeout`: new and silent, or kept alive between requests), how
//! long its body may stall (`--headerTimeout` too), how large the body may be
//! (`--maxBodyBytes`), and how many connections the HTTP listeners hold at
//! once (`--maxConnections`). [`serve`] replaces `axum::serve` for this.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

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

use crate::conn::{Activity, Watched};
use crate::respond::ErrorBody;

/// The limits of every HTTP listener; `connections` is shared by them all.
#[derive(Clone)]
pub struct Limits {
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_body_bytes: usize,
    pub connections: Arc<Semaphore>,
    /// On shutdown, how long the calls in flight have to finish.
    pub drain_timeout: Duration,
    /// The listener's name in the metrics: calls or web.
    pub listener: &'static str,
}

/// Serves `router` on `listener` until `shutdown` completes; then accepts no
/// more connections, lets each finish its request in flight (up to
/// `drain_timeout`) and returns.
pub async fn serve<L: Listener>(
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
        let (permit, (io, _peer)) = tokio::select! {
            accepted = accepted => accepted,
            _ = &mut shutdown => break,
        };
        let connection = connection(io, router.clone(), limits.clone(), stopping.clone());
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

/// Serves one connection to its end: closed when idle for `--idleTimeout`;
/// asked to finish its request in flight and close once `stop` is true.
async fn connection<I>(io: I, router: Router, limits: Limits, mut stop: watch::Receiver<bool>)
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let activity = Activity::new();
    let running = Arc::clone(&activity);
    let service = tower::service_fn(move |req: Request<hyper::body::Incoming>| {
        let request = running.start();
        let answer = router.clone().oneshot(req.map(Body::new));
        async move { answer.await.map(|response| request.until_sent(response)) }
    });
    let io = Watched::new(io, Arc::clone(&activity), limits.listener);
    let mut builder = Builder::new(TokioExecutor::new()).http1_only();
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let conn = builder.serve_connection(TokioIo::new(io), TowerToHyperService::new(service));
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

/// `router` with the body limits, its refusals answered as JSON errors.
fn bounded(router: Router, limits: &Limits) -> Router {
    router
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
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
        Limits {
            header_timeout: Duration::from_secs_f64(cli.header_timeout),
            idle_timeout: Duration::from_secs_f64(cli.idle_timeout),
            max_body_bytes: usize::try_from(cli.max_body_bytes).unwrap_or(usize::MAX),
            connections: Arc::new(Semaphore::new(cli.max_connections as usize)),
            drain_timeout: Duration::from_secs_f64(cli.drain_timeout),
            listener: "calls",
        }
    }

    /// The same limits for the listener named `listener` in the metrics.
    pub fn on(&self, listener: &'static str) -> Limits {
        Limits {
            listener,
            ..self.clone()
        }
    }
}
