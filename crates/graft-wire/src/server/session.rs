//! One client connection on the server: handshake, read loop, call tasks and
//! the writer task.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use graft_model::Value;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::{Semaphore, mpsc};
use tokio::time::{Instant, sleep};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::{CallFailure, Shared};
use crate::connection::FrameReader;
use crate::error::WireError;
use crate::frame::{Call, Frame};
use crate::handshake::{self, Hello};
use crate::sink::{Encoded, Sink};
use crate::status::ProtocolCode;

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
                    let permit = tokio::select! {
                        permit = self.permits.clone().acquire_owned() => permit,
                        () = stop.cancelled() => return End::Shutdown,
                    };
                    let Ok(permit) = permit else {
                        return End::Broken;
                    };
                    tracker.spawn(self.call_task(id, call, permit));
                }
                Frame::Ping { id } => self.send(&Frame::Pong { id }),
                Frame::Pong { .. } => {}
                Frame::Goodbye { .. } => return End::Closed,
                Frame::ProtocolError { code, message, .. } => {
                    tracing::debug!(peer = %self.peer, "graft-wire: client reported {code:?}: {message}");
                    return End::Broken;
                }
                other @ (Frame::Reply { .. } | Frame::Error { .. }) => {
                    return fault(other.id(), &WireError::UnexpectedFrame(other.name()));
                }
            }
        }
    }

    /// One call, run to completion unless the connection is aborted.
    fn call_task(
        &self,
        id: u64,
        call: Call,
        permit: tokio::sync::OwnedSemaphorePermit,
    ) -> impl Future<Output = ()> + use<> {
        let Call {
            service,
            method,
            args,
            timeout,
        } = call;
        let running = self
            .shared
            .dispatch
            .call(service.clone(), method.clone(), args, timeout);
        let (out, abort, peer_max) = (self.out.clone(), self.abort.clone(), self.peer_max);
        async move {
            let _permit = permit;
            let outcome = tokio::select! {
                outcome = with_deadline(running, timeout, &service, &method) => outcome,
                () = abort.cancelled() => return,
            };
            let frame = match outcome {
                Ok(value) => Frame::Reply { id, value },
                Err(failure) => failure.into_frame(id),
            };
            let _ = out.send(encode_or_fail(&frame, peer_max));
        }
    }

    fn send(&self, frame: &Frame) {
        let _ = self.out.send(encode_or_fail(frame, self.peer_max));
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

/// Encodes `frame`; if it exceeds the client's limit, an Error frame saying
/// so takes its place, so the caller hears back either way.
fn encode_or_fail(frame: &Frame, max: u32) -> Encoded {
    let hint = match frame {
        Frame::Reply { value, .. } => 16 + crate::codec::size_hint(value),
        _ => 128,
    };
    let mut buf = Encoded::with_capacity(hint.min(max as usize + 4));
    if let Err(err) = frame.encode(&mut buf, max) {
        let failure = CallFailure::Internal(format!("the reply could not be sent: {err}"));
        let _ = failure.into_frame(frame.id()).encode(&mut buf, max);
    }
    buf
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
