//! One example of every request and response of every operation, each round-tripped through
//! its envelope on the way (build → parse → equal), for the round-trip and XSD tests.

use std::fmt::Debug;

use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::message::{
    Attachment, AttachmentContentType, Body, DeliveryHeader, EmailAddress, EventId, Filename,
    Language, MatterStatus, MatterSubject, MessageHeader, MessageId, Metadata, MetadataTag,
    MetadataValue, OfficialMatter, OfficialMatterIdentity, Receipt, Seal, SealDate, SecureDelivery,
    SecureMessage, Sender, SenderName, Subject, SupportInfo, SupportText, SupportUrl, TransId,
};
use kuvert_core::operator::ServiceDomain;
use kuvert_wire::envelope::{self, BodyElement};
use kuvert_wire::fault::{Fault, FaultCode};
use kuvert_wire::service;
use kuvert_wire::types::{
    AccountPreferences, AccountRequest, AccountStatus, Operator, PendingAccountRequest, Person,
    ReachabilityStatus, SenderEntry, SignatureAuthorizationResult, SignatureData,
};
use kuvert_wire::values::{
    AccountRequestType, AccountType, AuthorizationStatus, CompanyAccountState, DistributionId,
    SignatoryId, UserIdentity,
};
use kuvert_wire::{authority as auth, delivery, message, notification, recipient as rcpt};

/// One built envelope, named for failure messages.
pub(crate) struct Built {
    pub(crate) name: &'static str,
    pub(crate) xml: String,
}

/// Builds `value`'s envelope, reads it back as the same type, and checks they are equal.
#[track_caller]
pub(crate) fn check<T: BodyElement + PartialEq + Debug>(name: &'static str, value: &T) -> Built {
    let xml = value.to_envelope();
    let document = envelope::parse(&xml).unwrap();
    let read = T::from_envelope(&document).unwrap_or_else(|error| panic!("{name}: {error}"));
    assert_eq!(&read, value, "{name} round trip");
    Built { name, xml }
}

pub(crate) fn person() -> RecipientId {
    RecipientId::parse("198101052382").unwrap()
}

pub(crate) fn company() -> RecipientId {
    RecipientId::parse("162021004748").unwrap()
}

pub(crate) fn organisation() -> OrganisationNumber {
    OrganisationNumber::parse("2021004748").unwrap()
}

pub(crate) fn user() -> UserIdentity {
    UserIdentity::parse("198101052382").unwrap()
}

fn signer() -> Person {
    Person {
        id: SignatoryId::parse("198101052382").unwrap(),
        name: "Anna <&> Berg".into(),
    }
}

fn operator() -> Operator {
    Operator {
        id: OrganisationNumber::parse("165568402266").unwrap(),
        name: "Kivra".into(),
        logo: None,
        service_address: "https://mm.kivra.com/service/v3".into(),
        ui_address: Some("https://www.kivra.com".into()),
    }
}

fn kivra() -> ServiceDomain {
    ServiceDomain::parse("kivra.com").unwrap()
}

fn at() -> time::OffsetDateTime {
    time::macros::datetime!(2016-10-30 15:38:49.517 +01:00)
}

fn signature_result() -> SignatureAuthorizationResult {
    SignatureAuthorizationResult {
        recipient: Some(company()),
        signed_by: vec![signer()],
        status: Some(AuthorizationStatus::Incomplete),
        timestamp: Some(at()),
        text: Some("Två firmatecknare i förening".into()),
        possible_signers: vec![signer(), signer()],
    }
}

fn signature_data() -> SignatureData {
    SignatureData {
        signature: vec![1, 2, 3, 255],
        certificate: "MIIBcert".into(),
        nonce: Some("nonce-1".into()),
        encoding_of_signed_text: Some("UTF-8".into()),
    }
}

fn account_request(kind: AccountRequestType) -> AccountRequest {
    AccountRequest {
        recipient: person(),
        kind,
        agreement_text: "Jag godkänner villkoren".into(),
        date: time::macros::date!(2026 - 11 - 29),
        operator_domain: kivra(),
    }
}

fn preferences() -> AccountPreferences {
    AccountPreferences {
        recipient: person(),
        accepted_senders: vec![SenderEntry {
            id: company(),
            name: "Kommun A".into(),
            attention: Some("Växeln".into()),
        }],
    }
}

fn account_status() -> AccountStatus {
    AccountStatus {
        recipient: person(),
        account_type: AccountType::Secure,
        is_pending: false,
        operator: Some(operator()),
        last_registration: Some(at()),
    }
}

/// Every Recipient v3 operation, request and response.
pub(crate) fn recipient() -> Vec<Built> {
    let mut built = recipient_first_half();
    built.extend(recipient_reachability());
    built.extend(recipient_second_half());
    built.extend(recipient_company_operations());
    built
}

fn recipient_first_half() -> Vec<Built> {
    let pending = rcpt::GetPendingAccountPreferencesResponse {
        preferences: preferences(),
        pending_signatures: signature_result(),
    };
    vec![
        check(
            "getAccountPreferences",
            &rcpt::GetAccountPreferences {
                recipient: person(),
                user: user(),
            },
        ),
        check(
            "getAccountPreferencesResponse",
            &rcpt::GetAccountPreferencesResponse {
                preferences: preferences(),
            },
        ),
        check(
            "getPendingAccountPreferences",
            &rcpt::GetPendingAccountPreferences {
                recipient: company(),
                user: user(),
            },
        ),
        check("getPendingAccountPreferencesResponse", &pending),
        check(
            "deletePendingAccountPreferences",
            &rcpt::DeletePendingAccountPreferences {
                recipient: company(),
                user: user(),
            },
        ),
        check(
            "deletePendingAccountPreferencesResponse",
            &rcpt::DeletePendingAccountPreferencesResponse {
                recipient: company(),
                user: user(),
            },
        ),
        check(
            "storeAccountPreferences",
            &rcpt::StoreAccountPreferences {
                recipient: person(),
                user: user(),
                preferences: preferences(),
                agreement_text: "Villkor".into(),
                signatures: vec![signature_data()],
            },
        ),
        check(
            "storeAccountPreferencesResponse",
            &rcpt::StoreAccountPreferencesResponse {
                result: signature_result(),
            },
        ),
    ]
}

fn recipient_reachability() -> Vec<Built> {
    vec![
        check(
            "isReachable",
            &rcpt::IsReachable::new(organisation(), vec![person(), company()]).unwrap(),
        ),
        check(
            "isReachableResponse",
            &rcpt::IsReachableResponse {
                statuses: vec![ReachabilityStatus {
                    account: account_status(),
                    accepts_sender: true,
                    last_sender_accept_change: Some(at()),
                }],
            },
        ),
        check(
            "isRegistered",
            &rcpt::IsRegistered {
                recipients: vec![person()],
            },
        ),
        check(
            "isRegisteredResponse",
            &rcpt::IsRegisteredResponse {
                statuses: vec![account_status()],
            },
        ),
        check(
            "register",
            &rcpt::Register {
                request: account_request(AccountRequestType::Create),
                account_type: AccountType::Secure,
                signatures: vec![signature_data()],
            },
        ),
    ]
}

fn authorized_account() -> rcpt::AuthorizedAccount {
    rcpt::AuthorizedAccount {
        is_authorized_signer: true,
        user: user(),
        company: company(),
        company_name: "Kommun A".into(),
        signature_rule_text: "Styrelsen".into(),
        possible_signers: vec![signer()],
        account_information: Some(rcpt::AccountInformation {
            state: CompanyAccountState::Pending,
            signed_by: vec![signer()],
            signature_status: AuthorizationStatus::Complete,
            operator_domain: Some(kivra()),
            agreement_text: Some("Villkor".into()),
        }),
    }
}

fn recipient_second_half() -> Vec<Built> {
    vec![
        check(
            "registerResponse",
            &rcpt::RegisterResponse {
                result: signature_result(),
            },
        ),
        check(
            "deregister",
            &rcpt::Deregister {
                request: account_request(AccountRequestType::Delete),
                signatures: vec![signature_data()],
            },
        ),
        check(
            "deregisterResponse",
            &rcpt::DeregisterResponse {
                result: SignatureAuthorizationResult::default(),
            },
        ),
        check(
            "getPendingAccountRequest",
            &rcpt::GetPendingAccountRequest {
                recipients: vec![company()],
                user: user(),
            },
        ),
        check(
            "getPendingAccountRequestResponse",
            &rcpt::GetPendingAccountRequestResponse {
                requests: vec![PendingAccountRequest {
                    request: account_request(AccountRequestType::Create),
                    signature_status: signature_result(),
                }],
            },
        ),
        check(
            "deletePendingAccountRequest",
            &rcpt::DeletePendingAccountRequest {
                recipient: company(),
                user: user(),
            },
        ),
        check(
            "deletePendingAccountRequestResponse",
            &rcpt::DeletePendingAccountRequestResponse,
        ),
    ]
}

fn recipient_company_operations() -> Vec<Built> {
    vec![
        check(
            "changeServiceSupplier",
            &rcpt::ChangeServiceSupplier {
                recipient: person(),
                user: user(),
                operator_domain: kivra(),
                agreement_text: "Villkor".into(),
                signatures: vec![signature_data(), signature_data()],
            },
        ),
        check(
            "changeServiceSupplierResponse",
            &rcpt::ChangeServiceSupplierResponse {
                result: signature_result(),
            },
        ),
        check(
            "getPendingChangeServiceSupplier",
            &rcpt::GetPendingChangeServiceSupplier {
                recipient: company(),
                user: user(),
            },
        ),
        check(
            "getPendingChangeServiceSupplierResponse",
            &rcpt::GetPendingChangeServiceSupplierResponse {
                operator: Some(operator()),
                pending_signatures: signature_result(),
            },
        ),
        check(
            "deletePendingChangeServiceSupplier",
            &rcpt::DeletePendingChangeServiceSupplier {
                recipient: company(),
                user: user(),
            },
        ),
        check(
            "deletePendingChangeServiceSupplierResponse",
            &rcpt::DeletePendingChangeServiceSupplierResponse {
                operator: operator(),
            },
        ),
        check(
            "isAuthorizedSigner",
            &rcpt::IsAuthorizedSigner {
                company: company(),
                user: user(),
            },
        ),
        check(
            "isAuthorizedSignerResponse",
            &rcpt::IsAuthorizedSignerResponse {
                account: authorized_account(),
            },
        ),
    ]
}

/// Every Authority operation, request and response.
pub(crate) fn authority() -> Vec<Built> {
    let mut built = authority_lists();
    built.extend(authority_signatures());
    built
}

fn authority_lists() -> Vec<Built> {
    vec![
        check("getSenders", &auth::GetSenders),
        check(
            "getSendersResponse",
            &auth::GetSendersResponse {
                senders: preferences().accepted_senders,
            },
        ),
        check("getDispatchers", &auth::GetDispatchers),
        check(
            "getDispatchersResponse",
            &auth::GetDispatchersResponse {
                intermediaries: vec![auth::Intermediary {
                    id: OrganisationNumber::parse("165568402266").unwrap(),
                    name: "Kivra AB".into(),
                    senders: vec![organisation()],
                }],
            },
        ),
        check(
            "isSenderAccepted",
            &auth::IsSenderAccepted { sender: company() },
        ),
        check(
            "isSenderAcceptedResponse",
            &auth::IsSenderAcceptedResponse { is_accepted: true },
        ),
        check(
            "getUserAccessRights",
            &auth::GetUserAccessRights { user: user() },
        ),
    ]
}

fn access_rights() -> auth::UserAccessRightsResult {
    auth::UserAccessRightsResult {
        rights: vec![auth::UserAccessRights {
            recipient: company(),
            organisation_name: Some("Kommun A".into()),
            user: user(),
            granted_access: vec![auth::UserActivity::View, auth::UserActivity::EditSettings],
            grant_type: auth::GrantType::AuthorizedSignatory,
            role: Some("VD".into()),
        }],
        problems: vec![auth::UserAccessRightsProblem {
            source: auth::AccessProblemSource::Bolagsverket,
            kind: auth::AccessProblemType::SourceInaccessible,
            description: "Bolagsverket svarar inte".into(),
            object_id: None,
        }],
    }
}

fn authority_signatures() -> Vec<Built> {
    vec![
        check(
            "getUserAccessRightsResponse",
            &auth::GetUserAccessRightsResponse {
                result: access_rights(),
            },
        ),
        check(
            "getUserAccessRightsNoConcent",
            &auth::GetUserAccessRightsNoConcent { user: user() },
        ),
        check(
            "getUserAccessRightsNoConcentResponse",
            &auth::GetUserAccessRightsNoConcentResponse {
                result: access_rights(),
            },
        ),
        check(
            "testNewSigner",
            &auth::TestNewSigner {
                company: company(),
                signers: vec![signer()],
                candidate: Some(SignatoryId::parse("198101052382").unwrap()),
                action: auth::AccountAction::Ownership,
            },
        ),
        check(
            "testNewSignerResponse",
            &auth::TestNewSignerResponse {
                result: signature_result(),
            },
        ),
        check(
            "verifyAuthorizedSignatures",
            &auth::VerifyAuthorizedSignatures {
                company: company(),
                signatures: vec![signature_data()],
                signed_data: b"Villkor".to_vec(),
                action: auth::AccountAction::CancelConsent,
            },
        ),
        check(
            "verifyAuthorizedSignaturesResponse",
            &auth::VerifyAuthorizedSignaturesResponse {
                result: signature_result(),
            },
        ),
    ]
}

pub(crate) fn sender() -> Sender {
    Sender {
        id: organisation(),
        name: SenderName::parse("Kommun A").unwrap(),
        attention: None,
    }
}

pub(crate) fn message_header() -> MessageHeader {
    MessageHeader {
        id: MessageId::parse("a6f1c9e2-0000-4000-8000-000000000001").unwrap(),
        subject: Subject::parse("Beslut om bygglov & <villkor>").unwrap(),
        support_info: SupportInfo {
            text: SupportText::parse("Ring oss").unwrap(),
            url: Some(SupportUrl::parse("https://kommun.example/hjalp").unwrap()),
            phone: None,
            email: Some(EmailAddress::parse("hjalp@kommun.example").unwrap()),
        },
        official_matter: Some(OfficialMatter {
            timestamp: SealDate::parse_timestamp("2020-05-27").unwrap(),
            identity: Some(OfficialMatterIdentity {
                event_id: Some(EventId::parse("2344").unwrap()),
                ..OfficialMatterIdentity::default()
            }),
            matter_subject: Some(MatterSubject::parse("Bygglov").unwrap()),
            event_type: None,
            matter_status: Some(MatterStatus::parse("closed").unwrap()),
        }),
        metadata: vec![Metadata {
            tag: MetadataTag::parse("diarienummer").unwrap(),
            value: MetadataValue::parse("BN 2026/17").unwrap(),
        }],
        language: Language::swedish(),
    }
}

pub(crate) fn secure_delivery() -> SecureDelivery {
    let attachment = Attachment::new(
        Filename::parse("beslut.pdf").unwrap(),
        AttachmentContentType::Pdf,
        b"%PDF-1.4 test".to_vec(),
    );
    let body = Body::html("<p>Hej &amp; välkommen</p>".into());
    SecureDelivery {
        header: DeliveryHeader {
            sender: sender(),
            recipient: person(),
            reference: None,
            correlation_id: None,
            attention: None,
        },
        message: SecureMessage::new(message_header(), body, vec![attachment]).unwrap(),
    }
}

pub(crate) fn seal() -> Seal {
    let date = SealDate::parse("2023-10-11+02:00").unwrap();
    Seal {
        received_date: date,
        signatures_ok: true,
    }
}

/// A structurally valid `ds:Signature` (not a real one): the XSD requires one where a signer
/// would append it, and this crate's tests check shapes, not signatures (kuvert-xmldsig does).
pub(crate) const SHAPE_ONLY_SIGNATURE: &str = "\
<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\">\
<SignedInfo><CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>\
<SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/>\
<Reference URI=\"\"><DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/>\
<DigestValue>AAAA</DigestValue></Reference></SignedInfo><SignatureValue>AAAA</SignatureValue>\
</Signature>";

/// Appends [`SHAPE_ONLY_SIGNATURE`] as the last child of a prefix-free root element.
pub(crate) fn with_signature(element_xml: &str) -> String {
    let close = element_xml.rfind("</").unwrap();
    format!(
        "{}{SHAPE_ONLY_SIGNATURE}{}",
        &element_xml[..close],
        &element_xml[close..]
    )
}

/// The signed and sealed letter, as the sender and intermediary would produce it.
pub(crate) fn sealed_delivery_xml() -> String {
    let signed = with_signature(&delivery::unsigned_signed_delivery(&secure_delivery()));
    with_signature(&delivery::unsigned_sealed_delivery(&signed, &seal()))
}

pub(crate) fn notification_delivery() -> notification::NotificationDelivery {
    notification::NotificationDelivery {
        header: delivery::MultiRecipientHeader {
            sender: sender(),
            recipients: vec![person(), company()],
            reference: None,
            correlation_id: None,
            attention: None,
        },
        message_header: message_header(),
        body: Body::plain_text("Du har fått ett brev".into()),
        email: Some(notification::EmailNotice {
            from: EmailAddress::parse("noreply@kommun.example").unwrap(),
            subject: "Nytt brev".into(),
            text: "Logga in".into(),
        }),
        sms: Some(notification::SmsNotice {
            from: "Kommun".into(),
            text: "Nytt brev".into(),
        }),
    }
}

pub(crate) fn receipt() -> Receipt {
    Receipt {
        trans_id: TransId::parse("3832352f-fa74-4c17-ab6a-a6e3ab8324f3").unwrap(),
        recipient: person(),
        is_delivered: true,
    }
}

/// Every Service, Message and Notification operation; requests carrying signed deliveries
/// are built by their functions and checked by the round-trip tests.
pub(crate) fn service_message_notification() -> Vec<Built> {
    let mut built = service();
    built.extend(message_and_notification());
    built
}

fn service() -> Vec<Built> {
    let status = notification::NotificationStatus {
        recipient: person(),
        is_delivered: true,
        channels: vec![notification::NotificationChannel::Email],
    };
    vec![
        Built {
            name: "deliverSecure",
            xml: service::deliver_secure_request(&sealed_delivery_xml()).unwrap(),
        },
        check(
            "deliverSecureResponse",
            &service::DeliverSecureResponse { receipt: receipt() },
        ),
        check(
            "notify",
            &service::Notify {
                delivery: notification_delivery(),
            },
        ),
        check(
            "notifyResponse",
            &service::NotifyResponse {
                trans_id: receipt().trans_id,
                statuses: vec![status.clone()],
            },
        ),
        Built {
            name: "deliverForward",
            xml: service::deliver_forward_request(&forward_note(), &sealed_delivery_xml()).unwrap(),
        },
        check(
            "deliverForwardResponse",
            &service::DeliverForwardResponse { receipt: receipt() },
        ),
        Built {
            name: "distributeSecure",
            xml: message::distribute_secure_request(&signed_delivery_xml()).unwrap(),
        },
    ]
}

fn message_and_notification() -> Vec<Built> {
    let status = notification::NotificationStatus {
        recipient: person(),
        is_delivered: true,
        channels: vec![notification::NotificationChannel::Email],
    };
    let id = DistributionId::parse("dist-1").unwrap();
    vec![
        check(
            "distributeSecureResponse",
            &message::DistributeSecureResponse {
                distribution_id: id.clone(),
            },
        ),
        check(
            "message checkDistributionStatus",
            &message::CheckDistributionStatus {
                sender: company(),
                distribution_id: id.clone(),
            },
        ),
        check(
            "message checkDistributionStatusResponse",
            &message::CheckDistributionStatusResponse {
                statuses: vec![message::DistributionStatus {
                    recipient: person(),
                    kind: message::DistributionType::Digital,
                    state: Some(message::DistributionState::Delivered),
                }],
            },
        ),
        check(
            "distribute",
            &notification::Distribute {
                delivery: notification_delivery(),
            },
        ),
        check(
            "distributeResponse",
            &notification::DistributeResponse {
                distribution_id: id.clone(),
            },
        ),
        check(
            "notification checkDistributionStatus",
            &notification::CheckDistributionStatus {
                sender: organisation(),
                distribution_id: id,
            },
        ),
        check(
            "notification checkDistributionStatusResponse",
            &notification::CheckDistributionStatusResponse {
                statuses: vec![status],
            },
        ),
    ]
}

pub(crate) fn signed_delivery_xml() -> String {
    with_signature(&delivery::unsigned_signed_delivery(&secure_delivery()))
}

pub(crate) fn forward_note() -> service::ForwardNote {
    service::ForwardNote {
        header: delivery::MultiRecipientHeader {
            sender: sender(),
            recipients: vec![company()],
            reference: None,
            correlation_id: None,
            attention: None,
        },
        subject: Subject::parse("Vidarebefordrat").unwrap(),
        body: Body::plain_text("Se bifogat".into()),
        message_id_to_forward: Some(MessageId::parse("m-1").unwrap()),
    }
}

/// Fault envelopes: the v3 form and the Authority per-operation form.
pub(crate) fn faults() -> Vec<Built> {
    let fault = Fault::new(
        FaultCode::MAX_EXCEEDED,
        "isReachable has 1001 recipientId, max 1000",
    );
    vec![
        Built {
            name: "applicationFault",
            xml: fault.to_envelope(),
        },
        Built {
            name: "getSendersFault",
            xml: fault.to_authority_envelope("getSendersFault"),
        },
    ]
}
