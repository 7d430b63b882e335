//! The two-proportion z-test against values worked by hand.

use super::*;

#[track_caller]
fn check(a: (u64, u64), b: (u64, u64), z: f64, p_value: f64) {
    let result = two_proportion_z_test(a, b).unwrap();
    assert!((result.z - z).abs() < 1e-3, "{result:?}");
    assert!((result.p_value - p_value).abs() < 1e-4, "{result:?}");
}

#[test]
fn z_test_matches_textbook_values() {
    // 30/100 against 20/100: pooled 0.25, z = 0.1 / sqrt(0.25 * 0.75 * 0.02) = 1.633.
    check((30, 100), (20, 100), 1.633, 0.1025);
    check((20, 100), (30, 100), -1.633, 0.1025);
    check((10, 100), (10, 100), 0.0, 1.0);
    // 200/1000 against 150/1000: pooled 0.175, z = 0.05 / sqrt(0.175 * 0.825 * 0.002).
    check((200, 1000), (150, 1000), 2.9424, 0.003256);
}

#[test]
fn z_test_says_nothing_without_visitors_or_variation() {
    assert_eq!(two_proportion_z_test((0, 0), (1, 10)), None);
    assert_eq!(two_proportion_z_test((0, 10), (0, 10)), None);
}
