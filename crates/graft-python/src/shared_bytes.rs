//! A Python `bytes` object's buffer as a [`Bytes`], shared instead of copied.
//!
//! A method that returns a large `bytes` would otherwise have it copied into
//! a `Value` and again into the reply; shared, the reply is written to the
//! socket straight from the Python object.

use bytes::Bytes;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// Below this size a copy costs less than holding the object (whose
/// reference must later be released with the GIL).
const SHARE_FROM: usize = 64 * 1024;

/// The contents of `object`: shared with it when large, copied when small.
pub(crate) fn bytes_of(object: &Bound<'_, PyBytes>) -> Bytes {
    let data = object.as_bytes();
    if data.len() < SHARE_FROM {
        return Bytes::copy_from_slice(data);
    }
    Bytes::from_owner(PyBytesBuffer {
        ptr: data.as_ptr(),
        len: data.len(),
        _object: object.clone().unbind(),
    })
}

/// Keeps a `bytes` object alive while its buffer is in use.
struct PyBytesBuffer {
    ptr: *const u8,
    len: usize,
    /// Dropped on a thread not attached to Python (the connection's writer,
    /// say), PyO3 queues its release for the next thread that attaches.
    _object: Py<PyBytes>,
}

// SAFETY: a `bytes` object's buffer is part of the object, which `_object`
// keeps alive, and `bytes` are immutable: nobody writes the buffer (CPython
// resizes a `bytes` in place only while its one reference is private to the
// code resizing it, and this holds a reference), so reading it needs no GIL
// and may happen on any thread.
unsafe impl Send for PyBytesBuffer {}

impl AsRef<[u8]> for PyBytesBuffer {
    fn as_ref(&self) -> &[u8] {
        // SAFETY: `ptr` and `len` are the buffer of `_object` (see above).
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_bytes_are_shared_and_small_ones_copied() {
        Python::initialize();
        let (large, small) = Python::attach(|py| {
            let large = PyBytes::new(py, &vec![7; SHARE_FROM]);
            let small = PyBytes::new(py, b"small");
            let shared = bytes_of(&large);
            assert_eq!(
                shared.as_ptr(),
                large.as_bytes().as_ptr(),
                "shared, not copied"
            );
            let copied = bytes_of(&small);
            assert_ne!(copied.as_ptr(), small.as_bytes().as_ptr());
            (shared, copied)
        });
        // Read and dropped on a thread that never attaches to Python.
        let (len, first, small) = std::thread::spawn(move || (large.len(), large[0], small))
            .join()
            .expect("the thread reads the buffer");
        assert_eq!((len, first, &small[..]), (SHARE_FROM, 7, &b"small"[..]));
    }
}
