//! Freeing a big call's objects after its answer, not before.
//!
//! A call that carries 10,000 records leaves 10,000 instances and their
//! 50,000 fields to free once the result has been read: about half a
//! millisecond with the GIL held (a tenth of gg's CPU on such a call,
//! measured), and the answer waited for it. The [`Reaper`], a thread of its
//! own, frees them instead, after the thread that ran the method has let the
//! GIL go, so the reply is encoded and written meanwhile. Small calls free
//! their objects where they are, as before: handing them over would cost
//! more than it saves.
//!
//! The objects die in the same order and with the same finalisers as they
//! would have; only later, and on another thread. At most
//! [`Reaper::BACKLOG`] calls' leftovers wait for it: when many calls run at
//! once it gets the GIL only now and then, and a call whose leftovers find
//! the queue full frees them itself, so memory stays bounded (measured: with
//! an unbounded queue, gg's peak RSS at 64 records callers went from about
//! 200 to 520 MB).

use std::sync::mpsc;

use graft_model::{BoundArgs, Value};
use pyo3::prelude::*;

use crate::thread_state::{keep_thread_state, release_thread_state};

/// What one call leaves behind: its Python objects (arguments, result) and
/// the checked arguments they were built from.
pub(crate) struct Leftovers {
    #[allow(dead_code, reason = "held only to be dropped where the reaper decides")]
    pub(crate) objects: Vec<Py<PyAny>>,
    pub(crate) args: BoundArgs,
}

/// The thread that frees [`Leftovers`].
pub(crate) struct Reaper {
    tx: mpsc::SyncSender<Leftovers>,
}

impl Reaper {
    /// A collection, a list, tuple, set or dict of at least this many items,
    /// makes a call's leftovers worth handing over.
    pub(crate) const BULKY: usize = 1000;
    /// How many calls' leftovers may wait for the reaper.
    pub(crate) const BACKLOG: usize = 2;

    /// Starts the thread. It runs until the gateway exits.
    pub(crate) fn start() -> std::io::Result<Reaper> {
        let (tx, rx) = mpsc::sync_channel::<Leftovers>(Self::BACKLOG);
        std::thread::Builder::new()
            .name("graft-reaper".into())
            .spawn(move || {
                keep_thread_state();
                while let Ok(first) = rx.recv() {
                    // Whatever else has queued up meanwhile goes under the same GIL hold.
                    let batch: Vec<Leftovers> =
                        std::iter::once(first).chain(rx.try_iter()).collect();
                    Python::attach(|_py| drop(batch));
                }
                release_thread_state();
            })?;
        Ok(Reaper { tx })
    }

    /// Frees `leftovers` on the reaper's thread if any value in them is
    /// bulky and its queue has room; else here (the caller holds the GIL, `_py`).
    pub(crate) fn dispose(&self, _py: Python<'_>, leftovers: Leftovers, result: &Value) {
        let bulky = is_bulky(result)
            || leftovers.args.positional.iter().any(is_bulky)
            || leftovers.args.keyword.iter().any(|(_, v)| is_bulky(v));
        if !bulky {
            return; // `leftovers` are freed here, with the GIL held
        }
        match self.tx.try_send(leftovers) {
            Ok(()) => {}
            // A backlog, or the thread gone (it never panics): free them here.
            Err(mpsc::TrySendError::Full(back) | mpsc::TrySendError::Disconnected(back)) => {
                drop(back)
            }
        }
    }
}

/// Whether `value` holds at least [`Reaper::BULKY`] items at its top level.
fn is_bulky(value: &Value) -> bool {
    let items = match value {
        Value::Table(table) => table.rows(),
        Value::List(v) | Value::Tuple(v) | Value::Set(v) => v.len(),
        Value::Dict(pairs) => pairs.len(),
        _ => 0,
    };
    items >= Reaper::BULKY
}

#[cfg(test)]
mod tests;
