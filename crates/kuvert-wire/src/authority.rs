//! The registry's Authority service (PROTOCOL.md §5.2): 7 operations whose wrappers are in
//! `http://minameddelanden.gov.se/Authority` and whose `argN`/`return` children are
//! UNQUALIFIED (FaR rejects a qualified `arg0`). `Dispatcher` is translated to
//! [`Intermediary`].

use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::limits::UNBOUNDED_LIST_ITEMS_MAX;
use roxmltree::Document;

use crate::envelope::{BodyElement, body_child, expanded_name};
use crate::error::WireError;
use crate::ns::{self, AUTHORITY as A, AUTHORITY_TYPES as T, NONE};
use crate::reader::Children;
use crate::types::{
    Person, SenderEntry, SignatureAuthorizationResult, SignatureData, bool_text, parse_name,
};
use crate::values::{SignatoryId, UserIdentity, wire_enum};
use crate::writer::Writer;

/// Every request the Authority service accepts, for the registry's dispatcher.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum AuthorityRequest {
    GetSenders(GetSenders),
    GetDispatchers(GetDispatchers),
    IsSenderAccepted(IsSenderAccepted),
    GetUserAccessRights(GetUserAccessRights),
    GetUserAccessRightsNoConcent(GetUserAccessRightsNoConcent),
    TestNewSigner(TestNewSigner),
    VerifyAuthorizedSignatures(VerifyAuthorizedSignatures),
}

impl AuthorityRequest {
    /// The per-operation fault element this request's faults are declared with
    /// (for [`crate::fault::Fault::to_authority_envelope`]).
    #[must_use]
    pub fn fault_element(&self) -> &'static str {
        match self {
            Self::GetSenders(_) => "getSendersFault",
            Self::GetDispatchers(_) => "getDispatchersFault",
            Self::IsSenderAccepted(_) => "isSenderAcceptedFault",
            Self::GetUserAccessRights(_) => "getUserAccessRightsFault",
            Self::GetUserAccessRightsNoConcent(_) => "getUserAccessRightsNoConcentFault",
            Self::TestNewSigner(_) => "testNewSignerFault",
            Self::VerifyAuthorizedSignatures(_) => "verifyAuthorizedSignaturesFault",
        }
    }
}

/// Reads an incoming Authority envelope into the request it carries.
///
/// # Errors
/// [`WireError::UnknownOperation`] for another Body child, else that operation's error.
pub fn parse_request(document: &Document<'_>) -> Result<AuthorityRequest, WireError> {
    use AuthorityRequest as R;
    let node = body_child(document)?;
    let request = match expanded_name(node) {
        (A, "getSenders") => R::GetSenders(BodyElement::from_element(node)?),
        (A, "getDispatchers") => R::GetDispatchers(BodyElement::from_element(node)?),
        (A, "isSenderAccepted") => R::IsSenderAccepted(BodyElement::from_element(node)?),
        (A, "getUserAccessRights") => R::GetUserAccessRights(BodyElement::from_element(node)?),
        (A, "getUserAccessRightsNoConcent") => {
            R::GetUserAccessRightsNoConcent(BodyElement::from_element(node)?)
        }
        (A, "testNewSigner") => R::TestNewSigner(BodyElement::from_element(node)?),
        (A, "verifyAuthorizedSignatures") => {
            R::VerifyAuthorizedSignatures(BodyElement::from_element(node)?)
        }
        (namespace, name) => {
            return Err(WireError::UnknownOperation {
                namespace: namespace.to_owned(),
                name: name.to_owned(),
            });
        }
    };
    Ok(request)
}

wire_enum! {
    /// `auth:AccountActions`: what a set of company signatures is for.
    AccountAction {
        /// Take ownership of the company mailbox.
        Ownership = "Ownership",
        /// Cancel a consent.
        CancelConsent = "CancelConsent",
    }
}

wire_enum! {
    /// `auth:UserActivities`: what a person may do in a mailbox.
    UserActivity {
        /// Read letters.
        View = "View",
        /// Forward letters.
        ForwardMessage = "ForwardMessage",
        /// Open or close the account.
        InitiateAccountAction = "InitiateAccountAction",
        /// Grant read consent.
        InitiateConsentReadAction = "InitiateConsentReadAction",
        /// Grant manage consent.
        InitiateConsentManageAction = "InitiateConsentManageAction",
        /// Change settings.
        EditSettings = "EditSettings",
        /// Change sender settings.
        EditSettingsFrom = "EditSettingsFrom",
        /// Change forwarding settings.
        EditSettingsForward = "EditSettingsForward",
        /// Change contact settings.
        EditSettingsContact = "EditSettingsContact",
        /// Change consent settings.
        EditSettingsConsent = "EditSettingsConsent",
        /// Change the address book.
        EditSettingsAddressbook = "EditSettingsAddressbook",
        /// Inactivate the account.
        EditSettingsInactivate = "EditSettingsInactivate",
        /// Grant a consent.
        InitiateConsentAction = "InitiateConsentAction",
    }
}

wire_enum! {
    /// `auth:GrantTypes`: where a person's access right comes from.
    GrantType {
        /// Authorised signatory (firmatecknare).
        AuthorizedSignatory = "AuthorizedSignatory",
        /// A registered role.
        AuthorizedRole = "AuthorizedRole",
        /// A manage consent.
        ConsentManage = "ConsentManage",
        /// A read consent that may extend unread letters.
        ConsentReadExtendUnread = "ConsentReadExtendUnread",
        /// A read consent.
        ConsentRead = "ConsentRead",
    }
}

wire_enum! {
    /// `auth:UserAccessRightsProblemType`.
    AccessProblemType {
        /// Data is missing at the source.
        DataMissing = "DataMissing",
        /// Data is uncertain.
        DataUncertain = "DataUncertain",
        /// Data is unexpected.
        DataUnexpected = "DataUnexpected",
        /// The source could not be reached.
        SourceInaccessible = "SourceInaccessible",
    }
}

wire_enum! {
    /// `auth:UserAccessRightsProblemSource`.
    AccessProblemSource {
        /// Bolagsverket (the companies register).
        Bolagsverket = "Bolagsverket",
    }
}

/// `disp:Dispatcher`: an intermediary (förmedlare) and the senders it may send for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intermediary {
    /// `Id`.
    pub id: OrganisationNumber,
    /// `Name` (2..=256 characters).
    pub name: String,
    /// `Senders`: organisations this intermediary may seal letters for.
    pub senders: Vec<OrganisationNumber>,
}

/// `auth:UserAccessRights`: one mailbox a person may act for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAccessRights {
    /// `Id`.
    pub recipient: RecipientId,
    /// `OrganizationName`.
    pub organisation_name: Option<String>,
    /// `UserIdentity`.
    pub user: UserIdentity,
    /// `GrantedAccess`.
    pub granted_access: Vec<UserActivity>,
    /// `GrantType`.
    pub grant_type: GrantType,
    /// `Role`.
    pub role: Option<String>,
}

/// `auth:UserAccessRightsProblem`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAccessRightsProblem {
    /// `Source`.
    pub source: AccessProblemSource,
    /// `Type`.
    pub kind: AccessProblemType,
    /// `Description`.
    pub description: String,
    /// `ObjectId`.
    pub object_id: Option<String>,
}

/// `auth:UserAccessRightsResult`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserAccessRightsResult {
    /// `Rights`.
    pub rights: Vec<UserAccessRights>,
    /// `Problems`.
    pub problems: Vec<UserAccessRightsProblem>,
}

const LIST: (usize, usize) = (0, UNBOUNDED_LIST_ITEMS_MAX);

/// `getSenders` (no arguments): every connected sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetSenders;

/// `getDispatchers` (no arguments): every intermediary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetDispatchers;

impl BodyElement for GetSenders {
    const NAMESPACE: &'static str = A;
    const NAME: &'static str = "getSenders";
    fn write_children(&self, _writer: &mut Writer) {}
    fn read_children(_children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        Ok(Self)
    }
}

impl BodyElement for GetDispatchers {
    const NAMESPACE: &'static str = A;
    const NAME: &'static str = "getDispatchers";
    fn write_children(&self, _writer: &mut Writer) {}
    fn read_children(_children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        Ok(Self)
    }
}

/// `getSendersResponse`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetSendersResponse {
    /// `return` (0..n).
    pub senders: Vec<SenderEntry>,
}

impl BodyElement for GetSendersResponse {
    const NAMESPACE: &'static str = A;
    const NAME: &'static str = "getSendersResponse";

    fn write_children(&self, writer: &mut Writer) {
        for sender in &self.senders {
            sender.write(writer, NONE, "return");
        }
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        Ok(Self {
            senders: children.many_nested(NONE, "return", LIST, SenderEntry::read)?,
        })
    }
}

/// `getDispatchersResponse`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetDispatchersResponse {
    /// `return` (0..n).
    pub intermediaries: Vec<Intermediary>,
}

impl BodyElement for GetDispatchersResponse {
    const NAMESPACE: &'static str = A;
    const NAME: &'static str = "getDispatchersResponse";

    fn write_children(&self, writer: &mut Writer) {
        for intermediary in &self.intermediaries {
            writer.start(NONE, "return");
            writer.leaf(ns::DISPATCHER, "Id", &intermediary.id.to_wire());
            writer.leaf(ns::DISPATCHER, "Name", &intermediary.name);
            for sender in &intermediary.senders {
                writer.leaf(ns::DISPATCHER, "Senders", &sender.to_wire());
            }
            writer.end();
        }
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        let intermediaries = children.many_nested(NONE, "return", LIST, |item| {
            Ok(Intermediary {
                id: item.value(ns::DISPATCHER, "Id", OrganisationNumber::parse)?,
                name: item.value(ns::DISPATCHER, "Name", parse_name)?,
                senders: item.values(
                    ns::DISPATCHER,
                    "Senders",
                    UNBOUNDED_LIST_ITEMS_MAX,
                    OrganisationNumber::parse,
                )?,
            })
        })?;
        Ok(Self { intermediaries })
    }
}

/// `isSenderAccepted`: is this organisation a connected sender?
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsSenderAccepted {
    /// `arg0`.
    pub sender: RecipientId,
}

impl BodyElement for IsSenderAccepted {
    const NAMESPACE: &'static str = A;
    const NAME: &'static str = "isSenderAccepted";

    fn write_children(&self, writer: &mut Writer) {
        writer.leaf(NONE, "arg0", &self.sender.to_wire());
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        Ok(Self {
            sender: children.value(NONE, "arg0", RecipientId::parse)?,
        })
    }
}

/// `isSenderAcceptedResponse`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsSenderAcceptedResponse {
    /// `return`.
    pub is_accepted: bool,
}

impl BodyElement for IsSenderAcceptedResponse {
    const NAMESPACE: &'static str = A;
    const NAME: &'static str = "isSenderAcceptedResponse";

    fn write_children(&self, writer: &mut Writer) {
        writer.leaf(NONE, "return", bool_text(self.is_accepted));
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        Ok(Self {
            is_accepted: children.boolean(NONE, "return")?,
        })
    }
}

/// Declares `getUserAccessRights`-shaped request and response pairs.
macro_rules! access_rights_operation {
    ($request:ident, $response:ident, $element:literal, $response_element:literal) => {
        #[doc = concat!("`", $element, "`: which mailboxes a person may act for.")]
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $request {
            /// `arg0`.
            pub user: UserIdentity,
        }

        #[doc = concat!("`", $response_element, "`.")]
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $response {
            /// `return`.
            pub result: UserAccessRightsResult,
        }

        impl BodyElement for $request {
            const NAMESPACE: &'static str = A;
            const NAME: &'static str = $element;

            fn write_children(&self, writer: &mut Writer) {
                writer.leaf(NONE, "arg0", self.user.as_str());
            }

            fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
                Ok(Self {
                    user: children.value(NONE, "arg0", UserIdentity::parse)?,
                })
            }
        }

        impl BodyElement for $response {
            const NAMESPACE: &'static str = A;
            const NAME: &'static str = $response_element;

            fn write_children(&self, writer: &mut Writer) {
                self.result.write(writer);
            }

            fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
                let result = children.nested(NONE, "return", UserAccessRightsResult::read)?;
                Ok(Self { result })
            }
        }
    };
}

access_rights_operation!(
    GetUserAccessRights,
    GetUserAccessRightsResponse,
    "getUserAccessRights",
    "getUserAccessRightsResponse"
);
access_rights_operation!(
    GetUserAccessRightsNoConcent,
    GetUserAccessRightsNoConcentResponse,
    "getUserAccessRightsNoConcent",
    "getUserAccessRightsNoConcentResponse"
);

impl UserAccessRightsResult {
    fn write(&self, writer: &mut Writer) {
        writer.start(NONE, "return");
        for right in &self.rights {
            writer.start(T, "Rights");
            writer.leaf(T, "Id", &right.recipient.to_wire());
            writer.opt_leaf(T, "OrganizationName", right.organisation_name.as_deref());
            writer.leaf(T, "UserIdentity", right.user.as_str());
            for access in &right.granted_access {
                writer.leaf(T, "GrantedAccess", access.as_wire());
            }
            writer.leaf(T, "GrantType", right.grant_type.as_wire());
            writer.opt_leaf(T, "Role", right.role.as_deref());
            writer.end();
        }
        for problem in &self.problems {
            writer.start(T, "Problems");
            writer.leaf(T, "Source", problem.source.as_wire());
            writer.leaf(T, "Type", problem.kind.as_wire());
            writer.leaf(T, "Description", &problem.description);
            writer.opt_leaf(T, "ObjectId", problem.object_id.as_deref());
            writer.end();
        }
        writer.end();
    }

    fn read(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        let rights = children.many_nested(T, "Rights", LIST, |right| {
            Ok(UserAccessRights {
                recipient: right.value(T, "Id", RecipientId::parse)?,
                organisation_name: right.opt_text(T, "OrganizationName")?,
                user: right.value(T, "UserIdentity", UserIdentity::parse)?,
                granted_access: right.values(T, "GrantedAccess", 64, UserActivity::parse)?,
                grant_type: right.value(T, "GrantType", GrantType::parse)?,
                role: right.opt_text(T, "Role")?,
            })
        })?;
        let problems = children.many_nested(T, "Problems", LIST, |problem| {
            Ok(UserAccessRightsProblem {
                source: problem.value(T, "Source", AccessProblemSource::parse)?,
                kind: problem.value(T, "Type", AccessProblemType::parse)?,
                description: problem.text(T, "Description")?,
                object_id: problem.opt_text(T, "ObjectId")?,
            })
        })?;
        Ok(Self { rights, problems })
    }
}

/// `testNewSigner`: would adding `candidate` satisfy the company's signing rule?
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestNewSigner {
    /// `arg0`: the company.
    pub company: RecipientId,
    /// `arg1`: signers so far.
    pub signers: Vec<Person>,
    /// `arg2`: the candidate signer.
    pub candidate: Option<SignatoryId>,
    /// `arg3`.
    pub action: AccountAction,
}

impl BodyElement for TestNewSigner {
    const NAMESPACE: &'static str = A;
    const NAME: &'static str = "testNewSigner";

    fn write_children(&self, writer: &mut Writer) {
        writer.leaf(NONE, "arg0", &self.company.to_wire());
        for signer in &self.signers {
            signer.write(writer, NONE, "arg1");
        }
        writer.opt_leaf(
            NONE,
            "arg2",
            self.candidate.as_ref().map(SignatoryId::as_str),
        );
        writer.leaf(NONE, "arg3", self.action.as_wire());
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        Ok(Self {
            company: children.value(NONE, "arg0", RecipientId::parse)?,
            signers: children.many_nested(NONE, "arg1", LIST, Person::read)?,
            candidate: children.opt_value(NONE, "arg2", SignatoryId::parse)?,
            action: children.value(NONE, "arg3", AccountAction::parse)?,
        })
    }
}

/// `verifyAuthorizedSignatures`: do these e-ID signatures over `signed_data` meet the
/// company's signing rule?
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyAuthorizedSignatures {
    /// `arg0`: the company.
    pub company: RecipientId,
    /// `arg1` (1..n).
    pub signatures: Vec<SignatureData>,
    /// `arg2`: the signed data.
    pub signed_data: Vec<u8>,
    /// `arg3`.
    pub action: AccountAction,
}

impl BodyElement for VerifyAuthorizedSignatures {
    const NAMESPACE: &'static str = A;
    const NAME: &'static str = "verifyAuthorizedSignatures";

    fn write_children(&self, writer: &mut Writer) {
        writer.leaf(NONE, "arg0", &self.company.to_wire());
        for signature in &self.signatures {
            signature.write(writer, NONE, "arg1");
        }
        writer.leaf(NONE, "arg2", &crate::base64_encode(&self.signed_data));
        writer.leaf(NONE, "arg3", self.action.as_wire());
    }

    fn read_children(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        Ok(Self {
            company: children.value(NONE, "arg0", RecipientId::parse)?,
            signatures: SignatureData::read_list(children, NONE, "arg1")?,
            signed_data: children.value(NONE, "arg2", crate::base64_decode)?,
            action: children.value(NONE, "arg3", AccountAction::parse)?,
        })
    }
}

crate::recipient::signature_result_response!(
    /// `testNewSignerResponse`.
    TestNewSignerResponse, A, "testNewSignerResponse", NONE, "return"
);
crate::recipient::signature_result_response!(
    /// `verifyAuthorizedSignaturesResponse`.
    VerifyAuthorizedSignaturesResponse,
    A,
    "verifyAuthorizedSignaturesResponse",
    NONE,
    "return"
);
