//! Strict reading of one `ds:Signature` element into the parts the profile allows
//! (PROTOCOL.md §9.1): exactly one `Reference`, only the enveloped and exc-C14N transforms,
//! exc-C14N canonicalization, RSA with SHA-256 or SHA-1, certificates in `X509Data`.
//! Anything else is refused with its own [`VerifyError`] instead of being interpreted.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use kuvert_core::limits::CERTIFICATE_CHAIN_DEPTH_MAX;
use roxmltree::Node;

use super::VerifyError;
use crate::certificate::Certificate;
use crate::profile::{DSIG_NS, ENVELOPED_SIGNATURE, EXC_C14N, SignatureAlgorithm};

/// The parts of a `ds:Signature` that verification uses.
pub(super) struct SignatureParts<'a, 'input> {
    pub(super) signed_info: Node<'a, 'input>,
    pub(super) inclusive_prefixes: Vec<&'a str>,
    pub(super) algorithm: SignatureAlgorithm,
    pub(super) reference_uri: &'a str,
    pub(super) digest_method: &'a str,
    pub(super) digest_value: Vec<u8>,
    pub(super) signature_value: Vec<u8>,
    pub(super) key_info: Option<Node<'a, 'input>>,
}

impl<'a, 'input> SignatureParts<'a, 'input> {
    pub(super) fn read(signature: Node<'a, 'input>) -> Result<Self, VerifyError> {
        let mut children = dsig_children(signature)?.into_iter();
        let signed_info = expect_next(&mut children, "SignedInfo")?;
        let signature_value = expect_next(&mut children, "SignatureValue")?;
        let key_info = children.next();
        if let Some(key_info) = key_info {
            require_name(key_info, "KeyInfo")?;
        }
        if let Some(extra) = children.next() {
            return Err(unexpected("Signature", extra));
        }

        let mut info = dsig_children(signed_info)?.into_iter();
        let c14n_method = expect_next(&mut info, "CanonicalizationMethod")?;
        let inclusive_prefixes = read_c14n_method(c14n_method)?;
        let signature_method = expect_next(&mut info, "SignatureMethod")?;
        let method_uri = algorithm_of(signature_method)?;
        let algorithm =
            SignatureAlgorithm::from_signature_method_uri(method_uri).ok_or_else(|| {
                VerifyError::UnsupportedSignatureAlgorithm {
                    algorithm: method_uri.to_owned(),
                }
            })?;
        let references: Vec<Node<'a, 'input>> = info.collect();
        if let Some(other) = references
            .iter()
            .find(|node| !node.has_tag_name((DSIG_NS, "Reference")))
        {
            return Err(unexpected("SignedInfo", *other));
        }
        let [reference] = references.as_slice() else {
            return Err(VerifyError::ReferenceCount {
                count: references.len(),
            });
        };
        let (reference_uri, digest_method, digest_value) = read_reference(*reference)?;
        Ok(SignatureParts {
            signed_info,
            inclusive_prefixes,
            algorithm,
            reference_uri,
            digest_method,
            digest_value,
            signature_value: decode_base64(signature_value, "SignatureValue")?,
            key_info,
        })
    }

    /// The certificates in `KeyInfo/X509Data/X509Certificate`, leaf first.
    pub(super) fn certificates(&self) -> Result<Vec<Certificate>, VerifyError> {
        let Some(key_info) = self.key_info else {
            return Err(VerifyError::MissingCertificate);
        };
        let mut certificates = Vec::new();
        for x509_data in key_info
            .children()
            .filter(|node| node.has_tag_name((DSIG_NS, "X509Data")))
        {
            let nodes = x509_data.children();
            for node in nodes.filter(|node| node.has_tag_name((DSIG_NS, "X509Certificate"))) {
                if certificates.len() == CERTIFICATE_CHAIN_DEPTH_MAX {
                    return Err(VerifyError::TooManyCertificates {
                        max: CERTIFICATE_CHAIN_DEPTH_MAX,
                    });
                }
                let der = decode_base64(node, "X509Certificate")?;
                certificates.push(Certificate::from_der(&der).map_err(VerifyError::Certificate)?);
            }
        }
        if certificates.is_empty() {
            return Err(VerifyError::MissingCertificate);
        }
        Ok(certificates)
    }
}

/// Reads `Reference`: its URI, a transform list within the profile, digest method and value.
fn read_reference<'a>(reference: Node<'a, '_>) -> Result<(&'a str, &'a str, Vec<u8>), VerifyError> {
    let uri = reference
        .attribute("URI")
        .ok_or(VerifyError::ReferenceTarget {
            uri: "(none)".to_owned(),
        })?;
    let mut parts = dsig_children(reference)?.into_iter().peekable();
    let mut has_enveloped = false;
    if let Some(transforms) = parts.next_if(|node| node.has_tag_name((DSIG_NS, "Transforms"))) {
        has_enveloped = read_transforms(transforms)?;
    }
    if !has_enveloped {
        return Err(VerifyError::MissingEnvelopedTransform);
    }
    let digest_method = expect_next(&mut parts, "DigestMethod")?;
    let digest_method = algorithm_of(digest_method)?;
    let digest_value = expect_next(&mut parts, "DigestValue")?;
    let digest_value = decode_base64(digest_value, "DigestValue")?;
    if let Some(extra) = parts.next() {
        return Err(unexpected("Reference", extra));
    }
    Ok((uri, digest_method, digest_value))
}

/// True when the enveloped transform is present; every transform must be enveloped or
/// exclusive C14N (the S3 seal lists both), and may carry nothing but `InclusiveNamespaces`.
fn read_transforms(transforms: Node<'_, '_>) -> Result<bool, VerifyError> {
    let mut has_enveloped = false;
    for transform in dsig_children(transforms)? {
        require_name(transform, "Transform")?;
        let algorithm = algorithm_of(transform)?;
        match algorithm {
            ENVELOPED_SIGNATURE if transform.first_element_child().is_none() => {
                has_enveloped = true;
            }
            EXC_C14N => {
                read_inclusive_prefixes(transform)?;
            }
            _ => {
                return Err(VerifyError::UnsupportedTransform {
                    algorithm: algorithm.to_owned(),
                });
            }
        }
    }
    Ok(has_enveloped)
}

fn read_c14n_method<'a>(method: Node<'a, '_>) -> Result<Vec<&'a str>, VerifyError> {
    let algorithm = algorithm_of(method)?;
    if algorithm != EXC_C14N {
        return Err(VerifyError::UnsupportedCanonicalization {
            algorithm: algorithm.to_owned(),
        });
    }
    read_inclusive_prefixes(method)
}

/// The `InclusiveNamespaces/@PrefixList` under an exc-C14N algorithm element, if any.
fn read_inclusive_prefixes<'a>(method: Node<'a, '_>) -> Result<Vec<&'a str>, VerifyError> {
    let mut prefixes = Vec::new();
    for child in method.children().filter(Node::is_element) {
        if !child.has_tag_name((EXC_C14N, "InclusiveNamespaces")) {
            return Err(VerifyError::UnsupportedTransform {
                algorithm: format!("{EXC_C14N} with {}", child.tag_name().name()),
            });
        }
        let list = child.attribute("PrefixList").unwrap_or_default();
        prefixes.extend(list.split_ascii_whitespace());
    }
    Ok(prefixes)
}

/// Element children, all of which must be in the XML-DSig namespace; non-whitespace text
/// between them is refused as well.
fn dsig_children<'a, 'input>(node: Node<'a, 'input>) -> Result<Vec<Node<'a, 'input>>, VerifyError> {
    let mut children = Vec::new();
    for child in node.children() {
        if child.is_element() {
            if child.tag_name().namespace() != Some(DSIG_NS) {
                return Err(unexpected(node.tag_name().name(), child));
            }
            children.push(child);
        } else if child.is_text()
            && !crate::c14n::is_xml_whitespace(child.text().unwrap_or_default())
        {
            return Err(VerifyError::MalformedSignature {
                element: node.tag_name().name().to_owned(),
                reason: "text between elements",
            });
        }
    }
    Ok(children)
}

fn expect_next<'a, 'input>(
    children: &mut impl Iterator<Item = Node<'a, 'input>>,
    name: &'static str,
) -> Result<Node<'a, 'input>, VerifyError> {
    let node = children.next().ok_or(VerifyError::MalformedSignature {
        element: name.to_owned(),
        reason: "element missing",
    })?;
    require_name(node, name)?;
    Ok(node)
}

fn require_name(node: Node<'_, '_>, name: &'static str) -> Result<(), VerifyError> {
    if node.has_tag_name((DSIG_NS, name)) {
        Ok(())
    } else {
        Err(VerifyError::MalformedSignature {
            element: node.tag_name().name().to_owned(),
            reason: "unexpected element in the signature",
        })
    }
}

fn unexpected(parent: &str, child: Node<'_, '_>) -> VerifyError {
    VerifyError::MalformedSignature {
        element: format!("{parent}/{}", child.tag_name().name()),
        reason: "element not allowed by the MM profile",
    }
}

fn algorithm_of<'a>(node: Node<'a, '_>) -> Result<&'a str, VerifyError> {
    node.attribute("Algorithm")
        .ok_or(VerifyError::MalformedSignature {
            element: node.tag_name().name().to_owned(),
            reason: "Algorithm attribute missing",
        })
}

/// Decodes base64 text (line breaks allowed, as in `ds:CryptoBinary` / `base64Binary`).
fn decode_base64(node: Node<'_, '_>, element: &'static str) -> Result<Vec<u8>, VerifyError> {
    let text: String = node
        .children()
        .filter(Node::is_text)
        .flat_map(|text| text.text().unwrap_or_default().chars())
        .filter(|character| !character.is_ascii_whitespace())
        .collect();
    BASE64
        .decode(text.as_bytes())
        .map_err(|_| VerifyError::Base64 { element })
}
