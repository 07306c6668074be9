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
mod tests {
    use super::*;

    #[test]
    fn only_top_level_collections_of_a_thousand_items_are_bulky() {
        let list = |n: usize| Value::List(vec![Value::Int(1); n]);
        assert!(is_bulky(&list(1000)));
        assert!(!is_bulky(&list(999)));
        assert!(is_bulky(&Value::Tuple(vec![Value::None; 5000])));
        assert!(
            !is_bulky(&Value::List(vec![list(5000)])),
            "one item, however big"
        );
        assert!(!is_bulky(&Value::Str("x".repeat(100_000))));
    }

    #[test]
    fn a_backlog_is_freed_where_the_call_ran() {
        Python::initialize();
        let reaper = Reaper::start().unwrap();
        let code = c"
import threading, weakref
class Item: pass
freed = []
def item():
    obj = Item()
    weakref.finalize(obj, lambda: freed.append(threading.get_ident()))
    return obj
";
        let (me, module) = Python::attach(|py| {
            let module =
                PyModule::from_code(py, code, c"backlog_test.py", c"backlog_test").unwrap();
            let threading = py.import("threading").unwrap();
            let me: u64 = threading
                .call_method0("get_ident")
                .unwrap()
                .extract()
                .unwrap();
            // The reaper needs the GIL this thread holds: what it has not
            // taken off the queue by now stays queued, and past the backlog
            // the rest are freed here, at once.
            for _ in 0..6 {
                let obj = module.getattr("item").unwrap().call0().unwrap();
                let args = BoundArgs {
                    positional: vec![Value::List(vec![Value::None; 1000])],
                    keyword: vec![],
                };
                reaper.dispose(
                    py,
                    Leftovers {
                        objects: vec![obj.unbind()],
                        args,
                    },
                    &Value::None,
                );
            }
            let freed: Vec<u64> = module.getattr("freed").unwrap().extract().unwrap();
            let here = freed.iter().filter(|t| **t == me).count();
            assert!(
                (1..=4).contains(&here),
                "{here} of 6 freed here: the queue holds 2, a batch at most 3"
            );
            (me, module.unbind())
        });
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while Python::attach(|py| module.bind(py).getattr("freed").unwrap().len().unwrap()) < 6 {
            assert!(
                std::time::Instant::now() < deadline,
                "the queued ones were never freed"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let freed: Vec<u64> =
            Python::attach(|py| module.bind(py).getattr("freed").unwrap().extract().unwrap());
        assert!(
            freed.iter().filter(|t| **t != me).count() >= 2,
            "the queued ones went to the reaper"
        );
    }

    #[test]
    fn handed_over_objects_are_freed_on_the_reaper_thread() {
        Python::initialize();
        let reaper = Reaper::start().unwrap();
        let (freed_on, alive, me) = Python::attach(|py| {
            let code = c"
import threading, weakref
class Item: pass
def watch(obj, where):
    weakref.finalize(obj, lambda: where.append(threading.get_ident()))
def me():
    return threading.get_ident()
";
            let module = PyModule::from_code(py, code, c"reaper_test.py", c"reaper_test").unwrap();
            let where_ = pyo3::types::PyList::empty(py);
            let obj = module.getattr("Item").unwrap().call0().unwrap();
            module
                .getattr("watch")
                .unwrap()
                .call1((&obj, &where_))
                .unwrap();
            let small = module.getattr("Item").unwrap().call0().unwrap();
            let small_where = pyo3::types::PyList::empty(py);
            module
                .getattr("watch")
                .unwrap()
                .call1((&small, &small_where))
                .unwrap();
            let args = |n| BoundArgs {
                positional: vec![Value::List(vec![Value::None; n])],
                keyword: vec![],
            };
            let big = Leftovers {
                objects: vec![obj.unbind()],
                args: args(1000),
            };
            reaper.dispose(py, big, &Value::None);
            let little = Leftovers {
                objects: vec![small.unbind()],
                args: args(3),
            };
            reaper.dispose(py, little, &Value::None);
            assert_eq!(
                small_where.len(),
                1,
                "a small call's objects are freed at once"
            );
            let me: u64 = module
                .getattr("me")
                .unwrap()
                .call0()
                .unwrap()
                .extract()
                .unwrap();
            (where_.unbind(), small_where.unbind(), me)
        });
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            let threads: Vec<u64> = Python::attach(|py| freed_on.bind(py).extract().unwrap());
            if !threads.is_empty() {
                assert_eq!(threads.len(), 1);
                assert_ne!(
                    threads[0], me,
                    "a big call's objects are freed on the reaper's thread"
                );
                break;
            }
            assert!(std::time::Instant::now() < deadline, "never freed");
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let small: Vec<u64> = Python::attach(|py| alive.bind(py).extract().unwrap());
        assert_eq!(small, [me]);
    }
}
