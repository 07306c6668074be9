//! [`Frame`]: one message on a connection, and its byte form.
//!
//! A frame is a u32 big-endian length (of everything after it), a one-byte
//! kind, a u64 big-endian request id, then a body that depends on the kind.
//! [`Frame::check`] finds whether a buffer holds a whole frame without
//! decoding it; [`Frame::parse`] decodes one; [`Frame::encode`] writes one.
//!
//! Decoding is in `parse.rs`, encoding in `encode.rs`.

use std::time::Duration;

use graft_model::{BoundArgs, Raised, Value};

use crate::error::WireError;
use crate::status::{ProtocolCode, Status};

mod encode;
mod parse;

/// Bytes of the length prefix.
pub const LENGTH_BYTES: usize = 4;
/// Bytes after the length prefix that every frame has: kind and request id.
pub const HEADER_BYTES: usize = 9;
/// The default largest frame, counted after the length prefix: 64 MiB.
pub const DEFAULT_MAX_FRAME_SIZE: u32 = 64 * 1024 * 1024;

/// The one-byte frame kinds.
pub mod kind {
    pub const CALL: u8 = 0x01;
    pub const REPLY: u8 = 0x02;
    pub const ERROR: u8 = 0x03;
    pub const PING: u8 = 0x04;
    pub const PONG: u8 = 0x05;
    pub const GOODBYE: u8 = 0x06;
    pub const PROTOCOL_ERROR: u8 = 0x07;
    pub const REPLY_PART: u8 = 0x08;
    pub const CALL_PART: u8 = 0x09;
    pub const ITEMS: u8 = 0x0A;
    pub const CREDIT: u8 = 0x0B;
    pub const CANCEL: u8 = 0x0C;
    pub const AUTH: u8 = 0x0D;
}

/// One message on a connection.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// Client to server: run a method. The id is chosen by the client and
    /// unique among its calls still waiting for an answer.
    Call {
        id: u64,
        call: Call,
    },
    /// Server to client: the method returned this value.
    Reply {
        id: u64,
        value: Value,
    },
    /// Client to server (version 4): the first items of an argument, a
    /// list, of the [`Frame::Call`] with the same id that follows, sent
    /// while the client encodes the rest: the keyword argument `argument`,
    /// or the first positional one when `argument` is empty. `value` is a
    /// list (or a table).
    CallPart {
        id: u64,
        service: String,
        method: String,
        argument: String,
        value: Value,
    },
    /// Server to client (version 4): the first items of a list the method
    /// returned, sent while the server reads the rest. `value` is a list
    /// (or a table); the call's [`Frame::Reply`] carries the last items.
    ReplyPart {
        id: u64,
        value: Value,
    },
    /// Server to client (version 5): the next items of a streaming call, in
    /// order. `value` is a list (or a table) of one or more items; the call
    /// ends with a [`Frame::Reply`] of `None` or a [`Frame::Error`].
    Items {
        id: u64,
        value: Value,
    },
    /// Client to server (version 5): add `bytes` to the window of the
    /// streaming call `id`, within which the server may send Items frames.
    Credit {
        id: u64,
        bytes: u32,
    },
    /// Client to server (version 5): the client stops consuming the
    /// streaming call `id`; the server closes it and answers with an Error of
    /// status [`Status::Cancelled`].
    Cancel {
        id: u64,
    },
    /// Server to client: the call failed; `status` says how.
    Error {
        id: u64,
        status: Status,
        raised: Raised,
    },
    /// Either way: are you there? Answered by a [`Frame::Pong`] with the same id.
    Ping {
        id: u64,
    },
    Pong {
        id: u64,
    },
    /// Client to server (version 7), right after the hello: the caller's
    /// token, for a server that requires one (`gg --authTokens`). Until a
    /// known token arrives, such a server answers every call with an Error
    /// of status [`Status::Unauthenticated`]. Request id 0.
    Auth {
        token: String,
    },
    /// The sender will start no new work and closes once in-flight calls end.
    Goodbye {
        reason: String,
    },
    /// The sender is closing the connection because the peer broke the
    /// protocol; `id` is the offending frame's, or 0.
    ProtocolError {
        id: u64,
        code: ProtocolCode,
        message: String,
    },
}

/// What a [`Frame::Call`] asks for.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Call {
    pub service: String,
    pub method: String,
    /// The object the method is called on (version 6): its id, or empty
    /// for a static method, a class method or a module's function.
    pub object: String,
    pub args: BoundArgs,
    /// How long the caller will wait; the server gives up after it. Sent in
    /// whole milliseconds, `0` meaning none.
    pub timeout: Option<Duration>,
    /// The caller's metadata (version 7): (name, value) pairs, names in
    /// lower case; W3C `traceparent` and `tracestate` travel here.
    pub metadata: Vec<(String, String)>,
}

impl Frame {
    /// The frame's request id (0 for [`Frame::Goodbye`]).
    pub fn id(&self) -> u64 {
        match self {
            Frame::Call { id, .. }
            | Frame::CallPart { id, .. }
            | Frame::Reply { id, .. }
            | Frame::ReplyPart { id, .. }
            | Frame::Items { id, .. }
            | Frame::Credit { id, .. }
            | Frame::Cancel { id }
            | Frame::Error { id, .. }
            | Frame::Ping { id }
            | Frame::Pong { id }
            | Frame::ProtocolError { id, .. } => *id,
            Frame::Goodbye { .. } | Frame::Auth { .. } => 0,
        }
    }

    /// The frame kind's name, for messages.
    pub fn name(&self) -> &'static str {
        match self {
            Frame::Call { .. } => "Call",
            Frame::CallPart { .. } => "CallPart",
            Frame::Reply { .. } => "Reply",
            Frame::ReplyPart { .. } => "ReplyPart",
            Frame::Items { .. } => "Items",
            Frame::Credit { .. } => "Credit",
            Frame::Cancel { .. } => "Cancel",
            Frame::Error { .. } => "Error",
            Frame::Ping { .. } => "Ping",
            Frame::Pong { .. } => "Pong",
            Frame::Goodbye { .. } => "Goodbye",
            Frame::ProtocolError { .. } => "ProtocolError",
            Frame::Auth { .. } => "Auth",
        }
    }

    /// Finds whether `buf` starts with a whole frame no larger than `max`.
    ///
    /// Returns the frame's total length, prefix included, or
    /// [`WireError::Incomplete`] when more bytes are needed. A length over
    /// `max` or under the header size is an error as soon as the prefix is in.
    pub fn check(buf: &[u8], max: u32) -> Result<usize, WireError> {
        let Some(prefix) = buf.first_chunk::<LENGTH_BYTES>() else {
            return Err(WireError::Incomplete);
        };
        let len = u32::from_be_bytes(*prefix);
        if len > max {
            return Err(WireError::FrameTooLarge {
                len: len.into(),
                max,
            });
        }
        if (len as usize) < HEADER_BYTES {
            return Err(WireError::FrameTooShort(len));
        }
        let total = LENGTH_BYTES + len as usize;
        if buf.len() < total {
            Err(WireError::Incomplete)
        } else {
            Ok(total)
        }
    }
}

/// The first version whose Call frames carry an object id.
const OBJECTS_VERSION: u16 = 6;
/// The first version whose Call frames carry metadata.
const METADATA_VERSION: u16 = 7;
