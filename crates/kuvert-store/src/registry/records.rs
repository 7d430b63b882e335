//! Record types of the registry store: the typed shapes that go in and come out of
//! [`super::RegistryStore`] beside the domain values of `kuvert_core::registry`, and the text
//! each of those is stored as ([`DbText`]).

use std::collections::BTreeSet;

use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber, RecipientId};
use kuvert_core::registry::{CompanySignatoryRule, ProfileKind, ProfileStatus, RegistrationSource};
use time::OffsetDateTime;
use uuid::Uuid;

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

/// The text a registry domain value (kept in `kuvert_core::registry`) is stored as.
pub(crate) trait DbText: Sized {
    /// The stored text.
    fn as_db(&self) -> &'static str;
    /// The value of a stored text; `None` for text the store never writes.
    fn from_db(text: &str) -> Option<Self>;
}

impl DbText for ProfileKind {
    fn as_db(&self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::Company => "company",
        }
    }

    fn from_db(text: &str) -> Option<Self> {
        match text {
            "person" => Some(Self::Person),
            "company" => Some(Self::Company),
            _ => None,
        }
    }
}

impl DbText for ProfileStatus {
    fn as_db(&self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Pending => "pending",
        }
    }

    fn from_db(text: &str) -> Option<Self> {
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
