//! Unit tests of `SignatureData` parsing and the signed bytes.

use super::*;
use kuvert_core::operator::ServiceDomain;

fn fields() -> SignatureDataFields {
    SignatureDataFields {
        signature: STANDARD.encode([1_u8; 256]),
        certificate: STANDARD.encode([2_u8; 900]),
        nonce: Some("abc-DEF_123".to_owned()),
        encoding_of_signed_text: Some("UTF-8".to_owned()),
    }
}

#[test]
fn signed_bytes_are_text_then_line_feed_then_nonce() {
    assert_eq!(
        signed_bytes("Jag godkänner", "n1"),
        "Jag godkänner\nn1".as_bytes()
    );
    assert_eq!(signed_bytes("a\r\n", "n"), b"a\r\n\nn");
}

#[test]
fn from_fields_round_trips_through_to_fields() {
    let data = SignatureData::from_fields(&fields()).unwrap();
    assert_eq!(data.signature(), [1_u8; 256]);
    assert_eq!(data.nonce(), "abc-DEF_123");
    let again = SignatureData::from_fields(&data.to_fields()).unwrap();
    assert_eq!(again, data);
}

#[test]
fn from_fields_accepts_an_absent_encoding_as_utf8() {
    let mut input = fields();
    input.encoding_of_signed_text = None;
    assert!(SignatureData::from_fields(&input).is_ok());
}

#[test]
fn from_fields_rejects_other_encodings() {
    let mut input = fields();
    input.encoding_of_signed_text = Some("ISO-8859-1".to_owned());
    let error = SignatureData::from_fields(&input).unwrap_err();
    assert!(
        matches!(error, SignatureDataError::Encoding { .. }),
        "{error}"
    );
}

#[test]
fn from_fields_rejects_a_missing_or_odd_nonce() {
    let mut input = fields();
    input.nonce = None;
    assert!(matches!(
        SignatureData::from_fields(&input),
        Err(SignatureDataError::MissingNonce)
    ));
    input.nonce = Some("has space".to_owned());
    assert!(matches!(
        SignatureData::from_fields(&input),
        Err(SignatureDataError::NonceCharacters)
    ));
    input.nonce = Some("n".repeat(EID_NONCE_CHARS_MAX + 1));
    assert!(matches!(
        SignatureData::from_fields(&input),
        Err(SignatureDataError::Size { .. })
    ));
}

#[test]
fn from_fields_rejects_bad_base64_and_oversized_fields() {
    let mut input = fields();
    input.signature = "not*base64".to_owned();
    let error = SignatureData::from_fields(&input).unwrap_err();
    assert!(
        matches!(error, SignatureDataError::Base64 { field: "Signature" }),
        "{error}"
    );
    let mut input = fields();
    input.certificate = STANDARD.encode(vec![0_u8; EID_CERTIFICATE_BYTES_MAX + 1]);
    let error = SignatureData::from_fields(&input).unwrap_err();
    assert!(
        matches!(
            error,
            SignatureDataError::Size {
                field: "Certificate",
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn signing_key_rejects_pem_that_is_not_a_private_key() {
    let certificate_pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    assert!(matches!(
        EidSigningKey::from_pkcs8_pem(certificate_pem),
        Err(SignError::Key)
    ));
    assert!(matches!(
        EidSigningKey::from_pkcs8_der(&[0x30, 0x00]),
        Err(SignError::Key)
    ));
}

#[test]
fn sign_text_rejects_empty_text_and_oversized_text() {
    let key_pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
    let key = EidSigningKey::from_pkcs8_der(&key_pair.serialize_der()).unwrap();
    let certificate = [2_u8; 10];
    assert!(matches!(
        sign_text(&key, &certificate, "", "n"),
        Err(SignError::Input(_))
    ));
    let long = "x".repeat(EID_SIGNED_TEXT_BYTES_MAX + 1);
    assert!(matches!(
        sign_text(&key, &certificate, &long, "n"),
        Err(SignError::Input(_))
    ));
    let data = sign_text(&key, &certificate, "ok", "n").unwrap();
    assert_eq!(data.signature().len(), 256);
}

#[test]
fn new_nonce_is_43_url_safe_characters_and_fresh() {
    let (first, second) = (new_nonce(), new_nonce());
    assert_eq!(first.len(), 43);
    assert!(check_nonce(&first).is_ok());
    assert_ne!(first, second);
}

fn binding() -> SigningBinding {
    SigningBinding {
        action: BoundAction::Deregister,
        recipient: kuvert_core::id::RecipientId::parse("197203033456").unwrap(),
        operator_domain: ServiceDomain::parse("operator-a.kuvert.test").unwrap(),
        signed_at: time::macros::datetime!(2026-11-29 10:40:00 UTC),
    }
}

#[test]
fn a_bound_text_ends_with_the_bracket_the_person_reads_on_the_same_line() {
    let text = binding().bind("Jag vill avregistrera mig.");
    assert_eq!(
        text,
        "Jag vill avregistrera mig. [Åtgärd: avregistrering; Brevlådeinnehavare: \
         197203033456; Brevlådeoperatör: operator-a.kuvert.test; Signeringstid: \
         2026-11-29T10:40:00Z]"
    );
    assert!(!text.contains('\n'));
}

#[test]
fn split_gives_back_the_agreement_and_the_binding() {
    let agreement = "Villkor [1].\n\nStycke två; slut.";
    let text = binding().bind(agreement);
    let (read_agreement, read) = SigningBinding::split(&text).unwrap();
    assert_eq!(read_agreement, agreement);
    assert_eq!(read, binding());
    for action in [
        BoundAction::Register,
        BoundAction::ChangeOperator,
        BoundAction::Deregister,
        BoundAction::ReceptionRules,
    ] {
        let bound = SigningBinding {
            action,
            ..binding()
        };
        assert_eq!(SigningBinding::split(&bound.bind("x")).unwrap().1, bound);
    }
}

#[test]
fn split_refuses_texts_without_a_readable_binding() {
    #[track_caller]
    fn check(text: &str, expected: BindingError) {
        assert_eq!(SigningBinding::split(text).unwrap_err(), expected);
    }
    let good = binding().bind("Villkor.");
    check("Jag vill avregistrera mig.", BindingError::Missing);
    check(&good.replace("Åtgärd", "Action"), BindingError::Missing);
    check(&format!("{good}\n"), BindingError::Missing);
    check(
        &good.replace("; Signeringstid", ", Signeringstid"),
        BindingError::Missing,
    );
    check(
        &good.replace("avregistrering", "radering"),
        BindingError::Value { label: "Åtgärd" },
    );
    check(
        &good.replace("197203033456", "197203033457"),
        BindingError::Value {
            label: "Brevlådeinnehavare",
        },
    );
    check(
        &good.replace("2026-11-29T10:40:00Z", "i går"),
        BindingError::Value {
            label: "Signeringstid",
        },
    );
    check(
        &good.replace("operator-a.kuvert.test", ""),
        BindingError::Value {
            label: "Brevlådeoperatör",
        },
    );
    check(
        &good.replace("operator-a.kuvert.test", "localhost"),
        BindingError::Value {
            label: "Brevlådeoperatör",
        },
    );
}

#[test]
fn split_reads_the_operator_domain_in_any_case_as_the_lowercase_domain() {
    let text = binding()
        .bind("x")
        .replace("operator-a.kuvert.test", "Operator-A.Kuvert.test");
    assert_eq!(SigningBinding::split(&text).unwrap().1, binding());
}
