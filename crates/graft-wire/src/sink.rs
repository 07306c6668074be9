//! Where values and frames are encoded.
//!
//! The codec writes into any [`Sink`]. A `BytesMut` copies everything into
//! one buffer; an [`Encoded`] keeps large byte strings shared with the values
//! they come from (a Python `bytes` a method returned, say), so a reply
//! carrying a megabyte goes to the socket without being copied first.

use bytes::{BufMut, Bytes, BytesMut};

/// Byte strings at least this long are shared by an [`Encoded`], not copied.
pub const SHARE_FROM: usize = 64 * 1024;

/// A buffer the codec writes into: integers big-endian, bytes in order.
pub trait Sink {
    /// Appends `src`, copied.
    fn put_slice(&mut self, src: &[u8]);

    /// How many bytes have been written so far.
    fn written(&self) -> usize;

    /// Appends `bytes`, shared rather than copied where the sink can.
    fn put_shared(&mut self, bytes: &Bytes) {
        self.put_slice(bytes);
    }

    /// Writes `value` over the four bytes at `at`, counted from the sink's
    /// start; they must have been written in place.
    fn set_u32(&mut self, at: usize, value: u32);

    /// Drops everything written from `at` on.
    fn truncate_to(&mut self, at: usize);

    fn put_u8(&mut self, n: u8) {
        self.put_slice(&[n]);
    }

    fn put_u16(&mut self, n: u16) {
        self.put_slice(&n.to_be_bytes());
    }

    fn put_u32(&mut self, n: u32) {
        self.put_slice(&n.to_be_bytes());
    }

    fn put_u64(&mut self, n: u64) {
        self.put_slice(&n.to_be_bytes());
    }

    fn put_i64(&mut self, n: i64) {
        self.put_slice(&n.to_be_bytes());
    }
}

impl Sink for BytesMut {
    fn put_slice(&mut self, src: &[u8]) {
        self.extend_from_slice(src);
    }

    fn written(&self) -> usize {
        self.len()
    }

    fn set_u32(&mut self, at: usize, value: u32) {
        self[at..at + 4].copy_from_slice(&value.to_be_bytes());
    }

    fn truncate_to(&mut self, at: usize) {
        self.truncate(at);
    }

    fn put_u8(&mut self, n: u8) {
        BufMut::put_u8(self, n);
    }
}

/// Encoded bytes: written in place, interleaved with shared byte strings.
#[derive(Debug, Default)]
pub struct Encoded {
    buf: BytesMut,
    /// Each shared string, with the offset in `buf` it comes before.
    shared: Vec<(usize, Bytes)>,
    /// The shared strings' total length.
    shared_len: usize,
}

impl Encoded {
    pub fn with_capacity(capacity: usize) -> Self {
        Encoded {
            buf: BytesMut::with_capacity(capacity),
            ..Encoded::default()
        }
    }

    /// The bytes in order, as slices to write one after the other.
    pub fn chunks(&self) -> impl Iterator<Item = &[u8]> {
        let mut from = 0;
        let parts = self.shared.iter().flat_map(move |(at, bytes)| {
            let before = &self.buf[from..*at];
            from = *at;
            [before, &bytes[..]]
        });
        let rest = self.shared.last().map_or(0, |(at, _)| *at);
        parts
            .chain([&self.buf[rest..]])
            .filter(|chunk| !chunk.is_empty())
    }

    /// Appends `other` after what is here.
    pub fn append(&mut self, other: Encoded) {
        let base = self.buf.len();
        self.buf.extend_from_slice(&other.buf);
        self.shared.extend(
            other
                .shared
                .into_iter()
                .map(|(at, bytes)| (base + at, bytes)),
        );
        self.shared_len += other.shared_len;
    }

    /// Where the position `at` (counted from the start, shared strings
    /// included) falls: its offset in `buf`, and how many shared strings
    /// come before it. `at` must not fall inside a shared string.
    fn locate(&self, at: usize) -> (usize, usize) {
        let mut skipped = 0;
        for (before, (offset, bytes)) in self.shared.iter().enumerate() {
            if offset + skipped >= at {
                return (at - skipped, before);
            }
            skipped += bytes.len();
        }
        (at - skipped, self.shared.len())
    }
}

impl Sink for Encoded {
    fn put_slice(&mut self, src: &[u8]) {
        self.buf.extend_from_slice(src);
    }

    fn put_u8(&mut self, n: u8) {
        BufMut::put_u8(&mut self.buf, n);
    }

    fn written(&self) -> usize {
        self.buf.len() + self.shared_len
    }

    fn put_shared(&mut self, bytes: &Bytes) {
        if bytes.len() < SHARE_FROM {
            return self.buf.extend_from_slice(bytes);
        }
        self.shared.push((self.buf.len(), bytes.clone()));
        self.shared_len += bytes.len();
    }

    fn set_u32(&mut self, at: usize, value: u32) {
        let (at, _) = self.locate(at);
        self.buf.set_u32(at, value);
    }

    fn truncate_to(&mut self, at: usize) {
        let (at, kept) = self.locate(at);
        for (_, bytes) in self.shared.drain(kept..) {
            self.shared_len -= bytes.len();
        }
        self.buf.truncate(at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(encoded: &Encoded) -> Vec<u8> {
        encoded.chunks().flatten().copied().collect()
    }

    #[test]
    fn large_strings_are_shared_in_order_and_small_ones_copied() {
        let large = Bytes::from(vec![7; SHARE_FROM]);
        let mut encoded = Encoded::default();
        encoded.put_u32(0);
        encoded.put_shared(&Bytes::from_static(b"small"));
        encoded.put_shared(&large);
        encoded.put_u8(1);
        encoded.put_shared(&large);
        encoded.set_u32(0, 42);
        assert_eq!(encoded.written(), 4 + 5 + 2 * SHARE_FROM + 1);
        let chunks: Vec<&[u8]> = encoded.chunks().collect();
        assert_eq!(chunks.len(), 4, "head, shared, one byte, shared");
        assert_eq!(chunks[1].as_ptr(), large.as_ptr(), "shared, not copied");
        let mut expected = vec![0, 0, 0, 42];
        expected.extend_from_slice(b"small");
        expected.extend_from_slice(&large);
        expected.push(1);
        expected.extend_from_slice(&large);
        assert_eq!(joined(&encoded), expected);
    }

    #[test]
    fn set_and_truncate_count_shared_strings() {
        let large = Bytes::from(vec![7; SHARE_FROM]);
        let mut encoded = Encoded::default();
        encoded.put_shared(&large);
        let frame = encoded.written();
        encoded.put_u32(0);
        encoded.put_shared(&large);
        encoded.set_u32(frame, 9);
        assert_eq!(&joined(&encoded)[frame..frame + 4], &[0, 0, 0, 9]);
        encoded.truncate_to(frame);
        assert_eq!(encoded.written(), SHARE_FROM);
        assert_eq!(joined(&encoded), &large[..]);
    }

    #[test]
    fn appended_frames_keep_their_order() {
        let large = Bytes::from(vec![3; SHARE_FROM]);
        let mut first = Encoded::default();
        first.put_u8(1);
        first.put_shared(&large);
        let mut second = Encoded::default();
        second.put_u8(2);
        second.put_shared(&large);
        second.put_u8(4);
        first.append(second);
        let mut expected = vec![1];
        expected.extend_from_slice(&large);
        expected.push(2);
        expected.extend_from_slice(&large);
        expected.push(4);
        assert_eq!(joined(&first), expected);
        assert_eq!(first.written(), expected.len());
    }
}
