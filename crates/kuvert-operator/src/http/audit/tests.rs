//! Swedish time on the inbox's pages (access log, list, read view), in winter and in summer
//! (issue 10: the list and the read view once showed UTC).

use time::macros::datetime;

use super::super::pages::{date, date_time};

#[test]
fn page_times_are_utc_plus_one_in_winter_and_plus_two_in_summer() {
    let check = |at, expected: &str| assert_eq!(date_time(at), expected);
    check(datetime!(2026-11-29 07:05 UTC), "2026-11-29 08:05");
    check(datetime!(2026-07-01 22:30 UTC), "2026-07-02 00:30");
}

#[test]
fn page_dates_are_the_swedish_day() {
    assert_eq!(date(datetime!(2026-07-01 22:30 UTC)), "2026-07-02");
    assert_eq!(date(datetime!(2026-12-31 23:30 UTC)), "2027-01-01");
    assert_eq!(date(datetime!(2026-12-31 22:30 UTC)), "2026-12-31");
}
