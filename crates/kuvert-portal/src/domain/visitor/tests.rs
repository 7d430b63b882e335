//! Visitor hashes and the Stockholm day: what makes a visit countable but not traceable.

use time::macros::datetime;

use super::{VisitorSalts, stockholm_date, visitor_hash};

#[test]
fn stockholm_date_follows_winter_and_summer_time() {
    #[track_caller]
    fn check(at: time::OffsetDateTime, expected: time::Date) {
        assert_eq!(stockholm_date(at), expected, "{at}");
    }
    // Winter, UTC+1: 23:30 UTC is already the next day.
    check(datetime!(2026-11-28 23:30 UTC), time::macros::date!(2026-11-29));
    check(datetime!(2026-11-28 22:59 UTC), time::macros::date!(2026-11-28));
    // Summer, UTC+2: 22:30 UTC is the next day.
    check(datetime!(2026-07-01 22:30 UTC), time::macros::date!(2026-07-02));
    check(datetime!(2026-07-01 21:59 UTC), time::macros::date!(2026-07-01));
    // Summer time starts 2026-03-29 01:00 UTC and ends 2026-10-25 01:00 UTC.
    check(datetime!(2026-03-29 00:59 UTC), time::macros::date!(2026-03-29));
    check(datetime!(2026-10-24 22:30 UTC), time::macros::date!(2026-10-25));
    check(datetime!(2026-10-25 22:30 UTC), time::macros::date!(2026-10-25));
}

#[test]
fn visitor_hash_separates_address_from_user_agent() {
    let salt = [7_u8; 32];
    assert_ne!(
        visitor_hash(&salt, "1.2.3.4", "5x"),
        visitor_hash(&salt, "1.2.3.45", "x")
    );
    assert_eq!(
        visitor_hash(&salt, "1.2.3.4", "x"),
        visitor_hash(&salt, "1.2.3.4", "x")
    );
}

#[test]
fn visitor_is_the_same_all_day_and_different_the_next_day() {
    let salts = VisitorSalts::new();
    let monday = time::macros::date!(2026-11-30);
    let first = salts.visitor(monday, "192.0.2.1", "Firefox");
    let again = salts.visitor(monday, "192.0.2.1", "Firefox");
    let other = salts.visitor(monday, "192.0.2.2", "Firefox");
    assert!(first.is_new_day);
    assert!(!again.is_new_day);
    assert_eq!(first.hash, again.hash);
    assert_ne!(first.hash, other.hash);
    let tuesday = salts.visitor(monday.next_day().unwrap(), "192.0.2.1", "Firefox");
    assert!(tuesday.is_new_day);
    assert_ne!(tuesday.hash, first.hash, "a new day has a new salt");
}

#[test]
fn visitor_salts_never_show_their_salt() {
    let salts = VisitorSalts::new();
    salts.visitor(time::macros::date!(2026-11-30), "192.0.2.1", "Firefox");
    assert_eq!(format!("{salts:?}"), "VisitorSalts { .. }");
}
