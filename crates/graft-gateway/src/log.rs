//! gg's log on stderr. Each call's access line (target `gg::access`)
//! gathers in a buffer that a thread of its own writes out every
//! [`EVERY`], or at once when it holds [`FULL`] bytes, so that a call pays
//! for formatting its line but for no system call or thread wake-up. Every
//! other line is written at once, after the access lines before it, and
//! the buffer is written out at exit ([`Flush`]).
//!
//! An access line is written by [`access`] itself, in the shape tracing's
//! formatter gives every other line, rather than through tracing's generic
//! field visitor, which cost a call a tenth of gg's CPU. `GG_LOG` still
//! decides whether it is written.

mod access;

use std::io::Write;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use tracing::{Metadata, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::util::SubscriberInitExt as _;

use crate::trace::LogFormat;
pub use access::access;

/// The target of the access lines (`crate::observe`).
pub const ACCESS: &str = "gg::access";
/// How long a line may wait in the buffer.
const EVERY: Duration = Duration::from_millis(100);
/// A buffer this full is written out by the line that filled it.
const FULL: usize = 64 * 1024;

/// The log as [`init`] started it: where [`access`] writes, and how.
struct Log {
    buffer: Buffered,
    format: LogFormat,
    /// Text with ANSI colours (stderr is a terminal): access lines then go
    /// through tracing, to be coloured as the others are.
    color: bool,
}

static LOG: OnceLock<Log> = OnceLock::new();

/// Starts the log (`GG_LOG` filters it, `info` by default); lines still
/// buffered are written when the returned value drops.
pub fn init(format: LogFormat) -> Flush {
    let filter = EnvFilter::try_from_env("GG_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let color = std::env::var_os("NO_COLOR").is_none()
        && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let buffer = Buffered::default();
    subscriber(format, color, filter, buffer.clone()).init();
    let _ = LOG.set(Log {
        buffer: buffer.clone(),
        format,
        color,
    });
    let writer = buffer.clone();
    let _ = std::thread::Builder::new()
        .name("gg-log".into())
        .spawn(move || {
            loop {
                std::thread::sleep(EVERY);
                writer.write_out(&mut writer.lines());
            }
        });
    Flush(buffer)
}

/// tracing's formatter for every line but the access lines, writing to `writer`.
fn subscriber<W>(
    format: LogFormat,
    color: bool,
    filter: EnvFilter,
    writer: W,
) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let log = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_target(false);
    match format {
        LogFormat::Json => Box::new(log.json().finish()),
        LogFormat::Text => Box::new(log.with_ansi(color).without_time().finish()),
    }
}

/// Writes the buffered lines out when dropped (at gg's exit).
pub struct Flush(Buffered);

impl Drop for Flush {
    fn drop(&mut self) {
        self.0.write_out(&mut self.0.lines());
    }
}

/// The log's writer: access lines into the buffer, others through it.
#[derive(Clone, Default)]
struct Buffered {
    lines: Arc<Mutex<Vec<u8>>>,
}

impl Buffered {
    fn lines(&self) -> MutexGuard<'_, Vec<u8>> {
        self.lines
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Adds access lines to the buffer (written out if it is full).
    fn append(&self, bytes: &[u8]) {
        let mut line = Line {
            buffer: self,
            at_once: false,
        };
        let _ = line.write(bytes);
    }

    fn write_out(&self, lines: &mut Vec<u8>) {
        if !lines.is_empty() {
            // Nowhere to report a failed write to stderr: the lines are dropped.
            let _ = std::io::stderr().lock().write_all(lines);
            lines.clear();
        }
    }
}

/// One event's line, handed to the buffer as it is written.
struct Line<'a> {
    buffer: &'a Buffered,
    at_once: bool,
}

impl Write for Line<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let mut lines = self.buffer.lines();
        lines.extend_from_slice(bytes);
        if self.at_once || lines.len() >= FULL {
            self.buffer.write_out(&mut lines);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Buffered {
    type Writer = Line<'a>;

    fn make_writer(&'a self) -> Line<'a> {
        Line {
            buffer: self,
            at_once: true,
        }
    }

    fn make_writer_for(&'a self, meta: &Metadata<'_>) -> Line<'a> {
        Line {
            buffer: self,
            at_once: meta.target() != ACCESS,
        }
    }
}
