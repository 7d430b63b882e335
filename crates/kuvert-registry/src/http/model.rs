//! JSON shapes of the REST API (`/api/v1`), separate from the domain types and converted by
//! hand (STYLE.md §5). Identity numbers travel as their canonical strings.

use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber, RecipientId};
use kuvert_core::registry::{IntermediaryRecord, OperatorRecord, SenderRecord, Signatory};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::domain::reachability::ReachabilityAnswer;
use crate::registry::SigningOutcome;
use kuvert_core::registry::SigningStatus;

/// `POST /api/v1/reachability`: can `sender` reach these recipients (at most 1000)?
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReachabilityRequest {
    /// The sender's organisation number (10 digits, or `16` + 10 digits).
    #[schema(value_type = String, example = "2021004748")]
    pub(crate) sender: OrganisationNumber,
    /// Personnummer, samordningsnummer or `16` + organisation number, 12 characters.
    #[schema(value_type = Vec<String>)]
    pub(crate) recipients: Vec<RecipientId>,
}

/// `POST /api/v1/registrations`: the profiles of these recipients (at most 1000).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RegistrationsRequest {
    /// Recipient ids in wire form.
    #[schema(value_type = Vec<String>)]
    pub(crate) recipients: Vec<RecipientId>,
}

/// One recipient's status.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RecipientStatus {
    /// The recipient id (wire form).
    pub(crate) recipient: String,
    /// Whether a letter can go digitally now.
    pub(crate) is_reachable: bool,
    /// Whether the profile accepts the asking sender (false without a profile).
    pub(crate) accepts_sender: bool,
    /// When the reception rules last changed (RFC 3339).
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>)]
    pub(crate) last_sender_accept_change: Option<OffsetDateTime>,
    /// The profile, or `null` (paper mail).
    pub(crate) profile: Option<ProfileView>,
}

/// A profile as senders and operators see it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ProfileView {
    /// A company registration still awaiting signatories.
    pub(crate) is_pending: bool,
    /// When the profile was registered at its operator (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String)]
    pub(crate) registered_at: OffsetDateTime,
    /// The operator holding the mailbox.
    pub(crate) operator: OperatorView,
}

/// A mailbox operator.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OperatorView {
    /// Organisation number (10 digits).
    pub(crate) id: String,
    /// Name.
    pub(crate) name: String,
    /// Internet domain (the `ServiceSupplier` value).
    pub(crate) domain: String,
    /// Where letters are delivered (`deliverSecure`).
    pub(crate) service_address: String,
    /// The web inbox.
    pub(crate) ui_address: Option<String>,
}

/// A sender.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SenderView {
    /// Organisation number (10 digits).
    pub(crate) id: String,
    /// Name.
    pub(crate) name: String,
}

/// An intermediary and the senders it may deliver for.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct IntermediaryView {
    /// Organisation number (10 digits).
    pub(crate) id: String,
    /// Name.
    pub(crate) name: String,
    /// Organisation numbers of its senders.
    pub(crate) senders: Vec<String>,
}

/// One e-ID signature (`common:SignatureData`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignatureDataJson {
    /// The signature, base64.
    pub(crate) signature: String,
    /// The signer's certificate, base64 DER.
    pub(crate) certificate: String,
    /// The nonce signed together with the text.
    pub(crate) nonce: String,
}

/// Where a registration came from: a sender's deep link and campaign (portal statistics).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SourceJson {
    /// The sender whose deep link brought the person.
    #[schema(value_type = String)]
    pub(crate) sender: OrganisationNumber,
    /// The campaign code, if the link had one.
    pub(crate) campaign: Option<String>,
}

/// `POST /api/v1/profiles/register`, `/change-operator`, `/deregister`, `/preferences`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignedChangeJson {
    /// The profile (wire form).
    #[schema(value_type = String)]
    pub(crate) recipient: RecipientId,
    /// The person acting (personnummer), when not the recipient itself.
    #[schema(value_type = Option<String>)]
    pub(crate) user: Option<PersonalIdentityNumber>,
    /// The operator's domain (register, change-operator).
    pub(crate) operator_domain: Option<String>,
    /// The signed text.
    pub(crate) agreement_text: String,
    /// The signatures (1..n).
    pub(crate) signatures: Vec<SignatureDataJson>,
    /// Accepted senders (preferences only): organisation numbers.
    #[schema(value_type = Option<Vec<String>>)]
    pub(crate) accepted_senders: Option<Vec<OrganisationNumber>>,
    /// Deep link and campaign (register only).
    pub(crate) source: Option<SourceJson>,
}

/// The outcome of a signed change.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OutcomeView {
    /// `Complete`, `Incomplete` or `RulesNotSupported`.
    pub(crate) status: &'static str,
    /// Names of those who signed.
    pub(crate) signed_by: Vec<String>,
    /// Names of those who could still sign.
    pub(crate) possible_signers: Vec<String>,
}

impl RecipientStatus {
    pub(crate) fn from_answer(answer: ReachabilityAnswer) -> Self {
        Self {
            recipient: answer.recipient.to_wire(),
            is_reachable: answer.is_reachable,
            accepts_sender: answer.accepts_sender,
            last_sender_accept_change: answer.last_sender_accept_change,
            profile: answer.account.map(|account| ProfileView {
                is_pending: account.is_pending,
                registered_at: account.registered_at,
                operator: OperatorView::from_record(&account.operator),
            }),
        }
    }
}

impl OperatorView {
    pub(crate) fn from_record(record: &OperatorRecord) -> Self {
        Self {
            id: record.id.as_str().to_owned(),
            name: record.name.clone(),
            domain: record.domain.as_str().to_owned(),
            service_address: record.service_address.to_string(),
            ui_address: record.ui_address.as_ref().map(ToString::to_string),
        }
    }
}

impl SenderView {
    pub(crate) fn from_record(record: &SenderRecord) -> Self {
        Self {
            id: record.id.as_str().to_owned(),
            name: record.name.clone(),
        }
    }
}

impl IntermediaryView {
    pub(crate) fn from_record(record: &IntermediaryRecord) -> Self {
        Self {
            id: record.id.as_str().to_owned(),
            name: record.name.clone(),
            senders: record
                .senders
                .iter()
                .map(|sender| sender.as_str().to_owned())
                .collect(),
        }
    }
}

impl OutcomeView {
    pub(crate) fn from_outcome(outcome: &SigningOutcome) -> Self {
        let names =
            |people: &[Signatory]| people.iter().map(|person| person.name.clone()).collect();
        Self {
            status: match outcome.status {
                SigningStatus::Complete => "Complete",
                SigningStatus::Incomplete => "Incomplete",
                SigningStatus::RulesNotSupported => "RulesNotSupported",
            },
            signed_by: names(&outcome.signed_by),
            possible_signers: names(&outcome.possible_signers),
        }
    }
}
