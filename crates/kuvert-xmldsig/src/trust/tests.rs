//! Unit tests for certificate parsing and chain building, on certificates made by rcgen.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use time::OffsetDateTime;

use super::{TrustAnchors, TrustError};
use crate::certificate::{Certificate, CertificateError};

struct Made {
    certificate: Certificate,
    params: CertificateParams,
    key: KeyPair,
}

fn params(common_name: &str, serial_number: Option<&str>, is_ca: bool) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params.distinguished_name.push(DnType::CountryName, "SE");
    if let Some(serial) = serial_number {
        params
            .distinguished_name
            .push(DnType::CustomDnType(vec![2, 5, 4, 5]), serial);
    }
    if is_ca {
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    }
    params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    params.not_after = rcgen::date_time_ymd(2030, 1, 1);
    params
}

fn self_signed(params: CertificateParams) -> Made {
    let key = KeyPair::generate().unwrap();
    let made = params.self_signed(&key).unwrap();
    let certificate = Certificate::from_der(made.der()).unwrap();
    Made {
        certificate,
        params,
        key,
    }
}

fn issued_by(params: CertificateParams, issuer: &Made) -> Made {
    let key = KeyPair::generate().unwrap();
    let issuer_view = Issuer::from_params(&issuer.params, &issuer.key);
    let made = params.signed_by(&key, &issuer_view).unwrap();
    let certificate = Certificate::from_der(made.der()).unwrap();
    Made {
        certificate,
        params,
        key,
    }
}

fn at_2025() -> OffsetDateTime {
    rcgen::date_time_ymd(2025, 6, 1)
}

fn anchors(made: &Made) -> TrustAnchors {
    TrustAnchors::from_certificates(vec![made.certificate.clone()]).unwrap()
}

#[test]
fn organisation_number_is_read_from_subject_serial_number() {
    let made = self_signed(params("Kommun A", Some("162021004748"), false));
    let number = made.certificate.organisation_number().unwrap();
    assert_eq!(number.as_str(), "2021004748");
    assert_eq!(made.certificate.common_name().as_deref(), Some("Kommun A"));
    assert_eq!(
        made.certificate.subject_serial_number().as_deref(),
        Some("162021004748")
    );
}

#[test]
fn organisation_number_requires_the_16_prefix() {
    let made = self_signed(params("Kommun A", Some("2021004748"), false));
    let error = made.certificate.organisation_number().unwrap_err();
    assert!(
        matches!(error, CertificateError::NotOrganisationNumber(None)),
        "{error:?}"
    );
}

#[test]
fn organisation_number_is_missing_without_serial_number() {
    let made = self_signed(params("Kommun A", None, false));
    let error = made.certificate.organisation_number().unwrap_err();
    assert!(
        matches!(error, CertificateError::MissingSerialNumber),
        "{error:?}"
    );
}

#[test]
fn personal_identity_number_is_read_from_e_id_certificate() {
    let made = self_signed(params("Tolvan Tolvansson", Some("191212121212"), false));
    let number = made.certificate.personal_identity_number().unwrap();
    assert_eq!(number.as_str(), "191212121212");
    assert!(made.certificate.organisation_number().is_err());
}

#[test]
fn from_pem_rejects_two_certificates_and_text_without_one() {
    let first = self_signed(params("A", None, false));
    let second = self_signed(params("B", None, false));
    let pem_of = |made: &Made| pem::encode(&pem::Pem::new("CERTIFICATE", made.certificate.der()));
    let both = format!("{}{}", pem_of(&first), pem_of(&second));
    let error = Certificate::from_pem(&both).unwrap_err();
    assert!(matches!(
        error,
        CertificateError::SeveralCertificatesInPem { count: 2 }
    ));
    let error = Certificate::from_pem("").unwrap_err();
    assert!(
        matches!(error, CertificateError::NoCertificateInPem),
        "{error:?}"
    );
    assert_eq!(
        Certificate::from_pem(&pem_of(&first)).unwrap(),
        first.certificate
    );
    assert_eq!(TrustAnchors::from_pem(&both).unwrap().anchors().len(), 2);
}

#[test]
fn from_der_rejects_trailing_bytes() {
    let made = self_signed(params("A", None, false));
    let mut der = made.certificate.der().to_vec();
    der.push(0);
    let error = Certificate::from_der(&der).unwrap_err();
    assert!(matches!(
        error,
        CertificateError::TrailingData { trailing_bytes: 1 }
    ));
}

#[test]
fn verify_accepts_leaf_issued_by_anchor() {
    let root = self_signed(params("Root", None, true));
    let leaf = issued_by(params("Leaf", Some("162021004748"), false), &root);
    anchors(&root)
        .verify(&leaf.certificate, &[], at_2025())
        .unwrap();
}

#[test]
fn verify_accepts_leaf_through_intermediate() {
    let root = self_signed(params("Root", None, true));
    let intermediate = issued_by(params("Intermediate", None, true), &root);
    let leaf = issued_by(params("Leaf", None, false), &intermediate);
    let chain = [intermediate.certificate.clone()];
    anchors(&root)
        .verify(&leaf.certificate, &chain, at_2025())
        .unwrap();
    let error = anchors(&root)
        .verify(&leaf.certificate, &[], at_2025())
        .unwrap_err();
    assert!(
        matches!(error, TrustError::UnknownIssuer { depth: 0, .. }),
        "{error:?}"
    );
}

#[test]
fn verify_accepts_pinned_self_signed_leaf() {
    let leaf = self_signed(params("Kivra test", Some("165568402266"), false));
    anchors(&leaf)
        .verify(&leaf.certificate, &[], at_2025())
        .unwrap();
}

#[test]
fn verify_rejects_expired_and_not_yet_valid_leaf() {
    let root = self_signed(params("Root", None, true));
    let leaf = issued_by(params("Leaf", None, false), &root);
    let late = rcgen::date_time_ymd(2031, 1, 1);
    let error = anchors(&root)
        .verify(&leaf.certificate, &[], late)
        .unwrap_err();
    assert!(
        matches!(error, TrustError::Expired { depth: 0, .. }),
        "{error:?}"
    );
    let early = rcgen::date_time_ymd(2019, 1, 1);
    let error = anchors(&root)
        .verify(&leaf.certificate, &[], early)
        .unwrap_err();
    assert!(
        matches!(error, TrustError::NotYetValid { depth: 0, .. }),
        "{error:?}"
    );
}

#[test]
fn verify_rejects_leaf_of_another_root() {
    let root = self_signed(params("Root", None, true));
    let other_root = self_signed(params("Other root", None, true));
    let leaf = issued_by(params("Leaf", None, false), &other_root);
    let error = anchors(&root)
        .verify(&leaf.certificate, &[], at_2025())
        .unwrap_err();
    assert!(
        matches!(error, TrustError::UnknownIssuer { depth: 0, .. }),
        "{error:?}"
    );
}

#[test]
fn verify_rejects_forged_root_with_same_name() {
    let root = self_signed(params("Root", None, true));
    let forged_root = self_signed(params("Root", None, true));
    let leaf = issued_by(params("Leaf", None, false), &forged_root);
    let error = anchors(&root)
        .verify(&leaf.certificate, &[], at_2025())
        .unwrap_err();
    assert!(
        matches!(error, TrustError::BadSignature { depth: 0 }),
        "{error:?}"
    );
}

#[test]
fn verify_rejects_issuer_without_ca_flag() {
    let root = self_signed(params("Root", None, false));
    let leaf = issued_by(params("Leaf", None, false), &root);
    let error = anchors(&root)
        .verify(&leaf.certificate, &[], at_2025())
        .unwrap_err();
    assert!(
        matches!(error, TrustError::IssuerNotCa { depth: 0 }),
        "{error:?}"
    );
}

#[test]
fn verify_checks_rsa_signed_chain() {
    let root_key = KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
    let root_params = params("RSA root", None, true);
    let root_der = root_params.self_signed(&root_key).unwrap();
    let root = Made {
        certificate: Certificate::from_der(root_der.der()).unwrap(),
        params: root_params,
        key: root_key,
    };
    let leaf = issued_by(params("Leaf", None, false), &root);
    anchors(&root)
        .verify(&leaf.certificate, &[], at_2025())
        .unwrap();
}

#[test]
fn from_certificates_rejects_empty_anchor_set() {
    let error = TrustAnchors::from_certificates(Vec::new()).unwrap_err();
    assert!(matches!(error, TrustError::NoAnchors), "{error:?}");
}
