//! Calls through a message broker: `gg --broker redis://host:6379/0` takes
//! calls for its hosted services from Redis Streams, besides or instead of
//! its listeners (README, "Calls through a broker").
//!
//! Each service has one queue, the stream `graft:calls:<Service>`, read by
//! the consumer group `graft` that every gateway hosting it joins, so each
//! entry goes to one of them. An entry holds a wire Call frame (`call`,
//! docs/PROTOCOL.md) and the list its caller awaits the answer on (`reply`;
//! none for a call sent without waiting). The answer goes on that list as
//! wire frames (Items, then Reply or Error), and the entry is acknowledged
//! and deleted with the last one, in one transaction.
//!
//! Laid out as: [`read`] takes entries from a queue, at most `--maxInFlight`
//! at once; [`entry`] runs one through the same `Dispatch` as TCP; [`claim`]
//! keeps this gateway's running entries its own and takes over those of a
//! gateway that stopped; [`status`] is what `/status` and `/metrics` show.

mod claim;
mod entry;
mod read;
pub mod status;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use redis::aio::MultiplexedConnection;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::tcp::HostDispatch;

/// The consumer group every gateway joins on each queue.
pub const GROUP: &str = "graft";

/// The queue of `service`'s calls.
pub fn queue_of(service: &str) -> String {
    format!("graft:calls:{service}")
}

/// What `--broker` and its options ask for.
pub struct Config {
    pub url: String,
    /// `--brokerReclaim`: how long a call taken by a gateway may go without
    /// that gateway saying it still runs it before another takes it over.
    pub reclaim: Duration,
    pub max_in_flight: usize,
}

/// One gateway's link to the broker, shared by its readers and calls.
pub struct Broker {
    client: redis::Client,
    /// Commands that do not block (answers, acknowledgements), pipelined.
    writer: MultiplexedConnection,
    dispatch: Arc<HostDispatch>,
    /// `--maxInFlight` permits: a call is taken from a queue only with one.
    slots: Arc<Semaphore>,
    /// This gateway's name in the consumer groups, unique to this process.
    consumer: String,
    reclaim: Duration,
    /// The methods that may run again after their gateway stopped: "Service.method".
    idempotent: HashSet<String>,
    /// The entries this gateway runs, by queue, which `claim` keeps its own.
    running: Mutex<HashMap<String, HashSet<String>>>,
    /// The broker's clock minus ours, in milliseconds: deadlines count from
    /// the time the broker gave an entry (its id), on the broker's clock.
    offset_ms: AtomicI64,
    tasks: TaskTracker,
}

/// Takes calls from the broker until `stopped`; calls taken then finish first.
pub async fn serve(
    config: Config,
    dispatch: Arc<HostDispatch>,
    stopped: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    let shown = status::without_password(&config.url);
    let services = &dispatch.host.interface().services;
    let queues: Vec<String> = services.iter().map(|s| queue_of(&s.name)).collect();
    let broker = Arc::new(Broker::connect(config, dispatch, &shown).await?);
    broker
        .join(&queues)
        .await
        .with_context(|| format!("cannot use the broker {shown}"))?;
    broker.sync_clock().await?;
    status::serving(&shown, &queues, &broker.consumer);
    tracing::info!("calls from the broker {shown}: {}", queues.join(", "));
    let stop = CancellationToken::new();
    for queue in &queues {
        let task = read::consume(Arc::clone(&broker), queue.clone(), stop.clone());
        broker.tasks.spawn(task);
    }
    let watch = claim::watch(Arc::clone(&broker), queues, stop.clone());
    broker.tasks.spawn(watch);
    stopped.await;
    stop.cancel();
    broker.tasks.close();
    broker.tasks.wait().await;
    Ok(())
}

/// `--broker`, when given: takes calls until `stopped`.
pub async fn from_cli(
    cli: &crate::cli::Cli,
    state: &crate::http::AppState,
    stopped: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let Some(url) = cli.broker.clone() else {
        return Ok(());
    };
    let dispatch = Arc::new(HostDispatch {
        host: Arc::clone(&state.host),
        call_timeout: state.call_timeout,
        protocol: crate::observe::Protocol::Broker,
    });
    let config = Config {
        url,
        reclaim: Duration::from_secs_f64(cli.broker_reclaim.max(0.1)),
        max_in_flight: cli.max_in_flight as usize,
    };
    let served = serve(config, dispatch, stopped).await;
    served.map_err(|err| std::io::Error::other(format!("{err:#}")))
}

/// A connection; `timeout` bounds each answer (None for blocking reads).
async fn connect(
    client: &redis::Client,
    timeout: Option<Duration>,
) -> redis::RedisResult<MultiplexedConnection> {
    let config = redis::AsyncConnectionConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(5)))
        .set_response_timeout(timeout);
    client
        .get_multiplexed_async_connection_with_config(&config)
        .await
}

fn consumer_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{}-{}-{nanos:08x}", host.trim(), std::process::id())
}

impl Broker {
    /// Connects to the broker `config` names (`shown` is its URL without a password).
    async fn connect(
        config: Config,
        dispatch: Arc<HostDispatch>,
        shown: &str,
    ) -> anyhow::Result<Broker> {
        let client = redis::Client::open(config.url.as_str())
            .with_context(|| format!("--broker {shown} is not a Redis URL"))?;
        let writer = connect(&client, Some(Duration::from_secs(30)))
            .await
            .with_context(|| format!("cannot reach the broker {shown}"))?;
        let idempotent = dispatch
            .host
            .interface()
            .services
            .iter()
            .flat_map(|s| {
                let methods = s.methods.iter().filter(|m| m.idempotent);
                methods.map(|m| format!("{}.{}", s.name, m.name))
            })
            .collect();
        Ok(Broker {
            client,
            writer,
            dispatch,
            slots: Arc::new(Semaphore::new(config.max_in_flight.max(1))),
            consumer: consumer_name(),
            reclaim: config.reclaim,
            idempotent,
            running: Mutex::default(),
            offset_ms: AtomicI64::new(0),
            tasks: TaskTracker::new(),
        })
    }

    /// Joins the group of each queue, made if need be from the queue's
    /// start, so calls sent before any gateway was up are taken too.
    async fn join(&self, queues: &[String]) -> redis::RedisResult<()> {
        let mut conn = self.writer.clone();
        for queue in queues {
            let made: redis::RedisResult<()> = redis::cmd("XGROUP")
                .arg("CREATE")
                .arg(queue)
                .arg(GROUP)
                .arg("0")
                .arg("MKSTREAM")
                .query_async(&mut conn)
                .await;
            match made {
                Err(err) if err.code() == Some("BUSYGROUP") => {}
                other => other?,
            }
        }
        Ok(())
    }

    /// Reads the broker's clock (`TIME`) to place deadlines on it.
    async fn sync_clock(&self) -> anyhow::Result<()> {
        let mut conn = self.writer.clone();
        let (secs, micros): (i64, i64) = redis::cmd("TIME").query_async(&mut conn).await?;
        let offset = secs * 1000 + micros / 1000 - local_ms();
        self.offset_ms.store(offset, Ordering::Relaxed);
        Ok(())
    }

    /// Now, on the broker's clock, in milliseconds since the epoch.
    fn now_ms(&self) -> i64 {
        local_ms() + self.offset_ms.load(Ordering::Relaxed)
    }

    /// One to `most` permits to take calls with, waiting for the first.
    async fn permits(&self, most: usize) -> Vec<OwnedSemaphorePermit> {
        let Ok(first) = Arc::clone(&self.slots).acquire_owned().await else {
            return Vec::new();
        };
        let mut permits = vec![first];
        while permits.len() < most {
            match Arc::clone(&self.slots).try_acquire_owned() {
                Ok(permit) => permits.push(permit),
                Err(_) => break,
            }
        }
        permits
    }

    fn track(&self, queue: &str, id: &str, running: bool) {
        let mut all = self.running.lock().unwrap_or_else(|p| p.into_inner());
        let ids = all.entry(queue.to_owned()).or_default();
        match running {
            true => ids.insert(id.to_owned()),
            false => ids.remove(id),
        };
    }

    fn running_in(&self, queue: &str) -> Vec<String> {
        let all = self.running.lock().unwrap_or_else(|p| p.into_inner());
        all.get(queue)
            .map(|ids| ids.iter().cloned().collect())
            .unwrap_or_default()
    }
}

fn local_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
