use std::time::Duration;

use super::*;

/// Whether `wait` is still waiting after a moment.
async fn waits<F: std::future::Future>(wait: F) -> Result<F::Output, ()> {
    tokio::time::timeout(Duration::from_millis(50), wait)
        .await
        .map_err(|_| ())
}

#[tokio::test]
async fn holds_bytes_until_the_permit_is_dropped() {
    let budget = Budget::new(100);
    let a = budget.acquire(60).await;
    assert_eq!((a.bytes(), budget.in_use()), (60, 60));
    assert!(waits(budget.acquire(41)).await.is_err());
    let b = waits(budget.acquire(40)).await.expect("40 bytes are free");
    assert_eq!(budget.in_use(), 100);
    drop(a);
    drop(b);
    assert_eq!(budget.in_use(), 0);
}

#[tokio::test]
async fn a_waiting_read_goes_on_once_room_is_given_back() {
    let budget = Budget::new(100);
    let held = budget.acquire(80).await;
    let other = budget.clone();
    let wait = tokio::spawn(async move { other.acquire(50).await.bytes() });
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(!wait.is_finished(), "50 bytes were not free");
    drop(held);
    assert_eq!(wait.await.unwrap(), 50);
    assert_eq!(budget.in_use(), 0);
}

#[tokio::test]
async fn a_frame_bigger_than_the_budget_passes_alone() {
    let budget = Budget::new(100);
    let small = budget.acquire(10).await;
    let other = budget.clone();
    let big = tokio::spawn(async move { other.acquire(1_000).await });
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(!big.is_finished(), "it waits for the whole budget");
    drop(small);
    let big = big.await.unwrap();
    assert_eq!((big.bytes(), budget.in_use()), (100, 100));
    assert!(
        waits(budget.acquire(1)).await.is_err(),
        "nothing passes beside it"
    );
    drop(big);
    assert_eq!(budget.acquire(1_000).await.bytes(), 100);
}

#[tokio::test]
async fn waiters_are_served_in_order() {
    let budget = Budget::new(100);
    let held = budget.acquire(60).await;
    let other = budget.clone();
    let big = tokio::spawn(async move { other.acquire(100).await });
    tokio::time::sleep(Duration::from_millis(20)).await;
    // 40 bytes are free, but the big frame came first.
    assert!(waits(budget.acquire(10)).await.is_err());
    drop(held);
    let big = big.await.unwrap();
    assert_eq!(big.bytes(), 100);
}

#[tokio::test]
async fn a_charge_never_waits_and_reads_wait_until_it_is_paid_back() {
    let budget = Budget::new(100);
    let read = budget.acquire(100).await;
    let reply = budget.charge(50);
    assert_eq!(budget.in_use(), 150);
    drop(read);
    assert_eq!(budget.in_use(), 50);
    assert!(waits(budget.acquire(51)).await.is_err());
    let fits = waits(budget.acquire(50)).await.expect("50 bytes are free");
    drop(reply);
    drop(fits);
    assert_eq!(budget.in_use(), 0);
    assert_eq!(budget.acquire(100).await.bytes(), 100);
}

#[tokio::test]
async fn a_dropped_wait_holds_nothing() {
    let budget = Budget::new(100);
    let held = budget.acquire(100).await;
    assert!(waits(budget.acquire(30)).await.is_err());
    drop(held);
    assert_eq!(budget.in_use(), 0);
    assert_eq!(budget.acquire(100).await.bytes(), 100);
}

/// A Reply frame carrying `len` bytes, encoded.
fn reply(id: u64, len: usize) -> Vec<u8> {
    let value = graft_model::Value::Bytes(vec![7; len].into());
    let mut buf = bytes::BytesMut::new();
    let frame = crate::Frame::Reply { id, value };
    frame.encode(&mut buf, u32::MAX).unwrap();
    buf.to_vec()
}

#[tokio::test]
async fn a_reader_waits_for_room_before_reading_a_frames_body() {
    use tokio::io::AsyncWriteExt;
    let budget = Budget::new(100_000);
    let (mut client, server) = tokio::io::duplex(1024);
    let mut reader = crate::FrameReader::new(server, u32::MAX).with_budget(budget.clone());
    let (first, second) = (reply(1, 60_000), reply(2, 60_000));
    let len = first.len();
    let writer = tokio::spawn(async move {
        client.write_all(&first).await.unwrap();
        client.write_all(&second).await.unwrap();
        client
    });
    let (frame, permit) = reader.read_held().await.unwrap().unwrap();
    assert_eq!((frame.id(), permit.bytes()), (1, len));
    assert!(
        waits(reader.read_held()).await.is_err(),
        "no room for frame 2"
    );
    assert!(!writer.is_finished(), "frame 2's body was left unread");
    drop(permit);
    let (frame, permit) = reader.read_held().await.unwrap().unwrap();
    assert_eq!((frame.id(), permit.bytes()), (2, len));
    assert_eq!(budget.in_use(), len);
    drop(writer.await.unwrap());
    drop(permit);
    assert!(reader.read_held().await.unwrap().is_none());
    assert_eq!(budget.in_use(), 0);
}

#[tokio::test]
async fn merged_permits_give_back_together() {
    let budget = Budget::new(100);
    let mut permit = Permit::none();
    permit.merge(budget.acquire(30).await);
    permit.merge(budget.charge(20));
    permit.merge(Permit::none());
    assert_eq!((permit.bytes(), budget.in_use()), (50, 50));
    drop(permit);
    assert_eq!(budget.in_use(), 0);
}
