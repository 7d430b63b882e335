//! Namespace URIs of the Mina meddelanden contracts (PROTOCOL.md §3), spelled exactly as in the
//! XSDs. Elements are matched by expanded name (namespace + local name), never by prefix.

/// SOAP 1.1 envelope.
pub const SOAP: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// `common`: v1 shared types (`SignatureData`, v1 `ExceptionInformation`).
pub const COMMON: &str = "http://minameddelanden.gov.se/schema/Common";
/// `common3`: v3 `applicationFault`.
pub const COMMON3: &str = "http://minameddelanden.gov.se/schema/Common/v3";
/// `rcpt`: v1 recipient types (`ReachabilityStatus`, `AccountStatus`, `ServiceSupplier`).
pub const RECIPIENT: &str = "http://minameddelanden.gov.se/schema/Recipient";
/// `rcpt2`: v2 recipient operations kept by the v3 port.
pub const RECIPIENT2: &str = "http://minameddelanden.gov.se/schema/Recipient/v2";
/// `rcpt3`: v3 recipient operations.
pub const RECIPIENT3: &str = "http://minameddelanden.gov.se/schema/Recipient/v3";
/// `auth`: Authority types (`Person`, `SignatureAuthorizationResult`).
pub const AUTHORITY_TYPES: &str = "http://minameddelanden.gov.se/schema/Authority";
/// The Authority WSDL's own namespace: wrapper elements only; `argN`/`return` are unqualified.
pub const AUTHORITY: &str = "http://minameddelanden.gov.se/Authority";
/// `sndr`: `Sender`, `OrganizationNumber`.
pub const SENDER: &str = "http://minameddelanden.gov.se/schema/Sender";
/// `disp`: `Dispatcher` (Kuvert: intermediary).
pub const DISPATCHER: &str = "http://minameddelanden.gov.se/schema/Dispatcher";
/// `msg`: v1 message types (`MessageBody`, `Attachment`, `Seal`, `DeliveryHeader`).
pub const MESSAGE: &str = "http://minameddelanden.gov.se/schema/Message";
/// `msg2`: `SecureDeliveryHeader`.
pub const MESSAGE2: &str = "http://minameddelanden.gov.se/schema/Message/v2";
/// `msg3`: `SignedDelivery`, `SealedDelivery`, `SecureMessage`, Message service operations.
pub const MESSAGE3: &str = "http://minameddelanden.gov.se/schema/Message/v3";
/// `ofm3`: `OfficialMatterExtension`.
pub const OFFICIAL_MATTER3: &str = "http://minameddelanden.gov.se/schema/OfficialMatter/v3";
/// `ntf2`: `EmailMessage`, `SmsMessage`.
pub const NOTIFICATION2: &str = "http://minameddelanden.gov.se/schema/Notification/v2";
/// `ntf3`: `NotificationDelivery`, Notification service operations.
pub const NOTIFICATION3: &str = "http://minameddelanden.gov.se/schema/Notification/v3";
/// `svc`: `DeliveryResult` (the receipt).
pub const SERVICE: &str = "http://minameddelanden.gov.se/schema/Service";
/// `svc3`: Service v3 operations.
pub const SERVICE3: &str = "http://minameddelanden.gov.se/schema/Service/v3";
/// XML-DSig.
pub const XMLDSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
/// Unqualified elements (no namespace).
pub const NONE: &str = "";
