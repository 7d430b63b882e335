//! Unit tests of the pool configuration's ranges.

use super::PoolConfig;

#[test]
fn pool_config_refuses_zero_and_oversized_values_naming_the_key() {
    let check = |config: PoolConfig, key: &str| {
        let error = config.checked().unwrap_err();
        assert_eq!(error.key, key, "{error}");
    };
    let base = PoolConfig::default();
    assert!(base.checked().is_ok());
    check(
        PoolConfig {
            max_connections: 0,
            ..base.clone()
        },
        "max_connections",
    );
    check(
        PoolConfig {
            max_connections: 1_000,
            ..base.clone()
        },
        "max_connections",
    );
    check(
        PoolConfig {
            acquire_timeout_ms: 0,
            ..base.clone()
        },
        "acquire_timeout_ms",
    );
    check(
        PoolConfig {
            idle_timeout_secs: 0,
            ..base
        },
        "idle_timeout_secs",
    );
}
