//! Bodies under the budget: a body of known length waits for all of it, a
//! chunked one takes each chunk, and chunked bodies that fill the budget do
//! not wait on each other for ever (the lane).

use futures::channel::mpsc;

use super::*;

type Sender = mpsc::UnboundedSender<Result<Bytes, std::io::Error>>;

fn bodies(limit: usize) -> Bodies {
    Bodies::new(Budget::new(limit), usize::MAX)
}

/// A chunked body, with what sends its chunks.
fn chunked() -> (Sender, Body) {
    let (tx, rx) = mpsc::unbounded();
    (tx, Body::from_stream(rx))
}

fn chunk(tx: &Sender, len: usize) {
    tx.unbounded_send(Ok(Bytes::from(vec![7; len]))).unwrap();
}

/// Reads `body` to its end in a task of its own; answers its length.
fn read(body: Body) -> tokio::task::JoinHandle<usize> {
    tokio::spawn(async move { axum::body::to_bytes(body, usize::MAX).await.unwrap().len() })
}

async fn moment() {
    tokio::time::sleep(Duration::from_millis(50)).await;
}

#[tokio::test]
async fn a_body_of_known_length_waits_for_room_for_all_of_it() {
    let bodies = bodies(100);
    let other = bodies.budget.acquire(60).await;
    let held = Held::default();
    let reading = read(bodies.budgeted(Body::from(vec![1; 50]), Some(50), &held));
    moment().await;
    assert!(!reading.is_finished(), "50 bytes are not free");
    drop(other);
    assert_eq!(reading.await.unwrap(), 50);
    assert_eq!(bodies.budget.in_use(), 50, "held until the request ends");
    drop(held);
    assert_eq!(bodies.budget.in_use(), 0);
}

#[tokio::test]
async fn a_chunked_body_takes_each_chunk_and_reads_no_further_without_room() {
    let bodies = bodies(100);
    let other = bodies.budget.acquire(30).await;
    let (tx, body) = chunked();
    let held = Held::default();
    let reading = read(bodies.budgeted(body, None, &held));
    chunk(&tx, 40);
    chunk(&tx, 40);
    moment().await;
    assert_eq!(held.bytes(), 40, "the second chunk waits for room");
    assert!(!reading.is_finished());
    drop(other);
    moment().await;
    assert_eq!((held.bytes(), bodies.budget.in_use()), (80, 80));
    chunk(&tx, 10);
    drop(tx);
    assert_eq!(reading.await.unwrap(), 90);
    assert_eq!(held.bytes(), 90);
    drop(held);
    assert_eq!(bodies.budget.in_use(), 0);
}

#[tokio::test]
async fn a_chunked_body_bigger_than_the_budget_passes_alone() {
    let bodies = bodies(100);
    let (tx, body) = chunked();
    let held = Held::default();
    let reading = read(bodies.budgeted(body, None, &held));
    for _ in 0..5 {
        chunk(&tx, 40);
    }
    drop(tx);
    assert_eq!(reading.await.unwrap(), 200);
    assert_eq!(bodies.budget.in_use(), 100, "it holds the whole budget");
    drop(held);
    assert_eq!(bodies.budget.in_use(), 0);
}

#[tokio::test]
async fn chunked_bodies_that_fill_the_budget_do_not_wait_on_each_other_for_ever() {
    let bodies = bodies(100);
    let (a, b) = (Held::default(), Held::default());
    let ((tx_a, body_a), (tx_b, body_b)) = (chunked(), chunked());
    let reading_a = read(bodies.budgeted(body_a, None, &a));
    let reading_b = read(bodies.budgeted(body_b, None, &b));
    chunk(&tx_a, 50);
    chunk(&tx_b, 50);
    moment().await;
    chunk(&tx_a, 40);
    chunk(&tx_b, 40);
    drop((tx_a, tx_b));
    tokio::time::sleep(LANE_AFTER / 2).await;
    assert!(!reading_a.is_finished() && !reading_b.is_finished());
    // One takes the lane and goes past the budget; the other, once
    // room is given back, in turn.
    let first = async {
        tokio::select! {
            len = reading_a => { drop(a); len }
            len = reading_b => { drop(b); len }
        }
    };
    let first = tokio::time::timeout(LANE_AFTER * 3, first).await;
    assert_eq!(first.expect("one of them goes on").unwrap(), 90);
    assert!(bodies.budget.in_use() <= 100);
    assert_eq!(bodies.budget.acquire(10).await.bytes(), 10);
}
