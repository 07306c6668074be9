//! Serving calls on something other than the bare TCP stream: the gateway's
//! TLS, say. An [`Upgrade`] turns each accepted connection into the stream
//! the hello and every frame then go over.

use std::fmt;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf, ReadHalf, WriteHalf};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

/// A byte stream calls can be served on.
pub trait Io: AsyncRead + AsyncWrite + Send + Unpin + 'static {}

impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Io for T {}

type UpgradeFn = dyn Fn(TcpStream) -> BoxFuture<'static, io::Result<Box<dyn Io>>> + Send + Sync;

/// Turns each accepted connection into the stream calls are served on (a
/// TLS handshake, say), within [`super::ServerConfig::handshake_timeout`];
/// a connection whose upgrade fails is closed.
#[derive(Clone)]
pub struct Upgrade(Arc<UpgradeFn>);

impl Upgrade {
    pub fn new<F>(upgrade: F) -> Self
    where
        F: Fn(TcpStream) -> BoxFuture<'static, io::Result<Box<dyn Io>>> + Send + Sync + 'static,
    {
        Upgrade(Arc::new(upgrade))
    }

    pub(super) fn run(&self, stream: TcpStream) -> BoxFuture<'static, io::Result<Box<dyn Io>>> {
        (self.0)(stream)
    }
}

impl fmt::Debug for Upgrade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Upgrade(..)")
    }
}

/// A connection split into the halves its read loop and writer task own.
pub(super) trait Halves: Io {
    type Read: AsyncRead + Send + Unpin + 'static;
    type Write: AsyncWrite + Send + Unpin + 'static;
    fn halves(self) -> (Self::Read, Self::Write);
}

/// A bare TCP stream splits without a lock between its halves.
impl Halves for TcpStream {
    type Read = OwnedReadHalf;
    type Write = OwnedWriteHalf;
    fn halves(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        self.into_split()
    }
}

/// An upgraded connection: its halves share it through a lock.
pub(super) struct Upgraded(pub(super) Box<dyn Io>);

impl Halves for Upgraded {
    type Read = ReadHalf<Upgraded>;
    type Write = WriteHalf<Upgraded>;
    fn halves(self) -> (Self::Read, Self::Write) {
        tokio::io::split(self)
    }
}

impl AsyncRead for Upgraded {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for Upgraded {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}
