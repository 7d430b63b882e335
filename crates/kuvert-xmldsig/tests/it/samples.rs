//! The four real signed Mina meddelanden samples (PROTOCOL.md §9.5) verify, and any
//! single-byte change to signed content, `DigestValue` or `SignatureValue`, or a swapped
//! certificate, makes them fail. Each sample is trusted through its own embedded
//! certificates (test certificates whose CAs are not public), at an instant inside their
//! validity.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use kuvert_xmldsig::certificate::Certificate;
use kuvert_xmldsig::trust::TrustAnchors;
use kuvert_xmldsig::{SignatureAlgorithm, Verifier, VerifyError, VerifyPolicy};
use time::OffsetDateTime;
use time::macros::datetime;

const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";

/// One real sample and how it is verified.
pub(crate) struct Sample {
    pub(crate) path: &'static str,
    pub(crate) is_sealed: bool,
    pub(crate) now: OffsetDateTime,
}

pub(crate) const LINUS_SEALED: Sample = Sample {
    path: "linusalnervik-SE.GOV.MM.Integration/SE.GOV.MM.Integration/\
           SE.GOV.MM.Integration.NUnit/TestSets/SealedDeliveryWithSignature.xml",
    is_sealed: true,
    now: datetime!(2020-06-01 0:00 UTC),
};
pub(crate) const LINUS_SIGNED: Sample = Sample {
    path: "linusalnervik-SE.GOV.MM.Integration/SE.GOV.MM.Integration/\
           SE.GOV.MM.Integration.NUnit/TestSets/SignedDeliveryWithSignature.xml",
    is_sealed: false,
    now: datetime!(2020-06-01 0:00 UTC),
};
pub(crate) const KIVRA: Sample = Sample {
    path: "kivra-ews/extracted/deliverSecure_signed_sealed_kivra_test.xml",
    is_sealed: true,
    now: datetime!(2024-01-01 0:00 UTC),
};
pub(crate) const PYMMCLIENT_V1: Sample = Sample {
    path: "SUNET-pymmclient/pymmclient/test/data/seal_out.xml",
    is_sealed: true,
    now: datetime!(2014-01-01 0:00 UTC),
};

impl Sample {
    /// The sample's text, or `None` after saying why the test skips when the contracts'
    /// folder (`kuvert_testenv::mm_schemas`) is missing.
    pub(crate) fn xml(&self) -> Option<String> {
        let purpose = format!("signatures of the real sample {}", self.path);
        let samples = kuvert_testenv::mm_schemas(&purpose)?;
        Some(std::fs::read_to_string(samples.join(self.path)).unwrap())
    }

    pub(crate) fn policy(&self) -> VerifyPolicy {
        VerifyPolicy {
            is_sha1_allowed: true,
            now: self.now,
        }
    }
}

/// Trust anchors made of every certificate embedded in `xml` (the samples' self-trust).
pub(crate) fn embedded_anchors(xml: &str) -> TrustAnchors {
    let document = roxmltree::Document::parse(xml).unwrap();
    let certificates = document
        .descendants()
        .filter(|node| node.has_tag_name((DSIG, "X509Certificate")))
        .map(|node| {
            let text: String = node.text().unwrap().split_whitespace().collect();
            Certificate::from_der(&BASE64.decode(text).unwrap()).unwrap()
        })
        .collect();
    TrustAnchors::from_certificates(certificates).unwrap()
}

/// What verification of a sample found: (sealer, sender) algorithms and org numbers.
type Outcome = Vec<(SignatureAlgorithm, String, bool)>;

/// Verifies `xml` as `sample` is verified, with `anchors`.
pub(crate) fn verify(
    sample: &Sample,
    xml: &str,
    anchors: TrustAnchors,
) -> Result<Outcome, VerifyError> {
    let document = kuvert_xmldsig::parse_document(xml).unwrap();
    let verifier = Verifier::new(anchors, sample.policy());
    // The signed element is the first one in document order with a direct ds:Signature child.
    let signed = document
        .descendants()
        .find(|node| {
            node.children()
                .any(|child| child.has_tag_name((DSIG, "Signature")))
        })
        .unwrap();
    let describe = |verified: kuvert_xmldsig::VerifiedSignature| {
        let number = verified.organisation_number().unwrap().as_str().to_owned();
        (verified.algorithm, number, verified.is_whitespace_ignored)
    };
    if sample.is_sealed {
        let seal = verifier.verify_sealed_delivery(signed)?;
        assert!(seal.signed_delivery().has_tag_name("SignedDelivery"));
        Ok(vec![describe(seal.sealer), describe(seal.sender)])
    } else {
        Ok(vec![describe(verifier.verify_signed_delivery(signed)?)])
    }
}

fn verify_unchanged(sample: &Sample) -> Option<Outcome> {
    let xml = sample.xml()?;
    Some(verify(sample, &xml, embedded_anchors(&xml)).unwrap())
}

#[test]
fn linus_sealed_delivery_verifies_both_signatures_with_sha256() {
    let Some(outcome) = verify_unchanged(&LINUS_SEALED) else {
        return;
    };
    let expected = (
        SignatureAlgorithm::RsaSha256,
        "2021004748".to_owned(),
        false,
    );
    assert_eq!(outcome, vec![expected.clone(), expected]);
}

#[test]
fn kivra_prefixed_soap_deliver_secure_verifies_with_sha1() {
    let Some(outcome) = verify_unchanged(&KIVRA) else {
        return;
    };
    let expected = (SignatureAlgorithm::RsaSha1, "5568402266".to_owned(), false);
    assert_eq!(outcome, vec![expected.clone(), expected]);
}

#[test]
fn pymmclient_v1_seal_with_arg0_wrapper_verifies_with_sha1() {
    let Some(outcome) = verify_unchanged(&PYMMCLIENT_V1) else {
        return;
    };
    let expected = (SignatureAlgorithm::RsaSha1, "2021003898".to_owned(), false);
    assert_eq!(outcome, vec![expected.clone(), expected]);
}

#[test]
fn linus_signed_delivery_verifies_only_without_whitespace_text() {
    let Some(outcome) = verify_unchanged(&LINUS_SIGNED) else {
        return;
    };
    assert_eq!(
        outcome,
        vec![(SignatureAlgorithm::RsaSha256, "2021004748".to_owned(), true)]
    );
}

#[test]
fn samples_fail_after_expiry_of_their_certificates() {
    for sample in [&LINUS_SEALED, &KIVRA, &PYMMCLIENT_V1, &LINUS_SIGNED] {
        let Some(xml) = sample.xml() else {
            return;
        };
        let late = Sample {
            path: sample.path,
            is_sealed: sample.is_sealed,
            now: datetime!(2040-01-01 0:00 UTC),
        };
        let error = verify(&late, &xml, embedded_anchors(&xml)).unwrap_err();
        assert!(
            matches!(error, VerifyError::Untrusted(_)),
            "{}: {error:?}",
            sample.path
        );
    }
}

/// Byte offsets in `xml` of characters worth mutating: ASCII letters and digits inside the
/// text of elements named `local` (any namespace), every `stride`-th one.
fn text_offsets(xml: &str, local: &str, stride: usize) -> Vec<usize> {
    let document = roxmltree::Document::parse(xml).unwrap();
    let mut offsets = Vec::new();
    for node in document.descendants().filter(|node| node.is_text()) {
        let parent = node.parent().unwrap();
        if local != "*" && parent.tag_name().name() != local {
            continue;
        }
        let in_signature = node
            .ancestors()
            .any(|ancestor| ancestor.has_tag_name((DSIG, "Signature")));
        if local == "*" && in_signature {
            continue;
        }
        let range = node.range();
        let text = &xml[range.clone()];
        offsets.extend(
            text.char_indices()
                .filter(|(_, character)| character.is_ascii_alphanumeric())
                .map(|(idx, _)| range.start + idx)
                .step_by(stride),
        );
    }
    offsets
}

/// `xml` with the ASCII alphanumeric character at `offset` replaced by a different one.
pub(crate) fn mutate_byte(xml: &str, offset: usize) -> String {
    let mut bytes = xml.as_bytes().to_vec();
    bytes[offset] = match bytes[offset] {
        b'A' => b'B',
        b'0' => b'1',
        b'a' => b'b',
        _ => b'A',
    };
    String::from_utf8(bytes).unwrap()
}

/// Checks every mutation of `sample`; `false` when the sample is missing (the test skips).
#[track_caller]
fn check_every_mutation_fails(sample: &Sample, local: &str, stride: usize, n_min: usize) -> bool {
    let Some(xml) = sample.xml() else {
        return false;
    };
    let offsets = text_offsets(&xml, local, stride);
    assert!(
        offsets.len() >= n_min,
        "{}: only {} offsets in {local}",
        sample.path,
        offsets.len()
    );
    for offset in offsets {
        let mutated = mutate_byte(&xml, offset);
        let result = verify(sample, &mutated, embedded_anchors(&xml));
        assert!(
            result.is_err(),
            "{}: change at byte {offset} in {local} verified",
            sample.path
        );
    }
    true
}

#[test]
fn any_byte_change_in_signed_content_fails_every_sample() {
    for sample in [&LINUS_SEALED, &KIVRA, &PYMMCLIENT_V1, &LINUS_SIGNED] {
        if !check_every_mutation_fails(sample, "*", 97, 10) {
            return;
        }
    }
}

#[test]
fn any_byte_change_in_digest_value_fails_every_sample() {
    for sample in [&LINUS_SEALED, &KIVRA, &PYMMCLIENT_V1, &LINUS_SIGNED] {
        if !check_every_mutation_fails(sample, "DigestValue", 1, 20) {
            return;
        }
    }
}

#[test]
fn any_byte_change_in_signature_value_fails_every_sample() {
    for sample in [&LINUS_SEALED, &KIVRA, &PYMMCLIENT_V1, &LINUS_SIGNED] {
        if !check_every_mutation_fails(sample, "SignatureValue", 7, 20) {
            return;
        }
    }
}

#[test]
fn swapped_certificate_fails_every_sample() {
    // Kivra's certificate in Linus's samples and the other way round: both trusted, wrong key.
    let (Some(kivra_xml), Some(linus_xml)) = (KIVRA.xml(), LINUS_SEALED.xml()) else {
        return;
    };
    for sample in [&LINUS_SEALED, &PYMMCLIENT_V1, &LINUS_SIGNED, &KIVRA] {
        let Some(xml) = sample.xml() else {
            return;
        };
        let donor = if sample.path == KIVRA.path {
            linus_xml.clone()
        } else {
            kivra_xml.clone()
        };
        let swapped = swap_first_certificate(&xml, &donor);
        let mut anchors = anchors_of(&xml);
        anchors.extend(anchors_of(&donor));
        let both = TrustAnchors::from_certificates(anchors).unwrap();
        let policy_now = Sample {
            path: sample.path,
            is_sealed: sample.is_sealed,
            now: sample.now,
        };
        let result = verify(&policy_now, &swapped, both);
        assert!(
            result.is_err(),
            "{}: verified with a swapped certificate",
            sample.path
        );
    }
}

fn anchors_of(xml: &str) -> Vec<Certificate> {
    embedded_anchors(xml).anchors().to_vec()
}

/// `xml` with the text of its first `X509Certificate` replaced by `donor`'s first one.
pub(crate) fn swap_first_certificate(xml: &str, donor: &str) -> String {
    let text_range = |xml: &str| {
        let start = xml.find("X509Certificate>").unwrap() + "X509Certificate>".len();
        let end = start + xml[start..].find('<').unwrap();
        start..end
    };
    let range = text_range(xml);
    let donor_text = &donor[text_range(donor)];
    format!("{}{}{}", &xml[..range.start], donor_text, &xml[range.end..])
}

#[test]
fn verifier_at_judges_expiry_at_the_given_instant() {
    let Some(xml) = LINUS_SEALED.xml() else {
        return;
    };
    let document = kuvert_xmldsig::parse_document(&xml).unwrap();
    let late = VerifyPolicy {
        is_sha1_allowed: true,
        now: datetime!(2040-01-01 0:00 UTC),
    };
    let verifier = Verifier::new(embedded_anchors(&xml), late);
    let root = document.root_element();
    let error = verifier.verify_sealed_delivery(root).unwrap_err();
    assert!(matches!(error, VerifyError::Untrusted(_)), "{error:?}");
    let in_time = verifier.at(LINUS_SEALED.now);
    assert_eq!(in_time.policy().now, LINUS_SEALED.now);
    in_time.verify_sealed_delivery(root).unwrap();
}
