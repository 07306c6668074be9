//! One call, as the gateway hands it to the host ([`Call`]), and its
//! answer ([`Answer`]): zero or more parts, then a final value or an error.
//!
//! HTTP and TCP build a [`Call`] the same way: they look the method up with
//! [`Host::lookup`](crate::Host::lookup), bring its arguments, the caller's
//! deadline and metadata, and hand it to [`Host::run`](crate::Host::run).
//! Every part of an answer goes through one channel: a long returned list's
//! first items (when the caller takes them in parts), and a streaming
//! method's items as they are produced.

use std::time::Duration;

use futures::future::BoxFuture;
use graft_model::{BoundArgs, Value};
use tokio::sync::{mpsc, oneshot};

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

/// The answer of one [`Call`], read with [`Answer::next`]. Dropping it
/// stops the call: a coroutine is cancelled, a generator closed.
pub struct Answer {
    /// Where the parts come from; none for an answer known as it was made.
    parts: Option<mpsc::Receiver<Part>>,
    /// The end of an answer known as it was made (a quick method run
    /// where it was called, a refusal): no channel, no timer.
    end: Option<Part>,
    /// Runs the call, producing into `parts`, while the answer is read.
    driver: Option<BoxFuture<'static, ()>>,
    limit: Limit,
    /// Whether the call streams (its deadline then bounds each item).
    streams: bool,
    /// What was called, for messages.
    callee: Callee,
    ended: bool,
    /// The call's place among those the host runs, held while it is read.
    _slot: Option<crate::admission::Slot>,
}

/// How close to its deadline a raised timeout counts as the call's own.
const NEAR_DEADLINE: Duration = Duration::from_millis(20);

/// When the caller stops waiting.
enum Limit {
    None,
    /// This long from now: for the whole answer, or for each next part of a stream.
    After(Deadline, tokio::time::Instant),
    /// Known once the last arguments arrived (see [`Arriving::rest`]).
    Later(oneshot::Receiver<Option<Deadline>>),
}

impl Answer {
    pub(crate) fn new(call: &Call) -> Answer {
        let limit = Limit::from(call.deadline);
        Answer {
            parts: None,
            end: None,
            driver: None,
            limit,
            streams: call.callee.signature().streams,
            callee: call.callee.clone(),
            ended: false,
            _slot: None,
        }
    }

    pub(crate) fn holding(mut self, slot: crate::admission::Slot) -> Answer {
        self._slot = Some(slot);
        self
    }

    /// The answer, read from `parts` while `driver` produces them.
    pub(crate) fn driven_by(
        mut self,
        parts: mpsc::Receiver<Part>,
        driver: BoxFuture<'static, ()>,
    ) -> Answer {
        self.parts = Some(parts);
        self.driver = Some(driver);
        self
    }

    /// The answer whose end is known already.
    pub(crate) fn ended_with(mut self, end: Result<Value, CallError>) -> Answer {
        self.end = Some(Part::Done(end));
        self
    }

    pub(crate) fn limited_later(mut self, limit: oneshot::Receiver<Option<Deadline>>) -> Answer {
        self.limit = Limit::Later(limit);
        self
    }

    /// Whether the call's method streams its results.
    pub fn streams(&self) -> bool {
        self.streams
    }

    /// The next part; `None` once [`Part::Done`] has been read. Past the
    /// deadline, the call is stopped and its end is a
    /// [`CallError::DeadlineExceeded`].
    pub async fn next(&mut self) -> Option<Part> {
        if self.ended {
            return None;
        }
        if let Some(end) = self.end.take() {
            self.stop();
            return Some(self.timed_out(end));
        }
        if self.streams {
            // Each next item has the whole limit, from when it is asked for.
            self.restart_limit();
        }
        let part = loop {
            let (parts, driver) = (&mut self.parts, &mut self.driver);
            match &mut self.limit {
                Limit::None => break Self::recv(parts, driver).await,
                Limit::After(_, at) => {
                    match tokio::time::timeout_at(*at, Self::recv(parts, driver)).await {
                        Ok(part) => break part,
                        Err(_) => break Part::Done(Err(self.expired())),
                    }
                }
                Limit::Later(rx) => {
                    let limit = tokio::select! {
                        limit = rx => limit.ok().flatten(),
                        part = Self::recv(parts, driver) => break part,
                    };
                    self.limit = Limit::from(limit);
                }
            }
        };
        if let Part::Done(_) = part {
            self.stop();
        }
        Some(self.timed_out(part))
    }

    /// A timeout the method raised at its deadline (a Graft it called got
    /// only what was left, so it gave up a moment earlier) is the call's own.
    fn timed_out(&self, part: Part) -> Part {
        let Limit::After(_, at) = self.limit else {
            return part;
        };
        match part {
            Part::Done(Err(CallError::Raised(raised)))
                if raised.type_name.contains("Timeout")
                    && tokio::time::Instant::now() + NEAR_DEADLINE >= at =>
            {
                Part::Done(Err(self.expired()))
            }
            part => part,
        }
    }

    async fn recv(
        parts: &mut Option<mpsc::Receiver<Part>>,
        driver: &mut Option<BoxFuture<'static, ()>>,
    ) -> Part {
        let Some(parts) = parts else {
            return lost();
        };
        loop {
            let Some(running) = driver.as_mut() else {
                return parts.recv().await.unwrap_or_else(lost);
            };
            tokio::select! {
                biased;
                part = parts.recv() => return part.unwrap_or_else(lost),
                () = running => *driver = None,
            }
        }
    }

    fn restart_limit(&mut self) {
        if let Limit::After(deadline, at) = &mut self.limit {
            *at = tokio::time::Instant::now() + deadline.limit;
        }
    }

    /// The one timeout message, over HTTP and TCP alike: what was called,
    /// the limit, and what set it.
    fn expired(&self) -> CallError {
        let Limit::After(deadline, _) = self.limit else {
            unreachable!("only a set limit expires")
        };
        let what = if self.streams {
            "produced no next item"
        } else {
            "did not finish"
        };
        CallError::DeadlineExceeded(format!(
            "{} {what} within {} s ({})",
            self.callee.name(),
            deadline.limit.as_secs_f64(),
            deadline.set_by
        ))
    }

    /// Stops the call: no more parts are read.
    fn stop(&mut self) {
        self.ended = true;
        self.driver = None;
        if let Some(parts) = &mut self.parts {
            parts.close();
        }
    }

    /// Reads the whole answer: the returned value (with any parts joined
    /// in), or a streaming method's items as one list.
    pub async fn value(mut self) -> Result<Value, CallError> {
        let mut items = Vec::new();
        while let Some(part) = self.next().await {
            match part {
                Part::Items(value) => items.extend(items_of(value)),
                Part::Done(Ok(value)) if items.is_empty() && !self.streams => return Ok(value),
                Part::Done(Ok(_)) if self.streams => return Ok(Value::List(items)),
                Part::Done(Ok(last)) => {
                    items.extend(items_of(last));
                    return Ok(Value::List(items));
                }
                Part::Done(Err(err)) => return Err(err),
            }
        }
        Err(lost_error())
    }
}

impl From<Option<Deadline>> for Limit {
    /// A limit from now.
    fn from(deadline: Option<Deadline>) -> Limit {
        match deadline {
            Some(d) => Limit::After(d, tokio::time::Instant::now() + d.limit),
            None => Limit::None,
        }
    }
}

/// The items of a list, or of a table (as objects); a part is one or the other.
pub fn items_of(value: Value) -> Vec<Value> {
    match value {
        Value::List(items) => items,
        Value::Table(table) => table.to_objects(),
        other => vec![other],
    }
}

fn lost() -> Part {
    Part::Done(Err(lost_error()))
}

fn lost_error() -> CallError {
    CallError::Internal("the call ended without an answer".into())
}
