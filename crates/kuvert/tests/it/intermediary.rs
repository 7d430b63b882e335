//! Issue 15: the intermediary's Message v3 service (`kuvert_sender::intermediary`) against
//! the real federation, over mutual TLS: a sender system's signed delivery is delivered once
//! however often it is retried and its status followed to `Delivered`; an unreachable
//! recipient's to `Paper`; a client or sender the intermediary does not serve, a letter
//! signed by someone else and a changed letter are refused with their faults and nothing is
//! sent; the same letter handed over four times at once, or resumed after a crash that left
//! its paper row written, is sent or on paper once; its probes answer on its admin listener
//! only; each distribution delivered or on paper is reported to the registry's statistics
//! once, across a restart. The zeep client built from the official
//! WSDL is in `zeep_distribution.rs`.

use std::net::SocketAddr;
use std::path::Path;

use kuvert::seed::{self, SeedOrganisation, SeedPerson};
use kuvert::testkit::Federation;
use kuvert_core::id::RecipientId;
use kuvert_core::message::MessageId;
use kuvert_sender::intermediary::{AuthorisedSender, IntermediaryConfig, Listeners, Service};
use kuvert_sender::{Letter, ReportRound};
use kuvert_store::distribution::DistributionStatus;
use kuvert_store::operator::{Folder, MailboxQuery};
use kuvert_web::crl::CrlConfig;
use kuvert_web::{Listener, ListenerTls, Shutdown};
use kuvert_wire::envelope::{self, BodyElement as _};
use kuvert_wire::fault::FaultCode;
use kuvert_wire::message::{
    CheckDistributionStatus, CheckDistributionStatusResponse, DistributeSecureResponse,
    DistributionState, DistributionType,
};
use kuvert_xmldsig::{SignatureAlgorithm, Signer};
use secrecy::{ExposeSecret as _, SecretString};

use crate::letter_statistics::{letter_totals, wait_for_letter_totals};
use crate::raw_soap::{Answer, fault_code, mtls_client, post};

/// An intermediary service running beside a federation, stopped on drop.
pub(crate) struct RunningIntermediary {
    pub(crate) service: Service,
    /// `https://127.0.0.1:PORT/Message/v3`.
    pub(crate) message_url: String,
    /// `http://127.0.0.1:PORT/`: the admin listener.
    admin_url: String,
    shutdown: Shutdown,
    /// The folder of the database, archive and paper-mail list, when the service owns it.
    _dir: Option<tempfile::TempDir>,
}

impl Drop for RunningIntermediary {
    fn drop(&mut self) {
        self.shutdown.trigger();
    }
}

/// Starts the demo intermediary's service for `senders` (each its own only client), with
/// its own database, evidence archive and paper-mail list.
pub(crate) async fn start(
    federation: &Federation,
    senders: &[SeedOrganisation],
) -> RunningIntermediary {
    start_with(federation, own_clients(senders), CrlConfig::default()).await
}

/// Each of `senders` its own only client.
fn own_clients(senders: &[SeedOrganisation]) -> Vec<AuthorisedSender> {
    senders
        .iter()
        .map(|sender| AuthorisedSender {
            organisation_number: sender.organisation_number(),
            clients: Vec::new(),
        })
        .collect()
}

/// [`start`] with the senders and CRLs given.
async fn start_with(
    federation: &Federation,
    senders: Vec<AuthorisedSender>,
    crl: CrlConfig,
) -> RunningIntermediary {
    let dir = tempfile::tempdir().unwrap();
    let mut running = start_at(federation, senders, crl, dir.path()).await;
    running._dir = Some(dir);
    running
}

/// [`start_with`] with its database, archive and paper-mail list in `dir`, which outlives it
/// (a restart on the same database).
async fn start_at(
    federation: &Federation,
    senders: Vec<AuthorisedSender>,
    crl: CrlConfig,
    dir: &Path,
) -> RunningIntermediary {
    let data_dir = &federation.manifest().data_dir;
    let mut toolkit = kuvert::send_command::demo_sender_config(data_dir).unwrap();
    toolkit.archive_dir = dir.join("archive");
    toolkit.paper_mail_path = dir.join("paper-mail.csv");
    let config = IntermediaryConfig {
        toolkit,
        database_url: format!("sqlite://{}/intermediary.db?mode=rwc", dir.display()),
        database_pool: Default::default(),
        senders,
        envelope_bytes_max: kuvert_core::limits::ENVELOPE_BYTES_DEFAULT_MAX,
        http: Default::default(),
        crl,
        admin: "127.0.0.1:0".parse().unwrap(),
    };
    let service = kuvert_sender::intermediary::build(config).await.unwrap();
    let address: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let listeners = Listeners {
        service: Listener::bind(address, service.listener_tls())
            .await
            .unwrap(),
        admin: Listener::bind(address, ListenerTls::Plain).await.unwrap(),
    };
    let port = listeners.service.local_addr().unwrap().port();
    let admin_port = listeners.admin.local_addr().unwrap().port();
    let shutdown = Shutdown::new();
    tokio::spawn(service.clone().serve(listeners, shutdown.clone()));
    RunningIntermediary {
        service,
        message_url: format!("https://127.0.0.1:{port}/Message/v3"),
        admin_url: format!("http://127.0.0.1:{admin_port}/"),
        shutdown,
        _dir: None,
    }
}

/// A mutual-TLS client presenting `organisation`'s demo certificate.
pub(crate) fn client_as(
    federation: &Federation,
    organisation: &SeedOrganisation,
) -> reqwest::Client {
    let (certificate, key) = credential(federation, organisation);
    mtls_client(federation, Some((certificate, SecretString::from(key))))
}

/// `organisation`'s demo certificate and key (PEM).
fn credential(federation: &Federation, organisation: &SeedOrganisation) -> (String, String) {
    let credential = federation
        .demo()
        .pki
        .organisation(organisation.key)
        .unwrap();
    (
        credential.certificate_pem().to_owned(),
        credential.key_pem().expose_secret().to_owned(),
    )
}

/// A `distributeSecure` envelope: a letter from `sender` to `person` signed with `signer`'s
/// demo key.
pub(crate) fn distribute_request(
    federation: &Federation,
    sender: &SeedOrganisation,
    signer: &SeedOrganisation,
    person: &SeedPerson,
    subject: &str,
) -> String {
    let letter = federation.letter(sender, person, subject, Vec::new());
    signed_request(federation, &letter, signer)
}

/// `letter` composed, signed with `signer`'s demo key, in a `distributeSecure` envelope.
fn signed_request(federation: &Federation, letter: &Letter, signer: &SeedOrganisation) -> String {
    let sender = seed::SENDERS
        .into_iter()
        .find(|sender| sender.organisation_number() == letter.sender)
        .unwrap();
    let name = kuvert_core::message::SenderName::parse(sender.name).unwrap();
    let delivery = kuvert_sender::compose(letter, &name).unwrap();
    let (certificate, key) = credential(federation, signer);
    let unsigned = kuvert_wire::delivery::unsigned_signed_delivery(&delivery);
    let signed = Signer::from_pkcs8_pem(&key, &certificate)
        .unwrap()
        .sign(&unsigned, SignatureAlgorithm::RsaSha256)
        .unwrap();
    kuvert_wire::message::distribute_secure_request(&signed).unwrap()
}

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

async fn call(client: &reqwest::Client, url: &str, envelope: String) -> (u16, String) {
    match post(client, url, envelope.into_bytes()).await {
        Answer::Http(status, body) => (status, body),
        Answer::Failed(error) => panic!("no answer from the intermediary: {error}"),
    }
}

pub(crate) async fn distribute(client: &reqwest::Client, url: &str, envelope: String) -> String {
    let (status, body) = call(client, url, envelope).await;
    assert_eq!(status, 200, "{body}");
    let response =
        DistributeSecureResponse::from_envelope(&envelope::parse(&body).unwrap()).unwrap();
    response.distribution_id.as_str().to_owned()
}

pub(crate) async fn refused(client: &reqwest::Client, url: &str, envelope: String) -> FaultCode {
    let (status, body) = call(client, url, envelope).await;
    assert_eq!(status, 500, "{body}");
    fault_code(&body).unwrap_or_else(|| panic!("not a fault: {body}"))
}

pub(crate) async fn status_of(
    client: &reqwest::Client,
    url: &str,
    sender: &SeedOrganisation,
    distribution_id: &str,
) -> (DistributionType, Option<DistributionState>) {
    let request = CheckDistributionStatus {
        sender: RecipientId::Organisation(sender.organisation_number()),
        distribution_id: kuvert_wire::values::DistributionId::parse(distribution_id).unwrap(),
    };
    let (status, body) = call(client, url, request.to_envelope()).await;
    assert_eq!(status, 200, "{body}");
    let response =
        CheckDistributionStatusResponse::from_envelope(&envelope::parse(&body).unwrap()).unwrap();
    let [only] = response.statuses.as_slice() else {
        panic!("one status per distribution: {body}");
    };
    (only.kind, only.state)
}

/// The letters with `subject` in `person`'s mailbox at their operator.
pub(crate) async fn letters_with(
    federation: &Federation,
    person: &SeedPerson,
    subject: &str,
) -> usize {
    let operator = seed::organisation(person.operator.unwrap()).unwrap();
    let store = federation.operator(&operator).store();
    let query = MailboxQuery {
        recipient: RecipientId::Person(person.personal_identity_number()),
        folder: Folder::Inbox,
        sender: None,
        search: None,
        page: 0,
        page_size: 50,
    };
    let page = store.letters(&query).await.unwrap();
    page.letters
        .iter()
        .filter(|letter| letter.subject.as_str() == subject)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distribute_secure_delivers_once_when_retried_and_reports_delivered_or_paper() {
    let federation = Federation::start(Default::default()).await;
    let kommun = seed::SENDERS[0];
    let intermediary = start(&federation, &[kommun]).await;
    let (url, client) = (&intermediary.message_url, client_as(&federation, &kommun));
    let tolvan = seed::person("tolvan").unwrap();
    let subject = "Kallelse förmedlad med distributeSecure";
    let request = distribute_request(&federation, &kommun, &kommun, tolvan, subject);

    let first = distribute(&client, url, request.clone()).await;
    let retried = distribute(&client, url, request.clone()).await;
    assert_eq!(retried, first, "a retry answers the first distribution id");
    assert_eq!(letters_with(&federation, tolvan, subject).await, 1);
    let delivered = (
        DistributionType::Digital,
        Some(DistributionState::Delivered),
    );
    assert_eq!(status_of(&client, url, &kommun, &first).await, delivered);
    // A distribution left failed (or pending by a crash) is resumed by the retry: sealed and
    // sent again, and the operator keeps the one letter it has.
    let store = intermediary.service.store();
    let id = uuid::Uuid::parse_str(&first).unwrap();
    let failed = DistributionStatus::Failed;
    store
        .set_distribution_status(id, &failed, now())
        .await
        .unwrap();
    let status = status_of(&client, url, &kommun, &first).await;
    let expected = (
        DistributionType::Digital,
        Some(DistributionState::DeliveryFailed),
    );
    assert_eq!(status, expected);
    assert_eq!(distribute(&client, url, request).await, first);
    assert_eq!(letters_with(&federation, tolvan, subject).await, 1);
    let status = status_of(&client, url, &kommun, &first).await;
    assert_eq!(
        status, delivered,
        "the resumed distribution is delivered again"
    );

    let david = seed::person("david").unwrap();
    let request = distribute_request(&federation, &kommun, &kommun, david, "Till papper");
    let paper = distribute(&client, url, request).await;
    assert_ne!(paper, first);
    let status = status_of(&client, url, &kommun, &paper).await;
    assert_eq!(status, (DistributionType::Paper, None));
    let paper_list = intermediary
        .service
        .toolkit()
        .paper_mail()
        .path()
        .to_owned();
    let rows = std::fs::read_to_string(paper_list).unwrap();
    assert!(
        rows.contains(david.number) && rows.contains("Till papper"),
        "{rows}"
    );

    let unknown = CheckDistributionStatus {
        sender: RecipientId::Organisation(kommun.organisation_number()),
        distribution_id: kuvert_wire::values::DistributionId::parse("okänd").unwrap(),
    };
    let code = refused(&client, url, unknown.to_envelope()).await;
    assert_eq!(code, FaultCode::OBJECT_NOT_FOUND);
    probes_answer_on_the_admin_listener_only(&intermediary, &client).await;
}

/// `/healthz`, `/readyz` (the database answers) and `/metrics` on the admin listener; on the
/// mutual-TLS service they are not found.
async fn probes_answer_on_the_admin_listener_only(
    intermediary: &RunningIntermediary,
    client: &reqwest::Client,
) {
    let service = intermediary.message_url.replace("Message/v3", "");
    for probe in ["healthz", "readyz", "metrics"] {
        let answer = client
            .get(format!("{}{probe}", intermediary.admin_url))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200, "{probe} on the admin listener");
        let public = client
            .get(format!("{service}{probe}"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            public.status(),
            404,
            "{probe} is not on the service listener"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_letter_at_once_or_after_a_crash_is_sent_or_on_paper_once() {
    let federation = Federation::start(Default::default()).await;
    let kommun = seed::SENDERS[0];
    let intermediary = start(&federation, &[kommun]).await;
    let (url, client) = (&intermediary.message_url, client_as(&federation, &kommun));
    let (tolvan, david) = (
        seed::person("tolvan").unwrap(),
        seed::person("david").unwrap(),
    );
    let (digital, paper) = ("Samtidigt till brevlådan", "Samtidigt till papper");
    for (person, subject) in [(tolvan, digital), (david, paper)] {
        let request = distribute_request(&federation, &kommun, &kommun, person, subject);
        let calls = (0..4).map(|_| distribute(&client, url, request.clone()));
        let ids: std::collections::BTreeSet<String> =
            futures::future::join_all(calls).await.into_iter().collect();
        assert_eq!(ids.len(), 1, "one distribution id for the four: {ids:?}");
    }
    assert_eq!(letters_with(&federation, tolvan, digital).await, 1);
    let paper_list = intermediary
        .service
        .toolkit()
        .paper_mail()
        .path()
        .to_owned();
    let rows = |subject: &str| {
        let text = std::fs::read_to_string(&paper_list).unwrap();
        text.lines().filter(|line| line.contains(subject)).count()
    };
    assert_eq!(rows(paper), 1, "put on paper by one of the four");

    // A crash after the paper row was appended but before the status was written leaves the
    // distribution `Pending` with its paper mark; the sender system's retry resumes it.
    let subject = "Papper före kraschen";
    let request = distribute_request(&federation, &kommun, &kommun, david, subject);
    let id = distribute(&client, url, request.clone()).await;
    let store = intermediary.service.store();
    let uuid = uuid::Uuid::parse_str(&id).unwrap();
    store
        .set_distribution_status(uuid, &DistributionStatus::Pending, now())
        .await
        .unwrap();
    assert_eq!(distribute(&client, url, request).await, id);
    assert_eq!(rows(subject), 1, "the resumed distribution found its row");
    let status = status_of(&client, url, &kommun, &id).await;
    assert_eq!(status, (DistributionType::Paper, None));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distribute_secure_refuses_clients_senders_and_signers_it_does_not_serve() {
    let federation = Federation::start(Default::default()).await;
    let [kommun, myndigheten] = seed::SENDERS;
    let intermediary = start(&federation, &[kommun]).await;
    let url = &intermediary.message_url;
    let tolvan = seed::person("tolvan").unwrap();
    let subject = "Brev som inte får förmedlas";

    // A client certificate the intermediary serves no sender for.
    let stranger = client_as(&federation, &myndigheten);
    let request = distribute_request(&federation, &myndigheten, &myndigheten, tolvan, subject);
    let code = refused(&stranger, url, request).await;
    assert_eq!(code, FaultCode::ACCESS_DENIED);
    let kommun_client = client_as(&federation, &kommun);
    let first = distribute_request(&federation, &kommun, &kommun, tolvan, subject);
    let id = distribute(&kommun_client, url, first).await;
    let check = CheckDistributionStatus {
        sender: RecipientId::Organisation(kommun.organisation_number()),
        distribution_id: kuvert_wire::values::DistributionId::parse(&id).unwrap(),
    };
    let code = refused(&stranger, url, check.to_envelope()).await;
    assert_eq!(
        code,
        FaultCode::ACCESS_DENIED,
        "status only to the sender's clients"
    );

    // A served client handing over another sender's letter, and one signed by another.
    let other_sender = distribute_request(&federation, &myndigheten, &myndigheten, tolvan, subject);
    let code = refused(&kommun_client, url, other_sender).await;
    assert_eq!(code, FaultCode::UNKNOWN_SENDER);
    let other_signer = distribute_request(&federation, &kommun, &myndigheten, tolvan, subject);
    let code = refused(&kommun_client, url, other_signer).await;
    assert_eq!(code, FaultCode::ACCESS_DENIED);
    assert_eq!(letters_with(&federation, tolvan, subject).await, 1);

    // No client certificate at all: the mutual-TLS handshake fails.
    let anonymous = mtls_client(&federation, None);
    let request = distribute_request(&federation, &kommun, &kommun, tolvan, subject);
    assert!(matches!(
        post(&anonymous, url, request.into_bytes()).await,
        Answer::Failed(_)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distribute_secure_refuses_a_changed_letter_and_other_content_under_a_used_id() {
    let federation = Federation::start(Default::default()).await;
    let kommun = seed::SENDERS[0];
    let intermediary = start(&federation, &[kommun]).await;
    let (url, client) = (&intermediary.message_url, client_as(&federation, &kommun));
    let tolvan = seed::person("tolvan").unwrap();
    let subject = "Beslut om bygglov";
    let message_id = MessageId::from_uuid(uuid::Uuid::new_v4());
    let mut letter = federation.letter(&kommun, tolvan, subject, Vec::new());
    letter.message_id = Some(message_id.clone());
    let request = signed_request(&federation, &letter, &kommun);

    let changed = request.replace("Beslut om bygglov", "Beslut om rivning");
    assert_ne!(changed, request);
    let code = refused(&client, url, changed).await;
    assert_eq!(code, FaultCode::SIGNATURE_ERROR);
    assert_eq!(letters_with(&federation, tolvan, subject).await, 0);
    assert_eq!(
        letters_with(&federation, tolvan, "Beslut om rivning").await,
        0
    );

    distribute(&client, url, request.clone()).await;
    // The same sender and message id, signed again over other content.
    let mut other = federation.letter(&kommun, tolvan, "Annat innehåll", Vec::new());
    other.message_id = Some(message_id);
    let conflict = signed_request(&federation, &other, &kommun);
    let code = refused(&client, url, conflict).await;
    assert_eq!(code, FaultCode::OBJECT_ALREADY_EXISTS);
    assert_eq!(letters_with(&federation, tolvan, subject).await, 1);
    assert_eq!(letters_with(&federation, tolvan, "Annat innehåll").await, 0);
}

/// As the operator does: with CRLs configured, a revoked sender certificate is refused both as
/// a TLS client and as the signer of a letter another client hands over.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distribute_secure_refuses_a_revoked_sender_as_client_and_as_signer() {
    let federation = Federation::start(Default::default()).await;
    let [kommun, myndigheten] = seed::SENDERS;
    let senders = vec![AuthorisedSender {
        organisation_number: kommun.organisation_number(),
        clients: vec![
            kommun.organisation_number(),
            myndigheten.organisation_number(),
        ],
    }];
    let crl = CrlConfig {
        files: vec![federation.manifest().data_dir.join("pki/org-ca.crl.pem")],
        ..CrlConfig::default()
    };
    let intermediary = start_with(&federation, senders, crl).await;
    let url = &intermediary.message_url;
    let tolvan = seed::person("tolvan").unwrap();
    let subject = "Brev med återkallat certifikat";
    let request = distribute_request(&federation, &kommun, &kommun, tolvan, subject);
    let provider = client_as(&federation, &myndigheten);
    distribute(&provider, url, request.clone()).await;

    federation.revoke(kommun.key).await;
    let crls = intermediary.service.crls().unwrap();
    assert!(crls.refresh().await.is_empty(), "the CRL reloads");
    let code = refused(&provider, url, request).await;
    assert_eq!(code, FaultCode::ACCESS_DENIED);
    let request = distribute_request(&federation, &kommun, &kommun, tolvan, subject);
    let revoked_client = client_as(&federation, &kommun);
    let handshake = post(&revoked_client, url, request.into_bytes()).await;
    assert!(matches!(handshake, Answer::Failed(_)), "{handshake:?}");
    assert_eq!(letters_with(&federation, tolvan, subject).await, 1);
}

/// Issue 15: the intermediary reports its distributions to the registry's statistics in the
/// background, each once: after two delivered (one of them handed over twice) and one on
/// paper the sender's totals grew by exactly two and one; the service restarted on the same
/// database has nothing left to report, and then reports only its new distribution.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn distributions_are_reported_to_the_registry_once_across_a_restart() {
    let federation = Federation::start(Default::default()).await;
    let kommun = seed::SENDERS[0];
    let sender = kommun.organisation_number();
    let client = client_as(&federation, &kommun);
    let before = letter_totals(&federation, &sender).await;
    let dir = tempfile::tempdir().unwrap();
    let intermediary = start_at(
        &federation,
        own_clients(&[kommun]),
        CrlConfig::default(),
        dir.path(),
    )
    .await;
    let url = &intermediary.message_url;
    let (tolvan, david) = (
        seed::person("tolvan").unwrap(),
        seed::person("david").unwrap(),
    );
    let first = distribute_request(&federation, &kommun, &kommun, tolvan, "Räknas ett");
    distribute(&client, url, first.clone()).await;
    distribute(&client, url, first).await;
    for (person, subject) in [(tolvan, "Räknas två"), (david, "Räknas på papper")] {
        let request = distribute_request(&federation, &kommun, &kommun, person, subject);
        distribute(&client, url, request).await;
    }
    let expected = (before.0 + 2, before.1 + 1);
    let totals = wait_for_letter_totals(&federation, &sender, expected).await;
    assert_eq!(
        totals, expected,
        "two digital and one paper letter, counted once"
    );

    drop(intermediary);
    let intermediary = start_at(
        &federation,
        own_clients(&[kommun]),
        CrlConfig::default(),
        dir.path(),
    )
    .await;
    let round = intermediary.service.report_letters_once().await.unwrap();
    assert_eq!(round, ReportRound::default(), "nothing is left to report");
    let request = distribute_request(&federation, &kommun, &kommun, tolvan, "Efter omstarten");
    distribute(&client, &intermediary.message_url, request).await;
    let expected = (before.0 + 3, before.1 + 1);
    let totals = wait_for_letter_totals(&federation, &sender, expected).await;
    assert_eq!(
        totals, expected,
        "after the restart only the new letter is counted"
    );
}
