//! The pure pieces of reading a multipart letter: a part's media type and charset.

use super::{charset, media_type};

#[track_caller]
fn check(content_type: &str, expected: (&str, Option<&str>)) {
    assert_eq!(
        (media_type(content_type), charset(content_type).as_deref()),
        expected,
        "{content_type}"
    );
}

#[test]
fn media_type_and_charset_are_read_from_a_parts_content_type() {
    check("text/plain", ("text/plain", None));
    check("text/html; charset=utf-8", ("text/html", Some("utf-8")));
    check(
        "text/plain;Charset=\"ISO-8859-1\"",
        ("text/plain", Some("iso-8859-1")),
    );
    check(" text/plain ; format=flowed", ("text/plain", None));
    check("", ("", None));
}
