//! [`Frame::parse`] and its versions: a frame from its bytes.

use std::time::Duration;

use bytes::Bytes;
use graft_model::{BoundArgs, Raised, Value};

use super::{Call, Frame, METADATA_VERSION, OBJECTS_VERSION, kind};
use crate::codec::{
    Input, decode_at, decode_fields_at, decode_items, take_str, take_u8, take_u16, take_u32,
    take_u64,
};
use crate::error::WireError;
use crate::handshake::VERSION;
use crate::status::{ProtocolCode, Status};

impl Frame {
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

    /// A frame's header (kind and request id), then its body; every byte
    /// of `input` must belong to the frame.
    fn parse_from(mut input: Input<'_>, version: u16) -> Result<Frame, WireError> {
        let kind = take_u8(&mut input, "frame kind")?;
        let id = take_u64(&mut input, "request id")?;
        let frame = parse_body(kind, id, &mut input, version)?;
        if !input.is_empty() {
            return Err(WireError::TrailingBytes(input.len()));
        }
        Ok(frame)
    }
}

/// The frame of `kind` with request `id`, from the body that follows the header.
fn parse_body(kind: u8, id: u64, input: &mut Input<'_>, version: u16) -> Result<Frame, WireError> {
    Ok(match kind {
        kind::CALL => Frame::Call {
            id,
            call: parse_call(input, version)?,
        },
        kind::REPLY => Frame::Reply {
            id,
            value: decode_at(input, 0)?,
        },
        kind::REPLY_PART => Frame::ReplyPart {
            id,
            value: take_part(input)?,
        },
        kind::CALL_PART => parse_call_part(id, input)?,
        kind::ITEMS => Frame::Items {
            id,
            value: take_part(input)?,
        },
        kind::CREDIT => Frame::Credit {
            id,
            bytes: take_u32(input, "credit bytes")?,
        },
        kind::CANCEL => Frame::Cancel { id },
        kind::ERROR => parse_error(id, input)?,
        kind::PING => Frame::Ping { id },
        kind::PONG => Frame::Pong { id },
        kind::GOODBYE => parse_goodbye(id, input)?,
        kind::AUTH => Frame::Auth {
            token: take_str(input, "token")?,
        },
        kind::PROTOCOL_ERROR => parse_protocol_error(id, input)?,
        other => return Err(WireError::UnknownKind(other)),
    })
}

/// A CallPart: the argument it is part of (service, method, argument name),
/// then its items.
fn parse_call_part(id: u64, input: &mut Input<'_>) -> Result<Frame, WireError> {
    Ok(Frame::CallPart {
        id,
        service: take_str(input, "service name")?,
        method: take_str(input, "method name")?,
        argument: take_str(input, "argument name")?,
        value: take_part(input)?,
    })
}

/// An Error: the call's status, then the exception raised.
fn parse_error(id: u64, input: &mut Input<'_>) -> Result<Frame, WireError> {
    let status = Status::from_u8(take_u8(input, "error status")?)?;
    Ok(Frame::Error {
        id,
        status,
        raised: parse_raised(input)?,
    })
}

/// A Goodbye, which is about the connection, not a call: its id must be 0.
fn parse_goodbye(id: u64, input: &mut Input<'_>) -> Result<Frame, WireError> {
    if id != 0 {
        return Err(WireError::GoodbyeId(id));
    }
    Ok(Frame::Goodbye {
        reason: take_str(input, "goodbye reason")?,
    })
}

/// A ProtocolError: its code (unknown ones kept as they are), then its message.
fn parse_protocol_error(id: u64, input: &mut Input<'_>) -> Result<Frame, WireError> {
    let code = ProtocolCode::from_u16(take_u16(input, "protocol error code")?);
    let message = take_str(input, "protocol error message")?;
    Ok(Frame::ProtocolError { id, code, message })
}

/// The value of a ReplyPart, CallPart or Items frame: a list, or a table.
fn take_part(input: &mut Input<'_>) -> Result<Value, WireError> {
    match decode_at(input, 0)? {
        value @ (Value::List(_) | Value::Table(_)) => Ok(value),
        _ => Err(WireError::PartNotAList),
    }
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
