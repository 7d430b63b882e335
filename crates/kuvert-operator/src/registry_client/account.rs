//! The registry calls behind the mailbox holder's account pages (PROTOCOL.md §11.1–§11.5,
//! §11.9): the directory with names (senders, operators), reception rules, changing
//! operator, deregistering, and company registrations with their signatories.
//!
//! Every change carries the person's e-ID signature over the exact text they were shown; the
//! registry verifies it. A person registers over the REST API (`/api/v1/profiles/register`),
//! the only form that carries where the registration came from (a sender's deep link and
//! campaign); everything else is Recipient v3 / Authority SOAP.

use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber, RecipientId};
use kuvert_core::operator::ServiceDomain;
use kuvert_core::registry::SigningStatus;
use kuvert_eid::SignatureData as EidSignature;
use kuvert_wire::authority::{AccountAction, GetSenders, GetSendersResponse};
use kuvert_wire::recipient::{
    ChangeServiceSupplier, ChangeServiceSupplierResponse, Deregister, DeregisterResponse,
    GetAccountPreferences, GetAccountPreferencesResponse, IsAuthorizedSigner,
    IsAuthorizedSignerResponse, Register, RegisterResponse, StoreAccountPreferences,
    StoreAccountPreferencesResponse,
};
use kuvert_wire::types::{
    AccountPreferences, AccountRequest, Person, SenderEntry, SignatureAuthorizationResult,
    SignatureData,
};
use kuvert_wire::values::{
    AccountRequestType, AccountType, AuthorizationStatus, CompanyAccountState, SignatoryId,
    UserIdentity,
};
use serde::Deserialize;

use kuvert_web::registry_client::{self, RegistryError};

use super::{RegistryClient, lock};

/// A connected sender with its name, for the reception rules page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SenderInfo {
    /// Organisation number.
    pub id: OrganisationNumber,
    /// Name as the registry lists it.
    pub name: String,
}

/// A mailbox operator as the registry lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorInfo {
    /// Organisation number.
    pub id: OrganisationNumber,
    /// Name.
    pub name: String,
    /// Internet domain (the `ServiceSupplier` value).
    pub domain: ServiceDomain,
    /// The operator's web inbox, where a person moving there signs.
    pub ui_address: Option<url::Url>,
}

/// Where a registration came from: a sender's deep link, perhaps with a campaign code.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RegistrationSource {
    /// The sender whose link brought the person.
    pub sender: OrganisationNumber,
    /// The campaign code, if the link had a valid one.
    pub campaign: Option<CampaignCode>,
}

/// A text and the e-ID signature a person made over it.
#[derive(Debug, Clone, Copy)]
pub struct Signed<'a> {
    /// The exact text shown at the signing service.
    pub text: &'a str,
    /// The signature over it.
    pub signature: &'a EidSignature,
}

/// A company signatory as the registry names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signatory {
    /// The person, when the registry's id is a personnummer.
    pub person: Option<PersonalIdentityNumber>,
    /// Name.
    pub name: String,
}

/// The registry's answer to a signed change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningOutcome {
    /// Whether it took effect.
    pub status: SigningStatus,
    /// Who has signed (for a company, every signature so far).
    pub signed_by: Vec<Signatory>,
}

/// A company's mailbox as one of its (possible) signatories sees it (`isAuthorizedSigner`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyAccount {
    /// Whether the asking person may sign for the company.
    pub is_authorized_signer: bool,
    /// The company's name.
    pub company_name: String,
    /// The signatory rule in words ("Två i förening").
    pub rule_text: String,
    /// Every authorised signatory.
    pub signatories: Vec<Signatory>,
    /// The mailbox's state.
    pub state: CompanyState,
}

/// Whether a company has a mailbox, one waiting for signatures, or none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompanyState {
    /// No registration.
    None,
    /// Waiting for more signatories at the operator with `operator_domain`.
    Pending {
        /// Who has signed.
        signed_by: Vec<Signatory>,
        /// The operator the registration is for (`None`: the registry named none).
        operator_domain: Option<ServiceDomain>,
    },
    /// A mailbox at the operator with `operator_domain`.
    Active {
        /// Its operator (`None`: the registry named none).
        operator_domain: Option<ServiceDomain>,
    },
}

/// JSON of `GET /api/v1/operators`.
#[derive(Debug, Deserialize)]
struct OperatorJson {
    id: String,
    name: String,
    domain: String,
    ui_address: Option<String>,
}

/// JSON of a signed change's outcome (`OutcomeView`).
#[derive(Debug, Deserialize)]
struct OutcomeJson {
    status: String,
    #[serde(default)]
    signed_by: Vec<String>,
}

impl RegistryClient {
    /// Every connected sender with its name (Authority `getSenders`), in the registry's order.
    ///
    /// # Errors
    /// [`RegistryError`] when the registry cannot be asked.
    pub async fn senders(&self) -> Result<Vec<SenderInfo>, RegistryError> {
        let url = &self.inner.authority_url;
        let response: GetSendersResponse = self.call(url, &GetSenders).await?;
        Ok(response
            .senders
            .into_iter()
            .filter_map(|entry| match entry.id {
                RecipientId::Organisation(id) => Some(SenderInfo {
                    id,
                    name: entry.name,
                }),
                RecipientId::Person(_) => None,
            })
            .collect())
    }

    /// Every mailbox operator (REST `GET /api/v1/operators`).
    ///
    /// # Errors
    /// [`RegistryError`] when the registry cannot be asked or answers unusably.
    pub async fn operators(&self) -> Result<Vec<OperatorInfo>, RegistryError> {
        let url = format!("{}/operators", self.inner.api_url);
        let request = self.inner.http.get(&url);
        let operators: Vec<OperatorJson> = registry_client::rest_json(&url, request).await?;
        Ok(operators
            .into_iter()
            .filter_map(|operator| {
                Some(OperatorInfo {
                    id: OrganisationNumber::parse(&operator.id).ok()?,
                    name: operator.name,
                    domain: ServiceDomain::parse(&operator.domain).ok()?,
                    ui_address: operator
                        .ui_address
                        .and_then(|address| url::Url::parse(&address).ok()),
                })
            })
            .collect())
    }

    /// The senders `person`'s reception rules accept (`getAccountPreferences`), never from
    /// the cache, since the person is about to change them.
    ///
    /// # Errors
    /// [`RegistryError`], also when the profile is not held here.
    pub async fn accepted_senders(
        &self,
        person: &PersonalIdentityNumber,
    ) -> Result<Vec<OrganisationNumber>, RegistryError> {
        let url = &self.inner.recipient_url;
        let request = GetAccountPreferences {
            recipient: RecipientId::Person(person.clone()),
            user: user_identity(url, person)?,
        };
        let response: GetAccountPreferencesResponse = self.call(url, &request).await?;
        Ok(organisations(&response.preferences.accepted_senders))
    }

    /// `storeAccountPreferences`: `person` accepts exactly `accepted` (every other sender
    /// sends on paper), signed by them.
    ///
    /// # Errors
    /// [`RegistryError`] when the registry cannot be asked or refuses the change.
    pub async fn store_reception_rules(
        &self,
        person: &PersonalIdentityNumber,
        accepted: &[SenderInfo],
        signed: Signed<'_>,
    ) -> Result<SigningOutcome, RegistryError> {
        let url = &self.inner.recipient_url;
        let recipient = RecipientId::Person(person.clone());
        let request = StoreAccountPreferences {
            recipient: recipient.clone(),
            user: user_identity(url, person)?,
            preferences: AccountPreferences {
                recipient: recipient.clone(),
                accepted_senders: accepted
                    .iter()
                    .map(|sender| SenderEntry {
                        id: RecipientId::Organisation(sender.id.clone()),
                        name: sender.name.clone(),
                        attention: None,
                    })
                    .collect(),
            },
            agreement_text: signed.text.to_owned(),
            signatures: vec![wire_signature(signed.signature)],
        };
        let response: StoreAccountPreferencesResponse = self.call(url, &request).await?;
        self.forget(&recipient);
        Ok(outcome(&response.result))
    }

    /// `changeServiceSupplier`: moves `person`'s profile to this operator (`domain`), signed
    /// by them. Only the operator the profile moves to may ask (PROTOCOL.md §11.3).
    ///
    /// # Errors
    /// [`RegistryError`] when the registry cannot be asked or refuses the change.
    pub async fn change_operator(
        &self,
        person: &PersonalIdentityNumber,
        domain: &ServiceDomain,
        signed: Signed<'_>,
    ) -> Result<SigningOutcome, RegistryError> {
        let url = &self.inner.recipient_url;
        let recipient = RecipientId::Person(person.clone());
        let request = ChangeServiceSupplier {
            recipient: recipient.clone(),
            user: user_identity(url, person)?,
            operator_domain: domain.clone(),
            agreement_text: signed.text.to_owned(),
            signatures: vec![wire_signature(signed.signature)],
        };
        let response: ChangeServiceSupplierResponse = self.call(url, &request).await?;
        self.forget(&recipient);
        Ok(outcome(&response.result))
    }

    /// Recipient v3 `deregister`: closes `person`'s profile held here, signed by them.
    ///
    /// # Errors
    /// [`RegistryError`] when the registry cannot be asked or refuses the change.
    pub async fn deregister(
        &self,
        person: &PersonalIdentityNumber,
        domain: &ServiceDomain,
        signed: Signed<'_>,
    ) -> Result<SigningOutcome, RegistryError> {
        let recipient = RecipientId::Person(person.clone());
        let request = Deregister {
            request: account_request(&recipient, AccountRequestType::Delete, domain, signed),
            signatures: vec![wire_signature(signed.signature)],
        };
        let url = &self.inner.recipient_url;
        let response: DeregisterResponse = self.call(url, &request).await?;
        self.forget(&recipient);
        Ok(outcome(&response.result))
    }

    /// REST `POST /api/v1/profiles/register` for a person at this operator (`domain`), with
    /// the deep link that brought them, if any.
    ///
    /// # Errors
    /// [`RegistryError`] when the registry cannot be asked or refuses the registration.
    pub async fn register_person(
        &self,
        person: &PersonalIdentityNumber,
        domain: &ServiceDomain,
        signed: Signed<'_>,
        source: Option<&RegistrationSource>,
    ) -> Result<SigningOutcome, RegistryError> {
        let recipient = RecipientId::Person(person.clone());
        let fields = signed.signature.to_fields();
        let body = serde_json::json!({
            "recipient": recipient.to_wire(),
            "user": null,
            "operator_domain": domain,
            "agreement_text": signed.text,
            "signatures": [{
                "signature": fields.signature,
                "certificate": fields.certificate,
                "nonce": fields.nonce.unwrap_or_default(),
            }],
            "accepted_senders": null,
            "source": source.map(|source| serde_json::json!({
                "sender": source.sender.as_str(),
                "campaign": source.campaign.as_ref().map(CampaignCode::as_str),
            })),
        });
        let url = format!("{}/profiles/register", self.inner.api_url);
        let request = self.inner.http.post(&url).json(&body);
        let answer: OutcomeJson = registry_client::rest_json(&url, request).await?;
        self.forget(&recipient);
        Ok(SigningOutcome {
            status: status_text(&answer.status),
            signed_by: answer
                .signed_by
                .into_iter()
                .map(|name| Signatory { person: None, name })
                .collect(),
        })
    }

    /// Recipient v3 `register` of a company at this operator (`domain`) with one more
    /// signatory's signature; the registry keeps it pending until its rule is met.
    ///
    /// # Errors
    /// [`RegistryError`] when the registry cannot be asked or refuses the signature.
    pub async fn register_company(
        &self,
        company: &OrganisationNumber,
        domain: &ServiceDomain,
        signed: Signed<'_>,
    ) -> Result<SigningOutcome, RegistryError> {
        let recipient = RecipientId::Organisation(company.clone());
        let request = Register {
            request: account_request(&recipient, AccountRequestType::Create, domain, signed),
            account_type: AccountType::Secure,
            signatures: vec![wire_signature(signed.signature)],
        };
        let url = &self.inner.recipient_url;
        let response: RegisterResponse = self.call(url, &request).await?;
        self.forget(&recipient);
        Ok(outcome(&response.result))
    }

    /// `isAuthorizedSigner`: may `person` sign for `company`, and what state is its mailbox in.
    ///
    /// # Errors
    /// [`RegistryError`]; a fault when the registry knows no rule for the company or the
    /// company form cannot hold a mailbox.
    pub async fn company_account(
        &self,
        company: &OrganisationNumber,
        person: &PersonalIdentityNumber,
    ) -> Result<CompanyAccount, RegistryError> {
        let url = &self.inner.recipient_url;
        let request = IsAuthorizedSigner {
            company: RecipientId::Organisation(company.clone()),
            user: user_identity(url, person)?,
        };
        let response: IsAuthorizedSignerResponse = self.call(url, &request).await?;
        let account = response.account;
        let state = match account.account_information {
            None => CompanyState::None,
            Some(information) => match information.state {
                CompanyAccountState::Pending => CompanyState::Pending {
                    signed_by: information.signed_by.iter().map(signatory).collect(),
                    operator_domain: information.operator_domain,
                },
                CompanyAccountState::Active => CompanyState::Active {
                    operator_domain: information.operator_domain,
                },
            },
        };
        Ok(CompanyAccount {
            is_authorized_signer: account.is_authorized_signer,
            company_name: account.company_name,
            rule_text: account.signature_rule_text,
            signatories: account.possible_signers.iter().map(signatory).collect(),
            state,
        })
    }

    /// Authority `testNewSigner`: would these signatories together meet the company's rule?
    ///
    /// # Errors
    /// [`RegistryError`] when the registry cannot be asked.
    pub async fn signers_suffice(
        &self,
        company: &OrganisationNumber,
        signers: &[Signatory],
    ) -> Result<SigningStatus, RegistryError> {
        use kuvert_wire::authority::{TestNewSigner, TestNewSignerResponse};
        let request = TestNewSigner {
            company: RecipientId::Organisation(company.clone()),
            signers: signers
                .iter()
                .filter_map(|signer| {
                    Some(Person {
                        id: SignatoryId::person(signer.person.as_ref()?),
                        name: signer.name.clone(),
                    })
                })
                .collect(),
            candidate: None,
            action: AccountAction::Ownership,
        };
        let url = &self.inner.authority_url;
        let response: TestNewSignerResponse = self.call(url, &request).await?;
        Ok(wire_status(response.result.status))
    }

    /// Drops the cached answer about `recipient`, so the next delivery sees the change.
    fn forget(&self, recipient: &RecipientId) {
        lock(&self.inner.recipients).remove(recipient);
    }
}

/// `AccountRequest` for `register` / `deregister`.
fn account_request(
    recipient: &RecipientId,
    kind: AccountRequestType,
    domain: &ServiceDomain,
    signed: Signed<'_>,
) -> AccountRequest {
    AccountRequest {
        recipient: recipient.clone(),
        kind,
        agreement_text: signed.text.to_owned(),
        date: time::OffsetDateTime::now_utc().date(),
        operator_domain: domain.clone(),
    }
}

/// The wire form of an e-ID signature.
pub(super) fn wire_signature(signature: &EidSignature) -> SignatureData {
    let fields = signature.to_fields();
    SignatureData {
        signature: signature.signature().to_vec(),
        certificate: fields.certificate,
        nonce: fields.nonce,
        encoding_of_signed_text: fields.encoding_of_signed_text,
    }
}

/// The `UserIdentity` of `person`, who acts at the registry at `url`.
pub(super) fn user_identity(
    url: &str,
    person: &PersonalIdentityNumber,
) -> Result<UserIdentity, RegistryError> {
    UserIdentity::parse(person.as_str())
        .map_err(|reason| super::unusable(url, "UserIdentity", reason))
}

fn organisations(entries: &[SenderEntry]) -> Vec<OrganisationNumber> {
    entries
        .iter()
        .filter_map(|entry| match &entry.id {
            RecipientId::Organisation(number) => Some(number.clone()),
            RecipientId::Person(_) => None,
        })
        .collect()
}

fn signatory(person: &Person) -> Signatory {
    Signatory {
        person: PersonalIdentityNumber::parse(person.id.as_str()).ok(),
        name: person.name.clone(),
    }
}

fn outcome(result: &SignatureAuthorizationResult) -> SigningOutcome {
    SigningOutcome {
        status: wire_status(result.status),
        signed_by: result.signed_by.iter().map(signatory).collect(),
    }
}

/// A missing status is read as "not done": nothing may be assumed to have changed.
fn wire_status(status: Option<AuthorizationStatus>) -> SigningStatus {
    status.map_or(SigningStatus::Incomplete, SigningStatus::from)
}

fn status_text(status: &str) -> SigningStatus {
    match status {
        "Complete" => SigningStatus::Complete,
        "RulesNotSupported" => SigningStatus::RulesNotSupported,
        _ => SigningStatus::Incomplete,
    }
}
