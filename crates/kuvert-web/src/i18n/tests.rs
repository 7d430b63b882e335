//! Language negotiation: precedence and `Accept-Language` qualities.

use super::*;

#[track_caller]
fn check(query: Option<&str>, cookie: Option<&str>, accept: Option<&str>, expected: Language) {
    assert_eq!(Language::negotiate(query, cookie, accept), expected);
}

#[test]
fn negotiate_prefers_query_then_cookie_then_header_then_swedish() {
    check(Some("en"), Some("sv"), Some("sv"), Language::English);
    check(Some("xx"), Some("en"), Some("sv"), Language::English);
    check(None, None, Some("en-GB,en;q=0.9"), Language::English);
    check(None, None, Some("de-DE, fr;q=0.5"), Language::Swedish);
    check(None, None, None, Language::Swedish);
}

#[test]
fn accept_language_picks_the_highest_quality() {
    let pick = Language::from_accept_language;
    assert_eq!(pick("en;q=0.5, sv;q=0.8"), Some(Language::Swedish));
    assert_eq!(pick("sv;q=0.5, en-US"), Some(Language::English));
    assert_eq!(pick("sv;q=0, en;q=0.1"), Some(Language::English));
    assert_eq!(pick("sv;q=0"), None);
    assert_eq!(pick("en;q=banana, sv;q=0.2"), Some(Language::Swedish));
}
