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
    salts.visitor(time::macros::date!(2026 - 11 - 30), "192.0.2.1", "Firefox");
    assert_eq!(format!("{salts:?}"), "VisitorSalts { .. }");
}

#[test]
fn visitor_salts_forget_yesterdays_salt_at_the_day_change() {
    let salts = VisitorSalts::new();
    let monday = time::macros::date!(2026 - 11 - 30);
    let first = salts.visitor(monday, "192.0.2.1", "Firefox");
    assert!(!salts.forget_unless(monday));
    assert!(salts.forget_unless(monday.next_day().unwrap()));
    let later = salts.visitor(monday, "192.0.2.1", "Firefox");
    assert!(later.is_new_day, "the forgotten salt is gone for good");
    assert_ne!(later.hash, first.hash);
}
