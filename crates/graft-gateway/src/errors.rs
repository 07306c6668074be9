//! What a failed call tells its caller.
//!
//! By default an exception raised by a hosted method reaches the caller as
//! its type, module, message and fields, plus a call id; its traceback,
//! which names files and lines of the hosted code, stays in the gateway's
//! log beside that id. `gg --tracebacks` sends tracebacks to callers too,
//! for development.

use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use graft_model::Raised;

static TRACEBACKS: AtomicBool = AtomicBool::new(false);
static NEXT_CALL: AtomicU64 = AtomicU64::new(1);

/// `--tracebacks`: whether callers receive tracebacks (set once at start-up).
pub fn send_tracebacks(on: bool) {
    TRACEBACKS.store(on, Ordering::Relaxed);
}

/// Takes the traceback out of `raised`, unless `--tracebacks` is on, and
/// logs it beside a new call id, which it answers for the caller.
pub fn conceal(raised: &mut Raised) -> Option<String> {
    if TRACEBACKS.load(Ordering::Relaxed) {
        return None;
    }
    let id = call_id();
    let traceback = std::mem::take(&mut raised.traceback);
    tracing::error!(
        "call {id} raised {}.{}: {}\n{traceback}",
        raised.module,
        raised.type_name,
        raised.message
    );
    Some(id)
}

/// What the TCP Error frame carries where the traceback was: the call id, for the log.
pub fn traceback_note(id: &str) -> String {
    format!("call id {id}: the traceback is in the gateway's log (gg --tracebacks sends it)")
}

/// A call id unique to this run of gg: a random prefix and a counter.
fn call_id() -> String {
    static RUN: OnceLock<u32> = OnceLock::new();
    let run = RUN.get_or_init(|| {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u32(std::process::id());
        hasher.finish() as u32
    });
    let n = NEXT_CALL.fetch_add(1, Ordering::Relaxed);
    format!("{run:08x}-{n}")
}

/// The interface as `/libraries` shows it: each module's file by its name
/// only, never the absolute path it was loaded from.
pub fn without_paths(iface: &graft_model::Interface) -> graft_model::Interface {
    let mut iface = iface.clone();
    for service in &mut iface.services {
        let name = std::path::Path::new(&service.file)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        service.file = name;
    }
    iface
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_ids_differ() {
        assert_ne!(call_id(), call_id());
    }
}
