//! HTTP request bodies under the gateway's memory budget (`--memoryBudget`),
//! the same [`Budget`] that TCP frames take from, so that many large bodies
//! at once wait instead of each holding up to `--maxBodyBytes`.
//!
//! A body takes its bytes from the budget as it is read and gives them back
//! once its request is answered (the response made, or the request dropped).
//! A body whose length is known (Content-Length) waits for room for all of
//! it before its first byte is read; one of unknown length (chunked, or
//! HTTP/2 without a length) takes each chunk's bytes as the chunk arrives,
//! before the next is read. While it waits, nothing more of it is read, so
//! the client's sends wait too (TCP's or HTTP/2's flow control). A body
//! bigger than the whole budget waits for all of it and passes alone, as a
//! frame does.
//!
//! A body of unknown length waits for room while holding its earlier
//! chunks' bytes, so such bodies could wait on each other for ever. After
//! [`LANE_AFTER`] without room, one of them at a time (the one holding the
//! lane) goes on without waiting, overdrawing the budget
//! ([`Budget::charge`]) until its body ends. So bodies hold at most the
//! budget plus one `--maxBodyBytes`.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::Response;
use graft_wire::budget::{Budget, Permit};
use hyper::body::{Body as HttpBody, Frame, SizeHint};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a body holding bytes waits for room before it may take the lane.
const LANE_AFTER: Duration = Duration::from_secs(1);

/// What every HTTP listener's bodies take from; clones share it.
#[derive(Clone)]
pub struct Bodies {
    budget: Budget,
    /// The one body of unknown length that may go past the budget.
    lane: Arc<Semaphore>,
    /// `--maxBodyBytes`: a body never takes more, as it is refused past it.
    max_body_bytes: usize,
}

impl Bodies {
    pub fn new(budget: Budget, max_body_bytes: usize) -> Self {
        Bodies {
            budget,
            lane: Arc::new(Semaphore::new(1)),
            max_body_bytes,
        }
    }

    /// The budget, for the TCP listener to share.
    pub fn budget(&self) -> &Budget {
        &self.budget
    }
}

/// Middleware: the request's body takes from the budget as it is read, and
/// gives back once the response is made.
pub async fn hold(State(bodies): State<Bodies>, request: Request, next: Next) -> Response {
    let held = Held::default();
    let known = length(request.headers());
    let request = request.map(|body| bodies.budgeted(body, known, &held));
    let response = next.run(request).await;
    drop(held);
    response
}

/// The body's length, from its Content-Length (hyper refuses a body that
/// differs from it). Not its size hint: the body timeout's wrapper hides it.
fn length(headers: &HeaderMap) -> Option<usize> {
    let value = headers.get(header::CONTENT_LENGTH)?.to_str().ok()?;
    let len: u64 = value.trim().parse().ok()?;
    Some(usize::try_from(len).unwrap_or(usize::MAX))
}

impl Bodies {
    /// `body` of `known` length, if known, taking from the budget into
    /// `held` as it is read.
    fn budgeted(&self, body: Body, known: Option<usize>, held: &Held) -> Body {
        Body::new(Budgeted {
            body,
            known: known
                .map(|len| len.min(self.max_body_bytes))
                .filter(|&len| len > 0),
            chunked: known.is_none(),
            bodies: self.clone(),
            held: held.clone(),
            wait: None,
            pending: None,
            lane: None,
        })
    }
}

/// The bytes one request's body holds, shared by the body and its request.
#[derive(Clone)]
struct Held(Arc<Mutex<Permit>>);

impl Default for Held {
    fn default() -> Self {
        Held(Arc::new(Mutex::new(Permit::none())))
    }
}

impl Held {
    fn add(&self, permit: Permit) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .merge(permit);
    }

    fn bytes(&self) -> usize {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .bytes()
    }
}

/// A wait for room, and the lane if it was taken instead.
type Wait = Pin<Box<dyn Future<Output = (Permit, Option<OwnedSemaphorePermit>)> + Send>>;

/// A request body that takes from the budget before handing its bytes on.
struct Budgeted {
    body: Body,
    /// The known length, to take before the first byte is read; `None`
    /// once taken, and for a body of unknown length.
    known: Option<usize>,
    /// Whether the length is unknown, so each chunk takes its own bytes.
    chunked: bool,
    bodies: Bodies,
    held: Held,
    wait: Option<Wait>,
    /// A chunk read, held back until it has room.
    pending: Option<Frame<Bytes>>,
    lane: Option<OwnedSemaphorePermit>,
}

impl Budgeted {
    /// Room for a chunk of `bytes`, at most what the whole budget leaves
    /// the body (so that it passes alone rather than wait on itself):
    /// waiting as a frame does while the body holds nothing; else waiting
    /// for room or, after [`LANE_AFTER`], the lane.
    fn room(&self, bytes: usize) -> Wait {
        let budget = self.bodies.budget.clone();
        let held = self.held.bytes();
        let bytes = bytes.min(budget.limit().saturating_sub(held));
        if bytes == 0 {
            return Box::pin(std::future::ready((Permit::none(), None)));
        }
        if held == 0 {
            return Box::pin(async move { (budget.acquire(bytes).await, None) });
        }
        let lane = Arc::clone(&self.bodies.lane);
        Box::pin(async move {
            let lane = async {
                tokio::time::sleep(LANE_AFTER).await;
                lane.acquire_owned().await
            };
            tokio::select! {
                biased;
                permit = budget.acquire(bytes) => (permit, None),
                lane = lane => (budget.charge(bytes), lane.ok()),
            }
        })
    }
}

impl HttpBody for Budgeted {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        loop {
            if let Some(wait) = &mut this.wait {
                let (permit, lane) = ready!(wait.as_mut().poll(cx));
                this.wait = None;
                this.held.add(permit);
                this.lane = this.lane.take().or(lane);
                if let Some(frame) = this.pending.take() {
                    return Poll::Ready(Some(Ok(frame)));
                }
            }
            if let Some(len) = this.known.take() {
                let budget = this.bodies.budget.clone();
                this.wait = Some(Box::pin(async move { (budget.acquire(len).await, None) }));
                continue;
            }
            let frame = ready!(Pin::new(&mut this.body).poll_frame(cx));
            let Some(Ok(frame)) = frame else {
                this.lane = None; // the body is over: the next may go past
                return Poll::Ready(frame);
            };
            let bytes = frame.data_ref().map_or(0, Bytes::len);
            if bytes == 0 || !this.chunked {
                return Poll::Ready(Some(Ok(frame)));
            }
            if this.lane.is_some() {
                this.held.add(this.bodies.budget.charge(bytes));
                return Poll::Ready(Some(Ok(frame)));
            }
            this.wait = Some(this.room(bytes));
            this.pending = Some(frame);
        }
    }

    fn is_end_stream(&self) -> bool {
        self.pending.is_none() && self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        let pending = self.pending.as_ref().and_then(Frame::data_ref);
        let pending = pending.map_or(0, |data| data.len() as u64);
        let hint = self.body.size_hint();
        let mut with = SizeHint::new();
        with.set_lower(hint.lower() + pending);
        if let Some(upper) = hint.upper() {
            with.set_upper(upper + pending);
        }
        with
    }
}

#[cfg(test)]
mod tests;
