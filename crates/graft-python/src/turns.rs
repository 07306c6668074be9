//! Turns: the calls on one remote object run one at a time, in the order
//! they arrived.
//!
//! A call takes a [`Ticket`] when it arrives (synchronously, so in arrival
//! order), waits for its turn before it runs, and gives the turn on when
//! it ends (the ticket dropped). A ticket dropped before its turn (the
//! caller went away) is skipped when its turn comes. A caller that stops
//! waiting while its call runs (a timeout) does not end the call's turn: a
//! plain method's ticket goes with it to its thread and is dropped when it
//! returns (`invoke.rs`); an `async def` method is cancelled instead, and
//! its coroutine gets the CancelledError on the host's loop before the
//! next call's coroutine is started there.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::Notify;

/// The queue of one object's calls.
#[derive(Default)]
pub(crate) struct Line {
    state: Mutex<State>,
    turn_changed: Notify,
}

#[derive(Default)]
struct State {
    /// The next ticket's number.
    next: u64,
    /// The ticket whose turn it is.
    serving: u64,
    /// Tickets dropped before their turn.
    gone: BTreeSet<u64>,
}

/// One call's place in a [`Line`].
pub(crate) struct Ticket {
    line: Arc<Line>,
    number: u64,
}

impl Line {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A place at the end of the line.
    pub(crate) fn ticket(self: &Arc<Self>) -> Ticket {
        let mut state = self.state();
        let number = state.next;
        state.next += 1;
        Ticket {
            line: Arc::clone(self),
            number,
        }
    }

    /// Whether no call holds or waits for a turn.
    pub(crate) fn is_idle(&self) -> bool {
        let state = self.state();
        state.serving == state.next
    }
}

impl Ticket {
    /// Whether it is this ticket's turn now.
    pub(crate) fn is_up(&self) -> bool {
        self.line.state().serving == self.number
    }

    /// Waits for this ticket's turn.
    pub(crate) async fn wait(&self) {
        loop {
            let changed = self.line.turn_changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if self.is_up() {
                return;
            }
            changed.await;
        }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut state = self.line.state();
        if state.serving != self.number {
            state.gone.insert(self.number);
            return;
        }
        let state = &mut *state;
        state.serving += 1;
        while state.gone.remove(&state.serving) {
            state.serving += 1;
        }
        self.line.turn_changed.notify_waiters();
    }
}
