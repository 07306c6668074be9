//! One frame: a big-endian u32 length, then that many bytes.

use bytes::Buf;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufWriter};

/// The largest frame either side accepts (64 MiB, as Graft's protocol).
pub const MAX_FRAME: usize = 64 << 20;

/// The capacity of each side's `BufReader` and `BufWriter`.
pub const BUFFER: usize = 256 << 10;

/// Reads one frame into `buf` (resized to the frame's length).
/// Answers `Ok(false)` on a clean end of stream before a frame starts.
pub async fn read_frame<R: AsyncRead + Unpin>(
    reader: &mut R,
    buf: &mut Vec<u8>,
) -> std::io::Result<bool> {
    let mut len = [0u8; 4];
    match reader.read_exact(&mut len).await {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(false),
        Err(e) => return Err(e),
    }
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_FRAME {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("a frame of {len} bytes is over the limit of {MAX_FRAME}"),
        ));
    }
    buf.resize(len, 0);
    reader.read_exact(buf).await?;
    Ok(true)
}

/// Writes one frame (length and body) to a writer of [`BUFFER`] bytes. A
/// frame that fits in `writer`'s
/// buffer waits there for the next flush; a larger one goes out at once, its
/// length and body in one vectored write (no copy, no 4-byte segment of
/// its own).
pub async fn write_frame<W: AsyncWrite + Unpin>(
    writer: &mut BufWriter<W>,
    body: &[u8],
) -> std::io::Result<()> {
    let len = u32::try_from(body.len()).map_err(|_| std::io::Error::other("frame too large"))?;
    let header = len.to_be_bytes();
    if writer.buffer().len() + header.len() + body.len() <= BUFFER {
        writer.write_all(&header).await?;
        return writer.write_all(body).await;
    }
    writer.flush().await?;
    writer
        .get_mut()
        .write_all_buf(&mut Buf::chain(&header[..], body))
        .await
}
