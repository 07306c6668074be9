//! The hello exchange that opens every connection.
//!
//! Each side sends one 16-byte [`Hello`]: the magic `GRFT`, the protocol
//! version, a status, the largest frame it accepts and its heartbeat
//! interval. The client speaks first; the server answers with its own hello,
//! whose status says whether it accepts the connection. A server that
//! rejects a hello answers, then closes.

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::error::WireError;

/// The first four bytes of every connection, both ways.
pub const MAGIC: [u8; 4] = *b"GRFT";
/// The protocol version this crate speaks.
pub const VERSION: u16 = 8;
/// The oldest version a server still accepts. Version 7 is version 8
/// without the status Overloaded (its clients get Unavailable instead).
/// Version 6 is version 7 without a Call's metadata. Version 5 is version 6
/// without remote objects (a Call's object id, the object reference value)
/// and the value types Decimal, UUID, timedelta and time; version 4 is version 5
/// without streaming calls ([`Frame::Items`](crate::Frame::Items),
/// [`Frame::Credit`](crate::Frame::Credit),
/// [`Frame::Cancel`](crate::Frame::Cancel)); version 3 is version 4 without
/// [`Frame::ReplyPart`](crate::Frame::ReplyPart) and
/// [`Frame::CallPart`](crate::Frame::CallPart). A server never sends a
/// client a frame its version lacks.
pub const OLDEST_VERSION: u16 = 3;
/// The size of a [`Hello`] on the wire.
pub const HELLO_BYTES: usize = 16;

/// Hello statuses: the server's verdict on the client's hello.
pub mod hello_status {
    pub const OK: u16 = 0;
    pub const UNSUPPORTED_VERSION: u16 = 1;
    pub const BAD_MAGIC: u16 = 2;
    /// The client's hello had a status other than [`OK`].
    pub const INVALID_HELLO: u16 = 3;
}

/// One side's opening message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hello {
    pub version: u16,
    /// Always [`hello_status::OK`] from a client.
    pub status: u16,
    /// The largest frame (after the length prefix) the sender accepts.
    pub max_frame_size: u32,
    /// How often the sender wants to hear from a quiet peer, in ms; it
    /// closes a connection that stays silent for three intervals.
    pub heartbeat_ms: u32,
}

impl Hello {
    /// A hello for [`VERSION`] with status OK.
    pub fn new(max_frame_size: u32, heartbeat_ms: u32) -> Hello {
        Hello {
            version: VERSION,
            status: hello_status::OK,
            max_frame_size,
            heartbeat_ms,
        }
    }

    pub fn encode(&self) -> [u8; HELLO_BYTES] {
        let mut out = [0u8; HELLO_BYTES];
        out[0..4].copy_from_slice(&MAGIC);
        out[4..6].copy_from_slice(&self.version.to_be_bytes());
        out[6..8].copy_from_slice(&self.status.to_be_bytes());
        out[8..12].copy_from_slice(&self.max_frame_size.to_be_bytes());
        out[12..16].copy_from_slice(&self.heartbeat_ms.to_be_bytes());
        out
    }

    /// Reads a hello, checking only the magic.
    pub fn decode(bytes: &[u8; HELLO_BYTES]) -> Result<Hello, WireError> {
        let [
            m0,
            m1,
            m2,
            m3,
            v0,
            v1,
            s0,
            s1,
            f0,
            f1,
            f2,
            f3,
            h0,
            h1,
            h2,
            h3,
        ] = *bytes;
        if [m0, m1, m2, m3] != MAGIC {
            return Err(WireError::BadMagic([m0, m1, m2, m3]));
        }
        Ok(Hello {
            version: u16::from_be_bytes([v0, v1]),
            status: u16::from_be_bytes([s0, s1]),
            max_frame_size: u32::from_be_bytes([f0, f1, f2, f3]),
            heartbeat_ms: u32::from_be_bytes([h0, h1, h2, h3]),
        })
    }
}

/// The server side: reads the client's hello, answers with `ours` in the
/// client's version (or a rejection, in ours), and returns the client's
/// hello if it was accepted: any version from [`OLDEST_VERSION`] to
/// [`VERSION`], with status [`hello_status::OK`].
pub async fn accept<S>(stream: &mut S, ours: Hello) -> Result<Hello, WireError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut bytes = [0u8; HELLO_BYTES];
    stream.read_exact(&mut bytes).await?;
    let verdict = judge(&bytes);
    let status = verdict
        .as_ref()
        .err()
        .map_or(hello_status::OK, |(status, _)| *status);
    let version = verdict
        .as_ref()
        .map_or(ours.version, |theirs| theirs.version);
    stream
        .write_all(
            &Hello {
                status,
                version,
                ..ours
            }
            .encode(),
        )
        .await?;
    stream.flush().await?;
    verdict.map_err(|(_, err)| err)
}

/// A server's verdict on a client's hello: the hello, or the status to
/// refuse it with and why.
fn judge(bytes: &[u8; HELLO_BYTES]) -> Result<Hello, (u16, WireError)> {
    let theirs = Hello::decode(bytes).map_err(|err| (hello_status::BAD_MAGIC, err))?;
    if !(OLDEST_VERSION..=VERSION).contains(&theirs.version) {
        let err = WireError::UnsupportedVersion {
            theirs: theirs.version,
            ours: VERSION,
        };
        return Err((hello_status::UNSUPPORTED_VERSION, err));
    }
    if theirs.status != hello_status::OK {
        let err = WireError::HelloStatus(theirs.status);
        return Err((hello_status::INVALID_HELLO, err));
    }
    Ok(theirs)
}

/// The client side: sends `ours`, reads the server's answer and returns it
/// if the server accepted.
pub async fn connect<S>(stream: &mut S, ours: Hello) -> Result<Hello, WireError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    stream.write_all(&ours.encode()).await?;
    stream.flush().await?;
    let mut bytes = [0u8; HELLO_BYTES];
    stream.read_exact(&mut bytes).await?;
    let theirs = Hello::decode(&bytes)?;
    if theirs.status != hello_status::OK {
        return Err(WireError::Rejected {
            status: theirs.status,
            version: theirs.version,
        });
    }
    if theirs.version != VERSION {
        return Err(WireError::UnsupportedVersion {
            theirs: theirs.version,
            ours: VERSION,
        });
    }
    Ok(theirs)
}
