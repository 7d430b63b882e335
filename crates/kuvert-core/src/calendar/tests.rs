//! Unit tests of the Swedish day around midnight and both daylight saving changes, and of
//! `YYYY-MM` months.

use time::macros::{date, datetime};
use time::{Month, OffsetDateTime};

use super::{YearMonth, YearMonthError, stockholm_day};

#[track_caller]
fn check_day(at: OffsetDateTime, expected: time::Date) {
    assert_eq!(stockholm_day(at), expected, "{at}");
}

#[test]
fn stockholm_day_follows_swedish_midnight_in_winter_and_summer() {
    check_day(datetime!(2026-12-31 22:59:59 UTC), date!(2026 - 12 - 31));
    check_day(datetime!(2026-12-31 23:00:00 UTC), date!(2027 - 01 - 01));
    check_day(datetime!(2026-06-30 21:59:59 UTC), date!(2026 - 06 - 30));
    check_day(datetime!(2026-06-30 22:00:00 UTC), date!(2026 - 07 - 01));
    check_day(datetime!(2026-06-30 23:30:00 +01:00), date!(2026 - 07 - 01));
}

#[test]
fn stockholm_day_changes_offset_on_the_daylight_saving_sundays() {
    // Summer time starts 2026-03-29 01:00 UTC and ends 2026-10-25 01:00 UTC.
    check_day(datetime!(2026-03-28 22:59:00 UTC), date!(2026 - 03 - 28));
    check_day(datetime!(2026-03-28 23:00:00 UTC), date!(2026 - 03 - 29));
    check_day(datetime!(2026-03-29 21:59:00 UTC), date!(2026 - 03 - 29));
    check_day(datetime!(2026-03-29 22:00:00 UTC), date!(2026 - 03 - 30));
    check_day(datetime!(2026-10-24 21:59:00 UTC), date!(2026 - 10 - 24));
    check_day(datetime!(2026-10-24 22:00:00 UTC), date!(2026 - 10 - 25));
    check_day(datetime!(2026-10-25 22:59:00 UTC), date!(2026 - 10 - 25));
    check_day(datetime!(2026-10-25 23:00:00 UTC), date!(2026 - 10 - 26));
}

#[test]
fn year_month_parses_and_prints_yyyy_mm() {
    let month = YearMonth::parse("2026-02").unwrap();
    assert_eq!(month.to_string(), "2026-02");
    assert_eq!(month.year(), 2026);
    assert_eq!(month.month(), Month::February);
    assert_eq!(month.first_day(), date!(2026 - 02 - 01));
    assert_eq!(month.last_day(), date!(2026 - 02 - 28));
    assert_eq!(
        YearMonth::parse("2028-02").unwrap().last_day(),
        date!(2028 - 02 - 29)
    );
    assert_eq!(YearMonth::of(date!(2026 - 11 - 29)).to_string(), "2026-11");
    for bad in [
        "2026-13",
        "2026-00",
        "2026-1",
        "26-01",
        "2026/01",
        "",
        "2026-011",
        "０２０２-01",
    ] {
        assert_eq!(YearMonth::parse(bad), Err(YearMonthError), "{bad:?}");
    }
}

#[test]
fn year_month_orders_by_time_and_round_trips_through_json() {
    let earlier = YearMonth::parse("2025-12").unwrap();
    let later = YearMonth::parse("2026-01").unwrap();
    assert!(earlier < later);
    let json = serde_json::to_string(&later).unwrap();
    assert_eq!(json, "\"2026-01\"");
    assert_eq!(serde_json::from_str::<YearMonth>(&json).unwrap(), later);
}
