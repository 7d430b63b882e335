//! Reading the server-rendered forms of Kuvert's pages in tests, the way a browser without
//! JavaScript would submit them: the first POST form's `action` and its hidden fields.
//!
//! The pages are askama templates with a fixed attribute order (`type`, `name`, `value`;
//! `method`, `action`), so plain string search is enough; a page that breaks that shape makes
//! the calling test fail with a message naming what was missing.

/// The `name`/`value` pairs of the hidden inputs in `html`, entities decoded.
///
/// # Panics
/// When a hidden input is not written as `name="…" value="…"`.
#[must_use]
pub fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let marker = "<input type=\"hidden\" name=\"";
    let mut fields = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(marker) {
        rest = &rest[start + marker.len()..];
        let (name, after_name) = rest
            .split_once("\" value=\"")
            .expect("a hidden input has name then value");
        let (value, after_value) = after_name
            .split_once('"')
            .expect("a closed value attribute");
        fields.push((unescape(name), unescape(value)));
        rest = after_value;
    }
    fields
}

/// The `action` of the first POST form in `html`, entities decoded.
///
/// # Panics
/// When `html` has no `<form method="post" action="…">`.
#[must_use]
pub fn form_action(html: &str) -> String {
    let marker = "<form method=\"post\" action=\"";
    let start = html.find(marker).expect("a POST form in the page") + marker.len();
    unescape(
        html[start..]
            .split_once('"')
            .expect("a closed action attribute")
            .0,
    )
}

/// Decodes the entities askama writes (named and numeric).
fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let (entity, after) = rest[start + 1..]
            .split_once(';')
            .expect("an entity ends in ';'");
        let decoded = match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => numeric_entity(entity),
        };
        out.push(decoded);
        rest = after;
    }
    out.push_str(rest);
    out
}

/// `#x41` or `#65` as its character.
fn numeric_entity(entity: &str) -> char {
    let code = match entity.strip_prefix("#x") {
        Some(hex) => u32::from_str_radix(hex, 16),
        None => entity.trim_start_matches('#').parse(),
    };
    code.ok()
        .and_then(char::from_u32)
        .expect("a numeric entity names a character")
}

#[cfg(test)]
mod tests {
    use super::{form_action, hidden_fields};

    #[test]
    fn form_reading_decodes_entities_in_action_and_hidden_fields() {
        let html = "<form method=\"post\" action=\"/a?b=1&amp;c=2\">\
            <input type=\"hidden\" name=\"state\" value=\"x&#x2F;y&#47;&quot;z\">\
            <input type=\"hidden\" name=\"n\" value=\"&lt;&gt;&apos;\"></form>";
        assert_eq!(form_action(html), "/a?b=1&c=2");
        assert_eq!(
            hidden_fields(html),
            vec![
                ("state".to_owned(), "x/y/\"z".to_owned()),
                ("n".to_owned(), "<>'".to_owned())
            ]
        );
    }
}
