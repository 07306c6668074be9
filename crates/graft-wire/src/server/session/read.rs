//! The read loop: each frame the client sends, acted on as it comes.

use std::collections::HashMap;
use std::pin::pin;
use std::sync::atomic::Ordering;

use tokio::io::AsyncRead;
use tokio::time::{Instant, sleep};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::{End, Next, Session, fault};
use crate::budget::Permit;
use crate::connection::FrameReader;
use crate::error::WireError;
use crate::frame::Frame;
use crate::server::arriving::{Arriving, PartOf};
use crate::status::ProtocolCode;

impl Session {
    pub(super) async fn read_loop<R: AsyncRead + Unpin>(
        &self,
        mut reader: FrameReader<R>,
        stop: &CancellationToken,
        stuck: &CancellationToken,
        tracker: &TaskTracker,
    ) -> End {
        let beat = self.shared.config.heartbeat_interval;
        let mut timer = pin!(sleep(beat));
        let mut last = Instant::now();
        // Calls whose argument is still coming in parts, by id.
        let mut arriving: HashMap<u64, Arriving> = HashMap::new();
        loop {
            let (frame, held) = tokio::select! {
                read = reader.read_held() => match self.frame_of(read) {
                    Ok(read) => read,
                    Err(end) => return end,
                },
                () = &mut timer => match self.quiet(&reader, last) {
                    Ok(wake) => {
                        timer.as_mut().reset(wake);
                        continue;
                    }
                    Err(end) => return end,
                },
                () = stop.cancelled() => return End::Shutdown,
                () = stuck.cancelled() => return self.stalled(),
            };
            last = Instant::now();
            timer.as_mut().reset(last + beat);
            if let Next::End(end) = self.on_frame(frame, held, &mut arriving, tracker).await {
                return end;
            }
        }
    }

    /// Why the connection ends when the writer found the client reads
    /// nothing: frames would only pile up for a client that takes none.
    fn stalled(&self) -> End {
        tracing::debug!(peer = %self.peer, "graft-wire: the client reads nothing; closing");
        End::Broken
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
        match frame {
            Frame::Call { id, call } => match arriving.remove(&id) {
                Some(waiting) => self.end_parts(waiting, call, held),
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
            other => return self.on_control(other),
        }
        Next::Read
    }

    /// Acts on a frame that is no part of a call's arguments: credit,
    /// cancel, auth, heartbeats, and the client's last word.
    fn on_control(&self, frame: Frame) -> Next {
        let streams = self.version >= 5;
        match frame {
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
}
