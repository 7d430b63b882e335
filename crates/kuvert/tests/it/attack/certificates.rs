//! Certificates an attacker can get or make: a rogue CA and a CA with the federation CA's very
//! name (another `TestPki`), certificates from the real CA with the wrong key usage, expired or
//! not yet valid, a CA certificate or one without an organisation number as signer; and the
//! real certificates of the wrong parties (sealer ≠ TLS caller, signer ≠ sender). The TLS
//! variants must be refused at the handshake.

use kuvert::seed;
use kuvert_pki::{OrganisationSpec, PkiSpec, TestPki};
use kuvert_wire::fault::FaultCode;
use rcgen::string::PrintableString;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, DnValue,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, PKCS_RSA_SHA256, RsaKeySize,
};
use secrecy::ExposeSecret as _;
use time::{Duration, OffsetDateTime};

use super::forge::{Identity, envelope, seal_and_wrap};
use super::{Arena, Caller, Case, Expect};

const DENIED: FaultCode = FaultCode::ACCESS_DENIED;

/// What to put in a certificate issued for a case.
struct Leaf {
    number: Option<String>,
    key_usages: Vec<KeyUsagePurpose>,
    extended: Vec<ExtendedKeyUsagePurpose>,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    is_ca: bool,
}

impl Leaf {
    /// The organisation profile of PROTOCOL.md §8 for `organisation`.
    fn profile(organisation: seed::SeedOrganisation) -> Self {
        let now = OffsetDateTime::now_utc();
        Self {
            number: Some(organisation.organisation_number().to_wire()),
            key_usages: vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::KeyEncipherment,
            ],
            extended: vec![
                ExtendedKeyUsagePurpose::ServerAuth,
                ExtendedKeyUsagePurpose::ClientAuth,
            ],
            not_before: now - Duration::days(1),
            not_after: now + Duration::days(30),
            is_ca: false,
        }
    }

    fn params(&self, name: &str) -> CertificateParams {
        let mut params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
        params.not_before = self.not_before;
        params.not_after = self.not_after;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, printable("SE"));
        dn.push(DnType::OrganizationName, name);
        dn.push(DnType::CommonName, name);
        if let Some(number) = &self.number {
            dn.push(DnType::CustomDnType(vec![2, 5, 4, 5]), printable(number));
        }
        params.distinguished_name = dn;
        params.is_ca = if self.is_ca {
            IsCa::Ca(BasicConstraints::Unconstrained)
        } else {
            IsCa::ExplicitNoCa
        };
        params.key_usages = self.key_usages.clone();
        params.extended_key_usages = self.extended.clone();
        params
    }
}

fn printable(text: &str) -> DnValue {
    DnValue::PrintableString(PrintableString::try_from(text).unwrap())
}

/// A CA's parameters with the test PKI's organisation CA name (or another).
fn ca_params(common_name: &str) -> CertificateParams {
    let mut params = CertificateParams::default();
    let now = OffsetDateTime::now_utc();
    params.not_before = now - Duration::days(1);
    params.not_after = now + Duration::days(365);
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, printable("SE"));
    dn.push(DnType::OrganizationName, "Kuvert");
    dn.push(DnType::CommonName, common_name);
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params
}

const ORGANISATION_CA_NAME: &str = "Kuvert Test Organisation CA";

/// Issues certificates for the cases: as the real organisation CA, and as rogue CAs.
pub(super) struct Workshop {
    /// One key for every attacker certificate (key reuse does not matter here).
    key: KeyPair,
    real_ca: Issuer<'static, KeyPair>,
    rogue_ca: (Issuer<'static, KeyPair>, String),
    same_name: TestPki,
}

impl Workshop {
    pub(super) fn new(pki: &TestPki) -> Self {
        let key = KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048).unwrap();
        let ca_key = KeyPair::from_pem(pki.organisation_ca().key_pem().expose_secret()).unwrap();
        let real_ca = Issuer::new(ca_params(ORGANISATION_CA_NAME), ca_key);
        let rogue_key = KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048).unwrap();
        let rogue_params = ca_params("Attacker Root CA");
        let rogue_pem = rogue_params.self_signed(&rogue_key).unwrap().pem();
        let rogue_ca = (Issuer::new(rogue_params, rogue_key), rogue_pem);
        let wanted = [seed::INTERMEDIARY.key, seed::SENDERS[0].key];
        let spec = PkiSpec {
            organisations: seed::pki_spec()
                .organisations
                .into_iter()
                .filter(|organisation: &OrganisationSpec| {
                    wanted.contains(&organisation.key.as_str())
                })
                .collect(),
            persons: Vec::new(),
        };
        Self {
            key,
            real_ca,
            rogue_ca,
            same_name: TestPki::generate(&spec).unwrap(),
        }
    }

    /// `leaf` for `organisation`'s name, issued by the real organisation CA.
    fn real(&self, organisation: seed::SeedOrganisation, leaf: &Leaf) -> Identity {
        let certificate = leaf
            .params(organisation.name)
            .signed_by(&self.key, &self.real_ca)
            .unwrap();
        Identity::new(self.key.serialize_pem(), certificate.pem())
    }

    /// `organisation`'s profile certificate from the rogue CA, carrying the rogue CA.
    fn rogue(&self, organisation: seed::SeedOrganisation) -> Identity {
        let certificate = Leaf::profile(organisation)
            .params(organisation.name)
            .signed_by(&self.key, &self.rogue_ca.0)
            .unwrap();
        Identity::new(self.key.serialize_pem(), certificate.pem()).with_chain(&[&self.rogue_ca.1])
    }

    /// `organisation`'s profile certificate, self-signed.
    fn self_signed(&self, organisation: seed::SeedOrganisation) -> Identity {
        let certificate = Leaf::profile(organisation)
            .params(organisation.name)
            .self_signed(&self.key)
            .unwrap();
        Identity::new(self.key.serialize_pem(), certificate.pem())
    }

    /// `organisation`'s certificate from the CA that has the real CA's name.
    fn same_name(&self, organisation: seed::SeedOrganisation, with_ca: bool) -> Identity {
        let credential = self.same_name.organisation(organisation.key).unwrap();
        let identity = Identity::from_credential(credential);
        if with_ca {
            identity.with_chain(&[self.same_name.organisation_ca_pem()])
        } else {
            identity
        }
    }
}

pub(super) fn cases(arena: &Arena) -> Vec<Case> {
    let workshop = Workshop::new(&arena.federation.demo().pki);
    let mut cases = signing(arena, &workshop);
    cases.extend(parties(arena));
    cases.extend(handshakes(&workshop));
    cases
}

/// A delivery whose sender signature is `signer`'s (sealed by the intermediary).
fn signed_by(arena: &Arena, subject: &str, signer: &Identity) -> String {
    let stages = arena.stages(subject);
    seal_and_wrap(&signer.sign(&stages.unsigned), &arena.intermediary)
}

/// A delivery sealed by `sealer` (signed by the sender).
fn sealed_by(arena: &Arena, subject: &str, sealer: &Identity) -> String {
    let stages = arena.stages(subject);
    envelope(&sealer.sign(&stages.unsealed), "")
}

fn signing(arena: &Arena, workshop: &Workshop) -> Vec<Case> {
    let (intermediary, kommun) = (seed::INTERMEDIARY, seed::SENDERS[0]);
    let now = OffsetDateTime::now_utc();
    let no_signature_usage = |organisation| Leaf {
        key_usages: vec![KeyUsagePurpose::KeyEncipherment],
        ..Leaf::profile(organisation)
    };
    let server_only = |organisation| Leaf {
        key_usages: vec![KeyUsagePurpose::KeyEncipherment],
        extended: vec![ExtendedKeyUsagePurpose::ServerAuth],
        ..Leaf::profile(organisation)
    };
    let expired = |organisation| Leaf {
        not_before: now - Duration::days(400),
        not_after: now - Duration::days(1),
        ..Leaf::profile(organisation)
    };
    let not_yet = |organisation| Leaf {
        not_before: now + Duration::days(2),
        not_after: now + Duration::days(400),
        ..Leaf::profile(organisation)
    };
    let ca_leaf = |organisation| Leaf {
        is_ca: true,
        ..Leaf::profile(organisation)
    };
    let unnumbered = |organisation| Leaf {
        number: None,
        ..Leaf::profile(organisation)
    };
    let ca = Identity::from_credential(arena.federation.demo().pki.organisation_ca());
    let person = Identity::from_credential(arena.federation.demo().pki.person("tolvan").unwrap());
    let case = |name: &'static str, body: String| Case::new(name, DENIED, body);
    vec![
        case(
            "ca: seal by a rogue CA's intermediary",
            sealed_by(arena, "Rogue 1", &workshop.rogue(intermediary)),
        ),
        case(
            "ca: sender signature by a rogue CA",
            signed_by(arena, "Rogue 2", &workshop.rogue(kommun)),
        ),
        case(
            "ca: seal self-signed with the intermediary's name",
            sealed_by(arena, "Självsignerad", &workshop.self_signed(intermediary)),
        ),
        case(
            "ca: seal by a CA with the federation CA's name",
            sealed_by(
                arena,
                "Samma namn 1",
                &workshop.same_name(intermediary, false),
            ),
        ),
        case(
            "ca: seal by a same-name CA, chain included",
            sealed_by(
                arena,
                "Samma namn 2",
                &workshop.same_name(intermediary, true),
            ),
        ),
        case(
            "ca: sender signature by a same-name CA",
            signed_by(arena, "Samma namn 3", &workshop.same_name(kommun, true)),
        ),
        case(
            "ca: the organisation CA's own key signs as the sender",
            signed_by(arena, "CA-nyckel", &ca),
        ),
        case(
            "ca: a person's e-ID certificate signs as the sender",
            signed_by(arena, "e-legitimation", &person),
        ),
        case(
            "usage: sealer certificate without digitalSignature",
            sealed_by(
                arena,
                "KU 1",
                &workshop.real(intermediary, &no_signature_usage(intermediary)),
            ),
        ),
        case(
            "usage: sender certificate without digitalSignature",
            signed_by(
                arena,
                "KU 2",
                &workshop.real(kommun, &no_signature_usage(kommun)),
            ),
        ),
        case(
            "usage: serverAuth-only sealer certificate",
            sealed_by(
                arena,
                "EKU 1",
                &workshop.real(intermediary, &server_only(intermediary)),
            ),
        ),
        case(
            "usage: a CA certificate (cA=true) as the sealer",
            sealed_by(
                arena,
                "cA",
                &workshop.real(intermediary, &ca_leaf(intermediary)),
            ),
        ),
        case(
            "validity: expired sealer certificate",
            sealed_by(
                arena,
                "Utgånget 1",
                &workshop.real(intermediary, &expired(intermediary)),
            ),
        ),
        case(
            "validity: expired sender certificate",
            signed_by(
                arena,
                "Utgånget 2",
                &workshop.real(kommun, &expired(kommun)),
            ),
        ),
        case(
            "validity: sender certificate not yet valid",
            signed_by(
                arena,
                "Ej giltigt än",
                &workshop.real(kommun, &not_yet(kommun)),
            ),
        ),
        case(
            "identity: sealer certificate without an organisation number",
            sealed_by(
                arena,
                "Inget nummer",
                &workshop.real(intermediary, &unnumbered(intermediary)),
            ),
        ),
    ]
}

/// The real certificates of parties that may not do what they do.
fn parties(arena: &Arena) -> Vec<Case> {
    let org = |key: &str| {
        Identity::from_credential(arena.federation.demo().pki.organisation(key).unwrap())
    };
    let (kommun, myndigheten) = (seed::SENDERS[0].key, seed::SENDERS[1].key);
    let (demobrevladan, exempelposten) = (seed::OPERATORS[0].key, seed::OPERATORS[1].key);
    let as_caller = |name, key: &'static str| {
        let stages = arena.stages(name);
        Case::new(name, DENIED, envelope(&stages.sealed, "")).by(Caller::Org(key))
    };
    vec![
        as_caller(
            "parties: sealed by the intermediary, posted by the sender",
            kommun,
        ),
        as_caller(
            "parties: sealed by the intermediary, posted by the operator itself",
            demobrevladan,
        ),
        Case::new(
            "parties: sealed by the sender, posted by the intermediary",
            DENIED,
            sealed_by(arena, "Fel försegling", &org(kommun)),
        ),
        Case::new(
            "parties: the other sender signs for Exempelkommun",
            DENIED,
            signed_by(arena, "Annan avsändare", &org(myndigheten)),
        ),
        Case::new(
            "parties: the portal signs for Exempelkommun",
            DENIED,
            signed_by(arena, "Portalen", &org(seed::PORTAL.key)),
        ),
        Case::new(
            "parties: the receiving operator signs for Exempelkommun",
            DENIED,
            signed_by(arena, "Operatören", &org(demobrevladan)),
        ),
        Case::new(
            "parties: another operator signs for Exempelkommun",
            DENIED,
            signed_by(arena, "Annan operatör", &org(exempelposten)),
        ),
        {
            // The portal seals and calls: a real organisation, but no intermediary.
            let stages = arena.stages("Ej förmedlare");
            let sealed = org(seed::PORTAL.key).sign(&stages.unsealed);
            Case::new(
                "parties: sealed and posted by an organisation that is no intermediary",
                FaultCode::DISPATCHER_NOT_APPROVED,
                envelope(&sealed, ""),
            )
            .by(Caller::Org(seed::PORTAL.key))
        },
        {
            let portal = seed::PORTAL;
            let unknown = arena.delivery_from(portal, "Okänd avsändare");
            let unsigned = kuvert_wire::delivery::unsigned_signed_delivery(&unknown);
            Case::new(
                "parties: a sender the registry does not know, signed by itself",
                FaultCode::UNKNOWN_SENDER,
                seal_and_wrap(&org(portal.key).sign(&unsigned), &arena.intermediary),
            )
        },
    ]
}

/// Client certificates that must not get through the TLS handshake.
fn handshakes(workshop: &Workshop) -> Vec<Case> {
    let intermediary = seed::INTERMEDIARY;
    let now = OffsetDateTime::now_utc();
    let handshake = |name: &'static str, identity: Identity| Case {
        name: name.to_owned(),
        caller: Caller::Custom(identity),
        expect: Expect::Handshake,
        body: b"<x/>".to_vec(),
        hidden: Vec::new(),
    };
    vec![
        handshake(
            "tls: client certificate from a rogue CA",
            workshop.rogue(intermediary),
        ),
        handshake(
            "tls: client certificate from a same-name CA",
            workshop.same_name(intermediary, true),
        ),
        handshake(
            "tls: expired client certificate",
            workshop.real(
                intermediary,
                &Leaf {
                    not_before: now - Duration::days(400),
                    not_after: now - Duration::days(1),
                    ..Leaf::profile(intermediary)
                },
            ),
        ),
        handshake(
            "tls: client certificate without clientAuth",
            workshop.real(
                intermediary,
                &Leaf {
                    extended: vec![ExtendedKeyUsagePurpose::ServerAuth],
                    ..Leaf::profile(intermediary)
                },
            ),
        ),
        handshake(
            "tls: client certificate without digitalSignature",
            workshop.real(
                intermediary,
                &Leaf {
                    key_usages: vec![KeyUsagePurpose::KeyEncipherment],
                    ..Leaf::profile(intermediary)
                },
            ),
        ),
    ]
}
