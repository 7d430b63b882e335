//! Certificate checks after the chain, on deliveries signed with kuvert-pki certificates:
//! key usage (a signer without digitalSignature), revocation by CRL (a revoked sender, a
//! revoked sealer, a stale CRL under both policies, no CRL at all), CRLs that may not count
//! (a look-alike CA's, an older one) — each refusal naming the signature and the check.

use std::sync::OnceLock;

use kuvert_core::id::OrganisationNumber;
use kuvert_pki::{
    Credential, CrlValidity, LeafOptions, LeafUsage, OrganisationSpec, PkiSpec, TestPki,
};
use kuvert_xmldsig::certificate::Certificate;
use kuvert_xmldsig::revocation::{
    Crl, CrlError, CrlSet, CrlUpdate, RevocationError, StaleCrlPolicy,
};
use kuvert_xmldsig::trust::TrustAnchors;
use kuvert_xmldsig::usage::{Usage, UsageError};
use kuvert_xmldsig::{
    CertificateRefusal, SignatureAlgorithm, Signer, SignerRole, Verifier, VerifyError, VerifyPolicy,
};
use time::{Duration, OffsetDateTime};

use crate::roundtrip::{unsigned_sealed_delivery, unsigned_signed_delivery};

/// The organisations of these tests and their flawed extra certificates.
struct Fixture {
    pki: TestPki,
    look_alike: TestPki,
    without_digital_signature: Credential,
    server_auth_only: Credential,
}

fn organisation(key: &str, number: &str) -> OrganisationSpec {
    OrganisationSpec {
        key: key.to_owned(),
        name: format!("Org {key}"),
        number: OrganisationNumber::parse(number).unwrap(),
        host_names: vec![],
    }
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let spec = PkiSpec {
            organisations: vec![
                organisation("sender", "2021004748"),
                organisation("intermediary", "5566778899"),
            ],
            persons: vec![],
        };
        let pki = TestPki::generate(&spec).unwrap();
        let flawed = |usage| {
            let options = LeafOptions {
                usage,
                validity: None,
            };
            let spec = organisation("flawed", "2021004748");
            pki.issue_organisation(&spec, &options).unwrap()
        };
        Fixture {
            without_digital_signature: flawed(LeafUsage::WithoutDigitalSignature),
            server_auth_only: flawed(LeafUsage::ServerAuthOnly),
            look_alike: TestPki::generate(&PkiSpec::default()).unwrap(),
            pki,
        }
    })
}

fn sender() -> &'static Credential {
    fixture().pki.organisation("sender").unwrap()
}

fn intermediary() -> &'static Credential {
    fixture().pki.organisation("intermediary").unwrap()
}

fn signer(credential: &Credential) -> Signer {
    use secrecy::ExposeSecret;
    Signer::from_pkcs8_pem(
        credential.key_pem().expose_secret(),
        credential.certificate_pem(),
    )
    .unwrap()
}

/// A delivery signed by `sender` and sealed by `sealer`.
fn sealed_by(sender: &Credential, sealer: &Credential) -> String {
    let signed = signer(sender)
        .sign(&unsigned_signed_delivery(""), SignatureAlgorithm::RsaSha256)
        .unwrap();
    signer(sealer)
        .sign(
            &unsigned_sealed_delivery(&signed, "true"),
            SignatureAlgorithm::RsaSha256,
        )
        .unwrap()
}

fn anchors() -> TrustAnchors {
    TrustAnchors::from_pem(fixture().pki.organisation_ca_pem()).unwrap()
}

fn fresh() -> CrlValidity {
    CrlValidity::from_now(Duration::days(1))
}

fn stale() -> CrlValidity {
    let now = OffsetDateTime::now_utc();
    CrlValidity {
        this_update: now - Duration::days(2),
        next_update: now - Duration::days(1),
    }
}

/// One CRL of the organisation CA revoking `revoked`.
fn crl(revoked: &[&Credential], validity: CrlValidity) -> Crl {
    let serials: Vec<_> = revoked
        .iter()
        .map(|credential| credential.serial())
        .collect();
    let pem = fixture()
        .pki
        .organisation_crl_pem(&serials, validity)
        .unwrap();
    Crl::all_from_pem(&pem, &anchors()).unwrap().remove(0)
}

fn crls(revoked: &[&Credential], validity: CrlValidity, policy: StaleCrlPolicy) -> CrlSet {
    let set = CrlSet::new(policy);
    set.insert(crl(revoked, validity));
    set
}

fn verify(xml: &str, crls: Option<CrlSet>) -> Result<Vec<Option<RevocationError>>, VerifyError> {
    let document = kuvert_xmldsig::parse_document(xml).unwrap();
    let mut verifier = Verifier::new(anchors(), VerifyPolicy::default());
    if let Some(crls) = crls {
        verifier = verifier.with_crls(crls);
    }
    let verified = verifier.verify_sealed_delivery(document.root_element())?;
    Ok(vec![
        verified.sealer.revocation_warning,
        verified.sender.revocation_warning,
    ])
}

fn refusal(error: VerifyError) -> (SignerRole, CertificateRefusal, String) {
    let message = error.to_string();
    match error {
        VerifyError::CertificateRefused { role, reason } => (role, reason, message),
        other => panic!("expected a certificate refusal, got {other:?}"),
    }
}

#[test]
fn a_fresh_crl_without_the_signers_accepts_without_warnings() {
    let set = crls(&[], fresh(), StaleCrlPolicy::Refuse);
    let warnings = verify(&sealed_by(sender(), intermediary()), Some(set)).unwrap();
    assert_eq!(warnings, vec![None, None]);
}

#[test]
fn a_revoked_sender_certificate_is_refused_naming_the_sender() {
    let set = crls(&[sender()], fresh(), StaleCrlPolicy::Refuse);
    let error = verify(&sealed_by(sender(), intermediary()), Some(set)).unwrap_err();
    let (role, reason, message) = refusal(error);
    assert_eq!(role, SignerRole::Sender);
    let serial = Certificate::from_pem(sender().certificate_pem())
        .unwrap()
        .serial_hex();
    assert!(
        matches!(&reason, CertificateRefusal::Revocation(RevocationError::Revoked {
            serial: found, ..
        }) if *found == serial),
        "{reason:?}"
    );
    assert!(
        message.starts_with("sender certificate is revoked (serial"),
        "{message}"
    );
}

#[test]
fn a_revoked_seal_certificate_is_refused_naming_the_seal() {
    let set = crls(&[intermediary()], fresh(), StaleCrlPolicy::Refuse);
    let error = verify(&sealed_by(sender(), intermediary()), Some(set)).unwrap_err();
    let (role, _, message) = refusal(error);
    assert_eq!(role, SignerRole::Seal);
    assert!(
        message.starts_with("seal certificate is revoked"),
        "{message}"
    );
}

#[test]
fn a_stale_crl_follows_the_policy() {
    let xml = sealed_by(sender(), intermediary());
    let error = verify(&xml, Some(crls(&[], stale(), StaleCrlPolicy::Refuse))).unwrap_err();
    let (_, reason, message) = refusal(error);
    assert!(
        matches!(
            reason,
            CertificateRefusal::Revocation(RevocationError::Stale { .. })
        ),
        "{reason:?}"
    );
    assert!(message.contains("is stale"), "{message}");

    let accepting = crls(&[], stale(), StaleCrlPolicy::AcceptWithWarning);
    let warnings = verify(&xml, Some(accepting)).unwrap();
    assert!(
        warnings
            .iter()
            .all(|warning| matches!(warning, Some(RevocationError::Stale { .. }))),
        "{warnings:?}"
    );

    // A stale CRL that lists the certificate still revokes it.
    let listing = crls(&[sender()], stale(), StaleCrlPolicy::AcceptWithWarning);
    let (role, _, _) = refusal(verify(&xml, Some(listing)).unwrap_err());
    assert_eq!(role, SignerRole::Sender);
}

#[test]
fn no_crl_of_the_issuer_is_an_unknown_status() {
    let empty = CrlSet::new(StaleCrlPolicy::Refuse);
    let error = verify(&sealed_by(sender(), intermediary()), Some(empty)).unwrap_err();
    let (role, reason, _) = refusal(error);
    assert_eq!(role, SignerRole::Seal);
    assert!(
        matches!(
            reason,
            CertificateRefusal::Revocation(RevocationError::NoCrl { .. })
        ),
        "{reason:?}"
    );
}

#[test]
fn a_certificate_without_digital_signature_may_neither_sign_nor_seal() {
    let flawed = &fixture().without_digital_signature;
    let error = verify(&sealed_by(flawed, intermediary()), None).unwrap_err();
    let (role, reason, message) = refusal(error);
    assert_eq!(role, SignerRole::Sender);
    assert_eq!(
        reason,
        CertificateRefusal::Usage(UsageError::NoDigitalSignature)
    );
    assert_eq!(
        message,
        "sender certificate key usage lacks digitalSignature"
    );

    let error = verify(&sealed_by(sender(), flawed), None).unwrap_err();
    let (role, _, message) = refusal(error);
    assert_eq!(role, SignerRole::Seal);
    assert_eq!(message, "seal certificate key usage lacks digitalSignature");
}

#[test]
fn usage_rules_per_use() {
    let certificate =
        |credential: &Credential| Certificate::from_pem(credential.certificate_pem()).unwrap();
    let profile = certificate(sender());
    for usage in [Usage::Signing, Usage::TlsClient, Usage::TlsServer] {
        assert_eq!(profile.check_usage(usage), Ok(()), "{usage}");
    }
    // serverAuth only: may sign (organisation certificates sign whatever TLS purposes they
    // list) and serve TLS, but not be a TLS client.
    let server_only = certificate(&fixture().server_auth_only);
    assert_eq!(server_only.check_usage(Usage::Signing), Ok(()));
    assert_eq!(server_only.check_usage(Usage::TlsServer), Ok(()));
    assert_eq!(
        server_only.check_usage(Usage::TlsClient),
        Err(UsageError::MissingExtendedKeyUsage {
            required: "clientAuth"
        })
    );
    let flawed = certificate(&fixture().without_digital_signature);
    assert_eq!(
        flawed.check_usage(Usage::TlsClient),
        Err(UsageError::MissingExtendedKeyUsage {
            required: "clientAuth"
        })
    );
    assert_eq!(
        flawed.check_usage(Usage::TlsServer),
        Err(UsageError::NoDigitalSignature)
    );
    // A server-only certificate signs fine: the delivery verifies.
    verify(
        &sealed_by(&fixture().server_auth_only, intermediary()),
        None,
    )
    .unwrap();
}

#[test]
fn a_crl_signed_by_a_look_alike_ca_is_refused() {
    let rogue = fixture()
        .look_alike
        .organisation_crl_pem(&[], fresh())
        .unwrap();
    let error = Crl::all_from_pem(&rogue, &anchors()).unwrap_err();
    assert!(matches!(error, CrlError::BadSignature { .. }), "{error:?}");
    let other_anchors = TrustAnchors::from_pem(fixture().pki.eid_ca_pem()).unwrap();
    let own = fixture().pki.organisation_crl_pem(&[], fresh()).unwrap();
    let error = Crl::all_from_pem(&own, &other_anchors).unwrap_err();
    assert!(matches!(error, CrlError::UnknownIssuer { .. }), "{error:?}");
}

#[test]
fn an_older_crl_does_not_replace_a_newer_one() {
    let set = CrlSet::new(StaleCrlPolicy::Refuse);
    assert_eq!(set.insert(crl(&[sender()], fresh())), CrlUpdate::Added);
    let now = OffsetDateTime::now_utc();
    let older = CrlValidity {
        this_update: now - Duration::days(3),
        next_update: now + Duration::days(1),
    };
    assert_eq!(set.insert(crl(&[], older)), CrlUpdate::KeptNewer);
    let leaf = Certificate::from_pem(sender().certificate_pem()).unwrap();
    assert!(matches!(
        set.check(&leaf, now),
        Err(RevocationError::Revoked { .. })
    ));
}
