//! A throwaway e-ID PKI made with rcgen: an e-ID CA and person certificates with
//! `serialNumber=<personnummer>`, as the real e-ID CAs issue them (PROTOCOL.md §8).

use kuvert_eid::provider::PersonCredential;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, DnValue, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    PKCS_RSA_SHA256,
};
use secrecy::SecretString;
use time::{Duration, OffsetDateTime};

/// An RSA-2048 key pair.
pub(crate) fn rsa_key() -> KeyPair {
    KeyPair::generate_for(&PKCS_RSA_SHA256).unwrap()
}

/// An e-ID CA: its PEM for `TrustAnchors` and its issuer for person certificates.
pub(crate) struct TestCa {
    pub(crate) pem: String,
    issuer: Issuer<'static, KeyPair>,
}

impl TestCa {
    pub(crate) fn new(name: &str) -> Self {
        let key = rsa_key();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params
            .distinguished_name
            .push(DnType::OrganizationName, "Kuvert test");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let certificate = params.self_signed(&key).unwrap();
        Self {
            pem: certificate.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// A person certificate valid from a day ago until `not_after`.
    pub(crate) fn person(
        &self,
        number: &str,
        given_name: &str,
        surname: &str,
        not_after: OffsetDateTime,
    ) -> PersonCredential {
        let key = rsa_key();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        let dn = &mut params.distinguished_name;
        dn.push(
            DnType::CustomDnType(vec![2, 5, 4, 5]),
            DnValue::PrintableString(number.try_into().unwrap()),
        );
        dn.push(DnType::CustomDnType(vec![2, 5, 4, 42]), given_name);
        dn.push(DnType::CustomDnType(vec![2, 5, 4, 4]), surname);
        dn.push(DnType::CommonName, format!("{given_name} {surname}"));
        dn.push(DnType::CountryName, "SE");
        params.not_before = OffsetDateTime::now_utc() - Duration::days(1);
        params.not_after = not_after;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::ContentCommitment,
        ];
        let certificate = params.signed_by(&key, &self.issuer).unwrap();
        // Through PEM, as the demo reads kuvert_pki's files.
        let key_pem = SecretString::from(key.serialize_pem());
        PersonCredential::from_pem(&key_pem, &certificate.pem()).unwrap()
    }

    /// A person certificate valid for a year.
    pub(crate) fn valid_person(
        &self,
        number: &str,
        given_name: &str,
        surname: &str,
    ) -> PersonCredential {
        self.person(
            number,
            given_name,
            surname,
            OffsetDateTime::now_utc() + Duration::days(365),
        )
    }
}
