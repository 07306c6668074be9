//! What a [`Dispatch`] is handed ([`Request`], its [`Arguments`]) and what
//! it answers with ([`Replies`], or a [`CallFailure`]).

use std::future::Future;
use std::time::Duration;

use futures::future::BoxFuture;
use futures::stream::BoxStream;
use graft_model::{BoundArgs, Raised, Value};

use super::arriving;
use crate::frame::Frame;
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
    ///
    /// [`ServerConfig::max_concurrent_calls`]: super::ServerConfig::max_concurrent_calls
    fn shed(&self) {}

    /// Whether the Call that ends a call sent in parts (which began, with
    /// no metadata, at its first part) refuses it for its `metadata`: the
    /// failure it ends with, or `None` to run it. None by default.
    fn refuses(
        &self,
        service: &str,
        method: &str,
        metadata: &[(String, String)],
    ) -> Option<CallFailure> {
        let _ = (service, method, metadata);
        None
    }
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
pub(super) fn items_of(value: Value) -> Vec<Value> {
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
    /// The method raised; the exception goes to the caller as is. Boxed:
    /// every reply a call's answer carries is the size of its largest kind.
    #[error("the method raised {}: {}", .0.type_name, .0.message)]
    Raised(Box<Raised>),
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
                    raised: *raised,
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
