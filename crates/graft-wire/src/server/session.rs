//! One client connection on the server: handshake, read loop, call tasks and
//! the writer task.
//!
//! The read loop, which acts on each frame the client sends, is in
//! `read.rs`; starting, refusing and steering calls in `calls.rs`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::AtomicBool;

use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::answer::{Frames, Running};
use super::traffic::Counted;
use super::upgrade::Halves;
use super::writer;
use super::{ServerConfig, Shared};
use crate::budget::Permit;
use crate::connection::FrameReader;
use crate::error::WireError;
use crate::frame::Frame;
use crate::handshake::{self, Hello};
use crate::sink::Encoded;
use crate::status::ProtocolCode;

mod calls;
mod read;

/// The smallest frame limit a peer may announce; smaller ones are raised to
/// it so an Error frame always fits.
const MIN_FRAME_SIZE: u32 = 4096;

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
    /// The client's token is unknown: its refusal goes out, then it closes.
    Refused,
}

/// The addresses of a connection's ends: the client's.
pub(super) struct Ends {
    pub peer: SocketAddr,
}

/// The parts of a connection that call tasks share.
struct Session {
    peer: SocketAddr,
    shared: Arc<Shared>,
    /// Encoded frames for the writer task, each with the bytes it holds of
    /// the server's budget until it is written.
    out: mpsc::UnboundedSender<(Encoded, Permit)>,
    /// Cancelled when the connection is dropped for a fault: calls stop.
    abort: CancellationToken,
    /// Cancelled when the client closed or the server shuts down: plain
    /// calls finish, streams (which need the client's credit) end.
    closing: CancellationToken,
    /// Bounds the calls running at once on this connection.
    permits: Arc<Semaphore>,
    /// The largest frame the client accepts.
    peer_max: u32,
    /// The client's protocol version.
    version: u16,
    /// This connection's number in the server's life, for [`Request::connection`].
    ///
    /// [`Request::connection`]: super::Request::connection
    connection: u64,
    /// The calls running, by id.
    running: Running,
    /// Set once calls may run: the name of the caller the dispatch admitted
    /// (anyone, or the first known token of an Auth frame).
    caller: OnceLock<&'static str>,
    /// An Auth frame brought an unknown token: the next refusal closes.
    refused: AtomicBool,
}

pub(super) async fn run<S: Halves>(
    mut stream: S,
    ends: Ends,
    shared: Arc<Shared>,
    stop: CancellationToken,
    tracker: TaskTracker,
) {
    let peer = ends.peer;
    let Some(theirs) = hello(&mut stream, &shared.config, peer).await else {
        return;
    };
    let config = &shared.config;
    let (read_half, write_half) = stream.halves();
    let (out, queue) = mpsc::unbounded_channel();
    let stuck = CancellationToken::new();
    let patience = config.idle_timeout();
    let writing = writer::write_loop(write_half, queue, stuck.clone(), patience);
    let mut writer = tokio::spawn(writing);
    let grace = config.heartbeat_interval;
    let session = Session::new(peer, &shared, &theirs, out);
    let reader = FrameReader::new(Counted(read_half), shared.config.max_frame_size)
        .speaking(theirs.version)
        .with_budget(shared.budget.clone());
    let end = session.read_loop(reader, &stop, &stuck, &tracker).await;
    // The writer ends once the session and every call task dropped their
    // senders. Finishing calls are bounded by serve's drain timeout; after a
    // fault the last frame gets one heartbeat interval to leave.
    if session.finish(end) {
        let _ = writer.await;
    } else if tokio::time::timeout(grace, &mut writer).await.is_err() {
        writer.abort();
    }
}

/// Sends our hello and reads the client's, within the handshake timeout;
/// `None` when none came.
async fn hello<S: Halves>(
    stream: &mut S,
    config: &ServerConfig,
    peer: SocketAddr,
) -> Option<Hello> {
    let heartbeat_ms = config.heartbeat_interval.as_millis().min(u32::MAX.into()) as u32;
    let ours = Hello::new(config.max_frame_size, heartbeat_ms);
    match tokio::time::timeout(config.handshake_timeout, handshake::accept(stream, ours)).await {
        Ok(Ok(hello)) => Some(hello),
        Ok(Err(err)) => {
            tracing::debug!(%peer, "graft-wire: handshake failed: {err}");
            None
        }
        Err(_) => {
            tracing::debug!(%peer, "graft-wire: no hello in time");
            None
        }
    }
}

/// Connections accepted so far in this process: the next one's number.
static CONNECTIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// What the read loop does after a frame.
enum Next {
    Read,
    End(End),
}

impl Session {
    /// The session of a connection from `peer` that sent the hello `theirs`;
    /// `out` feeds its writer task.
    fn new(
        peer: SocketAddr,
        shared: &Arc<Shared>,
        theirs: &Hello,
        out: mpsc::UnboundedSender<(Encoded, Permit)>,
    ) -> Session {
        let config = &shared.config;
        Session {
            peer,
            permits: Arc::new(Semaphore::new(config.max_concurrent_calls.max(1))),
            peer_max: theirs.max_frame_size.max(MIN_FRAME_SIZE),
            version: theirs.version,
            connection: CONNECTIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            running: Running::default(),
            caller: shared
                .dispatch
                .admits(None)
                .map_or(OnceLock::new(), OnceLock::from),
            refused: AtomicBool::new(false),
            abort: CancellationToken::new(),
            closing: CancellationToken::new(),
            out,
            shared: shared.clone(),
        }
    }

    fn send(&self, frame: &Frame) {
        self.frames(frame.id()).send(frame);
    }

    /// Where the frames that answer call `id` go, within the client's limit.
    fn frames(&self, id: u64) -> Frames {
        Frames {
            id,
            out: self.out.clone(),
            budget: self.shared.budget.clone(),
            max: self.peer_max,
            left: self.peer_max,
            version: self.version,
        }
    }

    /// Sends the last word and says whether in-flight calls may finish
    /// (`true`) or were dropped (`false`).
    fn finish(self, end: End) -> bool {
        self.closing.cancel();
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
            End::Refused => {
                tracing::debug!(peer = %self.peer, "graft-wire: an unknown token; closing");
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
