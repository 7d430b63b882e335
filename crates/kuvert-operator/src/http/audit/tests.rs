//! Swedish time in the access log, in winter and in summer.

use time::macros::datetime;

use super::swedish_time;

#[test]
fn swedish_time_is_utc_plus_one_in_winter_and_plus_two_in_summer() {
    let check = |at, expected: &str| assert_eq!(swedish_time(at), expected);
    check(datetime!(2026-11-29 07:05 UTC), "2026-11-29 08:05");
    check(datetime!(2026-07-01 22:30 UTC), "2026-07-02 00:30");
}
