//! Issue 15, the sender service (`kuvert sender serve`) as a process against the real
//! federation: 1 000 letters posted over REST by two sender systems, one by mutual TLS
//! (batches) and one by OAuth 2 client credentials (single letters), the gateway SIGKILLed in
//! the middle and restarted; every letter then delivered or on paper exactly once (the
//! operators' rows are the delivered letters, each paper letter once on the list and as a
//! PDF), every timeline complete. A caller not allowed for a sender gets 403 and nothing is
//! queued; an `Idempotency-Key` replayed answers the same letter.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kuvert::demo::ManifestOrganisation;
use kuvert::seed;
use kuvert::testkit::Federation;
use kuvert_store::operator::SearchText;
use kuvert_store::sender::{ClientId, LetterId, SenderQueueStore, TimelineEvent};
use serde_json::{Value, json};

const LETTERS_PER_CLIENT: usize = 500;
const BATCH_LETTERS: usize = 50;
/// Final events to wait for before the kill, so most letters are still queued or in flight.
const FINAL_BEFORE_KILL: usize = 100;
pub(crate) const OAUTH_SECRET: &str = "hemlig-klientnyckel-for-testet";
/// Reachable on two operators, and one without a mailbox (paper).
const RECIPIENTS: [&str; 4] = ["tolvan", "bertil", "david", "cecilia"];

#[derive(Clone)]
pub(crate) struct Gateway {
    pub(crate) config: PathBuf,
    pub(crate) database_url: String,
    pub(crate) mutual_tls: u16,
    pub(crate) tls: u16,
    pub(crate) log: PathBuf,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sender_service_killed_mid_run_delivers_each_letter_once() {
    let federation = Federation::start(Default::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let gateway = write_config(&federation, dir.path());
    let mut child = gateway.spawn();
    gateway.wait_until_ready(&mut child).await;
    let manifest = federation.manifest();
    let (sender, other) = (&manifest.senders[0], &manifest.senders[1]);
    let mtls = Arc::new(client(&federation, Some(sender)));
    let plain = client(&federation, None);
    let oauth = Arc::new((plain.clone(), token(&plain, &gateway).await));
    let run = format!("run{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);

    let mut posters = tokio::task::JoinSet::new();
    for batch in 0..LETTERS_PER_CLIENT / BATCH_LETTERS {
        let (mtls, url, run) = (Arc::clone(&mtls), gateway.url(true), run.clone());
        posters.spawn(async move { post_batch(&mtls, &url, &run, batch).await });
    }
    let slots = Arc::new(tokio::sync::Semaphore::new(16));
    for n in 0..LETTERS_PER_CLIENT {
        let (oauth, url, run) = (Arc::clone(&oauth), gateway.url(false), run.clone());
        let slots = Arc::clone(&slots);
        posters.spawn(async move {
            let _slot = slots.acquire_owned().await.unwrap();
            let letter = letter(&run, LETTERS_PER_CLIENT + n);
            let key = format!("oauth-{n}");
            let answer = post(&oauth.0, &url, "letters", Some(&oauth.1), &key, &letter).await;
            vec![answer["id"].as_str().unwrap().to_owned()]
        });
    }

    // SIGKILL once some letters are done, then restart on the same database and ports.
    let queue = kuvert_store::Database::connect(&gateway.database_url)
        .await
        .unwrap()
        .sender_queue();
    let clients = [
        ClientId::parse("ekonomisystemet").unwrap(),
        ClientId::parse("arendesystemet").unwrap(),
    ];
    wait_for_final(queue.as_ref(), &clients, FINAL_BEFORE_KILL, &mut child).await;
    child.kill().unwrap();
    child.wait().unwrap();
    let at_kill = final_letters(queue.as_ref(), &clients).await;
    assert!(
        at_kill < 2 * LETTERS_PER_CLIENT,
        "the kill came in the middle: {at_kill} done"
    );
    let mut child = gateway.spawn();
    gateway.wait_until_ready(&mut child).await;

    let mut ids = BTreeSet::new();
    while let Some(posted) = posters.join_next().await {
        ids.extend(posted.unwrap());
    }
    assert_eq!(ids.len(), 2 * LETTERS_PER_CLIENT, "one letter per post");
    wait_for_final(queue.as_ref(), &clients, ids.len(), &mut child).await;

    let outcomes = check_timelines(queue.as_ref(), &ids).await;
    check_operators(&federation, &run, &outcomes).await;
    check_paper(&federation, &outcomes);
    let callers = Callers {
        other,
        oauth: &oauth,
        ids: &ids,
    };
    check_refusals(&federation, &gateway, &callers, &run, queue.as_ref()).await;
    child.kill().unwrap();
    child.wait().unwrap();
}

const OPENAPI_CLIENT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tools/oracles/openapi_send_letter.py"
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_document_validates_and_a_client_built_from_it_sends_a_letter() {
    let purpose = "the sender service's OpenAPI document (openapi-spec-validator, openapi-core)";
    let Some(python) = kuvert_testenv::external("PYTHON", purpose) else {
        return;
    };
    let federation = Federation::start(Default::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let gateway = write_config(&federation, dir.path());
    let mut child = gateway.spawn();
    gateway.wait_until_ready(&mut child).await;
    let manifest = federation.manifest();
    let sender = &manifest.senders[0];
    let mut command = Command::new(&python);
    command
        .arg(OPENAPI_CLIENT)
        .arg(format!("{}openapi.json", gateway.url(false)))
        .arg(&manifest.organisation_ca)
        .args(["arendesystemet", OAUTH_SECRET])
        .args([
            sender.number.as_str(),
            seed::person("tolvan").unwrap().number,
        ])
        .arg("Brev från en OpenAPI-klient");
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the OpenAPI client failed: {stderr}"
    );
    let answers: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(answers["accepted"]["id"], answers["status"]["id"]);
    assert_eq!(answers["status"]["timeline"][0]["kind"], "accepted");

    let queue = kuvert_store::Database::connect(&gateway.database_url)
        .await
        .unwrap()
        .sender_queue();
    let clients = [ClientId::parse("arendesystemet").unwrap()];
    wait_for_final(queue.as_ref(), &clients, 1, &mut child).await;
    let id = LetterId::parse(answers["accepted"]["id"].as_str().unwrap()).unwrap();
    let (record, _) = queue.letter(id).await.unwrap().unwrap();
    assert_eq!(
        record.state.as_str(),
        "delivered",
        "the letter reached Tolvan's operator"
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

/// What became of the letters: TransIds of the delivered ones by recipient, message ids and
/// ids of the paper ones.
#[derive(Default)]
struct Outcomes {
    delivered: BTreeMap<String, BTreeSet<String>>,
    paper: Vec<(LetterId, String)>,
}

/// Every letter's timeline is complete: accepted, sealed, delivered — or accepted, paper —
/// each event once, in sequence order.
async fn check_timelines(queue: &dyn SenderQueueStore, ids: &BTreeSet<String>) -> Outcomes {
    let mut outcomes = Outcomes::default();
    for id in ids {
        let id = LetterId::parse(id).unwrap();
        let (record, timeline) = queue.letter(id).await.unwrap().unwrap();
        assert!(
            timeline
                .windows(2)
                .all(|pair| pair[0].sequence < pair[1].sequence)
        );
        let kinds: Vec<&str> = timeline
            .iter()
            .map(|event| event.event.state().as_str())
            .collect();
        match kinds.as_slice() {
            ["accepted", "sealed", "delivered"] => {
                let TimelineEvent::Delivered { trans_id, .. } = &timeline[2].event else {
                    unreachable!("matched delivered");
                };
                let recipient = record.recipient.to_wire();
                let by_recipient = outcomes.delivered.entry(recipient).or_default();
                assert!(
                    by_recipient.insert(trans_id.clone()),
                    "one receipt per letter"
                );
            }
            ["accepted", "paper"] => {
                outcomes
                    .paper
                    .push((id, record.message_id.as_str().to_owned()));
            }
            other => panic!("letter {id}: incomplete or wrong timeline {other:?}"),
        }
    }
    let delivered: usize = outcomes.delivered.values().map(BTreeSet::len).sum();
    assert_eq!(
        delivered,
        3 * ids.len() / 4,
        "three recipients of four are reachable"
    );
    assert_eq!(outcomes.paper.len(), ids.len() / 4, "David has no mailbox");
    outcomes
}

/// The operators hold exactly the delivered letters, each once, under its receipt.
async fn check_operators(federation: &Federation, run: &str, outcomes: &Outcomes) {
    for key in ["tolvan", "bertil", "cecilia"] {
        let person = seed::person(key).unwrap();
        let operator = seed::OPERATORS
            .iter()
            .find(|operator| Some(operator.key) == person.operator)
            .unwrap();
        let store = federation.operator(operator).store();
        let search = SearchText::parse(run).unwrap();
        let stored = crate::crash::mailbox_trans_ids(store.as_ref(), person, Some(search)).await;
        let wire = kuvert_core::id::RecipientId::Person(person.personal_identity_number());
        assert_eq!(
            &stored,
            outcomes.delivered.get(&wire.to_wire()).unwrap(),
            "{key}: the operator's rows are the delivered letters"
        );
    }
}

/// Each paper letter is once on the paper-mail list and has its PDF.
fn check_paper(federation: &Federation, outcomes: &Outcomes) {
    let archive = federation.manifest().data_dir.join("sender-archive");
    let list = std::fs::read_to_string(archive.join("paper-mail.csv")).unwrap();
    for (id, message_id) in &outcomes.paper {
        assert_eq!(
            list.matches(message_id.as_str()).count(),
            1,
            "{message_id} listed once"
        );
        let pdf = std::fs::read(archive.join("paper-letters").join(format!("{id}.pdf"))).unwrap();
        assert!(pdf.starts_with(b"%PDF-"), "{id}: a PDF");
    }
}

/// The callers of the refusal checks, and the letters posted.
struct Callers<'a> {
    other: &'a ManifestOrganisation,
    oauth: &'a (reqwest::Client, String),
    ids: &'a BTreeSet<String>,
}

/// A client not allowed for a sender gets 403 and nothing is queued; a replayed key answers
/// the same letter, and the key with another letter is refused.
async fn check_refusals(
    federation: &Federation,
    gateway: &Gateway,
    callers: &Callers<'_>,
    run: &str,
    queue: &dyn SenderQueueStore,
) {
    let (other, oauth) = (callers.other, callers.oauth);
    let stranger = client(federation, Some(other));
    let single = stranger.post(format!("{}letters", gateway.url(true)));
    let single = single.header("Idempotency-Key", "grannen-1");
    let answer = single.json(&letter(run, 0)).send().await.unwrap();
    assert_eq!(answer.status(), reqwest::StatusCode::FORBIDDEN);
    let problem: Value = answer.json().await.unwrap();
    assert_eq!(problem["type"], "sender-not-allowed");
    let mut own = letter(run, 1);
    own["sender"] = json!(other.number);
    let batch = json!({ "letters": [own, letter(run, 2)] });
    let answer = stranger
        .post(format!("{}batches", gateway.url(true)))
        .header("Idempotency-Key", "grannen-2")
        .json(&batch)
        .send()
        .await
        .unwrap();
    assert_eq!(
        answer.status(),
        reqwest::StatusCode::FORBIDDEN,
        "one letter refuses all"
    );
    let theirs = ClientId::parse("grannsystemet").unwrap();
    assert!(
        queue.events_after(&theirs, 0, 10).await.unwrap().is_empty(),
        "nothing queued"
    );

    let first = letter(run, LETTERS_PER_CLIENT);
    let url = gateway.url(false);
    let again = post(&oauth.0, &url, "letters", Some(&oauth.1), "oauth-0", &first).await;
    let stored = queue.letter(LetterId::parse(again["id"].as_str().unwrap()).unwrap());
    let (record, _) = stored.await.unwrap().unwrap();
    assert_eq!(
        record.message_id.as_str(),
        again["message_id"].as_str().unwrap()
    );
    assert_eq!(again["state"], record.state.as_str());
    let again_id = again["id"].as_str().unwrap();
    assert!(
        callers.ids.contains(again_id),
        "the replay answers the same letter"
    );
    let changed = oauth
        .0
        .post(format!("{url}letters"))
        .bearer_auth(&oauth.1)
        .header("Idempotency-Key", "oauth-0")
        .json(&letter(run, 7))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    let status = oauth
        .0
        .get(format!("{url}letters/{}", again["id"].as_str().unwrap()))
        .bearer_auth(&oauth.1)
        .send()
        .await
        .unwrap();
    let status: Value = status.json().await.unwrap();
    assert_eq!(status["timeline"].as_array().unwrap().len(), 3);
    let hidden = stranger
        .get(format!(
            "{}letters/{}",
            gateway.url(true),
            again["id"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        hidden.status(),
        reqwest::StatusCode::NOT_FOUND,
        "another client's letter"
    );
}

pub(crate) fn letter(run: &str, n: usize) -> Value {
    let person = seed::person(RECIPIENTS[n % RECIPIENTS.len()]).unwrap();
    json!({
        "sender": seed::SENDERS[0].number,
        "recipient": person.number,
        "subject": format!("{run} brev {n}"),
        "body": { "content_type": "text/plain", "content": format!("Hej! Det här är brev {n}.") },
    })
}

async fn post_batch(client: &reqwest::Client, url: &str, run: &str, batch: usize) -> Vec<String> {
    let letters: Vec<Value> = (0..BATCH_LETTERS)
        .map(|index| letter(run, batch * BATCH_LETTERS + index))
        .collect();
    let key = format!("batch-{batch}");
    let answer = post(
        client,
        url,
        "batches",
        None,
        &key,
        &json!({ "letters": letters }),
    )
    .await;
    let letters = answer["letters"].as_array().unwrap();
    assert_eq!(letters.len(), BATCH_LETTERS);
    letters
        .iter()
        .map(|letter| letter["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Posts until the gateway answers 202 (it may be down between kill and restart: the same
/// key is posted again, as a sender system would).
pub(crate) async fn post(
    client: &reqwest::Client,
    url: &str,
    path: &str,
    token: Option<&str>,
    key: &str,
    body: &Value,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let mut request = client
            .post(format!("{url}{path}"))
            .header("Idempotency-Key", key)
            .json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        match request.send().await {
            Ok(answer) if answer.status() == reqwest::StatusCode::ACCEPTED => {
                return answer.json().await.unwrap();
            }
            Ok(answer) => {
                let status = answer.status();
                panic!("{path} {key}: {status} {}", answer.text().await.unwrap());
            }
            Err(error) => {
                assert!(Instant::now() < deadline, "{path} {key}: {error}");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}

/// Waits until `count` letters of `clients` reached a final event.
pub(crate) async fn wait_for_final(
    queue: &dyn SenderQueueStore,
    clients: &[ClientId],
    count: usize,
    child: &mut Child,
) {
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let done = final_letters(queue, clients).await;
        if done >= count {
            return;
        }
        assert!(child.try_wait().unwrap().is_none(), "the gateway exited");
        assert!(
            Instant::now() < deadline,
            "only {done} of {count} letters done"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Letters of `clients` with a final event, read from the feed page by page.
async fn final_letters(queue: &dyn SenderQueueStore, clients: &[ClientId]) -> usize {
    let mut done = 0;
    for client in clients {
        let mut after = 0;
        loop {
            let page = queue.events_after(client, after, 1_000).await.unwrap();
            let Some(last) = page.last() else { break };
            after = last.sequence;
            done += page
                .iter()
                .filter(|event| event.event.state().is_final())
                .count();
        }
    }
    done
}

/// A client trusting the federation's CA, with `identity`'s certificate when given.
pub(crate) fn client(
    federation: &Federation,
    identity: Option<&ManifestOrganisation>,
) -> reqwest::Client {
    let manifest = federation.manifest();
    let identity = identity.map(|organisation| {
        let certificate = std::fs::read_to_string(&organisation.certificate).unwrap();
        let key = std::fs::read_to_string(&organisation.key_file).unwrap();
        (certificate, secrecy::SecretString::from(key))
    });
    kuvert_web::http_client(&kuvert_web::ClientConfig {
        ca_pem: std::fs::read_to_string(&manifest.organisation_ca).unwrap(),
        identity,
        connect_timeout: Duration::from_secs(5),
        request_timeout: Duration::from_secs(120),
    })
    .unwrap()
}

/// An access token for the OAuth 2 client (client credentials in the form).
pub(crate) async fn token(client: &reqwest::Client, gateway: &Gateway) -> String {
    let url = format!("https://127.0.0.1:{}/oauth/token", gateway.tls);
    let wrong = [
        ("grant_type", "client_credentials"),
        ("client_id", "arendesystemet"),
    ];
    let refused = client
        .post(&url)
        .form(&[wrong[0], wrong[1], ("client_secret", "fel")]);
    let refused = refused.send().await.unwrap();
    assert_eq!(
        refused.status(),
        reqwest::StatusCode::UNAUTHORIZED,
        "a wrong secret"
    );
    let form = [wrong[0], wrong[1], ("client_secret", OAUTH_SECRET)];
    let answer: Value = client
        .post(&url)
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["token_type"], "Bearer");
    answer["access_token"].as_str().unwrap().to_owned()
}

/// The demo's sender configuration with a `[service]` section: three clients, a token key.
pub(crate) fn write_config(federation: &Federation, dir: &Path) -> Gateway {
    let manifest = federation.manifest();
    let key_path = dir.join("token.key");
    std::fs::write(&key_path, hex::encode(rand_bytes())).unwrap();
    let database_url = format!("sqlite://{}/sender.db?mode=rwc", dir.display());
    let hash = kuvert_sender::service::hash_secret(OAUTH_SECRET).unwrap();
    let (mutual_tls, tls) = (free_port(), free_port());
    let service = format!(
        r#"
[service]
database_url = "{database_url}"
public_url = "https://127.0.0.1:{tls}/"
token_key_path = "{key}"
lease_secs = 3
concurrency = 16

[[service.clients]]
id = "ekonomisystemet"
certificate_organisation = "{sender}"
senders = ["{sender}"]

[[service.clients]]
id = "arendesystemet"
secret_hash = "{hash}"
senders = ["{sender}"]

[[service.clients]]
id = "grannsystemet"
certificate_organisation = "{other}"
senders = ["{other}"]
"#,
        key = key_path.display(),
        sender = manifest.senders[0].number,
        other = manifest.senders[1].number,
    );
    // The demo's own `[service]` (its sender system) makes way for this test's clients.
    let mut toolkit: toml::Table = std::fs::read_to_string(&manifest.sender_config)
        .unwrap()
        .parse()
        .unwrap();
    toolkit.remove("service");
    let mut text = toml::to_string(&toolkit).unwrap();
    text.push_str(&service);
    let config = dir.join("sender.toml");
    std::fs::write(&config, text).unwrap();
    Gateway {
        config,
        database_url,
        mutual_tls,
        tls,
        log: dir.join("gateway.log"),
    }
}

pub(crate) fn rand_bytes() -> [u8; 32] {
    let mut bytes = [0_u8; 32];
    bytes[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    bytes[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    bytes
}

pub(crate) fn free_port() -> u16 {
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).unwrap();
    listener.local_addr().unwrap().port()
}

impl Gateway {
    /// `https://127.0.0.1:PORT/api/v1/` of the mutual-TLS or the TLS listener.
    pub(crate) fn url(&self, mutual: bool) -> String {
        let port = if mutual { self.mutual_tls } else { self.tls };
        format!("https://127.0.0.1:{port}/api/v1/")
    }

    pub(crate) fn spawn(&self) -> Child {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        Command::new(env!("CARGO_BIN_EXE_kuvert"))
            .args(["sender", "serve", "--config"])
            .arg(&self.config)
            .arg("--listen")
            .arg(format!("127.0.0.1:{}", self.mutual_tls))
            .arg("--oauth-listen")
            .arg(format!("127.0.0.1:{}", self.tls))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap()
    }

    pub(crate) async fn wait_until_ready(&self, child: &mut Child) {
        for _ in 0..1_200 {
            if let Some(status) = child.try_wait().unwrap() {
                let log = std::fs::read_to_string(&self.log).unwrap_or_default();
                panic!("the gateway exited at start ({status}): {log}");
            }
            let address = (Ipv4Addr::LOCALHOST, self.tls);
            if tokio::net::TcpStream::connect(address).await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the gateway did not start listening");
    }
}
