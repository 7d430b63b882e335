//! Sign → verify round trips with RSA-2048 certificates made by rcgen: a `SignedDelivery`,
//! a `SealedDelivery` around it, the same seal moved into a prefixed SOAP `deliverSecure`
//! wrapper (quirks 1 and 3), `Id` references, and the signer's own refusals.

use std::sync::OnceLock;

use kuvert_xmldsig::trust::TrustAnchors;
use kuvert_xmldsig::{SignError, SignatureAlgorithm, Signer, Verifier, VerifyPolicy};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, RsaKeySize};

pub(crate) const MSG3: &str = "http://minameddelanden.gov.se/schema/Message/v3";
pub(crate) const ORGANISATION_NUMBER: &str = "2021004748";

/// A CA and two organisation certificates it issued (RSA-2048), made once per test binary.
pub(crate) struct Pki {
    pub(crate) ca_pem: String,
    pub(crate) key_pem: String,
    pub(crate) certificate_pem: String,
    pub(crate) other_certificate_pem: String,
}

impl Pki {
    pub(crate) fn signer(&self) -> Signer {
        Signer::from_pkcs8_pem(&self.key_pem, &self.certificate_pem).unwrap()
    }

    pub(crate) fn verifier(&self, policy: VerifyPolicy) -> Verifier {
        Verifier::new(TrustAnchors::from_pem(&self.ca_pem).unwrap(), policy)
    }
}

/// The shared PKI; `untrusted()` is a second, unrelated one.
pub(crate) fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| make_pki("Test CA"))
}

pub(crate) fn untrusted_pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| make_pki("Untrusted CA"))
}

fn rsa_key() -> KeyPair {
    KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, RsaKeySize::_2048).unwrap()
}

fn make_pki(ca_name: &str) -> Pki {
    let ca_key = rsa_key();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params
        .distinguished_name
        .push(DnType::CommonName, ca_name);
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::from_params(&ca_params, &ca_key);
    let leaf = |common_name: &str| {
        let key = rsa_key();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params
            .distinguished_name
            .push(DnType::OrganizationName, "Kommun A");
        params.distinguished_name.push(DnType::CountryName, "SE");
        let serial = format!("16{ORGANISATION_NUMBER}");
        params
            .distinguished_name
            .push(DnType::CustomDnType(vec![2, 5, 4, 5]), serial);
        let certificate = params.signed_by(&key, &issuer).unwrap();
        (key.serialize_pem(), certificate.pem())
    };
    let (key_pem, certificate_pem) = leaf("kommun-a.example");
    let (_, other_certificate_pem) = leaf("other.kommun-a.example");
    Pki {
        ca_pem: ca.pem(),
        key_pem,
        certificate_pem,
        other_certificate_pem,
    }
}

/// A compact, prefix-free v3 `SignedDelivery` (PROTOCOL.md §6.1), unsigned.
pub(crate) fn unsigned_signed_delivery(id_attribute: &str) -> String {
    format!(
        "<SignedDelivery xmlns=\"{MSG3}\"{id_attribute}><Delivery><Header>\
         <Sender xmlns=\"http://minameddelanden.gov.se/schema/Message/v2\">\
         <Id xmlns=\"http://minameddelanden.gov.se/schema/Sender\">162021004748</Id>\
         <Name xmlns=\"http://minameddelanden.gov.se/schema/Sender\">Kommun A</Name></Sender>\
         <Recipient xmlns=\"http://minameddelanden.gov.se/schema/Message/v2\">198101052382\
         </Recipient></Header><Message><Header><Id>m1</Id><Subject>Välkommen &amp; hej</Subject>\
         <Supportinfo><Text>Ring oss</Text></Supportinfo><Language>svSE</Language></Header>\
         <Body><ContentType xmlns=\"http://minameddelanden.gov.se/schema/Message\">text/plain\
         </ContentType><Body xmlns=\"http://minameddelanden.gov.se/schema/Message\">SGVq\
         </Body></Body></Message></Delivery></SignedDelivery>"
    )
}

/// An unsigned `SealedDelivery` around `signed_delivery` with `SignaturesOK` = `ok`.
pub(crate) fn unsigned_sealed_delivery(signed_delivery: &str, ok: &str) -> String {
    format!(
        "<SealedDelivery xmlns=\"{MSG3}\">{signed_delivery}<Seal>\
         <ReceivedTime xmlns=\"http://minameddelanden.gov.se/schema/Message\">2026-11-29+01:00\
         </ReceivedTime><SignaturesOK xmlns=\"http://minameddelanden.gov.se/schema/Message\">\
         {ok}</SignaturesOK></Seal></SealedDelivery>"
    )
}

/// A signed and sealed delivery made with the shared PKI.
pub(crate) fn sealed_delivery() -> String {
    let signer = pki().signer();
    let signed = signer
        .sign(&unsigned_signed_delivery(""), SignatureAlgorithm::RsaSha256)
        .unwrap();
    signer
        .sign(
            &unsigned_sealed_delivery(&signed, "true"),
            SignatureAlgorithm::RsaSha256,
        )
        .unwrap()
}

#[test]
fn signed_delivery_round_trips() {
    let signed = pki()
        .signer()
        .sign(&unsigned_signed_delivery(""), SignatureAlgorithm::RsaSha256)
        .unwrap();
    assert!(signed.contains("<Reference URI=\"\">"));
    assert!(signed.ends_with("</Signature></SignedDelivery>"));
    let document = kuvert_xmldsig::parse_document(&signed).unwrap();
    let verifier = pki().verifier(VerifyPolicy::default());
    let verified = verifier
        .verify_signed_delivery(document.root_element())
        .unwrap();
    assert_eq!(
        verified.organisation_number().unwrap().as_str(),
        ORGANISATION_NUMBER
    );
    assert_eq!(verified.algorithm, SignatureAlgorithm::RsaSha256);
    assert!(!verified.is_whitespace_ignored);
}

#[test]
fn sealed_delivery_round_trips() {
    let sealed = sealed_delivery();
    let document = kuvert_xmldsig::parse_document(&sealed).unwrap();
    let verifier = pki().verifier(VerifyPolicy::default());
    let seal = verifier
        .verify_sealed_delivery(document.root_element())
        .unwrap();
    assert_eq!(
        seal.sender.organisation_number().unwrap().as_str(),
        ORGANISATION_NUMBER
    );
    assert_eq!(
        seal.sealer.organisation_number().unwrap().as_str(),
        ORGANISATION_NUMBER
    );
    assert_eq!(seal.signed_delivery().tag_name().name(), "SignedDelivery");
    assert_eq!(seal.seal().tag_name().name(), "Seal");
}

#[test]
fn sealed_delivery_verifies_inside_prefixed_soap_deliver_secure() {
    let sealed = sealed_delivery();
    let children_start = sealed.find('>').unwrap() + 1;
    let children_end = sealed.rfind("</SealedDelivery>").unwrap();
    let children = &sealed[children_start..children_end];
    let envelope = format!(
        "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" \
         xmlns:p5=\"http://minameddelanden.gov.se/schema/Service/v3\"><s:Body>\
         <p5:deliverSecure><p5:deliverSecure xmlns=\"{MSG3}\">{children}</p5:deliverSecure>\
         </p5:deliverSecure></s:Body></s:Envelope>"
    );
    let document = kuvert_xmldsig::parse_document(&envelope).unwrap();
    let wrapper = document
        .descendants()
        .filter(|node| node.has_tag_name("deliverSecure"))
        .nth(1)
        .unwrap();
    let verifier = pki().verifier(VerifyPolicy::default());
    let seal = verifier.verify_sealed_delivery(wrapper).unwrap();
    assert_eq!(
        seal.sealer.organisation_number().unwrap().as_str(),
        ORGANISATION_NUMBER
    );
}

#[test]
fn prefixed_input_is_signed_over_its_prefix_free_form() {
    let unsigned = unsigned_signed_delivery("")
        .replacen(
            &format!("<SignedDelivery xmlns=\"{MSG3}\">"),
            &format!("<m:SignedDelivery xmlns:m=\"{MSG3}\" xmlns=\"{MSG3}\">"),
            1,
        )
        .replace("</SignedDelivery>", "</m:SignedDelivery>");
    let signed = pki()
        .signer()
        .sign(&unsigned, SignatureAlgorithm::RsaSha256)
        .unwrap();
    let document = kuvert_xmldsig::parse_document(&signed).unwrap();
    let verifier = pki().verifier(VerifyPolicy::default());
    verifier
        .verify_signed_delivery(document.root_element())
        .unwrap();
}

#[test]
fn element_with_id_is_referenced_by_its_id() {
    let signed = pki()
        .signer()
        .sign(
            &unsigned_signed_delivery(" Id=\"sd1\""),
            SignatureAlgorithm::RsaSha256,
        )
        .unwrap();
    assert!(signed.contains("<Reference URI=\"#sd1\">"));
    let document = kuvert_xmldsig::parse_document(&signed).unwrap();
    let verifier = pki().verifier(VerifyPolicy::default());
    verifier
        .verify_signed_delivery(document.root_element())
        .unwrap();
}

#[test]
fn empty_element_is_signed() {
    let signed = pki()
        .signer()
        .sign(
            &format!("<SignedDelivery xmlns=\"{MSG3}\"/>"),
            SignatureAlgorithm::RsaSha256,
        )
        .unwrap();
    assert!(signed.starts_with(&format!("<SignedDelivery xmlns=\"{MSG3}\"><Signature")));
    let document = kuvert_xmldsig::parse_document(&signed).unwrap();
    let verifier = pki().verifier(VerifyPolicy::default());
    verifier
        .verify_signed_delivery(document.root_element())
        .unwrap();
}

#[test]
fn sign_refuses_sha1_already_signed_input_and_foreign_certificate() {
    let signer = pki().signer();
    let error = signer.sign(&unsigned_signed_delivery(""), SignatureAlgorithm::RsaSha1);
    assert!(
        matches!(error, Err(SignError::Sha1SigningUnsupported)),
        "{error:?}"
    );

    let signed = signer.sign(&unsigned_signed_delivery(""), SignatureAlgorithm::RsaSha256);
    let error = signer.sign(&signed.unwrap(), SignatureAlgorithm::RsaSha256);
    assert!(
        matches!(error, Err(SignError::AlreadySigned { .. })),
        "{error:?}"
    );

    let mismatched = Signer::from_pkcs8_pem(&pki().key_pem, &pki().other_certificate_pem);
    assert!(matches!(mismatched, Err(SignError::KeyCertificateMismatch)));
}
