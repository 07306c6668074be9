//! One client connection on the server: handshake, read loop, call tasks and
//! the writer task.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::io::AsyncRead;
use tokio::sync::{Semaphore, mpsc};
use tokio::time::{Instant, sleep};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::answer::{self, Answering, Called, Frames, Running};
use super::arriving::{Arriving, PartOf};
use super::traffic::Counted;
use super::upgrade::Halves;
use super::writer;
use super::{Arguments, CallFailure, Request, Shared};
use crate::budget::Permit;
use crate::connection::FrameReader;
use crate::error::WireError;
use crate::frame::{Call, Frame};
use crate::handshake::{self, Hello};
use crate::sink::Encoded;
use crate::status::ProtocolCode;

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
    let (config, peer) = (&shared.config, ends.peer);
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
    let (read_half, write_half) = stream.halves();
    let (out, queue) = mpsc::unbounded_channel();
    let stuck = CancellationToken::new();
    let patience = config.idle_timeout();
    let writing = writer::write_loop(write_half, queue, stuck.clone(), patience);
    let mut writer = tokio::spawn(writing);
    let grace = config.heartbeat_interval;
    let session = Session {
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
    };
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

/// Connections accepted so far in this process: the next one's number.
static CONNECTIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// What the read loop does after a frame.
enum Next {
    Read,
    End(End),
}

impl Session {
    async fn read_loop<R: AsyncRead + Unpin>(
        &self,
        mut reader: FrameReader<R>,
        stop: &CancellationToken,
        stuck: &CancellationToken,
        tracker: &TaskTracker,
    ) -> End {
        let beat = self.shared.config.heartbeat_interval;
        let timer = sleep(beat);
        tokio::pin!(timer);
        let mut last = Instant::now();
        // Calls whose argument is still coming in parts, by id.
        let mut arriving: HashMap<u64, Arriving> = HashMap::new();
        loop {
            let read = tokio::select! {
                read = reader.read_held() => read,
                () = &mut timer => match self.quiet(&reader, last) {
                    Ok(wake) => {
                        timer.as_mut().reset(wake);
                        continue;
                    }
                    Err(end) => return end,
                },
                () = stop.cancelled() => return End::Shutdown,
                () = stuck.cancelled() => {
                    tracing::debug!(peer = %self.peer, "graft-wire: the client reads nothing; closing");
                    return End::Broken;
                }
            };
            last = Instant::now();
            timer.as_mut().reset(last + beat);
            let (frame, held) = match self.frame_of(read) {
                Ok(read) => read,
                Err(end) => return end,
            };
            let next = self.on_frame(frame, held, &mut arriving, tracker).await;
            if let Next::End(end) = next {
                return end;
            }
        }
    }

    /// The frame a read brought, with its budget; or, if none, why the
    /// connection ends.
    fn frame_of(
        &self,
        read: Result<Option<(Frame, Permit)>, WireError>,
    ) -> Result<(Frame, Permit), End> {
        match read {
            Ok(Some(read)) => Ok(read),
            Ok(None) => Err(End::Closed),
            Err(WireError::Io(err)) => {
                tracing::debug!(peer = %self.peer, "graft-wire: read failed: {err}");
                Err(End::Broken)
            }
            Err(err) => Err(fault(0, &err)),
        }
    }

    /// The connection's timer rang at `last` frame plus a heartbeat or
    /// more: when next to look again, or why the connection ends. A reader
    /// that waits for room in the budget is not idle; it pings the client,
    /// which would otherwise hear nothing and give the server up.
    fn quiet<R: AsyncRead + Unpin>(
        &self,
        reader: &FrameReader<R>,
        last: Instant,
    ) -> Result<Instant, End> {
        let config = &self.shared.config;
        let now = Instant::now();
        if reader.waits_for_budget() {
            self.send(&Frame::Ping { id: 0 });
            return Ok(now + config.heartbeat_interval);
        }
        let idle = config.idle_timeout();
        if now >= last + idle {
            return Err(End::Fault {
                id: 0,
                code: ProtocolCode::IdleTimeout,
                message: format!("no frame for {idle:?} (three heartbeat intervals); closing"),
            });
        }
        Ok((now + config.heartbeat_interval).min(last + idle))
    }

    /// Acts on one frame; `held` is what its bytes hold of the budget, kept
    /// until its call is done with them.
    async fn on_frame(
        &self,
        frame: Frame,
        held: Permit,
        arriving: &mut HashMap<u64, Arriving>,
        tracker: &TaskTracker,
    ) -> Next {
        let streams = self.version >= 5;
        match frame {
            Frame::Call { id, call } => match arriving.remove(&id) {
                Some(waiting) => waiting.finish(call, held),
                None => return self.start_call(id, call, held, tracker).await,
            },
            Frame::CallPart { id, .. } if self.version < 4 => {
                return Next::End(fault(
                    id,
                    &WireError::UnexpectedFrame("CallPart (a version-4 frame)"),
                ));
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
                // A part's bytes go back once it is passed on: the call may
                // need more parts than the budget holds, and only the
                // reader can bring them.
                drop(held);
                return self.on_part(id, of, value, arriving, tracker).await;
            }
            Frame::Credit { id, bytes } if streams => {
                if let Some(control) = self.control(id) {
                    control.credit.add(bytes);
                }
            }
            Frame::Cancel { id } if streams => {
                if let Some(control) = self.control(id) {
                    control.cancel.cancel();
                }
            }
            Frame::Auth { token } => match self.shared.dispatch.admits(Some(&token)) {
                Some(caller) => {
                    let _ = self.caller.set(caller);
                }
                None => self.refused.store(true, Ordering::Relaxed),
            },
            Frame::Ping { id } => self.send(&Frame::Pong { id }),
            Frame::Pong { .. } => {}
            Frame::Goodbye { .. } => return Next::End(End::Closed),
            Frame::ProtocolError { code, message, .. } => {
                tracing::debug!(peer = %self.peer, "graft-wire: client reported {code:?}: {message}");
                return Next::End(End::Broken);
            }
            other => {
                return Next::End(fault(other.id(), &WireError::UnexpectedFrame(other.name())));
            }
        }
        Next::Read
    }

    /// A part of call `id`'s argument: passed on, or starting the call.
    async fn on_part(
        &self,
        id: u64,
        of: PartOf,
        value: graft_model::Value,
        arriving: &mut HashMap<u64, Arriving>,
        tracker: &TaskTracker,
    ) -> Next {
        let max = self.shared.config.max_frame_size;
        if let Some(waiting) = arriving.get_mut(&id) {
            waiting.take(&of, value, max);
            return Next::Read;
        }
        let (mut waiting, args) = Arriving::start(of.clone());
        waiting.take(&of, value, max);
        arriving.insert(id, waiting);
        let request = self.request(of.service, of.method, args, None);
        self.dispatch(id, request, Permit::none(), tracker).await
    }

    async fn start_call(&self, id: u64, call: Call, held: Permit, tracker: &TaskTracker) -> Next {
        let Call {
            service,
            method,
            object,
            args,
            timeout,
            metadata,
        } = call;
        let mut request = self.request(service, method, Arguments::Whole(args), timeout);
        request.object = object;
        request.metadata = metadata;
        self.dispatch(id, request, held, tracker).await
    }

    fn request(
        &self,
        service: String,
        method: String,
        args: Arguments,
        timeout: Option<std::time::Duration>,
    ) -> Request {
        Request {
            service,
            method,
            args,
            timeout,
            version: self.version,
            object: String::new(),
            metadata: Vec::new(),
            connection: self.connection,
            peer: self.peer,
            caller: "",
        }
    }

    /// Hands `request` to the dispatch and answers it in a task of its own,
    /// if a place among the connection's running calls is free (else it is
    /// refused as Overloaded); the task keeps `held`, the budget its frame took.
    async fn dispatch(
        &self,
        id: u64,
        mut request: Request,
        held: Permit,
        tracker: &TaskTracker,
    ) -> Next {
        let refused = self.refused.load(Ordering::Relaxed);
        match self.caller.get() {
            Some(&caller) if !refused => request.caller = caller,
            _ => return self.unauthenticated(id, refused),
        }
        let Some(registered) = answer::register(&self.running, id) else {
            let why = format!("a call with id {id} is still running on this connection");
            return Next::End(End::Fault {
                id,
                code: ProtocolCode::UnexpectedFrame,
                message: why,
            });
        };
        let Ok(permit) = self.permits.clone().try_acquire_owned() else {
            drop(registered);
            return self.shed(id);
        };
        // A call on an object takes its place among that object's calls now,
        // in arrival order; any other runs on its own task.
        let call = if request.object.is_empty() {
            Called::Later(request)
        } else {
            Called::Now(self.shared.dispatch.call(request))
        };
        let answering = Answering {
            frames: self.frames(id),
            call,
            dispatch: Arc::clone(&self.shared.dispatch),
            registered,
            abort: self.abort.clone(),
            closing: self.closing.clone(),
            permit,
            held,
        };
        tracker.spawn(answering.run());
        Next::Read
    }

    /// Refuses call `id` for want of a known token; after an unknown one,
    /// the connection then closes. The refusal names nothing of the server
    /// (not even its address, which the client knows: it connected to it),
    /// only what the client can do.
    fn unauthenticated(&self, id: u64, refused: bool) -> Next {
        let why = match refused {
            true => "the token sent is not known, and the connection closes",
            false => "a known token is needed and none was sent",
        };
        let why = format!("{why} (the graft's `token=` setting, or GRAFT_TOKEN)");
        self.send(&CallFailure::Unauthenticated(why).into_frame(id));
        self.shared.dispatch.unauthenticated();
        match refused {
            true => Next::End(End::Refused),
            false => Next::Read,
        }
    }

    /// The running call `id`'s credit and cancel, if it runs.
    fn control(&self, id: u64) -> Option<answer::Control> {
        let running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        running.get(&id).cloned()
    }

    /// Refuses call `id` at once: the connection runs as many calls as it may.
    fn shed(&self, id: u64) -> Next {
        let most = self.shared.config.max_concurrent_calls;
        let why = format!("{most} calls run on this connection already; call again later");
        self.send(&CallFailure::Overloaded(why).into_frame(id));
        self.shared.dispatch.shed();
        Next::Read
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
