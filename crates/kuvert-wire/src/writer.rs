//! A small XML writer for the prefix-free form (PROTOCOL.md §9.3).
//!
//! Every element is written with its local name only and `xmlns="…"` whenever its namespace
//! differs from its parent's, so the output needs no prefixes, has no whitespace-only text and
//! is already close to its exclusive canonical form. Unqualified elements (Authority `argN`,
//! SOAP `faultcode`) get `xmlns=""` when a default namespace is in scope.

/// Writes one XML fragment; [`Writer::finish`] returns it.
#[derive(Debug, Default)]
pub struct Writer {
    out: String,
    /// Open elements: (local name, default namespace in scope inside it).
    open: Vec<(&'static str, &'static str)>,
}

impl Writer {
    /// An empty writer whose first element declares its namespace.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Opens element `{namespace}name`.
    pub fn start(&mut self, namespace: &'static str, name: &'static str) {
        self.start_with_id(namespace, name, None);
    }

    /// Opens element `{namespace}name` with an optional unprefixed `Id` attribute.
    pub fn start_with_id(&mut self, namespace: &'static str, name: &'static str, id: Option<&str>) {
        let in_scope = self.open.last().map_or("", |(_, ns)| *ns);
        self.out.push('<');
        self.out.push_str(name);
        if namespace != in_scope {
            self.out.push_str(" xmlns=\"");
            escape_into(&mut self.out, namespace, Escape::Attribute);
            self.out.push('"');
        }
        if let Some(id) = id {
            self.out.push_str(" Id=\"");
            escape_into(&mut self.out, id, Escape::Attribute);
            self.out.push('"');
        }
        self.out.push('>');
        self.open.push((name, namespace));
    }

    /// Closes the innermost open element.
    ///
    /// # Panics
    /// When no element is open: a programming error in this crate.
    pub fn end(&mut self) {
        let (name, _) = self.open.pop().expect("end() matches a start()");
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// Writes escaped character data into the open element.
    pub fn text(&mut self, text: &str) {
        escape_into(&mut self.out, text, Escape::Text);
    }

    /// Writes `<name>text</name>` in `namespace`.
    pub fn leaf(&mut self, namespace: &'static str, name: &'static str, text: &str) {
        self.start(namespace, name);
        self.text(text);
        self.end();
    }

    /// Writes the leaf when a value is present; any text value (`&str`, or a typed text of
    /// `kuvert-core` such as `PhoneNumber`) is written as its string.
    pub fn opt_leaf<T: AsRef<str> + ?Sized>(
        &mut self,
        namespace: &'static str,
        name: &'static str,
        text: Option<&T>,
    ) {
        if let Some(text) = text {
            self.leaf(namespace, name, text.as_ref());
        }
    }

    /// Appends an already serialised, well-formed element (a signed delivery) unchanged.
    ///
    /// The caller guarantees the fragment declares its own namespace, as the prefix-free form
    /// of a root element always does.
    pub fn raw(&mut self, fragment: &str) {
        self.out.push_str(fragment);
    }

    /// The written XML.
    ///
    /// # Panics
    /// When an element is still open: a programming error in this crate.
    #[must_use]
    pub fn finish(self) -> String {
        assert!(self.open.is_empty(), "every started element is ended");
        self.out
    }
}

/// Where escaped text goes: an attribute value also escapes `"`, tab and LF, not `>`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Escape {
    Text,
    Attribute,
}

/// Escapes `&`, `<`, `>` (and `"` in attributes) and the carriage return, as exclusive C14N
/// writes them, so the output survives canonicalisation unchanged.
fn escape_into(out: &mut String, text: &str, escape: Escape) {
    let is_attribute = escape == Escape::Attribute;
    let is_special = |byte: u8| match byte {
        b'&' | b'<' | b'\r' => true,
        b'>' => !is_attribute,
        b'"' | b'\t' | b'\n' => is_attribute,
        _ => false,
    };
    // Most text (ids, numbers, dates, addresses) has nothing to escape: copy it whole.
    if !text.bytes().any(is_special) {
        out.push_str(text);
        return;
    }
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' if !is_attribute => out.push_str("&gt;"),
            '"' if is_attribute => out.push_str("&quot;"),
            '\r' => out.push_str("&#xD;"),
            '\t' if is_attribute => out.push_str("&#x9;"),
            '\n' if is_attribute => out.push_str("&#xA;"),
            other => out.push(other),
        }
    }
}

#[cfg(test)]
mod tests;
