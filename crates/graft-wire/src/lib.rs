//! Graft's binary TCP protocol, specified in `docs/PROTOCOL.md`.
//!
//! A client and a gateway exchange a 16-byte hello, then length-prefixed
//! frames: calls, replies, errors, heartbeats. Many calls share one
//! connection, matched by request id, and replies come back as calls finish.
//!
//! The crate is laid out as the protocol is:
//! - [`codec`]: the tagged encoding of a [`graft_model::Value`]
//!   (`codec/encode.rs`, `codec/decode.rs`, and `codec/take.rs` for
//!   fixed-size fields and counts), with lists of same-shaped objects
//!   written by columns (`table/encode.rs`, `table/decode.rs`);
//! - [`frame`]: [`Frame`], with `check`/`parse`/`encode` over byte buffers
//!   (no sockets; `frame/parse.rs`, `frame/encode.rs`);
//! - [`status`]: the wire codes of failed calls and closed connections;
//! - [`sink`]: where frames are encoded ([`Sink`]), and [`Encoded`], which
//!   shares large byte strings instead of copying them;
//! - [`handshake`]: the hello exchange;
//! - [`connection`]: [`FrameReader`], frames from a stream;
//! - [`server`]: [`serve`], which runs a [`Dispatch`] for every call;
//!
//! Nothing here panics on input: every malformed byte sequence is a
//! [`WireError`], and decoding allocates in proportion to the bytes received.
//! The tests check this with proptest and a counting allocator
//! (`tests/it/fuzz.rs`); `fuzz/` holds a cargo-fuzz target for longer runs
//! (`crates/graft-wire/fuzz/run.sh`, see its README).

pub mod budget;
pub mod codec;
pub mod connection;
pub mod error;
pub mod frame;
pub mod handshake;
pub mod server;
pub mod sink;
pub mod status;
mod table;

pub use codec::{MAX_DEPTH, decode_value, encode_value};
pub use connection::FrameReader;
pub use error::WireError;
pub use frame::{Call, DEFAULT_MAX_FRAME_SIZE, Frame};
pub use handshake::{Hello, MAGIC, OLDEST_VERSION, VERSION};
pub use server::{
    Arguments, CallFailure, Dispatch, Io, PartReceiver, Replies, Reply, Request, ServerConfig,
    Traffic, Upgrade, serve, serve_with, traffic,
};
pub use sink::{Encoded, Sink};
pub use status::{ProtocolCode, Status};
