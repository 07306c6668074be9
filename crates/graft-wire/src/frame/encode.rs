//! [`Frame::encode`] and its versions: a frame's bytes.

use graft_model::Raised;

use super::{Call, Frame, LENGTH_BYTES, METADATA_VERSION, OBJECTS_VERSION, kind};
use crate::codec::{encode_value, put_fields, put_len, put_str};
use crate::error::WireError;
use crate::handshake::VERSION;
use crate::sink::Sink;

impl Frame {
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

    /// The frame's one-byte kind.
    fn kind(&self) -> u8 {
        match self {
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
        }
    }

    fn encode_header_and_body(&self, buf: &mut impl Sink, version: u16) {
        buf.put_u8(self.kind());
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
