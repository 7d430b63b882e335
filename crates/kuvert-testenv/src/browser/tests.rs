//! The browser's cookie keeping: set, replaced, removed by an empty value or `Max-Age=0`,
//! and sent back as one `Cookie` header.

use std::collections::BTreeMap;

use super::{cookie_header, keep_cookie};

#[test]
fn cookies_are_kept_replaced_and_removed_as_a_browser_does() {
    let mut cookies = BTreeMap::new();
    keep_cookie(
        &mut cookies,
        "kuvert_session=abc; Path=/; HttpOnly; SameSite=Lax",
    );
    keep_cookie(&mut cookies, "lang=en");
    assert_eq!(cookie_header(&cookies), "kuvert_session=abc; lang=en");
    keep_cookie(&mut cookies, "kuvert_session=def; Path=/");
    assert_eq!(cookies["kuvert_session"], "def");
    keep_cookie(&mut cookies, "kuvert_session=gone; Path=/; max-age=0");
    keep_cookie(&mut cookies, "lang=; Path=/");
    assert!(cookies.is_empty(), "{cookies:?}");
    // A cookie whose value merely contains the text is not a removal.
    keep_cookie(&mut cookies, "note=Max-Age=0x; Path=/");
    assert_eq!(cookies["note"], "Max-Age=0x");
}
