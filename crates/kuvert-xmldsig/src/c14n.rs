//! Exclusive XML Canonicalization 1.0 without comments (W3C `xml-exc-c14n#`), written as one
//! canonical writer over a [`View`] of a roxmltree subtree.
//!
//! The plain view ([`exclusive`]) is standard exclusive C14N and must match libxml2 (lxml's
//! `tostring(method="c14n", exclusive=True)`) byte for byte. The other views are the
//! Mina meddelanden forms a signature is computed over (PROTOCOL.md §9.2):
//! - *prefix-free* (quirk 1): every element written with its local name only, its namespace
//!   declared as a default `xmlns` where it differs from the nearest written ancestor's, and no
//!   `xmlns:*` for elements (the reference library strips prefixes before signing);
//! - *renamed apex* (quirk 3): the subtree's top element written under another name (the
//!   `deliverSecure` wrapper canonicalised as `SealedDelivery`);
//! - *excluding* one node (the enveloped-signature transform);
//! - *without whitespace-only text* (the .NET `PreserveWhitespace=false` retry).
//!
//! Views never copy or re-parse the tree: they change how nodes are written, and write either
//! into a `Vec<u8>` or straight into a digest context.
//!
//! Element and attribute prefixes are read from the input text through roxmltree's byte
//! ranges, because roxmltree keeps only namespace URIs and a URI may be bound to several
//! prefixes.

use aws_lc_rs::digest;
use roxmltree::{Node, NodeId, NodeType};

/// Canonical bytes of the subtree rooted at `node` (an element, or the document root):
/// exclusive C14N 1.0 without comments, with `inclusive_prefixes` as the
/// `InclusiveNamespaces PrefixList` (`"#default"` names the default namespace).
pub fn exclusive(node: Node<'_, '_>, inclusive_prefixes: &[&str]) -> Vec<u8> {
    View::new(node)
        .with_inclusive_prefixes(inclusive_prefixes)
        .to_vec()
}

/// What to canonicalise and how: a subtree plus the Mina meddelanden adjustments.
#[derive(Clone, Copy, Debug)]
pub struct View<'a, 'input> {
    apex: Node<'a, 'input>,
    is_prefix_free: bool,
    apex_name: Option<(&'a str, &'a str)>,
    excluded: Option<NodeId>,
    is_whitespace_text_dropped: bool,
    inclusive_prefixes: &'a [&'a str],
}

impl<'a, 'input> View<'a, 'input> {
    /// Standard exclusive C14N of the subtree rooted at `apex`.
    pub fn new(apex: Node<'a, 'input>) -> Self {
        View {
            apex,
            is_prefix_free: false,
            apex_name: None,
            excluded: None,
            is_whitespace_text_dropped: false,
            inclusive_prefixes: &[],
        }
    }

    /// Writes every element without a prefix (PROTOCOL.md §9.2 quirk 1). Prefixed
    /// attributes (none occur in MM content) keep their prefix and its declaration.
    pub fn prefix_free(mut self) -> Self {
        self.is_prefix_free = true;
        self
    }

    /// Writes the apex element as `{namespace}local`, unprefixed (quirk 3).
    pub fn with_apex_name(mut self, namespace: &'a str, local: &'a str) -> Self {
        self.apex_name = Some((namespace, local));
        self
    }

    /// Leaves out `node` and its subtree (the enveloped-signature transform).
    pub fn excluding(mut self, node: Node<'a, 'input>) -> Self {
        self.excluded = Some(node.id());
        self
    }

    /// Leaves out text nodes made only of XML white space (space, tab, CR, LF).
    pub fn without_whitespace_text(mut self) -> Self {
        self.is_whitespace_text_dropped = true;
        self
    }

    /// Treats these prefixes as in inclusive C14N (`InclusiveNamespaces PrefixList`).
    /// Ignored in the prefix-free view, which has no element prefixes to include.
    pub fn with_inclusive_prefixes(mut self, prefixes: &'a [&'a str]) -> Self {
        self.inclusive_prefixes = prefixes;
        self
    }

    /// The canonical bytes.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut writer = Writer::new(*self, Vec::with_capacity(self.apex.range().len()));
        writer.walk();
        writer.sink
    }

    /// The digest of the canonical bytes, computed while writing (no full copy in memory).
    pub fn digest(&self, algorithm: &'static digest::Algorithm) -> digest::Digest {
        let sink = DigestSink {
            context: digest::Context::new(algorithm),
            buffer: Vec::with_capacity(DIGEST_BUFFER_BYTES),
        };
        let mut writer = Writer::new(*self, sink);
        writer.walk();
        writer.sink.finish()
    }
}

/// Bytes gathered before each digest update; fewer, larger updates are much faster than one
/// per escaped fragment.
const DIGEST_BUFFER_BYTES: usize = 16 * 1024;

/// Where canonical bytes go.
trait Sink {
    fn put(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

struct DigestSink {
    context: digest::Context,
    buffer: Vec<u8>,
}

impl DigestSink {
    fn finish(mut self) -> digest::Digest {
        self.context.update(&self.buffer);
        self.context.finish()
    }
}

impl Sink for DigestSink {
    fn put(&mut self, bytes: &[u8]) {
        if self.buffer.len() + bytes.len() > DIGEST_BUFFER_BYTES {
            self.context.update(&self.buffer);
            self.buffer.clear();
        }
        if bytes.len() >= DIGEST_BUFFER_BYTES {
            self.context.update(bytes);
        } else {
            self.buffer.extend_from_slice(bytes);
        }
    }
}

/// One attribute as it will be written.
struct OutputAttribute<'a> {
    namespace: &'a str,
    local: &'a str,
    prefix: &'a str,
    value: &'a str,
}

/// The canonical writer. `rendered` is the stack of namespace declarations written by open
/// ancestors (prefix, URI); `scopes` remembers its length when each element opened.
struct Writer<'a, 'input, S> {
    view: View<'a, 'input>,
    sink: S,
    rendered: Vec<(&'a str, &'a str)>,
    scopes: Vec<usize>,
    names: Vec<(&'a str, &'a str)>,
    declarations: Vec<(&'a str, &'a str)>,
    attributes: Vec<OutputAttribute<'a>>,
    is_after_document_element: bool,
}

impl<'a, 'input: 'a, S: Sink> Writer<'a, 'input, S> {
    fn new(view: View<'a, 'input>, sink: S) -> Self {
        Writer {
            view,
            sink,
            rendered: Vec::new(),
            scopes: Vec::new(),
            names: Vec::new(),
            declarations: Vec::new(),
            attributes: Vec::new(),
            is_after_document_element: false,
        }
    }

    /// Document-order walk of the apex subtree without recursion (depth is bounded by the
    /// parser, but the writer must not depend on that).
    fn walk(&mut self) {
        let apex = self.view.apex;
        let mut node = apex;
        'nodes: loop {
            if self.enter(node) {
                if let Some(child) = node.first_child() {
                    node = child;
                    continue;
                }
                self.leave(node);
            }
            loop {
                if node == apex {
                    return;
                }
                if let Some(next) = node.next_sibling() {
                    node = next;
                    continue 'nodes;
                }
                match node.parent() {
                    Some(parent) => node = parent,
                    None => return,
                }
                self.leave(node);
            }
        }
    }

    /// Writes what comes before a node's children; true when the walk should descend.
    fn enter(&mut self, node: Node<'a, 'input>) -> bool {
        if self.view.excluded == Some(node.id()) {
            return false;
        }
        match node.node_type() {
            NodeType::Root => true,
            NodeType::Element => {
                self.open_element(node);
                true
            }
            NodeType::Text => {
                let text = node.text().unwrap_or_default();
                if !(self.view.is_whitespace_text_dropped && is_xml_whitespace(text)) {
                    put_escaped(&mut self.sink, text, Escape::Text);
                }
                false
            }
            NodeType::PI => {
                self.processing_instruction(node);
                false
            }
            NodeType::Comment => false,
        }
    }

    fn leave(&mut self, node: Node<'a, 'input>) {
        if !node.is_element() {
            return;
        }
        if let Some((prefix, local)) = self.names.pop() {
            self.sink.put(b"</");
            self.put_qname(prefix, local);
            self.sink.put(b">");
        }
        if let Some(length) = self.scopes.pop() {
            self.rendered.truncate(length);
        }
        if node.parent().is_some_and(|parent| parent.is_root()) {
            self.is_after_document_element = true;
        }
    }

    fn open_element(&mut self, node: Node<'a, 'input>) {
        let (namespace, local, prefix) = self.element_name(node);
        self.scopes.push(self.rendered.len());
        self.declarations.clear();
        self.declare_if_needed(prefix, namespace);
        self.collect_attributes(node);
        if !self.view.is_prefix_free {
            for &listed in self.view.inclusive_prefixes {
                let prefix = if listed == "#default" { "" } else { listed };
                match lookup_namespace(node, prefix) {
                    Some(uri) => self.declare_if_needed(prefix, uri),
                    None if prefix.is_empty() => self.declare_if_needed("", ""),
                    None => {}
                }
            }
        }
        self.declarations
            .sort_unstable_by(|left, right| left.0.cmp(right.0));
        self.attributes.sort_unstable_by(|left, right| {
            (left.namespace, left.local).cmp(&(right.namespace, right.local))
        });

        self.sink.put(b"<");
        self.put_qname(prefix, local);
        for &(declared_prefix, uri) in &self.declarations {
            if declared_prefix.is_empty() {
                self.sink.put(b" xmlns=\"");
            } else {
                self.sink.put(b" xmlns:");
                self.sink.put(declared_prefix.as_bytes());
                self.sink.put(b"=\"");
            }
            put_escaped(&mut self.sink, uri, Escape::Attribute);
            self.sink.put(b"\"");
        }
        for attribute in &self.attributes {
            self.sink.put(b" ");
            if !attribute.prefix.is_empty() {
                self.sink.put(attribute.prefix.as_bytes());
                self.sink.put(b":");
            }
            self.sink.put(attribute.local.as_bytes());
            self.sink.put(b"=\"");
            put_escaped(&mut self.sink, attribute.value, Escape::Attribute);
            self.sink.put(b"\"");
        }
        self.sink.put(b">");
        self.rendered.extend_from_slice(&self.declarations);
        self.names.push((prefix, local));
    }

    /// (namespace URI, local name, prefix) as this view writes the element.
    fn element_name(&self, node: Node<'a, 'input>) -> (&'a str, &'a str, &'a str) {
        if node == self.view.apex
            && let Some((namespace, local)) = self.view.apex_name
        {
            return (namespace, local, "");
        }
        let name = node.tag_name();
        let namespace = name.namespace().unwrap_or_default();
        let prefix = if self.view.is_prefix_free {
            ""
        } else {
            element_prefix(node)
        };
        (namespace, name.name(), prefix)
    }

    fn collect_attributes(&mut self, node: Node<'a, 'input>) {
        self.attributes.clear();
        let input: &'a str = node.document().input_text();
        for attribute in node.attributes() {
            let namespace = attribute.namespace().unwrap_or_default();
            let prefix = if namespace.is_empty() {
                ""
            } else {
                let qname = input.get(attribute.range_qname()).unwrap_or_default();
                qname.split_once(':').map_or("", |(prefix, _)| prefix)
            };
            if !prefix.is_empty() && prefix != "xml" {
                self.declare_if_needed(prefix, namespace);
            }
            self.attributes.push(OutputAttribute {
                namespace,
                local: attribute.name(),
                prefix,
                value: attribute.value(),
            });
        }
    }

    /// Adds `xmlns:prefix="uri"` to this element's declarations unless the nearest written
    /// ancestor already declared the same binding. An absent default namespace equals "".
    fn declare_if_needed(&mut self, prefix: &'a str, uri: &'a str) {
        if self
            .declarations
            .iter()
            .any(|&(declared, _)| declared == prefix)
        {
            return;
        }
        let in_output = self
            .rendered
            .iter()
            .rev()
            .find(|&&(declared, _)| declared == prefix);
        let is_in_output = match in_output {
            Some(&(_, rendered_uri)) => rendered_uri == uri,
            None => prefix.is_empty() && uri.is_empty(),
        };
        if !is_in_output {
            self.declarations.push((prefix, uri));
        }
    }

    fn processing_instruction(&mut self, node: Node<'a, 'input>) {
        let Some(pi) = node.pi() else { return };
        let is_top_level = node.parent().is_some_and(|parent| parent.is_root());
        if is_top_level && self.is_after_document_element {
            self.sink.put(b"\n");
        }
        self.sink.put(b"<?");
        self.sink.put(pi.target.as_bytes());
        if let Some(value) = pi.value {
            self.sink.put(b" ");
            self.sink.put(value.as_bytes());
        }
        self.sink.put(b"?>");
        if is_top_level && !self.is_after_document_element {
            self.sink.put(b"\n");
        }
    }

    fn put_qname(&mut self, prefix: &str, local: &str) {
        if !prefix.is_empty() {
            self.sink.put(prefix.as_bytes());
            self.sink.put(b":");
        }
        self.sink.put(local.as_bytes());
    }
}

/// The prefix an element was written with in the input (`""` for none), read from the bytes
/// right after its `<`.
fn element_prefix<'a>(node: Node<'a, '_>) -> &'a str {
    let input: &'a str = node.document().input_text();
    let Some(name_and_rest) = input.get(node.range().start + 1..) else {
        return "";
    };
    let end = name_and_rest
        .bytes()
        .position(|byte| matches!(byte, b':' | b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\r'));
    match end {
        Some(end) if name_and_rest.as_bytes()[end] == b':' => &name_and_rest[..end],
        _ => "",
    }
}

/// The URI bound to `prefix` in scope at `node` (`""` = default namespace).
fn lookup_namespace<'a>(node: Node<'a, '_>, prefix: &str) -> Option<&'a str> {
    if prefix.is_empty() {
        node.default_namespace().filter(|uri| !uri.is_empty())
    } else {
        node.lookup_namespace_uri(Some(prefix))
    }
}

/// Whether `text` consists only of XML white space (production `S`).
pub(crate) fn is_xml_whitespace(text: &str) -> bool {
    text.bytes()
        .all(|byte| matches!(byte, b' ' | b'\t' | b'\n' | b'\r'))
}

/// Appends `text` escaped as C14N escapes text nodes (for writing XML text elsewhere).
pub(crate) fn escape_text_into(output: &mut Vec<u8>, text: &str) {
    put_escaped(output, text, Escape::Text);
}

/// Appends `text` escaped as C14N escapes attribute values.
pub(crate) fn escape_attribute_into(output: &mut Vec<u8>, text: &str) {
    put_escaped(output, text, Escape::Attribute);
}

#[derive(Clone, Copy)]
enum Escape {
    Text,
    Attribute,
}

/// Writes `text` with the C14N character references (C14N 1.0 §2.3): text escapes
/// `& < >` and CR; attribute values escape `& < "` and TAB, LF, CR.
///
/// Letters are mostly base64, which never needs escaping, so the text is scanned in
/// fixed-size chunks with a branch-free test that the compiler vectorises; only a chunk
/// holding an escapable byte is walked byte by byte.
fn put_escaped(sink: &mut impl Sink, text: &str, escape: Escape) {
    match escape {
        Escape::Text => put_escaped_as::<true>(sink, text),
        Escape::Attribute => put_escaped_as::<false>(sink, text),
    }
}

/// [`put_escaped`] for text (`IS_TEXT`) or attribute values, monomorphised so the chunk test
/// has no branch on the kind.
fn put_escaped_as<const IS_TEXT: bool>(sink: &mut impl Sink, text: &str) {
    const CHUNK_BYTES: usize = 32;
    let escape = if IS_TEXT {
        Escape::Text
    } else {
        Escape::Attribute
    };
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut chunk_start = 0;
    for chunk in bytes.chunks(CHUNK_BYTES) {
        let has_escapable = match <&[u8; CHUNK_BYTES]>::try_from(chunk) {
            Ok(full) => full
                .iter()
                .fold(0_u8, |found, &byte| found | is_escaped::<IS_TEXT>(byte)),
            Err(_) => chunk
                .iter()
                .fold(0_u8, |found, &byte| found | is_escaped::<IS_TEXT>(byte)),
        };
        if has_escapable != 0 {
            for (offset, &byte) in chunk.iter().enumerate() {
                if let Some(reference) = reference_for(escape, byte) {
                    let idx = chunk_start + offset;
                    sink.put(&bytes[start..idx]);
                    sink.put(reference);
                    start = idx + 1;
                }
            }
        }
        chunk_start += chunk.len();
    }
    sink.put(&bytes[start..]);
}

/// 1 when C14N replaces `byte` by a character reference, else 0, without branches.
fn is_escaped<const IS_TEXT: bool>(byte: u8) -> u8 {
    let common = (byte == b'&') | (byte == b'<') | (byte == b'\r');
    let kind = if IS_TEXT {
        byte == b'>'
    } else {
        (byte == b'"') | (byte == b'\t') | (byte == b'\n')
    };
    u8::from(common | kind)
}

/// The character reference C14N writes for `byte`, if any.
fn reference_for(escape: Escape, byte: u8) -> Option<&'static [u8]> {
    Some(match (escape, byte) {
        (_, b'&') => b"&amp;",
        (_, b'<') => b"&lt;",
        (_, b'\r') => b"&#xD;",
        (Escape::Text, b'>') => b"&gt;",
        (Escape::Attribute, b'"') => b"&quot;",
        (Escape::Attribute, b'\t') => b"&#x9;",
        (Escape::Attribute, b'\n') => b"&#xA;",
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
