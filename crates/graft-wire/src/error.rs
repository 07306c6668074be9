//! [`WireError`]: everything that can be wrong with bytes on the wire.

/// Why bytes could not be read as a hello, frame or value, or why a
/// connection failed.
///
/// Every variant except [`WireError::Incomplete`] and [`WireError::Io`] means
/// the peer sent something this protocol forbids; the connection that carried
/// it is closed.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// Not enough bytes buffered yet for a whole frame; read more and retry.
    #[error("incomplete frame: more bytes are needed")]
    Incomplete,
    #[error("truncated {what}: needs {needed} bytes but only {remaining} remain")]
    Truncated {
        what: &'static str,
        needed: usize,
        remaining: usize,
    },
    #[error("unknown value tag 0x{0:02x}")]
    UnknownTag(u8),
    #[error("{what} is not valid UTF-8: {bytes}")]
    InvalidUtf8 { what: &'static str, bytes: String },
    #[error("{what} count {count} cannot fit in the {remaining} bytes left")]
    CountTooLarge {
        what: &'static str,
        count: u32,
        remaining: usize,
    },
    #[error("a table must have at least one field")]
    EmptyTable,
    #[error("unknown table column kind 0x{0:02x}")]
    UnknownColumn(u8),
    #[error("bool column item 0x{0:02x} is neither 0x00 nor 0x01")]
    BadBool(u8),
    #[error("a joined str column holds {found} strings where the table has {rows} rows")]
    JoinedStrs { rows: usize, found: usize },
    #[error("value nested deeper than {0} containers")]
    TooDeep(usize),
    #[error("frame of {len} bytes exceeds the limit of {max} bytes")]
    FrameTooLarge { len: u64, max: u32 },
    #[error("frame length {0} is shorter than the 9-byte frame header")]
    FrameTooShort(u32),
    #[error("unknown frame kind 0x{0:02x}")]
    UnknownKind(u8),
    #[error("a Goodbye frame has request id 0, not {0}")]
    GoodbyeId(u64),
    #[error("a ReplyPart, CallPart or Items frame carries a value that is not a list")]
    PartNotAList,
    #[error("unknown error status {0}")]
    UnknownStatus(u8),
    #[error("{0} unexpected bytes after the end of the frame body")]
    TrailingBytes(usize),
    #[error("bad hello magic {0:02x?}; expected \"GRFT\" (is this a Graft TCP port?)")]
    BadMagic([u8; 4]),
    #[error("unsupported protocol version {theirs}; this side speaks version {ours}")]
    UnsupportedVersion { theirs: u16, ours: u16 },
    #[error("the client's hello has status {0}; a client's hello always has status 0")]
    HelloStatus(u16),
    #[error("hello rejected by the peer with status {status} (peer speaks version {version})")]
    Rejected { status: u16, version: u16 },
    #[error("peer closed the connection in the middle of a frame ({0} bytes buffered)")]
    ClosedMidFrame(usize),
    #[error("unexpected {0} frame from the peer")]
    UnexpectedFrame(&'static str),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl WireError {
    /// Quotes up to 32 bytes of invalid text, hex-escaped, for messages.
    pub(crate) fn invalid_utf8(what: &'static str, bytes: &[u8]) -> Self {
        let shown = &bytes[..bytes.len().min(32)];
        let mut text = String::from("b\"");
        for &b in shown {
            text.push_str(&std::ascii::escape_default(b).to_string());
        }
        text.push('"');
        if bytes.len() > shown.len() {
            text.push_str("...");
        }
        WireError::InvalidUtf8 { what, bytes: text }
    }
}
