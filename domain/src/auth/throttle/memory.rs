//! Limits kept in this process: governor's GCRA over a bounded cache of per-key states. Right
//! for one instance; several need the shared store (see `shared_store`).

use super::Limit;
use governor::clock::{Clock, DefaultClock};
use governor::nanos::Nanos;
use governor::state::{InMemoryState, NotKeyed, StateStore};
use governor::{Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// Keys each limit remembers. Beyond this the cache evicts, first among keys seen once (its
/// S3-FIFO policy), so a flood of distinct addresses neither grows memory nor pushes out the
/// counters of the keys that are actually hammering.
pub(super) const MAX_TRACKED: usize = 20_000;

type States = Arc<quick_cache::sync::Cache<String, Arc<InMemoryState>>>;

/// Governor's state store, bounded.
struct BoundedStore(States);

impl StateStore for BoundedStore {
    type Key = String;

    fn measure_and_replace<T, F, E>(&self, key: &String, f: F) -> Result<T, E>
    where
        F: Fn(Option<Nanos>) -> Result<(T, Nanos), E>,
    {
        let state = self
            .0
            .get_or_insert_with(key, || Ok::<_, std::convert::Infallible>(Arc::default()))
            .unwrap_or_else(|never| match never {});
        state.measure_and_replace(&NotKeyed::NonKey, f)
    }
}

/// One limit's counters.
pub(super) struct InProcess {
    limiter: RateLimiter<String, BoundedStore, DefaultClock>,
    /// The limiter's states, shared with it (to see how many keys are tracked).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(super) states: States,
}

impl InProcess {
    pub(super) fn new(limit: &Limit) -> Self {
        let burst = NonZeroU32::new(limit.burst).expect("a limit allows at least one");
        let quota =
            Quota::with_period(limit.period / limit.burst).expect("a limit refills").allow_burst(burst);
        let states = States::new(quick_cache::sync::Cache::new(MAX_TRACKED));
        let limiter = RateLimiter::new(quota, BoundedStore(states.clone()), DefaultClock::default());
        InProcess { limiter, states }
    }

    /// `Err(wait)` when the key has used up its allowance.
    pub(super) fn check(&self, key: &str) -> Result<(), Duration> {
        let key = key.to_owned();
        self.limiter
            .check_key(&key)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}
