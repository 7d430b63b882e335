//! [`CpuPool`]: the CPU-heavy steps of a letter (the operator's parse and signature checks,
//! the sender's signing and sealing) on tokio's blocking threads, at most one per core at a
//! time, admitted in the order of [`kuvert_core::lane::FairQueue`].
//!
//! Why: run on the async worker threads, a 10 KB letter's signature checks (a few hundred
//! microseconds each) stall every other connection of that thread; run unbounded on blocking
//! threads, a mass mailing's thousands of letters would all be runnable at once and a single
//! letter would queue behind them in the kernel's scheduler. Bounded to the cores and taken in
//! lane order, the pool keeps all cores busy and lets a single letter start as soon as one
//! core is free.
//!
//! **Invariant:** at most `permits` closures run at once; a waiter that goes away (its request
//! ended) frees its place for the next one, and a finished or panicked closure always hands
//! its permit on.

use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

use kuvert_core::lane::{FairQueue, Lane};
use tokio::sync::oneshot;

/// The request header that names a delivery's [`Lane`]: `Kuvert-Lane: bulk` on a mass
/// mailing's letters ([`Lane::BULK_HEADER_VALUE`]).
pub const LANE_HEADER: &str = "kuvert-lane";

/// A bounded pool of blocking threads with fair admission; clones share it.
#[derive(Debug, Clone)]
pub struct CpuPool<P: Clone + Eq + Hash> {
    state: Arc<Mutex<State<P>>>,
}

#[derive(Debug)]
struct State<P: Clone + Eq + Hash> {
    permits: usize,
    running: usize,
    waiting: FairQueue<P, oneshot::Sender<Permit<P>>>,
}

/// The right to run one closure; handed to the next waiter when dropped.
#[derive(Debug)]
struct Permit<P: Clone + Eq + Hash> {
    /// `None` once handed on, so the drop of a permit no waiter took does nothing.
    state: Option<Arc<Mutex<State<P>>>>,
}

/// Why [`CpuPool::run`] returned no result.
#[derive(Debug, thiserror::Error)]
#[error("the work panicked or was cancelled on its blocking thread")]
pub struct CpuPoolError;

impl<P: Clone + Eq + Hash + Send + 'static> CpuPool<P> {
    /// A pool running at most `permits` closures at once (at least one).
    #[must_use]
    pub fn new(permits: usize) -> Self {
        Self {
            state: Arc::new(Mutex::new(State {
                permits: permits.max(1),
                running: 0,
                waiting: FairQueue::default(),
            })),
        }
    }

    /// A pool with one place per core this process may use.
    #[must_use]
    pub fn per_core() -> Self {
        Self::new(std::thread::available_parallelism().map_or(1, std::num::NonZero::get))
    }

    /// Runs `work` on a blocking thread once its turn comes in `lane` for `party`.
    ///
    /// # Errors
    /// [`CpuPoolError`] when `work` panicked.
    pub async fn run<T: Send + 'static>(
        &self,
        lane: Lane,
        party: P,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, CpuPoolError> {
        let permit = self.admit(lane, party).await?;
        tokio::task::spawn_blocking(move || {
            let result = work();
            drop(permit);
            result
        })
        .await
        .map_err(|_| CpuPoolError)
    }

    /// How many closures wait in `lane` now (for metrics and tests).
    #[must_use]
    pub fn waiting(&self, lane: Lane) -> usize {
        lock(&self.state).waiting.waiting(lane)
    }

    async fn admit(&self, lane: Lane, party: P) -> Result<Permit<P>, CpuPoolError> {
        let answer = {
            let mut state = lock(&self.state);
            if state.running < state.permits {
                state.running += 1;
                return Ok(Permit {
                    state: Some(Arc::clone(&self.state)),
                });
            }
            let (sender, answer) = oneshot::channel();
            state.waiting.push(lane, party, sender);
            answer
        };
        answer.await.map_err(|_| CpuPoolError)
    }
}

impl<P: Clone + Eq + Hash> Drop for Permit<P> {
    /// Hands the place to the next waiter still waiting, or frees it.
    fn drop(&mut self) {
        let Some(shared) = self.state.take() else {
            return;
        };
        let mut state = lock(&shared);
        while let Some(next) = state.waiting.pop() {
            let handed = Permit {
                state: Some(Arc::clone(&shared)),
            };
            match next.send(handed) {
                Ok(()) => return,
                // That waiter went away: its permit goes back unused, and the next one gets it.
                Err(mut unused) => unused.state = None,
            }
        }
        state.running -= 1;
    }
}

fn lock<P: Clone + Eq + Hash>(state: &Mutex<State<P>>) -> std::sync::MutexGuard<'_, State<P>> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use kuvert_core::lane::Lane;

    use super::CpuPool;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn never_runs_more_than_its_permits_at_once() {
        let pool = CpuPool::new(2);
        let (running, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let mut tasks = tokio::task::JoinSet::new();
        for n in 0..20 {
            let (pool, running, most) = (pool.clone(), running.clone(), most.clone());
            tasks.spawn(async move {
                pool.run(Lane::Bulk, n % 3, move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(5));
                    running.fetch_sub(1, Ordering::SeqCst);
                })
                .await
                .unwrap();
            });
        }
        while tasks.join_next().await.is_some() {}
        assert_eq!(most.load(Ordering::SeqCst), 2);
        assert_eq!(running.load(Ordering::SeqCst), 0);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_single_letter_overtakes_the_waiting_bulk_letters() {
        let pool = CpuPool::new(1);
        let order = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (hold, release) = std::sync::mpsc::channel::<()>();
        let (started, running) = tokio::sync::oneshot::channel::<()>();
        let blocker = {
            let pool = pool.clone();
            tokio::spawn(async move {
                pool.run(Lane::Bulk, 0, move || {
                    let _ = started.send(());
                    release.recv().ok()
                })
                .await
                .unwrap()
            })
        };
        // The blocker holds the one place before the others queue behind it.
        running.await.unwrap();
        let mut tasks = tokio::task::JoinSet::new();
        for n in 1..=5 {
            let (pool, order) = (pool.clone(), order.clone());
            tasks.spawn(async move {
                pool.run(Lane::Bulk, 0, move || order.lock().unwrap().push(n))
                    .await
                    .unwrap();
            });
        }
        while pool.waiting(Lane::Bulk) < 5 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let single = {
            let (pool, order) = (pool.clone(), order.clone());
            tokio::spawn(async move {
                pool.run(Lane::Single, 1, move || order.lock().unwrap().push(99))
                    .await
                    .unwrap();
            })
        };
        while pool.waiting(Lane::Single) < 1 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        hold.send(()).unwrap();
        blocker.await.unwrap();
        single.await.unwrap();
        while tasks.join_next().await.is_some() {}
        assert_eq!(order.lock().unwrap().first(), Some(&99));
        assert_eq!(order.lock().unwrap().len(), 6);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_waiter_that_went_away_does_not_keep_its_place() {
        let pool = CpuPool::new(1);
        let (hold, release) = std::sync::mpsc::channel::<()>();
        let blocker = {
            let pool = pool.clone();
            tokio::spawn(async move { pool.run(Lane::Bulk, 0, move || release.recv().ok()).await })
        };
        while pool.waiting(Lane::Bulk) == 0 {
            let gone = pool.clone();
            let waiter = tokio::spawn(async move { gone.run(Lane::Bulk, 1, || ()).await });
            tokio::time::sleep(Duration::from_millis(5)).await;
            waiter.abort();
        }
        hold.send(()).unwrap();
        blocker.await.unwrap().unwrap();
        let later = tokio::time::timeout(Duration::from_secs(5), pool.run(Lane::Bulk, 2, || 7));
        assert_eq!(later.await.unwrap().unwrap(), 7);
    }
}
