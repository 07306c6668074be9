//! One call's answer on a connection: its parts and its end, sent within
//! the client's frame limit and, for a stream, within the client's credit;
//! a Cancel from the client stops it. The calls running on a connection
//! are in `running.rs`, the frames an answer sends in `frames.rs`.

use std::sync::Arc;

use futures::{FutureExt, StreamExt};
use graft_model::Value;
use tokio::sync::OwnedSemaphorePermit;
use tokio_util::sync::CancellationToken;

use super::{CallFailure, Dispatch, Replies, Reply, Request, items_of};
use crate::budget::Permit;
use crate::frame::Frame;

mod frames;
mod running;

pub(super) use frames::Frames;
pub use running::INITIAL_WINDOW;
pub(super) use running::{Control, Registered, Running, register};

/// Items ready together go in one frame, up to about this many bytes.
const BATCH_BYTES: usize = 64 * 1024;

/// A call as its answer's task gets it. Most calls are `Later`: boxing the
/// request would cost each of them an allocation.
#[allow(clippy::large_enum_variant)]
pub(super) enum Called {
    /// To hand to the dispatch on the answer's task.
    Later(Request),
    /// Handed to the dispatch on the read loop already, in the order the
    /// calls arrived: a call on an object, whose calls run in that order.
    Now(Replies),
}

/// Everything one call's answer needs.
pub(super) struct Answering {
    pub frames: Frames,
    /// The call, run by `dispatch` on the answer's own task (a quick method
    /// may run right there), not on the connection's read loop; or, for a
    /// call on an object, already handed to it there (see [`Called`]).
    pub call: Called,
    pub dispatch: Arc<dyn Dispatch>,
    pub registered: Registered,
    pub abort: CancellationToken,
    /// The client closed or the server shuts down: a stream ends.
    pub closing: CancellationToken,
    pub permit: OwnedSemaphorePermit,
    /// The budget the call's frame took: given back once the call answers
    /// anything (its arguments are used by then), not held while a stream
    /// waits for credit that only the reader can bring.
    pub held: Permit,
}

impl Answering {
    /// Sends the answer as it comes; stops if the connection is aborted.
    pub async fn run(self) {
        let Answering {
            mut frames,
            call,
            dispatch,
            registered,
            abort,
            closing,
            permit: _permit,
            held,
        } = self;
        let replies = match call {
            Called::Later(request) => dispatch.call(request),
            Called::Now(replies) => replies,
        };
        let stops = Stops {
            control: &registered.control,
            abort: &abort,
            closing: &closing,
        };
        let Some(end) = sent(&mut frames, replies, stops, held).await else {
            return;
        };
        // The id is free once the last frame is on its way: not after.
        drop(registered);
        frames.send(&last_frame(frames.id, end));
    }
}

/// What stops an answer early: the caller's Cancel (in `control`), the
/// connection aborted, or (for a stream) closing.
struct Stops<'a> {
    control: &'a Control,
    abort: &'a CancellationToken,
    closing: &'a CancellationToken,
}

/// The answer's end once its parts are sent as they came (the reason if
/// it was cancelled); `None` when nothing more may be sent (the connection
/// aborted, or a part that did not fit, whose Error went instead).
/// `arguments`' bytes go back to the budget with the first reply.
async fn sent(
    frames: &mut Frames,
    replies: Replies,
    stops: Stops<'_>,
    arguments: Permit,
) -> Option<Result<Option<Reply>, &'static str>> {
    let Replies { streams, mut parts } = replies;
    let mut arguments = Some(arguments);
    // A reply read while gathering a batch, to send after it.
    let mut held: Option<Option<Reply>> = None;
    loop {
        let reply = match held.take() {
            Some(reply) => reply,
            None => match waited(streams, &mut parts, &stops).await {
                Waited::Reply(reply) => {
                    drop(arguments.take());
                    reply
                }
                Waited::Cancelled(why) => return Some(Err(why)),
                Waited::Aborted => return None,
            },
        };
        let sent = match reply {
            Some(Reply::Items(value)) if streams => {
                let (batch, after) = gather(value, &mut parts);
                held = after;
                frames.send_items(batch, &stops.control.credit)
            }
            Some(Reply::Items(value)) => frames.send(&Frame::ReplyPart {
                id: frames.id,
                value,
            }),
            end => return Some(Ok(end)),
        };
        if !sent {
            return None;
        }
    }
}

/// What waiting for a call's next reply came to.
enum Waited {
    /// The next reply; `None` if the replies ended without one.
    Reply(Option<Reply>),
    /// The caller cancelled the stream, or the connection is closing.
    Cancelled(&'static str),
    /// The connection is aborted: nothing more is sent.
    Aborted,
}

/// Waits for the next of `parts` (for a stream, once its credit is open),
/// unless the connection is aborted, the call cancelled, or (a stream) the
/// connection closing first.
async fn waited(
    streams: bool,
    parts: &mut futures::stream::BoxStream<'static, Reply>,
    stops: &Stops<'_>,
) -> Waited {
    let Stops {
        control,
        abort,
        closing,
    } = stops;
    // Most plain calls have answered by now (a quick method runs in
    // `Dispatch::call`): take it without waiting on three tokens first.
    let quiet = !streams && !abort.is_cancelled() && !control.cancel.is_cancelled();
    if quiet && let Some(reply) = parts.next().now_or_never() {
        return Waited::Reply(reply);
    }
    let next = async {
        if streams {
            control.credit.open().await;
        }
        parts.next().await
    };
    tokio::select! {
        biased;
        () = abort.cancelled() => Waited::Aborted,
        () = control.cancel.cancelled() => Waited::Cancelled("the caller cancelled the stream"),
        () = closing.cancelled(), if streams => Waited::Cancelled("the connection is closing"),
        reply = next => Waited::Reply(reply),
    }
}

/// The frame that ends call `id`'s answer: its end, or why it was cancelled.
fn last_frame(id: u64, end: Result<Option<Reply>, &str>) -> Frame {
    let failure = match end {
        Ok(Some(Reply::Done(Ok(value)))) => return Frame::Reply { id, value },
        Ok(Some(Reply::Done(Err(failure)))) => failure,
        Ok(_) => CallFailure::Internal("the call ended without an answer".into()),
        Err(why) => CallFailure::Cancelled(why.into()),
    };
    failure.into_frame(id)
}

/// `first` and the stream's further items that are ready now, up to about
/// [`BATCH_BYTES`]; and what ended the batch, if it was not an item.
fn gather(
    first: Value,
    parts: &mut futures::stream::BoxStream<'static, Reply>,
) -> (Value, Option<Option<Reply>>) {
    let mut size = crate::codec::size_hint(&first);
    let mut items = items_of(first);
    while size < BATCH_BYTES {
        match parts.next().now_or_never() {
            Some(Some(Reply::Items(more))) => {
                size += crate::codec::size_hint(&more);
                items.extend(items_of(more));
            }
            Some(end) => return (Value::List(items), Some(end)),
            None => break,
        }
    }
    (Value::List(items), None)
}
