//! The demo federation's identities, in one place: the test PKI, `kuvert demo` and the test
//! harness all read them from here, so a name or number is never written twice.
//!
//! Every number is a made-up test number that passes the Luhn check (PROTOCOL.md §4); none
//! belongs to a real person or organisation that we know of.

use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber};
use kuvert_core::operator::ServiceDomain;
use kuvert_pki::{OrganisationSpec, PersonSpec, PkiSpec};

/// What an organisation does in the federation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganisationRole {
    /// Förmedlingsadressregistret (FaR).
    Registry,
    /// A mailbox operator (brevlådeoperatör).
    Operator,
    /// A sender (avsändare).
    Sender,
    /// An intermediary (förmedlare).
    Intermediary,
    /// The public portal.
    Portal,
}

/// One seeded organisation.
#[derive(Debug, Clone, Copy)]
pub struct SeedOrganisation {
    /// File stem of its certificate and key, and its key in `demo.json`.
    pub key: &'static str,
    /// Its name, as shown to people.
    pub name: &'static str,
    /// Organisation number, 10 digits.
    pub number: &'static str,
    /// Its role.
    pub role: OrganisationRole,
    /// The internet domain operators are known by in the registry (`ServiceSupplier`).
    pub domain: &'static str,
}

/// One seeded person.
#[derive(Debug, Clone, Copy)]
pub struct SeedPerson {
    /// File stem of the e-ID certificate and key.
    pub key: &'static str,
    /// Given name.
    pub given_name: &'static str,
    /// Surname.
    pub surname: &'static str,
    /// Personnummer, 12 digits.
    pub number: &'static str,
    /// Key of the operator holding the person's digital mailbox, if registered.
    pub operator: Option<&'static str>,
    /// Keys of the senders the person has deselected (they send on paper).
    pub deselected_senders: &'static [&'static str],
}

/// The registry.
pub const REGISTRY: SeedOrganisation = SeedOrganisation {
    key: "registry",
    name: "Förmedlingsadressregistret (test)",
    number: "2120000142",
    role: OrganisationRole::Registry,
    domain: "far.kuvert.example",
};

/// The two mailbox operators.
pub const OPERATORS: [SeedOrganisation; 2] = [
    SeedOrganisation {
        key: "demobrevladan",
        name: "Demobrevlådan",
        number: "5599000014",
        role: OrganisationRole::Operator,
        domain: "demobrevladan.example",
    },
    SeedOrganisation {
        key: "exempelposten",
        name: "Exempelposten",
        number: "5599000022",
        role: OrganisationRole::Operator,
        domain: "exempelposten.example",
    },
];

/// The senders: a municipality and an agency.
pub const SENDERS: [SeedOrganisation; 2] = [
    SeedOrganisation {
        key: "exempelkommun",
        name: "Exempelkommun",
        number: "2120000159",
        role: OrganisationRole::Sender,
        domain: "exempelkommun.example",
    },
    SeedOrganisation {
        key: "exempelmyndigheten",
        name: "Exempelmyndigheten",
        number: "2021999996",
        role: OrganisationRole::Sender,
        domain: "exempelmyndigheten.example",
    },
];

/// The intermediary, which may deliver for both senders.
pub const INTERMEDIARY: SeedOrganisation = SeedOrganisation {
    key: "exempelformedlaren",
    name: "Exempelförmedlaren",
    number: "5566778899",
    role: OrganisationRole::Intermediary,
    domain: "exempelformedlaren.example",
};

/// A sender system (for example a case-management system) that calls the sender service
/// (`kuvert sender serve`) instead of signing letters itself.
#[derive(Debug, Clone, Copy)]
pub struct SeedSenderSystem {
    /// Its client id at the sender service, and the file stem of its TLS client certificate
    /// and key (issued by the demo at its first start, not part of [`pki_spec`]).
    pub key: &'static str,
    /// The organisation its client certificate names.
    pub organisation: SeedOrganisation,
    /// The senders it may send for.
    pub senders: [SeedOrganisation; 2],
}

/// The demo's sender system, allowed to send for both senders, by its client certificate or
/// by OAuth 2 client credentials. Its certificate names an organisation of its own (a
/// supplier running it for both senders), never one of the senders': the sender service
/// knows certificate clients by organisation number, so a sender's own certificate must not
/// be taken for a client allowed to send for the other sender too.
pub const SENDER_SYSTEM: SeedSenderSystem = SeedSenderSystem {
    key: "demosystemet",
    organisation: SeedOrganisation {
        key: "demosystemet",
        name: "Demosystemet AB",
        number: "5591000004",
        role: OrganisationRole::Sender,
        domain: "demosystemet.example",
    },
    senders: SENDERS,
};

/// The portal, which reads statistics from the registry.
pub const PORTAL: SeedOrganisation = SeedOrganisation {
    key: "portal",
    name: "Kuvert portal (test)",
    number: "7696000012",
    role: OrganisationRole::Portal,
    domain: "portal.kuvert.example",
};

/// Six people: four registered across both operators (one has deselected the agency), two
/// without a digital mailbox.
pub const PERSONS: [SeedPerson; 6] = [
    SeedPerson {
        key: "tolvan",
        given_name: "Tolvan",
        surname: "Tolvansson",
        number: "191212121212",
        operator: Some("demobrevladan"),
        deselected_senders: &[],
    },
    SeedPerson {
        key: "anna",
        given_name: "Anna",
        surname: "Andersson",
        number: "198101052382",
        operator: Some("demobrevladan"),
        deselected_senders: &["exempelmyndigheten"],
    },
    SeedPerson {
        key: "bertil",
        given_name: "Bertil",
        surname: "Berg",
        number: "199001011239",
        operator: Some("exempelposten"),
        deselected_senders: &[],
    },
    SeedPerson {
        key: "cecilia",
        given_name: "Cecilia",
        surname: "Carlsson",
        number: "198505152341",
        operator: Some("exempelposten"),
        deselected_senders: &[],
    },
    SeedPerson {
        key: "david",
        given_name: "David",
        surname: "Dahl",
        number: "197203033456",
        operator: None,
        deselected_senders: &[],
    },
    SeedPerson {
        key: "eva",
        given_name: "Eva",
        surname: "Ek",
        number: "199507074566",
        operator: None,
        deselected_senders: &[],
    },
];

/// A person with a confirmed notification e-mail address at their operator, so the first
/// letter to them shows its e-mail in the demo's preview folder (`DIR/mail/OPERATOR`) at once.
#[derive(Debug, Clone, Copy)]
pub struct SeedNotification {
    /// Key of the seeded person ([`PERSONS`]).
    pub person: &'static str,
    /// The confirmed e-mail address (a reserved `.example` domain: nothing is ever sent).
    pub email: &'static str,
}

/// Tolvan, the README's recipient, is notified by e-mail.
pub const NOTIFIED: SeedNotification = SeedNotification {
    person: "tolvan",
    email: "tolvan.tolvansson@kuvert.example",
};

/// One seeded company (not a sender or operator) and its signatory rule (firmateckning), as
/// the registry's seed data stands in for Bolagsverket (PROTOCOL.md §11.9).
#[derive(Debug, Clone, Copy)]
pub struct SeedCompany {
    /// Short name for tests.
    pub key: &'static str,
    /// Its registered name.
    pub name: &'static str,
    /// Organisation number, 10 digits (group digit 5 aktiebolag, 9 handelsbolag).
    pub number: &'static str,
    /// The signatory rule in words.
    pub rule_text: &'static str,
    /// How many of the signatories must sign together.
    pub signatures_required: u32,
    /// Keys of the seeded persons who are its authorised signatories (firmatecknare).
    pub signatories: &'static [&'static str],
}

/// Two companies without a digital mailbox: an aktiebolag signed for by two of three
/// signatories jointly, and a handelsbolag whose one partner signs alone. Every signatory
/// is a seeded person with a test e-ID, so each can log in and sign.
pub const COMPANIES: [SeedCompany; 2] = [
    SeedCompany {
        key: "exempelbolaget",
        name: "Exempelbolaget AB",
        number: "5566000005",
        rule_text: "Firman tecknas av styrelsen. Två ledamöter i förening.",
        signatures_required: 2,
        signatories: &["tolvan", "anna", "david"],
    },
    SeedCompany {
        key: "exempelhandel",
        name: "Exempelhandel HB",
        number: "9696000000",
        rule_text: "Firman tecknas av bolagsmannen ensam.",
        signatures_required: 1,
        signatories: &["bertil"],
    },
];

/// Every seeded organisation, registry first.
pub fn organisations() -> impl Iterator<Item = SeedOrganisation> {
    [REGISTRY]
        .into_iter()
        .chain(OPERATORS)
        .chain(SENDERS)
        .chain([INTERMEDIARY, PORTAL])
}

impl SeedOrganisation {
    /// The typed organisation number. The seed is fixed and tested, so a failure here is a
    /// programmer error.
    #[must_use]
    pub fn organisation_number(&self) -> OrganisationNumber {
        OrganisationNumber::parse(self.number)
            .expect("seed organisation numbers pass the Luhn check")
    }

    /// The typed internet domain (see [`SeedOrganisation::organisation_number`]).
    #[must_use]
    pub fn service_domain(&self) -> ServiceDomain {
        ServiceDomain::parse(self.domain).expect("seed domains are lowercase internet domains")
    }
}

impl SeedPerson {
    /// The typed personnummer (see [`SeedOrganisation::organisation_number`]).
    #[must_use]
    pub fn personal_identity_number(&self) -> PersonalIdentityNumber {
        PersonalIdentityNumber::parse(self.number).expect("seed personnummer pass the Luhn check")
    }

    /// Full name as shown to people.
    #[must_use]
    pub fn name(&self) -> String {
        format!("{} {}", self.given_name, self.surname)
    }
}

/// The certificates the demo federation needs: one per organisation, one per person.
#[must_use]
pub fn pki_spec() -> PkiSpec {
    PkiSpec {
        organisations: organisations()
            .map(|organisation| OrganisationSpec {
                key: organisation.key.to_owned(),
                name: organisation.name.to_owned(),
                number: organisation.organisation_number(),
                host_names: vec![organisation.domain.to_owned()],
            })
            .collect(),
        persons: PERSONS
            .iter()
            .map(|person| PersonSpec {
                key: person.key.to_owned(),
                given_name: person.given_name.to_owned(),
                surname: person.surname.to_owned(),
                number: person.personal_identity_number(),
            })
            .collect(),
    }
}

/// The seeded organisation with this key.
#[must_use]
pub fn organisation(key: &str) -> Option<SeedOrganisation> {
    organisations().find(|organisation| organisation.key == key)
}

impl SeedCompany {
    /// The typed organisation number (see [`SeedOrganisation::organisation_number`]).
    #[must_use]
    pub fn organisation_number(&self) -> OrganisationNumber {
        OrganisationNumber::parse(self.number)
            .expect("seed organisation numbers pass the Luhn check")
    }

    /// The seeded persons who sign for the company.
    pub fn signatory_persons(&self) -> impl Iterator<Item = &'static SeedPerson> {
        self.signatories.iter().filter_map(|key| person(key))
    }
}

/// The seeded company with this key.
#[must_use]
pub fn company(key: &str) -> Option<&'static SeedCompany> {
    COMPANIES.iter().find(|company| company.key == key)
}

/// The seeded person with this key.
#[must_use]
pub fn person(key: &str) -> Option<&'static SeedPerson> {
    PERSONS.iter().find(|person| person.key == key)
}

#[cfg(test)]
mod tests;
