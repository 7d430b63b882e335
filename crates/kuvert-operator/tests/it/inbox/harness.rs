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
    store_signed_letter(inbox, &Letter::to(HERE), mailbox).await
}

/// Like [`store_letter_for`], listing `attachments` attachments (`beslut-N.pdf`) in the
/// mailbox's list (the signed letter itself carries one).
pub(crate) async fn store_letter_with(
    inbox: &Inbox,
    mailbox: RecipientId,
    attachments: usize,
) -> DeliveryId {
    let letter = Letter::to(HERE);
    let envelope = letter.envelope();
    store_delivery(inbox, &letter, mailbox, envelope, attachments).await
}

/// Stores a letter to `HERE` whose body is `markup` (text/html), signed and sealed: the read
/// view reads every letter through the one verifying reader.
pub(crate) async fn store_html_letter(inbox: &Inbox, markup: &str) -> DeliveryId {
    let letter = Letter {
        subject: "Kallelse",
        body: Some(kuvert_core::message::Body::html(markup.to_owned())),
        ..Letter::to(HERE)
    };
    store_signed_letter(inbox, &letter, crate::person(HERE)).await
}

/// Stores `letter`, signed and sealed, in `mailbox` as the intake would.
pub(crate) async fn store_signed_letter(
    inbox: &Inbox,
    letter: &Letter,
    mailbox: RecipientId,
) -> DeliveryId {
    let envelope = letter.envelope();
    store_delivery(inbox, letter, mailbox, envelope, 1).await
}

/// Stores `envelope` as `letter` to `HERE` straight into the store, bypassing the intake
/// (as a broken or tampered blob would be).
pub(crate) async fn store_envelope(inbox: &Inbox, letter: &Letter, envelope: String) -> DeliveryId {
    store_delivery(inbox, letter, crate::person(HERE), envelope, 1).await
}

async fn store_delivery(
    inbox: &Inbox,
    letter: &Letter,
    mailbox: RecipientId,
    envelope: String,
    attachments: usize,
) -> DeliveryId {
    let delivery = NewDelivery {
        key: DeliveryKey {
            sender: crate::org(letter.sender),
            message_id: MessageId::parse(&letter.message_id).unwrap(),
        },
        content_digest: kuvert_core::message::ContentDigest::from_bytes([0; 32]),
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
        other => panic!("a fresh message id is stored anew: {other:?}"),
    }
}

/// The content digest the intake would store for `envelope`.
pub(crate) fn content_digest(envelope: &str) -> kuvert_core::message::ContentDigest {
    let verifier = kuvert_xmldsig::Verifier::new(
        kuvert_xmldsig::trust::TrustAnchors::from_pem(pki().organisation_ca_pem()).unwrap(),
        kuvert_xmldsig::VerifyPolicy::default(),
    );
    kuvert_wire::delivery::read_verified(envelope.as_bytes(), &verifier)
        .unwrap()
        .content_digest
}
