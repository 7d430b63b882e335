//! Unit tests of the sending hours and the summary window, in winter, in summer and across
//! both daylight saving changes of 2026 (29 March 02:00 → 03:00, 25 October 03:00 → 02:00).

use time::OffsetDateTime;
use time::macros::datetime;

use super::{next_send_time, swedish_time, within_sending_hours};

#[track_caller]
fn check(now: OffsetDateTime, last_sent_at: Option<OffsetDateTime>, expected: OffsetDateTime) {
    assert_eq!(next_send_time(now, last_sent_at), expected, "now {now}");
}

#[test]
fn stockholm_is_in_the_bundled_tz_database() {
    let summer = swedish_time(datetime!(2026-06-15 10:00 UTC));
    assert_eq!(summer, "2026-06-15 12:00");
    assert_eq!(
        swedish_time(datetime!(2026-01-15 10:00 UTC)),
        "2026-01-15 11:00"
    );
}

#[test]
fn winter_evening_waits_from_21_until_next_morning_at_7() {
    // Winter: Swedish time is UTC+1.
    check(
        datetime!(2026-01-15 19:59 UTC),
        None,
        datetime!(2026-01-15 19:59 UTC),
    );
    check(
        datetime!(2026-01-15 20:00 UTC),
        None,
        datetime!(2026-01-16 06:00 UTC),
    );
    check(
        datetime!(2026-01-15 21:30 UTC),
        None,
        datetime!(2026-01-16 06:00 UTC),
    );
    check(
        datetime!(2026-01-15 23:30 UTC),
        None,
        datetime!(2026-01-16 06:00 UTC),
    );
}

#[test]
fn winter_early_morning_waits_until_7_the_same_day() {
    check(
        datetime!(2026-01-16 05:59 UTC),
        None,
        datetime!(2026-01-16 06:00 UTC),
    );
    check(
        datetime!(2026-01-16 06:00 UTC),
        None,
        datetime!(2026-01-16 06:00 UTC),
    );
    check(
        datetime!(2026-01-16 00:00 UTC),
        None,
        datetime!(2026-01-16 06:00 UTC),
    );
}

#[test]
fn summer_hours_are_7_to_21_at_utc_plus_2() {
    check(
        datetime!(2026-06-15 18:59 UTC),
        None,
        datetime!(2026-06-15 18:59 UTC),
    );
    check(
        datetime!(2026-06-15 19:00 UTC),
        None,
        datetime!(2026-06-16 05:00 UTC),
    );
    check(
        datetime!(2026-06-15 20:30 UTC),
        None,
        datetime!(2026-06-16 05:00 UTC),
    );
    check(
        datetime!(2026-06-16 04:59 UTC),
        None,
        datetime!(2026-06-16 05:00 UTC),
    );
    check(
        datetime!(2026-06-16 05:00 UTC),
        None,
        datetime!(2026-06-16 05:00 UTC),
    );
}

#[test]
fn spring_change_moves_the_morning_to_utc_plus_2() {
    // Saturday 22:30 (UTC+1) waits for Sunday 07:00, which is already summer time.
    check(
        datetime!(2026-03-28 21:30 UTC),
        None,
        datetime!(2026-03-29 05:00 UTC),
    );
    // 03:30 summer time, just after the clocks went forward.
    check(
        datetime!(2026-03-29 01:30 UTC),
        None,
        datetime!(2026-03-29 05:00 UTC),
    );
    // 01:30 winter time, just before.
    check(
        datetime!(2026-03-29 00:30 UTC),
        None,
        datetime!(2026-03-29 05:00 UTC),
    );
    // Sunday evening is summer time: 21:00 is 19:00 UTC.
    check(
        datetime!(2026-03-29 18:59 UTC),
        None,
        datetime!(2026-03-29 18:59 UTC),
    );
    check(
        datetime!(2026-03-29 19:00 UTC),
        None,
        datetime!(2026-03-30 05:00 UTC),
    );
}

#[test]
fn autumn_change_moves_the_morning_to_utc_plus_1() {
    // Saturday 22:30 (UTC+2) waits for Sunday 07:00, which is already winter time.
    check(
        datetime!(2026-10-24 20:30 UTC),
        None,
        datetime!(2026-10-25 06:00 UTC),
    );
    // 02:30 in the repeated hour, both times.
    check(
        datetime!(2026-10-25 00:30 UTC),
        None,
        datetime!(2026-10-25 06:00 UTC),
    );
    check(
        datetime!(2026-10-25 01:30 UTC),
        None,
        datetime!(2026-10-25 06:00 UTC),
    );
    // Sunday evening is winter time: 21:00 is 20:00 UTC.
    check(
        datetime!(2026-10-25 19:59 UTC),
        None,
        datetime!(2026-10-25 19:59 UTC),
    );
    check(
        datetime!(2026-10-25 20:00 UTC),
        None,
        datetime!(2026-10-26 06:00 UTC),
    );
}

#[test]
fn letters_within_an_hour_of_a_notification_wait_for_the_hour_to_end() {
    let last = datetime!(2026-01-15 10:30 UTC);
    check(
        datetime!(2026-01-15 11:00 UTC),
        Some(last),
        datetime!(2026-01-15 11:30 UTC),
    );
    check(
        datetime!(2026-01-15 11:30 UTC),
        Some(last),
        datetime!(2026-01-15 11:30 UTC),
    );
    check(
        datetime!(2026-01-15 12:00 UTC),
        Some(last),
        datetime!(2026-01-15 12:00 UTC),
    );
}

#[test]
fn summary_hour_ending_after_21_waits_until_the_morning() {
    // Last sent 20:30 Swedish time; the hour ends at 21:30, so the summary goes at 07:00.
    let last = datetime!(2026-01-15 19:30 UTC);
    check(
        datetime!(2026-01-15 19:40 UTC),
        Some(last),
        datetime!(2026-01-16 06:00 UTC),
    );
}

#[test]
fn within_sending_hours_keeps_times_inside_the_window() {
    let noon = datetime!(2026-07-01 10:00 UTC);
    assert_eq!(within_sending_hours(noon), noon);
}
