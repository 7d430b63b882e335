//! The Mina meddelanden XML-DSig profile as constants: algorithm URIs and the element names
//! the quirks refer to (PROTOCOL.md §9.1, §9.2, §6.1).

/// `ds:` namespace of XML-DSig elements.
pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// Exclusive C14N 1.0 without comments, the only canonicalization MM peers use.
pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
/// The enveloped-signature transform.
pub const ENVELOPED_SIGNATURE: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
/// RSA PKCS#1 v1.5 with SHA-256.
pub const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
/// RSA PKCS#1 v1.5 with SHA-1 (legacy peers).
pub const RSA_SHA1: &str = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
/// SHA-256 digest.
pub const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
/// SHA-1 digest (legacy peers).
pub const SHA1: &str = "http://www.w3.org/2000/09/xmldsig#sha1";

/// `msg3:` namespace (v3 `SealedDelivery`, `SignedDelivery`, `Seal`).
pub const MESSAGE_V3_NS: &str = "http://minameddelanden.gov.se/schema/Message/v3";
/// `msg:` namespace (v1 `SealedDelivery`, `SignedDelivery`; `Seal` children in v3).
pub const MESSAGE_NS: &str = "http://minameddelanden.gov.se/schema/Message";
/// `svc3:` namespace of the v3 `deliverSecure` wrapper.
pub const SERVICE_V3_NS: &str = "http://minameddelanden.gov.se/schema/Service/v3";

/// The signature algorithms of the profile (PROTOCOL.md §9.1): both are accepted, SHA-256 is
/// produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// `rsa-sha256` with `sha256` digests.
    RsaSha256,
    /// `rsa-sha1` with `sha1` digests (Skatteverket's Java library, Kivra, v1 peers).
    RsaSha1,
}

impl SignatureAlgorithm {
    /// The `SignatureMethod/@Algorithm` URI.
    pub fn signature_method_uri(self) -> &'static str {
        match self {
            SignatureAlgorithm::RsaSha256 => RSA_SHA256,
            SignatureAlgorithm::RsaSha1 => RSA_SHA1,
        }
    }

    /// The `DigestMethod/@Algorithm` URI that goes with it.
    pub fn digest_method_uri(self) -> &'static str {
        match self {
            SignatureAlgorithm::RsaSha256 => SHA256,
            SignatureAlgorithm::RsaSha1 => SHA1,
        }
    }

    /// The algorithm a `SignatureMethod` URI names, if the profile has it.
    pub fn from_signature_method_uri(uri: &str) -> Option<Self> {
        match uri {
            RSA_SHA256 => Some(SignatureAlgorithm::RsaSha256),
            RSA_SHA1 => Some(SignatureAlgorithm::RsaSha1),
            _ => None,
        }
    }
}

/// The digest a `DigestMethod` URI names, if the profile has it; true when it is SHA-1.
pub(crate) fn digest_algorithm(uri: &str) -> Option<(&'static aws_lc_rs::digest::Algorithm, bool)> {
    match uri {
        SHA256 => Some((&aws_lc_rs::digest::SHA256, false)),
        SHA1 => Some((&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, true)),
        _ => None,
    }
}
