//! Producing enveloped signatures in the Mina meddelanden profile (PROTOCOL.md §9.3).
//!
//! The digest is exclusive C14N of the prefix-free view of the element (so a prefixed input
//! still gets the signature MM verifiers compute); the `SignedInfo` is written directly in its
//! canonical prefix-free form, so the bytes signed are the bytes sent. The signature is
//! inserted as the element's last child without re-serialising anything else: the output is
//! the input with one `<Signature>` added.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{KeyPair, RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::c14n::View;
use crate::certificate::{Certificate, CertificateError, PublicKey};
use crate::parse::{ParseError, parse_document};
use crate::profile::{DSIG_NS, ENVELOPED_SIGNATURE, EXC_C14N, SignatureAlgorithm};

/// An organisation's signing key with its certificate (RSA, as every MM peer uses).
pub struct Signer {
    key: RsaKeyPair,
    certificate: Certificate,
    random: SystemRandom,
}

/// Why signing failed.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The key is not an RSA PKCS#8 key aws-lc-rs accepts.
    #[error("signing key is not a usable RSA PKCS#8 key: {reason}")]
    Key {
        /// aws-lc-rs's reason.
        reason: String,
    },
    /// The key PEM has no `PRIVATE KEY` block or does not parse.
    #[error("signing key PEM holds no PRIVATE KEY block")]
    KeyPem,
    /// The certificate does not parse.
    #[error("signing certificate is invalid")]
    Certificate(#[source] CertificateError),
    /// The certificate's public key is not the signing key's.
    #[error("signing certificate does not belong to the signing key")]
    KeyCertificateMismatch,
    /// RSA-SHA1 signing was asked for; aws-lc-rs refuses SHA-1 PKCS#1 signatures and the
    /// profile produces SHA-256 (PROTOCOL.md §9.1), so Kuvert only verifies SHA-1.
    #[error("RSA-SHA1 signing is not supported; sign with RSA-SHA256")]
    Sha1SigningUnsupported,
    /// The XML to sign does not parse.
    #[error("XML to sign is invalid")]
    Parse(#[source] ParseError),
    /// The element already ends with a signature.
    #[error("element {element} already carries an enveloped signature")]
    AlreadySigned {
        /// Local name of the element.
        element: String,
    },
    /// The RSA operation failed.
    #[error("RSA signing failed")]
    Rsa,
}

impl Signer {
    /// Reads a PKCS#8 `PRIVATE KEY` PEM and a `CERTIFICATE` PEM.
    pub fn from_pkcs8_pem(key_pem: &str, certificate_pem: &str) -> Result<Self, SignError> {
        let blocks = pem::parse_many(key_pem).map_err(|_| SignError::KeyPem)?;
        let key = blocks.iter().find(|block| block.tag() == "PRIVATE KEY");
        let key = key.ok_or(SignError::KeyPem)?;
        let certificate = Certificate::from_pem(certificate_pem).map_err(SignError::Certificate)?;
        Self::new(key.contents(), certificate)
    }

    /// Reads a PKCS#8 DER key and a DER certificate.
    pub fn from_pkcs8_der(key_der: &[u8], certificate_der: &[u8]) -> Result<Self, SignError> {
        let certificate = Certificate::from_der(certificate_der).map_err(SignError::Certificate)?;
        Self::new(key_der, certificate)
    }

    fn new(key_der: &[u8], certificate: Certificate) -> Result<Self, SignError> {
        let key = RsaKeyPair::from_pkcs8(key_der).map_err(|error| SignError::Key {
            reason: error.to_string(),
        })?;
        match certificate.public_key() {
            PublicKey::Rsa(bytes) if bytes.as_slice() == key.public_key().as_ref() => {}
            _ => return Err(SignError::KeyCertificateMismatch),
        }
        Ok(Signer {
            key,
            certificate,
            random: SystemRandom::new(),
        })
    }

    /// The certificate written into every signature's `KeyInfo`.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// Signs the document element of `unsigned_root_xml` (PROTOCOL.md §9.3) and returns the
    /// same text with `<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">` appended as
    /// the element's last child. The input should be prefix-free and compact (no indentation)
    /// so that standard XML-DSig verifiers accept the result too. The reference is `URI=""`,
    /// or `URI="#<Id>"` when the element has an `Id` attribute (as the reference library).
    pub fn sign(
        &self,
        unsigned_root_xml: &str,
        algorithm: SignatureAlgorithm,
    ) -> Result<String, SignError> {
        if algorithm == SignatureAlgorithm::RsaSha1 {
            return Err(SignError::Sha1SigningUnsupported);
        }
        let document = parse_document(unsigned_root_xml).map_err(SignError::Parse)?;
        let root = document.root_element();
        if root
            .last_element_child()
            .is_some_and(crate::verify::is_signature)
        {
            return Err(SignError::AlreadySigned {
                element: root.tag_name().name().to_owned(),
            });
        }
        let digest = View::new(root)
            .prefix_free()
            .digest(&aws_lc_rs::digest::SHA256);
        // Skatteverket's library references the root by its Id when it has one (§9.1).
        let reference_uri = root
            .attribute("Id")
            .map(|id| format!("#{id}"))
            .unwrap_or_default();
        let signed_info = signed_info(algorithm, &reference_uri, &BASE64.encode(digest.as_ref()));
        let mut signature_value = vec![0_u8; self.key.public_modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &self.random,
                signed_info.as_bytes(),
                &mut signature_value,
            )
            .map_err(|_| SignError::Rsa)?;
        let signature = self.signature_element(&signed_info, &signature_value);
        Ok(insert_last_child(unsigned_root_xml, root, &signature))
    }

    fn signature_element(&self, signed_info: &str, signature_value: &[u8]) -> String {
        let mut subject = Vec::new();
        crate::c14n::escape_text_into(&mut subject, self.certificate.subject_name());
        let subject = String::from_utf8_lossy(&subject);
        format!(
            "<Signature xmlns=\"{DSIG_NS}\">{signed_info}<SignatureValue>{}</SignatureValue>\
             <KeyInfo><X509Data><X509SubjectName>{subject}</X509SubjectName>\
             <X509Certificate>{}</X509Certificate></X509Data></KeyInfo></Signature>",
            BASE64.encode(signature_value),
            BASE64.encode(self.certificate.der()),
        )
    }
}

/// The `SignedInfo` in its exclusive-C14N prefix-free form: inside `<Signature xmlns=ds>` it
/// canonicalises to exactly these bytes (default namespace visibly used, start and end tags,
/// attributes alone on each element).
fn signed_info(algorithm: SignatureAlgorithm, reference_uri: &str, digest_base64: &str) -> String {
    let mut uri = Vec::new();
    crate::c14n::escape_attribute_into(&mut uri, reference_uri);
    let uri = String::from_utf8_lossy(&uri);
    format!(
        "<SignedInfo xmlns=\"{DSIG_NS}\">\
         <CanonicalizationMethod Algorithm=\"{EXC_C14N}\"></CanonicalizationMethod>\
         <SignatureMethod Algorithm=\"{}\"></SignatureMethod>\
         <Reference URI=\"{uri}\"><Transforms>\
         <Transform Algorithm=\"{ENVELOPED_SIGNATURE}\"></Transform></Transforms>\
         <DigestMethod Algorithm=\"{}\"></DigestMethod>\
         <DigestValue>{digest_base64}</DigestValue></Reference></SignedInfo>",
        algorithm.signature_method_uri(),
        algorithm.digest_method_uri(),
    )
}

/// Inserts `child` before the end tag of `element` (turning `<x/>` into `<x>child</x>`).
fn insert_last_child(xml: &str, element: roxmltree::Node<'_, '_>, child: &str) -> String {
    let range = element.range();
    let element_text = &xml[range.clone()];
    let mut output = String::with_capacity(xml.len() + child.len() + 64);
    if element_text.ends_with("/>") {
        let qname_end = element_text[1..]
            .find(|c: char| c == '/' || c == '>' || c.is_ascii_whitespace())
            .map_or(element_text.len() - 2, |end| end + 1);
        output.push_str(&xml[..range.end - 2]);
        output.push('>');
        output.push_str(child);
        output.push_str("</");
        output.push_str(&element_text[1..qname_end]);
        output.push('>');
    } else {
        let end_tag_start = range.start + element_text.rfind("</").unwrap_or(element_text.len());
        output.push_str(&xml[..end_tag_start]);
        output.push_str(child);
        output.push_str(&xml[end_tag_start..range.end]);
    }
    output.push_str(&xml[range.end..]);
    output
}
