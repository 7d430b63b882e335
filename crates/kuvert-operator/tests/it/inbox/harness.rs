//! The inbox tests' world: the operator under test with its web listener, the test e-ID
//! with three persons who can sign, and letters put straight into the operator's store.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use kuvert_core::id::{PersonalIdentityNumber, RecipientId};
use kuvert_core::message::{
    AttachmentContentType, DeliveryKey, Filename, MessageId, SenderName, Subject, TransId,
};
use kuvert_eid::provider::{
    PersonCredential, RegisteredClient, TestEidConfig, TestEidProvider, TestPerson,
};
use kuvert_operator::Config;
use kuvert_pki::{PersonSpec, PkiSpec, TestPki};
use kuvert_store::operator::{
    AttachmentInfo, DeliveryId, NewDelivery, OperatorStore, StoreOutcome,
};
use kuvert_web::{Listener, ListenerTls, Shutdown};
use secrecy::SecretString;
use url::Url;

use crate::{ELSEWHERE, HERE, Letter, OPERATOR, pki, registry_stub, write_identity};

pub(crate) const CLIENT_ID: &str = "demobrevladan";
pub(crate) const CLIENT_SECRET: &str = "inbox test secret";
/// Not registered anywhere: gets "Skaffa digital brevlåda".
pub(crate) const NEWCOMER: &str = "199008252398";
/// Test persons in the provider's order: `HERE`, `ELSEWHERE`, `NEWCOMER`.
pub(crate) const PERSONS: [(&str, &str, &str); 3] = [
    (HERE, "Hanna", "Här"),
    (ELSEWHERE, "Elsa", "Annanstans"),
    (NEWCOMER, "Nils", "Ny"),
];

/// Person certificates for the test e-ID's signing service (e-ID CA of this PKI).
pub(crate) fn person_pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| {
        let persons = PERSONS
            .iter()
            .enumerate()
            .map(|(idx, (number, given_name, surname))| PersonSpec {
                key: format!("person-{idx}"),
                given_name: (*given_name).to_owned(),
                surname: (*surname).to_owned(),
                number: PersonalIdentityNumber::parse(number).unwrap(),
            })
            .collect();
        TestPki::generate(&PkiSpec {
            organisations: Vec::new(),
            persons,
        })
        .unwrap()
    })
}

/// A running operator web inbox, its store and the test e-ID.
pub(crate) struct Inbox {
    pub(crate) base: Url,
    pub(crate) store: Arc<dyn OperatorStore>,
    /// The operator itself, for its notification worker.
    pub(crate) service: kuvert_operator::Service,
    shutdown: Shutdown,
    _dir: tempfile::TempDir,
}

impl Drop for Inbox {
    fn drop(&mut self) {
        self.shutdown.trigger();
    }
}

pub(crate) async fn start() -> Inbox {
    let shutdown = Shutdown::new();
    let registry_url = registry_stub::start(pki(), shutdown.clone()).await;
    start_with(registry_url, shutdown).await
}

/// The inbox talking to the registry at `registry_url`.
pub(crate) async fn start_with(registry_url: String, shutdown: Shutdown) -> Inbox {
    start_configured(registry_url, shutdown, serde_json::json!({}), None).await
}

/// As [`start`], with the `web` settings in `web_overrides` replacing the harness's own
/// (`public_url`, `session_idle_secs`, …).
pub(crate) async fn start_with_web(web_overrides: serde_json::Value) -> Inbox {
    let shutdown = Shutdown::new();
    let registry_url = registry_stub::start(pki(), shutdown.clone()).await;
    start_configured(registry_url, shutdown, web_overrides, None).await
}

/// As [`start`], with these `notification` settings instead of `.eml` files in a temp dir.
pub(crate) async fn start_with_notification(notification: serde_json::Value) -> Inbox {
    let shutdown = Shutdown::new();
    let registry_url = registry_stub::start(pki(), shutdown.clone()).await;
    start_configured(
        registry_url,
        shutdown,
        serde_json::json!({}),
        Some(notification),
    )
    .await
}

async fn start_configured(
    registry_url: String,
    shutdown: Shutdown,
    web_overrides: serde_json::Value,
    notification: Option<serde_json::Value>,
) -> Inbox {
    let pki = pki();
    let localhost: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let web_listener = Listener::bind(localhost, ListenerTls::Plain).await.unwrap();
    let base = Url::parse(&format!("http://{}/", web_listener.local_addr().unwrap())).unwrap();
    let issuer = start_eid(&base).await;
    let dir = tempfile::tempdir().unwrap();
    let blob_dir = dir.path().join("blobs");
    let database_url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("operator.db").display()
    );
    let mut web = serde_json::json!({
        "public_url": base.as_str(),
        "oidc_issuer": issuer.as_str(),
        "oidc_client_id": CLIENT_ID,
        "oidc_client_secret": CLIENT_SECRET,
        "signing_service_url": issuer.join("sign").unwrap().as_str(),
    });
    if let (Some(web), Some(overrides)) = (web.as_object_mut(), web_overrides.as_object()) {
        web.extend(overrides.clone());
    }
    let config: Config = serde_json::from_value(serde_json::json!({
        "organisation_number": OPERATOR,
        "name": "Demobrevlådan",
        "domain": "demobrevladan.example",
        "tls": write_identity(dir.path(), pki, "operator"),
        "registry_url": registry_url,
        "database_url": database_url,
        "blob_dir": blob_dir,
        "notification": notification.unwrap_or_else(|| serde_json::json!({
            "email_from": "avisering@demobrevladan.example",
            "mail_dir": dir.path().join("mail"),
        })),
        "web": web,
    }))
    .unwrap();
    let service = kuvert_operator::build(config).await.unwrap();
    tokio::spawn(kuvert_web::serve(
        web_listener,
        service.web_router(),
        shutdown.clone(),
    ));
    let blobs = kuvert_store::blob::LocalBlobStore::open(&blob_dir).unwrap();
    let database = kuvert_store::Database::connect(&database_url)
        .await
        .unwrap();
    let store = database.operator(Arc::new(blobs));
    Inbox {
        base,
        store,
        service,
        shutdown,
        _dir: dir,
    }
}

/// The test e-ID on its own port, with the inbox's two return addresses registered.
async fn start_eid(inbox: &Url) -> Url {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
    let persons = PERSONS
        .iter()
        .enumerate()
        .map(|(idx, (number, given_name, surname))| {
            let credential = person_pki().person(&format!("person-{idx}")).unwrap();
            let signing =
                PersonCredential::from_pem(credential.key_pem(), credential.certificate_pem())
                    .unwrap();
            TestPerson {
                personal_identity_number: PersonalIdentityNumber::parse(number).unwrap(),
                given_name: (*given_name).to_owned(),
                surname: (*surname).to_owned(),
                signing: Some(signing),
            }
        })
        .collect();
    let config = TestEidConfig {
        issuer: issuer.clone(),
        clients: vec![RegisteredClient {
            client_id: CLIENT_ID.to_owned(),
            client_secret: SecretString::from(CLIENT_SECRET),
            redirect_uris: vec![
                inbox.join("inloggad").unwrap(),
                inbox.join("skaffa/signerad").unwrap(),
            ],
        }],
        persons,
        claims_only_at_userinfo: false,
    };
    let id_token_key = pki().organisation("registry").unwrap().key_pem().clone();
    let provider = TestEidProvider::new(config, &id_token_key).unwrap();
    tokio::spawn(async move { axum::serve(listener, provider.router()).await });
    issuer
}

/// Stores the intake harness's letter (plain text body, `beslut.pdf`) in `HERE`'s mailbox.
pub(crate) async fn store_letter(inbox: &Inbox) -> DeliveryId {
    store_letter_for(inbox, crate::person(HERE)).await
}

/// Like [`store_letter`], into `mailbox` (a company's, say).
pub(crate) async fn store_letter_for(inbox: &Inbox, mailbox: RecipientId) -> DeliveryId {
    store_letter_with(inbox, mailbox, 1).await
}

/// Like [`store_letter_for`], listing `attachments` attachments (`beslut-N.pdf`).
pub(crate) async fn store_letter_with(
    inbox: &Inbox,
    mailbox: RecipientId,
    attachments: usize,
) -> DeliveryId {
    let letter = Letter::to(HERE);
    let envelope = letter.envelope();
    let delivery = NewDelivery {
        key: DeliveryKey {
            sender: crate::org(letter.sender),
            message_id: MessageId::parse(&letter.message_id).unwrap(),
        },
        recipient: mailbox,
        trans_id: TransId::from_uuid(uuid::Uuid::new_v4()),
        received_at: time::OffsetDateTime::now_utc(),
        sealed_delivery: bytes::Bytes::from(envelope),
        receipt_xml: "<receipt/>".to_owned(),
        subject: Subject::parse(letter.subject).unwrap(),
        sender_name: SenderName::parse("Exempelkommun").unwrap(),
        attachments: (0..attachments)
            .map(|index| AttachmentInfo {
                filename: Filename::parse(&if index == 0 {
                    "beslut.pdf".to_owned()
                } else {
                    format!("beslut-{index}.pdf")
                })
                .unwrap(),
                content_type: AttachmentContentType::Pdf,
                size_bytes: 13,
            })
            .collect(),
    };
    match inbox.store.store_delivery(delivery).await.unwrap() {
        StoreOutcome::Stored(receipt) => receipt.delivery_id,
        StoreOutcome::AlreadyStored(_) => panic!("a fresh message id is stored anew"),
    }
}

/// Stores a letter to `HERE` whose body is `markup` (text/html). The stored form is an
/// unsigned sealed delivery: the read view only parses what intake verified before.
pub(crate) async fn store_html_letter(inbox: &Inbox, markup: &str) -> DeliveryId {
    use kuvert_core::message::{
        Body, DeliveryHeader, Language, MessageHeader, Seal, SealDate, SecureDelivery,
        SecureMessage, Sender, SupportInfo, SupportText,
    };
    let message_id = MessageId::from_uuid(uuid::Uuid::new_v4());
    let header = MessageHeader {
        id: message_id.clone(),
        subject: Subject::parse("Kallelse").unwrap(),
        support_info: SupportInfo {
            text: SupportText::parse("Ring oss").unwrap(),
            url: None,
            phone: None,
            email: None,
        },
        official_matter: None,
        metadata: Vec::new(),
        language: Language::swedish(),
    };
    let delivery = SecureDelivery {
        header: DeliveryHeader {
            sender: Sender {
                id: crate::org(crate::SENDER),
                name: SenderName::parse("Exempelkommun").unwrap(),
                attention: None,
            },
            recipient: crate::person(HERE),
            reference: None,
            correlation_id: None,
            attention: None,
        },
        message: SecureMessage::new(header, Body::html(markup.to_owned()), Vec::new()).unwrap(),
    };
    let signed = kuvert_wire::delivery::unsigned_signed_delivery(&delivery);
    let today = time::OffsetDateTime::now_utc().date();
    let seal = Seal {
        received_date: SealDate::new(today, None),
        signatures_ok: true,
    };
    let sealed = kuvert_wire::delivery::unsigned_sealed_delivery(&signed, &seal);
    let new_delivery = NewDelivery {
        key: DeliveryKey {
            sender: crate::org(crate::SENDER),
            message_id,
        },
        recipient: crate::person(HERE),
        trans_id: TransId::from_uuid(uuid::Uuid::new_v4()),
        received_at: time::OffsetDateTime::now_utc(),
        sealed_delivery: bytes::Bytes::from(sealed),
        receipt_xml: "<receipt/>".to_owned(),
        subject: Subject::parse("Kallelse").unwrap(),
        sender_name: SenderName::parse("Exempelkommun").unwrap(),
        attachments: Vec::new(),
    };
    inbox
        .store
        .store_delivery(new_delivery)
        .await
        .unwrap()
        .receipt()
        .delivery_id
}
