//! Reading frames from a byte stream.
//!
//! [`FrameReader`] owns the read half of a stream and its read buffer. It is
//! generic over tokio's `AsyncRead`, so tests may use in-memory pipes.

use bytes::{Buf, BufMut, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::budget::{Budget, Permit};
use crate::error::WireError;
use crate::frame::{Frame, LENGTH_BYTES};
use crate::handshake::VERSION;
use crate::sink::SHARE_FROM;

/// How much free room the read buffer keeps before each read.
const READ_CHUNK: usize = 8 * 1024;
/// How much room a frame's length prefix alone may make the reader reserve
/// (address space only: pages are touched as bytes arrive). A longer frame
/// gets room in steps, never more than has arrived so far.
const RESERVE_AHEAD: usize = 4 * 1024 * 1024;

/// Reads frames from a byte stream.
#[derive(Debug)]
pub struct FrameReader<R> {
    inner: R,
    /// Bytes read but not yet parsed; see [`FrameReader::growth`] for how
    /// it grows.
    buffer: BytesMut,
    /// Frames longer than this are refused as soon as their prefix arrives.
    max_frame_size: u32,
    /// Where a frame's bytes are taken from before its body is read, if
    /// anywhere: see [`FrameReader::read_held`].
    budget: Option<Budget>,
    /// The budget taken for the frame whose prefix is in the buffer, kept
    /// here so that a dropped read loses none of it.
    held: Option<Permit>,
    /// The protocol version the frames are in (see [`FrameReader::speaking`]).
    version: u16,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    pub fn new(inner: R, max_frame_size: u32) -> Self {
        FrameReader {
            inner,
            buffer: BytesMut::with_capacity(READ_CHUNK),
            max_frame_size,
            budget: None,
            held: None,
            version: VERSION,
        }
    }

    /// Reads frames in protocol `version` (the peer's, from its hello)
    /// rather than this crate's [`VERSION`].
    pub fn speaking(mut self, version: u16) -> Self {
        self.version = version;
        self
    }

    /// Takes each frame's bytes from `budget` once its length prefix has
    /// arrived, before reading its body: while the budget has no room, the
    /// reader waits instead of reading.
    pub fn with_budget(mut self, budget: Budget) -> Self {
        self.budget = Some(budget);
        self
    }

    /// Reads the next frame. `Ok(None)` means the peer closed the stream
    /// cleanly between frames.
    ///
    /// Cancel-safe: if the future is dropped, no buffered byte is lost.
    pub async fn read_frame(&mut self) -> Result<Option<Frame>, WireError> {
        Ok(self.read_held().await?.map(|(frame, _)| frame))
    }

    /// Reads the next frame, with the bytes it holds of the reader's budget
    /// (none without one): the caller keeps the permit until it is done
    /// with the frame's values. As cancel-safe as [`FrameReader::read_frame`].
    pub async fn read_held(&mut self) -> Result<Option<(Frame, Permit)>, WireError> {
        loop {
            self.take_budget().await?;
            if let Some(frame) = self.parse_frame()? {
                let permit = self.held.take().unwrap_or_else(Permit::none);
                return Ok(Some((frame, permit)));
            }
            let grow = self.growth();
            if self.buffer.capacity() - self.buffer.len() < grow / 2 {
                self.buffer.reserve(grow);
            }
            let room = self.read_limit();
            if self
                .inner
                .read_buf(&mut (&mut self.buffer).limit(room))
                .await?
                == 0
            {
                return match self.buffer.len() {
                    0 => Ok(None),
                    n => Err(WireError::ClosedMidFrame(n)),
                };
            }
        }
    }

    /// Takes the next frame's bytes from the budget, once its length is
    /// known and allowed and its kind has arrived, unless they are held
    /// already. A small control frame (see [`is_control`]) takes nothing:
    /// it starts no work, and a Credit or Cancel that had to wait for room
    /// could hold up the very streams that would make room.
    async fn take_budget(&mut self) -> Result<(), WireError> {
        let (Some(budget), None) = (&self.budget, &self.held) else {
            return Ok(());
        };
        let (Some(&prefix), Some(&kind)) = (
            self.buffer.first_chunk::<LENGTH_BYTES>(),
            self.buffer.get(LENGTH_BYTES),
        ) else {
            return Ok(());
        };
        match Frame::check(&self.buffer, self.max_frame_size) {
            Ok(_) | Err(WireError::Incomplete) => {}
            Err(err) => return Err(err),
        }
        let total = LENGTH_BYTES + u32::from_be_bytes(prefix) as usize;
        self.held = Some(if is_control(kind, total) {
            Permit::none()
        } else {
            budget.acquire(total).await
        });
        Ok(())
    }

    /// Whether the reader stopped, as it last left off, before a frame
    /// whose bytes its budget has no room for yet (rather than waiting for
    /// the peer): a connection in that state is not idle.
    pub fn waits_for_budget(&self) -> bool {
        self.budget.is_some() && self.held.is_none() && self.buffer.len() > LENGTH_BYTES
    }

    /// How many bytes the next read may take: with a budget, the rest of the
    /// frame it holds room for and at most a chunk beyond, so bytes of a
    /// frame that has no room yet are not read ahead of it.
    fn read_limit(&self) -> usize {
        match (&self.budget, &self.held) {
            (None, _) => usize::MAX,
            (Some(_), None) => READ_CHUNK,
            (Some(_), Some(_)) => {
                let total = self
                    .buffer
                    .first_chunk::<LENGTH_BYTES>()
                    .map_or(0, |prefix| {
                        LENGTH_BYTES + u32::from_be_bytes(*prefix) as usize
                    });
                total.saturating_sub(self.buffer.len()).max(READ_CHUNK)
            }
        }
    }

    /// How much room to make for the next read: the rest of a frame whose
    /// length is known, in one step up to [`RESERVE_AHEAD`] (so a frame of a
    /// few megabytes is never copied as its buffer grows), beyond that never
    /// more than has arrived so far (so a length prefix alone cannot make the
    /// reader allocate much), and at least a chunk. With a budget, a frame
    /// whose bytes it holds gets all its room at once (the budget bounds
    /// it, and a buffer grown in steps leaves each smaller copy behind), and
    /// one it does not hold yet nothing beyond a chunk.
    fn growth(&self) -> usize {
        let Some(prefix) = self.buffer.first_chunk::<4>() else {
            return READ_CHUNK;
        };
        let total = 4 + u32::from_be_bytes(*prefix) as usize;
        let missing = total.saturating_sub(self.buffer.len());
        match (&self.budget, &self.held) {
            (Some(_), None) => READ_CHUNK,
            (Some(_), Some(_)) => missing.max(READ_CHUNK),
            (None, _) => missing
                .min(self.buffer.len().max(RESERVE_AHEAD))
                .max(READ_CHUNK),
        }
    }

    /// Parses one frame from the buffer if a whole one is there.
    /// A frame of [`SHARE_FROM`] bytes or more is split off the buffer, so
    /// its long byte strings are decoded as slices of it, not copies.
    fn parse_frame(&mut self) -> Result<Option<Frame>, WireError> {
        match Frame::check(&self.buffer, self.max_frame_size) {
            Ok(total) if total >= SHARE_FROM => {
                let frame = self.buffer.split_to(total).freeze();
                // What was read beyond it moves to a buffer of its own: left
                // where it is, it would keep the frame's whole allocation
                // alive after the frame is dropped.
                let mut rest = BytesMut::with_capacity(READ_CHUNK.max(self.buffer.len()));
                rest.extend_from_slice(&self.buffer);
                self.buffer = rest;
                Frame::parse_shared_version(&frame.slice(LENGTH_BYTES..), self.version).map(Some)
            }
            Ok(total) => {
                let frame = Frame::parse_version(&self.buffer[LENGTH_BYTES..total], self.version);
                self.buffer.advance(total);
                frame.map(Some)
            }
            Err(WireError::Incomplete) => Ok(None),
            Err(err) => Err(err),
        }
    }

    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    pub fn into_inner(self) -> R {
        self.inner
    }
}

/// The largest control frame that never waits for the budget: a Goodbye or
/// ProtocolError with a long message is still far below it.
const CONTROL_BYTES: usize = 4096;

/// Whether a frame of `kind` and `total` bytes is a control frame small
/// enough to pass without the budget: Ping, Pong, Credit, Cancel, Goodbye,
/// ProtocolError.
fn is_control(kind: u8, total: usize) -> bool {
    use crate::frame::kind::*;
    total <= CONTROL_BYTES
        && matches!(
            kind,
            PING | PONG | GOODBYE | PROTOCOL_ERROR | CREDIT | CANCEL
        )
}
