//! Download helpers: RFC 5987 file names in `Content-Disposition` and attachment sizes.

use super::{percent_encode_attr, size_text};

#[test]
fn filename_is_percent_encoded_as_rfc_5987_value_chars() {
    assert_eq!(percent_encode_attr("beslut.pdf"), "beslut.pdf");
    assert_eq!(
        percent_encode_attr("Beslut å ö.pdf"),
        "Beslut%20%C3%A5%20%C3%B6.pdf"
    );
    assert_eq!(percent_encode_attr("a\"b;c\r\n"), "a%22b%3Bc%0D%0A");
}

#[test]
fn sizes_are_shown_in_b_kb_and_mb() {
    assert_eq!(size_text(512), "512 B");
    assert_eq!(size_text(34_500), "34 kB");
    assert_eq!(size_text(1_250_000), "1.2 MB");
}
