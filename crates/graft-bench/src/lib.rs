//! The Rust floor of Graft's benchmarks (`bench/run.sh`).
//!
//! The least a request/response call over loopback TCP can cost: a frame is a
//! big-endian u32 length and that many bytes; the server (`echo-server`)
//! answers each frame with the same bytes, in order; the client
//! (`echo-client`) measures sequential latency and throughput with 1, 16 and
//! 64 calls in flight on one connection, and prints the figures as JSON for
//! `bench/harness.py`. No codec, no dispatch, no Python: whatever a real
//! system spends above these figures is its own.
//!
//! - [`frame`]: reading and writing one length-prefixed frame.
//! - [`stats`]: percentiles and the CPU time of a process from `/proc`.

pub mod frame;
pub mod stats;
