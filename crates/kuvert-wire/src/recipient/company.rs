//! The Recipient port's v2 operations (PROTOCOL.md §5.1 ops 2–4, 11–14): reception rules,
//! changing operator and company signatories, all in `rcpt2` elements.

use kuvert_core::id::RecipientId;
use kuvert_core::limits::UNBOUNDED_LIST_ITEMS_MAX;
use kuvert_core::operator::{ServiceDomain, ServiceDomainError};

use super::{read_agreement, read_id_and_user, signature_result_response, write_id_and_user};
use crate::envelope::BodyElement;
use crate::error::WireError;
use crate::ns::RECIPIENT2 as R2;
use crate::reader::Children;
use crate::types::{
    AccountPreferences, Operator, Person, SignatureAuthorizationResult, SignatureData, bool_text,
};
use crate::values::{AuthorizationStatus, CompanyAccountState, UserIdentity};
use crate::writer::Writer;

/// Declares a request of only `rcpt2:Id` + `rcpt2:UserIdentity`, either directly or, with
/// `in "wrapper"`, inside that one element (`organizationIdentity`).
macro_rules! id_and_user_request {
    ($(#[$meta:meta])* $name:ident, $element:literal) => {
        id_and_user_request!(@declare $(#[$meta])* $name, $element, None);
    };
    ($(#[$meta:meta])* $name:ident, $element:literal, in $wrapper:literal) => {
        id_and_user_request!(@declare $(#[$meta])* $name, $element, Some($wrapper));
    };
    (@declare $(#[$meta:meta])* $name:ident, $element:literal, $wrapper:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name {
            /// `Id`: the recipient (usually a company).
            pub recipient: RecipientId,
            /// `UserIdentity`: the person acting.
            pub user: UserIdentity,
        }

        impl BodyElement for $name {
            const NAMESPACE: &'static str = R2;
            const NAME: &'static str = $element;

            fn write_children(&self, writer: &mut Writer) {
                write_wrapped_id_and_user(writer, $wrapper, &self.recipient, &self.user);
            }

            fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
                let (recipient, user) = read_wrapped_id_and_user(children, $wrapper)?;
                Ok(Self { recipient, user })
            }
        }
    };
}

id_and_user_request!(
    /// `rcpt2:getPendingAccountPreferences`.
    GetPendingAccountPreferences, "getPendingAccountPreferences"
);
id_and_user_request!(
    /// `rcpt2:getPendingChangeServiceSupplier`: a change of operator awaiting signatures.
    GetPendingChangeServiceSupplier, "getPendingChangeServiceSupplier"
);
id_and_user_request!(
    /// `rcpt2:deletePendingAccountPreferences`.
    DeletePendingAccountPreferences, "deletePendingAccountPreferences",
    in "organizationIdentity"
);
id_and_user_request!(
    /// `rcpt2:deletePendingChangeServiceSupplier`.
    DeletePendingChangeServiceSupplier, "deletePendingChangeServiceSupplier",
    in "organizationIdentity"
);
signature_result_response!(
    /// `rcpt2:storeAccountPreferencesResponse`.
    StoreAccountPreferencesResponse, R2, "storeAccountPreferencesResponse", R2, "return"
);
signature_result_response!(
    /// `rcpt2:changeServiceSupplierResponse`; its child is `signatureAuthorizationResult`,
    /// not `return`.
    ChangeServiceSupplierResponse,
    R2,
    "changeServiceSupplierResponse",
    R2,
    "signatureAuthorizationResult"
);

/// `rcpt2:isAuthorizedSigner`: may this person sign for the company?
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsAuthorizedSigner {
    /// `CompanyId`.
    pub company: RecipientId,
    /// `UserIdentity`.
    pub user: UserIdentity,
}

impl BodyElement for IsAuthorizedSigner {
    const NAMESPACE: &'static str = R2;
    const NAME: &'static str = "isAuthorizedSigner";

    fn write_children(&self, writer: &mut Writer) {
        writer.leaf(R2, "CompanyId", &self.company.to_wire());
        writer.leaf(R2, "UserIdentity", self.user.as_str());
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        Ok(Self {
            company: children.value(R2, "CompanyId", RecipientId::parse)?,
            user: children.value(R2, "UserIdentity", UserIdentity::parse)?,
        })
    }
}

/// `rcpt2:storeAccountPreferences`: new reception rules, signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreAccountPreferences {
    /// `Id`.
    pub recipient: RecipientId,
    /// `UserIdentity`.
    pub user: UserIdentity,
    /// `preferences`.
    pub preferences: AccountPreferences,
    /// `AgreementText`: the text the person signed.
    pub agreement_text: String,
    /// `SignatureData` (1..n).
    pub signatures: Vec<SignatureData>,
}

impl BodyElement for StoreAccountPreferences {
    const NAMESPACE: &'static str = R2;
    const NAME: &'static str = "storeAccountPreferences";

    fn write_children(&self, writer: &mut Writer) {
        write_id_and_user(writer, &self.recipient, &self.user);
        self.preferences.write(writer, R2, "preferences");
        write_signed_tail(writer, &self.agreement_text, &self.signatures);
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        let (recipient, user) = read_id_and_user(children)?;
        let preferences = children.nested(R2, "preferences", AccountPreferences::read)?;
        let (agreement_text, signatures) = read_signed_tail(children)?;
        Ok(Self {
            recipient,
            user,
            preferences,
            agreement_text,
            signatures,
        })
    }
}

/// `rcpt2:changeServiceSupplier`: move the mailbox to another operator, signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeServiceSupplier {
    /// `Id`.
    pub recipient: RecipientId,
    /// `UserIdentity`.
    pub user: UserIdentity,
    /// `ServiceSupplier`: "the internet domain of the chosen service supplier".
    pub operator_domain: ServiceDomain,
    /// `AgreementText`.
    pub agreement_text: String,
    /// `SignatureData` (1..n).
    pub signatures: Vec<SignatureData>,
}

impl BodyElement for ChangeServiceSupplier {
    const NAMESPACE: &'static str = R2;
    const NAME: &'static str = "changeServiceSupplier";

    fn write_children(&self, writer: &mut Writer) {
        write_id_and_user(writer, &self.recipient, &self.user);
        writer.leaf(R2, "ServiceSupplier", self.operator_domain.as_str());
        write_signed_tail(writer, &self.agreement_text, &self.signatures);
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        let (recipient, user) = read_id_and_user(children)?;
        let operator_domain = children.value(R2, "ServiceSupplier", ServiceDomain::parse)?;
        let (agreement_text, signatures) = read_signed_tail(children)?;
        Ok(Self {
            recipient,
            user,
            operator_domain,
            agreement_text,
            signatures,
        })
    }
}

/// `rcpt2:getPendingAccountPreferencesResponse` (`return` of `PendingAccountPreferences`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetPendingAccountPreferencesResponse {
    /// `return/AccountPreferences`.
    pub preferences: AccountPreferences,
    /// `return/PendingSignatures`.
    pub pending_signatures: SignatureAuthorizationResult,
}

impl BodyElement for GetPendingAccountPreferencesResponse {
    const NAMESPACE: &'static str = R2;
    const NAME: &'static str = "getPendingAccountPreferencesResponse";

    fn write_children(&self, writer: &mut Writer) {
        writer.start(R2, "return");
        self.preferences.write(writer, R2, "AccountPreferences");
        self.pending_signatures
            .write(writer, R2, "PendingSignatures");
        writer.end();
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        children.nested(R2, "return", |pending| {
            Ok(Self {
                preferences: pending.nested(R2, "AccountPreferences", AccountPreferences::read)?,
                pending_signatures: pending.nested(
                    R2,
                    "PendingSignatures",
                    SignatureAuthorizationResult::read,
                )?,
            })
        })
    }
}

/// `rcpt2:deletePendingAccountPreferencesResponse` (`return` of `OrganizationIdentity`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletePendingAccountPreferencesResponse {
    /// `return/Id`.
    pub recipient: RecipientId,
    /// `return/UserIdentity`.
    pub user: UserIdentity,
}

impl BodyElement for DeletePendingAccountPreferencesResponse {
    const NAMESPACE: &'static str = R2;
    const NAME: &'static str = "deletePendingAccountPreferencesResponse";

    fn write_children(&self, writer: &mut Writer) {
        writer.start(R2, "return");
        write_id_and_user(writer, &self.recipient, &self.user);
        writer.end();
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        let (recipient, user) = children.nested(R2, "return", read_id_and_user)?;
        Ok(Self { recipient, user })
    }
}

/// `rcpt2:getPendingChangeServiceSupplierResponse` (`return` of
/// `PendingChangeServiceSupplier`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetPendingChangeServiceSupplierResponse {
    /// `return/serviceSupplier`: the operator being moved to.
    pub operator: Option<Operator>,
    /// `return/pendingSignatures`.
    pub pending_signatures: SignatureAuthorizationResult,
}

impl BodyElement for GetPendingChangeServiceSupplierResponse {
    const NAMESPACE: &'static str = R2;
    const NAME: &'static str = "getPendingChangeServiceSupplierResponse";

    fn write_children(&self, writer: &mut Writer) {
        writer.start(R2, "return");
        if let Some(operator) = &self.operator {
            operator.write(writer, R2, "serviceSupplier");
        }
        self.pending_signatures
            .write(writer, R2, "pendingSignatures");
        writer.end();
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        children.nested(R2, "return", |pending| {
            Ok(Self {
                operator: pending.opt_nested(R2, "serviceSupplier", Operator::read)?,
                pending_signatures: pending.nested(
                    R2,
                    "pendingSignatures",
                    SignatureAuthorizationResult::read,
                )?,
            })
        })
    }
}

/// `rcpt2:deletePendingChangeServiceSupplierResponse`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletePendingChangeServiceSupplierResponse {
    /// `serviceSupplier`: the operator the mailbox stays with.
    pub operator: Operator,
}

impl BodyElement for DeletePendingChangeServiceSupplierResponse {
    const NAMESPACE: &'static str = R2;
    const NAME: &'static str = "deletePendingChangeServiceSupplierResponse";

    fn write_children(&self, writer: &mut Writer) {
        self.operator.write(writer, R2, "serviceSupplier");
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        Ok(Self {
            operator: children.nested(R2, "serviceSupplier", Operator::read)?,
        })
    }
}

/// `rcpt2:AccountInformation`: a company account's state and signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountInformation {
    /// `AccountStatus`.
    pub state: CompanyAccountState,
    /// `SignedBy`.
    pub signed_by: Vec<Person>,
    /// `SignatureStatus`.
    pub signature_status: AuthorizationStatus,
    /// `serviceSupplier`: the operator's domain; written empty (and read as `None`) when the
    /// registry knows no operator for the account.
    pub operator_domain: Option<ServiceDomain>,
    /// `AgreementText`.
    pub agreement_text: Option<String>,
}

/// `rcpt2:AuthorizedAccount`: the answer of `isAuthorizedSigner`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizedAccount {
    /// `isAccountAuthorizedSigner`.
    pub is_authorized_signer: bool,
    /// `UserIdentity`.
    pub user: UserIdentity,
    /// `CompanyId`.
    pub company: RecipientId,
    /// `CompanyName`.
    pub company_name: String,
    /// `CompanySignatureRuleText`: the company's signing rule (firmateckning) in words.
    pub signature_rule_text: String,
    /// `PossibleSigners`.
    pub possible_signers: Vec<Person>,
    /// `AccountInformation`.
    pub account_information: Option<AccountInformation>,
}

/// `rcpt2:isAuthorizedSignerResponse`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsAuthorizedSignerResponse {
    /// `return`.
    pub account: AuthorizedAccount,
}

const PERSONS: (usize, usize) = (0, UNBOUNDED_LIST_ITEMS_MAX);

impl AccountInformation {
    fn write(&self, writer: &mut Writer) {
        writer.start(R2, "AccountInformation");
        writer.leaf(R2, "AccountStatus", self.state.as_wire());
        for person in &self.signed_by {
            person.write(writer, R2, "SignedBy");
        }
        writer.leaf(R2, "SignatureStatus", self.signature_status.as_wire());
        let operator_domain = self
            .operator_domain
            .as_ref()
            .map_or("", ServiceDomain::as_str);
        writer.leaf(R2, "serviceSupplier", operator_domain);
        writer.opt_leaf(R2, "AgreementText", self.agreement_text.as_deref());
        writer.end();
    }

    fn read(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        Ok(Self {
            state: children.value(R2, "AccountStatus", CompanyAccountState::parse)?,
            signed_by: children.many_nested(R2, "SignedBy", PERSONS, Person::read)?,
            signature_status: children.value(R2, "SignatureStatus", AuthorizationStatus::parse)?,
            operator_domain: children.value(R2, "serviceSupplier", opt_domain)?,
            agreement_text: children.opt_text(R2, "AgreementText")?,
        })
    }
}

impl BodyElement for IsAuthorizedSignerResponse {
    const NAMESPACE: &'static str = R2;
    const NAME: &'static str = "isAuthorizedSignerResponse";

    fn write_children(&self, writer: &mut Writer) {
        let account = &self.account;
        writer.start(R2, "return");
        writer.leaf(
            R2,
            "isAccountAuthorizedSigner",
            bool_text(account.is_authorized_signer),
        );
        writer.leaf(R2, "UserIdentity", account.user.as_str());
        writer.leaf(R2, "CompanyId", &account.company.to_wire());
        writer.leaf(R2, "CompanyName", &account.company_name);
        writer.leaf(R2, "CompanySignatureRuleText", &account.signature_rule_text);
        for person in &account.possible_signers {
            person.write(writer, R2, "PossibleSigners");
        }
        if let Some(information) = &account.account_information {
            information.write(writer);
        }
        writer.end();
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        let account = children.nested(R2, "return", |account| {
            Ok(AuthorizedAccount {
                is_authorized_signer: account.boolean(R2, "isAccountAuthorizedSigner")?,
                user: account.value(R2, "UserIdentity", UserIdentity::parse)?,
                company: account.value(R2, "CompanyId", RecipientId::parse)?,
                company_name: account.text(R2, "CompanyName")?,
                signature_rule_text: account.text(R2, "CompanySignatureRuleText")?,
                possible_signers: account.many_nested(
                    R2,
                    "PossibleSigners",
                    PERSONS,
                    Person::read,
                )?,
                account_information: account.opt_nested(
                    R2,
                    "AccountInformation",
                    AccountInformation::read,
                )?,
            })
        })?;
        Ok(Self { account })
    }
}

/// `serviceSupplier` of `AccountInformation`: empty when no operator holds the account.
/// Writes `Id` + `UserIdentity`, inside `wrapper` when there is one.
fn write_wrapped_id_and_user(
    writer: &mut Writer,
    wrapper: Option<&'static str>,
    id: &RecipientId,
    user: &UserIdentity,
) {
    match wrapper {
        Some(wrapper) => {
            writer.start(R2, wrapper);
            write_id_and_user(writer, id, user);
            writer.end();
        }
        None => write_id_and_user(writer, id, user),
    }
}

/// Reads what [`write_wrapped_id_and_user`] writes.
fn read_wrapped_id_and_user(
    children: &mut Children<'_, '_>,
    wrapper: Option<&'static str>,
) -> Result<(RecipientId, UserIdentity), WireError> {
    match wrapper {
        Some(wrapper) => children.nested(R2, wrapper, read_id_and_user),
        None => read_id_and_user(children),
    }
}

/// Writes the tail every signed v2 change ends with: the `AgreementText` the person signed
/// and its `SignatureData` (1..n).
fn write_signed_tail(writer: &mut Writer, agreement_text: &str, signatures: &[SignatureData]) {
    writer.leaf(R2, "AgreementText", agreement_text);
    for signature in signatures {
        signature.write(writer, R2, "SignatureData");
    }
}

/// Reads the tail [`write_signed_tail`] writes.
fn read_signed_tail(
    children: &mut Children<'_, '_>,
) -> Result<(String, Vec<SignatureData>), WireError> {
    let agreement_text = read_agreement(children, R2)?;
    let signatures = SignatureData::read_list(children, R2, "SignatureData")?;
    Ok((agreement_text, signatures))
}

fn opt_domain(text: &str) -> Result<Option<ServiceDomain>, ServiceDomainError> {
    if text.is_empty() {
        return Ok(None);
    }
    ServiceDomain::parse(text).map(Some)
}
