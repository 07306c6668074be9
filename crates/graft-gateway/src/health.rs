//! Probes and draining: `/healthz` (liveness: the process serves) and
//! `/readyz` (readiness: the modules are imported and the listeners bound,
//! and gg is not stopping), and the order of a stop (docs/DEPLOY.md).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use tokio::sync::watch;

const STARTING: u8 = 0;
const READY: u8 = 1;
const DRAINING: u8 = 2;

/// Where gg is in its life, as `/readyz` tells it.
#[derive(Default)]
pub struct Health {
    state: AtomicU8,
}

impl Health {
    /// The listeners are bound: `/readyz` answers 200.
    pub fn set_ready(&self) {
        let _ = self
            .state
            .compare_exchange(STARTING, READY, Ordering::SeqCst, Ordering::SeqCst);
    }

    fn readiness(&self) -> (StatusCode, &'static str) {
        match self.state.load(Ordering::SeqCst) {
            READY => (StatusCode::OK, "ready"),
            DRAINING => (StatusCode::SERVICE_UNAVAILABLE, "draining"),
            _ => (StatusCode::SERVICE_UNAVAILABLE, "starting"),
        }
    }
}

/// `/healthz` and `/readyz`, open to every caller.
pub fn routes(health: Arc<Health>) -> Router {
    Router::new()
        .route(
            "/healthz",
            get(|| async { answer(StatusCode::OK, "alive") }),
        )
        .route(
            "/readyz",
            get(move || async move {
                let (status, text) = health.readiness();
                answer(status, text)
            }),
        )
}

fn answer(status: StatusCode, text: &str) -> Response {
    (status, Json(serde_json::json!({ "status": text }))).into_response()
}

/// Once `signal` comes: `/readyz` answers 503 at once, calls are still
/// accepted for `delay` (so that load balancers notice), then `stop` is
/// sent and the listeners close while the calls in flight finish.
pub async fn drain(
    health: Arc<Health>,
    delay: Duration,
    signal: impl Future,
    stop: watch::Sender<bool>,
) {
    signal.await;
    health.state.store(DRAINING, Ordering::SeqCst);
    tracing::info!(
        "stopping: /readyz answers 503; calls accepted for {} s more (--drainDelay)",
        delay.as_secs_f64()
    );
    tokio::time::sleep(delay).await;
    tracing::info!("stopping: no new calls; finishing the calls in flight");
    let _ = stop.send(true);
}
