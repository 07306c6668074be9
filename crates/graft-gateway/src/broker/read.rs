//! Taking calls from one queue: `XREADGROUP` for as many entries as there
//! are free `--maxInFlight` permits, each entry run with one of them.

use std::sync::Arc;
use std::time::Duration;

use redis::aio::MultiplexedConnection;
use redis::streams::{StreamReadOptions, StreamReadReply};
use tokio_util::sync::CancellationToken;

use super::entry::{self, Entry};
use super::{Broker, GROUP};

/// Entries asked for at once, at most.
const BATCH: usize = 64;
/// How long one read waits for an entry: the longest a stop waits for it.
const BLOCK: Duration = Duration::from_millis(500);

/// Takes `queue`'s calls until `stop`, reconnecting after a failure.
pub(super) async fn consume(broker: Arc<Broker>, queue: String, stop: CancellationToken) {
    let mut conn: Option<MultiplexedConnection> = None;
    while !stop.is_cancelled() {
        let permits = tokio::select! {
            permits = broker.permits(BATCH) => permits,
            () = stop.cancelled() => return,
        };
        if conn.is_none() {
            conn = super::connect(&broker.client, None).await.ok();
        }
        let Some(open) = conn.as_mut() else {
            tracing::warn!("broker: cannot connect to read {queue}; trying again");
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        };
        match read(open, &queue, &broker.consumer, permits.len()).await {
            Ok(entries) => {
                for (entry, permit) in entries.into_iter().zip(permits) {
                    let task = entry::run(Arc::clone(&broker), entry, permit, false);
                    broker.tasks.spawn(task);
                }
            }
            Err(err) => {
                tracing::warn!("broker: reading {queue} failed: {err}; trying again");
                conn = None;
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// Up to `count` new entries of `queue` for `consumer`, or none after [`BLOCK`].
async fn read(
    conn: &mut MultiplexedConnection,
    queue: &str,
    consumer: &str,
    count: usize,
) -> redis::RedisResult<Vec<Entry>> {
    let options = StreamReadOptions::default()
        .group(GROUP, consumer)
        .count(count)
        .block(BLOCK.as_millis() as usize);
    let reply: Option<StreamReadReply> = redis::cmd("XREADGROUP")
        .arg(&options)
        .arg("STREAMS")
        .arg(queue)
        .arg(">")
        .query_async(conn)
        .await?;
    let ids = reply.into_iter().flat_map(|r| r.keys).flat_map(|k| k.ids);
    Ok(ids.filter_map(|id| Entry::of(queue, id)).collect())
}
