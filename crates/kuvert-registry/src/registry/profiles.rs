//! Signed profile changes by operators (PROTOCOL.md §11.1–§11.5): register, change operator,
//! deregister, and reception rules. A person's change needs that person's e-ID signature; a
//! company's needs its signatory rule met (registration may stay pending; see `company`).

use std::collections::BTreeSet;

use kuvert_core::id::{PersonalIdentityNumber, RecipientId};
use kuvert_core::operator::ServiceDomain;
use kuvert_core::registry::{OperatorRecord, ProfileStatus, RegistrationSource, SenderRecord};
use kuvert_eid::SignatureData;
use kuvert_eid::signature::BoundAction;
use kuvert_store::registry::{NewProfile, SignatureRecord, SignedAction};
use time::OffsetDateTime;

use super::{Registry, SigningOutcome, VerifiedSignature, signatory, signature_record};
use crate::domain::access;
use crate::domain::binding::AskedChange;
use crate::domain::reception;
use crate::domain::signing;
use crate::error::{Error, SignedFor};
use kuvert_core::registry::SigningStatus;

/// A change a person (or a company's signatories) signed with e-ID.
#[derive(Debug, Clone)]
pub struct SignedChange {
    /// The profile to change.
    pub recipient: RecipientId,
    /// The person acting in the operator's UI (`UserIdentity`), when the operation names one.
    pub user: Option<PersonalIdentityNumber>,
    /// The text that was signed (`AgreementText`): the agreement, then the lines that bind
    /// it to this change (`kuvert_eid::signature::SigningBinding`).
    pub agreement_text: String,
    /// The signatures (1..n).
    pub signatures: Vec<SignatureData>,
}

impl Registry {
    /// `register`: opens a mailbox at the calling operator (`operator_domain` must be its own).
    /// A company's registration stays pending until enough signatories have signed.
    ///
    /// # Errors
    /// `NotAnOperator`, `OtherOperator`, `Signature` (5010), `SignatureRefused` (5010: used
    /// before, too old, bound to another change), `SignerIsNotRecipient`,
    /// `CompanyFormUnsupported`, `AlreadyExists("profile")`.
    #[tracing::instrument(skip_all, fields(caller = %caller))]
    pub async fn register(
        &self,
        caller: &kuvert_core::id::OrganisationNumber,
        operator_domain: &ServiceDomain,
        change: SignedChange,
        source: Option<RegistrationSource>,
    ) -> Result<SigningOutcome, Error> {
        let operator = self.target_operator(caller, operator_domain).await?;
        self.authorize_user(&change).await?;
        let asked = asked(BoundAction::Register, &change, &operator);
        let verified = self
            .verify_change(&change.agreement_text, change.signatures.clone(), asked)
            .await?;
        let person = match &change.recipient {
            RecipientId::Organisation(company) => {
                return self
                    .register_company(&operator, company, &change, verified, source)
                    .await;
            }
            RecipientId::Person(person) => person,
        };
        let signed = verified.signed;
        signing::require_person_signer(person, &super::signer_numbers(&signed))?;
        if self.store.profile(&change.recipient).await?.is_some() {
            return Err(Error::AlreadyExists("profile"));
        }
        let now = OffsetDateTime::now_utc();
        let record = signature_record(
            &change.recipient,
            SignedAction::Register,
            &operator.id,
            &change.agreement_text,
            first(&signed)?,
        );
        let profile = NewProfile {
            recipient: change.recipient.clone(),
            operator: operator.id.clone(),
            status: ProfileStatus::Active,
            registered_at: now,
            source,
        };
        self.claim_further(&signed).await.map_err(registering)?;
        self.store
            .register_profile(profile, record)
            .await
            .map_err(|error| registering(error.into()))?;
        metrics::counter!("kuvert_registry_registrations_total", "kind" => "person").increment(1);
        Ok(complete(&change.recipient, &signed))
    }

    /// `changeServiceSupplier`: moves a profile to the calling operator.
    ///
    /// # Errors
    /// As [`Registry::register`]; `NotFound("profile")` without a profile.
    #[tracing::instrument(skip_all, fields(caller = %caller))]
    pub async fn change_operator(
        &self,
        caller: &kuvert_core::id::OrganisationNumber,
        operator_domain: &ServiceDomain,
        change: SignedChange,
    ) -> Result<SigningOutcome, Error> {
        let operator = self.target_operator(caller, operator_domain).await?;
        self.authorize_user(&change).await?;
        if self.store.profile(&change.recipient).await?.is_none() {
            return Err(Error::NotFound("profile"));
        }
        let action = (BoundAction::ChangeOperator, SignedAction::ChangeOperator);
        let (outcome, record) = self.authorized_change(&change, &operator, action).await?;
        if let Some(record) = record {
            self.store
                .change_operator(&change.recipient, &operator.id, record)
                .await?;
            metrics::counter!("kuvert_registry_operator_changes_total").increment(1);
        }
        Ok(outcome)
    }

    /// `deregister`: closes a mailbox; only its operator may ask.
    ///
    /// # Errors
    /// `NotHoldingOperator`, `NotFound("profile")`, signature errors.
    #[tracing::instrument(skip_all, fields(caller = %caller))]
    pub async fn deregister(
        &self,
        caller: &kuvert_core::id::OrganisationNumber,
        change: SignedChange,
    ) -> Result<SigningOutcome, Error> {
        let operator = self.holding_operator(caller, &change).await?;
        let action = (BoundAction::Deregister, SignedAction::Deregister);
        let (outcome, record) = self.authorized_change(&change, &operator, action).await?;
        if let Some(record) = record {
            self.store
                .deregister_profile(&change.recipient, record)
                .await?;
            metrics::counter!("kuvert_registry_deregistrations_total").increment(1);
        }
        Ok(outcome)
    }

    /// `storeAccountPreferences`: new reception rules from the positive `AcceptedSenders`
    /// list (translated as `domain::reception` documents).
    ///
    /// # Errors
    /// `NotHoldingOperator`, `NotFound("profile")`, `Reception`, signature errors.
    #[tracing::instrument(skip_all, fields(caller = %caller, n_accepted = accepted.len()))]
    pub async fn store_reception_rules(
        &self,
        caller: &kuvert_core::id::OrganisationNumber,
        accepted: &[RecipientId],
        change: SignedChange,
    ) -> Result<SigningOutcome, Error> {
        let operator = self.holding_operator(caller, &change).await?;
        let all_senders = self.store.senders().await?;
        let deselected = reception::deselected_from_accepted(&all_senders, accepted)?;
        let action = (BoundAction::ReceptionRules, SignedAction::ReceptionRules);
        let (outcome, record) = self.authorized_change(&change, &operator, action).await?;
        if let Some(record) = record {
            self.store
                .store_reception_rules(&change.recipient, &deselected, record)
                .await?;
        }
        Ok(outcome)
    }

    /// `getAccountPreferences`: the senders a profile accepts; for its operator, on behalf of
    /// the person (or a company signatory).
    ///
    /// # Errors
    /// `NotHoldingOperator`, `UserNotEntitled`, `NotFound("profile")`.
    pub async fn reception_rules(
        &self,
        caller: &kuvert_core::id::OrganisationNumber,
        recipient: &RecipientId,
        user: &PersonalIdentityNumber,
    ) -> Result<Vec<SenderRecord>, Error> {
        let probe = SignedChange {
            recipient: recipient.clone(),
            user: Some(user.clone()),
            agreement_text: String::new(),
            signatures: Vec::new(),
        };
        self.holding_operator(caller, &probe).await?;
        let rules = self
            .store
            .reception_rules(recipient)
            .await?
            .ok_or(Error::NotFound("profile"))?;
        let all_senders = self.store.senders().await?;
        let accepted = reception::accepted_senders(&all_senders, &rules.deselected);
        Ok(accepted.into_iter().cloned().collect())
    }

    /// The calling operator, which must be the one `operator_domain` names.
    async fn target_operator(
        &self,
        caller: &kuvert_core::id::OrganisationNumber,
        operator_domain: &ServiceDomain,
    ) -> Result<OperatorRecord, Error> {
        let operator = self.operator_caller(caller).await?;
        let target = self
            .store
            .operator_by_domain(operator_domain)
            .await?
            .ok_or(Error::NotFound("operator"))?;
        access::require_same_operator(&operator, &target)?;
        Ok(operator)
    }

    /// The calling operator, which must hold the profile; the acting person must be entitled.
    async fn holding_operator(
        &self,
        caller: &kuvert_core::id::OrganisationNumber,
        change: &SignedChange,
    ) -> Result<OperatorRecord, Error> {
        let operator = self.operator_caller(caller).await?;
        self.authorize_user(change).await?;
        let profile = self
            .store
            .profile(&change.recipient)
            .await?
            .ok_or(Error::NotFound("profile"))?;
        access::require_holding_operator(&operator, &profile)?;
        Ok(operator)
    }

    /// The acting person, when named, must be the recipient or a company signatory.
    async fn authorize_user(&self, change: &SignedChange) -> Result<(), Error> {
        let Some(user) = &change.user else {
            return Ok(());
        };
        let rule = match &change.recipient {
            RecipientId::Organisation(company) => {
                self.store.company_signatory_rule(company).await?
            }
            RecipientId::Person(_) => None,
        };
        Ok(access::authorize_user(
            &change.recipient,
            user,
            rule.as_ref(),
        )?)
    }

    /// Verifies the signatures of a change other than registration (bound to `action` at
    /// `operator`) and judges its signers. When they complete the change, claims the further
    /// signatures and gives the audit record the store keeps with it; otherwise `None`, and
    /// nothing may change. `action` is the change as the signed text names it and as the
    /// audit record keeps it.
    async fn authorized_change(
        &self,
        change: &SignedChange,
        operator: &OperatorRecord,
        action: (BoundAction, SignedAction),
    ) -> Result<(SigningOutcome, Option<SignatureRecord>), Error> {
        let (bound_action, signed_action) = action;
        let asked = asked(bound_action, change, operator);
        let signed = self
            .verify_change(&change.agreement_text, change.signatures.clone(), asked)
            .await?
            .signed;
        let outcome = self.authorize_signers(&change.recipient, &signed).await?;
        if outcome.status != SigningStatus::Complete {
            return Ok((outcome, None));
        }
        self.claim_further(&signed).await?;
        let record = signature_record(
            &change.recipient,
            signed_action,
            &operator.id,
            &change.agreement_text,
            first(&signed)?,
        );
        Ok((outcome, Some(record)))
    }

    /// Whether `signed` authorises a change of `recipient` now. A company's change other than
    /// registration is never kept pending: the signatures must meet the rule in one request,
    /// otherwise the outcome is `Incomplete` and nothing changes.
    async fn authorize_signers(
        &self,
        recipient: &RecipientId,
        signed: &[VerifiedSignature],
    ) -> Result<SigningOutcome, Error> {
        let numbers = super::signer_numbers(signed);
        match recipient {
            RecipientId::Person(person) => {
                signing::require_person_signer(person, &numbers)?;
                Ok(complete(recipient, signed))
            }
            RecipientId::Organisation(company) => {
                signing::company_form(company)?;
                let Some(rule) = self.store.company_signatory_rule(company).await? else {
                    return Ok(not_supported(recipient, signed));
                };
                let set: BTreeSet<_> = numbers.into_iter().collect();
                let evaluation = signing::evaluate_company(&rule, &set)?;
                Ok(SigningOutcome {
                    recipient: recipient.clone(),
                    status: evaluation.status,
                    signed_by: evaluation.signed_by,
                    possible_signers: evaluation.possible_signers,
                    at: OffsetDateTime::now_utc(),
                })
            }
        }
    }
}

/// The change `change` asks `operator` to make, as its signed text must name it.
fn asked<'a>(
    action: BoundAction,
    change: &'a SignedChange,
    operator: &'a OperatorRecord,
) -> AskedChange<'a> {
    AskedChange {
        action,
        recipient: &change.recipient,
        operator_domain: &operator.domain,
    }
}

/// A refused signature of a registration carries the registration's fault code (5010).
pub(super) fn registering(error: Error) -> Error {
    match error {
        Error::SignatureRefused { refusal, .. } => Error::SignatureRefused {
            refusal,
            signed_for: SignedFor::Registration,
        },
        other => other,
    }
}

/// The signature recorded with a change (the first; every one was verified).
fn first(signed: &[VerifiedSignature]) -> Result<&VerifiedSignature, Error> {
    signed
        .first()
        .ok_or_else(|| Error::InvalidInput("no signature".to_owned()))
}

/// A completed change signed by `signed`.
pub(super) fn complete(recipient: &RecipientId, signed: &[VerifiedSignature]) -> SigningOutcome {
    SigningOutcome {
        recipient: recipient.clone(),
        status: SigningStatus::Complete,
        signed_by: signed.iter().map(signatory).collect(),
        possible_signers: Vec::new(),
        at: OffsetDateTime::now_utc(),
    }
}

/// No signatory rule is known for the company: nothing can be judged or changed.
pub(super) fn not_supported(
    recipient: &RecipientId,
    signed: &[VerifiedSignature],
) -> SigningOutcome {
    SigningOutcome {
        status: SigningStatus::RulesNotSupported,
        possible_signers: Vec::new(),
        ..complete(recipient, signed)
    }
}
