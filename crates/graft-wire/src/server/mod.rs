//! The server: accepts connections on a bound listener and hands each call
//! to a [`Dispatch`].
//!
//! Each connection runs in its own task (see `session`): a handshake, then a
//! read loop that spawns every call as a task of its own (`answer`), so a
//! slow call never holds up others on the same connection; an argument sent
//! in parts is routed to its call as it comes (`arriving`). Replies go back
//! through one writer task per connection, in whatever order the calls finish.

mod answer;
mod arriving;
mod session;
mod traffic;
mod upgrade;
mod writer;

pub use answer::INITIAL_WINDOW;
pub use traffic::{Traffic, traffic};
pub use upgrade::{Io, Upgrade};

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use futures::stream::BoxStream;
use graft_model::{BoundArgs, Raised, Value};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::budget::Budget;
use crate::frame::{DEFAULT_MAX_FRAME_SIZE, Frame};
use crate::status::Status;

/// Runs calls for the server. Implemented by the gateway over its hosted
/// Python modules, and by tests over plain Rust functions.
pub trait Dispatch: Send + Sync + 'static {
    /// Runs one call; the server sends each of its [`Replies`] as it comes.
    /// A call on an object ([`Request::object`]) is handed over on the
    /// connection's read loop, in the order the calls arrived, so it must
    /// return at once (its work done as its replies are read); any other
    /// on a task of its own.
    fn call(&self, request: Request) -> Replies;

    /// Whether a connection that sent `token` in an Auth frame (`None`
    /// before one) may call: the name its caller goes by
    /// ([`Request::caller`]), or `None`. A connection not admitted has every
    /// call answered with [`CallFailure::Unauthenticated`]; after an unknown
    /// token, the first such answer closes it. Anyone may by default.
    fn admits(&self, token: Option<&str>) -> Option<&'static str> {
        let _ = token;
        Some("")
    }

    /// Told of each call the server refused as Unauthenticated, to count it.
    fn unauthenticated(&self) {}

    /// Told of each call the server refused as Overloaded before handing
    /// it over (past [`ServerConfig::max_concurrent_calls`]), to count it.
    fn shed(&self) {}
}

/// One call as the client sent it.
pub struct Request {
    pub service: String,
    pub method: String,
    pub args: Arguments,
    /// The caller's limit (for a streaming method, on each next item).
    /// Applying it is the dispatch's job.
    pub timeout: Option<Duration>,
    /// The client's protocol version: from 4 it takes a returned list in
    /// parts ([`Frame::ReplyPart`]), from 5 streams ([`Frame::Items`]),
    /// from 6 calls methods of objects.
    pub version: u16,
    /// The object the method is called on (version 6), or empty.
    pub object: String,
    /// The caller's metadata (version 7), names in lower case; empty for a
    /// call whose argument came ahead in CallPart frames.
    pub metadata: Vec<(String, String)>,
    /// The connection's number, unique in the server's life: what the
    /// dispatch counts a client's objects by.
    pub connection: u64,
    /// The client's address.
    pub peer: std::net::SocketAddr,
    /// The name [`Dispatch::admits`] gave the connection's caller.
    pub caller: &'static str,
}

/// A request's arguments.
pub enum Arguments {
    /// All of them, as the [`Frame::Call`] brought them.
    Whole(BoundArgs),
    /// One argument, a list, arriving in [`Frame::CallPart`]s ahead of the
    /// call: `argument` (a keyword argument's name, or empty for the first
    /// positional one) gets `parts` (each a list or a table) until it
    /// closes; `rest` then brings the call's arguments (that argument with
    /// its last items) and its timeout, or why it cannot run.
    InParts {
        argument: String,
        parts: PartReceiver,
        rest: BoxFuture<'static, Result<(BoundArgs, Option<Duration>), CallFailure>>,
    },
}

impl Arguments {
    /// All the arguments, the parts joined into their argument, and the timeout.
    pub async fn joined(self) -> Result<(BoundArgs, Option<Duration>), CallFailure> {
        match self {
            Arguments::Whole(args) => Ok((args, None)),
            Arguments::InParts {
                argument,
                mut parts,
                rest,
            } => {
                let mut items = Vec::new();
                while let Some(value) = parts.recv().await {
                    items.extend(items_of(value));
                }
                let (mut args, timeout) = rest.await?;
                if let Some(last) = arriving::argument_in(&mut args, &argument) {
                    items.extend(items_of(std::mem::replace(last, Value::None)));
                    *last = Value::List(items);
                }
                Ok((args, timeout))
            }
        }
    }
}

/// The answer to one call, read as it comes.
pub struct Replies {
    /// Whether the method streams: its parts go as [`Frame::Items`] within
    /// the client's credit, instead of as [`Frame::ReplyPart`]s.
    pub streams: bool,
    pub parts: BoxStream<'static, Reply>,
}

/// One piece of an answer.
pub enum Reply {
    /// Next items, a list or a table: a stream's, or a long list's first ones.
    Items(Value),
    /// The returned value (`None` after a stream), or why the call failed.
    Done(Result<Value, CallFailure>),
}

impl Replies {
    /// The answer of a call that returns one value, once `outcome` has it.
    pub fn value(
        outcome: impl Future<Output = Result<Value, CallFailure>> + Send + 'static,
    ) -> Self {
        let done = futures::stream::once(async move { Reply::Done(outcome.await) });
        Replies {
            streams: false,
            parts: Box::pin(done),
        }
    }
}

/// The items of a list, or of a table (as objects); a part is one or the other.
fn items_of(value: Value) -> Vec<Value> {
    match value {
        Value::List(items) => items,
        Value::Table(table) => table.to_objects(),
        other => vec![other],
    }
}

/// Where the parts of an argument come from: see [`Arguments::InParts`].
pub type PartReceiver = tokio::sync::mpsc::UnboundedReceiver<Value>;

/// Why a call produced no value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CallFailure {
    /// The method raised; the exception goes to the caller as is.
    #[error("the method raised {}: {}", .0.type_name, .0.message)]
    Raised(Raised),
    /// No such service or method; the text names it.
    #[error("not found: {0}")]
    NotFound(String),
    /// The arguments do not fit the method; the text says which and why.
    #[error("bad arguments: {0}")]
    BadArguments(String),
    /// The server could not run the call for a reason of its own.
    #[error("internal error: {0}")]
    Internal(String),
    /// The call ran out of time.
    #[error("deadline exceeded: {0}")]
    DeadlineExceeded(String),
    /// The client cancelled the call (a stream it stopped reading).
    #[error("cancelled: {0}")]
    Cancelled(String),
    /// The connection sent no known token to a server that requires one.
    #[error("unauthenticated: {0}")]
    Unauthenticated(String),
    /// The server runs as many calls as it may and refused this one before
    /// it ran (a client before version 8 sees it as Unavailable).
    #[error("overloaded: {0}")]
    Overloaded(String),
}

impl CallFailure {
    /// The Error frame that tells the caller about this failure. Failures the
    /// server detects carry a built-in exception (`AttributeError`,
    /// `TypeError`, ...) whose message is the failure's text.
    pub fn into_frame(self, id: u64) -> Frame {
        let (status, message) = match self {
            CallFailure::Raised(raised) => {
                return Frame::Error {
                    id,
                    status: Status::Raised,
                    raised,
                };
            }
            CallFailure::NotFound(m) => (Status::NotFound, m),
            CallFailure::BadArguments(m) => (Status::BadArguments, m),
            CallFailure::Internal(m) => (Status::Internal, m),
            CallFailure::DeadlineExceeded(m) => (Status::DeadlineExceeded, m),
            CallFailure::Cancelled(m) => (Status::Cancelled, m),
            CallFailure::Unauthenticated(m) => (Status::Unauthenticated, m),
            CallFailure::Overloaded(m) => (Status::Overloaded, m),
        };
        let raised = Raised {
            type_name: status.builtin_exception().to_string(),
            module: "builtins".to_string(),
            args: vec![Value::Str(message.clone())],
            message,
            fields: Vec::new(),
            traceback: String::new(),
        };
        Frame::Error { id, status, raised }
    }
}

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
    /// The bytes every connection's frames take from, made from
    /// [`ServerConfig::memory_budget`].
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
    let budget = Budget::new(config.memory_budget);
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
