//! Company profiles (PROTOCOL.md §11.1 step 7, §11.9): registrations that wait for enough
//! authorised signatories, and the questions operators ask while collecting them
//! (`getPendingAccountRequest`, `deletePendingAccountRequest`, `isAuthorizedSigner`,
//! Authority `testNewSigner` and `verifyAuthorizedSignatures`).

use std::collections::BTreeSet;

use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber, RecipientId};
use kuvert_core::operator::ServiceDomain;
use kuvert_core::registry::{
    CompanySignatoryRule, OperatorRecord, ProfileRecord, RegistrationSource,
};
use kuvert_eid::SignatureData;
use kuvert_store::registry::{NewCompanyRegistration, PendingCompanyRegistration, SignedAction};
use time::OffsetDateTime;

use super::profiles::{SignedChange, not_supported, registering};
use super::{ChangeSignatures, Registry, SigningOutcome, VerifiedSignature, signature_record};
use crate::domain::access::{self, AccessError};
use crate::domain::signing::{self, CompanyEvaluation};
use crate::error::{Error, SignedFor};
use kuvert_core::registry::SigningStatus;

/// A pending company registration as operators see it.
#[derive(Debug, Clone)]
pub struct PendingRequest {
    /// The registration and its signatures.
    pub pending: PendingCompanyRegistration,
    /// The requested operator's domain (`AccountRequest/ServiceSupplier`).
    pub operator_domain: ServiceDomain,
    /// The signatures judged against the company's rule.
    pub evaluation: CompanyEvaluation,
}

/// The answer of `isAuthorizedSigner`.
#[derive(Debug, Clone)]
pub struct AuthorizedSigner {
    /// Whether the person is one of the company's signatories.
    pub is_authorized_signer: bool,
    /// The company's rule (name, rule text, signatories).
    pub rule: CompanySignatoryRule,
    /// The company's profile, if any.
    pub profile: Option<ProfileRecord>,
    /// Its operator's domain, when there is a profile.
    pub operator_domain: Option<ServiceDomain>,
    /// A pending registration with its judgement, if one is open.
    pub pending: Option<PendingRequest>,
}

impl Registry {
    /// The company half of `register`: opens or extends the pending registration, and
    /// completes it when the signatures meet the company's rule.
    pub(super) async fn register_company(
        &self,
        operator: &OperatorRecord,
        company: &OrganisationNumber,
        change: &SignedChange,
        verified: ChangeSignatures,
        source: Option<RegistrationSource>,
    ) -> Result<SigningOutcome, Error> {
        let ChangeSignatures { signed, agreement } = verified;
        signing::company_form(company)?;
        let Some(rule) = self.store.company_signatory_rule(company).await? else {
            return Ok(not_supported(&change.recipient, &signed));
        };
        let new_signers: BTreeSet<_> = super::signer_numbers(&signed).into_iter().collect();
        signing::evaluate_company(&rule, &new_signers)?;
        if let Some(profile) = self.store.profile(&change.recipient).await?
            && profile.status == kuvert_core::registry::ProfileStatus::Active
        {
            return Err(Error::AlreadyExists("profile"));
        }
        let pending = self
            .open_pending(operator, company, change, &agreement, &signed)
            .await
            .map_err(registering)?;
        let mut already: BTreeSet<PersonalIdentityNumber> = pending
            .signatures
            .iter()
            .map(|record| record.signatory.clone())
            .collect();
        for signature in &signed {
            if already.insert(signature.signer.personal_identity_number.clone()) {
                let record = company_record(&change.recipient, operator, change, signature);
                self.store
                    .add_company_signature(company, record)
                    .await
                    .map_err(|error| registering(error.into()))?;
            }
        }
        let evaluation = signing::evaluate_company(&rule, &already)?;
        if evaluation.status == SigningStatus::Complete {
            let now = OffsetDateTime::now_utc();
            self.store
                .complete_company_registration(company, now, source)
                .await?;
            metrics::counter!("kuvert_registry_registrations_total", "kind" => "company")
                .increment(1);
        }
        Ok(outcome(&change.recipient, evaluation))
    }

    /// The pending registration of `company` at `operator`, opened with the first signature
    /// when there is none. Every signatory signs the same `agreement` (the signed text
    /// without the lines binding it to one signatory's signing).
    async fn open_pending(
        &self,
        operator: &OperatorRecord,
        company: &OrganisationNumber,
        change: &SignedChange,
        agreement: &str,
        signed: &[VerifiedSignature],
    ) -> Result<PendingCompanyRegistration, Error> {
        if let Some(pending) = self.store.pending_company_registration(company).await? {
            if pending.operator != operator.id {
                return Err(AccessError::OtherOperator {
                    caller: operator.id.clone(),
                }
                .into());
            }
            if pending.agreement_text != agreement {
                let reason = "AgreementText differs from the pending registration's text";
                return Err(Error::InvalidInput(reason.to_owned()));
            }
            return Ok(pending);
        }
        let first = signed
            .first()
            .ok_or(Error::InvalidInput("no signature".to_owned()))?;
        let request = NewCompanyRegistration {
            company: company.clone(),
            operator: operator.id.clone(),
            agreement_text: agreement.to_owned(),
            requested_at: OffsetDateTime::now_utc(),
        };
        let record = company_record(&change.recipient, operator, change, first);
        Ok(self
            .store
            .start_company_registration(request, record)
            .await?)
    }

    /// `getPendingAccountRequest`: the pending registrations among `recipients` that `user`
    /// may sign for. The registry keeps no index from person to company, so an empty list of
    /// recipients yields an empty answer.
    ///
    /// # Errors
    /// `NotAnOperator`.
    pub async fn pending_requests(
        &self,
        caller: &OrganisationNumber,
        recipients: &[RecipientId],
        user: &PersonalIdentityNumber,
    ) -> Result<Vec<PendingRequest>, Error> {
        self.operator_caller(caller).await?;
        let mut requests = Vec::new();
        for recipient in recipients {
            let RecipientId::Organisation(company) = recipient else {
                continue;
            };
            let Some(request) = self.pending_request(company).await? else {
                continue;
            };
            let is_entitled =
                request.pending.rule.as_ref().is_some_and(|rule| {
                    access::authorize_user(recipient, user, Some(rule)).is_ok()
                });
            if is_entitled {
                requests.push(request);
            }
        }
        Ok(requests)
    }

    /// `deletePendingAccountRequest`: cancels a pending registration opened by the caller.
    ///
    /// # Errors
    /// `NotAnOperator`, `NotFound("pending account request")`, `OtherOperator`,
    /// `UserNotEntitled`.
    pub async fn cancel_pending(
        &self,
        caller: &OrganisationNumber,
        recipient: &RecipientId,
        user: &PersonalIdentityNumber,
    ) -> Result<(), Error> {
        let operator = self.operator_caller(caller).await?;
        let not_found = Error::NotFound("pending account request");
        let RecipientId::Organisation(company) = recipient else {
            return Err(not_found);
        };
        let pending = self
            .store
            .pending_company_registration(company)
            .await?
            .ok_or(not_found)?;
        if pending.operator != operator.id {
            return Err(AccessError::OtherOperator {
                caller: operator.id,
            }
            .into());
        }
        access::authorize_user(recipient, user, pending.rule.as_ref())?;
        self.store.cancel_company_registration(company).await?;
        Ok(())
    }

    /// `isAuthorizedSigner`: may `user` sign for `company`, under which rule, and what is the
    /// state of its account.
    ///
    /// # Errors
    /// `NotAnOperator`, `InvalidInput` for a person id, `CompanyFormUnsupported`,
    /// `NotFound("company signatory rule")`.
    pub async fn authorized_signer(
        &self,
        caller: &OrganisationNumber,
        company: &RecipientId,
        user: &PersonalIdentityNumber,
    ) -> Result<AuthorizedSigner, Error> {
        self.operator_caller(caller).await?;
        let number = company_number(company)?;
        signing::company_form(number)?;
        let rule = self
            .store
            .company_signatory_rule(number)
            .await?
            .ok_or(Error::NotFound("company signatory rule"))?;
        let is_authorized_signer = rule
            .signatories
            .iter()
            .any(|signatory| &signatory.id == user);
        let profile = self.store.profile(company).await?;
        let operator_domain = match &profile {
            Some(profile) => self.operator_domain(&profile.operator).await?,
            None => None,
        };
        let pending = self.pending_request(number).await?;
        Ok(AuthorizedSigner {
            is_authorized_signer,
            rule,
            profile,
            operator_domain,
            pending,
        })
    }

    /// Authority `testNewSigner`: would `signers` plus `candidate` meet the company's rule?
    ///
    /// # Errors
    /// `NotAnOperator`, `CompanyFormUnsupported`, `NotAuthorisedSignatory`.
    pub async fn test_new_signer(
        &self,
        caller: &OrganisationNumber,
        company: &RecipientId,
        signers: BTreeSet<PersonalIdentityNumber>,
    ) -> Result<Option<CompanyEvaluation>, Error> {
        self.operator_caller(caller).await?;
        let number = company_number(company)?;
        signing::company_form(number)?;
        let Some(rule) = self.store.company_signatory_rule(number).await? else {
            return Ok(None);
        };
        Ok(Some(signing::evaluate_company(&rule, &signers)?))
    }

    /// Authority `verifyAuthorizedSignatures`: do these e-ID signatures over `signed_text`
    /// meet the company's rule? `None` when no rule is known.
    ///
    /// # Errors
    /// `NotAnOperator`, `Signature`, `CompanyFormUnsupported`, `NotAuthorisedSignatory`.
    pub async fn verify_company_signatures(
        &self,
        caller: &OrganisationNumber,
        company: &RecipientId,
        signed_text: &str,
        signatures: Vec<SignatureData>,
    ) -> Result<Option<CompanyEvaluation>, Error> {
        self.operator_caller(caller).await?;
        let signed = self.verify_all(signed_text, signatures, SignedFor::OtherChange)?;
        let signers = super::signer_numbers(&signed).into_iter().collect();
        let number = company_number(company)?;
        signing::company_form(number)?;
        let Some(rule) = self.store.company_signatory_rule(number).await? else {
            return Ok(None);
        };
        Ok(Some(signing::evaluate_company(&rule, &signers)?))
    }

    async fn pending_request(
        &self,
        company: &OrganisationNumber,
    ) -> Result<Option<PendingRequest>, Error> {
        let Some(pending) = self.store.pending_company_registration(company).await? else {
            return Ok(None);
        };
        let signers = pending
            .signatures
            .iter()
            .map(|record| record.signatory.clone())
            .collect();
        let evaluation = match &pending.rule {
            Some(rule) => signing::evaluate_company(rule, &signers)?,
            None => CompanyEvaluation {
                status: SigningStatus::RulesNotSupported,
                signed_by: Vec::new(),
                possible_signers: Vec::new(),
            },
        };
        // The store keeps a pending registration's operator (a foreign key).
        let operator_domain = self
            .operator_domain(&pending.operator)
            .await?
            .ok_or(Error::NotFound("operator"))?;
        Ok(Some(PendingRequest {
            pending,
            operator_domain,
            evaluation,
        }))
    }

    async fn operator_domain(
        &self,
        id: &OrganisationNumber,
    ) -> Result<Option<ServiceDomain>, Error> {
        Ok(self.store.operator(id).await?.map(|record| record.domain))
    }
}

/// The organisation number of a company id; a person id is invalid here.
fn company_number(company: &RecipientId) -> Result<&OrganisationNumber, Error> {
    match company {
        RecipientId::Organisation(number) => Ok(number),
        RecipientId::Person(_) => Err(Error::InvalidInput(
            "CompanyId is a personal identity number".to_owned(),
        )),
    }
}

fn company_record(
    recipient: &RecipientId,
    operator: &OperatorRecord,
    change: &SignedChange,
    signature: &VerifiedSignature,
) -> kuvert_store::registry::SignatureRecord {
    let action = SignedAction::CompanyRegistration;
    signature_record(
        recipient,
        action,
        &operator.id,
        &change.agreement_text,
        signature,
    )
}

fn outcome(recipient: &RecipientId, evaluation: CompanyEvaluation) -> SigningOutcome {
    SigningOutcome {
        recipient: recipient.clone(),
        status: evaluation.status,
        signed_by: evaluation.signed_by,
        possible_signers: evaluation.possible_signers,
        at: OffsetDateTime::now_utc(),
    }
}
