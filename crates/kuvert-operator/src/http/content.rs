//! A stored letter's content for the read view: the `SignedDelivery` read back from the
//! sealed delivery the store kept, and the HTML body made harmless.
//!
//! The sealed delivery was verified at intake; here it is only parsed (same bounded parser)
//! to show the body and hand out attachments. HTML bodies go through `ammonia` with an allow
//! list: no scripts, styles, event handlers, forms or frames; links only to `http`, `https`
//! and `mailto`; images only as `data:image/…` (nothing is fetched from elsewhere, which would
//! tell a tracker that the letter was read). The page's Content Security Policy
//! (`kuvert_web::layers`) is the second wall.

use std::collections::HashSet;

use kuvert_core::limits::ENVELOPE_BYTES_CEILING;
use kuvert_core::message::SecureDelivery;
use kuvert_wire::ns::MESSAGE3;
use kuvert_xmldsig::ParseLimits;

/// Why a stored letter could not be read back (stored data is broken: an internal error).
#[derive(Debug, thiserror::Error)]
pub(super) enum ContentError {
    /// The stored bytes are not UTF-8 XML within the parser's limits.
    #[error("stored sealed delivery does not parse")]
    Parse(#[source] kuvert_xmldsig::ParseError),
    /// The stored bytes are not UTF-8.
    #[error("stored sealed delivery is not UTF-8")]
    Encoding(#[source] std::str::Utf8Error),
    /// No `SignedDelivery` element in the stored document.
    #[error("stored sealed delivery has no SignedDelivery element")]
    NoSignedDelivery,
    /// The `SignedDelivery` does not fit the message model.
    #[error("stored signed delivery does not read back")]
    Wire(#[source] kuvert_wire::error::WireError),
}

/// Reads the letter out of a stored sealed delivery (a `SealedDelivery` element, or any
/// document holding one, such as the `deliverSecure` envelope).
pub(super) fn read_letter(sealed_delivery: &[u8]) -> Result<SecureDelivery, ContentError> {
    let xml = std::str::from_utf8(sealed_delivery).map_err(ContentError::Encoding)?;
    let limits = ParseLimits {
        bytes_max: ENVELOPE_BYTES_CEILING,
        ..ParseLimits::default()
    };
    let document =
        kuvert_xmldsig::parse_document_with(xml, &limits).map_err(ContentError::Parse)?;
    let signed_delivery = document
        .descendants()
        .find(|node| {
            node.is_element()
                && node.tag_name().name() == "SignedDelivery"
                && node.tag_name().namespace() == Some(MESSAGE3)
        })
        .ok_or(ContentError::NoSignedDelivery)?;
    kuvert_wire::delivery::read_secure_delivery(signed_delivery).map_err(ContentError::Wire)
}

/// HTML made safe to show inside the inbox page (see the module doc for what is kept).
pub fn sanitise_html(html: &str) -> String {
    let tags: HashSet<&str> = [
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "code",
        "dd",
        "div",
        "dl",
        "dt",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    ]
    .into_iter()
    .collect();
    let schemes: HashSet<&str> = ["http", "https", "mailto", "data"].into_iter().collect();
    ammonia::Builder::default()
        .tags(tags)
        .url_schemes(schemes)
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_relative(ammonia::UrlRelative::Deny)
        .attribute_filter(|element, attribute, value| {
            let is_data = value.trim_start().to_ascii_lowercase().starts_with("data:");
            match (element, attribute) {
                // Images only from inside the letter: nothing is fetched from elsewhere.
                ("img", "src") => value
                    .trim_start()
                    .to_ascii_lowercase()
                    .starts_with("data:image/")
                    .then(|| value.into()),
                // `data:` anywhere else (a link to a data: HTML page) could run code.
                _ if is_data => None,
                _ => Some(value.into()),
            }
        })
        .clean(html)
        .to_string()
}

#[cfg(test)]
mod tests;
