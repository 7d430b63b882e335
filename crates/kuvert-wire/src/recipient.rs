//! The registry's Recipient v3 port (PROTOCOL.md §5.1): all 14 operations, requests and
//! responses, in the namespaces of the XSDs (operations 2–4 and 11–14 keep their v2 elements).

use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::limits::{
    REACHABILITY_IDS_PER_CALL_MAX, REGISTERED_IDS_PER_CALL_MAX, UNBOUNDED_LIST_ITEMS_MAX,
};
use roxmltree::Document;

use crate::envelope::{BodyElement, body_child, expanded_name};
use crate::error::WireError;
use crate::ns::{RECIPIENT2 as R2, RECIPIENT3 as R3};
use crate::reader::Children;
use crate::types::{
    AccountPreferences, AccountRequest, AccountStatus, PendingAccountRequest, ReachabilityStatus,
    SignatureAuthorizationResult, SignatureData, parse_agreement,
};
use crate::values::{AccountType, UserIdentity};
use crate::writer::Writer;

mod company;
pub use company::{
    AccountInformation, AuthorizedAccount, ChangeServiceSupplier, ChangeServiceSupplierResponse,
    DeletePendingAccountPreferences, DeletePendingAccountPreferencesResponse,
    DeletePendingChangeServiceSupplier, DeletePendingChangeServiceSupplierResponse,
    GetPendingAccountPreferences, GetPendingAccountPreferencesResponse,
    GetPendingChangeServiceSupplier, GetPendingChangeServiceSupplierResponse, IsAuthorizedSigner,
    IsAuthorizedSignerResponse, StoreAccountPreferences, StoreAccountPreferencesResponse,
};

/// Every request the Recipient v3 port accepts, for the registry's dispatcher.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum RecipientRequest {
    GetAccountPreferences(GetAccountPreferences),
    GetPendingAccountPreferences(GetPendingAccountPreferences),
    DeletePendingAccountPreferences(DeletePendingAccountPreferences),
    StoreAccountPreferences(StoreAccountPreferences),
    IsReachable(IsReachable),
    IsRegistered(IsRegistered),
    Register(Register),
    Deregister(Deregister),
    GetPendingAccountRequest(GetPendingAccountRequest),
    DeletePendingAccountRequest(DeletePendingAccountRequest),
    ChangeServiceSupplier(ChangeServiceSupplier),
    GetPendingChangeServiceSupplier(GetPendingChangeServiceSupplier),
    DeletePendingChangeServiceSupplier(DeletePendingChangeServiceSupplier),
    IsAuthorizedSigner(IsAuthorizedSigner),
}

/// Reads an incoming Recipient envelope into the request it carries.
///
/// # Errors
/// [`WireError::UnknownOperation`] for a Body child this port does not have, else the error
/// of that operation's reader.
pub fn parse_request(document: &Document<'_>) -> Result<RecipientRequest, WireError> {
    use RecipientRequest as R;
    let node = body_child(document)?;
    let request = match expanded_name(node) {
        (R3, "getAccountPreferences") => R::GetAccountPreferences(BodyElement::from_element(node)?),
        (R2, "getPendingAccountPreferences") => {
            R::GetPendingAccountPreferences(BodyElement::from_element(node)?)
        }
        (R2, "deletePendingAccountPreferences") => {
            R::DeletePendingAccountPreferences(BodyElement::from_element(node)?)
        }
        (R2, "storeAccountPreferences") => {
            R::StoreAccountPreferences(BodyElement::from_element(node)?)
        }
        (R3, "isReachable") => R::IsReachable(BodyElement::from_element(node)?),
        (R3, "isRegistered") => R::IsRegistered(BodyElement::from_element(node)?),
        (R3, "register") => R::Register(BodyElement::from_element(node)?),
        (R3, "deregister") => R::Deregister(BodyElement::from_element(node)?),
        (R3, "getPendingAccountRequest") => {
            R::GetPendingAccountRequest(BodyElement::from_element(node)?)
        }
        (R3, "deletePendingAccountRequest") => {
            R::DeletePendingAccountRequest(BodyElement::from_element(node)?)
        }
        (R2, "changeServiceSupplier") => R::ChangeServiceSupplier(BodyElement::from_element(node)?),
        (R2, "getPendingChangeServiceSupplier") => {
            R::GetPendingChangeServiceSupplier(BodyElement::from_element(node)?)
        }
        (R2, "deletePendingChangeServiceSupplier") => {
            R::DeletePendingChangeServiceSupplier(BodyElement::from_element(node)?)
        }
        (R2, "isAuthorizedSigner") => R::IsAuthorizedSigner(BodyElement::from_element(node)?),
        (namespace, name) => {
            return Err(WireError::UnknownOperation {
                namespace: namespace.to_owned(),
                name: name.to_owned(),
            });
        }
    };
    Ok(request)
}

/// `rcpt3:isReachable`: can `sender` reach these recipients digitally (at most 1000)?
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsReachable {
    sender: OrganisationNumber,
    recipients: Vec<RecipientId>,
}

impl IsReachable {
    /// A request for at most [`REACHABILITY_IDS_PER_CALL_MAX`] recipients.
    ///
    /// # Errors
    /// [`WireError::TooMany`] for more recipients than one call may carry.
    pub fn new(
        sender: OrganisationNumber,
        recipients: Vec<RecipientId>,
    ) -> Result<Self, WireError> {
        if recipients.len() > REACHABILITY_IDS_PER_CALL_MAX {
            return Err(WireError::TooMany {
                path: "isReachable/recipientId".to_owned(),
                count: recipients.len(),
                max: REACHABILITY_IDS_PER_CALL_MAX,
            });
        }
        Ok(Self { sender, recipients })
    }

    /// `senderOrgNr`.
    #[must_use]
    pub fn sender(&self) -> &OrganisationNumber {
        &self.sender
    }

    /// `recipientId` (0..=1000).
    #[must_use]
    pub fn recipients(&self) -> &[RecipientId] {
        &self.recipients
    }
}

impl BodyElement for IsReachable {
    const NAMESPACE: &'static str = R3;
    const NAME: &'static str = "isReachable";

    fn write_children(&self, writer: &mut Writer) {
        writer.leaf(R3, "senderOrgNr", &self.sender.to_wire());
        for recipient in &self.recipients {
            writer.leaf(R3, "recipientId", &recipient.to_wire());
        }
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        let sender = children.value(R3, "senderOrgNr", OrganisationNumber::parse)?;
        let recipients = children.values(
            R3,
            "recipientId",
            REACHABILITY_IDS_PER_CALL_MAX,
            RecipientId::parse,
        )?;
        Ok(Self { sender, recipients })
    }
}

/// `rcpt3:isReachableResponse`: one status per asked recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsReachableResponse {
    /// `return`.
    pub statuses: Vec<ReachabilityStatus>,
}

impl BodyElement for IsReachableResponse {
    const NAMESPACE: &'static str = R3;
    const NAME: &'static str = "isReachableResponse";

    fn write_children(&self, writer: &mut Writer) {
        for status in &self.statuses {
            status.write(writer, R3, "return");
        }
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        let max = (0, REACHABILITY_IDS_PER_CALL_MAX);
        let statuses = children.many_nested(R3, "return", max, ReachabilityStatus::read)?;
        Ok(Self { statuses })
    }
}

/// `rcpt3:isRegistered`: do these recipients have a mailbox (1..=1000)?
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsRegistered {
    /// `recipientId`.
    pub recipients: Vec<RecipientId>,
}

impl BodyElement for IsRegistered {
    const NAMESPACE: &'static str = R3;
    const NAME: &'static str = "isRegistered";

    fn write_children(&self, writer: &mut Writer) {
        for recipient in &self.recipients {
            writer.leaf(R3, "recipientId", &recipient.to_wire());
        }
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        let max = REGISTERED_IDS_PER_CALL_MAX;
        let recipients = children.values(R3, "recipientId", max, RecipientId::parse)?;
        if recipients.is_empty() {
            return Err(WireError::MissingElement {
                path: children.child_path("recipientId"),
            });
        }
        Ok(Self { recipients })
    }
}

/// `rcpt3:isRegisteredResponse`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsRegisteredResponse {
    /// `return` (1..n).
    pub statuses: Vec<AccountStatus>,
}

impl BodyElement for IsRegisteredResponse {
    const NAMESPACE: &'static str = R3;
    const NAME: &'static str = "isRegisteredResponse";

    fn write_children(&self, writer: &mut Writer) {
        for status in &self.statuses {
            status.write(writer, R3, "return");
        }
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        let bounds = (1, REGISTERED_IDS_PER_CALL_MAX);
        let statuses = children.many_nested(R3, "return", bounds, AccountStatus::read)?;
        Ok(Self { statuses })
    }
}

/// `rcpt3:getAccountPreferences`: a recipient's reception rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetAccountPreferences {
    /// `RecipientId`.
    pub recipient: RecipientId,
    /// `UserIdentity`: the person acting.
    pub user: UserIdentity,
}

impl BodyElement for GetAccountPreferences {
    const NAMESPACE: &'static str = R3;
    const NAME: &'static str = "getAccountPreferences";

    fn write_children(&self, writer: &mut Writer) {
        writer.leaf(R3, "RecipientId", &self.recipient.to_wire());
        writer.leaf(R3, "UserIdentity", self.user.as_str());
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        Ok(Self {
            recipient: children.value(R3, "RecipientId", RecipientId::parse)?,
            user: children.value(R3, "UserIdentity", UserIdentity::parse)?,
        })
    }
}

/// `rcpt3:getAccountPreferencesResponse`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetAccountPreferencesResponse {
    /// `return`.
    pub preferences: AccountPreferences,
}

impl BodyElement for GetAccountPreferencesResponse {
    const NAMESPACE: &'static str = R3;
    const NAME: &'static str = "getAccountPreferencesResponse";

    fn write_children(&self, writer: &mut Writer) {
        self.preferences.write(writer, R3, "return");
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        Ok(Self {
            preferences: children.nested(R3, "return", AccountPreferences::read)?,
        })
    }
}

/// `rcpt3:register`: open a mailbox, signed by the person (or company signatories).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Register {
    /// `accountRequest`.
    pub request: AccountRequest,
    /// `accountType`.
    pub account_type: AccountType,
    /// `signature` (1..n).
    pub signatures: Vec<SignatureData>,
}

impl BodyElement for Register {
    const NAMESPACE: &'static str = R3;
    const NAME: &'static str = "register";

    fn write_children(&self, writer: &mut Writer) {
        self.request.write(writer, R3, "accountRequest");
        writer.leaf(R3, "accountType", self.account_type.as_wire());
        for signature in &self.signatures {
            signature.write(writer, R3, "signature");
        }
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        Ok(Self {
            request: children.nested(R3, "accountRequest", AccountRequest::read)?,
            account_type: children.value(R3, "accountType", AccountType::parse)?,
            signatures: SignatureData::read_list(children, R3, "signature")?,
        })
    }
}

/// `rcpt3:deregister`: close a mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deregister {
    /// `deregisterAccount`.
    pub request: AccountRequest,
    /// `signature` (1..n).
    pub signatures: Vec<SignatureData>,
}

impl BodyElement for Deregister {
    const NAMESPACE: &'static str = R3;
    const NAME: &'static str = "deregister";

    fn write_children(&self, writer: &mut Writer) {
        self.request.write(writer, R3, "deregisterAccount");
        for signature in &self.signatures {
            signature.write(writer, R3, "signature");
        }
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        Ok(Self {
            request: children.nested(R3, "deregisterAccount", AccountRequest::read)?,
            signatures: SignatureData::read_list(children, R3, "signature")?,
        })
    }
}

/// Declares a response whose only child is one `SignatureAuthorizationResult`.
#[rustfmt::skip]
macro_rules! signature_result_response {
    (
        $(#[$meta:meta])* $name:ident, $namespace:expr, $element:literal,
        $child_ns:expr, $child:literal
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name {
            /// The signing outcome.
            pub result: SignatureAuthorizationResult,
        }

        impl BodyElement for $name {
            const NAMESPACE: &'static str = $namespace;
            const NAME: &'static str = $element;

            fn write_children(&self, writer: &mut Writer) {
                self.result.write(writer, $child_ns, $child);
            }

            fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
                let read = SignatureAuthorizationResult::read;
                Ok(Self { result: children.nested($child_ns, $child, read)? })
            }
        }
    };
}
pub(crate) use signature_result_response;

signature_result_response!(
    /// `rcpt3:registerResponse`.
    RegisterResponse, R3, "registerResponse", R3, "return"
);
signature_result_response!(
    /// `rcpt3:deregisterResponse`.
    DeregisterResponse, R3, "deregisterResponse", R3, "return"
);

/// `rcpt3:getPendingAccountRequest`: account requests awaiting more signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetPendingAccountRequest {
    /// `recipientId` (0..n).
    pub recipients: Vec<RecipientId>,
    /// `userIdentity`.
    pub user: UserIdentity,
}

impl BodyElement for GetPendingAccountRequest {
    const NAMESPACE: &'static str = R3;
    const NAME: &'static str = "getPendingAccountRequest";

    fn write_children(&self, writer: &mut Writer) {
        for recipient in &self.recipients {
            writer.leaf(R3, "recipientId", &recipient.to_wire());
        }
        writer.leaf(R3, "userIdentity", self.user.as_str());
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        Ok(Self {
            recipients: children.values(
                R3,
                "recipientId",
                UNBOUNDED_LIST_ITEMS_MAX,
                RecipientId::parse,
            )?,
            user: children.value(R3, "userIdentity", UserIdentity::parse)?,
        })
    }
}

/// `rcpt3:getPendingAccountRequestResponse`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetPendingAccountRequestResponse {
    /// `return` (0..n).
    pub requests: Vec<PendingAccountRequest>,
}

impl BodyElement for GetPendingAccountRequestResponse {
    const NAMESPACE: &'static str = R3;
    const NAME: &'static str = "getPendingAccountRequestResponse";

    fn write_children(&self, writer: &mut Writer) {
        for request in &self.requests {
            request.write(writer, R3, "return");
        }
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        let bounds = (0, UNBOUNDED_LIST_ITEMS_MAX);
        let requests = children.many_nested(R3, "return", bounds, PendingAccountRequest::read)?;
        Ok(Self { requests })
    }
}

/// `rcpt3:deletePendingAccountRequest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletePendingAccountRequest {
    /// `recipientId`.
    pub recipient: RecipientId,
    /// `userIdentity`.
    pub user: UserIdentity,
}

impl BodyElement for DeletePendingAccountRequest {
    const NAMESPACE: &'static str = R3;
    const NAME: &'static str = "deletePendingAccountRequest";

    fn write_children(&self, writer: &mut Writer) {
        writer.leaf(R3, "recipientId", &self.recipient.to_wire());
        writer.leaf(R3, "userIdentity", self.user.as_str());
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        Ok(Self {
            recipient: children.value(R3, "recipientId", RecipientId::parse)?,
            user: children.value(R3, "userIdentity", UserIdentity::parse)?,
        })
    }
}

/// `rcpt3:deletePendingAccountRequestResponse` (an empty sequence).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletePendingAccountRequestResponse;

impl BodyElement for DeletePendingAccountRequestResponse {
    const NAMESPACE: &'static str = R3;
    const NAME: &'static str = "deletePendingAccountRequestResponse";

    fn write_children(&self, _writer: &mut Writer) {}

    fn read_children(_children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        Ok(Self)
    }
}

/// `AgreementText` leaf reader shared with the company operations.
pub(crate) fn read_agreement(
    children: &mut Children<'_, '_>,
    namespace: &str,
) -> Result<String, WireError> {
    children.value(namespace, "AgreementText", parse_agreement)
}

/// `rcpt2:Id` + `rcpt2:UserIdentity`, the pair most v2 operations start with.
pub(crate) fn read_id_and_user(
    children: &mut Children<'_, '_>,
) -> Result<(RecipientId, UserIdentity), WireError> {
    Ok((
        children.value(R2, "Id", RecipientId::parse)?,
        children.value(R2, "UserIdentity", UserIdentity::parse)?,
    ))
}

/// Writes `rcpt2:Id` + `rcpt2:UserIdentity`.
pub(crate) fn write_id_and_user(writer: &mut Writer, id: &RecipientId, user: &UserIdentity) {
    writer.leaf(R2, "Id", &id.to_wire());
    writer.leaf(R2, "UserIdentity", user.as_str());
}
