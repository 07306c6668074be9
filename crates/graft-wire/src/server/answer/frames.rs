//! The frames of one call's answer, encoded in the client's version and
//! within its frame limit, each charged to the budget until written.

use tokio::sync::mpsc;

use super::running::Credit;
use super::{CallFailure, Frame};
use crate::budget::{Budget, Permit};
use crate::error::WireError;
use crate::frame::LENGTH_BYTES;
use crate::sink::{Encoded, Sink};
use graft_model::Value;

/// The frames of one call's answer. ReplyParts and the Reply share the
/// client's frame limit, so a reply in parts is never bigger than one the
/// client would take whole; each Items frame has the limit to itself. A
/// frame over its limit goes as an Error saying so, so the caller hears back
/// either way.
pub(in crate::server) struct Frames {
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
    pub(in crate::server) fn send_items(&mut self, value: Value, credit: &Credit) -> bool {
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
