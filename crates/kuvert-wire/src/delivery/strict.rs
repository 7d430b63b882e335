//! The one path to a sealed delivery in a document, and the profile's shape checks on it
//! (PROTOCOL.md §6.1, §11.6 step 4b), before any signature is looked at.
//!
//! A document holds a sealed delivery in exactly one of two forms: the `deliverSecure`
//! request envelope (`Envelope/Body/svc3:deliverSecure/svc3:deliverSecure`, as the operator
//! receives and stores it) or a bare `msg3:SealedDelivery` document (the sender toolkit's
//! evidence archive). Everything else is refused, and so is anything the schemas do not allow
//! on the way: unknown or out-of-order children of `SealedDelivery`, `SignedDelivery` and
//! `Seal`; attributes other than `Id` on the first two and any attribute on a Mina meddelanden
//! element inside the letter; a second `SealedDelivery`, `SignedDelivery`, `Seal` or
//! `deliverSecure` anywhere in the document (signature wrapping: in `soap:Header`, in the
//! seal, beside the genuine one); any Mina meddelanden element in `soap:Header`; attribute
//! values and the namespace names of elements and attributes past
//! `limits::XML_ATTRIBUTE_BYTES_MAX`.
//!
//! [`locate_signed`] does the same for the sender's request to an intermediary: the
//! `distributeSecure` envelope (`Envelope/Body/msg3:distributeSecure/msg3:signedDelivery`,
//! PROTOCOL.md §5.4) and nothing else, its `signedDelivery` the one delivery element.
//!
//! Child order and the letter's own elements are checked again, field by field, when the
//! letter is read from the verified tree (`read_secure_delivery`).

use kuvert_core::limits::XML_ATTRIBUTE_BYTES_MAX;
use roxmltree::{Document, Node, NodeId};

use crate::envelope::{body_child, expanded_name};
use crate::error::WireError;
use crate::ns::{MESSAGE as M, MESSAGE3 as M3, SERVICE3 as S3, SOAP, XMLDSIG};
use crate::reader::read_complex;

/// Every Mina meddelanden namespace starts with this.
const MM_NAMESPACE_PREFIX: &str = "http://minameddelanden.gov.se/";

/// Local names that may occur once each, only at their position.
const DELIVERY_NAMES: &[&str] = &[
    "SealedDelivery",
    "SignedDelivery",
    "signedDelivery",
    "Seal",
    "deliverSecure",
    "distributeSecure",
];

/// The located parts of a sealed delivery. Nothing here is verified yet.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Located<'a, 'input> {
    /// The element signed as `SealedDelivery` (the inner `deliverSecure`, or the root).
    pub(crate) sealed: Node<'a, 'input>,
    /// Its `SignedDelivery` child.
    pub(crate) signed_delivery: Node<'a, 'input>,
    /// The `ds:Signature` of the `SignedDelivery`.
    pub(crate) sender_signature: Node<'a, 'input>,
    /// Its `Seal` child.
    pub(crate) seal: Node<'a, 'input>,
}

/// The located parts of a sender's signed delivery (`distributeSecure`). Not verified yet.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LocatedSigned<'a, 'input> {
    /// The `signedDelivery` element, signed as `SignedDelivery`.
    pub(crate) signed_delivery: Node<'a, 'input>,
    /// Its `ds:Signature`.
    pub(crate) sender_signature: Node<'a, 'input>,
}

/// Finds the signed delivery of a `distributeSecure` request on its one path and checks the
/// profile's shape, as [`locate`] does for a sealed delivery.
pub(crate) fn locate_signed<'a, 'input>(
    document: &'a Document<'input>,
) -> Result<LocatedSigned<'a, 'input>, WireError> {
    let root = document.root_element();
    if expanded_name(root) != (SOAP, "Envelope") {
        return Err(WireError::NotAnEnvelope {
            reason: "not a distributeSecure envelope".to_owned(),
        });
    }
    check_header(root)?;
    let outer = body_child(document)?;
    if expanded_name(outer) != (M3, "distributeSecure") {
        let (namespace, name) = expanded_name(outer);
        return Err(WireError::UnknownOperation {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        });
    }
    no_attributes(outer, "distributeSecure")?;
    let signed_delivery = read_complex(outer, "distributeSecure", |children| {
        children.one(M3, "signedDelivery")
    })?;
    check_names(document, &[outer.id(), signed_delivery.id()])?;
    let path = "distributeSecure/signedDelivery";
    only_id_attribute(signed_delivery, path)?;
    let sender_signature = read_complex(signed_delivery, path, |children| {
        children.one(M3, "Delivery")?;
        children.one(XMLDSIG, "Signature")
    })?;
    check_letter_attributes(signed_delivery)?;
    Ok(LocatedSigned {
        signed_delivery,
        sender_signature,
    })
}

/// Finds the sealed delivery on its one path and checks the profile's shape.
pub(crate) fn locate<'a, 'input>(
    document: &'a Document<'input>,
) -> Result<Located<'a, 'input>, WireError> {
    let root = document.root_element();
    let (sealed, allowed_outer) = if expanded_name(root) == (SOAP, "Envelope") {
        check_header(root)?;
        let outer = body_child(document)?;
        if expanded_name(outer) != (S3, "deliverSecure") {
            let (namespace, name) = expanded_name(outer);
            return Err(WireError::UnknownOperation {
                namespace: namespace.to_owned(),
                name: name.to_owned(),
            });
        }
        no_attributes(outer, "deliverSecure")?;
        let sealed = read_complex(outer, "deliverSecure", |children| {
            children.one(S3, "deliverSecure")
        })?;
        (sealed, Some(outer.id()))
    } else if expanded_name(root) == (M3, "SealedDelivery") {
        (root, None)
    } else {
        return Err(WireError::NotAnEnvelope {
            reason: "neither a deliverSecure envelope nor a SealedDelivery".to_owned(),
        });
    };
    check_positions(document, sealed, allowed_outer)?;
    let located = sealed_parts(sealed)?;
    check_letter_attributes(located.signed_delivery)?;
    Ok(located)
}

/// `SealedDelivery` = `SignedDelivery`, `Seal`, `ds:Signature`; `SignedDelivery` =
/// `Delivery`, `ds:Signature`; `Seal` = `ReceivedTime`, `SignaturesOK`.
fn sealed_parts<'a, 'input>(sealed: Node<'a, 'input>) -> Result<Located<'a, 'input>, WireError> {
    let path = "SealedDelivery";
    only_id_attribute(sealed, path)?;
    let (signed_delivery, seal) = read_complex(sealed, path, |children| {
        let signed_delivery = children.one(M3, "SignedDelivery")?;
        let seal = children.one(M3, "Seal")?;
        children.one(XMLDSIG, "Signature")?;
        Ok((signed_delivery, seal))
    })?;
    let path = "SealedDelivery/SignedDelivery";
    only_id_attribute(signed_delivery, path)?;
    let sender_signature = read_complex(signed_delivery, path, |children| {
        children.one(M3, "Delivery")?;
        children.one(XMLDSIG, "Signature")
    })?;
    let path = "SealedDelivery/Seal";
    no_attributes(seal, path)?;
    read_complex(seal, path, |children| {
        for name in ["ReceivedTime", "SignaturesOK"] {
            let leaf = children.one(M, name)?;
            no_attributes(leaf, &children.child_path(name))?;
        }
        Ok(())
    })?;
    Ok(Located {
        sealed,
        signed_delivery,
        sender_signature,
        seal,
    })
}

/// No Mina meddelanden element in `soap:Header` (a forged letter there would otherwise sit
/// in the stored envelope beside the verified one).
fn check_header(envelope: Node<'_, '_>) -> Result<(), WireError> {
    let headers = envelope
        .children()
        .filter(|child| child.has_tag_name((SOAP, "Header")));
    for header in headers {
        let misplaced = header.descendants().skip(1).find(|node| {
            node.is_element()
                && node
                    .tag_name()
                    .namespace()
                    .is_some_and(|namespace| namespace.starts_with(MM_NAMESPACE_PREFIX))
        });
        if let Some(node) = misplaced {
            return Err(WireError::MisplacedDelivery {
                path: "Envelope/Header".to_owned(),
                name: node.tag_name().name().to_owned(),
            });
        }
    }
    Ok(())
}

/// Each delivery element occurs only at its one position — the outer and inner
/// `deliverSecure` (or the root `SealedDelivery`), and the first `SignedDelivery` and `Seal`
/// child of the sealed element — and every attribute and namespace name is bounded.
fn check_positions(
    document: &Document<'_>,
    sealed: Node<'_, '_>,
    outer: Option<NodeId>,
) -> Result<(), WireError> {
    let first_child = |name: &str| {
        sealed
            .children()
            .find(|child| child.is_element() && child.tag_name().name() == name)
            .map(|child| child.id())
    };
    let expected: Vec<NodeId> = [Some(sealed.id()), outer]
        .into_iter()
        .chain([first_child("SignedDelivery"), first_child("Seal")])
        .flatten()
        .collect();
    check_names(document, &expected)
}

/// Every element's sizes are bounded, and a delivery element occurs only as one of
/// `expected`.
fn check_names(document: &Document<'_>, expected: &[NodeId]) -> Result<(), WireError> {
    for node in document.descendants().filter(Node::is_element) {
        check_sizes(node)?;
        let name = node.tag_name().name();
        if DELIVERY_NAMES.contains(&name) && !expected.contains(&node.id()) {
            return Err(WireError::MisplacedDelivery {
                path: path_of(node.parent_element()),
                name: name.to_owned(),
            });
        }
    }
    Ok(())
}

/// The attributes of one element, and the namespace names it and they use, within the
/// bound (each node is looked at once, so a hostile document cannot make this quadratic).
fn check_sizes(node: Node<'_, '_>) -> Result<(), WireError> {
    let too_large = |name: &str, bytes: usize| WireError::AttributeTooLarge {
        path: path_of(Some(node)),
        name: name.to_owned(),
        bytes,
        max: XML_ATTRIBUTE_BYTES_MAX,
    };
    let element_namespace = node.tag_name().namespace().unwrap_or("");
    if element_namespace.len() > XML_ATTRIBUTE_BYTES_MAX {
        return Err(too_large("xmlns", element_namespace.len()));
    }
    for attribute in node.attributes() {
        let namespace = attribute.namespace().unwrap_or("");
        if namespace.len() > XML_ATTRIBUTE_BYTES_MAX {
            return Err(too_large("xmlns", namespace.len()));
        }
        if attribute.value().len() > XML_ATTRIBUTE_BYTES_MAX {
            return Err(too_large(attribute.name(), attribute.value().len()));
        }
    }
    Ok(())
}

/// No Mina meddelanden element inside the letter carries an attribute (the schemas declare
/// none). Foreign `xs:any` content and the signature are left to their own rules.
fn check_letter_attributes(signed_delivery: Node<'_, '_>) -> Result<(), WireError> {
    let mut pending: Vec<Node<'_, '_>> = signed_delivery.children().collect();
    while let Some(node) = pending.pop() {
        let is_mm = node
            .tag_name()
            .namespace()
            .is_some_and(|namespace| namespace.starts_with(MM_NAMESPACE_PREFIX));
        if !node.is_element() || !is_mm {
            continue;
        }
        no_attributes(node, &path_of(Some(node)))?;
        pending.extend(node.children());
    }
    Ok(())
}

fn only_id_attribute(node: Node<'_, '_>, path: &str) -> Result<(), WireError> {
    match node
        .attributes()
        .find(|attribute| attribute.namespace().is_some() || attribute.name() != "Id")
    {
        Some(attribute) => Err(unexpected_attribute(path, attribute)),
        None => Ok(()),
    }
}

fn no_attributes(node: Node<'_, '_>, path: &str) -> Result<(), WireError> {
    match node.attributes().next() {
        Some(attribute) => Err(unexpected_attribute(path, attribute)),
        None => Ok(()),
    }
}

fn unexpected_attribute(path: &str, attribute: roxmltree::Attribute<'_, '_>) -> WireError {
    WireError::UnexpectedAttribute {
        path: path.to_owned(),
        namespace: attribute.namespace().unwrap_or("").to_owned(),
        name: attribute.name().to_owned(),
    }
}

/// `Envelope/Body/deliverSecure/…` by local names, for error messages.
fn path_of(node: Option<Node<'_, '_>>) -> String {
    let mut names: Vec<&str> = node
        .into_iter()
        .flat_map(|node| node.ancestors())
        .filter(Node::is_element)
        .map(|node| node.tag_name().name())
        .collect();
    names.reverse();
    names.join("/")
}
