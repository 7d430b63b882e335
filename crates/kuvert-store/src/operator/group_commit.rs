//! Group commit of deliveries: concurrent `store_delivery` calls share one write transaction
//! and so one durable commit (one WAL sync on SQLite, one WAL flush on PostgreSQL) instead of
//! one each.
//!
//! Why: on SQLite a write transaction holds the database's single write lock across every
//! statement and the commit's fsync, so concurrent deliveries queued behind each other on the
//! busy handler and throughput stopped at one fsync per letter whatever the concurrency
//! (issue 14 measured 8 and 32 letters in flight at the same rate). Here a caller queues its
//! row and waits for the commit lock; whoever gets the lock takes every queued row (at most
//! [`GROUP_COMMIT_DELIVERIES_MAX`]) and commits them in one transaction on a spawned task, then
//! answers each waiter. The rows that arrived during that commit form the next group, so the
//! groups grow with the load by themselves and a lone delivery waits for nobody.
//!
//! **Invariants:** a caller is answered only after the transaction holding its row committed
//! (or failed); the commit runs on its own task holding the lock, so a caller that goes away
//! (its connection closed) neither aborts the others' commit nor lets two groups overlap. When
//! the group's transaction fails, each row is tried again alone, so one bad row cannot refuse
//! the others.

use std::sync::{Arc, Mutex, PoisonError};

use kuvert_core::limits::GROUP_COMMIT_DELIVERIES_MAX;
use sqlx::AnyPool;
use tokio::sync::oneshot;

use super::StoredReceipt;
use super::deliveries::{PreparedDelivery, insert, insert_in};
use crate::database::{Backend, begin_write};
use crate::error::{SqlContext, StoreError};

/// What the committer answers one row: its receipt, `None` when a delivery with the same key
/// won the race, or why it could not be stored.
pub(super) type Committed = Result<Option<StoredReceipt>, StoreError>;

/// The queue of rows waiting for a commit, and the lock that lets one group commit at a time.
#[derive(Debug, Default)]
pub(super) struct GroupCommit {
    queue: Mutex<Vec<Waiting>>,
    lock: Arc<tokio::sync::Mutex<()>>,
}

#[derive(Debug)]
struct Waiting {
    row: PreparedDelivery,
    reply: oneshot::Sender<Committed>,
}

impl GroupCommit {
    /// Commits `row` in the next group and returns its outcome.
    pub(super) async fn commit(
        &self,
        pool: &AnyPool,
        backend: Backend,
        row: PreparedDelivery,
    ) -> Committed {
        let (reply, answer) = oneshot::channel();
        self.lock_queue().push(Waiting { row, reply });
        let guard = Arc::clone(&self.lock).lock_owned().await;
        let group = self.take_group();
        if group.is_empty() {
            // An earlier group took this row; its answer comes (or has come) from there.
            drop(guard);
        } else {
            let pool = pool.clone();
            tokio::spawn(async move {
                commit_group(&pool, backend, group).await;
                drop(guard);
            });
        }
        answer.await.unwrap_or_else(|_| {
            Err(StoreError::internal(
                "commit delivery",
                std::io::Error::other("the group commit ended without an answer"),
            ))
        })
    }

    /// The oldest waiting rows, at most [`GROUP_COMMIT_DELIVERIES_MAX`]; the rest wait for
    /// the next holder of the lock (each of their callers is queued on it).
    fn take_group(&self) -> Vec<Waiting> {
        let mut queue = self.lock_queue();
        let take = queue.len().min(GROUP_COMMIT_DELIVERIES_MAX);
        queue.drain(..take).collect()
    }

    fn lock_queue(&self) -> std::sync::MutexGuard<'_, Vec<Waiting>> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One transaction for the whole group; when it fails, each row alone.
async fn commit_group(pool: &AnyPool, backend: Backend, group: Vec<Waiting>) {
    tracing::trace!(rows = group.len(), "group commit");
    if group.len() == 1 {
        for waiting in group {
            let outcome = insert(pool, backend, &waiting.row).await;
            let _ = waiting.reply.send(outcome);
        }
        return;
    }
    match insert_group(pool, backend, &group).await {
        Ok(outcomes) => {
            for (waiting, outcome) in group.into_iter().zip(outcomes) {
                let _ = waiting.reply.send(Ok(outcome));
            }
        }
        Err(error) => {
            tracing::warn!(%error, rows = group.len(), "group commit failed; storing one by one");
            for waiting in group {
                let outcome = insert(pool, backend, &waiting.row).await;
                let _ = waiting.reply.send(outcome);
            }
        }
    }
}

async fn insert_group(
    pool: &AnyPool,
    backend: Backend,
    group: &[Waiting],
) -> Result<Vec<Option<StoredReceipt>>, StoreError> {
    let mut transaction = begin_write(pool, backend).await?;
    let mut outcomes = Vec::with_capacity(group.len());
    for waiting in group {
        outcomes.push(insert_in(&mut transaction, &waiting.row).await?);
    }
    transaction.commit().await.context("commit deliveries")?;
    crate::durable::count_syncs("database", "delivery_commit", 1);
    Ok(outcomes)
}
