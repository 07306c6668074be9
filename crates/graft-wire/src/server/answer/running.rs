//! The calls running on a connection: each one's credit (a stream's
//! window) and cancel, found by id when the client's Credit and Cancel come.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// The bytes of Items a stream may send before the client's first Credit.
pub const INITIAL_WINDOW: i64 = 256 * 1024;

/// How the read loop reaches a running call: its credit and its cancel.
#[derive(Clone)]
pub(in crate::server) struct Control {
    pub credit: Arc<Credit>,
    pub cancel: CancellationToken,
}

/// A stream's window: the bytes of Items it may still send.
pub(in crate::server) struct Credit {
    window: AtomicI64,
    more: Notify,
}

impl Credit {
    pub fn add(&self, bytes: u32) {
        self.window.fetch_add(i64::from(bytes), Ordering::AcqRel);
        self.more.notify_one();
    }

    pub(in crate::server) fn spend(&self, bytes: usize) {
        self.window.fetch_sub(bytes as i64, Ordering::AcqRel);
    }

    /// Returns once the window is open.
    pub(in crate::server) async fn open(&self) {
        while self.window.load(Ordering::Acquire) <= 0 {
            self.more.notified().await;
        }
    }
}

/// The calls running on a connection, by id: a second call with an id
/// still running is refused, and Credit and Cancel find their call here.
pub(in crate::server) type Running = Arc<Mutex<HashMap<u64, Control>>>;

/// Adds call `id` to `running`; `None` if a call with that id runs already.
pub(in crate::server) fn register(running: &Running, id: u64) -> Option<Registered> {
    let mut calls = running.lock().unwrap_or_else(|p| p.into_inner());
    if calls.contains_key(&id) {
        return None;
    }
    let control = Control {
        credit: Arc::new(Credit {
            window: AtomicI64::new(INITIAL_WINDOW),
            more: Notify::new(),
        }),
        cancel: CancellationToken::new(),
    };
    calls.insert(id, control.clone());
    Some(Registered {
        running: Arc::clone(running),
        id,
        control,
    })
}

/// A call's place among the running ones, given up when it is dropped.
pub(in crate::server) struct Registered {
    running: Running,
    id: u64,
    pub(in crate::server) control: Control,
}

impl Drop for Registered {
    fn drop(&mut self) {
        let mut calls = self.running.lock().unwrap_or_else(|p| p.into_inner());
        calls.remove(&self.id);
    }
}
