//! Unit tests of stored days and statistics ranges.

use time::macros::date;

use super::{check_range, day_text, parse_day};

#[test]
fn day_text_round_trips_and_rejects_other_shapes() {
    let day = date!(2026 - 03 - 09);
    assert_eq!(day_text(day), "2026-03-09");
    assert_eq!(parse_day("2026-03-09"), Some(day));
    for bad in ["2026-3-09", "2026-02-30", "2026-03-09-1", "", "20260309"] {
        assert_eq!(parse_day(bad), None, "{bad:?}");
    }
}

#[test]
fn check_range_refuses_backward_and_over_long_ranges() {
    assert!(check_range(date!(2026 - 01 - 01), date!(2026 - 01 - 01)).is_ok());
    assert!(check_range(date!(2026 - 01 - 02), date!(2026 - 01 - 01)).is_err());
    assert!(check_range(date!(2016 - 01 - 01), date!(2026 - 01 - 01)).is_ok());
    assert!(check_range(date!(2010 - 01 - 01), date!(2026 - 01 - 01)).is_err());
}
