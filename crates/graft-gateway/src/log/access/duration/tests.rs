//! The duration's bytes, by each way of writing them, against `f64`'s
//! `Debug`, on durations of every size and on the values where ryu and
//! `Debug` part.

use std::time::Duration;

use super::{debug, exact, may_tie, ms, write};

/// How often each way of writing was taken.
#[derive(Default)]
struct Seen {
    exact: usize,
    by_ryu: usize,
    by_debug: usize,
    /// Values ryu alone would have written otherwise than `Debug`.
    parted: usize,
}

impl Seen {
    fn float(&mut self, x: f64) {
        let mut out = Vec::new();
        debug(&mut out, x);
        let expected = format!("{x:?}");
        assert_eq!(String::from_utf8(out).unwrap(), expected, "{x:e}");
        if (1e-4..1e16).contains(&x) && !may_tie(x) {
            self.by_ryu += 1;
        } else {
            self.by_debug += 1;
        }
        if x.is_finite() && ryu::Buffer::new().format_finite(x) != expected {
            self.parted += 1;
        }
    }

    fn duration(&mut self, elapsed: Duration) {
        let ms = ms(elapsed);
        let expected = format!("{ms:?}");
        let mut out = Vec::new();
        write(&mut out, elapsed);
        assert_eq!(String::from_utf8(out).unwrap(), expected, "{elapsed:?}");
        let mut out = Vec::new();
        if exact(&mut out, elapsed, ms) {
            assert_eq!(String::from_utf8(out).unwrap(), expected, "{elapsed:?}");
            self.exact += 1;
        } else {
            self.float(ms);
        }
    }
}

/// xorshift64: the same values on every run.
fn numbers(count: usize) -> impl Iterator<Item = u64> {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    std::iter::repeat_with(move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    })
    .take(count)
}

#[test]
fn durations_are_written_as_debug_writes_them() {
    let mut seen = Seen::default();
    // From 1 ns to the longest Duration, 0.2% apart.
    let mut seconds = 1e-9;
    while seconds < u64::MAX as f64 {
        seen.duration(Duration::from_secs_f64(seconds));
        seconds *= 1.002;
    }
    for ns in (0..=100_000).chain((1 << 52) - 1000..(1 << 52) + 1000) {
        seen.duration(Duration::from_nanos(ns));
    }
    for ms in (0..=100_000).chain((1..=1000).map(|s| s * 1_000_000)) {
        seen.duration(Duration::from_millis(ms));
    }
    // Calls' durations (up to 100 s), and any (a shift of up to 63 bits).
    let mut calls = Seen::default();
    for n in numbers(100_000) {
        calls.duration(Duration::from_nanos(n % 100_000_000_000));
        seen.duration(Duration::from_nanos(n >> (n % 64)));
    }
    assert!(seen.exact > 100_000, "{}", seen.exact);
    assert!(seen.by_ryu > 50_000, "{}", seen.by_ryu);
    // Below 100 ns, over 300,000 years, ...
    assert!(seen.by_debug > 10_000, "{}", seen.by_debug);
    assert!(seen.parted > 1000, "{}", seen.parted);
    // ... and hardly a call's.
    assert!(calls.exact > 60_000, "{}", calls.exact);
    assert!(calls.by_debug < 10, "{}", calls.by_debug);
}

#[test]
fn ties_are_left_to_debug() {
    // 239670391216.640625 ms: Debug rounds the 5 up, ryu to the even 2.
    let x = ms(Duration::from_nanos(239_670_391_216_640_619));
    assert_eq!(format!("{x:?}"), "239670391216.64063");
    assert_eq!(ryu::Buffer::new().format_finite(x), "239670391216.64062");
    assert!(may_tie(x));
    let mut seen = Seen::default();
    seen.float(x);
    // Values from 1e-4 to 2^63 with few significant bits, where ties gather.
    for n in numbers(200_000) {
        let (exponent, zeros) = (1010 + n % 64, n >> 8 & 63);
        let mantissa = n >> 12 & !((1 << zeros) - 1);
        seen.float(f64::from_bits(exponent << 52 | mantissa));
    }
    assert!(seen.parted > 1000, "{}", seen.parted);
}

#[test]
fn other_floats_are_written_as_debug_writes_them() {
    let mut seen = Seen::default();
    for x in [
        0.0,
        -0.0,
        1.0,
        0.5,
        1e-4,
        9.999999999999999e-5,
        1e-5,
        1e15,
        9999999999999998.0,
        1e16,
        -12.5,
        f64::MAX,
        f64::MIN_POSITIVE,
        5e-324,
        f64::INFINITY,
        f64::NAN,
    ] {
        seen.float(x);
    }
    assert!(seen.by_ryu >= 3 && seen.by_debug >= 10);
}
