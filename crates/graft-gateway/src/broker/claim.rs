//! Calls whose gateway stopped. Every tick a gateway claims its running
//! entries again (`XCLAIM ... JUSTID`, which makes them fresh), then takes
//! over the entries of each queue that no gateway claimed for
//! `--brokerReclaim` (`XAUTOCLAIM`): their gateway stopped while running
//! them. Such a call runs again only if its method is idempotent
//! (`entry::run`); otherwise its caller gets an error saying so. Each tick
//! also reads the queues' lengths for `/metrics`.

use std::sync::Arc;
use std::time::Duration;

use redis::streams::{StreamAutoClaimOptions, StreamAutoClaimReply};
use tokio_util::sync::CancellationToken;

use super::entry::{self, Entry};
use super::{Broker, GROUP};

/// Entries taken over in one go, at most.
const CLAIM_COUNT: usize = 64;

/// Claims and takes over until `stop`.
pub(super) async fn watch(broker: Arc<Broker>, queues: Vec<String>, stop: CancellationToken) {
    let tick = (broker.reclaim / 3).clamp(Duration::from_millis(100), Duration::from_secs(1));
    loop {
        tokio::select! {
            () = tokio::time::sleep(tick) => {}
            () = stop.cancelled() => return,
        }
        if let Err(err) = broker.sync_clock().await {
            tracing::warn!("broker: cannot read its clock: {err}");
            continue;
        }
        for queue in &queues {
            if let Err(err) = tend(&broker, queue).await {
                tracing::warn!("broker: cannot tend {queue}: {err}");
            }
        }
    }
}

/// One queue's tick: ours claimed again, stopped gateways' taken over, its length read.
async fn tend(broker: &Arc<Broker>, queue: &str) -> redis::RedisResult<()> {
    let mut conn = broker.writer.clone();
    let ours = broker.running_in(queue);
    if !ours.is_empty() {
        let _: redis::Value = redis::cmd("XCLAIM")
            .arg(queue)
            .arg(GROUP)
            .arg(&broker.consumer)
            .arg(0)
            .arg(&ours)
            .arg("JUSTID")
            .query_async(&mut conn)
            .await?;
    }
    take_over(broker, queue).await?;
    let length: i64 = redis::cmd("XLEN").arg(queue).query_async(&mut conn).await?;
    super::status::queue_length(queue, length);
    Ok(())
}

/// The entries no gateway claimed for `--brokerReclaim`, each run (or
/// refused) here with a permit of this gateway's.
async fn take_over(broker: &Arc<Broker>, queue: &str) -> redis::RedisResult<()> {
    let mut conn = broker.writer.clone();
    let idle = broker.reclaim.as_millis() as u64;
    let options = StreamAutoClaimOptions::default().count(CLAIM_COUNT);
    let reply: StreamAutoClaimReply = redis::cmd("XAUTOCLAIM")
        .arg(queue)
        .arg(GROUP)
        .arg(&broker.consumer)
        .arg(idle)
        .arg("0-0")
        .arg(options)
        .query_async(&mut conn)
        .await?;
    for stream in reply.claimed {
        let Some(entry) = Entry::of(queue, stream) else {
            continue;
        };
        let permit = match broker.permits(1).await.pop() {
            Some(permit) => permit,
            None => return Ok(()),
        };
        broker
            .tasks
            .spawn(entry::run(Arc::clone(broker), entry, permit, true));
    }
    Ok(())
}
