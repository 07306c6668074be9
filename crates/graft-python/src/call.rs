//! One call, as the gateway hands it to the host ([`Call`]), and the
//! [`Part`]s of its answer ([`Answer`](crate::Answer), in `answer.rs`):
//! zero or more parts, then a final value or an error.
//!
//! HTTP and TCP build a [`Call`] the same way: they look the method up with
//! [`Host::lookup`](crate::Host::lookup), bring its arguments, the caller's
//! deadline and metadata, and hand it to [`Host::run`](crate::Host::run).
//! Every part of an answer goes through one channel: a long returned list's
//! first items (when the caller takes them in parts), and a streaming
//! method's items as they are produced.

use futures::future::BoxFuture;
use graft_model::{BoundArgs, Value};
use tokio::sync::mpsc;

use crate::CallError;
pub use crate::callee::Callee;
use crate::deadline::Deadline;

/// One call of a hosted method.
pub struct Call {
    pub callee: Callee,
    pub args: Args,
    /// How long the caller waits: for the whole answer of a plain method,
    /// for each next item of a streaming one; and what set it. `None`: no limit.
    pub deadline: Option<Deadline>,
    /// The caller's metadata, names in lower case: an HTTP call's request
    /// headers (less hop-by-hop ones and `Authorization`), a Call frame's
    /// pairs. Hosted code reads it with `graft_context.headers()`.
    pub metadata: Vec<(String, String)>,
    /// Whether a long returned list may go ahead in parts
    /// ([`Part::Items`]) rather than whole in the final value.
    pub in_parts: bool,
}

/// A call's arguments.
pub enum Args {
    /// Converted against their declared types already (JSON from HTTP).
    Checked(BoundArgs),
    /// Decoded but not yet checked (from the wire): the host checks them.
    Decoded(BoundArgs),
    /// One argument, a list, still arriving in parts (wire CallParts).
    Arriving(Arriving),
}

/// A call whose argument `argument` (a keyword argument's name, or empty
/// for the first positional one) arrives in parts ahead of the rest: the
/// host checks and builds each part as it comes.
pub struct Arriving {
    pub argument: String,
    /// The argument's first items, each a list or a table, until it closes.
    pub parts: mpsc::UnboundedReceiver<Value>,
    /// Then the call's other arguments (and that argument's last items),
    /// with the caller's deadline; or why the call cannot run.
    pub rest: BoxFuture<'static, Result<(BoundArgs, Option<Deadline>), CallError>>,
}

/// One piece of an answer.
#[derive(Debug)]
pub enum Part {
    /// Next items (a list or a table): of a streaming method's output, or
    /// the first items of a long returned list.
    Items(Value),
    /// The end: the returned value (`None` after a stream; after parts of
    /// a list, its last items), or why the call failed.
    Done(Result<Value, CallError>),
}

/// How many parts may wait in an answer before the producer pauses: this
/// bounds what a stream holds in the gateway while its consumer is slow.
pub(crate) const PARTS_AHEAD: usize = 4;

/// The items of a list, or of a table (as objects); a part is one or the other.
pub fn items_of(value: Value) -> Vec<Value> {
    match value {
        Value::List(items) => items,
        Value::Table(table) => table.to_objects(),
        other => vec![other],
    }
}
