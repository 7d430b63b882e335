//! Complex types shared by several operations (PROTOCOL.md §5.1, §5.2), translated to Kuvert
//! words: `ServiceSupplier` is an [`Operator`], `ServiceAdress` a service address.
//!
//! Each type writes itself as an element whose name and namespace the caller gives (the
//! containing schema decides them) and reads itself from that element's [`Children`]; the
//! children's namespace is always that of the schema that defines the type.

use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::limits::{
    EID_CERTIFICATE_BYTES_MAX, EID_SIGNATURES_PER_REQUEST_MAX, EID_SIGNED_TEXT_BYTES_MAX,
    SENDER_NAME_CHARS_MAX, SENDER_NAME_CHARS_MIN, UNBOUNDED_LIST_ITEMS_MAX,
};
use kuvert_core::operator::ServiceDomain;
use time::{Date, OffsetDateTime};

use crate::error::WireError;
use crate::ns;
use crate::reader::Children;
use crate::values::{
    AccountRequestType, AccountType, AuthorizationStatus, SignatoryId, format_date,
    format_date_time, parse_date, parse_date_time,
};
use crate::writer::Writer;

/// `rcpt:ServiceSupplier`: the mailbox operator holding a recipient's mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    /// `Id`: the operator's organisation number.
    pub id: OrganisationNumber,
    /// `Name`: free text (`Kivra`, `sandbox-mm.kivra.com`).
    pub name: String,
    /// `Logo` URL.
    pub logo: Option<String>,
    /// `ServiceAdress`: where `deliverSecure` goes.
    pub service_address: String,
    /// `UIAdress`: the operator's web inbox.
    pub ui_address: Option<String>,
}

/// `rcpt:AccountStatus`: whether and where a recipient has a mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountStatus {
    /// `RecipientId`.
    pub recipient: RecipientId,
    /// `Type`.
    pub account_type: AccountType,
    /// `Pending`.
    pub is_pending: bool,
    /// `ServiceSupplier`: the operator, when there is a mailbox.
    pub operator: Option<Operator>,
    /// `LastRegistration`.
    pub last_registration: Option<OffsetDateTime>,
}

/// `rcpt:ReachabilityStatus`: one answer of `isReachable`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReachabilityStatus {
    /// `AccountStatus`.
    pub account: AccountStatus,
    /// `SenderAccepted`: the recipient's reception rules accept this sender.
    pub accepts_sender: bool,
    /// `LastSenderAcceptChange`.
    pub last_sender_accept_change: Option<OffsetDateTime>,
}

/// `sndr:Sender`: an organisation that sends letters, as the registry lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderEntry {
    /// `Id`.
    pub id: RecipientId,
    /// `Name` (2..=256 characters).
    pub name: String,
    /// `Attention`.
    pub attention: Option<String>,
}

/// `rcpt:AccountPreferences`: a recipient's reception rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountPreferences {
    /// `Id`.
    pub recipient: RecipientId,
    /// `AcceptedSenders`.
    pub accepted_senders: Vec<SenderEntry>,
}

/// `rcpt:AccountRequest`: a signed request to open or close a mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRequest {
    /// `Id`.
    pub recipient: RecipientId,
    /// `Type`.
    pub kind: AccountRequestType,
    /// `AgreementText`: the terms the person signed.
    pub agreement_text: String,
    /// `Timestamp` (`xs:date`).
    pub date: Date,
    /// `ServiceSupplier`: the operator's internet domain.
    pub operator_domain: ServiceDomain,
}

/// `common:SignatureData`: one e-ID signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureData {
    /// `Signature` (decoded from base64).
    pub signature: Vec<u8>,
    /// `Certificate`.
    pub certificate: String,
    /// `Nonce`.
    pub nonce: Option<String>,
    /// `EncodingOfSignedText` (XSD default `UTF-8`).
    pub encoding_of_signed_text: Option<String>,
}

/// `auth:Person`: a signatory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// `Id`.
    pub id: SignatoryId,
    /// `Name`.
    pub name: String,
}

/// `auth:SignatureAuthorizationResult`: whether signatures satisfy a company's signing rule.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SignatureAuthorizationResult {
    /// `Id`.
    pub recipient: Option<RecipientId>,
    /// `SignedBy`.
    pub signed_by: Vec<Person>,
    /// `Status`.
    pub status: Option<AuthorizationStatus>,
    /// `Timestamp`.
    pub timestamp: Option<OffsetDateTime>,
    /// `Text`.
    pub text: Option<String>,
    /// `PossibleSigners`.
    pub possible_signers: Vec<Person>,
}

/// `rcpt:PendingAccountRequest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingAccountRequest {
    /// `AccountRequest`.
    pub request: AccountRequest,
    /// `SignatureStatus`.
    pub signature_status: SignatureAuthorizationResult,
}

/// Item counts of a list the XSD leaves unbounded (0..n, bounded by the limit).
const ANY_LIST: (usize, usize) = (0, UNBOUNDED_LIST_ITEMS_MAX);

impl Operator {
    pub(crate) fn write(&self, writer: &mut Writer, namespace: &'static str, name: &'static str) {
        writer.start(namespace, name);
        writer.leaf(ns::RECIPIENT, "Id", &self.id.to_wire());
        writer.leaf(ns::RECIPIENT, "Name", &self.name);
        writer.opt_leaf(ns::RECIPIENT, "Logo", self.logo.as_deref());
        writer.leaf(ns::RECIPIENT, "ServiceAdress", &self.service_address);
        writer.opt_leaf(ns::RECIPIENT, "UIAdress", self.ui_address.as_deref());
        // Mandatory in the XSD, empty in every real response (PROTOCOL.md §5.1).
        writer.leaf(ns::RECIPIENT, "InternalServiceAdress", "");
        writer.end();
    }

    pub(crate) fn read(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        let id = children.value(ns::RECIPIENT, "Id", OrganisationNumber::parse)?;
        let name = children.text(ns::RECIPIENT, "Name")?;
        let logo = children.opt_text(ns::RECIPIENT, "Logo")?;
        let service_address = children.text(ns::RECIPIENT, "ServiceAdress")?;
        let ui_address = children.opt_text(ns::RECIPIENT, "UIAdress")?;
        children.text(ns::RECIPIENT, "InternalServiceAdress")?;
        Ok(Self {
            id,
            name,
            logo,
            service_address,
            ui_address,
        })
    }
}

impl AccountStatus {
    pub(crate) fn write(&self, writer: &mut Writer, namespace: &'static str, name: &'static str) {
        writer.start(namespace, name);
        writer.leaf(ns::RECIPIENT, "RecipientId", &self.recipient.to_wire());
        writer.leaf(ns::RECIPIENT, "Type", self.account_type.as_wire());
        writer.leaf(ns::RECIPIENT, "Pending", bool_text(self.is_pending));
        if let Some(operator) = &self.operator {
            operator.write(writer, ns::RECIPIENT, "ServiceSupplier");
        }
        if let Some(at) = self.last_registration {
            writer.leaf(ns::RECIPIENT, "LastRegistration", &format_date_time(at));
        }
        writer.end();
    }

    pub(crate) fn read(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        Ok(Self {
            recipient: children.value(ns::RECIPIENT, "RecipientId", RecipientId::parse)?,
            account_type: children.value(ns::RECIPIENT, "Type", AccountType::parse)?,
            is_pending: children.boolean(ns::RECIPIENT, "Pending")?,
            operator: children.opt_nested(ns::RECIPIENT, "ServiceSupplier", Operator::read)?,
            last_registration: children.opt_value(
                ns::RECIPIENT,
                "LastRegistration",
                parse_date_time,
            )?,
        })
    }
}

impl ReachabilityStatus {
    pub(crate) fn write(&self, writer: &mut Writer, namespace: &'static str, name: &'static str) {
        writer.start(namespace, name);
        self.account.write(writer, ns::RECIPIENT, "AccountStatus");
        writer.leaf(
            ns::RECIPIENT,
            "SenderAccepted",
            bool_text(self.accepts_sender),
        );
        if let Some(at) = self.last_sender_accept_change {
            writer.leaf(
                ns::RECIPIENT,
                "LastSenderAcceptChange",
                &format_date_time(at),
            );
        }
        writer.end();
    }

    pub(crate) fn read(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        Ok(Self {
            account: children.nested(ns::RECIPIENT, "AccountStatus", AccountStatus::read)?,
            accepts_sender: children.boolean(ns::RECIPIENT, "SenderAccepted")?,
            last_sender_accept_change: children.opt_value(
                ns::RECIPIENT,
                "LastSenderAcceptChange",
                parse_date_time,
            )?,
        })
    }
}

impl SenderEntry {
    pub(crate) fn write(&self, writer: &mut Writer, namespace: &'static str, name: &'static str) {
        writer.start(namespace, name);
        writer.leaf(ns::SENDER, "Id", &self.id.to_wire());
        writer.leaf(ns::SENDER, "Name", &self.name);
        writer.opt_leaf(ns::SENDER, "Attention", self.attention.as_deref());
        writer.end();
    }

    pub(crate) fn read(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        Ok(Self {
            id: children.value(ns::SENDER, "Id", RecipientId::parse)?,
            name: children.value(ns::SENDER, "Name", parse_name)?,
            attention: children.opt_text(ns::SENDER, "Attention")?,
        })
    }
}

impl AccountPreferences {
    pub(crate) fn write(&self, writer: &mut Writer, namespace: &'static str, name: &'static str) {
        writer.start(namespace, name);
        writer.leaf(ns::RECIPIENT, "Id", &self.recipient.to_wire());
        for sender in &self.accepted_senders {
            sender.write(writer, ns::RECIPIENT, "AcceptedSenders");
        }
        writer.end();
    }

    pub(crate) fn read(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        Ok(Self {
            recipient: children.value(ns::RECIPIENT, "Id", RecipientId::parse)?,
            accepted_senders: children.many_nested(
                ns::RECIPIENT,
                "AcceptedSenders",
                ANY_LIST,
                SenderEntry::read,
            )?,
        })
    }
}

impl AccountRequest {
    pub(crate) fn write(&self, writer: &mut Writer, namespace: &'static str, name: &'static str) {
        writer.start(namespace, name);
        writer.leaf(ns::RECIPIENT, "Id", &self.recipient.to_wire());
        writer.leaf(ns::RECIPIENT, "Type", self.kind.as_wire());
        writer.leaf(ns::RECIPIENT, "AgreementText", &self.agreement_text);
        writer.leaf(ns::RECIPIENT, "Timestamp", &format_date(self.date));
        writer.leaf(
            ns::RECIPIENT,
            "ServiceSupplier",
            self.operator_domain.as_str(),
        );
        writer.end();
    }

    pub(crate) fn read(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        Ok(Self {
            recipient: children.value(ns::RECIPIENT, "Id", RecipientId::parse)?,
            kind: children.value(ns::RECIPIENT, "Type", AccountRequestType::parse)?,
            agreement_text: children.value(ns::RECIPIENT, "AgreementText", parse_agreement)?,
            date: children.value(ns::RECIPIENT, "Timestamp", parse_date)?,
            operator_domain: children.value(
                ns::RECIPIENT,
                "ServiceSupplier",
                ServiceDomain::parse,
            )?,
        })
    }
}

impl SignatureData {
    pub(crate) fn write(&self, writer: &mut Writer, namespace: &'static str, name: &'static str) {
        writer.start(namespace, name);
        writer.leaf(
            ns::COMMON,
            "Signature",
            &crate::base64_encode(&self.signature),
        );
        writer.leaf(ns::COMMON, "Certificate", &self.certificate);
        writer.opt_leaf(ns::COMMON, "Nonce", self.nonce.as_deref());
        let encoding = self.encoding_of_signed_text.as_deref();
        writer.opt_leaf(ns::COMMON, "EncodingOfSignedText", encoding);
        writer.end();
    }

    pub(crate) fn read(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        Ok(Self {
            signature: children.value(ns::COMMON, "Signature", crate::base64_decode)?,
            certificate: children.value(ns::COMMON, "Certificate", parse_certificate)?,
            nonce: children.opt_text(ns::COMMON, "Nonce")?,
            encoding_of_signed_text: children.opt_text(ns::COMMON, "EncodingOfSignedText")?,
        })
    }

    /// Reads `1..=n` signatures named `name` in `namespace`.
    pub(crate) fn read_list(
        children: &mut Children<'_, '_>,
        namespace: &str,
        name: &str,
    ) -> Result<Vec<Self>, WireError> {
        children.many_nested(
            namespace,
            name,
            (1, EID_SIGNATURES_PER_REQUEST_MAX),
            Self::read,
        )
    }
}

impl Person {
    pub(crate) fn write(&self, writer: &mut Writer, namespace: &'static str, name: &'static str) {
        writer.start(namespace, name);
        writer.leaf(ns::AUTHORITY_TYPES, "Id", self.id.as_str());
        writer.leaf(ns::AUTHORITY_TYPES, "Name", &self.name);
        writer.end();
    }

    pub(crate) fn read(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        Ok(Self {
            id: children.value(ns::AUTHORITY_TYPES, "Id", SignatoryId::parse)?,
            name: children.text(ns::AUTHORITY_TYPES, "Name")?,
        })
    }
}

impl SignatureAuthorizationResult {
    pub(crate) fn write(&self, writer: &mut Writer, namespace: &'static str, name: &'static str) {
        const NS: &str = ns::AUTHORITY_TYPES;
        writer.start(namespace, name);
        writer.opt_leaf(
            NS,
            "Id",
            self.recipient.as_ref().map(RecipientId::to_wire).as_deref(),
        );
        for person in &self.signed_by {
            person.write(writer, NS, "SignedBy");
        }
        writer.opt_leaf(NS, "Status", self.status.map(AuthorizationStatus::as_wire));
        writer.opt_leaf(
            NS,
            "Timestamp",
            self.timestamp.map(format_date_time).as_deref(),
        );
        writer.opt_leaf(NS, "Text", self.text.as_deref());
        for person in &self.possible_signers {
            person.write(writer, NS, "PossibleSigners");
        }
        writer.end();
    }

    pub(crate) fn read(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        const NS: &str = ns::AUTHORITY_TYPES;
        Ok(Self {
            recipient: children.opt_value(NS, "Id", RecipientId::parse)?,
            signed_by: children.many_nested(NS, "SignedBy", ANY_LIST, Person::read)?,
            status: children.opt_value(NS, "Status", AuthorizationStatus::parse)?,
            timestamp: children.opt_value(NS, "Timestamp", parse_date_time)?,
            text: children.opt_text(NS, "Text")?,
            possible_signers: children.many_nested(
                NS,
                "PossibleSigners",
                ANY_LIST,
                Person::read,
            )?,
        })
    }
}

impl PendingAccountRequest {
    pub(crate) fn write(&self, writer: &mut Writer, namespace: &'static str, name: &'static str) {
        writer.start(namespace, name);
        self.request.write(writer, ns::RECIPIENT, "AccountRequest");
        self.signature_status
            .write(writer, ns::RECIPIENT, "SignatureStatus");
        writer.end();
    }

    pub(crate) fn read(children: &mut Children<'_, '_>) -> Result<Self, WireError> {
        Ok(Self {
            request: children.nested(ns::RECIPIENT, "AccountRequest", AccountRequest::read)?,
            signature_status: children.nested(
                ns::RECIPIENT,
                "SignatureStatus",
                SignatureAuthorizationResult::read,
            )?,
        })
    }
}

/// `xs:boolean` as written: `true` or `false`.
pub(crate) fn bool_text(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

/// A sender or intermediary `Name`: 2..=256 characters.
pub(crate) fn parse_name(text: &str) -> Result<String, String> {
    let length = text.chars().count();
    let (min, max) = (SENDER_NAME_CHARS_MIN, SENDER_NAME_CHARS_MAX);
    if (min..=max).contains(&length) {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "name has {length} characters, {min}..={max} allowed"
        ))
    }
}

/// Signed agreement text, bounded by `EID_SIGNED_TEXT_BYTES_MAX`.
pub(crate) fn parse_agreement(text: &str) -> Result<String, String> {
    let max = EID_SIGNED_TEXT_BYTES_MAX;
    if text.len() <= max {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "agreement text has {} bytes, at most {max} allowed",
            text.len()
        ))
    }
}

fn parse_certificate(text: &str) -> Result<String, String> {
    // Base64 of DER is 4/3 of the DER bound, plus line breaks.
    let max = EID_CERTIFICATE_BYTES_MAX * 2;
    if text.len() <= max {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "certificate has {} bytes, at most {max} allowed",
            text.len()
        ))
    }
}
