//! One queued call: its entry read, run through the same `Dispatch` as a
//! TCP call, its answer pushed on the caller's list as wire frames, and
//! the entry acknowledged and deleted with the last frame.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use graft_wire::{Arguments, CallFailure, Dispatch, Frame, Reply, Request};
use redis::streams::StreamId;
use tokio::sync::OwnedSemaphorePermit;

use super::{Broker, GROUP};

/// How long an answer waits on its list for a caller that does not come
/// to read it (one that stopped) before Redis drops the list.
const REPLY_TTL_MS: u64 = 300_000;
/// How often a stream looks whether its caller stopped reading it.
const CANCEL_EVERY: Duration = Duration::from_millis(200);
/// The connection number broker calls run under (objects are not served here).
const BROKER_CONNECTION: u64 = u64::MAX;

/// One entry of a queue.
pub(super) struct Entry {
    queue: String,
    id: String,
    /// The Call frame, without its length prefix.
    frame: Vec<u8>,
    /// The list the caller awaits its answer on; none for a call sent without waiting.
    reply: Option<String>,
}

impl Entry {
    /// The entry read from `queue`, or `None` for one that is not a call.
    pub(super) fn of(queue: &str, stream: StreamId) -> Option<Entry> {
        let field = |name: &str| match stream.map.get(name) {
            Some(redis::Value::BulkString(bytes)) => Some(bytes.clone()),
            _ => None,
        };
        let Some(frame) = field("call") else {
            tracing::warn!(
                "broker: entry {} of {queue} has no call; skipped",
                stream.id
            );
            return None;
        };
        let reply = field("reply").and_then(|r| String::from_utf8(r).ok());
        Some(Entry {
            queue: queue.to_owned(),
            id: stream.id,
            frame,
            reply: reply.filter(|r| !r.is_empty()),
        })
    }

    /// When the broker took it, on its clock: the first part of its id.
    fn queued_ms(&self) -> i64 {
        let ms = self.id.split('-').next().unwrap_or_default();
        ms.parse().unwrap_or_default()
    }
}

/// Runs `entry` with its permit; `again` for one taken over from a gateway
/// that stopped, which runs only if its method is idempotent.
pub(super) async fn run(
    broker: Arc<Broker>,
    entry: Entry,
    permit: OwnedSemaphorePermit,
    again: bool,
) {
    let Ok(Frame::Call { id, call }) = Frame::parse(&entry.frame) else {
        let (queue, entry_id) = (&entry.queue, &entry.id);
        tracing::warn!("broker: entry {entry_id} of {queue} is not a Call frame; dropped");
        return finish(&broker, &entry, None).await;
    };
    let name = format!("{}.{}", call.service, call.method);
    let Some(timeout) = left(&broker, &entry, call.timeout) else {
        tracing::info!(
            "broker: {name} ({}) expired in the queue; not run",
            entry.id
        );
        super::status::expired();
        return finish(&broker, &entry, None).await;
    };
    if again && !broker.idempotent.contains(&name) {
        return finish(&broker, &entry, Some(not_again(&entry, id, &name))).await;
    }
    if again {
        super::status::reclaimed("rerun");
    }
    if !call.object.is_empty() {
        let why = "methods of remote objects are not called through a broker; use host=h:p";
        let refused = CallFailure::NotFound(why.into()).into_frame(id);
        return finish(&broker, &entry, Some(refused)).await;
    }
    broker.track(&entry.queue, &entry.id, true);
    let last = execute(&broker, &entry, id, call, timeout).await;
    finish(&broker, &entry, Some(last)).await;
    broker.track(&entry.queue, &entry.id, false);
    drop(permit);
}

/// Runs the call through the same dispatch as TCP's; its last frame.
async fn execute(
    broker: &Broker,
    entry: &Entry,
    id: u64,
    call: graft_wire::Call,
    timeout: Option<Duration>,
) -> Frame {
    let request = Request {
        service: call.service,
        method: call.method,
        object: String::new(),
        args: Arguments::Whole(call.args),
        timeout,
        version: graft_wire::VERSION,
        metadata: call.metadata,
        connection: BROKER_CONNECTION,
        peer: std::net::SocketAddr::from(([0, 0, 0, 0], 0)),
        caller: "",
    };
    answer(broker, entry, id, broker.dispatch.call(request)).await
}

/// The answer to a call taken over from a gateway that stopped, whose
/// method is not idempotent: it is not run again.
fn not_again(entry: &Entry, id: u64, name: &str) -> Frame {
    super::status::reclaimed("refused");
    let entry_id = &entry.id;
    tracing::warn!("broker: {name} ({entry_id}) was taken by a gateway that stopped");
    lost(
        id,
        format!(
            "{name} was taken from the queue by a gateway that stopped before answering; it is not \
             idempotent (@graft_context.idempotent), so it was not run again: it may or may not have run"
        ),
    )
}

/// The time `entry` has left before its caller's deadline, `Some(None)`
/// without one, `None` once it has passed.
fn left(broker: &Broker, entry: &Entry, timeout: Option<Duration>) -> Option<Option<Duration>> {
    let Some(timeout) = timeout else {
        return Some(None);
    };
    let ends = entry.queued_ms() + timeout.as_millis() as i64;
    let left = ends - broker.now_ms();
    (left > 0).then(|| Some(Duration::from_millis(left as u64)))
}

/// Pushes each part of the answer as it comes; its last frame.
/// A stream stops (its generator closed) once its caller has set
/// `<reply>:cancel:<id>`, looked at every [`CANCEL_EVERY`] of items.
async fn answer(broker: &Broker, entry: &Entry, id: u64, replies: graft_wire::Replies) -> Frame {
    let mut parts = replies.parts;
    let mut looked = Instant::now();
    while let Some(reply) = parts.next().await {
        match reply {
            Reply::Items(value) => {
                push(broker, entry, &Frame::Items { id, value }).await;
                if replies.streams && looked.elapsed() >= CANCEL_EVERY {
                    looked = Instant::now();
                    if cancelled(broker, entry, id).await {
                        let why = "the caller stopped reading the stream".into();
                        return CallFailure::Cancelled(why).into_frame(id);
                    }
                }
            }
            Reply::Done(Ok(value)) => return Frame::Reply { id, value },
            Reply::Done(Err(failure)) => return failure.into_frame(id),
        }
    }
    CallFailure::Internal("the call ended without an answer".into()).into_frame(id)
}

/// Whether the caller stopped reading stream `id` (`Broker.cancel` in the graft's runtime).
async fn cancelled(broker: &Broker, entry: &Entry, id: u64) -> bool {
    let Some(reply) = &entry.reply else {
        return false;
    };
    let mut conn = broker.writer.clone();
    let key = format!("{reply}:cancel:{id}");
    let found: redis::RedisResult<bool> =
        redis::cmd("EXISTS").arg(key).query_async(&mut conn).await;
    found.unwrap_or(false)
}

/// Pushes one frame on the caller's list (none for a call sent without waiting).
async fn push(broker: &Broker, entry: &Entry, frame: &Frame) {
    let Some(reply) = &entry.reply else { return };
    let mut pipe = redis::pipe();
    pipe.rpush(reply, encode(frame)).ignore();
    pipe.pexpire(reply, REPLY_TTL_MS as i64).ignore();
    let mut conn = broker.writer.clone();
    if let Err(err) = pipe.query_async::<()>(&mut conn).await {
        tracing::warn!("broker: cannot answer {} on {reply}: {err}", entry.id);
    }
}

/// The last frame (if any) pushed, and the entry acknowledged and deleted,
/// in one transaction: the entry is done once its caller can have its answer.
async fn finish(broker: &Broker, entry: &Entry, last: Option<Frame>) {
    let mut pipe = redis::pipe();
    pipe.atomic();
    if let (Some(frame), Some(reply)) = (&last, &entry.reply) {
        pipe.rpush(reply, encode(frame)).ignore();
        pipe.pexpire(reply, REPLY_TTL_MS as i64).ignore();
    }
    if let (Some(Frame::Error { raised, .. }), None) = (&last, &entry.reply) {
        tracing::warn!(
            "broker: {} (sent without waiting) failed: {}",
            entry.id,
            raised.message
        );
    }
    pipe.xack(&entry.queue, GROUP, &[&entry.id]).ignore();
    pipe.xdel(&entry.queue, &[&entry.id]).ignore();
    let mut conn = broker.writer.clone();
    if let Err(err) = pipe.query_async::<()>(&mut conn).await {
        tracing::warn!(
            "broker: cannot finish {} of {}: {err}",
            entry.id,
            entry.queue
        );
    }
}

/// The Error frame of a call lost with its gateway: a `ConnectionError`, as
/// a TCP call lost with its connection.
fn lost(id: u64, message: String) -> Frame {
    let status = graft_wire::Status::Unavailable;
    let raised = graft_model::Raised {
        type_name: status.builtin_exception().to_owned(),
        module: "builtins".to_owned(),
        args: vec![graft_model::Value::Str(message.clone())],
        message,
        fields: Vec::new(),
        traceback: String::new(),
    };
    Frame::Error { id, status, raised }
}

/// A frame's bytes after its length prefix, as the graft's runtime reads them.
fn encode(frame: &Frame) -> Vec<u8> {
    let mut buf = bytes::BytesMut::new();
    if let Err(err) = frame.encode(&mut buf, u32::MAX) {
        let failure = CallFailure::Internal(format!("the answer cannot be sent: {err}"));
        return encode(&failure.into_frame(frame.id()));
    }
    buf.split_off(4).to_vec()
}
