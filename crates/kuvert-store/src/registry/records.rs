//! Record types of the registry store: the typed shapes that go in and come out of
//! [`super::RegistryStore`].

use std::collections::BTreeSet;

use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber, RecipientId};
use kuvert_core::operator::ServiceDomain;
use time::OffsetDateTime;
use url::Url;
use uuid::Uuid;

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

/// A profile to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProfile {
    /// The mailbox holder.
    pub recipient: RecipientId,
    /// The operator holding the mailbox.
    pub operator: OrganisationNumber,
    /// Active, or pending for a company awaiting signatures.
    pub status: ProfileStatus,
    /// Registration time (stored to the millisecond).
    pub registered_at: OffsetDateTime,
    /// Deep link or campaign that led here.
    pub source: Option<RegistrationSource>,
}

/// Which change a signature authorised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedAction {
    /// `register` (§11.1).
    Register,
    /// `changeServiceSupplier` (§11.3).
    ChangeOperator,
    /// `deregister` (§11.4).
    Deregister,
    /// `storeAccountPreferences` (§11.5).
    ReceptionRules,
    /// One signatory's part of a company registration (§11.9).
    CompanyRegistration,
}

/// Id of a stored signature, made by the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SignatureId(Uuid);

/// Who signed what and when (`common:SignatureData` plus context), kept for audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureRecord {
    /// Id of this record.
    pub id: SignatureId,
    /// The profile the signature is about.
    pub recipient: RecipientId,
    /// The change it authorised.
    pub action: SignedAction,
    /// The person who signed (from the verified e-ID certificate).
    pub signatory: PersonalIdentityNumber,
    /// The operator that submitted it.
    pub operator: OrganisationNumber,
    /// The text the person signed (`AgreementText`).
    pub agreement_text: String,
    /// The signature bytes as base64 (`SignatureData/Signature`).
    pub signature_base64: String,
    /// The signer's certificate as sent (`SignatureData/Certificate`).
    pub certificate: String,
    /// When it was signed (stored to the millisecond).
    pub signed_at: OffsetDateTime,
}

/// A profile's reception rules: every sender is accepted except the deselected ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceptionRules {
    /// Senders whose post goes on paper instead.
    pub deselected: BTreeSet<OrganisationNumber>,
    /// When the rules last changed (`LastSenderAcceptChange`); `None` if never.
    pub last_change_at: Option<OffsetDateTime>,
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

/// One answer of `registrations`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// The id asked about.
    pub recipient: RecipientId,
    /// Its profile and operator, or `None`.
    pub profile: Option<(ProfileRecord, OperatorRecord)>,
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

/// A company registration to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCompanyRegistration {
    /// The company.
    pub company: OrganisationNumber,
    /// The operator the company chose.
    pub operator: OrganisationNumber,
    /// The agreement text being signed.
    pub agreement_text: String,
    /// When it was requested.
    pub requested_at: OffsetDateTime,
}

/// A company registration waiting for enough signatories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingCompanyRegistration {
    /// The company.
    pub company: OrganisationNumber,
    /// The requested operator.
    pub operator: OrganisationNumber,
    /// The agreement text being signed.
    pub agreement_text: String,
    /// When it was requested.
    pub requested_at: OffsetDateTime,
    /// Signatures so far, oldest first.
    pub signatures: Vec<SignatureRecord>,
    /// The company's signatory rule, if known.
    pub rule: Option<CompanySignatoryRule>,
}

impl ProfileKind {
    /// The kind a recipient id implies.
    pub fn of(recipient: &RecipientId) -> Self {
        match recipient {
            RecipientId::Person(_) => Self::Person,
            RecipientId::Organisation(_) => Self::Company,
        }
    }

    pub(crate) fn as_db(self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::Company => "company",
        }
    }

    pub(crate) fn from_db(text: &str) -> Option<Self> {
        match text {
            "person" => Some(Self::Person),
            "company" => Some(Self::Company),
            _ => None,
        }
    }
}

impl ProfileStatus {
    pub(crate) fn as_db(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Pending => "pending",
        }
    }

    pub(crate) fn from_db(text: &str) -> Option<Self> {
        match text {
            "active" => Some(Self::Active),
            "pending" => Some(Self::Pending),
            _ => None,
        }
    }
}

impl SignedAction {
    pub(crate) fn as_db(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::ChangeOperator => "change_operator",
            Self::Deregister => "deregister",
            Self::ReceptionRules => "reception_rules",
            Self::CompanyRegistration => "company_registration",
        }
    }

    pub(crate) fn from_db(text: &str) -> Option<Self> {
        [
            Self::Register,
            Self::ChangeOperator,
            Self::Deregister,
            Self::ReceptionRules,
            Self::CompanyRegistration,
        ]
        .into_iter()
        .find(|action| action.as_db() == text)
    }
}

impl SignatureId {
    /// A fresh, time-ordered id.
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }

    /// The id as a UUID.
    pub fn as_uuid(&self) -> Uuid {
        self.0
    }

    pub(crate) fn from_uuid(uuid: Uuid) -> Self {
        Self(uuid)
    }
}

impl Default for SignatureId {
    fn default() -> Self {
        Self::new()
    }
}
