//! Shared test setup: one test PKI per binary (RSA key generation is slow), and small
//! mutual-TLS servers standing in for the registry and an operator, answering with
//! kuvert-wire's real response builders.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::message::{Body, Receipt, Subject, SupportInfo, SupportText, TransId};
use kuvert_pki::{OrganisationSpec, PkiSpec, TestPki};
use kuvert_sender::{IdentityConfig, Letter, RetryConfig, SenderConfig, SenderIdentityConfig};
use kuvert_web::{Listener, ListenerTls, Shutdown};
use kuvert_wire::envelope::{self, BodyElement as _};
use kuvert_wire::fault::Fault;
use kuvert_wire::recipient::{IsReachableResponse, RecipientRequest};
use kuvert_wire::service::DeliverSecureResponse;
use kuvert_wire::types::{AccountStatus, Operator, ReachabilityStatus};
use kuvert_wire::values::AccountType;
use secrecy::SecretString;

pub(crate) const INTERMEDIARY: &str = "5566778899";
pub(crate) const SENDER: &str = "2120000159";
pub(crate) const OPERATOR: &str = "5599000014";
pub(crate) const REGISTRY: &str = "2120000142";

/// Recipients with a fixed answer from the test registry; anyone else is reachable.
pub(crate) const NO_MAILBOX: &str = "199001011239";
pub(crate) const PENDING: &str = "198505152341";
pub(crate) const DESELECTED: &str = "197203033456";
pub(crate) const NO_ADDRESS: &str = "199507074566";
pub(crate) const REACHABLE: &str = "191212121212";

pub(crate) struct Pki {
    pub(crate) pki: TestPki,
    pub(crate) dir: tempfile::TempDir,
}

/// The test PKI, generated once and written to a folder for the file-reading constructor.
pub(crate) fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let organisation = |key: &str, name: &str, number: &str| OrganisationSpec {
            key: key.to_owned(),
            name: name.to_owned(),
            number: OrganisationNumber::parse(number).unwrap(),
            host_names: Vec::new(),
        };
        let spec = PkiSpec {
            organisations: vec![
                organisation("intermediary", "Exempelförmedlaren", INTERMEDIARY),
                organisation("sender", "Exempelkommun", SENDER),
                organisation("operator", "Demobrevlådan", OPERATOR),
                organisation("registry", "Registret", REGISTRY),
            ],
            persons: Vec::new(),
        };
        let pki = TestPki::generate(&spec).unwrap();
        let dir = tempfile::tempdir().unwrap();
        pki.write_to(dir.path()).unwrap();
        Pki { pki, dir }
    })
}

fn pem_path(stem: &str, suffix: &str) -> PathBuf {
    pki().dir.path().join(format!("{stem}{suffix}"))
}

/// A configuration of the toolkit against `registry_url`, archiving under `archive_dir`.
pub(crate) fn config(registry_url: &str, archive_dir: &Path) -> SenderConfig {
    use kuvert_pki::files::{
        CA_CERTIFICATE_SUFFIX, CERTIFICATE_SUFFIX, KEY_SUFFIX, ORGANISATION_CA_STEM,
    };
    let mut config = SenderConfig::new(
        registry_url,
        pem_path(ORGANISATION_CA_STEM, CA_CERTIFICATE_SUFFIX),
        IdentityConfig {
            organisation_number: OrganisationNumber::parse(INTERMEDIARY).unwrap(),
            certificate_path: pem_path("intermediary", CERTIFICATE_SUFFIX),
            key_path: pem_path("intermediary", KEY_SUFFIX),
        },
        archive_dir,
    );
    config.senders.push(SenderIdentityConfig {
        organisation_number: OrganisationNumber::parse(SENDER).unwrap(),
        name: "Exempelkommun".to_owned(),
        certificate_path: pem_path("sender", CERTIFICATE_SUFFIX),
        key_path: pem_path("sender", KEY_SUFFIX),
    });
    config.retry = RetryConfig {
        attempts: 3,
        first_backoff_ms: 10,
    };
    config
}

/// A running test server; stops when dropped.
pub(crate) struct TestServer {
    pub(crate) url: String,
    shutdown: Shutdown,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shutdown.trigger();
    }
}

/// Serves `router` over mutual TLS with the certificate of `key`, requiring client
/// certificates from the organisation CA.
pub(crate) async fn start(key: &str, path: &str, router: Router) -> TestServer {
    let pki = &pki().pki;
    let credential = pki.organisation(key).unwrap();
    let tls = ListenerTls::MutualTls {
        cert_chain_pem: credential.certificate_pem().to_owned(),
        key_pem: SecretString::from(
            secrecy::ExposeSecret::expose_secret(credential.key_pem()).to_owned(),
        ),
        client_ca_pem: pki.organisation_ca_pem().to_owned(),
    };
    let listener = Listener::bind("127.0.0.1:0".parse().unwrap(), tls)
        .await
        .unwrap();
    let url = format!(
        "https://127.0.0.1:{}{path}",
        listener.local_addr().unwrap().port()
    );
    let shutdown = Shutdown::new();
    tokio::spawn(kuvert_web::serve(listener, router, shutdown.clone()));
    TestServer { url, shutdown }
}

/// What the test registry saw: the number of ids in each `isReachable` call.
#[derive(Clone, Default)]
pub(crate) struct RegistryLog(pub(crate) Arc<Mutex<Vec<usize>>>);

/// A registry answering `isReachable` per the fixed recipients above; reachable recipients
/// are at `service_address`.
pub(crate) async fn start_registry(service_address: &str) -> (TestServer, RegistryLog) {
    let log = RegistryLog::default();
    let state = (log.clone(), service_address.to_owned());
    let router = Router::new()
        .route("/ec/Recipient/v3", post(registry_handler))
        .with_state(state);
    (start("registry", "/ec/Recipient/v3", router).await, log)
}

async fn registry_handler(
    State((log, service_address)): State<(RegistryLog, String)>,
    body: String,
) -> Response {
    let document = envelope::parse(&body).unwrap();
    let RecipientRequest::IsReachable(request) =
        kuvert_wire::recipient::parse_request(&document).unwrap()
    else {
        panic!("an isReachable request");
    };
    log.0.lock().unwrap().push(request.recipients().len());
    let statuses = request
        .recipients()
        .iter()
        .map(|recipient| reachability_status(recipient, &service_address))
        .collect();
    soap(
        StatusCode::OK,
        IsReachableResponse { statuses }.to_envelope(),
    )
}

fn reachability_status(recipient: &RecipientId, service_address: &str) -> ReachabilityStatus {
    let wire = recipient.to_wire();
    let operator = Operator {
        id: OrganisationNumber::parse(OPERATOR).unwrap(),
        name: "Demobrevlådan".to_owned(),
        logo: None,
        service_address: if wire == NO_ADDRESS {
            String::new()
        } else {
            service_address.to_owned()
        },
        ui_address: None,
    };
    ReachabilityStatus {
        account: AccountStatus {
            recipient: recipient.clone(),
            account_type: if wire == NO_MAILBOX {
                AccountType::Not
            } else {
                AccountType::Secure
            },
            is_pending: wire == PENDING,
            operator: (wire != NO_MAILBOX).then_some(operator),
            last_registration: None,
        },
        accepts_sender: wire != DESELECTED,
        last_sender_accept_change: None,
    }
}

/// How the test operator answers.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Behaviour {
    /// A receipt every time.
    Accept,
    /// 503 without a body for the first request, then receipts.
    Unavailable503First,
    /// Stores the first request, then drops the connection without answering (the receipt
    /// is lost on the way), then receipts.
    DropFirst,
    /// An MM fault every time.
    Fault,
}

/// What the test operator received and answered; it is idempotent on the message id.
#[derive(Default)]
pub(crate) struct OperatorLog {
    pub(crate) bodies: Vec<String>,
    pub(crate) receipts: Vec<(String, TransId)>,
    pub(crate) fault: Option<Fault>,
}

pub(crate) type SharedOperatorLog = Arc<Mutex<OperatorLog>>;

pub(crate) async fn start_operator(behaviour: Behaviour) -> (TestServer, SharedOperatorLog) {
    let log = SharedOperatorLog::default();
    let router = Router::new()
        .route("/service/v3", post(operator_handler))
        .with_state((log.clone(), behaviour));
    (start("operator", "/service/v3", router).await, log)
}

async fn operator_handler(
    State((log, behaviour)): State<(SharedOperatorLog, Behaviour)>,
    body: String,
) -> Response {
    let (n_seen, answer) = {
        let mut log = log.lock().unwrap();
        log.bodies.push(body.clone());
        let n_seen = log.bodies.len();
        if behaviour == Behaviour::Fault {
            let fault = Fault::new(
                kuvert_wire::fault::FaultCode::SIGNATURE_ERROR,
                "bad signature",
            );
            log.fault = Some(fault.clone());
            return soap(StatusCode::INTERNAL_SERVER_ERROR, fault.to_envelope());
        }
        if behaviour == Behaviour::Unavailable503First && n_seen == 1 {
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
        (n_seen, receipt_for(&mut log, &body))
    };
    if behaviour == Behaviour::DropFirst && n_seen == 1 {
        // A panic ends this connection without a response: the stored letter's receipt is
        // lost on the way, as when a connection breaks.
        panic!("test operator drops the first connection after storing the letter");
    }
    soap(
        StatusCode::OK,
        DeliverSecureResponse { receipt: answer }.to_envelope(),
    )
}

/// The stored receipt for this message id, or a new one.
fn receipt_for(log: &mut OperatorLog, body: &str) -> Receipt {
    let document = envelope::parse(body).unwrap();
    let kuvert_wire::service::ServiceRequest::DeliverSecure(wrapper) =
        kuvert_wire::service::parse_request(&document).unwrap()
    else {
        panic!("a deliverSecure request");
    };
    let signed = kuvert_wire::delivery::signed_delivery_of(wrapper).unwrap();
    let delivery = kuvert_wire::delivery::read_secure_delivery(signed).unwrap();
    let message_id = delivery.message.header().id.as_str().to_owned();
    let existing = log.receipts.iter().find(|(id, _)| *id == message_id);
    let trans_id = match existing {
        Some((_, trans_id)) => trans_id.clone(),
        None => {
            let trans_id = TransId::from_uuid(uuid::Uuid::new_v4());
            log.receipts.push((message_id, trans_id.clone()));
            trans_id
        }
    };
    Receipt {
        trans_id,
        recipient: delivery.header.recipient,
        is_delivered: true,
    }
}

fn soap(status: StatusCode, envelope: String) -> Response {
    (
        status,
        [("content-type", "text/xml; charset=utf-8")],
        envelope,
    )
        .into_response()
}

/// A letter from the test sender to `recipient` with one PDF attachment.
pub(crate) fn letter(recipient: &str) -> Letter {
    Letter {
        sender: OrganisationNumber::parse(SENDER).unwrap(),
        recipient: RecipientId::parse(recipient).unwrap(),
        subject: Subject::parse("Beslut om bygglov").unwrap(),
        body: Body::plain_text("Hej! Här kommer beslutet.".to_owned()),
        attachments: vec![kuvert_sender::pdf_attachment("beslut.pdf", pdf_bytes()).unwrap()],
        support_info: SupportInfo {
            text: SupportText::parse("Ring oss på 0123-456 78").unwrap(),
            url: None,
            phone: None,
            email: None,
        },
        message_id: None,
        reference: None,
    }
}

pub(crate) fn pdf_bytes() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec()
}

/// `n` distinct valid personnummer (born 1950-01-01 onwards, Luhn check digit).
pub(crate) fn many_people(n: usize) -> Vec<RecipientId> {
    (0..n)
        .map(|index| {
            let day = 1 + (index % 28);
            let serial = index / 28;
            let short = format!("5001{day:02}{serial:03}");
            let check = luhn_check_digit(&short);
            RecipientId::parse(&format!("19{short}{check}")).unwrap()
        })
        .collect()
}

fn luhn_check_digit(digits: &str) -> u32 {
    let sum: u32 = digits
        .chars()
        .map(|c| c.to_digit(10).unwrap())
        .enumerate()
        .map(|(position, digit)| {
            let product = if position % 2 == 0 { digit * 2 } else { digit };
            product / 10 + product % 10
        })
        .sum();
    (10 - sum % 10) % 10
}
