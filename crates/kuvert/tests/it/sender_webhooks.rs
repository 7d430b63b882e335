//! Issue 15, the sender service's webhooks as a process against the real federation, pushing
//! to a real HTTP receiver (axum, in this test) that checks the HMAC of every request and
//! refuses every event twice before it accepts it: every event of the subscribed client's
//! letters arrives accepted exactly once, in feed order (hence in order per letter), as the
//! feed's own JSON, through a SIGKILL of the gateway and its restart; another client's
//! letters' events never arrive; the feed replays from any cursor. A receiver that refuses
//! everything fills the dead-letter list, which only the senders' caller sees, and a retry
//! sends each one again.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_lc_rs::hmac;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Extensions, HeaderMap, StatusCode};
use kuvert::testkit::Federation;
use kuvert_store::sender::ClientId;
use kuvert_web::{Listener, ListenerTls, PeerCertificate, Shutdown};
use kuvert_xmldsig::certificate::Certificate;
use serde_json::{Value, json};

use crate::sender_service::{
    Gateway, client, free_port, letter, post, rand_bytes, token, wait_for_final, write_config,
};

/// Letters of the subscribed client: three of four reachable (accepted, sealed, delivered),
/// one on paper (accepted, paper).
const LETTERS: usize = 16;
const BATCH_LETTERS: usize = 4;
/// Refusals of each event before the receiver accepts it.
const REFUSALS_PER_EVENT: u32 = 2;
/// Events accepted before the receiver refuses everything and the gateway is killed.
const ACCEPTED_BEFORE_KILL: usize = 10;
/// How far the signature's timestamp may be from the receiver's clock.
const SIGNATURE_TOLERANCE_SECS: i64 = 300;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn webhooks_deliver_each_event_once_in_order_through_refusals_and_a_kill() {
    let federation = Federation::start(Default::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let receiver = Receiver::start(false).await;
    let gateway = gateway(
        &federation,
        dir.path(),
        &receiver,
        "clients = [\"ekonomisystemet\"]\nattempts = 10",
    )
    .await;
    let mut child = gateway.spawn();
    gateway.wait_until_ready(&mut child).await;
    let manifest = federation.manifest();
    let mtls = client(&federation, Some(&manifest.senders[0]));
    let run = format!("hook{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    for batch in 0..LETTERS / BATCH_LETTERS {
        let letters: Vec<Value> = (0..BATCH_LETTERS)
            .map(|index| letter(&run, batch * BATCH_LETTERS + index))
            .collect();
        let key = format!("hook-batch-{batch}");
        let body = json!({ "letters": letters });
        post(&mtls, &gateway.url(true), "batches", None, &key, &body).await;
    }
    // Another client's letters: not this endpoint's.
    let plain = client(&federation, None);
    let bearer = token(&plain, &gateway).await;
    let (oauth_url, their_letter) = (gateway.url(false), letter(&run, 0));
    let theirs = post(
        &plain,
        &oauth_url,
        "letters",
        Some(&bearer),
        "x-1",
        &their_letter,
    )
    .await;
    let theirs = theirs["id"].as_str().unwrap().to_owned();

    // SIGKILL while the receiver refuses (so no accepted answer is in flight), then restart it
    // beside a second node on the same database: the endpoint's lease lets one push at a time.
    receiver
        .wait_for(|seen| seen.accepted.len() >= ACCEPTED_BEFORE_KILL)
        .await;
    receiver.seen.lock().unwrap().refuse_all = true;
    receiver.wait_for(|seen| seen.refused_while_all > 0).await;
    child.kill().unwrap();
    child.wait().unwrap();
    receiver.seen.lock().unwrap().refuse_all = false;
    let mut child = gateway.spawn();
    gateway.wait_until_ready(&mut child).await;
    let second = Gateway {
        mutual_tls: free_port(),
        tls: free_port(),
        log: dir.path().join("second.log"),
        ..gateway.clone()
    };
    let mut second_child = second.spawn();
    second.wait_until_ready(&mut second_child).await;

    let queue = kuvert_store::Database::connect(&gateway.database_url)
        .await
        .unwrap()
        .sender_queue();
    let ours = [ClientId::parse("ekonomisystemet").unwrap()];
    wait_for_final(queue.as_ref(), &ours, LETTERS, &mut child).await;
    let feed = read_feed(&mtls, &gateway.url(true), 0, 1_000).await;
    assert_eq!(
        feed.len(),
        LETTERS * 3 - LETTERS / 4,
        "every letter's timeline"
    );
    receiver
        .wait_for(|seen| seen.accepted.len() >= feed.len())
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;

    let seen = receiver.seen.lock().unwrap().clone();
    assert!(seen.problems.is_empty(), "{:?}", seen.problems);
    assert_eq!(
        seen.accepted, feed,
        "each event accepted once, in feed order, as the feed has it"
    );
    let sequences: Vec<u64> = feed.iter().map(sequence).collect();
    for id in &sequences {
        assert!(
            seen.refusals[id] >= REFUSALS_PER_EVENT,
            "event {id} was retried"
        );
    }
    assert!(
        seen.attempts
            .iter()
            .all(|attempt| *attempt > REFUSALS_PER_EVENT)
    );
    check_order_per_letter(&seen.accepted);
    assert!(
        seen.accepted
            .iter()
            .all(|event| event["letter_id"] != theirs.as_str()),
        "another client's letter is not this endpoint's"
    );
    check_replay(&mtls, &gateway.url(true), &feed).await;
    for mut node in [child, second_child] {
        node.kill().unwrap();
        node.wait().unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn webhook_dead_letters_are_listed_for_their_senders_and_sent_again() {
    let federation = Federation::start(Default::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let receiver = Receiver::start(true).await;
    let manifest = federation.manifest();
    let (sender, other) = (&manifest.senders[0], &manifest.senders[1]);
    let filter = format!("senders = [\"{}\"]\nattempts = 2", sender.number);
    let gateway = gateway(&federation, dir.path(), &receiver, &filter).await;
    let mut child = gateway.spawn();
    gateway.wait_until_ready(&mut child).await;
    let (mtls, stranger) = (
        client(&federation, Some(sender)),
        client(&federation, Some(other)),
    );
    let url = gateway.url(true);
    post(&mtls, &url, "letters", None, "dead-1", &letter("dead", 0)).await;
    let feed = loop {
        let listed = dead_letters(&mtls, &url).await;
        if listed.len() == 3 {
            break listed;
        }
        assert!(child.try_wait().unwrap().is_none(), "the gateway exited");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let events = read_feed(&mtls, &url, 0, 100).await;
    for (dead, event) in feed.iter().zip(&events) {
        assert_eq!(dead["state"], "dead");
        assert_eq!(dead["attempts"], 2);
        assert_eq!(dead["last_error"], "the endpoint answered HTTP 503");
        assert_eq!(dead["sender"], sender.number.as_str());
        assert_eq!(&dead["event"], event, "the feed's event");
    }
    assert!(
        dead_letters(&stranger, &url).await.is_empty(),
        "another sender's caller"
    );
    let id = feed[0]["id"].as_str().unwrap();
    let hidden = stranger.post(format!("{url}webhooks/dead-letters/{id}/retry"));
    assert_eq!(
        hidden.send().await.unwrap().status(),
        reqwest::StatusCode::NOT_FOUND
    );
    assert!(receiver.seen.lock().unwrap().accepted.is_empty());

    receiver.seen.lock().unwrap().refuse_all = false;
    for dead in &feed {
        let id = dead["id"].as_str().unwrap();
        let retried = mtls.post(format!("{url}webhooks/dead-letters/{id}/retry"));
        let retried = retried.send().await.unwrap();
        assert_eq!(retried.status(), reqwest::StatusCode::ACCEPTED);
        let queued: Value = retried.json().await.unwrap();
        assert_eq!(
            (&queued["state"], &queued["attempts"]),
            (&json!("queued"), &json!(0))
        );
    }
    receiver
        .wait_for(|seen| seen.accepted.len() == events.len())
        .await;
    let mut accepted = receiver.seen.lock().unwrap().accepted.clone();
    accepted.sort_by_key(sequence);
    assert_eq!(
        accepted, events,
        "each dead letter sent again, as the feed has it"
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while dead_letters(&mtls, &url)
        .await
        .iter()
        .any(|dead| dead["state"] != "resent")
    {
        assert!(Instant::now() < deadline, "every dead letter resent");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(receiver.seen.lock().unwrap().problems.is_empty());
    let document = mtls.get(format!("{url}openapi.json")).send().await.unwrap();
    let document: Value = document.json().await.unwrap();
    for path in [
        "/api/v1/webhooks/dead-letters",
        "/api/v1/webhooks/dead-letters/{id}/retry",
    ] {
        assert!(
            document["paths"][path].is_object(),
            "{path} in the OpenAPI document"
        );
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

/// A new endpoint set to start now gets only the events after it was first seen, and over
/// mutual TLS the gateway presents the endpoint's configured client certificate.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_webhook_started_now_gets_only_later_events_over_mutual_tls() {
    let federation = Federation::start(Default::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let receiver = Receiver::start_mutual_tls(&federation).await;
    let manifest = federation.manifest();
    let intermediary = &manifest.intermediary;
    let endpoint = format!(
        "senders = [\"{}\"]\nstart = \"now\"\nclient_certificate_path = \"{}\"\n\
         client_key_path = \"{}\"",
        manifest.senders[0].number,
        intermediary.certificate.display(),
        intermediary.key_file.display(),
    );
    let gateway = gateway(&federation, dir.path(), &receiver, &endpoint).await;
    let with_endpoint = std::fs::read_to_string(&gateway.config).unwrap();
    let (without, _) = with_endpoint.split_once("[[service.webhooks]]").unwrap();
    std::fs::write(&gateway.config, without).unwrap();
    let queue = kuvert_store::Database::connect(&gateway.database_url)
        .await
        .unwrap()
        .sender_queue();
    let ours = [ClientId::parse("ekonomisystemet").unwrap()];
    let mtls = client(&federation, Some(&manifest.senders[0]));
    let run = format!("nu{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);

    // Before the endpoint: one letter, its events in the log.
    let mut child = gateway.spawn();
    gateway.wait_until_ready(&mut child).await;
    post(
        &mtls,
        &gateway.url(true),
        "letters",
        None,
        "fore",
        &letter(&run, 0),
    )
    .await;
    wait_for_final(queue.as_ref(), &ours, 1, &mut child).await;
    child.kill().unwrap();
    child.wait().unwrap();

    std::fs::write(&gateway.config, &with_endpoint).unwrap();
    let mut child = gateway.spawn();
    gateway.wait_until_ready(&mut child).await;
    let (url, body) = (gateway.url(true), letter(&run, 1));
    let later = post(&mtls, &url, "letters", None, "efter", &body).await;
    let later = later["id"].as_str().unwrap().to_owned();
    wait_for_final(queue.as_ref(), &ours, 2, &mut child).await;
    let feed = read_feed(&mtls, &gateway.url(true), 0, 100).await;
    let (before, after): (Vec<Value>, Vec<Value>) = feed
        .into_iter()
        .partition(|event| event["letter_id"] != later.as_str());
    assert!(!before.is_empty() && !after.is_empty());
    receiver
        .wait_for(|seen| seen.accepted.len() >= after.len())
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let seen = receiver.seen.lock().unwrap().clone();
    assert!(seen.problems.is_empty(), "{:?}", seen.problems);
    assert_eq!(
        seen.accepted, after,
        "only the later letter's events, in order"
    );
    assert!(
        (seen.callers.iter()).all(|caller| caller.as_deref() == Some(&intermediary.number)),
        "{:?}",
        seen.callers
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

/// The receiver: checks every request's signature, refuses each event
/// `REFUSALS_PER_EVENT` times (every request while `refuse_all`), then records it.
struct Receiver {
    url: String,
    key: [u8; 32],
    seen: Arc<Mutex<Seen>>,
}

#[derive(Debug, Clone, Default)]
struct Seen {
    refuse_all: bool,
    refused_while_all: u32,
    refusals: HashMap<u64, u32>,
    accepted: Vec<Value>,
    /// `Kuvert-Attempt` of each accepted request.
    attempts: Vec<u32>,
    /// The organisation of each accepted request's client certificate (mutual TLS only).
    callers: Vec<Option<String>>,
    problems: Vec<String>,
}

impl Receiver {
    /// A receiver on plain HTTP at 127.0.0.1.
    async fn start(refuse_all: bool) -> Self {
        let address = "127.0.0.1:0".parse().unwrap();
        let listener = Listener::bind(address, ListenerTls::Plain).await.unwrap();
        Self::serve(refuse_all, "http", listener)
    }

    /// A receiver on HTTPS that asks for a client certificate of the demo's organisation CA,
    /// presenting the registry's certificate.
    async fn start_mutual_tls(federation: &Federation) -> Self {
        let manifest = federation.manifest();
        let read = |path: &Path| std::fs::read_to_string(path).unwrap();
        let tls = ListenerTls::MutualTls {
            cert_chain_pem: read(&manifest.registry.certificate),
            key_pem: read(&manifest.registry.key_file).into(),
            client_ca_pem: read(&manifest.organisation_ca),
        };
        let address = "127.0.0.1:0".parse().unwrap();
        Self::serve(false, "https", Listener::bind(address, tls).await.unwrap())
    }

    fn serve(refuse_all: bool, scheme: &str, listener: Listener) -> Self {
        let key = rand_bytes();
        let seen = Arc::new(Mutex::new(Seen {
            refuse_all,
            ..Seen::default()
        }));
        let state = (hmac::Key::new(hmac::HMAC_SHA256, &key), Arc::clone(&seen));
        let router = axum::Router::new()
            .route("/kuvert", axum::routing::post(receive))
            .with_state(Arc::new(state));
        let url = format!("{scheme}://{}/kuvert", listener.local_addr().unwrap());
        tokio::spawn(kuvert_web::serve(listener, router, Shutdown::new()));
        Self { url, key, seen }
    }

    async fn wait_for(&self, done: impl Fn(&Seen) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(180);
        while !done(&self.seen.lock().unwrap()) {
            assert!(Instant::now() < deadline, "the receiver waited in vain");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn receive(
    State(state): State<Arc<(hmac::Key, Arc<Mutex<Seen>>)>>,
    extensions: Extensions,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    let mut seen = state.1.lock().unwrap();
    let signature = header("kuvert-signature").unwrap_or_default();
    if !is_signed(&state.0, signature, &body) {
        seen.problems.push(format!("bad signature {signature}"));
        return StatusCode::UNAUTHORIZED;
    }
    let event: Value = serde_json::from_slice(&body).unwrap_or_default();
    let id = header("kuvert-event-id").and_then(|id| id.parse::<u64>().ok());
    let attempt = header("kuvert-attempt").and_then(|attempt| attempt.parse::<u32>().ok());
    let (Some(id), Some(attempt)) = (id, attempt) else {
        seen.problems.push(format!("headers: {headers:?}"));
        return StatusCode::BAD_REQUEST;
    };
    if event["sequence"].as_u64() != Some(id) || header("kuvert-webhook") != Some("mottagaren") {
        seen.problems
            .push(format!("event {id}: {event} {headers:?}"));
        return StatusCode::BAD_REQUEST;
    }
    let refuse_all = seen.refuse_all;
    let refusals = seen.refusals.entry(id).or_default();
    if refuse_all || *refusals < REFUSALS_PER_EVENT {
        *refusals += 1;
        seen.refused_while_all += u32::from(refuse_all);
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    seen.accepted.push(event);
    seen.attempts.push(attempt);
    let caller = extensions.get::<PeerCertificate>().map(|peer| {
        let certificate = Certificate::from_der(peer.der()).unwrap();
        certificate
            .organisation_number()
            .unwrap()
            .as_str()
            .to_owned()
    });
    seen.callers.push(caller);
    StatusCode::NO_CONTENT
}

/// `Kuvert-Signature: t=…,v1=…`: HMAC-SHA256 of `t.body`, `t` near now (the README's rule).
fn is_signed(key: &hmac::Key, signature: &str, body: &[u8]) -> bool {
    let parts: BTreeMap<&str, &str> = signature
        .split(',')
        .filter_map(|part| part.split_once('='))
        .collect();
    let (Some(timestamp), Some(tag)) = (parts.get("t"), parts.get("v1")) else {
        return false;
    };
    let Ok(at) = timestamp.parse::<i64>() else {
        return false;
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let message = [timestamp.as_bytes(), b".", body].concat();
    let tag = hex::decode(tag).unwrap_or_default();
    (now - at).abs() <= SIGNATURE_TOLERANCE_SECS && hmac::verify(key, &message, &tag).is_ok()
}

/// The gateway of `write_config` on the layout's database, with one webhook endpoint.
async fn gateway(
    federation: &Federation,
    dir: &Path,
    receiver: &Receiver,
    filter: &str,
) -> Gateway {
    let mut gateway = write_config(federation, dir);
    let key_path = dir.join("webhook.key");
    std::fs::write(&key_path, hex::encode(receiver.key)).unwrap();
    // A lease far longer than any stall of a debug build, so two nodes never push at once.
    let mut text = std::fs::read_to_string(&gateway.config)
        .unwrap()
        .replace("lease_secs = 3\n", "lease_secs = 10\n");
    if let Some(url) = postgres_database().await {
        text = text.replace(&gateway.database_url, &url);
        gateway.database_url = url;
    }
    text.push_str(&format!(
        r#"
[[service.webhooks]]
id = "mottagaren"
url = "{url}"
secret_path = "{key}"
{filter}
backoff_initial_ms = 20
backoff_max_ms = 200
request_timeout_ms = 2000
"#,
        url = receiver.url,
        key = key_path.display(),
    ));
    std::fs::write(&gateway.config, text).unwrap();
    gateway
}

/// A fresh PostgreSQL database when the federation runs on PostgreSQL.
async fn postgres_database() -> Option<String> {
    use kuvert_testenv::FederationLayout;
    use sqlx::{Connection as _, Executor as _};
    let purpose = "the sender service's webhooks on PostgreSQL";
    let admin_url = match kuvert_testenv::federation_layout() {
        FederationLayout::Sqlite => return None,
        FederationLayout::PostgresS3 | FederationLayout::Default => {
            kuvert_testenv::external("PG_URL", purpose)?
        }
    };
    let name = format!("kuvert_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    let statement = kuvert_store::create_database_sql(&name).unwrap();
    admin.execute(sqlx::AssertSqlSafe(statement)).await.unwrap();
    let mut url = url::Url::parse(&admin_url).unwrap();
    url.set_path(&name);
    Some(url.to_string())
}

/// The caller's feed after `after`, read `limit` at a time to its end.
async fn read_feed(client: &reqwest::Client, url: &str, after: u64, limit: u32) -> Vec<Value> {
    let (mut events, mut after) = (Vec::new(), after);
    loop {
        let page = client.get(format!("{url}events?after={after}&limit={limit}"));
        let page: Value = page.send().await.unwrap().json().await.unwrap();
        let found = page["events"].as_array().unwrap();
        if found.is_empty() {
            return events;
        }
        events.extend(found.iter().cloned());
        after = page["next_after"].as_u64().unwrap();
    }
}

/// The feed read from several cursors, a few at a time, is the full feed's tail.
async fn check_replay(client: &reqwest::Client, url: &str, feed: &[Value]) {
    let mut cursors = vec![0, sequence(&feed[0]), sequence(&feed[feed.len() / 2])];
    cursors.extend([
        sequence(&feed[feed.len() - 2]),
        sequence(&feed[feed.len() - 1]),
    ]);
    cursors.push(sequence(&feed[3]) - 1);
    for cursor in cursors {
        let replayed = read_feed(client, url, cursor, 7).await;
        let tail: Vec<Value> = feed
            .iter()
            .filter(|event| sequence(event) > cursor)
            .cloned()
            .collect();
        assert_eq!(replayed, tail, "the feed after {cursor}");
    }
}

/// Each letter's events arrived in its timeline's order.
fn check_order_per_letter(accepted: &[Value]) {
    let mut kinds: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for event in accepted {
        let letter = event["letter_id"].as_str().unwrap();
        kinds
            .entry(letter)
            .or_default()
            .push(event["kind"].as_str().unwrap());
    }
    assert_eq!(kinds.len(), LETTERS);
    for (letter, kinds) in kinds {
        assert!(
            matches!(
                kinds.as_slice(),
                ["accepted", "sealed", "delivered"] | ["accepted", "paper"]
            ),
            "letter {letter}: {kinds:?}"
        );
    }
}

async fn dead_letters(client: &reqwest::Client, url: &str) -> Vec<Value> {
    let answer = client
        .get(format!("{url}webhooks/dead-letters"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), reqwest::StatusCode::OK);
    let page: Value = answer.json().await.unwrap();
    page["dead_letters"].as_array().unwrap().clone()
}

fn sequence(event: &Value) -> u64 {
    event["sequence"].as_u64().unwrap()
}
