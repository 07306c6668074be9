//! One client connection on the server: handshake, read loop, call tasks and
//! the writer task.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use graft_model::Value;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, oneshot};
use tokio::time::{Instant, sleep};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::{CallFailure, PartOf, Shared};
use crate::connection::FrameReader;
use crate::error::WireError;
use crate::frame::{Call, Frame};
use crate::handshake::{self, Hello};
use crate::sink::{Encoded, Sink};
use crate::status::ProtocolCode;
use futures::future::BoxFuture;

/// The smallest frame limit a peer may announce; smaller ones are raised to
/// it so an Error frame always fits.
const MIN_FRAME_SIZE: u32 = 4096;
/// Replies queued together are sent in one write, up to this many bytes.
const BATCH_BYTES: usize = 256 * 1024;

/// Why the read loop stopped.
enum End {
    /// The client closed its side, or said Goodbye: finish in-flight calls.
    Closed,
    /// The server is shutting down: say Goodbye, finish in-flight calls.
    Shutdown,
    /// The client broke the protocol or went silent: tell it, drop its calls.
    Fault {
        id: u64,
        code: ProtocolCode,
        message: String,
    },
    /// The stream failed; nobody is listening any more.
    Broken,
}

/// The parts of a connection that call tasks share.
struct Session {
    peer: SocketAddr,
    shared: Arc<Shared>,
    /// Encoded frames for the writer task.
    out: mpsc::UnboundedSender<Encoded>,
    /// Cancelled when the connection is dropped for a fault: calls stop.
    abort: CancellationToken,
    /// Bounds the calls running at once on this connection.
    permits: Arc<Semaphore>,
    /// The largest frame the client accepts.
    peer_max: u32,
    /// Whether the client takes a returned list in parts (version 4).
    in_parts: bool,
}

pub(super) async fn run(
    mut stream: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    stop: CancellationToken,
    tracker: TaskTracker,
) {
    let config = &shared.config;
    let heartbeat_ms = config.heartbeat_interval.as_millis().min(u32::MAX.into()) as u32;
    let ours = Hello::new(config.max_frame_size, heartbeat_ms);
    let theirs = match tokio::time::timeout(
        config.handshake_timeout,
        handshake::accept(&mut stream, ours),
    )
    .await
    {
        Ok(Ok(hello)) => hello,
        Ok(Err(err)) => return tracing::debug!(%peer, "graft-wire: handshake failed: {err}"),
        Err(_) => return tracing::debug!(%peer, "graft-wire: no hello in time"),
    };
    let (read_half, write_half) = stream.into_split();
    let (out, queue) = mpsc::unbounded_channel();
    let mut writer = tokio::spawn(write_loop(write_half, queue));
    let grace = config.heartbeat_interval;
    let session = Session {
        peer,
        permits: Arc::new(Semaphore::new(config.max_concurrent_calls.max(1))),
        peer_max: theirs.max_frame_size.max(MIN_FRAME_SIZE),
        in_parts: theirs.version >= 4,
        abort: CancellationToken::new(),
        out,
        shared: shared.clone(),
    };
    let reader = FrameReader::new(read_half, shared.config.max_frame_size);
    let end = session.read_loop(reader, &stop, &tracker).await;
    // The writer ends once the session and every call task dropped their
    // senders. Finishing calls are bounded by serve's drain timeout; after a
    // fault the last frame gets one heartbeat interval to leave.
    if session.finish(end) {
        let _ = writer.await;
    } else if tokio::time::timeout(grace, &mut writer).await.is_err() {
        writer.abort();
    }
}

impl Session {
    async fn read_loop(
        &self,
        mut reader: FrameReader<OwnedReadHalf>,
        stop: &CancellationToken,
        tracker: &TaskTracker,
    ) -> End {
        let idle = self.shared.config.idle_timeout();
        let timer = sleep(idle);
        tokio::pin!(timer);
        // Calls whose first argument is still coming in parts, by id.
        let mut streams: HashMap<u64, Stream> = HashMap::new();
        loop {
            let read = tokio::select! {
                read = reader.read_frame() => read,
                () = &mut timer => return End::Fault {
                    id: 0,
                    code: ProtocolCode::IdleTimeout,
                    message: format!("no frame for {idle:?} (three heartbeat intervals); closing"),
                },
                () = stop.cancelled() => return End::Shutdown,
            };
            timer.as_mut().reset(Instant::now() + idle);
            let frame = match read {
                Ok(Some(frame)) => frame,
                Ok(None) => return End::Closed,
                Err(WireError::Io(err)) => {
                    tracing::debug!(peer = %self.peer, "graft-wire: read failed: {err}");
                    return End::Broken;
                }
                Err(err) => return fault(0, &err),
            };
            match frame {
                Frame::Call { id, call } => {
                    if let Some(stream) = streams.remove(&id) {
                        if let Some(tx) = stream.call {
                            let _ = tx.send(Ok(call)); // its task may have failed already
                        }
                        continue;
                    }
                    let permit = match self.permit(stop).await {
                        Ok(permit) => permit,
                        Err(end) => return end,
                    };
                    tracker.spawn(self.call_task(id, call, permit));
                }
                Frame::CallPart { id, .. } if !self.in_parts => {
                    return fault(
                        id,
                        &WireError::UnexpectedFrame("CallPart (a version-4 frame)"),
                    );
                }
                Frame::CallPart {
                    id,
                    service,
                    method,
                    argument,
                    value,
                } => {
                    let of = PartOf {
                        service,
                        method,
                        argument,
                    };
                    let max = self.shared.config.max_frame_size;
                    if let Some(stream) = streams.get_mut(&id) {
                        stream.take(&of, value, max);
                        continue;
                    }
                    let permit = match self.permit(stop).await {
                        Ok(permit) => permit,
                        Err(end) => return end,
                    };
                    let (parts_tx, parts_rx) = mpsc::unbounded_channel();
                    let (call_tx, call_rx) = oneshot::channel();
                    let mut stream = Stream {
                        of: of.clone(),
                        parts: Some(parts_tx),
                        call: Some(call_tx),
                        size: 0,
                    };
                    stream.take(&of, value, max);
                    streams.insert(id, stream);
                    let (reply_tx, reply_rx) = mpsc::unbounded_channel();
                    let names = (of.service.clone(), of.method.clone());
                    let dispatch = Arc::clone(&self.shared.dispatch);
                    let running = dispatch.call_streamed(of, parts_rx, call_rx, reply_tx);
                    // The call's own timeout comes with it, last: the dispatch keeps it.
                    tracker.spawn(self.answer(id, running, Some(reply_rx), None, names, permit));
                }
                Frame::Ping { id } => self.send(&Frame::Pong { id }),
                // No streaming calls run here yet: a Credit or Cancel finds no stream.
                Frame::Pong { .. } | Frame::Credit { .. } | Frame::Cancel { .. } => {}
                Frame::Goodbye { .. } => return End::Closed,
                Frame::ProtocolError { code, message, .. } => {
                    tracing::debug!(peer = %self.peer, "graft-wire: client reported {code:?}: {message}");
                    return End::Broken;
                }
                other @ (Frame::Reply { .. }
                | Frame::ReplyPart { .. }
                | Frame::Items { .. }
                | Frame::Error { .. }) => {
                    return fault(other.id(), &WireError::UnexpectedFrame(other.name()));
                }
            }
        }
    }

    /// A place among the calls running on this connection, once one is free.
    async fn permit(&self, stop: &CancellationToken) -> Result<OwnedSemaphorePermit, End> {
        tokio::select! {
            permit = self.permits.clone().acquire_owned() => permit.map_err(|_| End::Broken),
            () = stop.cancelled() => Err(End::Shutdown),
        }
    }

    /// One call, run to completion unless the connection is aborted.
    fn call_task(
        &self,
        id: u64,
        call: Call,
        permit: OwnedSemaphorePermit,
    ) -> impl Future<Output = ()> + use<> {
        let Call {
            service,
            method,
            args,
            timeout,
        } = call;
        let dispatch = &self.shared.dispatch;
        let (running, parts) = if self.in_parts {
            let (tx, rx) = mpsc::unbounded_channel();
            let running =
                dispatch.call_in_parts(service.clone(), method.clone(), args, timeout, tx);
            (running, Some(rx))
        } else {
            (
                dispatch.call(service.clone(), method.clone(), args, timeout),
                None,
            )
        };
        self.answer(id, running, parts, timeout, (service, method), permit)
    }

    /// Answers call `id` with what `running` gives, within `timeout`. A
    /// returned list may go ahead in `parts` (`Dispatch::call_in_parts`),
    /// each sent as it comes, and the Reply after them.
    fn answer(
        &self,
        id: u64,
        running: BoxFuture<'static, Result<Value, CallFailure>>,
        mut parts: Option<mpsc::UnboundedReceiver<Value>>,
        timeout: Option<Duration>,
        (service, method): (String, String),
        permit: OwnedSemaphorePermit,
    ) -> impl Future<Output = ()> + use<> {
        let mut ahead = self.frames(id);
        let abort = self.abort.clone();
        async move {
            let _permit = permit;
            let running = with_deadline(running, timeout, &service, &method);
            tokio::pin!(running);
            let outcome = loop {
                tokio::select! {
                    biased;
                    () = abort.cancelled() => return,
                    part = next_part(&mut parts) => match part {
                        // Too big: an Error went in the reply's place.
                        Some(part) => if !ahead.send_part(part) { return },
                        None => parts = None,
                    },
                    outcome = &mut running => break outcome,
                }
            };
            while let Some(part) = parts.as_mut().and_then(|rx| rx.try_recv().ok()) {
                if !ahead.send_part(part) {
                    return;
                }
            }
            let frame = match outcome {
                Ok(value) => Frame::Reply { id, value },
                Err(failure) => failure.into_frame(id),
            };
            ahead.send(&frame);
        }
    }

    fn send(&self, frame: &Frame) {
        self.frames(frame.id()).send(frame);
    }

    /// Where the frames that answer call `id` go, within the client's limit.
    fn frames(&self, id: u64) -> Ahead {
        Ahead {
            id,
            out: self.out.clone(),
            max: self.peer_max,
            left: self.peer_max,
        }
    }

    /// Sends the last word and says whether in-flight calls may finish
    /// (`true`) or were dropped (`false`).
    fn finish(self, end: End) -> bool {
        match end {
            End::Closed => true,
            End::Shutdown => {
                self.send(&Frame::Goodbye {
                    reason: "server shutting down".to_string(),
                });
                true
            }
            End::Fault { id, code, message } => {
                tracing::debug!(peer = %self.peer, "graft-wire: closing connection: {message}");
                self.send(&Frame::ProtocolError { id, code, message });
                self.abort.cancel();
                false
            }
            End::Broken => {
                self.abort.cancel();
                false
            }
        }
    }
}

/// A call one of whose arguments is still coming in parts.
struct Stream {
    /// What its first part named: every later part names the same.
    of: PartOf,
    /// To its task; None once it failed.
    parts: Option<mpsc::UnboundedSender<Value>>,
    /// The call itself, when it comes; or why it cannot run.
    call: Option<oneshot::Sender<Result<Call, String>>>,
    /// The parts' size so far, against the server's frame limit.
    size: usize,
}

impl Stream {
    /// Passes one part on, unless it names another call or argument than
    /// the first, or the parts together pass `max` bytes: then the call
    /// fails (its task answers why) and later parts are dropped.
    fn take(&mut self, of: &PartOf, value: Value, max: u32) {
        self.size += crate::codec::size_hint(&value);
        let wrong = if *of != self.of {
            Some(format!(
                "a part for {}.{} ({}) came among parts for {}.{} ({})",
                of.service,
                of.method,
                of.argument,
                self.of.service,
                self.of.method,
                self.of.argument
            ))
        } else if self.size > max as usize {
            Some(format!(
                "the call's parts pass the server's limit of {max} bytes"
            ))
        } else {
            None
        };
        if let Some(why) = wrong {
            if let Some(tx) = self.call.take() {
                let _ = tx.send(Err(why));
            }
            self.parts = None;
        }
        if let Some(tx) = &self.parts {
            let _ = tx.send(value);
        }
    }
}

/// The frames of one call's answer: its parts and its Reply share the
/// client's frame limit, so a reply in parts is never bigger than one the
/// client would take whole. A frame over the limit goes as an Error saying
/// so, so the caller hears back either way.
struct Ahead {
    id: u64,
    out: mpsc::UnboundedSender<Encoded>,
    /// The client's limit, and what the parts sent so far have left of it.
    max: u32,
    left: u32,
}

impl Ahead {
    /// Sends one part; false if it did not fit, and an Error went instead.
    fn send_part(&mut self, value: Value) -> bool {
        self.send(&Frame::ReplyPart { id: self.id, value })
    }

    /// Sends `frame` in what is left of the limit; false if it did not fit,
    /// and an Error saying so went in its place.
    fn send(&mut self, frame: &Frame) -> bool {
        let mut buf = Encoded::with_capacity(size_hint(frame).min(self.left as usize + 4));
        let failed = match frame.encode(&mut buf, self.left) {
            Ok(()) => {
                self.left -= (buf.written() - crate::frame::LENGTH_BYTES) as u32;
                None
            }
            Err(WireError::FrameTooLarge { len, .. }) if self.left < self.max => Some(format!(
                "frame of {len} bytes, after {} bytes sent ahead in parts, exceeds the limit of {} bytes",
                self.max - self.left,
                self.max
            )),
            Err(err) => Some(err.to_string()),
        };
        if let Some(why) = &failed {
            let failure = CallFailure::Internal(format!("the reply could not be sent: {why}"));
            let _ = failure.into_frame(self.id).encode(&mut buf, self.max);
        }
        let _ = self.out.send(buf);
        failed.is_none()
    }
}

/// The next part from a call that sends its result in parts; never, for one that does not.
async fn next_part(parts: &mut Option<mpsc::UnboundedReceiver<Value>>) -> Option<Value> {
    match parts {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

fn fault(id: u64, err: &WireError) -> End {
    End::Fault {
        id,
        code: ProtocolCode::for_error(err),
        message: err.to_string(),
    }
}

async fn with_deadline(
    running: futures::future::BoxFuture<'static, Result<Value, CallFailure>>,
    timeout: Option<Duration>,
    service: &str,
    method: &str,
) -> Result<Value, CallFailure> {
    let Some(limit) = timeout else {
        return running.await;
    };
    match tokio::time::timeout(limit, running).await {
        Ok(outcome) => outcome,
        Err(_) => Err(CallFailure::DeadlineExceeded(format!(
            "{service}.{method} did not finish within {} ms",
            limit.as_millis()
        ))),
    }
}

/// About how many bytes `frame` encodes to, to size its buffer.
fn size_hint(frame: &Frame) -> usize {
    match frame {
        Frame::Reply { value, .. } | Frame::ReplyPart { value, .. } => {
            16 + crate::codec::size_hint(value)
        }
        _ => 128,
    }
}

/// Writes queued frames, coalescing those already waiting into one batch;
/// a batch's shared byte strings are written from where they are.
async fn write_loop(mut stream: OwnedWriteHalf, mut queue: mpsc::UnboundedReceiver<Encoded>) {
    while let Some(mut batch) = queue.recv().await {
        while batch.written() < BATCH_BYTES {
            match queue.try_recv() {
                Ok(more) => batch.append(more),
                Err(_) => break,
            }
        }
        for chunk in batch.chunks() {
            if stream.write_all(chunk).await.is_err() {
                return;
            }
        }
    }
    let _ = stream.shutdown().await;
}
