//! Conversions between the registry's domain answers and `kuvert-wire`'s typed elements, in
//! both directions (e-ID `SignatureData` in, statuses and results out).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use kuvert_core::id::RecipientId;
use kuvert_core::registry::{OperatorRecord, ProfileStatus, SenderRecord, Signatory};
use kuvert_eid::signature::SignatureDataFields;
use kuvert_wire::recipient::{AccountInformation, AuthorizedAccount, IsAuthorizedSigner};
use kuvert_wire::types::{
    AccountPreferences, AccountRequest, AccountStatus, Operator, PendingAccountRequest, Person,
    ReachabilityStatus, SenderEntry, SignatureAuthorizationResult, SignatureData,
};
use kuvert_wire::values::{
    AccountRequestType, AccountType, AuthorizationStatus, CompanyAccountState, SignatoryId,
};

use crate::domain::reachability::ReachabilityAnswer;
use crate::domain::signing::CompanyEvaluation;
use crate::error::{Error, SignedFor};
use crate::registry::{AuthorizedSigner, PendingRequest, SigningOutcome};

/// The e-ID form of the wire's signatures; a malformed one is a signature error.
pub(crate) fn eid_signatures(
    signatures: &[SignatureData],
    signed_for: SignedFor,
) -> Result<Vec<kuvert_eid::SignatureData>, Error> {
    signatures
        .iter()
        .map(|wire| {
            let fields = SignatureDataFields {
                signature: STANDARD.encode(&wire.signature),
                certificate: wire.certificate.clone(),
                nonce: wire.nonce.clone(),
                encoding_of_signed_text: wire.encoding_of_signed_text.clone(),
            };
            kuvert_eid::SignatureData::from_fields(&fields).map_err(|error| Error::Signature {
                reason: error.to_string(),
                signed_for,
            })
        })
        .collect()
}

/// `rcpt:AccountStatus` of an answer, taking its values instead of copying them (a thousand
/// per `isReachable` or `isRegistered` call).
pub(crate) fn account_status(answer: ReachabilityAnswer) -> AccountStatus {
    match answer.account {
        None => AccountStatus {
            recipient: answer.recipient,
            account_type: AccountType::Not,
            is_pending: false,
            operator: None,
            last_registration: None,
        },
        Some(account) => AccountStatus {
            recipient: answer.recipient,
            account_type: AccountType::Secure,
            is_pending: account.is_pending,
            operator: Some(operator(account.operator)),
            last_registration: Some(account.registered_at),
        },
    }
}

/// `rcpt:ServiceSupplier` of an operator record.
fn operator(record: OperatorRecord) -> Operator {
    Operator {
        id: record.id,
        name: record.name,
        logo: None,
        service_address: record.service_address.into(),
        ui_address: record.ui_address.map(Into::into),
    }
}

/// `rcpt:ReachabilityStatus` of an answer.
pub(crate) fn reachability_status(answer: ReachabilityAnswer) -> ReachabilityStatus {
    let (accepts_sender, last_sender_accept_change) =
        (answer.accepts_sender, answer.last_sender_accept_change);
    ReachabilityStatus {
        account: account_status(answer),
        accepts_sender,
        last_sender_accept_change,
    }
}

/// `sndr:Sender` of a sender record.
pub(crate) fn sender_entry(record: &SenderRecord) -> SenderEntry {
    SenderEntry {
        id: RecipientId::Organisation(record.id.clone()),
        name: record.name.clone(),
        attention: None,
    }
}

/// `rcpt:AccountPreferences` listing the accepted senders.
pub(crate) fn account_preferences(
    recipient: &RecipientId,
    accepted: &[SenderRecord],
) -> AccountPreferences {
    AccountPreferences {
        recipient: recipient.clone(),
        accepted_senders: accepted.iter().map(sender_entry).collect(),
    }
}

/// `auth:Person` of a signatory.
pub(crate) fn person(signatory: &Signatory) -> Person {
    Person {
        id: SignatoryId::person(&signatory.id),
        name: signatory.name.clone(),
    }
}

/// `auth:SignatureAuthorizationResult` of a signed change.
pub(crate) fn signature_result(outcome: &SigningOutcome) -> SignatureAuthorizationResult {
    SignatureAuthorizationResult {
        recipient: Some(outcome.recipient.clone()),
        signed_by: outcome.signed_by.iter().map(person).collect(),
        status: Some(AuthorizationStatus::from(outcome.status)),
        timestamp: Some(outcome.at),
        text: None,
        possible_signers: outcome.possible_signers.iter().map(person).collect(),
    }
}

/// `auth:SignatureAuthorizationResult` of a company evaluation (Authority operations).
pub(crate) fn evaluation_result(
    company: &RecipientId,
    evaluation: &CompanyEvaluation,
) -> SignatureAuthorizationResult {
    SignatureAuthorizationResult {
        recipient: Some(company.clone()),
        signed_by: evaluation.signed_by.iter().map(person).collect(),
        status: Some(AuthorizationStatus::from(evaluation.status)),
        timestamp: Some(time::OffsetDateTime::now_utc()),
        text: None,
        possible_signers: evaluation.possible_signers.iter().map(person).collect(),
    }
}

/// `rcpt:PendingAccountRequest` of a pending company registration.
pub(crate) fn pending_account_request(request: &PendingRequest) -> PendingAccountRequest {
    let recipient = RecipientId::Organisation(request.pending.company.clone());
    PendingAccountRequest {
        request: AccountRequest {
            recipient: recipient.clone(),
            kind: AccountRequestType::Create,
            agreement_text: request.pending.agreement_text.clone(),
            date: request.pending.requested_at.date(),
            operator_domain: request.operator_domain.clone(),
        },
        signature_status: evaluation_result(&recipient, &request.evaluation),
    }
}

/// `rcpt2:AuthorizedAccount` of an `isAuthorizedSigner` answer.
pub(crate) fn authorized_account(
    request: &IsAuthorizedSigner,
    answer: &AuthorizedSigner,
) -> AuthorizedAccount {
    AuthorizedAccount {
        is_authorized_signer: answer.is_authorized_signer,
        user: request.user.clone(),
        company: request.company.clone(),
        company_name: answer.rule.company_name.clone(),
        signature_rule_text: answer.rule.rule_text.clone(),
        possible_signers: answer.rule.signatories.iter().map(person).collect(),
        account_information: account_information(answer),
    }
}

fn account_information(answer: &AuthorizedSigner) -> Option<AccountInformation> {
    if let Some(pending) = &answer.pending {
        return Some(AccountInformation {
            state: CompanyAccountState::Pending,
            signed_by: pending.evaluation.signed_by.iter().map(person).collect(),
            signature_status: AuthorizationStatus::from(pending.evaluation.status),
            operator_domain: Some(pending.operator_domain.clone()),
            agreement_text: Some(pending.pending.agreement_text.clone()),
        });
    }
    let profile = answer.profile.as_ref()?;
    let state = match profile.status {
        ProfileStatus::Active => CompanyAccountState::Active,
        ProfileStatus::Pending => CompanyAccountState::Pending,
    };
    Some(AccountInformation {
        state,
        signed_by: Vec::new(),
        signature_status: AuthorizationStatus::Complete,
        operator_domain: answer.operator_domain.clone(),
        agreement_text: None,
    })
}
