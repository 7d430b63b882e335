//! The table of open connections of one listener, and the rule that keeps slow clients from
//! holding every slot.
//!
//! At most `max` connections are open. When a new one arrives and every slot is taken, the
//! connection that has gone longest without finishing a request — counted from its accept or
//! its last answer — is cut to make room, unless a handler is working on a request it has
//! fully received ([`Activity::is_protected`]). So 1 024 clients that dribble or stall their
//! handshakes, headers or bodies cannot keep an honest client out: each new connection takes
//! the slot of the stalest slow one, and an honest request finishes in milliseconds. Only
//! when every slot is busy with a received request does a new connection wait.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::Notify;
use tokio::task::AbortHandle;

/// What a connection has been doing, read by the table and the idle watchdog.
#[derive(Debug)]
pub(crate) struct Activity {
    epoch: Instant,
    /// Milliseconds since `epoch` of the accept or the last finished request.
    progress_ms: AtomicU64,
    /// Milliseconds since `epoch` of the last byte read or written.
    io_ms: AtomicU64,
    /// Requests fully received whose handler is still working.
    protected: AtomicUsize,
}

/// All open connections of one listener.
pub(crate) struct ConnectionTable {
    entries: Mutex<Entries>,
    freed: Notify,
    max: usize,
    epoch: Instant,
}

struct Entries {
    next_id: u64,
    open: HashMap<u64, Entry>,
}

struct Entry {
    activity: Arc<Activity>,
    abort: Option<AbortHandle>,
}

/// One taken slot; dropping it (the connection ended or was cut) frees it.
pub(crate) struct Slot {
    id: u64,
    table: Arc<ConnectionTable>,
    activity: Arc<Activity>,
}

impl Activity {
    fn new(epoch: Instant) -> Self {
        let now = ms_since(epoch);
        Self {
            epoch,
            progress_ms: AtomicU64::new(now),
            io_ms: AtomicU64::new(now),
            protected: AtomicUsize::new(0),
        }
    }

    /// A byte was read or written.
    pub(crate) fn touch_io(&self) {
        self.io_ms.store(ms_since(self.epoch), Ordering::Relaxed);
    }

    /// A request was fully received and its handler is working on it.
    pub(crate) fn protect(&self) {
        self.protected.fetch_add(1, Ordering::AcqRel);
    }

    /// The handler of a protected request answered.
    pub(crate) fn unprotect(&self) {
        self.protected.fetch_sub(1, Ordering::AcqRel);
    }

    /// A request was answered: the connection made progress.
    pub(crate) fn finished_request(&self) {
        self.progress_ms
            .store(ms_since(self.epoch), Ordering::Relaxed);
    }

    /// Whether a handler is working on a fully received request.
    pub(crate) fn is_protected(&self) -> bool {
        self.protected.load(Ordering::Acquire) > 0
    }

    /// When the connection has been idle for `idle` (no byte either way and no handler
    /// working), counted from now; `None` when it already has.
    pub(crate) fn idle_deadline(&self, idle: Duration) -> Option<Instant> {
        if self.is_protected() {
            self.touch_io();
        }
        let last = self.epoch + Duration::from_millis(self.io_ms.load(Ordering::Relaxed));
        let deadline = last + idle;
        (Instant::now() < deadline).then_some(deadline)
    }
}

impl ConnectionTable {
    /// A table of at most `max` connections (at least one).
    pub(crate) fn new(max: usize) -> Arc<Self> {
        Arc::new(Self {
            entries: Mutex::new(Entries {
                next_id: 0,
                open: HashMap::new(),
            }),
            freed: Notify::new(),
            max: max.max(1),
            epoch: Instant::now(),
        })
    }

    /// A slot for a new connection: a free one, or the stalest unprotected connection's,
    /// which is cut; waits only while every connection is protected.
    pub(crate) async fn admit(self: &Arc<Self>) -> Slot {
        loop {
            let freed = self.freed.notified();
            tokio::pin!(freed);
            freed.as_mut().enable();
            if let Some(slot) = self.try_admit() {
                return slot;
            }
            freed.await;
        }
    }

    /// Gives the slot's connection task, so that the table can cut it.
    pub(crate) fn set_abort(&self, slot_id: u64, abort: AbortHandle) {
        if let Some(entry) = self.lock().open.get_mut(&slot_id) {
            entry.abort = Some(abort);
        } else {
            // Cut before it started (cannot happen while one task admits and spawns).
            abort.abort();
        }
    }

    /// Connections open now.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.lock().open.len()
    }

    fn try_admit(self: &Arc<Self>) -> Option<Slot> {
        let mut entries = self.lock();
        if entries.open.len() >= self.max {
            let stalest = entries
                .open
                .iter()
                .filter(|(_, entry)| entry.abort.is_some() && !entry.activity.is_protected())
                .min_by_key(|(_, entry)| entry.activity.progress_ms.load(Ordering::Relaxed))
                .map(|(id, _)| *id)?;
            if let Some(entry) = entries.open.remove(&stalest) {
                tracing::debug!(
                    n_open = self.max,
                    "cutting the stalest connection for a new one"
                );
                if let Some(abort) = entry.abort {
                    abort.abort();
                }
            }
        }
        let id = entries.next_id;
        entries.next_id += 1;
        let activity = Arc::new(Activity::new(self.epoch));
        let entry = Entry {
            activity: Arc::clone(&activity),
            abort: None,
        };
        entries.open.insert(id, entry);
        Some(Slot {
            id,
            table: Arc::clone(self),
            activity,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Entries> {
        // Every change is one map call, so a panic cannot leave the map half-written.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Slot {
    /// The slot's number in its table.
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// What the slot's connection has been doing.
    pub(crate) fn activity(&self) -> &Arc<Activity> {
        &self.activity
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.table.lock().open.remove(&self.id);
        self.table.freed.notify_one();
    }
}

fn ms_since(epoch: Instant) -> u64 {
    u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_table_cuts_the_stalest_unprotected_connection() {
        let table = ConnectionTable::new(2);
        let mut tasks = tokio::task::JoinSet::new();
        let first = table.admit().await;
        let first_task = tasks.spawn(std::future::pending::<()>());
        table.set_abort(first.id(), first_task);
        tokio::time::sleep(Duration::from_millis(5)).await;
        let second = table.admit().await;
        let second_task = tasks.spawn(std::future::pending::<()>());
        table.set_abort(second.id(), second_task.clone());
        second.activity().protect();
        let third = table.admit().await;
        assert_eq!(table.len(), 2, "the first was cut for the third");
        let cut = tasks.join_next().await.unwrap();
        assert!(cut.unwrap_err().is_cancelled());
        assert!(
            !second_task.is_finished(),
            "a protected connection is never cut"
        );
        drop(first);
        assert_eq!(table.len(), 2);
        drop(third);
        assert_eq!(table.len(), 1);
    }

    #[tokio::test]
    async fn a_table_of_protected_connections_waits_for_a_free_slot() {
        let table = ConnectionTable::new(1);
        let busy = table.admit().await;
        let task = tokio::spawn(std::future::pending::<()>());
        table.set_abort(busy.id(), task.abort_handle());
        busy.activity().protect();
        let waiting = tokio::time::timeout(Duration::from_millis(50), table.admit()).await;
        assert!(
            waiting.is_err(),
            "no slot while the only connection is protected"
        );
        let admitted = tokio::spawn({
            let table = Arc::clone(&table);
            async move { table.admit().await.id }
        });
        drop(busy);
        let id = tokio::time::timeout(Duration::from_secs(5), admitted).await;
        assert_eq!(id.unwrap().unwrap(), 1);
        task.abort();
    }
}
