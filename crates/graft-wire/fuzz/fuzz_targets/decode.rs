//! Every decoder on arbitrary bytes: none may panic, overflow the stack or
//! allocate without bound (libFuzzer's `-rss_limit_mb` and `-malloc_limit_mb`
//! catch the latter). Whatever decodes must encode back to the same bytes.
#![no_main]

use bytes::BytesMut;
use graft_wire::{Frame, Hello, decode_value, encode_value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut input = data;
    if let Ok(value) = decode_value(&mut input) {
        let used = data.len() - input.len();
        let mut again = BytesMut::new();
        encode_value(&value, &mut again);
        assert_eq!(&again[..], &data[..used], "a decoded value re-encodes to its bytes");
    }
    if let Ok(total) = Frame::check(data, u32::MAX) {
        if let Ok(frame) = Frame::parse(&data[4..total]) {
            let mut again = BytesMut::new();
            frame.encode(&mut again, u32::MAX).expect("a parsed frame fits");
            assert_eq!(&again[..], &data[..total], "a parsed frame re-encodes to its bytes");
        }
    }
    if let Some(hello) = data.first_chunk::<16>() {
        let _ = Hello::decode(hello);
    }
});
