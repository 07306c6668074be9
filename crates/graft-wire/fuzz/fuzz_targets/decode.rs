//! Every decoder on arbitrary bytes: none may panic, overflow the stack or
//! allocate without bound (libFuzzer's `-rss_limit_mb` and `-malloc_limit_mb`
//! catch the latter). What decodes must keep the round-trip rule of
//! `tests/it/round_trip.rs`: it encodes to bytes that decode to the same
//! value (compared as values, not as the input bytes, which need not be the
//! encoder's form) and encode to the same bytes again. Frames are parsed from
//! a slice and from a shared buffer, every kind included (version 5's Items,
//! Credit and Cancel among them; `docs/protocol-vectors` seeds them).
#![no_main]

use graft_wire::{Frame, Hello};
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/it/round_trip.rs"]
mod round_trip;

fuzz_target!(|data: &[u8]| {
    round_trip::value_round_trips(data);
    if let Ok(total) = Frame::check(data, u32::MAX) {
        round_trip::frame_round_trips(&data[4..total]);
    }
    if let Some(hello) = data.first_chunk::<16>() {
        let _ = Hello::decode(hello);
    }
});
