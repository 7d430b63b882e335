//! Building hostile deliveries the way an attacker with a valid certificate would: the real
//! builders of kuvert-wire for the letter, kuvert-xmldsig's `Signer` for profile signatures,
//! and a hand-made signer ([`sign_custom`]) that can write any `SignedInfo` (other algorithms,
//! extra transforms, other references) and still sign it with the real key, so a refusal is
//! the verifier's rule and never a broken `SignatureValue`.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RSA_PKCS1_SHA512, RsaEncoding, RsaKeyPair};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use kuvert_core::message::{Seal, SealDate, SecureDelivery};
use kuvert_xmldsig::c14n::View;
use kuvert_xmldsig::profile::{DSIG_NS, ENVELOPED_SIGNATURE, EXC_C14N, RSA_SHA256, SHA256};
use kuvert_xmldsig::{SignatureAlgorithm, Signer};
use secrecy::ExposeSecret as _;

/// `msg3:` (SignedDelivery, SealedDelivery, Seal).
pub(crate) const MSG3: &str = "http://minameddelanden.gov.se/schema/Message/v3";
/// `msg:` (the `Seal` children).
pub(crate) const MSG: &str = "http://minameddelanden.gov.se/schema/Message";
/// `svc3:` (`deliverSecure`).
pub(crate) const SVC3: &str = "http://minameddelanden.gov.se/schema/Service/v3";
/// SOAP 1.1.
pub(crate) const SOAP: &str = "http://schemas.xmlsoap.org/soap/envelope/";

/// A key and the certificate chain a signature carries (leaf first).
#[derive(Clone)]
pub(crate) struct Identity {
    pub(crate) key_pem: String,
    pub(crate) certificate_pem: String,
    /// DER certificates written into `KeyInfo`, leaf first.
    pub(crate) chain: Vec<Vec<u8>>,
}

impl Identity {
    pub(crate) fn from_credential(credential: &kuvert_pki::Credential) -> Self {
        Self::new(
            credential.key_pem().expose_secret().to_owned(),
            credential.certificate_pem().to_owned(),
        )
    }

    pub(crate) fn new(key_pem: String, certificate_pem: String) -> Self {
        let der = pem::parse(&certificate_pem).unwrap().contents().to_vec();
        Self {
            key_pem,
            certificate_pem,
            chain: vec![der],
        }
    }

    /// The same identity carrying `extra` certificates after its own in `KeyInfo`.
    pub(crate) fn with_chain(mut self, extra: &[&str]) -> Self {
        for pem_text in extra {
            self.chain
                .push(pem::parse(*pem_text).unwrap().contents().to_vec());
        }
        self
    }

    pub(crate) fn signer(&self) -> Signer {
        Signer::from_pkcs8_pem(&self.key_pem, &self.certificate_pem).unwrap()
    }

    fn rsa(&self) -> RsaKeyPair {
        let block = pem::parse(&self.key_pem).unwrap();
        RsaKeyPair::from_pkcs8(block.contents()).unwrap()
    }

    /// A profile signature (the production `Signer`, RSA-SHA256) on `unsigned`'s root.
    pub(crate) fn sign(&self, unsigned: &str) -> String {
        self.signer()
            .sign(unsigned, SignatureAlgorithm::RsaSha256)
            .unwrap()
    }
}

/// How the digest of the reference is computed.
#[derive(Clone, Copy)]
pub(crate) enum Digest {
    /// Of the prefix-free view, with this algorithm.
    Of(&'static aws_lc_rs::digest::Algorithm),
    /// These bytes, whatever the content (for algorithms aws-lc-rs does not have).
    Fixed(&'static [u8]),
}

/// How `SignatureValue` is made from the canonical `SignedInfo`.
#[derive(Clone, Copy)]
pub(crate) enum Value {
    /// RSA PKCS#1 v1.5 with this encoding and the identity's key.
    Rsa(&'static dyn RsaEncoding),
    /// HMAC with this algorithm and an empty key (anyone can compute it).
    Hmac(aws_lc_rs::hmac::Algorithm),
    /// These bytes.
    Fixed(&'static [u8]),
}

/// Every part of a hand-made `ds:Signature`. [`SigSpec::profile`] is what the profile asks
/// for; cases change one field.
#[derive(Clone)]
pub(crate) struct SigSpec {
    pub(crate) c14n: String,
    pub(crate) method: String,
    /// Children of `SignatureMethod` (e.g. `HMACOutputLength`).
    pub(crate) method_children: String,
    /// The `Transform` elements, written out.
    pub(crate) transforms: Vec<String>,
    pub(crate) digest_method: String,
    pub(crate) digest: Digest,
    /// `Reference/@URI`; `None` for the root's `#Id` or `""`.
    pub(crate) uri: Option<String>,
    pub(crate) value: Value,
    /// Extra children of `SignedInfo` after the reference (a second `Reference`).
    pub(crate) signed_info_tail: String,
    /// Extra children of `KeyInfo` after `X509Data`.
    pub(crate) key_info_tail: String,
    /// Extra children of `Signature` after `KeyInfo` (an `Object`).
    pub(crate) signature_tail: String,
}

/// A `Transform` element with this algorithm and inner content.
pub(crate) fn transform(algorithm: &str, content: &str) -> String {
    format!("<Transform Algorithm=\"{algorithm}\">{content}</Transform>")
}

impl SigSpec {
    pub(crate) fn profile() -> Self {
        Self {
            c14n: EXC_C14N.to_owned(),
            method: RSA_SHA256.to_owned(),
            method_children: String::new(),
            transforms: vec![transform(ENVELOPED_SIGNATURE, "")],
            digest_method: SHA256.to_owned(),
            digest: Digest::Of(&aws_lc_rs::digest::SHA256),
            uri: None,
            value: Value::Rsa(&RSA_PKCS1_SHA256),
            signed_info_tail: String::new(),
            key_info_tail: String::new(),
            signature_tail: String::new(),
        }
    }

    /// RSA-SHA512 with SHA-512 digests: strong, but outside the profile.
    pub(crate) fn sha512() -> Self {
        Self {
            method: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512".to_owned(),
            digest_method: "http://www.w3.org/2001/04/xmlenc#sha512".to_owned(),
            digest: Digest::Of(&aws_lc_rs::digest::SHA512),
            value: Value::Rsa(&RSA_PKCS1_SHA512),
            ..Self::profile()
        }
    }
}

/// Signs the root of `unsigned` as `spec` says, with `identity`'s key, appending the
/// signature as its last child (as the production signer does).
pub(crate) fn sign_custom(identity: &Identity, unsigned: &str, spec: &SigSpec) -> String {
    let document = kuvert_xmldsig::parse_document(unsigned).unwrap();
    let root = document.root_element();
    let digest = match spec.digest {
        Digest::Of(algorithm) => View::new(root)
            .prefix_free()
            .digest(algorithm)
            .as_ref()
            .to_vec(),
        Digest::Fixed(bytes) => bytes.to_vec(),
    };
    let uri = spec.uri.clone().unwrap_or_else(|| {
        root.attribute("Id")
            .map(|id| format!("#{id}"))
            .unwrap_or_default()
    });
    let signed_info = format!(
        "<SignedInfo xmlns=\"{DSIG_NS}\">\
         <CanonicalizationMethod Algorithm=\"{}\"></CanonicalizationMethod>\
         <SignatureMethod Algorithm=\"{}\">{}</SignatureMethod>\
         <Reference URI=\"{uri}\"><Transforms>{}</Transforms>\
         <DigestMethod Algorithm=\"{}\"></DigestMethod>\
         <DigestValue>{}</DigestValue></Reference>{}</SignedInfo>",
        spec.c14n,
        spec.method,
        spec.method_children,
        spec.transforms.concat(),
        spec.digest_method,
        BASE64.encode(&digest),
        spec.signed_info_tail,
    );
    let value = match spec.value {
        Value::Rsa(encoding) => {
            let key = identity.rsa();
            let mut value = vec![0_u8; key.public_modulus_len()];
            key.sign(
                encoding,
                &SystemRandom::new(),
                signed_info.as_bytes(),
                &mut value,
            )
            .unwrap();
            value
        }
        Value::Hmac(algorithm) => {
            let key = aws_lc_rs::hmac::Key::new(algorithm, b"");
            aws_lc_rs::hmac::sign(&key, signed_info.as_bytes())
                .as_ref()
                .to_vec()
        }
        Value::Fixed(bytes) => bytes.to_vec(),
    };
    let certificates: String = identity
        .chain
        .iter()
        .map(|der| format!("<X509Certificate>{}</X509Certificate>", BASE64.encode(der)))
        .collect();
    let signature = format!(
        "<Signature xmlns=\"{DSIG_NS}\">{signed_info}<SignatureValue>{}</SignatureValue>\
         <KeyInfo><X509Data>{certificates}</X509Data>{}</KeyInfo>{}</Signature>",
        BASE64.encode(&value),
        spec.key_info_tail,
        spec.signature_tail,
    );
    insert_before_end(unsigned, &signature)
}

/// `child` inserted before the root's end tag.
pub(crate) fn insert_before_end(xml: &str, child: &str) -> String {
    let at = xml.rfind("</").unwrap();
    format!("{}{child}{}", &xml[..at], &xml[at..])
}

/// `text` inserted before the first occurrence of `marker` (which must occur).
pub(crate) fn insert_before(xml: &str, marker: &str, text: &str) -> String {
    let at = xml
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in {xml}"));
    format!("{}{text}{}", &xml[..at], &xml[at..])
}

/// `text` inserted right after the first occurrence of `marker`.
pub(crate) fn insert_after(xml: &str, marker: &str, text: &str) -> String {
    let at = xml
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in {xml}"))
        + marker.len();
    format!("{}{text}{}", &xml[..at], &xml[at..])
}

/// `attribute` (` name="value"`) added to the first start tag named `tag` (`<Seal`).
pub(crate) fn add_attribute(xml: &str, tag: &str, attribute: &str) -> String {
    let start = xml.find(tag).unwrap_or_else(|| panic!("{tag} in {xml}"));
    let end = start + xml[start..].find('>').unwrap();
    let end = if xml[..end].ends_with('/') {
        end - 1
    } else {
        end
    };
    format!("{}{attribute}{}", &xml[..end], &xml[end..])
}

/// Today's seal, as the toolkit makes it.
pub(crate) fn seal_today() -> Seal {
    Seal {
        received_date: SealDate::new(time::OffsetDateTime::now_utc().date(), None),
        signatures_ok: true,
    }
}

/// The stages of one delivery; each stage's text is what the next one signs or wraps.
pub(crate) struct Stages {
    pub(crate) delivery: SecureDelivery,
    /// Unsigned `SignedDelivery`.
    pub(crate) unsigned: String,
    /// Signed `SignedDelivery`.
    pub(crate) signed: String,
    /// Unsigned `SealedDelivery`.
    pub(crate) unsealed: String,
    /// Sealed `SealedDelivery`.
    pub(crate) sealed: String,
}

impl Stages {
    /// The profile path: `signer` signs, `sealer` seals today.
    pub(crate) fn new(delivery: SecureDelivery, signer: &Identity, sealer: &Identity) -> Self {
        let unsigned = kuvert_wire::delivery::unsigned_signed_delivery(&delivery);
        let signed = signer.sign(&unsigned);
        let unsealed = kuvert_wire::delivery::unsigned_sealed_delivery(&signed, &seal_today());
        let sealed = sealer.sign(&unsealed);
        Self {
            delivery,
            unsigned,
            signed,
            unsealed,
            sealed,
        }
    }
}

/// Wraps `signed` (a signed `SignedDelivery`), seals it with `sealer` and makes the envelope.
pub(crate) fn seal_and_wrap(signed: &str, sealer: &Identity) -> String {
    let unsealed = kuvert_wire::delivery::unsigned_sealed_delivery(signed, &seal_today());
    envelope(&sealer.sign(&unsealed), "")
}

/// The `deliverSecure` request around a sealed, prefix-free `SealedDelivery` (PROTOCOL.md
/// §9.3 EMBED), keeping the root's attributes and every child as it is (so hostile content
/// survives), with `header` as the content of `soap:Header` (none when empty).
pub(crate) fn envelope(sealed: &str, header: &str) -> String {
    let document = kuvert_xmldsig::parse_document(sealed).unwrap();
    let root = document.root_element();
    let source = &sealed[root.range()];
    let start_tag_end = source.find('>').unwrap();
    let name_end = source
        .find(|c: char| c.is_ascii_whitespace() || c == '>')
        .unwrap();
    let attributes = source[name_end..start_tag_end]
        .replace(&format!(" xmlns=\"{MSG3}\""), "")
        .replace(&format!(" xmlns=\"{MSG}\""), "");
    let mut inner = format!("<deliverSecure xmlns=\"{SVC3}\"{attributes}>");
    for child in root.children() {
        let text = &sealed[child.range()];
        let local = child.tag_name().name();
        let is_prefix_free = text
            .strip_prefix('<')
            .and_then(|rest| rest.strip_prefix(local))
            .is_some_and(|rest| rest.starts_with([' ', '>', '/']));
        if child.is_element()
            && is_prefix_free
            && !text[..text.find('>').unwrap()].contains(" xmlns=\"")
        {
            let namespace = child.tag_name().namespace().unwrap_or("");
            inner.push_str(&format!(
                "<{local} xmlns=\"{namespace}\"{}",
                &text[1 + local.len()..]
            ));
        } else {
            inner.push_str(text);
        }
    }
    inner.push_str("</deliverSecure>");
    let header = if header.is_empty() {
        String::new()
    } else {
        format!("<soap:Header>{header}</soap:Header>")
    };
    format!(
        "<soap:Envelope xmlns:soap=\"{SOAP}\">{header}<soap:Body>\
         <deliverSecure xmlns=\"{SVC3}\">{inner}</deliverSecure></soap:Body></soap:Envelope>"
    )
}
