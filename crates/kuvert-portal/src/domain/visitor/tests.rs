//! Visitor hashes and the Stockholm day: what makes a visit countable but not traceable.

use super::{VisitorSalts, visitor_hash};

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
    let monday = time::macros::date!(2026 - 11 - 30);
    let tuesday = monday.next_day().unwrap();
    assert!(
        salts.visitor(monday, "192.0.2.1", "Firefox").is_none(),
        "no salt yet"
    );
    let first = salts.visitor_with(monday, [1; 32], "192.0.2.1", "Firefox");
    let again = salts.visitor(monday, "192.0.2.1", "Firefox").unwrap();
    let other = salts.visitor(monday, "192.0.2.2", "Firefox").unwrap();
    assert!(first.is_new_day);
    assert!(!again.is_new_day);
    assert_eq!(first.hash, again.hash);
    assert_ne!(first.hash, other.hash);
    assert!(salts.visitor(tuesday, "192.0.2.1", "Firefox").is_none());
    let next = salts.visitor_with(tuesday, [2; 32], "192.0.2.1", "Firefox");
    assert!(next.is_new_day);
    assert_ne!(next.hash, first.hash, "a new day has a new salt");
    let same_day = salts.visitor_with(tuesday, [2; 32], "192.0.2.1", "Firefox");
    assert!(!same_day.is_new_day);
}

#[test]
fn visitor_salts_never_show_their_salt() {
    let salts = VisitorSalts::new();
    salts.visitor_with(
        time::macros::date!(2026 - 11 - 30),
        [1; 32],
        "192.0.2.1",
        "Firefox",
    );
    assert_eq!(format!("{salts:?}"), "VisitorSalts { .. }");
}

#[test]
fn visitor_salts_forget_yesterdays_salt_at_the_day_change() {
    let salts = VisitorSalts::new();
    let monday = time::macros::date!(2026 - 11 - 30);
    salts.visitor_with(monday, [1; 32], "192.0.2.1", "Firefox");
    assert!(!salts.forget_unless(monday));
    assert!(salts.forget_unless(monday.next_day().unwrap()));
    assert!(
        salts.visitor(monday, "192.0.2.1", "Firefox").is_none(),
        "gone for good"
    );
}
