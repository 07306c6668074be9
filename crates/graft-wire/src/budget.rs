//! The server's memory budget: how many bytes of frames all its connections
//! may hold at once, received (a call's frame, while its call runs) and
//! answered (encoded reply frames, until they are written).
//!
//! Receiving waits for room ([`Budget::acquire`]): past the budget, the
//! server stops reading, and TCP's own flow control makes clients wait.
//! Answering never waits ([`Budget::charge`]): a reply already exists once
//! it is encoded, and a call that holds its arguments' bytes while waiting
//! for room for its reply could wait for ever on calls that wait the same.
//! A charge may overdraw the budget; reads then wait until it is paid back.
//!
//! A frame bigger than the whole budget takes all of it, so it passes alone
//! instead of never. Waiters are served in order (tokio's semaphore is
//! fair), so a big frame is not starved by a stream of small ones.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::Semaphore;

/// Bytes that every connection of a server shares; clones share it too.
#[derive(Clone)]
pub struct Budget {
    inner: Arc<Inner>,
}

struct Inner {
    /// The bytes free now, one permit each.
    free: Semaphore,
    /// What the budget was made with.
    limit: usize,
    /// Bytes charged beyond what was free: paid back first by the next
    /// releases, before any reader gets room. Under a lock so that a charge
    /// and a release never see each other half done.
    overdrawn: Mutex<usize>,
}

/// Bytes held from a [`Budget`]; dropping it gives them back.
#[must_use = "the bytes go back to the budget when the permit is dropped"]
pub struct Permit {
    budget: Option<Arc<Inner>>,
    bytes: usize,
}

impl Budget {
    /// A budget of `limit` bytes (at least 1, at most tokio's largest
    /// semaphore).
    pub fn new(limit: usize) -> Self {
        let limit = limit.clamp(1, Semaphore::MAX_PERMITS);
        Budget {
            inner: Arc::new(Inner {
                free: Semaphore::new(limit),
                limit,
                overdrawn: Mutex::new(0),
            }),
        }
    }

    /// The bytes the budget was made with.
    pub fn limit(&self) -> usize {
        self.inner.limit
    }

    /// The bytes held now, overdrawn ones included.
    pub fn in_use(&self) -> usize {
        let overdrawn = *self.inner.lock();
        self.inner.limit - self.inner.free.available_permits() + overdrawn
    }

    /// Waits until `bytes` are free, and holds them; a request for more
    /// than the whole budget waits for all of it. Cancel-safe: a dropped
    /// wait holds nothing.
    pub async fn acquire(&self, bytes: usize) -> Permit {
        let take = bytes.min(self.inner.limit).min(u32::MAX as usize);
        match self.inner.free.acquire_many(take as u32).await {
            Ok(permit) => permit.forget(),
            // The semaphore is never closed; hold nothing rather than panic.
            Err(_) => return Permit::none(),
        }
        Permit {
            budget: Some(self.inner.clone()),
            bytes: take,
        }
    }

    /// Holds `bytes` at once, overdrawing the budget if they are not free.
    pub fn charge(&self, bytes: usize) -> Permit {
        let mut overdrawn = self.inner.lock();
        let taken = self.inner.free.forget_permits(bytes);
        *overdrawn += bytes - taken;
        Permit {
            budget: Some(self.inner.clone()),
            bytes,
        }
    }
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, usize> {
        self.overdrawn
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Gives `bytes` back: first what was overdrawn, then to the readers.
    fn release(&self, bytes: usize) {
        let mut overdrawn = self.lock();
        let repaid = bytes.min(*overdrawn);
        *overdrawn -= repaid;
        self.free.add_permits(bytes - repaid);
    }
}

impl Permit {
    /// A permit that holds nothing (for a reader without a budget).
    pub fn none() -> Self {
        Permit {
            budget: None,
            bytes: 0,
        }
    }

    /// The bytes it holds.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Holds `other`'s bytes too, until this permit is dropped; both come
    /// from the same budget (or `other` from none).
    pub fn merge(&mut self, mut other: Permit) {
        if self.budget.is_none() {
            std::mem::swap(self, &mut other);
        } else if other.budget.is_some() {
            self.bytes += std::mem::take(&mut other.bytes);
        }
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Some(budget) = &self.budget {
            budget.release(self.bytes);
        }
    }
}

impl fmt::Debug for Budget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Budget")
            .field("limit", &self.limit())
            .field("in_use", &self.in_use())
            .finish()
    }
}

impl fmt::Debug for Permit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permit")
            .field("bytes", &self.bytes)
            .finish()
    }
}

#[cfg(test)]
mod tests;
