//! e-ID signatures over profile changes (`SignatureData`, PROTOCOL.md §5.1, §7, §8).
//!
//! A person confirms `register`, `deregister`, `changeServiceSupplier` and
//! `storeAccountPreferences` by signing the agreement text with their e-ID. Real e-ID
//! services return BankID XML or similar; Kuvert's test signing service, and therefore this
//! verifier, use one plain, precisely defined form:
//!
//! * **signed bytes** = UTF-8 of the text, then one line feed (`0x0A`), then the UTF-8 (ASCII)
//!   nonce: `text || "\n" || nonce`. The text is taken exactly as given: no trimming, no
//!   newline normalisation, no Unicode normalisation.
//! * **signature** = RSASSA-PKCS1-v1_5 with SHA-256 over the signed bytes, by the key of the
//!   person's e-ID certificate (RSA, 2048–8192 bits).
//! * `Certificate` = the person's certificate, DER, base64 (standard alphabet, padded);
//!   `Signature` likewise; `EncodingOfSignedText` = `UTF-8`, the only encoding accepted.
//!
//! The nonce makes every signature unique to one signing request. What the signature is for
//! (change, mailbox, operator, time) is written into the text itself ([`SigningBinding`]), and
//! the registry accepts each signature once.

mod binding;
mod verify;

pub use binding::{BindingError, BoundAction, SigningBinding};
pub use verify::{EidSignatureError, EidSigner, verify_signature_data};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use kuvert_core::limits::{
    EID_CERTIFICATE_BYTES_MAX, EID_NONCE_CHARS_MAX, EID_SIGNATURE_BYTES_MAX,
    EID_SIGNED_TEXT_BYTES_MAX,
};

/// The only `EncodingOfSignedText` Kuvert produces and accepts.
pub const ENCODING_UTF8: &str = "UTF-8";

/// One person's e-ID signature of a text: the domain form of `common:SignatureData`.
///
/// Holding one means the fields are well-formed (base64 decoded, sizes within limits, nonce
/// made of URL-safe characters, encoding UTF-8); it says nothing yet about who signed or
/// whether the signature holds. That is [`verify_signature_data`]'s job.
#[derive(Clone, PartialEq, Eq)]
pub struct SignatureData {
    signature: Vec<u8>,
    certificate_der: Vec<u8>,
    nonce: String,
}

/// The four wire fields of `SignatureData`, as text (a form post or the SOAP element).
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct SignatureDataFields {
    /// `Signature`: base64.
    #[serde(rename = "Signature")]
    pub signature: String,
    /// `Certificate`: base64 DER.
    #[serde(rename = "Certificate")]
    pub certificate: String,
    /// `Nonce`.
    #[serde(rename = "Nonce", default)]
    pub nonce: Option<String>,
    /// `EncodingOfSignedText`; absent means UTF-8 (the XSD default).
    #[serde(rename = "EncodingOfSignedText", default)]
    pub encoding_of_signed_text: Option<String>,
}

/// Why the fields of a `SignatureData` are malformed.
#[derive(Debug, thiserror::Error)]
pub enum SignatureDataError {
    /// A field is not valid base64.
    #[error("SignatureData/{field} is not valid base64")]
    Base64 {
        /// `Signature` or `Certificate`.
        field: &'static str,
    },
    /// A field is empty or longer than its limit.
    #[error("SignatureData/{field} is empty or longer than {max}")]
    Size {
        /// The field.
        field: &'static str,
        /// Its limit.
        max: usize,
    },
    /// The nonce is missing; Kuvert's signed bytes always include one.
    #[error("SignatureData/Nonce is missing")]
    MissingNonce,
    /// The nonce has characters outside `A-Z a-z 0-9 - _`.
    #[error("SignatureData/Nonce has characters other than letters, digits, '-' and '_'")]
    NonceCharacters,
    /// `EncodingOfSignedText` names another encoding than UTF-8.
    #[error("SignatureData/EncodingOfSignedText is {found:?}, only UTF-8 is supported")]
    Encoding {
        /// What the field said.
        found: String,
    },
}

/// Why signing failed.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The key is not an RSA PKCS#8 key.
    #[error("e-ID signing key is not an RSA PKCS#8 key")]
    Key,
    /// The certificate PEM holds no `CERTIFICATE` block.
    #[error("e-ID certificate PEM holds no CERTIFICATE block")]
    Certificate,
    /// The text or nonce is outside the limits of [`SignatureData`].
    #[error("cannot sign: {0}")]
    Input(#[source] SignatureDataError),
    /// The signing operation itself failed.
    #[error("RSA signing failed")]
    Crypto,
}

/// A person's e-ID private key (RSA), as the test signing service and tests hold it.
pub struct EidSigningKey {
    key_pair: RsaKeyPair,
}

impl std::fmt::Debug for EidSigningKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("EidSigningKey(..)")
    }
}

impl EidSigningKey {
    /// Reads an RSA key from PKCS#8 DER.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, SignError> {
        let key_pair = RsaKeyPair::from_pkcs8(der).map_err(|_| SignError::Key)?;
        Ok(Self { key_pair })
    }

    /// Reads an RSA key from a PKCS#8 PEM block (`-----BEGIN PRIVATE KEY-----`).
    pub fn from_pkcs8_pem(pem_text: &str) -> Result<Self, SignError> {
        let block = pem::parse(pem_text).map_err(|_| SignError::Key)?;
        if block.tag() != "PRIVATE KEY" {
            return Err(SignError::Key);
        }
        Self::from_pkcs8_der(block.contents())
    }
}

impl SignatureData {
    /// Parses the wire fields (base64 decoding and limits; see [`SignatureDataError`]).
    pub fn from_fields(fields: &SignatureDataFields) -> Result<Self, SignatureDataError> {
        let encoding = fields
            .encoding_of_signed_text
            .as_deref()
            .unwrap_or(ENCODING_UTF8);
        if !encoding.eq_ignore_ascii_case(ENCODING_UTF8) && !encoding.eq_ignore_ascii_case("UTF8") {
            return Err(SignatureDataError::Encoding {
                found: encoding.to_owned(),
            });
        }
        let signature = decode_field("Signature", &fields.signature, EID_SIGNATURE_BYTES_MAX)?;
        let certificate_der = decode_field(
            "Certificate",
            &fields.certificate,
            EID_CERTIFICATE_BYTES_MAX,
        )?;
        let nonce = fields
            .nonce
            .clone()
            .ok_or(SignatureDataError::MissingNonce)?;
        check_nonce(&nonce)?;
        Ok(Self {
            signature,
            certificate_der,
            nonce,
        })
    }

    /// The wire fields, base64 encoded, with `EncodingOfSignedText=UTF-8`.
    pub fn to_fields(&self) -> SignatureDataFields {
        SignatureDataFields {
            signature: STANDARD.encode(&self.signature),
            certificate: STANDARD.encode(&self.certificate_der),
            nonce: Some(self.nonce.clone()),
            encoding_of_signed_text: Some(ENCODING_UTF8.to_owned()),
        }
    }

    /// The raw RSA signature.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The signer's certificate, DER.
    pub fn certificate_der(&self) -> &[u8] {
        &self.certificate_der
    }

    /// The nonce that was signed together with the text.
    pub fn nonce(&self) -> &str {
        &self.nonce
    }
}

impl std::fmt::Debug for SignatureData {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("SignatureData")
            .field("signature_bytes", &self.signature.len())
            .field("certificate_bytes", &self.certificate_der.len())
            .field("nonce", &self.nonce)
            .finish()
    }
}

/// Signs `text` with `nonce` as one person's e-ID would (see the module doc for the bytes).
///
/// Used by the test signing service and by tests; real e-ID signatures come from the
/// person's own e-ID provider.
pub fn sign_text(
    key: &EidSigningKey,
    certificate_der: &[u8],
    text: &str,
    nonce: &str,
) -> Result<SignatureData, SignError> {
    check_text(text).map_err(SignError::Input)?;
    check_nonce(nonce).map_err(SignError::Input)?;
    if certificate_der.is_empty() || certificate_der.len() > EID_CERTIFICATE_BYTES_MAX {
        let max = EID_CERTIFICATE_BYTES_MAX;
        return Err(SignError::Input(SignatureDataError::Size {
            field: "Certificate",
            max,
        }));
    }
    let message = signed_bytes(text, nonce);
    let mut signature = vec![0; key.key_pair.public_modulus_len()];
    key.key_pair
        .sign(
            &RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            &message,
            &mut signature,
        )
        .map_err(|_| SignError::Crypto)?;
    Ok(SignatureData {
        signature,
        certificate_der: certificate_der.to_vec(),
        nonce: nonce.to_owned(),
    })
}

/// A fresh random nonce: 32 bytes, base64url without padding (43 characters).
pub fn new_nonce() -> String {
    crate::random_token()
}

/// The exact bytes that are signed: `text || "\n" || nonce`.
pub fn signed_bytes(text: &str, nonce: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(text.len() + 1 + nonce.len());
    bytes.extend_from_slice(text.as_bytes());
    bytes.push(b'\n');
    bytes.extend_from_slice(nonce.as_bytes());
    bytes
}

pub(crate) fn check_text(text: &str) -> Result<(), SignatureDataError> {
    if text.is_empty() || text.len() > EID_SIGNED_TEXT_BYTES_MAX {
        return Err(SignatureDataError::Size {
            field: "signed text",
            max: EID_SIGNED_TEXT_BYTES_MAX,
        });
    }
    Ok(())
}

fn check_nonce(nonce: &str) -> Result<(), SignatureDataError> {
    if nonce.is_empty() || nonce.len() > EID_NONCE_CHARS_MAX {
        return Err(SignatureDataError::Size {
            field: "Nonce",
            max: EID_NONCE_CHARS_MAX,
        });
    }
    let is_url_safe = |byte: u8| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_';
    if !nonce.bytes().all(is_url_safe) {
        return Err(SignatureDataError::NonceCharacters);
    }
    Ok(())
}

fn decode_field(
    field: &'static str,
    text: &str,
    max: usize,
) -> Result<Vec<u8>, SignatureDataError> {
    // Base64 is 4/3 of the bytes; checking the text first bounds the decoder's allocation.
    let text = text.trim();
    if text.is_empty() || text.len() > max.div_ceil(3) * 4 {
        return Err(SignatureDataError::Size { field, max });
    }
    let bytes = STANDARD
        .decode(text)
        .map_err(|_| SignatureDataError::Base64 { field })?;
    if bytes.is_empty() || bytes.len() > max {
        return Err(SignatureDataError::Size { field, max });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests;
