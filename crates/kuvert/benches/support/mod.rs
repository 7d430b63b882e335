//! What the kuvert crate's benchmarks share: their environment knobs, the runtime they
//! run on, and the registry population they seed.

use std::future::Future;

use kuvert::seed;
use kuvert_store::seed::StatisticsSeed;

/// The environment variable `name` parsed, or `default` when unset or unparsable.
pub(crate) fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    #[allow(clippy::disallowed_methods)]
    let value = std::env::var(name);
    value
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(default)
}

/// Runs `future` to its end on a multi-threaded tokio runtime, as the roles run in `kuvert`.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// `persons` and `companies` with profiles at the demo's operators, all registered before
/// today (one seeded day), from no sender or campaign: what a benchmark seeds straight into
/// the registry's database, changing what it needs.
pub(crate) fn population_today(persons: u64, companies: u64) -> StatisticsSeed {
    StatisticsSeed {
        persons,
        companies,
        registered_before: persons + companies,
        operators: seed::OPERATORS
            .iter()
            .map(seed::SeedOrganisation::organisation_number)
            .collect(),
        senders: Vec::new(),
        campaigns: Vec::new(),
        first_day: kuvert_core::calendar::stockholm_day(time::OffsetDateTime::now_utc()),
        days: 1,
    }
}
