//! Masking of feedback comments: identity numbers and e-mail addresses never reach the store.

use super::*;

#[track_caller]
fn check(input: &str, expected: &str) {
    assert_eq!(MaskedComment::mask(input).unwrap().as_str(), expected);
}

#[test]
fn mask_hides_identity_numbers_and_email_addresses() {
    check("Mitt nummer är 19121212-1212.", "Mitt nummer är [nummer].");
    check("121212-1212 hjälp", "[nummer] hjälp");
    check("191212121212", "[nummer]");
    check("ring 070 123 45 67", "ring [nummer]");
    check("skriv till anna@example.se.", "skriv till [e-post]");
    check("år 2026, sidan 12", "år 2026, sidan 12");
    check("  bra sida  ", "bra sida");
    check("a@b", "a@b");
}

#[test]
fn mask_refuses_a_comment_over_the_bound() {
    let long = "x".repeat(FEEDBACK_COMMENT_CHARS_MAX + 1);
    assert!(matches!(
        MaskedComment::mask(&long),
        Err(CommentError::TooLong { .. })
    ));
    assert!(MaskedComment::mask(&long[1..]).is_ok());
}
