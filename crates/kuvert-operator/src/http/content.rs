//! A stored letter's content for the read view and attachments, and the HTML body made
//! harmless.
//!
//! The letter is read through `kuvert_wire::delivery::read_verified`, the one reader the
//! intake also uses: the stored envelope's one sealed delivery, both signatures verified
//! again (judged on the seal's date), and the letter read from the nodes that verified.
//! HTML bodies go through `ammonia` with an allow list: no scripts, styles, event handlers,
//! forms or frames; links only to `http`, `https` and `mailto`; images only as
//! `data:image/…` (nothing is fetched from elsewhere, which would tell a tracker that the
//! letter was read). The page's Content Security Policy (`kuvert_web::layers`) is the second
//! wall.

use std::collections::HashSet;

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
