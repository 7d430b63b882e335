//! SOAP 1.1 envelopes: writing one around a body element, and reading one back to its single
//! Body child (PROTOCOL.md §2.3).
//!
//! Output uses the `soap:` prefix for `Envelope`/`Body`/`Fault` only (a `faultcode` is a QName
//! and needs a bound prefix); everything inside the Body is written prefix-free. Input is read
//! by expanded names, so any prefixes a peer uses are accepted.

use roxmltree::{Document, Node};

use crate::error::WireError;
use crate::fault;
use crate::ns;
use crate::reader::{Children, read_complex};
use crate::writer::Writer;

/// One SOAP Body child: an operation's request or response element.
///
/// Implemented by every request and response type of the service modules; callers use the
/// provided [`BodyElement::to_envelope`] and [`BodyElement::from_envelope`].
pub trait BodyElement: Sized {
    /// Namespace of the Body child.
    const NAMESPACE: &'static str;
    /// Local name of the Body child.
    const NAME: &'static str;

    /// Writes the element's children (the element itself is written by the caller).
    fn write_children(&self, writer: &mut Writer);

    /// Reads the element's children in XSD order.
    ///
    /// # Errors
    /// A [`WireError`] naming the first element that does not fit the contract.
    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError>;

    /// The element alone, prefix-free.
    fn to_element(&self) -> String {
        let mut writer = Writer::new();
        writer.start(Self::NAMESPACE, Self::NAME);
        self.write_children(&mut writer);
        writer.end();
        writer.finish()
    }

    /// The whole SOAP envelope around this element.
    fn to_envelope(&self) -> String {
        wrap_body(&self.to_element())
    }

    /// Reads this element from an already located node (the Body child).
    ///
    /// # Errors
    /// [`WireError::UnknownOperation`] when the node is another element, else as
    /// [`BodyElement::read_children`].
    fn from_element(node: Node<'_, '_>) -> Result<Self, WireError> {
        let (namespace, name) = expanded_name(node);
        if namespace != Self::NAMESPACE || name != Self::NAME {
            return Err(WireError::UnknownOperation {
                namespace: namespace.to_owned(),
                name: name.to_owned(),
            });
        }
        read_complex(node, Self::NAME, Self::read_children)
    }

    /// Reads this element from a parsed envelope; a SOAP fault becomes an error.
    ///
    /// # Errors
    /// [`WireError::Fault`] or [`WireError::SoapFault`] when the peer answered with a fault,
    /// else as [`BodyElement::from_element`].
    fn from_envelope(document: &Document<'_>) -> Result<Self, WireError> {
        let body_child = body_child(document)?;
        if expanded_name(body_child) == (ns::SOAP, "Fault") {
            return Err(fault::read_fault(body_child));
        }
        Self::from_element(body_child)
    }
}

/// Parses envelope text through `kuvert_xmldsig::parse_document`: DTDs off, and the size,
/// depth and node bounds of `kuvert_core::limits`, so the tree read here is the same kind of
/// tree a signature is verified on. Servers with a configured envelope bound call
/// `kuvert_xmldsig::parse_document_with` themselves and pass the document on.
///
/// # Errors
/// [`WireError::Xml`] when the text is not well-formed or exceeds a bound.
pub fn parse(xml: &str) -> Result<Document<'_>, WireError> {
    kuvert_xmldsig::parse_document(xml).map_err(|error| WireError::Xml {
        reason: error.to_string(),
    })
}

/// `<soap:Envelope><soap:Body>{body_element}</soap:Body></soap:Envelope>`.
#[must_use]
pub fn wrap_body(body_element: &str) -> String {
    format!(
        "<soap:Envelope xmlns:soap=\"{}\"><soap:Body>{body_element}</soap:Body></soap:Envelope>",
        ns::SOAP
    )
}

/// The single element child of `Envelope/Body`.
///
/// # Errors
/// [`WireError::NotAnEnvelope`] when the root is not a SOAP 1.1 `Envelope`, it has no `Body`,
/// or the `Body` has not exactly one element child.
pub fn body_child<'a, 'input>(
    document: &'a Document<'input>,
) -> Result<Node<'a, 'input>, WireError> {
    let root = document.root_element();
    if expanded_name(root) != (ns::SOAP, "Envelope") {
        return Err(not_an_envelope(
            "the root element is not a soap 1.1 Envelope",
        ));
    }
    let mut children = Children::new(root, "Envelope")?;
    children.opt(ns::SOAP, "Header");
    let body = children
        .opt(ns::SOAP, "Body")
        .ok_or_else(|| not_an_envelope("Envelope has no Body"))?;
    children.finish()?;
    let mut elements = body.children().filter(Node::is_element);
    let first = elements
        .next()
        .ok_or_else(|| not_an_envelope("Body is empty"))?;
    if elements.next().is_some() {
        return Err(not_an_envelope("Body has more than one child element"));
    }
    Ok(first)
}

/// `(namespace, local name)` of an element; the namespace is empty when unqualified.
#[must_use]
pub fn expanded_name<'a>(node: Node<'a, '_>) -> (&'a str, &'a str) {
    let tag = node.tag_name();
    (tag.namespace().unwrap_or(""), tag.name())
}

fn not_an_envelope(reason: &str) -> WireError {
    WireError::NotAnEnvelope {
        reason: reason.to_owned(),
    }
}
