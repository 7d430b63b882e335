//! Attacks on enveloped signatures, each refused with its own `VerifyError` variant:
//! XML signature wrapping (moved original, sibling reference, duplicate ids, extra
//! references), forbidden transforms and canonicalizations, comment splitting, DOCTYPE
//! entities, second signatures, weak algorithms, and certificate swaps.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use kuvert_xmldsig::certificate::Certificate;
use kuvert_xmldsig::trust::TrustError;
use kuvert_xmldsig::{ParseError, SignatureAlgorithm, VerifyError, VerifyPolicy};

use crate::roundtrip::{
    MSG3, pki, sealed_delivery, unsigned_sealed_delivery, unsigned_signed_delivery, untrusted_pki,
};
use crate::samples::{KIVRA, embedded_anchors};

fn signed(id_attribute: &str) -> String {
    sign_unsigned(&unsigned_signed_delivery(id_attribute))
}

fn sign_unsigned(unsigned: &str) -> String {
    pki()
        .signer()
        .sign(unsigned, SignatureAlgorithm::RsaSha256)
        .unwrap()
}

fn verify_signed(xml: &str) -> Result<(), VerifyError> {
    let document = kuvert_xmldsig::parse_document(xml).unwrap();
    let verifier = pki().verifier(VerifyPolicy::default());
    verifier
        .verify_signed_delivery(document.root_element())
        .map(|_| ())
}

fn verify_sealed(xml: &str) -> Result<(), VerifyError> {
    let document = kuvert_xmldsig::parse_document(xml).unwrap();
    let verifier = pki().verifier(VerifyPolicy::default());
    verifier
        .verify_sealed_delivery(document.root_element())
        .map(|_| ())
}

/// (text before the signature, the signature, text after it) of the root's signature.
fn split_signature(xml: &str) -> (&str, &str, &str) {
    let start = xml.rfind("<Signature xmlns=").unwrap();
    let end = xml.rfind("</Signature>").unwrap() + "</Signature>".len();
    (&xml[..start], &xml[start..end], &xml[end..])
}

#[test]
fn verify_accepts_the_unmodified_signature() {
    verify_signed(&signed("")).unwrap();
}

#[test]
fn verify_rejects_second_signature() {
    let xml = signed("");
    let (before, signature, after) = split_signature(&xml);
    let doubled = format!("{before}{signature}{signature}{after}");
    let error = verify_signed(&doubled).unwrap_err();
    assert!(
        matches!(error, VerifyError::SecondSignature { count: 2, .. }),
        "{error:?}"
    );
}

#[test]
fn verify_rejects_signature_that_is_not_the_last_child() {
    let xml = signed("");
    let (before, signature, after) = split_signature(&xml);
    let open_end = before.find('>').unwrap() + 1;
    let moved = format!(
        "{}{signature}{}{after}",
        &before[..open_end],
        &before[open_end..]
    );
    let error = verify_signed(&moved).unwrap_err();
    assert!(
        matches!(error, VerifyError::SignatureNotLast { .. }),
        "{error:?}"
    );
}

#[test]
fn verify_rejects_original_moved_under_another_parent_with_forged_content_in_place() {
    let xml = signed(" Id=\"sd1\"");
    let (original, signature, _) = split_signature(&xml);
    let original = format!("{original}</SignedDelivery>");
    let forged = format!(
        "<SignedDelivery xmlns=\"{MSG3}\"><Delivery>forged</Delivery><Hidden>{original}</Hidden>\
         {signature}</SignedDelivery>"
    );
    let error = verify_signed(&forged).unwrap_err();
    assert!(
        matches!(&error, VerifyError::ReferenceTarget { uri } if uri == "#sd1"),
        "{error:?}"
    );
}

#[test]
fn verify_rejects_forged_element_taking_the_moved_original_id() {
    let xml = signed(" Id=\"sd1\"");
    let (original, signature, _) = split_signature(&xml);
    let original = format!("{original}</SignedDelivery>");
    let forged = format!(
        "<SignedDelivery xmlns=\"{MSG3}\" Id=\"sd1\"><Delivery>forged</Delivery>\
         <Hidden>{original}</Hidden>{signature}</SignedDelivery>"
    );
    let error = verify_signed(&forged).unwrap_err();
    assert!(
        matches!(&error, VerifyError::DuplicateId { id } if id == "sd1"),
        "{error:?}"
    );
}

#[test]
fn verify_rejects_reference_to_a_sibling_id() {
    let unsigned = unsigned_signed_delivery("").replacen("<Delivery>", "<Delivery Id=\"d1\">", 1);
    let xml = sign_unsigned(&unsigned).replacen("URI=\"\"", "URI=\"#d1\"", 1);
    let error = verify_signed(&xml).unwrap_err();
    assert!(
        matches!(&error, VerifyError::ReferenceTarget { uri } if uri == "#d1"),
        "{error:?}"
    );
}

#[test]
fn verify_rejects_duplicate_ids_even_under_a_valid_signature() {
    let unsigned = unsigned_signed_delivery("")
        .replacen("<Delivery>", "<Delivery Id=\"x\">", 1)
        .replacen("<Message>", "<Message Id=\"x\">", 1);
    let error = verify_signed(&sign_unsigned(&unsigned)).unwrap_err();
    assert!(
        matches!(&error, VerifyError::DuplicateId { id } if id == "x"),
        "{error:?}"
    );
}

#[test]
fn verify_rejects_two_references() {
    let xml = signed("");
    let start = xml.find("<Reference ").unwrap();
    let end = xml.find("</Reference>").unwrap() + "</Reference>".len();
    let reference = &xml[start..end];
    let doubled = format!("{}{reference}{}", &xml[..end], &xml[end..]);
    let error = verify_signed(&doubled).unwrap_err();
    assert!(
        matches!(error, VerifyError::ReferenceCount { count: 2 }),
        "{error:?}"
    );
}

#[test]
fn verify_rejects_extra_xpath_transform() {
    let xpath = "<Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xpath-19991116\">\
                 <XPath>not(ancestor-or-self::Delivery)</XPath></Transform>";
    let xml = signed("").replacen("</Transforms>", &format!("{xpath}</Transforms>"), 1);
    let error = verify_signed(&xml).unwrap_err();
    assert!(
        matches!(error, VerifyError::UnsupportedTransform { .. }),
        "{error:?}"
    );
}

#[test]
fn verify_rejects_missing_enveloped_transform() {
    let xml = signed("");
    let start = xml.find("<Transforms>").unwrap();
    let end = xml.find("</Transforms>").unwrap() + "</Transforms>".len();
    let stripped = format!("{}{}", &xml[..start], &xml[end..]);
    let error = verify_signed(&stripped).unwrap_err();
    assert!(
        matches!(error, VerifyError::MissingEnvelopedTransform),
        "{error:?}"
    );
}

#[test]
fn verify_rejects_inclusive_and_with_comments_canonicalization() {
    for algorithm in [
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
        "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
    ] {
        let exclusive = "Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"";
        let xml = signed("").replacen(exclusive, &format!("Algorithm=\"{algorithm}\""), 1);
        let error = verify_signed(&xml).unwrap_err();
        let is_expected = matches!(&error,
            VerifyError::UnsupportedCanonicalization { algorithm: found } if found == algorithm);
        assert!(is_expected, "{error:?}");
    }
}

#[test]
fn verify_rejects_comment_splitting_signed_text() {
    // C14N drops the comment, so the digest still matches; the text a naive reader takes
    // (roxmltree's first text node) would be "Kom" instead of "Kommun A".
    let xml = signed("").replacen("Kommun A", "Kom<!---->mun A", 1);
    let error = verify_signed(&xml).unwrap_err();
    assert!(
        matches!(error, VerifyError::CommentInSignedContent { .. }),
        "{error:?}"
    );
}

#[test]
fn parse_rejects_doctype_entity_in_signed_delivery() {
    let xml = signed("").replacen("Kommun A", "&name;", 1);
    let with_doctype = format!("<!DOCTYPE SignedDelivery [<!ENTITY name \"Kommun A\">]>{xml}");
    let error = kuvert_xmldsig::parse_document(&with_doctype).unwrap_err();
    assert_eq!(error, ParseError::Doctype);
}

#[test]
fn verify_rejects_sha1_under_a_strict_policy() {
    let Some(xml) = KIVRA.xml() else {
        return;
    };
    let document = kuvert_xmldsig::parse_document(&xml).unwrap();
    let wrapper = document
        .descendants()
        .filter(|node| node.has_tag_name("deliverSecure"))
        .nth(1);
    let policy = VerifyPolicy {
        is_sha1_allowed: false,
        now: KIVRA.now,
    };
    let verifier = kuvert_xmldsig::Verifier::new(embedded_anchors(&xml), policy);
    let error = verifier
        .verify_sealed_delivery(wrapper.unwrap())
        .unwrap_err();
    assert!(matches!(error, VerifyError::Sha1NotAllowed), "{error:?}");
}

#[test]
fn verify_rejects_unsupported_digest_and_signature_methods() {
    let xml = signed("").replacen(
        "http://www.w3.org/2001/04/xmlenc#sha256",
        "http://www.w3.org/2001/04/xmlenc#sha512",
        1,
    );
    let error = verify_signed(&xml).unwrap_err();
    assert!(
        matches!(error, VerifyError::UnsupportedDigestAlgorithm { .. }),
        "{error:?}"
    );
    let xml = signed("").replacen("#rsa-sha256", "#rsa-sha512", 1);
    let error = verify_signed(&xml).unwrap_err();
    assert!(
        matches!(error, VerifyError::UnsupportedSignatureAlgorithm { .. }),
        "{error:?}"
    );
}

#[test]
fn verify_rejects_certificate_from_an_untrusted_ca() {
    let xml = untrusted_pki()
        .signer()
        .sign(&unsigned_signed_delivery(""), SignatureAlgorithm::RsaSha256)
        .unwrap();
    let error = verify_signed(&xml).unwrap_err();
    assert!(
        matches!(
            error,
            VerifyError::Untrusted(TrustError::UnknownIssuer { depth: 0, .. })
        ),
        "{error:?}"
    );
}

#[test]
fn verify_rejects_swapped_key_info_certificate_from_the_same_ca() {
    let xml = signed("");
    let other = Certificate::from_pem(&pki().other_certificate_pem).unwrap();
    let start = xml.find("<X509Certificate>").unwrap() + "<X509Certificate>".len();
    let end = xml.find("</X509Certificate>").unwrap();
    let swapped = format!(
        "{}{}{}",
        &xml[..start],
        BASE64.encode(other.der()),
        &xml[end..]
    );
    let error = verify_signed(&swapped).unwrap_err();
    assert!(matches!(error, VerifyError::SignatureMismatch), "{error:?}");
}

#[test]
fn verify_rejects_signature_without_certificate() {
    let xml = signed("");
    let start = xml.find("<KeyInfo>").unwrap();
    let end = xml.find("</KeyInfo>").unwrap() + "</KeyInfo>".len();
    let stripped = format!("{}{}", &xml[..start], &xml[end..]);
    let error = verify_signed(&stripped).unwrap_err();
    assert!(
        matches!(error, VerifyError::MissingCertificate),
        "{error:?}"
    );
}

#[test]
fn verify_rejects_changed_content_and_changed_signature_value() {
    let xml = signed("");
    let error = verify_signed(&xml.replacen("198101052382", "198101052390", 1)).unwrap_err();
    assert!(
        matches!(error, VerifyError::DigestMismatch { .. }),
        "{error:?}"
    );
    let start = xml.find("<SignatureValue>").unwrap() + "<SignatureValue>".len();
    let changed = crate::samples::mutate_byte(&xml, start + 10);
    let error = verify_signed(&changed).unwrap_err();
    assert!(matches!(error, VerifyError::SignatureMismatch), "{error:?}");
}

#[test]
fn verify_rejects_object_element_in_signature() {
    let xml = signed("").replacen(
        "</Signature>",
        "<Object><SignedDelivery/></Object></Signature>",
        1,
    );
    let error = verify_signed(&xml).unwrap_err();
    assert!(
        matches!(error, VerifyError::MalformedSignature { .. }),
        "{error:?}"
    );
}

#[test]
fn verify_rejects_seal_saying_signatures_are_not_ok() {
    let signer = pki().signer();
    let signed = signed("");
    let sealed = signer
        .sign(
            &unsigned_sealed_delivery(&signed, "false"),
            SignatureAlgorithm::RsaSha256,
        )
        .unwrap();
    let error = verify_sealed(&sealed).unwrap_err();
    assert!(
        matches!(&error, VerifyError::SealNotOk { value } if value == "false"),
        "{error:?}"
    );
    verify_sealed(&sealed_delivery()).unwrap();
}

#[test]
fn verify_rejects_second_signed_delivery_in_a_seal() {
    let inner = signed("");
    let sealed = pki()
        .signer()
        .sign(
            &unsigned_sealed_delivery(&format!("{inner}{inner}"), "true"),
            SignatureAlgorithm::RsaSha256,
        )
        .unwrap();
    let error = verify_sealed(&sealed).unwrap_err();
    assert!(
        matches!(
            error,
            VerifyError::ChildCount {
                child: "SignedDelivery",
                count: 2,
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn verify_rejects_wrong_wrapper_element() {
    let xml = signed("");
    let document = kuvert_xmldsig::parse_document(&xml).unwrap();
    let verifier = pki().verifier(VerifyPolicy::default());
    let error = verifier
        .verify_sealed_delivery(document.root_element())
        .unwrap_err();
    assert!(
        matches!(error, VerifyError::UnexpectedElement { .. }),
        "{error:?}"
    );
}
