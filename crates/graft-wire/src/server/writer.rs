//! A connection's writer task: queued frames go out in batches, and each
//! batch's share of the memory budget goes back once it is written. A client
//! that takes none of its replies for three heartbeat intervals is given up:
//! its unwritten replies hold budget that every connection's reads wait for.

use std::time::Duration;

use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::budget::Permit;
use crate::sink::{Encoded, Sink};

/// Replies queued together are sent in one write, up to this many bytes.
const BATCH_BYTES: usize = 256 * 1024;

/// Why a write stopped.
enum Stopped {
    /// The client is gone (the socket failed or closed).
    Gone,
    /// The client took nothing for the whole patience.
    Stuck,
}

/// Writes queued frames, coalescing those already waiting into one batch;
/// a batch's shared byte strings are written from where they are. Cancels
/// `stuck` and stops if the client takes nothing for `patience`.
pub(super) async fn write_loop<W: AsyncWrite + Unpin>(
    mut stream: W,
    mut queue: mpsc::UnboundedReceiver<(Encoded, Permit)>,
    stuck: CancellationToken,
    patience: Duration,
) {
    while let Some((mut batch, mut held)) = queue.recv().await {
        while batch.written() < BATCH_BYTES {
            match queue.try_recv() {
                Ok((more, permit)) => {
                    batch.append(more);
                    held.merge(permit);
                }
                Err(_) => break,
            }
        }
        for chunk in batch.chunks() {
            match write_within(&mut stream, chunk, patience).await {
                Ok(()) => {}
                Err(Stopped::Gone) => return,
                Err(Stopped::Stuck) => return stuck.cancel(),
            }
        }
    }
    let _ = stream.shutdown().await;
}

/// Writes `chunk`, as long as the client takes some of it every `patience`.
async fn write_within<W: AsyncWrite + Unpin>(
    stream: &mut W,
    mut chunk: &[u8],
    patience: Duration,
) -> Result<(), Stopped> {
    while !chunk.is_empty() {
        match tokio::time::timeout(patience, stream.write(chunk)).await {
            Ok(Ok(0) | Err(_)) => return Err(Stopped::Gone),
            Ok(Ok(n)) => {
                super::traffic::traffic().add_sent(n);
                chunk = &chunk[n..];
            }
            Err(_) => return Err(Stopped::Stuck),
        }
    }
    Ok(())
}
