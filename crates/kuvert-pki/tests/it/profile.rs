//! Certificate profiles (PROTOCOL.md §8) and the chain to each CA.

use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use x509_parser::der_parser::Oid;
use x509_parser::extensions::GeneralName;
use x509_parser::oid_registry::{
    OID_PKCS1_SHA256WITHRSA, OID_X509_COMMON_NAME, OID_X509_COUNTRY_NAME, OID_X509_GIVEN_NAME,
    OID_X509_ORGANIZATION_NAME, OID_X509_SERIALNUMBER, OID_X509_SURNAME,
};
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::pki;

fn parse(der: &[u8]) -> X509Certificate<'_> {
    let (rest, certificate) = X509Certificate::from_der(der).unwrap();
    assert!(rest.is_empty());
    certificate
}

fn subject_attribute(certificate: &X509Certificate<'_>, oid: &Oid<'_>) -> String {
    let mut values = certificate
        .subject()
        .iter_attributes()
        .filter(|a| a.attr_type() == oid);
    let value = values.next().unwrap().as_str().unwrap().to_owned();
    assert!(values.next().is_none(), "one {oid} attribute");
    value
}

/// Checks that `issuer_der` issued and signed `leaf_der`.
#[track_caller]
fn check_signed_by(leaf_der: &[u8], issuer_der: &[u8]) {
    let leaf = parse(leaf_der);
    let issuer = parse(issuer_der);
    assert_eq!(leaf.issuer().as_raw(), issuer.subject().as_raw());
    assert_eq!(leaf.signature_algorithm.algorithm, OID_PKCS1_SHA256WITHRSA);
    let key = UnparsedPublicKey::new(
        &RSA_PKCS1_2048_8192_SHA256,
        issuer.public_key().subject_public_key.data.as_ref(),
    );
    key.verify(
        leaf.tbs_certificate.as_ref(),
        leaf.signature_value.data.as_ref(),
    )
    .unwrap();
}

#[test]
fn organisation_certificate_has_the_mm_subject_and_usages() {
    let credential = pki().organisation("kommun-a").unwrap();
    let certificate = parse(credential.certificate_der());
    assert_eq!(
        subject_attribute(&certificate, &OID_X509_SERIALNUMBER),
        "162021004748"
    );
    assert_eq!(
        subject_attribute(&certificate, &OID_X509_ORGANIZATION_NAME),
        "Kommun A"
    );
    assert_eq!(
        subject_attribute(&certificate, &OID_X509_COMMON_NAME),
        "mm.kommun-a.example"
    );
    assert_eq!(
        subject_attribute(&certificate, &OID_X509_COUNTRY_NAME),
        "SE"
    );

    let key_usage = certificate.key_usage().unwrap().unwrap().value;
    assert!(key_usage.digital_signature() && key_usage.key_encipherment());
    assert!(!key_usage.key_cert_sign());
    let extended = certificate.extended_key_usage().unwrap().unwrap().value;
    assert!(extended.server_auth && extended.client_auth);
    assert!(!certificate.is_ca());
    assert_eq!(certificate.public_key().parsed().unwrap().key_size(), 2048);
}

#[test]
fn organisation_certificate_serves_its_host_names_and_localhost() {
    let credential = pki().organisation("kommun-a").unwrap();
    let certificate = parse(credential.certificate_der());
    let names = certificate
        .subject_alternative_name()
        .unwrap()
        .unwrap()
        .value;
    let dns: Vec<_> = names
        .general_names
        .iter()
        .filter_map(|name| match name {
            GeneralName::DNSName(dns) => Some(*dns),
            _ => None,
        })
        .collect();
    assert_eq!(dns, ["mm.kommun-a.example", "localhost"]);
    assert!(
        names
            .general_names
            .contains(&GeneralName::IPAddress(&[127, 0, 0, 1]))
    );
}

#[test]
fn organisation_without_host_names_uses_its_name_as_common_name() {
    let certificate = parse(pki().organisation("registry").unwrap().certificate_der());
    assert_eq!(
        subject_attribute(&certificate, &OID_X509_COMMON_NAME),
        "Kuvert Registry"
    );
    assert_eq!(
        subject_attribute(&certificate, &OID_X509_SERIALNUMBER),
        "162021005448"
    );
}

#[test]
fn person_certificate_carries_personnummer_and_names() {
    let certificate = parse(pki().person("tolvan").unwrap().certificate_der());
    assert_eq!(
        subject_attribute(&certificate, &OID_X509_SERIALNUMBER),
        "191212121212"
    );
    assert_eq!(
        subject_attribute(&certificate, &OID_X509_GIVEN_NAME),
        "Tolvan"
    );
    assert_eq!(
        subject_attribute(&certificate, &OID_X509_SURNAME),
        "Tolvansson"
    );
    assert_eq!(
        subject_attribute(&certificate, &OID_X509_COMMON_NAME),
        "Tolvan Tolvansson"
    );
    assert_eq!(
        subject_attribute(&certificate, &OID_X509_COUNTRY_NAME),
        "SE"
    );
    let key_usage = certificate.key_usage().unwrap().unwrap().value;
    assert!(key_usage.digital_signature() && key_usage.non_repudiation());
    assert!(!key_usage.key_encipherment());
}

#[test]
fn leaves_are_signed_by_their_own_ca_only() {
    let pki = pki();
    let organisation_ca = pki.organisation_ca().certificate_der();
    let eid_ca = pki.eid_ca().certificate_der();
    for (_, credential) in pki.organisations() {
        check_signed_by(credential.certificate_der(), organisation_ca);
        assert_ne!(
            parse(credential.certificate_der()).issuer(),
            parse(eid_ca).subject()
        );
    }
    let person = pki.person("tolvan").unwrap().certificate_der();
    check_signed_by(person, eid_ca);
    let foreign = UnparsedPublicKey::new(
        &RSA_PKCS1_2048_8192_SHA256,
        parse(organisation_ca)
            .public_key()
            .subject_public_key
            .data
            .to_vec(),
    );
    let leaf = parse(person);
    let verified = foreign.verify(
        leaf.tbs_certificate.as_ref(),
        leaf.signature_value.data.as_ref(),
    );
    assert!(
        verified.is_err(),
        "the organisation CA did not sign a person certificate"
    );
}

#[test]
fn cas_are_self_signed_and_may_sign_leaves_only() {
    let pki = pki();
    for (ca, name) in [
        (pki.organisation_ca(), "Kuvert Test Organisation CA"),
        (pki.eid_ca(), "Kuvert Test e-ID CA"),
    ] {
        check_signed_by(ca.certificate_der(), ca.certificate_der());
        let certificate = parse(ca.certificate_der());
        assert_eq!(subject_attribute(&certificate, &OID_X509_COMMON_NAME), name);
        let constraints = certificate.basic_constraints().unwrap().unwrap().value;
        assert!(constraints.ca);
        assert_eq!(constraints.path_len_constraint, Some(0));
        assert!(
            certificate
                .key_usage()
                .unwrap()
                .unwrap()
                .value
                .key_cert_sign()
        );
    }
}

#[test]
fn certificates_are_valid_from_two_days_ago_for_two_years() {
    let certificate = parse(pki().organisation("kommun-a").unwrap().certificate_der());
    let now = time::OffsetDateTime::now_utc();
    let not_before = certificate.validity().not_before.to_datetime();
    let not_after = certificate.validity().not_after.to_datetime();
    assert!(not_before < now - time::Duration::hours(47));
    assert!(not_before > now - time::Duration::hours(49));
    assert!(not_after > now + time::Duration::days(729));
    assert!(not_after < now + time::Duration::days(731));
}
