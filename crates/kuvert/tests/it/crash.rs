//! An operator killed with SIGKILL in the middle of 200 deliveries loses none and stores none
//! twice: after a restart, retrying every sealed delivery gives one receipt each, and each
//! letter is stored exactly once (DESIGN.md: a receipt only after a durable store).

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use kuvert::seed;
use kuvert::send_command::demo_sender_config;
use kuvert::testkit::Federation;
use kuvert_core::id::RecipientId;
use kuvert_sender::{Destination, SealedDelivery, Toolkit};
use kuvert_store::operator::{Folder, MailboxQuery, OperatorStore, SearchText};

const DELIVERIES: usize = 200;
/// Receipts to wait for before the kill, so the rest are in flight or not yet sent.
const RECEIPTS_BEFORE_KILL: usize = 20;
const CONCURRENT_DELIVERIES_MAX: usize = 16;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_killed_mid_delivery_stores_each_letter_once_after_retries() {
    let federation = Federation::start(Default::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let (service_port, web_port) = (free_port(), free_port());
    let config = write_operator_config(&federation, dir.path(), web_port);
    let service_address = format!("https://127.0.0.1:{service_port}/service/v3");
    let mut child = spawn_operator(&config, service_port, web_port);
    let mut once = toolkit(&federation, 1);
    wait_until_ready(&service_address, &mut child).await;

    let tolvan = seed::person("tolvan").unwrap();
    let sealed: Vec<SealedDelivery> = (0..DELIVERIES)
        .map(|n| {
            let subject = format!("Brev nummer {n}");
            let letter = federation.letter(&seed::SENDERS[0], tolvan, &subject, vec![]);
            once.seal(once.sign(&once.compose(&letter).unwrap()).unwrap())
                .unwrap()
        })
        .collect();
    let destination = Destination {
        operator_id: seed::OPERATORS[0].organisation_number(),
        operator_name: seed::OPERATORS[0].name.to_owned(),
        service_address: url::Url::parse(&service_address).unwrap(),
    };

    // Deliver everything, and SIGKILL the operator once some receipts are back.
    let toolkit = Arc::new(once);
    let first_round = deliver_all_then_kill(&toolkit, &sealed, &destination, &mut child).await;
    assert!(
        first_round < DELIVERIES,
        "the kill interrupted some deliveries"
    );

    // Restart on the same database and ports; retry every sealed delivery as it was.
    let mut child = spawn_operator(&config, service_port, web_port);
    once = toolkit_owned(toolkit);
    wait_until_ready(&service_address, &mut child).await;
    let mut trans_ids = BTreeSet::new();
    for delivery in &sealed {
        let receipt = once
            .deliver(delivery, &destination, kuvert_core::lane::Lane::Single)
            .await
            .unwrap();
        trans_ids.insert(receipt.trans_id.as_str().to_owned());
    }
    assert_eq!(
        trans_ids.len(),
        DELIVERIES,
        "one distinct receipt per delivery"
    );

    let stored = stored_trans_ids(&dir.path().join("operator.db"), tolvan).await;
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        stored, trans_ids,
        "every letter stored exactly once, under its receipt"
    );
}

/// Delivers every sealed delivery concurrently, kills `child` after
/// `RECEIPTS_BEFORE_KILL` receipts, and returns how many deliveries got a receipt.
async fn deliver_all_then_kill(
    toolkit: &Arc<Toolkit>,
    sealed: &[SealedDelivery],
    destination: &Destination,
    child: &mut Child,
) -> usize {
    let received = Arc::new(AtomicUsize::new(0));
    let slots = Arc::new(tokio::sync::Semaphore::new(CONCURRENT_DELIVERIES_MAX));
    let mut tasks = tokio::task::JoinSet::new();
    for delivery in sealed {
        let delivery = delivery.clone();
        let (toolkit, destination) = (Arc::clone(toolkit), destination.clone());
        let (received, slots) = (Arc::clone(&received), Arc::clone(&slots));
        tasks.spawn(async move {
            let _slot = slots.acquire_owned().await.unwrap();
            let result = toolkit
                .deliver(&delivery, &destination, kuvert_core::lane::Lane::Single)
                .await;
            if result.is_ok() {
                received.fetch_add(1, Ordering::SeqCst);
            }
            result.is_ok()
        });
    }
    while received.load(Ordering::SeqCst) < RECEIPTS_BEFORE_KILL {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let mut delivered = 0;
    while let Some(done) = tasks.join_next().await {
        delivered += usize::from(done.unwrap());
    }
    delivered
}

fn free_port() -> u16 {
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).unwrap();
    listener.local_addr().unwrap().port()
}

fn toolkit(federation: &Federation, attempts: u32) -> Toolkit {
    let mut config = demo_sender_config(&federation.manifest().data_dir).unwrap();
    config.retry.attempts = attempts;
    Toolkit::build(&config).unwrap()
}

fn toolkit_owned(toolkit: Arc<Toolkit>) -> Toolkit {
    Arc::into_inner(toolkit).unwrap()
}

/// Demobrevlådan's identity with its own database, blob folder and ports, as a TOML file for
/// `kuvert operator serve`.
fn write_operator_config(federation: &Federation, dir: &Path, web_port: u16) -> std::path::PathBuf {
    let manifest = federation.manifest();
    let operator = &manifest.operators[0];
    let eid = &manifest.eid_issuer;
    let text = format!(
        r#"organisation_number = "{number}"
name = "{name}"
domain = "{domain}"
registry_url = "{registry}"
database_url = "sqlite://{dir}/operator.db?mode=rwc"
blob_dir = "{dir}/letters"

[tls]
certificate_path = "{certificate}"
key_path = "{key}"
organisation_ca_path = "{ca}"

[notification]
email_from = "no-reply@{domain}"
mail_dir = "{dir}/mail"

[web]
public_url = "http://127.0.0.1:{web_port}/"
oidc_issuer = "{eid}"
oidc_client_id = "crash-test"
oidc_client_secret = "not-used-in-this-test"
signing_service_url = "{eid}sign"
"#,
        number = operator.organisation.number,
        name = operator.organisation.name,
        domain = operator.domain,
        registry = manifest.registry_url.trim_end_matches('/'),
        dir = dir.display(),
        certificate = operator.organisation.certificate.display(),
        key = operator.organisation.key_file.display(),
        ca = manifest.organisation_ca.display(),
    );
    let path = dir.join("operator.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn spawn_operator(config: &Path, service_port: u16, web_port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_kuvert"))
        .args(["operator", "serve", "--config"])
        .arg(config)
        .arg("--service-listen")
        .arg(format!("127.0.0.1:{service_port}"))
        .arg("--web-listen")
        .arg(format!("127.0.0.1:{web_port}"))
        .args(["--admin-listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Polls the child's service port until it accepts connections (a child process gives no
/// other signal that it has bound its ports; it binds only after its start-up succeeded).
async fn wait_until_ready(service_address: &str, child: &mut Child) {
    let health = service_address.replace("/service/v3", "/healthz");
    for _ in 0..600 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the operator exited at start"
        );
        let answered = tokio::net::TcpStream::connect(
            health
                .trim_start_matches("https://")
                .split('/')
                .next()
                .unwrap(),
        )
        .await
        .is_ok();
        if answered {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the operator did not start listening at {health}");
}

async fn stored_trans_ids(database: &Path, person: &seed::SeedPerson) -> BTreeSet<String> {
    let url = format!("sqlite://{}?mode=rwc", database.display());
    let letters = database.with_file_name("letters");
    let blobs = kuvert_store::blob::LocalBlobStore::open(letters).unwrap();
    let store = kuvert_store::Database::connect(&url)
        .await
        .unwrap()
        .operator(Arc::new(blobs));
    mailbox_trans_ids(store.as_ref(), person, None).await
}

/// The TransId of every letter in `person`'s inbox (only those `search` finds, when given),
/// read page by page; a TransId stored twice fails the test.
pub(crate) async fn mailbox_trans_ids(
    store: &dyn OperatorStore,
    person: &seed::SeedPerson,
    search: Option<SearchText>,
) -> BTreeSet<String> {
    let mut trans_ids = BTreeSet::new();
    let mut page = 0;
    loop {
        let query = MailboxQuery {
            recipient: RecipientId::Person(person.personal_identity_number()),
            folder: Folder::Inbox,
            sender: None,
            search: search.clone(),
            page,
            page_size: kuvert_core::limits::LETTERS_PER_PAGE_MAX,
        };
        let letters = store.letters(&query).await.unwrap();
        for summary in &letters.letters {
            let letter = store.letter(&query.recipient, summary.id).await.unwrap();
            assert!(
                trans_ids.insert(letter.trans_id.as_str().to_owned()),
                "stored twice"
            );
        }
        if !letters.has_more {
            return trans_ids;
        }
        page += 1;
    }
}
