//! [`Frame`]: one message on a connection, and its byte form.
//!
//! A frame is a u32 big-endian length (of everything after it), a one-byte
//! kind, a u64 big-endian request id, then a body that depends on the kind.
//! [`Frame::check`] finds whether a buffer holds a whole frame without
//! decoding it; [`Frame::parse`] decodes one; [`Frame::encode`] writes one.

use std::time::Duration;

use bytes::Bytes;
use graft_model::{BoundArgs, Raised, Value};

use crate::codec::{
    Input, decode_at, decode_fields_at, decode_items, encode_value, put_fields, put_len, put_str,
    take_str, take_u8, take_u16, take_u32, take_u64,
};
use crate::error::WireError;
use crate::handshake::VERSION;
use crate::sink::Sink;
use crate::status::{ProtocolCode, Status};

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

    /// Decodes one frame from `frame`: its bytes after the length prefix,
    /// exactly (as [`Frame::check`] delimited them).
    pub fn parse(frame: &[u8]) -> Result<Frame, WireError> {
        Frame::parse_version(frame, VERSION)
    }

    /// [`Frame::parse`] of a frame in protocol `version` (a Call's layout
    /// changed in version 6).
    pub fn parse_version(frame: &[u8], version: u16) -> Result<Frame, WireError> {
        Frame::parse_from(Input::new(frame), version)
    }

    /// [`Frame::parse`] of a shared buffer: long byte strings in the frame
    /// become slices of it, not copies.
    pub fn parse_shared(frame: &Bytes) -> Result<Frame, WireError> {
        Frame::parse_shared_version(frame, VERSION)
    }

    /// [`Frame::parse_shared`] of a frame in protocol `version`.
    pub fn parse_shared_version(frame: &Bytes, version: u16) -> Result<Frame, WireError> {
        Frame::parse_from(Input::shared(frame), version)
    }

    fn parse_from(mut input: Input<'_>, version: u16) -> Result<Frame, WireError> {
        let kind = take_u8(&mut input, "frame kind")?;
        let id = take_u64(&mut input, "request id")?;
        let frame = match kind {
            kind::CALL => Frame::Call {
                id,
                call: parse_call(&mut input, version)?,
            },
            kind::REPLY => Frame::Reply {
                id,
                value: decode_at(&mut input, 0)?,
            },
            kind::REPLY_PART => Frame::ReplyPart {
                id,
                value: take_part(&mut input)?,
            },
            kind::CALL_PART => Frame::CallPart {
                id,
                service: take_str(&mut input, "service name")?,
                method: take_str(&mut input, "method name")?,
                argument: take_str(&mut input, "argument name")?,
                value: take_part(&mut input)?,
            },
            kind::ITEMS => Frame::Items {
                id,
                value: take_part(&mut input)?,
            },
            kind::CREDIT => Frame::Credit {
                id,
                bytes: take_u32(&mut input, "credit bytes")?,
            },
            kind::CANCEL => Frame::Cancel { id },
            kind::ERROR => {
                let status = Status::from_u8(take_u8(&mut input, "error status")?)?;
                Frame::Error {
                    id,
                    status,
                    raised: parse_raised(&mut input)?,
                }
            }
            kind::PING => Frame::Ping { id },
            kind::PONG => Frame::Pong { id },
            kind::GOODBYE if id != 0 => return Err(WireError::GoodbyeId(id)),
            kind::GOODBYE => Frame::Goodbye {
                reason: take_str(&mut input, "goodbye reason")?,
            },
            kind::AUTH => Frame::Auth {
                token: take_str(&mut input, "token")?,
            },
            kind::PROTOCOL_ERROR => {
                let code = ProtocolCode::from_u16(take_u16(&mut input, "protocol error code")?);
                let message = take_str(&mut input, "protocol error message")?;
                Frame::ProtocolError { id, code, message }
            }
            other => return Err(WireError::UnknownKind(other)),
        };
        if !input.is_empty() {
            return Err(WireError::TrailingBytes(input.len()));
        }
        Ok(frame)
    }

    /// Appends the whole frame, length prefix included, to `buf`.
    ///
    /// Fails, leaving `buf` as it was, if the frame would exceed `max`.
    pub fn encode(&self, buf: &mut impl Sink, max: u32) -> Result<(), WireError> {
        self.encode_version(buf, max, VERSION)
    }

    /// [`Frame::encode`] in protocol `version`: before version 6 a Call has
    /// no object id (one set is left out).
    pub fn encode_version(
        &self,
        buf: &mut impl Sink,
        max: u32,
        version: u16,
    ) -> Result<(), WireError> {
        let start = buf.written();
        buf.put_u32(0);
        self.encode_header_and_body(buf, version);
        let len = (buf.written() - start - LENGTH_BYTES) as u64;
        match u32::try_from(len) {
            Ok(len32) if len32 <= max => {
                buf.set_u32(start, len32);
                Ok(())
            }
            _ => {
                buf.truncate_to(start);
                Err(WireError::FrameTooLarge { len, max })
            }
        }
    }

    fn encode_header_and_body(&self, buf: &mut impl Sink, version: u16) {
        let kind = match self {
            Frame::Call { .. } => kind::CALL,
            Frame::CallPart { .. } => kind::CALL_PART,
            Frame::Reply { .. } => kind::REPLY,
            Frame::ReplyPart { .. } => kind::REPLY_PART,
            Frame::Items { .. } => kind::ITEMS,
            Frame::Credit { .. } => kind::CREDIT,
            Frame::Cancel { .. } => kind::CANCEL,
            Frame::Error { .. } => kind::ERROR,
            Frame::Ping { .. } => kind::PING,
            Frame::Pong { .. } => kind::PONG,
            Frame::Goodbye { .. } => kind::GOODBYE,
            Frame::ProtocolError { .. } => kind::PROTOCOL_ERROR,
            Frame::Auth { .. } => kind::AUTH,
        };
        buf.put_u8(kind);
        buf.put_u64(self.id());
        match self {
            Frame::Call { call, .. } => encode_call(call, buf, version),
            Frame::CallPart {
                service,
                method,
                argument,
                value,
                ..
            } => {
                put_str(buf, service);
                put_str(buf, method);
                put_str(buf, argument);
                encode_value(value, buf);
            }
            Frame::Reply { value, .. }
            | Frame::ReplyPart { value, .. }
            | Frame::Items { value, .. } => encode_value(value, buf),
            Frame::Credit { bytes, .. } => buf.put_u32(*bytes),
            Frame::Error { status, raised, .. } => {
                buf.put_u8(status.for_version(version) as u8);
                encode_raised(raised, buf);
            }
            Frame::Ping { .. } | Frame::Pong { .. } | Frame::Cancel { .. } => {}
            Frame::Goodbye { reason } => put_str(buf, reason),
            Frame::Auth { token } => put_str(buf, token),
            Frame::ProtocolError { code, message, .. } => {
                buf.put_u16(code.to_u16());
                put_str(buf, message);
            }
        }
    }
}

/// The value of a ReplyPart, CallPart or Items frame: a list, or a table.
fn take_part(input: &mut Input<'_>) -> Result<Value, WireError> {
    match decode_at(input, 0)? {
        value @ (Value::List(_) | Value::Table(_)) => Ok(value),
        _ => Err(WireError::PartNotAList),
    }
}

/// The first version whose Call frames carry an object id.
const OBJECTS_VERSION: u16 = 6;
/// The first version whose Call frames carry metadata.
const METADATA_VERSION: u16 = 7;

fn encode_call(call: &Call, buf: &mut impl Sink, version: u16) {
    put_str(buf, &call.service);
    put_str(buf, &call.method);
    if version >= OBJECTS_VERSION {
        put_str(buf, &call.object);
    }
    if version >= METADATA_VERSION {
        let count = call.metadata.len().min(u16::MAX.into());
        buf.put_u16(count as u16);
        for (name, value) in &call.metadata[..count] {
            put_str(buf, name);
            put_str(buf, value);
        }
    }
    let ms = call
        .timeout
        .map_or(0, |t| t.as_millis().clamp(1, u32::MAX.into()) as u32);
    buf.put_u32(ms);
    put_len(buf, call.args.positional.len());
    for arg in &call.args.positional {
        encode_value(arg, buf);
    }
    put_fields(buf, &call.args.keyword);
}

fn parse_call(input: &mut Input<'_>, version: u16) -> Result<Call, WireError> {
    let service = take_str(input, "service name")?;
    let method = take_str(input, "method name")?;
    let object = if version >= OBJECTS_VERSION {
        take_str(input, "object id")?
    } else {
        String::new()
    };
    let metadata = if version >= METADATA_VERSION {
        take_metadata(input)?
    } else {
        Vec::new()
    };
    let ms = take_u32(input, "timeout")?;
    let positional = decode_items(input, 0, "positional arguments")?;
    let keyword = decode_fields_at(input, 0, "keyword argument")?;
    let timeout = (ms != 0).then(|| Duration::from_millis(ms.into()));
    Ok(Call {
        service,
        method,
        object,
        args: BoundArgs {
            positional,
            keyword,
        },
        timeout,
        metadata,
    })
}

/// A Call's metadata: a u16 count of (name, value) string pairs.
fn take_metadata(input: &mut Input<'_>) -> Result<Vec<(String, String)>, WireError> {
    let count = take_u16(input, "metadata count")?;
    (0..count)
        .map(|_| {
            let name = take_str(input, "metadata name")?;
            Ok((name, take_str(input, "metadata value")?))
        })
        .collect()
}

fn encode_raised(raised: &Raised, buf: &mut impl Sink) {
    put_str(buf, &raised.type_name);
    put_str(buf, &raised.module);
    put_str(buf, &raised.message);
    put_len(buf, raised.args.len());
    for arg in &raised.args {
        encode_value(arg, buf);
    }
    put_fields(buf, &raised.fields);
    put_str(buf, &raised.traceback);
}

fn parse_raised(input: &mut Input<'_>) -> Result<Raised, WireError> {
    Ok(Raised {
        type_name: take_str(input, "exception type name")?,
        module: take_str(input, "exception module")?,
        message: take_str(input, "exception message")?,
        args: decode_items(input, 0, "exception args")?,
        fields: decode_fields_at(input, 0, "exception field")?,
        traceback: take_str(input, "traceback")?,
    })
}
