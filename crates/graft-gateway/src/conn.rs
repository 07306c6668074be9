//! What an HTTP connection is doing, so that it can be closed once it has
//! been idle (nothing received, no request running) for `--idleTimeout`;
//! and who its requests come from ([`caller`]).

use std::cell::Cell;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::http::Response;
use hyper::body::{Frame, SizeHint};
use prometheus::{IntCounter, IntGauge};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Instant;

use crate::metrics::metrics;
use crate::observe::Caller;

tokio::task_local! {
    /// The caller of the request being served: its address, and its
    /// token's name once `crate::auth` admitted it. A task-local, set around
    /// each request's future, so that nothing is allocated for it.
    static CALLER: Cell<Caller>;
}

/// Serves `request`, a request from `peer`, with [`caller`] answering for it.
pub fn from<F: Future>(peer: SocketAddr, request: F) -> impl Future<Output = F::Output> {
    let caller = Caller {
        peer: Some(peer),
        token: "",
    };
    CALLER.scope(Cell::new(caller), request)
}

/// Who made the request being served (nobody known outside one).
pub fn caller() -> Caller {
    CALLER.try_with(Cell::get).unwrap_or_default()
}

/// The request being served presented the token named `token`.
pub fn admitted(token: &'static str) {
    let _ = CALLER.try_with(|caller| {
        caller.set(Caller {
            token,
            ..caller.get()
        })
    });
}

/// What a connection has been doing, shared by its reader and its requests.
pub struct Activity {
    origin: Instant,
    /// Milliseconds from `origin` to the last byte received.
    last_read: AtomicU64,
    running: AtomicUsize,
}

impl Activity {
    pub fn new() -> Arc<Activity> {
        Arc::new(Activity {
            origin: Instant::now(),
            last_read: AtomicU64::new(0),
            running: AtomicUsize::new(0),
        })
    }

    fn touch(&self) {
        let ms = self.origin.elapsed().as_millis() as u64;
        self.last_read.store(ms, Ordering::Relaxed);
    }

    /// How long the connection has been idle: zero while a request runs.
    fn idle(&self) -> Duration {
        if self.running.load(Ordering::SeqCst) > 0 {
            return Duration::ZERO;
        }
        let last = Duration::from_millis(self.last_read.load(Ordering::Relaxed));
        self.origin.elapsed().saturating_sub(last)
    }

    /// A request begins: the connection is not idle until the guard drops.
    pub fn start(self: &Arc<Self>) -> Running {
        self.running.fetch_add(1, Ordering::SeqCst);
        Running(Arc::clone(self))
    }

    /// Resolves once the connection has been idle for `limit`.
    pub async fn idle_for(&self, limit: Duration) {
        loop {
            let left = limit.saturating_sub(self.idle());
            if left.is_zero() {
                return;
            }
            tokio::time::sleep(left.max(Duration::from_millis(20))).await;
        }
    }
}

/// A request running on its connection.
pub struct Running(Arc<Activity>);

impl Running {
    /// Keeps the request running until `response`'s body has been sent.
    pub fn until_sent(self, response: Response<Body>) -> Response<Body> {
        response.map(|body| {
            Body::new(Sending {
                body,
                _running: self,
            })
        })
    }
}

/// An answer's body, its request running until the body is dropped.
struct Sending {
    body: Body,
    _running: Running,
}

impl HttpBody for Sending {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.0.touch();
        self.0.running.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A connection's byte stream, noting when bytes arrive and counting them
/// in the metrics of its `listener`, as it counts itself among the open.
pub struct Watched<I> {
    inner: I,
    activity: Arc<Activity>,
    /// Whether bytes received keep the connection from being idle: not on
    /// HTTP/2, whose frames (pings, settings) need no request, so there only
    /// requests do.
    busy_on_read: bool,
    received: IntCounter,
    sent: IntCounter,
    open: IntGauge,
}

impl<I> Watched<I> {
    pub fn new(inner: I, activity: Arc<Activity>, listener: &str) -> Watched<I> {
        let m = metrics();
        let open = m.connections.with_label_values(&[listener]);
        open.inc();
        m.accepted.with_label_values(&[listener]).inc();
        Watched {
            inner,
            activity,
            busy_on_read: true,
            received: m.received.with_label_values(&[listener]),
            sent: m.sent.with_label_values(&[listener]),
            open,
        }
    }
}

impl<I> Watched<I> {
    /// From now on only requests keep the connection from being idle (HTTP/2).
    pub fn busy_on_requests_only(&mut self) {
        self.busy_on_read = false;
    }
}

impl<I> Drop for Watched<I> {
    fn drop(&mut self) {
        self.open.dec();
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for Watched<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        let read = buf.filled().len() - before;
        if read > 0 {
            if self.busy_on_read {
                self.activity.touch();
            }
            self.received.inc_by(read as u64);
        }
        polled
    }
}

/// A stream whose first bytes were read already (to tell HTTP/2 from
/// HTTP/1): they are read again first.
pub struct Rewind<I> {
    read: Bytes,
    inner: I,
}

impl<I> Rewind<I> {
    pub fn new(read: Vec<u8>, inner: I) -> Rewind<I> {
        let read = Bytes::from(read);
        Rewind { read, inner }
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for Rewind<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.read.is_empty() {
            return Pin::new(&mut self.inner).poll_read(cx, buf);
        }
        let n = self.read.len().min(buf.remaining());
        buf.put_slice(&self.read.split_to(n));
        Poll::Ready(Ok(()))
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for Rewind<I> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for Watched<I> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = written {
            self.sent.inc_by(n as u64);
        }
        written
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
