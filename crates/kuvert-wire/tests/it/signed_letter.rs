//! The whole path of a letter through this crate with real signatures (kuvert-xmldsig):
//! build → sign → seal → sign → `deliverSecure` → parse → verify on the tree → read.

use kuvert_wire::service::{self, ServiceRequest};
use kuvert_wire::{delivery, envelope, message};
use kuvert_xmldsig::trust::TrustAnchors;
use kuvert_xmldsig::{SignatureAlgorithm, Signer, Verifier, VerifyPolicy};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, RsaKeySize};

use crate::examples;

/// A CA and one organisation certificate (`serialNumber=162021004748`) it issued.
pub(crate) fn signer_and_verifier() -> (Signer, Verifier) {
    let rsa_key = || KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, RsaKeySize::_2048);
    let ca_key = rsa_key().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Wire Test CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::from_params(&ca_params, &ca_key);
    let key = rsa_key().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "kommun-a.example");
    params
        .distinguished_name
        .push(DnType::OrganizationName, "Kommun A");
    params.distinguished_name.push(DnType::CountryName, "SE");
    params
        .distinguished_name
        .push(DnType::CustomDnType(vec![2, 5, 4, 5]), "162021004748");
    let certificate = params.signed_by(&key, &issuer).unwrap();
    let signer = Signer::from_pkcs8_pem(&key.serialize_pem(), &certificate.pem()).unwrap();
    let anchors = TrustAnchors::from_pem(&ca.pem()).unwrap();
    (signer, Verifier::new(anchors, VerifyPolicy::default()))
}

#[test]
fn signed_sealed_letter_verifies_and_reads_back_from_the_verified_tree() {
    let (signer, verifier) = signer_and_verifier();
    let unsigned = delivery::unsigned_signed_delivery(&examples::secure_delivery());
    let signed = signer
        .sign(&unsigned, SignatureAlgorithm::RsaSha256)
        .unwrap();
    let unsealed = delivery::unsigned_sealed_delivery(&signed, &examples::seal());
    let sealed = signer
        .sign(&unsealed, SignatureAlgorithm::RsaSha256)
        .unwrap();
    let xml = service::deliver_secure_request(&sealed).unwrap();

    let document = envelope::parse(&xml).unwrap();
    let ServiceRequest::DeliverSecure(wrapper) = service::parse_request(&document).unwrap() else {
        panic!("a deliverSecure request");
    };
    let verified = verifier.verify_sealed_delivery(wrapper).unwrap();
    let letter = delivery::read_secure_delivery(verified.signed_delivery()).unwrap();
    assert_eq!(letter, examples::secure_delivery());
    assert_eq!(delivery::read_seal(wrapper).unwrap(), examples::seal());
}

#[test]
fn signed_delivery_verifies_inside_distribute_secure() {
    let (signer, verifier) = signer_and_verifier();
    let unsigned = delivery::unsigned_signed_delivery(&examples::secure_delivery());
    let signed = signer
        .sign(&unsigned, SignatureAlgorithm::RsaSha256)
        .unwrap();
    let xml = message::distribute_secure_request(&signed).unwrap();
    let document = envelope::parse(&xml).unwrap();
    let message::MessageRequest::DistributeSecure(node) =
        message::parse_request(&document).unwrap()
    else {
        panic!("a distributeSecure request");
    };
    verifier.verify_signed_delivery(node).unwrap();
    assert_eq!(
        delivery::read_secure_delivery(node).unwrap(),
        examples::secure_delivery()
    );
}

#[test]
fn tampered_letter_fails_verification_before_it_is_read() {
    let (signer, verifier) = signer_and_verifier();
    let unsigned = delivery::unsigned_signed_delivery(&examples::secure_delivery());
    let signed = signer
        .sign(&unsigned, SignatureAlgorithm::RsaSha256)
        .unwrap();
    let unsealed = delivery::unsigned_sealed_delivery(&signed, &examples::seal());
    let sealed = signer
        .sign(&unsealed, SignatureAlgorithm::RsaSha256)
        .unwrap();
    let xml = service::deliver_secure_request(&sealed)
        .unwrap()
        .replace("Ring oss", "Ring dem");
    let document = envelope::parse(&xml).unwrap();
    let ServiceRequest::DeliverSecure(wrapper) = service::parse_request(&document).unwrap() else {
        panic!("a deliverSecure request");
    };
    assert!(verifier.verify_sealed_delivery(wrapper).is_err());
}

/// The intermediary's path (issue 15): a sender's `distributeSecure` verifies through the one
/// reader, its canonical form is sealed, and the operator's reader verifies that sealed
/// delivery with the same letter and the same content digest; also when the sender's
/// signature verifies only without whitespace-only text (PROTOCOL.md §9.5, S4).
#[test]
fn distributed_signed_delivery_verifies_and_its_canonical_form_seals_for_the_operator() {
    let (signer, verifier) = signer_and_verifier();
    let unsigned = delivery::unsigned_signed_delivery(&examples::secure_delivery());
    let signed = signer
        .sign(&unsigned, SignatureAlgorithm::RsaSha256)
        .unwrap();
    let indented = signed.replacen("</Header><Message>", "</Header>\n    <Message>", 1);
    assert_ne!(indented, signed);
    for (signed, is_whitespace_ignored) in [(signed.clone(), false), (indented, true)] {
        let xml = message::distribute_secure_request(&signed).unwrap();
        let document = envelope::parse(&xml).unwrap();
        let received = delivery::SignedDocument::locate(&document)
            .unwrap()
            .verify(&verifier)
            .unwrap();
        assert_eq!(received.delivery, examples::secure_delivery());
        assert_eq!(received.signer.organisation_number.as_str(), "2021004748");
        assert!(
            received
                .signed_delivery_xml
                .starts_with("<SignedDelivery xmlns=")
        );
        let canonical = envelope::parse(&received.signed_delivery_xml).unwrap();
        let again = verifier
            .verify_signed_delivery(canonical.root_element())
            .unwrap();
        assert_eq!(again.is_whitespace_ignored, is_whitespace_ignored);

        let unsealed =
            delivery::unsigned_sealed_delivery(&received.signed_delivery_xml, &examples::seal());
        let sealed = signer
            .sign(&unsealed, SignatureAlgorithm::RsaSha256)
            .unwrap();
        let request = service::deliver_secure_request(&sealed).unwrap();
        let document = envelope::parse(&request).unwrap();
        let letter = delivery::SealedDocument::locate(&document)
            .unwrap()
            .verify(&verifier)
            .unwrap();
        assert_eq!(letter.delivery, examples::secure_delivery());
        assert_eq!(letter.content_digest, received.content_digest);
    }
}

#[test]
fn distributed_signed_delivery_is_refused_when_changed_or_wrapped() {
    let (signer, verifier) = signer_and_verifier();
    let unsigned = delivery::unsigned_signed_delivery(&examples::secure_delivery());
    let signed = signer
        .sign(&unsigned, SignatureAlgorithm::RsaSha256)
        .unwrap();
    let xml = message::distribute_secure_request(&signed).unwrap();

    let changed = xml.replace("Ring oss", "Ring dem");
    assert_ne!(changed, xml);
    let document = envelope::parse(&changed).unwrap();
    let refused = delivery::SignedDocument::locate(&document)
        .unwrap()
        .verify(&verifier)
        .unwrap_err();
    assert!(
        matches!(refused, delivery::LetterError::SenderSignature(_)),
        "{refused:?}"
    );

    let header = format!(
        "<soap:Header><x:signedDelivery xmlns:x=\"{}\"/></soap:Header><soap:Body>",
        "http://minameddelanden.gov.se/schema/Message/v3"
    );
    let wrapped = xml.replacen("<soap:Body>", &header, 1);
    assert_ne!(wrapped, xml);
    let document = envelope::parse(&wrapped).unwrap();
    let refused = delivery::SignedDocument::locate(&document).unwrap_err();
    assert!(
        matches!(refused, delivery::LetterError::Shape(_)),
        "{refused:?}"
    );
}
