//! What communicators write (issue 13 §3): Markdown rendered to HTML and then sanitised with
//! ammonia's allow-list (no script, no style, no event attribute, links get
//! `rel="noopener noreferrer"`), and the TERMS.md check that names the words to replace
//! before a submission can be published.

use kuvert_core::vocabulary::synonyms_in;
use pulldown_cmark::{Options, Parser, html};

/// The Markdown `text` as sanitised HTML. Raw HTML in the text is kept only as far as the
/// allow-list keeps it; headings start at `<h2>` levels as written.
#[must_use]
pub(crate) fn render(text: &str) -> String {
    let parser = Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH);
    let mut unsafe_html = String::with_capacity(text.len() * 2);
    html::push_html(&mut unsafe_html, parser);
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer"))
        .clean(&unsafe_html)
        .to_string()
}

/// One word to replace: what was written (its start, as the table has it) and the TERMS.md
/// word to write instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Replace {
    pub(crate) wrong: &'static str,
    pub(crate) right: &'static str,
}

/// The words of `texts` that TERMS.md replaces, each named once, in table order.
#[must_use]
pub(crate) fn words_to_replace(texts: &[&str]) -> Vec<Replace> {
    let mut found: Vec<Replace> = Vec::new();
    for text in texts {
        for synonym in synonyms_in(text) {
            if !found.iter().any(|known| known.wrong == synonym.wrong) {
                found.push(Replace {
                    wrong: synonym.wrong,
                    right: synonym.right,
                });
            }
        }
    }
    found
}

#[cfg(test)]
mod tests;
