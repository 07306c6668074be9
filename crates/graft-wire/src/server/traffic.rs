//! What every server in this process has carried: connections accepted and
//! open, and bytes received and sent on them (after the hello, and inside
//! TLS), read by the gateway's metrics when scraped.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, ReadBuf};

/// Counters of every server's connections.
#[derive(Debug, Default)]
pub struct Traffic {
    accepted: AtomicU64,
    open: AtomicI64,
    received: AtomicU64,
    sent: AtomicU64,
}

/// The counters of every server in this process.
pub fn traffic() -> &'static Traffic {
    static TRAFFIC: Traffic = Traffic {
        accepted: AtomicU64::new(0),
        open: AtomicI64::new(0),
        received: AtomicU64::new(0),
        sent: AtomicU64::new(0),
    };
    &TRAFFIC
}

impl Traffic {
    /// Connections accepted so far.
    pub fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }

    /// Connections open now.
    pub fn open(&self) -> i64 {
        self.open.load(Ordering::Relaxed)
    }

    /// Bytes received so far.
    pub fn received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }

    /// Bytes sent so far.
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    pub(super) fn add_sent(&self, bytes: usize) {
        self.sent.fetch_add(bytes as u64, Ordering::Relaxed);
    }
}

/// An accepted connection, counted open until it drops.
pub(super) struct Open(());

impl Open {
    pub(super) fn new() -> Open {
        let traffic = traffic();
        traffic.accepted.fetch_add(1, Ordering::Relaxed);
        traffic.open.fetch_add(1, Ordering::Relaxed);
        Open(())
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        traffic().open.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A read half whose bytes count as received.
pub(super) struct Counted<R>(pub R);

impl<R: AsyncRead + Unpin> AsyncRead for Counted<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.0).poll_read(cx, buf);
        let read = buf.filled().len() - before;
        if read > 0 {
            traffic().received.fetch_add(read as u64, Ordering::Relaxed);
        }
        polled
    }
}
