//! The server: accepts connections on a bound listener and hands each call
//! to a [`Dispatch`].
//!
//! Each connection runs in its own task (see `session`): a handshake, then a
//! read loop that spawns every call as a task of its own, so a slow call never
//! holds up others on the same connection. Replies go back through one writer
//! task per connection, in whatever order the calls finish.

mod session;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use graft_model::{BoundArgs, Raised, Value};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::frame::{Call, DEFAULT_MAX_FRAME_SIZE, Frame};
use crate::status::Status;
use tokio::sync::oneshot;

/// Runs calls for the server. Implemented by the gateway over its hosted
/// Python modules, and by tests over plain Rust functions.
pub trait Dispatch: Send + Sync + 'static {
    /// Runs `service.method(*args.positional, **args.keyword)`.
    ///
    /// `timeout` is the caller's limit; the server also stops waiting after
    /// it and answers [`Status::DeadlineExceeded`], so honouring it here is
    /// only needed to stop work early.
    fn call(
        &self,
        service: String,
        method: String,
        args: BoundArgs,
        timeout: Option<Duration>,
    ) -> BoxFuture<'static, Result<Value, CallFailure>>;

    /// [`Dispatch::call`], for a client that takes a returned list in parts
    /// ([`Frame::ReplyPart`], protocol version 4): the implementation may
    /// send the list's first items through `parts`, in order, and return
    /// the rest, a list too. The server sends each part as it comes, while
    /// the rest is still being read. By default nothing is sent ahead.
    fn call_in_parts(
        &self,
        service: String,
        method: String,
        args: BoundArgs,
        timeout: Option<Duration>,
        parts: PartSender,
    ) -> BoxFuture<'static, Result<Value, CallFailure>> {
        drop(parts);
        self.call(service, method, args, timeout)
    }

    /// A call one of whose arguments, a list, comes in parts
    /// ([`Frame::CallPart`], protocol version 4): `parts` yields its first
    /// items as they arrive (each a list or a table), then closes; `call`
    /// then holds the [`Call`] itself, whose argument `part.argument` (a
    /// keyword argument's name, or empty for the first positional one)
    /// holds the last items (or why the call cannot run: its parts were too
    /// big). An implementation may start on the parts before the call
    /// arrives. By default the parts are joined into the argument
    /// ([`joined_call`]) and the call runs as [`Dispatch::call_in_parts`].
    fn call_streamed(
        self: Arc<Self>,
        part: PartOf,
        parts: PartReceiver,
        call: oneshot::Receiver<Result<Call, String>>,
        reply_parts: PartSender,
    ) -> BoxFuture<'static, Result<Value, CallFailure>> {
        Box::pin(async move {
            let call = joined_call(&part, parts, call).await?;
            let PartOf {
                service, method, ..
            } = part;
            self.call_in_parts(service, method, call.args, call.timeout, reply_parts)
                .await
        })
    }
}

/// What a call's parts are of: its service, method and argument (a keyword
/// argument's name, or empty for the first positional one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartOf {
    pub service: String,
    pub method: String,
    pub argument: String,
}

impl PartOf {
    /// The argument the parts belong to, among `call`'s arguments.
    pub fn in_call<'a>(&self, call: &'a mut Call) -> Option<&'a mut Value> {
        if self.argument.is_empty() {
            return call.args.positional.first_mut();
        }
        let args = &mut call.args.keyword;
        let found = args.iter_mut().find(|(name, _)| *name == self.argument);
        found.map(|(_, value)| value)
    }

    /// The argument, for messages.
    fn argument_name(&self) -> &str {
        if self.argument.is_empty() {
            "the first positional one"
        } else {
            &self.argument
        }
    }
}

/// The [`Call`] that ends a call sent in parts, once it has come: checked
/// to name the parts' service and method and to hold their argument, a list.
pub async fn streamed_call(
    part: &PartOf,
    call: oneshot::Receiver<Result<Call, String>>,
) -> Result<Call, CallFailure> {
    let mut call = call
        .await
        .map_err(|_| {
            CallFailure::Internal("the call's parts came, the call itself never did".into())
        })?
        .map_err(CallFailure::BadArguments)?;
    let PartOf {
        service, method, ..
    } = part;
    if call.service != *service || call.method != *method {
        return Err(CallFailure::BadArguments(format!(
            "the call to {}.{} came after parts sent for {service}.{method}",
            call.service, call.method
        )));
    }
    match part.in_call(&mut call) {
        Some(Value::List(_) | Value::Table(_)) => Ok(call),
        _ => Err(CallFailure::BadArguments(format!(
            "{service}.{method}: the argument sent in parts ({}) is not a list in the call",
            part.argument_name()
        ))),
    }
}

/// [`streamed_call`], with all the parts' items joined into their argument.
pub async fn joined_call(
    part: &PartOf,
    mut parts: PartReceiver,
    call: oneshot::Receiver<Result<Call, String>>,
) -> Result<Call, CallFailure> {
    let mut items = Vec::new();
    while let Some(value) = parts.recv().await {
        items.extend(items_of(value));
    }
    let mut call = streamed_call(part, call).await?;
    if let Some(argument) = part.in_call(&mut call) {
        items.extend(items_of(std::mem::replace(argument, Value::None)));
        *argument = Value::List(items);
    }
    Ok(call)
}

/// The items of a list, or of a table (as objects); a part is one or the other.
fn items_of(value: Value) -> Vec<Value> {
    match value {
        Value::List(items) => items,
        Value::Table(table) => table.to_objects(),
        other => vec![other],
    }
}

/// Where a call's result goes ahead in parts: each a [`Value::List`] or
/// [`Value::Table`] of the returned list's next items.
pub type PartSender = tokio::sync::mpsc::UnboundedSender<Value>;
/// Where the parts of a call's first argument come from: see [`Dispatch::call_streamed`].
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

/// Limits and timings of a server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The largest frame accepted from a client, after the length prefix.
    pub max_frame_size: u32,
    /// Advertised in the hello; a connection silent for three intervals is
    /// closed as idle or half-open.
    pub heartbeat_interval: Duration,
    /// Calls running at once per connection; beyond it the server stops
    /// reading from that connection until one finishes.
    pub max_concurrent_calls: usize,
    /// How long a new connection has to send its hello.
    pub handshake_timeout: Duration,
    /// On shutdown, how long in-flight calls have to finish.
    pub drain_timeout: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            max_frame_size: DEFAULT_MAX_FRAME_SIZE,
            heartbeat_interval: Duration::from_secs(10),
            max_concurrent_calls: 1024,
            handshake_timeout: Duration::from_secs(10),
            drain_timeout: Duration::from_secs(30),
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
    let shared = Arc::new(Shared { dispatch, config });
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
                let session =
                    session::run(stream, peer, shared.clone(), stop.clone(), tracker.clone());
                tracker.spawn(session);
            }
            Err(err) => {
                // Out of file descriptors and the like: wait, then go on.
                tracing::warn!("graft-wire: accept failed: {err}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}
