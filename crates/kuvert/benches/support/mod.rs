//! What the kuvert crate's benchmarks share: their environment knobs and the runtime they
//! run on.

use std::future::Future;

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
