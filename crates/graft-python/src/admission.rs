//! How many calls the host takes on: in all (`gg --maxInFlight`), and per
//! method on blocking threads (`gg --maxThreadsPerMethod`, the bulkhead).
//! Past either, a call is refused at once with [`CallError::Overloaded`],
//! never queued. One gateway per process, so the counts are process-wide:
//! a call costs an atomic increment and decrement, nothing more.
//!
//! A plain method holds its blocking thread until it returns, even after
//! its caller stopped waiting (Python code cannot be interrupted): such a
//! call still counts against its method's threads, and is counted once as
//! abandoned when its caller gives up on it.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use crate::CallError;

/// The default `--maxInFlight`.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 1024;
/// The blocking threads the gateway's runtime may start (tokio's default).
pub const BLOCKING_THREADS: usize = 512;
/// The default `--maxThreadsPerMethod`: a quarter of [`BLOCKING_THREADS`].
pub const DEFAULT_THREADS_PER_METHOD: usize = BLOCKING_THREADS / 4;

static MAX_IN_FLIGHT: AtomicUsize = AtomicUsize::new(DEFAULT_MAX_IN_FLIGHT);
static MAX_THREADS: AtomicUsize = AtomicUsize::new(DEFAULT_THREADS_PER_METHOD);
static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);
static SHED: AtomicU64 = AtomicU64::new(0);
static ABANDONED: AtomicU64 = AtomicU64::new(0);

/// Sets the limits: calls running at once, and blocking threads one method may hold.
pub fn configure(max_in_flight: usize, max_threads_per_method: usize) {
    MAX_IN_FLIGHT.store(max_in_flight.max(1), Ordering::Relaxed);
    MAX_THREADS.store(max_threads_per_method.max(1), Ordering::Relaxed);
}

/// Calls refused as Overloaded so far, here or by [`count_shed`].
pub fn shed_total() -> u64 {
    SHED.load(Ordering::Relaxed)
}

/// Counts a call refused before it reached the host (a connection's own limit).
pub fn count_shed() {
    SHED.fetch_add(1, Ordering::Relaxed);
}

/// Plain calls whose caller stopped waiting while they still ran.
pub fn abandoned_total() -> u64 {
    ABANDONED.load(Ordering::Relaxed)
}

/// A call's place among those running; given back when dropped.
pub(crate) struct Slot(());

impl Drop for Slot {
    fn drop(&mut self) {
        IN_FLIGHT.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A place for one more call, or why there is none.
pub(crate) fn enter() -> Result<Slot, CallError> {
    let most = MAX_IN_FLIGHT.load(Ordering::Relaxed);
    if IN_FLIGHT.fetch_add(1, Ordering::Relaxed) < most {
        return Ok(Slot(()));
    }
    IN_FLIGHT.fetch_sub(1, Ordering::Relaxed);
    Err(shed(format!(
        "the gateway runs {most} calls already (--maxInFlight); call again later"
    )))
}

fn shed(message: String) -> CallError {
    count_shed();
    CallError::Overloaded(message)
}

/// Takes a blocking thread for `method`, whose threads are counted in
/// `held`; the thread gives it back with a [`Thread`] once the method returns.
pub(crate) fn take_thread(
    held: &AtomicUsize,
    method: impl FnOnce() -> String,
) -> Result<(), CallError> {
    let most = MAX_THREADS.load(Ordering::Relaxed);
    if held.fetch_add(1, Ordering::Relaxed) < most {
        return Ok(());
    }
    held.fetch_sub(1, Ordering::Relaxed);
    Err(shed(format!(
        "{} holds {most} blocking threads already, counting calls whose \
         caller gave up but which still run (--maxThreadsPerMethod); call again later",
        method()
    )))
}

/// A method's blocking thread taken with [`take_thread`], given back when dropped.
pub(crate) struct Thread<'a>(pub(crate) &'a AtomicUsize);

impl Drop for Thread<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Watches a plain call on a blocking thread: dropped before
/// [`Watch::finished`], its caller gave up while it runs, and it is
/// counted as abandoned.
pub(crate) struct Watch {
    running: bool,
}

impl Watch {
    pub(crate) fn new() -> Watch {
        Watch { running: true }
    }

    pub(crate) fn finished(mut self) {
        self.running = false;
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        if self.running {
            ABANDONED.fetch_add(1, Ordering::Relaxed);
        }
    }
}
