//! What the registry (Fördelningsregistret, FaR) knows, as domain values shared by the registry's
//! pure rules, its store and the operator that asks it: mailbox operators, senders and
//! intermediaries, recipients' profiles and reachability, companies' signatory rules, and
//! [`SigningStatus`], whether a signed change took effect (PROTOCOL.md §5.1, §11).
//!
//! The wire's `AuthorizationStatus` maps to and from [`SigningStatus`] in `kuvert-wire`; the
//! database's shapes are the store's.

use std::collections::BTreeSet;

use time::OffsetDateTime;
use url::Url;

use crate::campaign::CampaignCode;
use crate::id::{OrganisationNumber, PersonalIdentityNumber, RecipientId};
use crate::operator::ServiceDomain;

/// Whether the signatures of a change satisfy what it needs (`auth:AuthorizationStatus`): a
/// person's own signature, or enough of a company's signatories under its signatory rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigningStatus {
    /// Enough signatories have signed; the change took effect.
    Complete,
    /// More of the company's signatories must sign.
    Incomplete,
    /// The company's rule cannot be interpreted (no rule known, or one no set can satisfy).
    RulesNotSupported,
}

/// A mailbox operator (brevlådeoperatör) as FaR knows it (`rcpt:ServiceSupplier`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorRecord {
    /// Organisation number (`ServiceSupplier/Id`).
    pub id: OrganisationNumber,
    /// Display name (`ServiceSupplier/Name`).
    pub name: String,
    /// Where förmedlare deliver (`ServiceAdress`).
    pub service_address: Url,
    /// The operator's web inbox (`UIAdress`).
    pub ui_address: Option<Url>,
    /// The operator's internet domain.
    pub domain: ServiceDomain,
}

/// A sender (myndighet) allowed to send through Mina meddelanden.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderRecord {
    /// Organisation number.
    pub id: OrganisationNumber,
    /// Display name.
    pub name: String,
}

/// An intermediary (förmedlare; WSDL `Dispatcher`) and the senders it may deliver for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntermediaryRecord {
    /// Organisation number.
    pub id: OrganisationNumber,
    /// Display name.
    pub name: String,
    /// Senders this intermediary may deliver for.
    pub senders: BTreeSet<OrganisationNumber>,
}

/// Person (personnummer, samordningsnummer) or company (organisationsnummer) profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileKind {
    /// A person, sole traders included.
    Person,
    /// A company.
    Company,
}

/// Whether a profile is in use or waits for more company signatures (`rcpt2:AccountStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileStatus {
    /// Registered and reachable.
    Active,
    /// A company registration awaiting signatories.
    Pending,
}

/// Where a registration came from (portal deep link or campaign), for statistics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationSource {
    /// The sender whose link brought the person.
    pub sender: OrganisationNumber,
    /// The campaign, if the link named one.
    pub campaign: Option<CampaignCode>,
}

/// A recipient's profile in FaR: which operator holds the mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileRecord {
    /// The mailbox holder.
    pub recipient: RecipientId,
    /// The operator holding the mailbox.
    pub operator: OrganisationNumber,
    /// Person or company, from the recipient id.
    pub kind: ProfileKind,
    /// Active or pending.
    pub status: ProfileStatus,
    /// When the profile was registered at its current operator (`LastRegistration`).
    pub registered_at: OffsetDateTime,
    /// Deep link or campaign that led to the registration.
    pub source: Option<RegistrationSource>,
}

/// One answer of `is_reachable`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reachability {
    /// The id asked about.
    pub recipient: RecipientId,
    /// Its profile, or `None` (`Type=Not`: paper).
    pub profile: Option<ReachableProfile>,
}

/// A profile as seen by a sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReachableProfile {
    /// The profile.
    pub profile: ProfileRecord,
    /// Its operator (service address for delivery).
    pub operator: OperatorRecord,
    /// Whether the recipient deselected the asking sender.
    pub is_sender_deselected: bool,
    /// When the reception rules last changed.
    pub reception_changed_at: Option<OffsetDateTime>,
}

/// One person who may sign for a company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signatory {
    /// Personnummer.
    pub id: PersonalIdentityNumber,
    /// Name as registered.
    pub name: String,
}

/// A company's firmateckning: how many of which people must sign together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanySignatoryRule {
    /// The company.
    pub company: OrganisationNumber,
    /// The company's name (`CompanyName`).
    pub company_name: String,
    /// The rule in words, e.g. "två i förening" (`CompanySignatureRuleText`).
    pub rule_text: String,
    /// Distinct signatories needed.
    pub signatures_required: u32,
    /// Who may sign (`PossibleSigners`), by personnummer.
    pub signatories: Vec<Signatory>,
}

/// One answer of `registrations`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// The id asked about.
    pub recipient: RecipientId,
    /// Its profile and operator, or `None`.
    pub profile: Option<(ProfileRecord, OperatorRecord)>,
}

impl ProfileKind {
    /// The kind a recipient id implies.
    pub fn of(recipient: &RecipientId) -> Self {
        match recipient {
            RecipientId::Person(_) => Self::Person,
            RecipientId::Organisation(_) => Self::Company,
        }
    }
}
