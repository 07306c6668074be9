//! [`Connection`]: a test client's side of a connection, which reads frames
//! with the crate's [`FrameReader`] and writes them whole.

use bytes::BytesMut;
use graft_wire::{Frame, FrameReader, VERSION, WireError};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

/// A framed connection over one stream: reads and writes [`Frame`]s.
#[derive(Debug)]
pub struct Connection<S> {
    reader: FrameReader<S>,
    /// Reused for every outgoing frame, so a frame goes out in one write.
    write_buf: BytesMut,
    /// The largest frame the peer accepts (from its hello).
    peer_max_frame_size: u32,
    /// The protocol version frames are written in.
    version: u16,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Connection<S> {
    /// Wraps `stream` after the handshake; both directions use `max_frame_size`
    /// until [`Connection::set_peer_max_frame_size`] says otherwise.
    pub fn new(stream: S, max_frame_size: u32) -> Self {
        Connection {
            reader: FrameReader::new(stream, max_frame_size),
            write_buf: BytesMut::with_capacity(8 * 1024),
            peer_max_frame_size: max_frame_size,
            version: VERSION,
        }
    }

    /// Reads and writes frames in protocol `version` (an older client's).
    pub fn speaking(self, version: u16) -> Self {
        Connection {
            reader: self.reader.speaking(version),
            version,
            ..self
        }
    }

    pub fn set_peer_max_frame_size(&mut self, max: u32) {
        self.peer_max_frame_size = max;
    }

    /// Reads the next frame; see [`FrameReader::read_frame`].
    pub async fn read_frame(&mut self) -> Result<Option<Frame>, WireError> {
        self.reader.read_frame().await
    }

    /// Writes one frame with a single write, then flushes.
    pub async fn write_frame(&mut self, frame: &Frame) -> Result<(), WireError> {
        self.write_buf.clear();
        frame.encode_version(&mut self.write_buf, self.peer_max_frame_size, self.version)?;
        self.write_buffered().await
    }

    /// Writes raw bytes, for tests that must send what no encoder would.
    pub async fn write_raw(&mut self, bytes: &[u8]) -> Result<(), WireError> {
        self.write_buf.clear();
        self.write_buf.extend_from_slice(bytes);
        self.write_buffered().await
    }

    async fn write_buffered(&mut self) -> Result<(), WireError> {
        let stream = self.reader.get_mut();
        stream.write_all(&self.write_buf).await?;
        stream.flush().await?;
        Ok(())
    }

    pub fn get_mut(&mut self) -> &mut S {
        self.reader.get_mut()
    }
}
