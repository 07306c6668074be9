//! One call's answer on a connection: its parts and its end, sent within
//! the client's frame limit and, for a stream, within the client's credit;
//! a Cancel from the client stops it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use futures::{FutureExt, StreamExt};
use graft_model::Value;
use tokio::sync::{Notify, OwnedSemaphorePermit, mpsc};
use tokio_util::sync::CancellationToken;

use super::{CallFailure, Dispatch, Replies, Reply, Request, items_of};
use crate::budget::{Budget, Permit};
use crate::error::WireError;
use crate::frame::{Frame, LENGTH_BYTES};
use crate::sink::{Encoded, Sink};

/// The bytes of Items a stream may send before the client's first Credit.
pub const INITIAL_WINDOW: i64 = 256 * 1024;
/// Items ready together go in one frame, up to about this many bytes.
const BATCH_BYTES: usize = 64 * 1024;

/// How the read loop reaches a running call: its credit and its cancel.
#[derive(Clone)]
pub(super) struct Control {
    pub credit: Arc<Credit>,
    pub cancel: CancellationToken,
}

/// A stream's window: the bytes of Items it may still send.
pub(super) struct Credit {
    window: AtomicI64,
    more: Notify,
}

impl Credit {
    pub fn add(&self, bytes: u32) {
        self.window.fetch_add(i64::from(bytes), Ordering::AcqRel);
        self.more.notify_one();
    }

    fn spend(&self, bytes: usize) {
        self.window.fetch_sub(bytes as i64, Ordering::AcqRel);
    }

    /// Returns once the window is open.
    async fn open(&self) {
        while self.window.load(Ordering::Acquire) <= 0 {
            self.more.notified().await;
        }
    }
}

/// The calls running on a connection, by id: a second call with an id
/// still running is refused, and Credit and Cancel find their call here.
pub(super) type Running = Arc<Mutex<HashMap<u64, Control>>>;

/// Adds call `id` to `running`; `None` if a call with that id runs already.
pub(super) fn register(running: &Running, id: u64) -> Option<Registered> {
    let mut calls = running.lock().unwrap_or_else(|p| p.into_inner());
    if calls.contains_key(&id) {
        return None;
    }
    let control = Control {
        credit: Arc::new(Credit {
            window: AtomicI64::new(INITIAL_WINDOW),
            more: Notify::new(),
        }),
        cancel: CancellationToken::new(),
    };
    calls.insert(id, control.clone());
    Some(Registered {
        running: Arc::clone(running),
        id,
        control,
    })
}

/// A call's place among the running ones, given up when it is dropped.
pub(super) struct Registered {
    running: Running,
    id: u64,
    control: Control,
}

impl Drop for Registered {
    fn drop(&mut self) {
        let mut calls = self.running.lock().unwrap_or_else(|p| p.into_inner());
        calls.remove(&self.id);
    }
}

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
            held: arguments,
        } = self;
        let mut arguments = Some(arguments);
        let Replies { streams, mut parts } = match call {
            Called::Later(request) => dispatch.call(request),
            Called::Now(replies) => replies,
        };
        let control = registered.control.clone();
        // A reply read while gathering a batch, to send after it.
        let mut held: Option<Option<Reply>> = None;
        let end = loop {
            let reply = match held.take() {
                Some(reply) => reply,
                None => match waited(streams, &mut parts, &control, &abort, &closing).await {
                    Waited::Reply(reply) => {
                        drop(arguments.take());
                        reply
                    }
                    Waited::Cancelled(why) => break Err(why),
                    Waited::Aborted => return,
                },
            };
            let sent = match reply {
                Some(Reply::Items(value)) if streams => {
                    let (batch, after) = gather(value, &mut parts);
                    held = after;
                    frames.send_items(batch, &control.credit)
                }
                Some(Reply::Items(value)) => frames.send(&Frame::ReplyPart {
                    id: frames.id,
                    value,
                }),
                end => break Ok(end),
            };
            if !sent {
                return;
            }
        };
        // The id is free once the last frame is on its way: not after.
        drop(registered);
        frames.send(&last_frame(frames.id, end));
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
    control: &Control,
    abort: &CancellationToken,
    closing: &CancellationToken,
) -> Waited {
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

/// The frames of one call's answer. ReplyParts and the Reply share the
/// client's frame limit, so a reply in parts is never bigger than one the
/// client would take whole; each Items frame has the limit to itself. A
/// frame over its limit goes as an Error saying so, so the caller hears back
/// either way.
pub(super) struct Frames {
    pub id: u64,
    pub out: mpsc::UnboundedSender<(Encoded, Permit)>,
    /// What each frame is charged to until it is written.
    pub budget: Budget,
    /// The client's limit, and what the parts sent so far have left of it.
    pub max: u32,
    pub left: u32,
    /// The client's protocol version, which the frames are encoded in.
    pub version: u16,
}

impl Frames {
    /// Sends a stream's items, spending their bytes from `credit`; false if
    /// they did not fit, and an Error went instead.
    fn send_items(&mut self, value: Value, credit: &Credit) -> bool {
        let frame = Frame::Items { id: self.id, value };
        let mut buf = Encoded::with_capacity(size_hint(&frame).min(self.max as usize + 4));
        match frame.encode_version(&mut buf, self.max, self.version) {
            Ok(()) => {
                credit.spend(buf.written() - LENGTH_BYTES);
                self.queue(buf);
                true
            }
            Err(err) => {
                self.fail(&err.to_string());
                false
            }
        }
    }

    /// Sends `frame` in what is left of the limit; false if it did not fit,
    /// and an Error saying so went in its place.
    pub fn send(&mut self, frame: &Frame) -> bool {
        let mut buf = Encoded::with_capacity(size_hint(frame).min(self.left as usize + 4));
        let failed = match frame.encode_version(&mut buf, self.left, self.version) {
            Ok(()) => {
                self.left -= (buf.written() - LENGTH_BYTES) as u32;
                self.queue(buf);
                return true;
            }
            Err(WireError::FrameTooLarge { len, .. }) if self.left < self.max => format!(
                "frame of {len} bytes, after {} bytes sent ahead in parts, exceeds the limit of {} bytes",
                self.max - self.left,
                self.max
            ),
            Err(err) => err.to_string(),
        };
        self.fail(&failed);
        false
    }

    fn fail(&mut self, why: &str) {
        let failure = CallFailure::Internal(format!("the reply could not be sent: {why}"));
        let mut buf = Encoded::with_capacity(256);
        let _ = failure.into_frame(self.id).encode(&mut buf, self.max);
        self.queue(buf);
    }

    /// Queues `buf` for the writer, charged to the budget until written.
    fn queue(&self, buf: Encoded) {
        let permit = self.budget.charge(buf.written());
        let _ = self.out.send((buf, permit));
    }
}

/// About how many bytes `frame` encodes to, to size its buffer.
fn size_hint(frame: &Frame) -> usize {
    match frame {
        Frame::Reply { value, .. }
        | Frame::ReplyPart { value, .. }
        | Frame::Items { value, .. } => 16 + crate::codec::size_hint(value),
        _ => 128,
    }
}
