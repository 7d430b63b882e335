//! Issuing: RSA key generation spread over the available cores, then the certificate
//! profiles of the two CAs, organisation certificates and person certificates
//! (PROTOCOL.md §8). Key generation dominates the cost, signing is quick.

use std::collections::{BTreeMap, BTreeSet};
use std::num::NonZero;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use kuvert_core::limits::PKI_CREDENTIALS_MAX;
use rcgen::string::PrintableString;
use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DistinguishedName, DnType, DnValue,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, PKCS_RSA_SHA256, RsaKeySize,
};
use secrecy::{ExposeSecret, SecretString};
use time::{Duration, OffsetDateTime};

use crate::files::{EID_CA_STEM, ORGANISATION_CA_STEM};
use crate::{
    Credential, LeafOptions, LeafUsage, OrganisationSpec, PersonSpec, PkiError, PkiSpec, TestPki,
};

/// Common name of the CA that issues organisation certificates.
pub(crate) const ORGANISATION_CA_NAME: &str = "Kuvert Test Organisation CA";
/// Common name of the CA that issues person (e-ID) certificates.
pub(crate) const EID_CA_NAME: &str = "Kuvert Test e-ID CA";

/// X.520 `serialNumber`, the attribute that carries the identity number.
const OID_SERIAL_NUMBER: [u64; 4] = [2, 5, 4, 5];
/// X.520 `givenName`.
const OID_GIVEN_NAME: [u64; 4] = [2, 5, 4, 42];
/// X.520 `surname`.
const OID_SURNAME: [u64; 4] = [2, 5, 4, 4];

/// Leaf certificates are valid for two years, CAs for ten, both from yesterday so clocks
/// that lag a little still accept them.
const LEAF_VALIDITY_DAYS: i64 = 2 * 365;
const CA_VALIDITY_DAYS: i64 = 10 * 365;

/// Generates the whole PKI for `spec` (see [`TestPki::generate`]).
pub(crate) fn generate(spec: &PkiSpec) -> Result<TestPki, PkiError> {
    check_spec(spec)?;
    let n_keys = 2 + spec.organisations.len() + spec.persons.len();
    let mut keys = generate_keys(n_keys).into_iter();
    let mut next_key = |key: &str| -> Result<KeyPair, PkiError> {
        let generated = keys.next().expect("one key was generated per credential");
        generated.map_err(|source| PkiError::Issue {
            key: key.to_owned(),
            source,
        })
    };

    let (organisation_ca, organisation_issuer) = issue_ca(
        ORGANISATION_CA_STEM,
        ORGANISATION_CA_NAME,
        next_key(ORGANISATION_CA_STEM)?,
    )?;
    let (eid_ca, eid_issuer) = issue_ca(EID_CA_STEM, EID_CA_NAME, next_key(EID_CA_STEM)?)?;

    let mut organisations = BTreeMap::new();
    for organisation in &spec.organisations {
        let key_pair = next_key(&organisation.key)?;
        let params = organisation_params(organisation).map_err(|source| PkiError::Issue {
            key: organisation.key.clone(),
            source,
        })?;
        let credential = issue_leaf(&organisation.key, &params, key_pair, &organisation_issuer)?;
        organisations.insert(organisation.key.clone(), credential);
    }
    let mut persons = BTreeMap::new();
    for person in &spec.persons {
        let key_pair = next_key(&person.key)?;
        let params = person_params(person).map_err(|source| PkiError::Issue {
            key: person.key.clone(),
            source,
        })?;
        persons.insert(
            person.key.clone(),
            issue_leaf(&person.key, &params, key_pair, &eid_issuer)?,
        );
    }
    Ok(TestPki {
        organisation_ca,
        eid_ca,
        organisations,
        persons,
    })
}

/// Rejects specs whose keys would not make distinct, safe file names.
fn check_spec(spec: &PkiSpec) -> Result<(), PkiError> {
    let count = spec.organisations.len() + spec.persons.len();
    if count > PKI_CREDENTIALS_MAX {
        return Err(PkiError::TooManyCredentials {
            count,
            max: PKI_CREDENTIALS_MAX,
        });
    }
    let keys = spec
        .organisations
        .iter()
        .map(|organisation| &organisation.key);
    let keys = keys.chain(spec.persons.iter().map(|person| &person.key));
    let mut seen = BTreeSet::new();
    for key in keys {
        if !crate::is_valid_key(key) {
            return Err(PkiError::InvalidKey { key: key.clone() });
        }
        if !seen.insert(key.as_str()) {
            return Err(PkiError::DuplicateKey { key: key.clone() });
        }
    }
    Ok(())
}

/// Generates `n_keys` RSA-2048 key pairs on up to all available cores. Every key is
/// interchangeable, so the order in which workers finish does not matter.
fn generate_keys(n_keys: usize) -> Vec<Result<KeyPair, rcgen::Error>> {
    let n_workers = thread::available_parallelism()
        .map_or(1, NonZero::get)
        .clamp(1, n_keys.max(1));
    let n_claimed = AtomicUsize::new(0);
    let work = || {
        let mut made = Vec::new();
        while n_claimed.fetch_add(1, Ordering::Relaxed) < n_keys {
            made.push(KeyPair::generate_rsa_for(
                &PKCS_RSA_SHA256,
                RsaKeySize::_2048,
            ));
        }
        made
    };
    let keys: Vec<_> = thread::scope(|scope| {
        let workers: Vec<_> = (0..n_workers).map(|_| scope.spawn(work)).collect();
        workers
            .into_iter()
            .flat_map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    assert_eq!(
        keys.len(),
        n_keys,
        "each claimed index yields exactly one key"
    );
    keys
}

/// Issues a self-signed CA that may sign leaf certificates only (path length 0).
fn issue_ca(
    stem: &str,
    common_name: &str,
    key_pair: KeyPair,
) -> Result<(Credential, Issuer<'static, KeyPair>), PkiError> {
    let mut params = ca_params(common_name);
    let (not_before, not_after) = validity(CA_VALIDITY_DAYS);
    params.not_before = not_before;
    params.not_after = not_after;
    let certificate = params
        .self_signed(&key_pair)
        .map_err(|source| PkiError::Issue {
            key: stem.to_owned(),
            source,
        })?;
    let credential = credential(&certificate, &key_pair);
    Ok((credential, Issuer::new(params, key_pair)))
}

/// The organisation CA as an issuer again, from its credential: its name and key usages
/// are fixed by [`ca_params`], so the issuer name matches the certificate's subject.
pub(crate) fn organisation_issuer(ca: &Credential) -> Result<Issuer<'static, KeyPair>, PkiError> {
    let key_pair =
        KeyPair::from_pem(ca.key_pem().expose_secret()).map_err(|source| PkiError::Issue {
            key: ORGANISATION_CA_STEM.to_owned(),
            source,
        })?;
    Ok(Issuer::new(ca_params(ORGANISATION_CA_NAME), key_pair))
}

/// Name, constraints and key usages of a CA (validity is set by the caller).
fn ca_params(common_name: &str) -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut name = DistinguishedName::new();
    name.push(DnType::CountryName, country_sweden());
    name.push(DnType::OrganizationName, "Kuvert");
    name.push(DnType::CommonName, common_name);
    params.distinguished_name = name;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params
}

/// Issues one organisation certificate outside the generated set, in the profile or
/// deliberately not (see [`crate::LeafOptions`]).
pub(crate) fn issue_organisation(
    pki: &TestPki,
    spec: &OrganisationSpec,
    options: &LeafOptions,
) -> Result<Credential, PkiError> {
    let issue_error = |source| PkiError::Issue {
        key: spec.key.clone(),
        source,
    };
    let key_pair =
        KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048).map_err(issue_error)?;
    let mut params = organisation_params(spec).map_err(issue_error)?;
    match options.usage {
        LeafUsage::Profile => {}
        LeafUsage::WithoutDigitalSignature => {
            params.key_usages = vec![KeyUsagePurpose::KeyEncipherment];
            params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        }
        LeafUsage::ServerAuthOnly => {
            params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        }
    }
    if let Some((not_before, not_after)) = options.validity {
        (params.not_before, params.not_after) = (not_before, not_after);
    }
    let issuer = organisation_issuer(&pki.organisation_ca)?;
    issue_leaf(&spec.key, &params, key_pair, &issuer)
}

/// Signs a leaf certificate for `key_pair` with `issuer`.
fn issue_leaf(
    key: &str,
    params: &CertificateParams,
    key_pair: KeyPair,
    issuer: &Issuer<'_, KeyPair>,
) -> Result<Credential, PkiError> {
    let certificate = params
        .signed_by(&key_pair, issuer)
        .map_err(|source| PkiError::Issue {
            key: key.to_owned(),
            source,
        })?;
    Ok(credential(&certificate, &key_pair))
}

/// The organisation certificate profile of PROTOCOL.md §8, valid for local TLS as well.
fn organisation_params(spec: &OrganisationSpec) -> Result<CertificateParams, rcgen::Error> {
    let mut alt_names = spec.host_names.clone();
    for local_name in ["localhost", "127.0.0.1", "::1"] {
        if !alt_names.iter().any(|name| name == local_name) {
            alt_names.push(local_name.to_owned());
        }
    }
    let mut params = CertificateParams::new(alt_names)?;
    (params.not_before, params.not_after) = validity(LEAF_VALIDITY_DAYS);
    let common_name = spec.host_names.first().unwrap_or(&spec.name);
    let mut name = DistinguishedName::new();
    name.push(DnType::CountryName, country_sweden());
    name.push(DnType::OrganizationName, spec.name.as_str());
    name.push(DnType::CommonName, common_name.as_str());
    name.push(
        DnType::CustomDnType(OID_SERIAL_NUMBER.to_vec()),
        printable(&spec.number.to_wire())?,
    );
    params.distinguished_name = name;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    Ok(params)
}

/// The e-ID person certificate profile: identity in `serialNumber`, names in `GN`/`SN`/`CN`.
fn person_params(spec: &PersonSpec) -> Result<CertificateParams, rcgen::Error> {
    let mut params = CertificateParams::default();
    (params.not_before, params.not_after) = validity(LEAF_VALIDITY_DAYS);
    let mut name = DistinguishedName::new();
    name.push(DnType::CountryName, country_sweden());
    name.push(
        DnType::CustomDnType(OID_SURNAME.to_vec()),
        spec.surname.as_str(),
    );
    name.push(
        DnType::CustomDnType(OID_GIVEN_NAME.to_vec()),
        spec.given_name.as_str(),
    );
    name.push(
        DnType::CommonName,
        format!("{} {}", spec.given_name, spec.surname),
    );
    name.push(
        DnType::CustomDnType(OID_SERIAL_NUMBER.to_vec()),
        printable(spec.number.as_str())?,
    );
    params.distinguished_name = name;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    Ok(params)
}

/// From two days ago until `days` from now.
/// Two days back: a seal dated yesterday is judged at yesterday 12:00 UTC
/// (`kuvert_wire::delivery::judged_at`), which is earlier than "one day ago" every afternoon,
/// so a certificate backdated by one day only would refuse yesterday's seals after noon.
fn validity(days: i64) -> (OffsetDateTime, OffsetDateTime) {
    let now = OffsetDateTime::now_utc();
    (now - Duration::days(2), now + Duration::days(days))
}

/// `C=SE`, a PrintableString as RFC 5280 requires for countryName.
fn country_sweden() -> DnValue {
    DnValue::PrintableString(PrintableString::try_from("SE").expect("SE is printable"))
}

/// Identity numbers are digits only, so they are always PrintableString, as in real
/// Swedish certificates.
fn printable(text: &str) -> Result<DnValue, rcgen::Error> {
    PrintableString::try_from(text).map(DnValue::PrintableString)
}

fn credential(certificate: &Certificate, key_pair: &KeyPair) -> Credential {
    Credential {
        certificate_pem: certificate.pem(),
        certificate_der: certificate.der().to_vec(),
        key_pem: SecretString::from(key_pair.serialize_pem()),
    }
}
