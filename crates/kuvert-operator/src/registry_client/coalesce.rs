//! [`Coalescer`]: single lookups answered by batch calls, as a database's group commit
//! answers single writes.
//!
//! During a national mailing every letter names a recipient the operator has not seen, and
//! asking the registry once per letter costs a mutual-TLS SOAP exchange and a database probe
//! for each (issue 14). Here a lookup joins its group's queue; when no call of that group is
//! running, the lookup's task starts one with everything queued (at most `max` keys), and
//! lookups that arrive meanwhile wait for the next call. No timer: a lone lookup goes out at
//! once, and under load the calls grow with the rate of arrivals times the call's time.
//!
//! The call runs on its own task, so a waiting request that is cancelled (its client gave
//! up) never leaves the others without an answer.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::oneshot;

/// One batch call: the group and its keys in; one answer per key, in order, out.
pub(crate) type BatchCall<G, K, V, E> =
    Arc<dyn Fn(G, Vec<K>) -> Pin<Box<dyn Future<Output = Result<Vec<V>, E>> + Send>> + Send + Sync>;

/// A waiting lookup: its key and where its answer goes.
type Waiting<K, V, E> = (K, oneshot::Sender<Result<V, Arc<E>>>);

/// Lookups of keys `K` in groups `G` (the keys of one call share a group), answered `V`.
pub(crate) struct Coalescer<G, K, V, E> {
    call: BatchCall<G, K, V, E>,
    max: usize,
    queues: Mutex<HashMap<G, Queue<K, V, E>>>,
}

impl<G, K, V, E> std::fmt::Debug for Coalescer<G, K, V, E> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Coalescer")
            .field("max", &self.max)
            .field("groups", &lock(&self.queues).len())
            .finish_non_exhaustive()
    }
}

struct Queue<K, V, E> {
    waiting: Vec<Waiting<K, V, E>>,
    /// A call of this group is running; its task takes the next batch when it ends.
    running: bool,
}

/// Why a lookup got no answer.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CoalesceError<E: std::error::Error + 'static> {
    /// The batch call that carried the key failed (every key of it gets the same error).
    #[error("the batched call failed")]
    Call(#[source] Arc<E>),
    /// The call answered with fewer rows than keys, or its task ended without answering.
    #[error("the batched call answered {answered} of {asked} keys")]
    Unanswered {
        /// Keys in the call.
        asked: usize,
        /// Answers it gave.
        answered: usize,
    },
}

impl<G, K, V, E> Coalescer<G, K, V, E>
where
    G: Clone + Eq + Hash + Send + Sync + 'static,
    K: Send + 'static,
    V: Send + 'static,
    E: std::error::Error + Send + Sync + 'static,
{
    /// Lookups answered by `call`, at most `max` keys a call.
    pub(crate) fn new(max: usize, call: BatchCall<G, K, V, E>) -> Arc<Self> {
        Arc::new(Self {
            call,
            max: max.max(1),
            queues: Mutex::new(HashMap::new()),
        })
    }

    /// The answer for `key` in `group`, from the next call of the group.
    ///
    /// # Errors
    /// [`CoalesceError`] when the call that carried `key` failed or did not answer it.
    pub(crate) async fn get(self: &Arc<Self>, group: G, key: K) -> Result<V, CoalesceError<E>> {
        let (answer, answered) = oneshot::channel();
        let start = {
            let mut queues = lock(&self.queues);
            let queue = queues.entry(group.clone()).or_insert_with(|| Queue {
                waiting: Vec::new(),
                running: false,
            });
            queue.waiting.push((key, answer));
            !std::mem::replace(&mut queue.running, true)
        };
        if start {
            tokio::spawn(Arc::clone(self).drain(group));
        }
        match answered.await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(CoalesceError::Call(error)),
            Err(_) => Err(CoalesceError::Unanswered {
                asked: 1,
                answered: 0,
            }),
        }
    }

    /// Calls for `group` while lookups wait, then marks the group idle.
    async fn drain(self: Arc<Self>, group: G) {
        loop {
            let batch = {
                let mut queues = lock(&self.queues);
                let Some(queue) = queues.get_mut(&group) else {
                    return;
                };
                if queue.waiting.is_empty() {
                    queues.remove(&group);
                    return;
                }
                let take = queue.waiting.len().min(self.max);
                queue.waiting.drain(..take).collect::<Vec<_>>()
            };
            let (keys, answers): (Vec<K>, Vec<_>) = batch.into_iter().unzip();
            let asked = keys.len();
            metrics::histogram!("kuvert_operator_registry_batch_keys").record(asked as f64);
            match (self.call)(group.clone(), keys).await {
                Ok(values) if values.len() == asked => {
                    for (answer, value) in answers.into_iter().zip(values) {
                        // A lookup whose request was cancelled no longer listens.
                        let _ = answer.send(Ok(value));
                    }
                }
                Ok(values) => {
                    tracing::error!(asked, answered = values.len(), "batch call answered short");
                    // Dropping the senders answers each lookup `Unanswered`.
                    drop(answers);
                }
                Err(error) => {
                    let error = Arc::new(error);
                    for answer in answers {
                        let _ = answer.send(Err(Arc::clone(&error)));
                    }
                }
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::{BatchCall, CoalesceError, Coalescer};

    #[derive(Debug, thiserror::Error)]
    #[error("registry down")]
    struct Down;

    /// A call that doubles each key after a pause, counting calls and refusing group 0.
    fn doubling(calls: &Arc<AtomicUsize>) -> BatchCall<u8, u32, u32, Down> {
        let calls = Arc::clone(calls);
        Arc::new(move |group, keys: Vec<u32>| {
            calls.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move {
                tokio::time::sleep(Duration::from_millis(20)).await;
                if group == 0 {
                    return Err(Down);
                }
                Ok(keys.into_iter().map(|key| key * 2).collect())
            })
        })
    }

    #[tokio::test]
    async fn concurrent_lookups_share_calls_and_each_gets_its_own_answer() {
        let calls = Arc::new(AtomicUsize::new(0));
        let coalescer = Coalescer::new(10, doubling(&calls));
        let lookups = (0..50_u32).map(|key| {
            let coalescer = Arc::clone(&coalescer);
            tokio::spawn(async move { coalescer.get(1, key).await.unwrap() })
        });
        let answers = futures::future::join_all(lookups).await;
        let answers: Vec<u32> = answers.into_iter().map(Result::unwrap).collect();
        assert_eq!(answers, (0..50).map(|key| key * 2).collect::<Vec<_>>());
        let calls = calls.load(Ordering::SeqCst);
        assert!(
            (5..=10).contains(&calls),
            "50 keys, 10 a call: {calls} calls"
        );
    }

    #[tokio::test]
    async fn a_lone_lookup_goes_out_at_once_and_a_failed_call_fails_its_keys_only() {
        let calls = Arc::new(AtomicUsize::new(0));
        let coalescer = Coalescer::new(10, doubling(&calls));
        assert_eq!(coalescer.get(1, 21).await.unwrap(), 42);
        let failed = coalescer.get(0, 1).await;
        assert!(matches!(failed, Err(CoalesceError::Call(_))), "{failed:?}");
        assert_eq!(
            coalescer.get(1, 2).await.unwrap(),
            4,
            "group 1 still answers"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert!(
            super::lock(&coalescer.queues).is_empty(),
            "idle groups are forgotten"
        );
    }

    #[tokio::test]
    async fn a_short_answer_leaves_no_lookup_waiting() {
        let short: BatchCall<u8, u32, u32, Down> =
            Arc::new(|_, _| Box::pin(async { Ok(Vec::new()) }));
        let coalescer = Coalescer::new(10, short);
        let answer = coalescer.get(1, 7).await;
        assert!(
            matches!(answer, Err(CoalesceError::Unanswered { .. })),
            "{answer:?}"
        );
    }
}
