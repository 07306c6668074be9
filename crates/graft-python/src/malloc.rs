//! CPython's memory taken from mimalloc, as gg's own is.
//!
//! CPython takes each object over 512 bytes, and the buffers of `bytes`,
//! `str` and lists, from its raw allocator (the C library's `malloc`), and
//! its small objects from 1 MiB arenas that it maps and unmaps itself. A
//! gateway building 10,000 records per call, or answering 1 MB byte strings
//! to 64 callers at once, frees that memory between calls, and glibc or the
//! kernel took it back, so every call faulted its pages in anew (about 240
//! page faults a call for 10,000 records, 50 for 1 MB at 64 callers;
//! BENCHMARKS.md). mimalloc keeps freed memory for reuse and returns it to
//! the kernel only once it has stayed unused for a while.
//!
//! Both allocators can only be replaced before CPython starts: memory is
//! freed by the allocator that is in place then.
//!
//! gg also runs without transparent huge pages ([`without_huge_pages`]),
//! and gives memory back after a burst ([`purge_when_idle`]).

use std::ffi::c_void;

use libmimalloc_sys as mi;
use pyo3::ffi;

/// Routes CPython's raw allocations and its arenas to mimalloc, unless the
/// interpreter is already running (then it does nothing: the memory it
/// holds must go back to the allocator that gave it). A user who chose an
/// allocator with `PYTHONMALLOC` keeps it.
pub(crate) fn use_mimalloc() {
    purge_when_idle();
    // SAFETY: Py_IsInitialized may be called at any time.
    if std::env::var_os("PYTHONMALLOC").is_some() || unsafe { ffi::Py_IsInitialized() } != 0 {
        return;
    }
    let mut raw = ffi::PyMemAllocatorEx {
        ctx: std::ptr::null_mut(),
        malloc: Some(raw_malloc),
        calloc: Some(raw_calloc),
        realloc: Some(raw_realloc),
        free: Some(raw_free),
    };
    let mut arenas = ffi::PyObjectArenaAllocator {
        ctx: std::ptr::null_mut(),
        alloc: Some(arena_alloc),
        free: Some(arena_free),
    };
    // SAFETY: called before Py_Initialize, so no memory exists yet that an
    // earlier allocator must free; CPython copies both structs.
    unsafe {
        ffi::PyMem_SetAllocator(ffi::PyMemAllocatorDomain::PYMEM_DOMAIN_RAW, &mut raw);
        ffi::PyObject_SetArenaAllocator(&mut arenas);
    }
}

/// How often the purger asks mimalloc to return memory freed a while ago.
const PURGE_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Starts, once per process, a thread that asks mimalloc every
/// [`PURGE_EVERY`] to give the kernel back what was freed longer ago than
/// its purge delay, and what threads that ended left behind. mimalloc
/// purges only when an allocating thread comes by, so after a burst the
/// memory of threads that went quiet stayed resident: five connections
/// sending 30 MB left gg at 300 MiB until later traffic; with the purger it
/// is back at its idle 43 MiB within a second (`tests/e2e/test_memory_budget.py`).
/// Setting mimalloc's purge delay to 0 did as much but purges on every free;
/// this costs nothing measurable at 64 callers of long lists.
fn purge_when_idle() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        let started = std::thread::Builder::new()
            .name("graft-purge".into())
            .spawn(|| {
                loop {
                    std::thread::sleep(PURGE_EVERY);
                    // SAFETY: mi_collect may be called from any thread at any time.
                    unsafe { mi::mi_collect(true) };
                }
            });
        if let Err(err) = started {
            tracing::debug!("mimalloc's purger did not start: {err}");
        }
    });
}

/// Turns transparent huge pages off for this process (Linux), unless the
/// user chose with `MIMALLOC_ALLOW_THP`.
///
/// mimalloc asks for huge pages on the memory it reserves, and each thread
/// allocates from its own part of it. gg runs a slow method on a blocking
/// thread per call in flight, so 64 callers of 10,000 records touched 64
/// threads' worth of 2 MiB pages, each zeroed by the kernel in full: the
/// first such burst after start-up ran at 85 calls/s and peaked at 1.15 GB,
/// against 130 calls/s and 305 MB with 4 KiB pages, and steady loads ran
/// the same or faster (BENCHMARKS.md). Child processes inherit the setting.
pub(crate) fn without_huge_pages() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        // SAFETY: PR_SET_THP_DISABLE takes no pointers; it sets a flag the
        // kernel reads when it next faults a page in.
        let failed = unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) } != 0;
        if failed {
            tracing::debug!(
                "transparent huge pages stay on: {}",
                std::io::Error::last_os_error()
            );
        }
    }
}

// CPython asks that a request for zero bytes give a distinct, non-null
// pointer, as one byte does; mimalloc's functions are thread-safe, as the
// raw domain requires.

extern "C" fn raw_malloc(_ctx: *mut c_void, size: usize) -> *mut c_void {
    // SAFETY: plain allocation.
    unsafe { mi::mi_malloc(size.max(1)) }
}

extern "C" fn raw_calloc(_ctx: *mut c_void, count: usize, size: usize) -> *mut c_void {
    let (count, size) = if count == 0 || size == 0 {
        (1, 1)
    } else {
        (count, size)
    };
    // SAFETY: plain allocation; mi_calloc checks count * size for overflow.
    unsafe { mi::mi_calloc(count, size) }
}

extern "C" fn raw_realloc(_ctx: *mut c_void, ptr: *mut c_void, size: usize) -> *mut c_void {
    // SAFETY: `ptr` is null or came from this allocator (it was installed
    // before any allocation).
    unsafe { mi::mi_realloc(ptr, size.max(1)) }
}

extern "C" fn raw_free(_ctx: *mut c_void, ptr: *mut c_void) {
    // SAFETY: as for raw_realloc; mi_free accepts null.
    unsafe { mi::mi_free(ptr) }
}

extern "C" fn arena_alloc(_ctx: *mut c_void, size: usize) -> *mut c_void {
    // SAFETY: plain allocation (pymalloc aligns its pools within the arena itself).
    unsafe { mi::mi_malloc(size) }
}

extern "C" fn arena_free(_ctx: *mut c_void, ptr: *mut c_void, _size: usize) {
    // SAFETY: every arena came from arena_alloc.
    unsafe { mi::mi_free(ptr) }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn huge_pages_end_up_off_unless_the_user_chose() {
        without_huge_pages();
        // SAFETY: PR_GET_THP_DISABLE takes no pointers and only reads the flag.
        let disabled = unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) };
        let chose = std::env::var_os("MIMALLOC_ALLOW_THP").is_some();
        assert!(
            chose || disabled == 1,
            "PR_GET_THP_DISABLE answered {disabled}"
        );
    }
}
