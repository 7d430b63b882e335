//! Role tests of the mailbox operator: a real operator (`kuvert_operator::build`) on
//! 127.0.0.1:0 over mutual TLS, with a small in-test registry (an outside system at this
//! level) answering the Authority and Recipient calls with `kuvert-wire`'s builders, and
//! letters signed and sealed with `kuvert_xmldsig::Signer` and `kuvert-pki` certificates.
#![allow(clippy::unwrap_used)]

mod account;
mod export;
mod inbox;
mod intake;
mod intake_strict;
mod isolation;
mod notification;

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber, RecipientId};
use kuvert_core::message::{
    Attachment, AttachmentContentType, Body, DeliveryHeader, Filename, Language, MessageHeader,
    MessageId, Seal, SealDate, SecureDelivery, SecureMessage, Sender, SenderName, Subject,
    SupportInfo, SupportText,
};
use kuvert_operator::{Config, Listeners, Service};
use kuvert_pki::{OrganisationSpec, PkiSpec, TestPki};
use kuvert_web::{Listener, ListenerTls, Shutdown};
use kuvert_wire::envelope::{self, BodyElement};
use kuvert_wire::error::WireError;
use kuvert_wire::fault::Fault;
use kuvert_wire::service::DeliverSecureResponse;
use kuvert_xmldsig::{SignatureAlgorithm, Signer};
use secrecy::ExposeSecret;

/// The operator under test (Demobrevlådan).
pub(crate) const OPERATOR: &str = "5599000014";
/// Another operator (Exempelposten), holding `ELSEWHERE`'s mailbox.
pub(crate) const OTHER_OPERATOR: &str = "5599000022";
/// The registry.
pub(crate) const REGISTRY: &str = "2120000142";
/// A connected sender (Exempelkommun).
pub(crate) const SENDER: &str = "2120000159";
/// An organisation the registry does not list as a sender.
pub(crate) const UNKNOWN_SENDER: &str = "2120000167";
/// The intermediary approved for `SENDER`.
pub(crate) const INTERMEDIARY: &str = "5566778899";
/// An intermediary approved for nobody.
pub(crate) const ROGUE_INTERMEDIARY: &str = "5566778808";

/// Has a mailbox here that accepts `SENDER`.
pub(crate) const HERE: &str = "198101052382";
/// Has a mailbox here that deselected `SENDER`.
pub(crate) const DESELECTED: &str = "199001011239";
/// Has a mailbox at `OTHER_OPERATOR`.
pub(crate) const ELSEWHERE: &str = "191212121212";

/// The largest envelope the test operator accepts: small, so "oversized" is cheap to send.
pub(crate) const ENVELOPE_BYTES_MAX: u64 = 256 * 1024;

/// The test PKI, made once per test binary (RSA key generation is slow).
pub(crate) fn pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| {
        let organisations = [
            ("operator", "Demobrevlådan", OPERATOR),
            (
                "registry",
                "Kuvert Förmedlingsadressregistret (test)",
                REGISTRY,
            ),
            ("sender", "Exempelkommun", SENDER),
            ("unknown-sender", "Okända kommunen", UNKNOWN_SENDER),
            ("intermediary", "Exempelförmedlaren", INTERMEDIARY),
            ("rogue", "Obehöriga förmedlaren", ROGUE_INTERMEDIARY),
        ];
        TestPki::generate(&spec(&organisations)).unwrap()
    })
}

/// A second PKI whose CA the operator does not trust.
pub(crate) fn foreign_pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| {
        TestPki::generate(&spec(&[(
            "intermediary",
            "Exempelförmedlaren",
            INTERMEDIARY,
        )]))
        .unwrap()
    })
}

fn spec(organisations: &[(&str, &str, &str)]) -> PkiSpec {
    let organisations = organisations
        .iter()
        .map(|(key, name, number)| OrganisationSpec {
            key: (*key).to_owned(),
            name: (*name).to_owned(),
            number: org(number),
            host_names: vec!["localhost".to_owned()],
        })
        .collect();
    PkiSpec {
        organisations,
        persons: Vec::new(),
    }
}

pub(crate) fn org(number: &str) -> OrganisationNumber {
    OrganisationNumber::parse(number).unwrap()
}

pub(crate) fn person(number: &str) -> RecipientId {
    RecipientId::Person(PersonalIdentityNumber::parse(number).unwrap())
}

/// A running operator with its registry stub, temp dir and shutdown signal.
pub(crate) struct Harness {
    pub(crate) service: Service,
    pub(crate) service_addr: SocketAddr,
    pub(crate) mail_dir: std::path::PathBuf,
    pub(crate) blob_dir: std::path::PathBuf,
    shutdown: Shutdown,
    _dir: tempfile::TempDir,
}

impl Drop for Harness {
    fn drop(&mut self) {
        self.shutdown.trigger();
    }
}

/// Which e-mail transport the operator under test uses.
pub(crate) enum Mail {
    /// `.eml` files in the harness's `mail_dir`.
    Directory,
    /// SMTP to this `host:port`.
    Smtp(String),
    /// This whole `notification` section (e-mail and SMS settings as a test gives them).
    Settings(serde_json::Value),
}

/// Starts the registry stub and an operator on 127.0.0.1:0.
pub(crate) async fn start(mail: Mail) -> Harness {
    start_with(mail, None).await
}

/// As [`start`], with SMS notifications going to the gateway at `sms_gateway_url`.
pub(crate) async fn start_with(mail: Mail, sms_gateway_url: Option<String>) -> Harness {
    let shutdown = Shutdown::new();
    let registry_url = registry_stub::start(pki(), shutdown.clone()).await;
    start_against(registry_url, mail, sms_gateway_url, shutdown).await
}

/// An operator asking the registry at `registry_url`.
pub(crate) async fn start_against(
    registry_url: String,
    mail: Mail,
    sms_gateway_url: Option<String>,
    shutdown: Shutdown,
) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let mail_dir = dir.path().join("mail");
    let notification = match mail {
        Mail::Directory => serde_json::json!({
            "email_from": "avisering@demobrevladan.example",
            "mail_dir": mail_dir,
            "sms_gateway_url": sms_gateway_url,
        }),
        Mail::Smtp(address) => serde_json::json!({
            "email_from": "avisering@demobrevladan.example",
            "smtp_address": address,
            "sms_gateway_url": sms_gateway_url,
        }),
        Mail::Settings(section) => section,
    };
    let blob_dir = dir.path().join("blobs");
    let config = config_at(dir.path(), &registry_url, notification);
    let service = kuvert_operator::build(config).await.unwrap();
    let localhost: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let service_listener = Listener::bind(localhost, service.service_listener_tls())
        .await
        .unwrap();
    let web_listener = Listener::bind(localhost, ListenerTls::Plain).await.unwrap();
    let service_addr = service_listener.local_addr().unwrap();
    let listeners = Listeners {
        service: service_listener,
        web: web_listener,
        admin: Listener::bind(localhost, ListenerTls::Plain).await.unwrap(),
    };
    tokio::spawn(service.clone().serve(listeners, shutdown.clone()));
    Harness {
        service,
        service_addr,
        mail_dir,
        blob_dir,
        shutdown,
        _dir: dir,
    }
}

/// An operator's configuration in `dir` with this `notification` section, asking a registry
/// that is never called (for start-up checks).
pub(crate) fn config_with_notification(
    dir: &std::path::Path,
    notification: serde_json::Value,
) -> Config {
    config_at(dir, "https://127.0.0.1:9/", notification)
}

/// The operator's configuration with its files in `dir`, through serde as the binary loads
/// it, so every default applies.
fn config_at(dir: &std::path::Path, registry_url: &str, notification: serde_json::Value) -> Config {
    let tls = write_identity(dir, pki(), "operator");
    let database_url = format!("sqlite://{}?mode=rwc", dir.join("operator.db").display());
    serde_json::from_value(serde_json::json!({
        "organisation_number": OPERATOR,
        "name": "Demobrevlådan",
        "domain": "demobrevladan.example",
        "tls": tls,
        "registry_url": registry_url,
        "database_url": database_url,
        "blob_dir": dir.join("blobs"),
        "envelope_bytes_max": ENVELOPE_BYTES_MAX,
        "notification": notification,
        "web": {
            "public_url": "https://demobrevladan.example/",
            "oidc_issuer": "https://eid.invalid/",
            "oidc_client_id": "demobrevladan",
            "oidc_client_secret": "not-used-by-these-tests",
            "signing_service_url": "https://eid.invalid/sign",
        },
    }))
    .unwrap()
}

fn write_identity(dir: &std::path::Path, pki: &TestPki, key: &str) -> serde_json::Value {
    let credential = pki.organisation(key).unwrap();
    let certificate_path = dir.join(format!("{key}.pem"));
    let key_path = dir.join(format!("{key}.key"));
    let organisation_ca_path = dir.join("organisation-ca.pem");
    std::fs::write(&certificate_path, credential.certificate_pem()).unwrap();
    std::fs::write(&key_path, credential.key_pem().expose_secret()).unwrap();
    std::fs::write(&organisation_ca_path, pki.organisation_ca_pem()).unwrap();
    serde_json::json!({
        "certificate_path": certificate_path,
        "key_path": key_path,
        "organisation_ca_path": organisation_ca_path,
    })
}

/// An HTTPS client trusting the test organisation CA, presenting `identity`'s certificate
/// from `pki` (none for `None`).
pub(crate) fn client(pki: &TestPki, identity: Option<&str>) -> reqwest::Client {
    let identity = identity.map(|key| {
        let credential = pki.organisation(key).unwrap();
        (
            credential.certificate_pem().to_owned(),
            credential.key_pem().clone(),
        )
    });
    kuvert_web::http_client(&kuvert_web::ClientConfig {
        ca_pem: self::pki().organisation_ca_pem().to_owned(),
        identity,
        connect_timeout: Duration::from_secs(10),
        request_timeout: Duration::from_secs(60),
    })
    .unwrap()
}

/// What came back from `/service/v3`.
#[derive(Debug)]
pub(crate) enum Answer {
    /// A receipt, with the response text.
    Receipt(DeliverSecureResponse, String),
    /// An MM fault.
    Fault(Box<Fault>),
}

impl Harness {
    /// Posts `envelope` to `/service/v3` as `caller` (a key of the test PKI).
    pub(crate) async fn deliver(&self, caller: &str, envelope: String) -> Answer {
        let url = format!("https://{}/service/v3", self.service_addr);
        let response = client(pki(), Some(caller))
            .post(url)
            .header("content-type", "text/xml; charset=utf-8")
            .body(envelope)
            .send()
            .await
            .unwrap();
        read_answer(&response.text().await.unwrap())
    }
}

pub(crate) fn read_answer(text: &str) -> Answer {
    let document = envelope::parse(text).unwrap();
    match DeliverSecureResponse::from_envelope(&document) {
        Ok(response) => Answer::Receipt(response, text.to_owned()),
        Err(WireError::Fault(fault)) => Answer::Fault(fault),
        Err(other) => panic!("neither receipt nor fault: {other}"),
    }
}

/// A letter to build, sign and seal.
#[derive(Clone)]
pub(crate) struct Letter {
    pub(crate) sender: &'static str,
    pub(crate) recipient: &'static str,
    pub(crate) message_id: String,
    pub(crate) subject: &'static str,
    /// PKI key of the `SignedDelivery` signer.
    pub(crate) signer: &'static str,
    /// PKI key of the sealer.
    pub(crate) sealer: &'static str,
    /// Replaces the attachment's content type before signing.
    pub(crate) attachment_type: Option<&'static str>,
    /// The body; plain text "Hej! Här är beslutet." when `None`.
    pub(crate) body: Option<Body>,
    /// The support information; a text only when `None`.
    pub(crate) support_info: Option<SupportInfo>,
}

impl Letter {
    /// `SENDER` → `recipient`, signed by the sender, sealed by the intermediary, with a
    /// fresh message id.
    pub(crate) fn to(recipient: &'static str) -> Self {
        Self {
            sender: SENDER,
            recipient,
            message_id: uuid::Uuid::new_v4().to_string(),
            subject: "Beslut om bygglov BN-4711",
            signer: "sender",
            sealer: "intermediary",
            attachment_type: None,
            body: None,
            support_info: None,
        }
    }

    /// The `deliverSecure` envelope.
    pub(crate) fn envelope(&self) -> String {
        self.envelope_edited(|unsigned| unsigned)
    }

    /// The `deliverSecure` envelope with the unsigned delivery changed by `edit` before it is
    /// signed: a letter no typed value would build, signed and sealed like a real one.
    pub(crate) fn envelope_edited(&self, edit: impl FnOnce(String) -> String) -> String {
        let today = time::OffsetDateTime::now_utc().date();
        let signed = self.sign(&edit(self.unsigned()));
        self.seal(&self.unsealed(&signed, SealDate::new(today, None)))
    }

    /// The unsigned `SignedDelivery`, attachment type replaced as asked.
    pub(crate) fn unsigned(&self) -> String {
        let unsigned = kuvert_wire::delivery::unsigned_signed_delivery(&self.secure_delivery());
        match self.attachment_type {
            Some(content_type) => unsigned.replace("application/pdf", content_type),
            None => unsigned,
        }
    }

    /// `unsigned` (a `SignedDelivery`, perhaps edited) signed by this letter's signer.
    pub(crate) fn sign(&self, unsigned: &str) -> String {
        signer(self.signer)
            .sign(unsigned, SignatureAlgorithm::RsaSha256)
            .unwrap()
    }

    /// The unsigned `SealedDelivery` around `signed`, sealed on `date`.
    pub(crate) fn unsealed(&self, signed: &str, date: SealDate) -> String {
        let seal = Seal {
            received_date: date,
            signatures_ok: true,
        };
        kuvert_wire::delivery::unsigned_sealed_delivery(signed, &seal)
    }

    /// `unsealed` (perhaps edited) sealed by this letter's sealer, as a `deliverSecure`
    /// envelope.
    pub(crate) fn seal(&self, unsealed: &str) -> String {
        let sealed = signer(self.sealer)
            .sign(unsealed, SignatureAlgorithm::RsaSha256)
            .unwrap();
        kuvert_wire::service::deliver_secure_request(&sealed).unwrap()
    }

    pub(crate) fn secure_delivery(&self) -> SecureDelivery {
        let header = MessageHeader {
            id: MessageId::parse(&self.message_id).unwrap(),
            subject: Subject::parse(self.subject).unwrap(),
            support_info: self.support_info.clone().unwrap_or_else(|| SupportInfo {
                text: SupportText::parse("Ring oss på 010-123 45 67").unwrap(),
                url: None,
                phone: None,
                email: None,
            }),
            official_matter: None,
            metadata: Vec::new(),
            language: Language::swedish(),
        };
        let attachment = Attachment::new(
            Filename::parse("beslut.pdf").unwrap(),
            AttachmentContentType::Pdf,
            b"%PDF-1.4 test".to_vec(),
        );
        let body = self
            .body
            .clone()
            .unwrap_or_else(|| Body::plain_text("Hej! Här är beslutet.".to_owned()));
        SecureDelivery {
            header: DeliveryHeader {
                sender: Sender {
                    id: org(self.sender),
                    name: SenderName::parse("Exempelkommun").unwrap(),
                    attention: None,
                },
                recipient: person(self.recipient),
                reference: None,
                correlation_id: None,
                attention: None,
            },
            message: SecureMessage::new(header, body, vec![attachment]).unwrap(),
        }
    }
}

fn signer(key: &str) -> Signer {
    let credential = pki().organisation(key).unwrap();
    Signer::from_pkcs8_pem(
        credential.key_pem().expose_secret(),
        credential.certificate_pem(),
    )
    .unwrap()
}

/// The registry as the operator sees it: `getSenders`, `getDispatchers`, `isReachable`,
/// `isRegistered` and `getAccountPreferences` over mutual TLS, answered from a fixed table
/// with `kuvert-wire`'s response types.
mod registry_stub {
    use std::net::SocketAddr;

    use axum::Router;
    use axum::routing::post;
    use kuvert_core::id::RecipientId;
    use kuvert_pki::TestPki;
    use kuvert_web::{Listener, ListenerTls, Shutdown};
    use kuvert_wire::authority::{
        self, AuthorityRequest, GetDispatchersResponse, GetSendersResponse, Intermediary,
    };
    use kuvert_wire::envelope::{self, BodyElement};
    use kuvert_wire::fault::{Fault, FaultCode};
    use kuvert_wire::recipient::{
        self, GetAccountPreferencesResponse, IsReachableResponse, IsRegisteredResponse,
        RecipientRequest,
    };
    use kuvert_wire::types::{
        AccountPreferences, AccountStatus, Operator, ReachabilityStatus, SenderEntry,
    };
    use kuvert_wire::values::AccountType;

    use super::{DESELECTED, ELSEWHERE, HERE, INTERMEDIARY, OPERATOR, OTHER_OPERATOR, SENDER};
    use super::{org, person};

    /// Starts the stub on 127.0.0.1:0; returns its base URL.
    pub(crate) async fn start(pki: &TestPki, shutdown: Shutdown) -> String {
        let credential = pki.organisation("registry").unwrap();
        let tls = ListenerTls::MutualTls {
            cert_chain_pem: credential.certificate_pem().to_owned(),
            key_pem: credential.key_pem().clone(),
            client_ca_pem: pki.organisation_ca_pem().to_owned(),
        };
        let localhost: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let listener = Listener::bind(localhost, tls).await.unwrap();
        let url = format!("https://{}", listener.local_addr().unwrap());
        let router = Router::new()
            .route("/ec/Authority", post(authority))
            .route("/ec/Recipient/v3", post(recipient));
        tokio::spawn(kuvert_web::serve(listener, router, shutdown));
        url
    }

    async fn authority(body: String) -> String {
        let document = envelope::parse(&body).unwrap();
        match authority::parse_request(&document).unwrap() {
            AuthorityRequest::GetSenders(_) => GetSendersResponse {
                senders: vec![SenderEntry {
                    id: RecipientId::Organisation(org(SENDER)),
                    name: "Exempelkommun".to_owned(),
                    attention: None,
                }],
            }
            .to_envelope(),
            AuthorityRequest::GetDispatchers(_) => GetDispatchersResponse {
                intermediaries: vec![Intermediary {
                    id: org(INTERMEDIARY),
                    name: "Exempelförmedlaren".to_owned(),
                    senders: vec![org(SENDER)],
                }],
            }
            .to_envelope(),
            _ => Fault::new(FaultCode::ILLEGAL_STATE, "not in the stub").to_envelope(),
        }
    }

    async fn recipient(body: String) -> String {
        let document = envelope::parse(&body).unwrap();
        match recipient::parse_request(&document).unwrap() {
            // As the registry answers an operator: the sender's acceptance of its own
            // recipients (DESELECTED has deselected it).
            RecipientRequest::IsReachable(request) => IsReachableResponse {
                statuses: request
                    .recipients()
                    .iter()
                    .map(|recipient| ReachabilityStatus {
                        account: status(recipient),
                        accepts_sender: *recipient == person(HERE)
                            && request.sender() == &org(SENDER),
                        last_sender_accept_change: None,
                    })
                    .collect(),
            }
            .to_envelope(),
            RecipientRequest::IsRegistered(request) => IsRegisteredResponse {
                statuses: request.recipients.iter().map(status).collect(),
            }
            .to_envelope(),
            RecipientRequest::GetAccountPreferences(request) => {
                let accepted_senders = if request.recipient == person(DESELECTED) {
                    Vec::new()
                } else {
                    vec![SenderEntry {
                        id: RecipientId::Organisation(org(SENDER)),
                        name: "Exempelkommun".to_owned(),
                        attention: None,
                    }]
                };
                let preferences = AccountPreferences {
                    recipient: request.recipient,
                    accepted_senders,
                };
                GetAccountPreferencesResponse { preferences }.to_envelope()
            }
            _ => Fault::new(FaultCode::ILLEGAL_STATE, "not in the stub").to_envelope(),
        }
    }

    fn status(recipient: &RecipientId) -> AccountStatus {
        let operator = if *recipient == person(HERE) || *recipient == person(DESELECTED) {
            Some(OPERATOR)
        } else if *recipient == person(ELSEWHERE) {
            Some(OTHER_OPERATOR)
        } else {
            None
        };
        AccountStatus {
            recipient: recipient.clone(),
            account_type: if operator.is_some() {
                AccountType::Secure
            } else {
                AccountType::Not
            },
            is_pending: false,
            operator: operator.map(|number| Operator {
                id: org(number),
                name: "operator".to_owned(),
                logo: None,
                service_address: "https://127.0.0.1:1/service/v3".to_owned(),
                ui_address: None,
            }),
            last_registration: None,
        }
    }
}
