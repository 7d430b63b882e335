//! The HTML a letter's body may hold (PROTOCOL.md §6.3), as one set of rules for everyone who
//! meets it: the operator's inbox shows a body through [`sanitise`], the sender toolkit refuses
//! a body with a script before signing ([`has_script`]), and `kuvert check` names each piece of
//! a body the inbox would drop ([`check`]) before anything is sent. It lives here, below the
//! roles, because roles never depend on each other.
//!
//! What is kept: the elements of [`ALLOWED_ELEMENTS`]; links only to the schemes of
//! [`LINK_SCHEMES`]; images only as `data:image/…` (nothing is fetched from elsewhere, which
//! would tell a tracker that the letter was read). What goes: scripts, styles, event handlers,
//! forms, frames, relative links and `data:` anywhere but an image. The inbox page's Content
//! Security Policy (`layers`) is the second wall.
//!
//! Pure: no I/O.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, StartTag, TagToken, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// The elements a letter's HTML may use; every other element is dropped (its text kept,
/// except a script's or a style's).
pub const ALLOWED_ELEMENTS: [&str; 40] = [
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
];

/// The schemes a link may use (`data:` only for an image's `src`, see [`url_allowed`]).
pub const LINK_SCHEMES: [&str; 3] = ["http", "https", "mailto"];

/// HTML made safe to show inside the inbox page (see the module doc for what is kept).
#[must_use]
pub fn sanitise(html: &str) -> String {
    let tags: HashSet<&str> = ALLOWED_ELEMENTS.into_iter().collect();
    let schemes: HashSet<&str> = LINK_SCHEMES.into_iter().chain(["data"]).collect();
    ammonia::Builder::default()
        .tags(tags)
        .url_schemes(schemes)
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_relative(ammonia::UrlRelative::Deny)
        .attribute_filter(|element, attribute, value| {
            url_allowed(element, attribute, value).then(|| value.into())
        })
        .clean(html)
        .to_string()
}

/// Whether `content` holds a `script` element, compared without regard to case: operators
/// refuse such a body (PROTOCOL.md §6.3, the Skatteverket reference's `ScriptTag` rule), so
/// the sender toolkit refuses it before signing.
#[must_use]
pub fn has_script(content: &[u8]) -> bool {
    find_script(content).is_some()
}

/// One thing in a body that breaks these rules, and the line it is on (from 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HtmlFinding {
    /// The line of the body the tag starts on.
    pub line: u64,
    /// What is wrong.
    pub rule: HtmlRule,
}

/// What a body does that a letter's HTML may not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HtmlRule {
    /// A `script` element: operators refuse the whole letter.
    Script,
    /// An element outside [`ALLOWED_ELEMENTS`]: the inbox drops it.
    Element(String),
    /// An event handler attribute (`onclick`, …): the inbox drops it.
    EventHandler {
        /// The element.
        element: String,
        /// The attribute.
        attribute: String,
    },
    /// A `style` attribute: the inbox drops it.
    Style {
        /// The element.
        element: String,
    },
    /// A link or image address the inbox drops: another scheme, a relative address, an
    /// outside image or `data:` outside an image.
    Address {
        /// The element.
        element: String,
        /// The attribute.
        attribute: String,
        /// The address, cut to [`ADDRESS_SHOWN_CHARS`] characters.
        address: String,
    },
}

/// How much of a refused address a finding shows.
pub const ADDRESS_SHOWN_CHARS: usize = 60;

impl fmt::Display for HtmlRule {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Script => write!(
                formatter,
                "a script element; operators refuse a letter with a script"
            ),
            Self::Element(name) => write!(
                formatter,
                "element <{name}> is not allowed in a letter; the inbox removes it"
            ),
            Self::EventHandler { element, attribute } => write!(
                formatter,
                "event handler {attribute} on <{element}>; the inbox removes it"
            ),
            Self::Style { element } => write!(
                formatter,
                "style attribute on <{element}>; the inbox removes it (no styles in a letter)"
            ),
            Self::Address {
                element,
                attribute,
                address,
            } => write!(
                formatter,
                "{attribute}=\"{address}\" on <{element}>: links only to {}, images only \
                 embedded as data:image/…; the inbox removes it",
                LINK_SCHEMES.join(", ")
            ),
        }
    }
}

impl fmt::Display for HtmlFinding {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "line {}: {}", self.line, self.rule)
    }
}

/// Every piece of `html` that breaks the rules, in order: a script first (the letter would
/// be refused), then each element, event handler, style and address the inbox would drop.
/// Empty when [`sanitise`] keeps every element and attribute it is given.
#[must_use]
pub fn check(html: &str) -> Vec<HtmlFinding> {
    let mut findings = Vec::new();
    if let Some(at) = find_script(html.as_bytes()) {
        let line = 1 + html.as_bytes()[..at]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        findings.push(HtmlFinding {
            line: line as u64,
            rule: HtmlRule::Script,
        });
    }
    let sink = Findings::default();
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    findings.extend(tokenizer.sink.found.take());
    findings
}

/// The text of `html` as a reader sees it, for a paper copy of the letter: character
/// references decoded, runs of white space made one space, a line break at each block
/// (paragraph, heading, list item, table row, `br`), and nothing of a script or a style.
#[must_use]
pub fn text_of(html: &str) -> String {
    let sink = PlainText::default();
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let text = tokenizer.sink.text.take();
    let mut lines: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim) {
        // One empty line between blocks, however many blocks end there.
        if !line.is_empty() || lines.last().is_some_and(|last| !last.is_empty()) {
            lines.push(line);
        }
    }
    lines.join("\n").trim().to_owned()
}

/// Whether `attribute="value"` may stay on `element`: addresses only with an allowed scheme
/// (ammonia has already refused relative ones and other schemes), `data:` only for an
/// image, and an image only from `data:image/…`.
#[must_use]
pub fn url_allowed(element: &str, attribute: &str, value: &str) -> bool {
    let lower = value.trim_start().to_ascii_lowercase();
    let is_data = lower.starts_with("data:");
    match (element, attribute) {
        // Images only from inside the letter: nothing is fetched from elsewhere.
        ("img", "src") => lower.starts_with("data:image/"),
        // `data:` anywhere else (a link to a data: HTML page) could run code.
        _ => !is_data,
    }
}

const SCRIPT_OPENING: &[u8] = b"<script";

/// The frame of a whole HTML document (a body must validate against its doctype, PROTOCOL.md
/// §6.3): the inbox unwraps it, and [`check`] does not count it.
const DOCUMENT_ELEMENTS: [&str; 5] = ["html", "head", "body", "title", "meta"];

const URL_ATTRIBUTES: [&str; 5] = ["href", "src", "cite", "action", "background"];

fn find_script(content: &[u8]) -> Option<usize> {
    content
        .windows(SCRIPT_OPENING.len())
        .position(|window| window.eq_ignore_ascii_case(SCRIPT_OPENING))
}

/// The tokenizer's sink: each start tag judged by the rules above.
#[derive(Default)]
struct Findings {
    found: RefCell<Vec<HtmlFinding>>,
}

impl TokenSink for Findings {
    type Handle = ();

    fn process_token(&self, token: Token, line: u64) -> TokenSinkResult<()> {
        if let TagToken(tag) = token
            && tag.kind == StartTag
        {
            let element = tag.name.to_string();
            let mut found = self.found.borrow_mut();
            let mut push = |rule| found.push(HtmlFinding { line, rule });
            if element == "script" || DOCUMENT_ELEMENTS.contains(&element.as_str()) {
                // A script is named once, by `has_script`'s rule, before the tags; the
                // document's frame holds no content the inbox would lose.
            } else if !ALLOWED_ELEMENTS.contains(&element.as_str()) {
                push(HtmlRule::Element(element));
            } else {
                for attribute in &tag.attrs {
                    let name = attribute.name.local.to_string();
                    if let Some(rule) = attribute_rule(&element, &name, &attribute.value) {
                        push(rule);
                    }
                }
            }
        }
        TokenSinkResult::Continue
    }
}

/// Elements that start a new line in [`text_of`].
const BLOCK_ELEMENTS: [&str; 20] = [
    "blockquote",
    "br",
    "caption",
    "dd",
    "div",
    "dl",
    "dt",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "tr",
    "ul",
];

/// The tokenizer's sink for [`text_of`].
#[derive(Default)]
struct PlainText {
    text: RefCell<String>,
    /// Inside a `script` or `style` element, whose text is not shown.
    is_hidden: std::cell::Cell<bool>,
}

impl TokenSink for PlainText {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut text = self.text.borrow_mut();
        match token {
            TagToken(tag) => {
                let name = tag.name.to_string();
                if matches!(name.as_str(), "script" | "style") {
                    self.is_hidden.set(tag.kind == StartTag);
                } else if BLOCK_ELEMENTS.contains(&name.as_str()) {
                    text.push('\n');
                }
            }
            Token::CharacterTokens(characters) if !self.is_hidden.get() => {
                for c in characters.chars() {
                    let is_blank = c.is_whitespace();
                    if !is_blank {
                        text.push(c);
                    } else if !text.ends_with([' ', '\n']) {
                        text.push(' ');
                    }
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// Why the inbox drops `name="value"` on an allowed `element`, if it does.
fn attribute_rule(element: &str, name: &str, value: &str) -> Option<HtmlRule> {
    if name.starts_with("on") {
        return Some(HtmlRule::EventHandler {
            element: element.to_owned(),
            attribute: name.to_owned(),
        });
    }
    if name == "style" {
        return Some(HtmlRule::Style {
            element: element.to_owned(),
        });
    }
    if !URL_ATTRIBUTES.contains(&name) {
        return None;
    }
    let scheme = value.trim_start().split_once(':').map(|(scheme, _)| scheme);
    let is_allowed_scheme = scheme.is_some_and(|scheme| {
        let scheme = scheme.to_ascii_lowercase();
        LINK_SCHEMES.contains(&scheme.as_str()) || scheme == "data"
    });
    if is_allowed_scheme && url_allowed(element, name, value) {
        return None;
    }
    Some(HtmlRule::Address {
        element: element.to_owned(),
        attribute: name.to_owned(),
        address: value.chars().take(ADDRESS_SHOWN_CHARS).collect(),
    })
}

#[cfg(test)]
mod tests;
