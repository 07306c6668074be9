//! The server: accepts connections on a bound listener and hands each call
//! to a [`Dispatch`].
//!
//! Each connection runs in its own task (see `session`): a handshake, then a
//! read loop that spawns every call as a task of its own (`answer`), so a
//! slow call never holds up others on the same connection; an argument sent
//! in parts is routed to its call as it comes (`arriving`). Replies go back
//! through one writer task per connection, in whatever order the calls finish.
//!
//! What a [`Dispatch`] is handed and answers with is in `dispatch.rs`; this
//! file holds the accept loop and its [`ServerConfig`].

mod answer;
mod arriving;
mod dispatch;
mod session;
mod traffic;
mod upgrade;
mod writer;

pub use answer::INITIAL_WINDOW;
pub use dispatch::{Arguments, CallFailure, Dispatch, PartReceiver, Replies, Reply, Request};
pub use traffic::{Traffic, traffic};
pub use upgrade::{Io, Upgrade};

use dispatch::items_of;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::budget::Budget;
use crate::frame::DEFAULT_MAX_FRAME_SIZE;

/// The default [`ServerConfig::memory_budget`]: 512 MiB.
pub const DEFAULT_MEMORY_BUDGET: usize = 512 * 1024 * 1024;

/// Limits and timings of a server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The largest frame accepted from a client, after the length prefix.
    pub max_frame_size: u32,
    /// Advertised in the hello; a connection silent for three intervals is
    /// closed as idle or half-open.
    pub heartbeat_interval: Duration,
    /// Calls running at once per connection; beyond it a call is refused
    /// at once with [`CallFailure::Overloaded`], never queued.
    pub max_concurrent_calls: usize,
    /// How long a new connection has to send its hello.
    pub handshake_timeout: Duration,
    /// On shutdown, how long in-flight calls have to finish.
    pub drain_timeout: Duration,
    /// Bytes of frames that all connections may hold at once: calls being
    /// received or run, replies not yet written ([`Budget`]). Past it, the
    /// server stops reading calls until some of them are paid back.
    pub memory_budget: usize,
    /// A budget shared with others (gg's HTTP request bodies), used instead
    /// of a new one of `memory_budget` bytes.
    pub budget: Option<Budget>,
    /// What each accepted connection is turned into before its hello (TLS,
    /// say); none serves on the bare TCP stream.
    pub upgrade: Option<Upgrade>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            max_frame_size: DEFAULT_MAX_FRAME_SIZE,
            heartbeat_interval: Duration::from_secs(10),
            max_concurrent_calls: 1024,
            handshake_timeout: Duration::from_secs(10),
            drain_timeout: Duration::from_secs(30),
            memory_budget: DEFAULT_MEMORY_BUDGET,
            budget: None,
            upgrade: None,
        }
    }
}

impl ServerConfig {
    /// Silence longer than this closes a connection.
    pub fn idle_timeout(&self) -> Duration {
        self.heartbeat_interval.saturating_mul(3)
    }
}

/// What every connection task shares.
struct Shared {
    dispatch: Arc<dyn Dispatch>,
    config: ServerConfig,
    /// The bytes every connection's frames take from: [`ServerConfig::budget`],
    /// or one made from [`ServerConfig::memory_budget`].
    budget: Budget,
}

/// Serves calls on `listener` with the default [`ServerConfig`] until
/// `shutdown` completes; see [`serve_with`].
pub async fn serve(listener: TcpListener, dispatch: Arc<dyn Dispatch>, shutdown: impl Future) {
    serve_with(listener, dispatch, ServerConfig::default(), shutdown).await
}

/// Serves calls on `listener` until `shutdown` completes, then stops
/// accepting, says Goodbye on every connection, lets in-flight calls finish
/// (up to [`ServerConfig::drain_timeout`]) and returns.
pub async fn serve_with(
    listener: TcpListener,
    dispatch: Arc<dyn Dispatch>,
    config: ServerConfig,
    shutdown: impl Future,
) {
    let drain_timeout = config.drain_timeout;
    let budget = config
        .budget
        .clone()
        .unwrap_or_else(|| Budget::new(config.memory_budget));
    let shared = Arc::new(Shared {
        dispatch,
        config,
        budget,
    });
    let stop = CancellationToken::new();
    let tracker = TaskTracker::new();
    tokio::select! {
        _ = accept_loop(&listener, &shared, &stop, &tracker) => {}
        _ = shutdown => {}
    }
    drop(listener);
    stop.cancel();
    tracker.close();
    if tokio::time::timeout(drain_timeout, tracker.wait())
        .await
        .is_err()
    {
        tracing::warn!(
            "graft-wire: calls still running {drain_timeout:?} after shutdown; leaving them"
        );
    }
}

/// Serves `stream` once `upgrade` made it ready, within the handshake timeout.
async fn upgraded(
    upgrade: Upgrade,
    stream: tokio::net::TcpStream,
    ends: session::Ends,
    shared: Arc<Shared>,
    stop: CancellationToken,
    tracker: TaskTracker,
) {
    let (wait, peer) = (shared.config.handshake_timeout, ends.peer);
    let stream = match tokio::time::timeout(wait, upgrade.run(stream)).await {
        Ok(Ok(stream)) => upgrade::Upgraded(stream),
        Ok(Err(err)) => return tracing::debug!(%peer, "graft-wire: upgrade failed: {err}"),
        Err(_) => return tracing::debug!(%peer, "graft-wire: no upgrade in time"),
    };
    session::run(stream, ends, shared, stop, tracker).await
}

async fn accept_loop(
    listener: &TcpListener,
    shared: &Arc<Shared>,
    stop: &CancellationToken,
    tracker: &TaskTracker,
) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                let _ = stream.set_nodelay(true);
                let open = traffic::Open::new();
                let ends = session::Ends { peer };
                let (shared, stop, tasks) = (shared.clone(), stop.clone(), tracker.clone());
                let upgrade = shared.config.upgrade.clone();
                tracker.spawn(async move {
                    let _open = open;
                    match upgrade {
                        None => session::run(stream, ends, shared, stop, tasks).await,
                        Some(upgrade) => upgraded(upgrade, stream, ends, shared, stop, tasks).await,
                    }
                });
            }
            Err(err) => {
                // Out of file descriptors and the like: wait, then go on.
                tracing::warn!("graft-wire: accept failed: {err}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}
