//! Wire-level codes: [`Status`] of a failed call, [`ProtocolCode`] of a
//! closed connection.

use crate::error::WireError;

/// The first version with [`Status::Overloaded`].
const OVERLOADED_VERSION: u16 = 8;

/// How a call failed, carried by every [`crate::Frame::Error`].
///
/// With [`Status::Raised`] the method itself raised; the other statuses come
/// from the server, with a built-in exception type in the
/// [`graft_model::Raised`] that a client can re-raise as is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Status {
    /// The hosted method raised the exception in the frame.
    Raised = 0,
    /// No such service or method (`AttributeError`).
    NotFound = 1,
    /// The arguments do not fit the method (`TypeError`).
    BadArguments = 2,
    /// The server failed for a reason of its own (`RuntimeError`).
    Internal = 3,
    /// The call's timeout passed before it finished (`TimeoutError`).
    DeadlineExceeded = 4,
    /// The server is shutting down and takes no new calls (`ConnectionError`).
    Unavailable = 5,
    /// The client cancelled the streaming call (version 5; `CancelledError`).
    Cancelled = 6,
    /// The server requires a known token (an Auth frame) and has none from
    /// this connection (version 7; the Python runtime's `Unauthenticated`).
    Unauthenticated = 7,
    /// The server runs as many calls as it may and refused this one at once,
    /// before it ran (version 8; the Python runtime's `Overloaded`). A
    /// client of an older version gets [`Status::Unavailable`] instead.
    Overloaded = 8,
}

impl Status {
    pub fn from_u8(code: u8) -> Result<Status, WireError> {
        Ok(match code {
            0 => Status::Raised,
            1 => Status::NotFound,
            2 => Status::BadArguments,
            3 => Status::Internal,
            4 => Status::DeadlineExceeded,
            5 => Status::Unavailable,
            6 => Status::Cancelled,
            7 => Status::Unauthenticated,
            8 => Status::Overloaded,
            other => return Err(WireError::UnknownStatus(other)),
        })
    }

    /// The built-in exception a server reports with this status.
    pub fn builtin_exception(self) -> &'static str {
        match self {
            Status::Raised | Status::Internal => "RuntimeError",
            Status::NotFound => "AttributeError",
            Status::BadArguments => "TypeError",
            Status::DeadlineExceeded => "TimeoutError",
            Status::Unavailable => "ConnectionError",
            Status::Cancelled => "CancelledError",
            Status::Unauthenticated => "PermissionError",
            Status::Overloaded => "ConnectionRefusedError",
        }
    }

    /// This status as a client of protocol `version` knows it: before
    /// version 8, [`Status::Overloaded`] is [`Status::Unavailable`].
    pub fn for_version(self, version: u16) -> Status {
        match self {
            Status::Overloaded if version < OVERLOADED_VERSION => Status::Unavailable,
            status => status,
        }
    }
}

/// Why a [`crate::Frame::ProtocolError`] closes a connection. Unknown codes
/// are kept, so a newer peer's code still reaches the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProtocolCode {
    /// A frame or value could not be decoded.
    Malformed,
    /// A frame's length exceeded the receiver's limit.
    FrameTooLarge,
    /// A frame of a kind this side never accepts (a client sending Reply).
    UnexpectedFrame,
    /// Nothing arrived for three heartbeat intervals.
    IdleTimeout,
    Other(u16),
}

impl ProtocolCode {
    pub fn from_u16(code: u16) -> ProtocolCode {
        match code {
            1 => ProtocolCode::Malformed,
            2 => ProtocolCode::FrameTooLarge,
            3 => ProtocolCode::UnexpectedFrame,
            4 => ProtocolCode::IdleTimeout,
            other => ProtocolCode::Other(other),
        }
    }

    pub fn to_u16(self) -> u16 {
        match self {
            ProtocolCode::Malformed => 1,
            ProtocolCode::FrameTooLarge => 2,
            ProtocolCode::UnexpectedFrame => 3,
            ProtocolCode::IdleTimeout => 4,
            ProtocolCode::Other(code) => code,
        }
    }

    /// The code for an error found while reading a frame.
    pub fn for_error(err: &WireError) -> ProtocolCode {
        match err {
            WireError::FrameTooLarge { .. } => ProtocolCode::FrameTooLarge,
            WireError::UnexpectedFrame(_) => ProtocolCode::UnexpectedFrame,
            _ => ProtocolCode::Malformed,
        }
    }
}
