//! Issue 15, the sender service (`kuvert_sender::service`) in-process beside the real
//! federation, for what the process test (`sender_service.rs`) does not cover: with
//! `[service.crl]`, a revoked client certificate is refused at the mutual-TLS handshake and a
//! sender whose signing certificate is revoked has no letter signed; a batch's letters are
//! queued in the bulk lane and a single letter in the single lane; a letter's postal address
//! is printed on its paper letter; a letter posted as `multipart/form-data` is checked and
//! sent as a JSON one, and a bad form is refused naming the part and the rule; a mailing's
//! manifest (CSV or JSON, with its files) is queued row by row in the bulk lane, or refused
//! with every bad row named and nothing queued, and a replay answers the same letters; each
//! delivered or paper letter is reported to the registry's statistics once, across a restart.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use kuvert::seed::{self, SeedOrganisation};
use kuvert::testkit::Federation;
use kuvert_core::lane::Lane;
use kuvert_sender::intermediary::{AuthorisedSender, MessageV3Config};
use kuvert_sender::service::{ClientConfig, ServiceConfig};
use kuvert_web::crl::CrlConfig;
use kuvert_web::{Listener, Shutdown};
use serde_json::{Value, json};

use crate::intermediary::{client_as, distribute, distribute_request, letters_with, status_of};
use crate::letter_statistics::{letter_totals, wait_for_letter_totals};

/// A sender service running beside a federation, stopped on drop.
struct RunningGateway {
    service_crls: Option<kuvert_web::crl::CrlRefresher>,
    /// `https://127.0.0.1:PORT/api/v1/` of the mutual-TLS listener.
    api_url: String,
    /// The queue's database.
    database_url: String,
    /// The toolkit's evidence archive (the paper letters in `paper-letters`).
    archive_dir: std::path::PathBuf,
    shutdown: Shutdown,
    /// The folder of the database, archive and paper-mail list, when the gateway owns it.
    _dir: Option<tempfile::TempDir>,
}

impl Drop for RunningGateway {
    fn drop(&mut self) {
        self.shutdown.trigger();
    }
}

/// Starts the demo's sender configuration as a service with two certificate clients, both
/// allowed for Exempelkommun: Exempelkommun itself and Exempelmyndigheten (a provider).
async fn start(federation: &Federation, crl: CrlConfig) -> RunningGateway {
    let dir = tempfile::tempdir().unwrap();
    let mut gateway = start_at(federation, crl, dir.path()).await;
    gateway._dir = Some(dir);
    gateway
}

/// [`start`] with its database, archive and paper-mail list in `dir`, which outlives it (a
/// restart on the same database).
async fn start_at(federation: &Federation, crl: CrlConfig, dir: &Path) -> RunningGateway {
    let data_dir = &federation.manifest().data_dir;
    let mut config = kuvert::send_command::demo_sender_config(data_dir).unwrap();
    config.archive_dir = dir.join("archive");
    config.paper_mail_path = dir.join("paper-mail.csv");
    let [kommun, myndigheten] = seed::SENDERS;
    let client = |id: &str, certificate: &SeedOrganisation| ClientConfig {
        id: id.to_owned(),
        certificate_organisation: Some(certificate.organisation_number()),
        secret_hash: None,
        senders: vec![kommun.organisation_number()],
    };
    let database_url = format!("sqlite://{}/sender.db?mode=rwc", dir.display());
    config.service = Some(ServiceConfig {
        database_url: database_url.clone(),
        database_pool: Default::default(),
        public_url: url::Url::parse("https://127.0.0.1/").unwrap(),
        certificate_path: None,
        key_path: None,
        client_ca_path: None,
        token_key_path: None,
        token_lifetime_secs: 300,
        concurrency: 4,
        lease_secs: 10,
        paper_letter_dir: None,
        http: Default::default(),
        crl,
        clients: vec![
            client("kommunsystemet", &kommun),
            client("leverantoren", &myndigheten),
        ],
        webhooks: Vec::new(),
        // Message v3 beside REST: Exempelkommun's letters, handed over by either client.
        message_v3: Some(MessageV3Config {
            senders: vec![AuthorisedSender {
                organisation_number: kommun.organisation_number(),
                clients: vec![
                    kommun.organisation_number(),
                    myndigheten.organisation_number(),
                ],
            }],
            envelope_bytes_max: kuvert_core::limits::ENVELOPE_BYTES_DEFAULT_MAX,
        }),
    });
    let service = kuvert_sender::service::build(&config).await.unwrap();
    let address: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let mutual_tls = Listener::bind(address, service.mutual_tls()).await.unwrap();
    let port = mutual_tls.local_addr().unwrap().port();
    let shutdown = Shutdown::new();
    let service_crls = service.crls().cloned();
    let listeners = kuvert_sender::service::Listeners {
        mutual_tls,
        tls: None,
        admin: None,
    };
    tokio::spawn(service.serve(listeners, shutdown.clone()));
    RunningGateway {
        service_crls,
        api_url: format!("https://127.0.0.1:{port}/api/v1/"),
        database_url,
        archive_dir: config.archive_dir.clone(),
        shutdown,
        _dir: None,
    }
}

/// A plain letter from Exempelkommun to `person` as the REST API takes it.
fn letter(person: &str, subject: &str) -> Value {
    json!({
        "sender": seed::SENDERS[0].number,
        "recipient": seed::person(person).unwrap().number,
        "subject": subject,
        "body": { "content_type": "text/plain", "content": "Hej! Ett brev från tjänsten." },
    })
}

/// Posts `body` to `path` under `key`; the answer's status and JSON.
async fn post_json(
    client: &reqwest::Client,
    gateway: &RunningGateway,
    path: &str,
    key: &str,
    body: &Value,
) -> Result<(u16, Value), reqwest::Error> {
    let answer = client
        .post(format!("{}{path}", gateway.api_url))
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await?;
    let status = answer.status().as_u16();
    Ok((status, answer.json().await.unwrap_or(Value::Null)))
}

/// Polls the letter until its state is final; its status JSON.
async fn final_status(client: &reqwest::Client, gateway: &RunningGateway, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let answer = client
            .get(format!("{}letters/{id}", gateway.api_url))
            .send()
            .await
            .unwrap();
        let status: Value = answer.json().await.unwrap();
        if ["delivered", "paper", "failed"].contains(&status["state"].as_str().unwrap()) {
            return status;
        }
        assert!(Instant::now() < deadline, "letter {id} not done: {status}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sender_service_refuses_a_revoked_client_at_the_handshake_and_a_revoked_signer() {
    let federation = Federation::start(Default::default()).await;
    let crl = CrlConfig {
        files: vec![federation.manifest().data_dir.join("pki/org-ca.crl.pem")],
        ..CrlConfig::default()
    };
    let gateway = start(&federation, crl).await;
    let [kommun, myndigheten] = seed::SENDERS;
    let kommun_client = client_as(&federation, &kommun);
    let provider = client_as(&federation, &myndigheten);
    let (status, answer) = post_json(
        &kommun_client,
        &gateway,
        "letters",
        "fore",
        &letter("tolvan", "Före återkallelsen"),
    )
    .await
    .unwrap();
    assert_eq!(status, 202, "{answer}");
    let done = final_status(&kommun_client, &gateway, answer["id"].as_str().unwrap()).await;
    assert_eq!(done["state"], "delivered", "{done}");

    federation.revoke(kommun.key).await;
    let crls = gateway.service_crls.as_ref().expect("[service.crl] is set");
    assert!(crls.refresh().await.is_empty(), "the CRL reloads");
    // Exempelkommun's own certificate no longer opens a connection (a new one: the check is
    // the handshake's): no answer at all.
    let refused = post_json(
        &client_as(&federation, &kommun),
        &gateway,
        "letters",
        "efter",
        &letter("tolvan", "Efter återkallelsen"),
    )
    .await;
    assert!(
        refused.is_err(),
        "a revoked client got an answer: {refused:?}"
    );
    // A provider may still post for others, but Exempelkommun's letter is refused at once,
    // naming the revocation: nothing is queued that could not be signed.
    let (status, problem) = post_json(
        &provider,
        &gateway,
        "letters",
        "leverantor",
        &letter("tolvan", "Signerad med återkallat certifikat"),
    )
    .await
    .unwrap();
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["problems"][0]["rule"], "sender", "{problem}");
    let detail = problem["problems"][0]["detail"].as_str().unwrap();
    assert!(detail.contains("revoked"), "{detail}");
    let feed: Value = provider
        .get(format!("{}events?after=0", gateway.api_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // The caller's feed holds an `accepted` event for every letter it had queued: none.
    assert_eq!(
        feed["events"],
        json!([]),
        "nothing queued for the provider: {feed}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sender_service_queues_batches_in_the_bulk_lane_and_prints_the_postal_address() {
    let federation = Federation::start(Default::default()).await;
    let gateway = start(&federation, CrlConfig::default()).await;
    let client = client_as(&federation, &seed::SENDERS[0]);
    let mut bad = letter("david", "Fel adress");
    bad["address"] = json!("En enda rad");
    let (status, problem) = post_json(&client, &gateway, "letters", "fel", &bad)
        .await
        .unwrap();
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["problems"][0]["rule"], "address", "{problem}");

    // David has no mailbox: his letters go on paper, with and without an address.
    let mut addressed = letter("david", "Brev med adress");
    addressed["address"] = json!("David Dahl\nStorgatan 1\n123 45 Exempelstad");
    let batch = json!({ "letters": [addressed, letter("tolvan", "Brev i en batch")] });
    let (status, batch) = post_json(&client, &gateway, "batches", "batch", &batch)
        .await
        .unwrap();
    assert_eq!(status, 202, "{batch}");
    let single = letter("david", "Brev utan adress");
    let (status, single) = post_json(&client, &gateway, "letters", "ensam", &single)
        .await
        .unwrap();
    assert_eq!(status, 202, "{single}");

    let queue = kuvert_store::Database::connect(&gateway.database_url)
        .await
        .unwrap()
        .sender_queue();
    let lane_of = async |answer: &Value| {
        let id = kuvert_store::sender::LetterId::parse(answer["id"].as_str().unwrap()).unwrap();
        queue.letter(id).await.unwrap().unwrap().0.lane
    };
    assert_eq!(lane_of(&batch["letters"][0]).await, Lane::Bulk);
    assert_eq!(lane_of(&batch["letters"][1]).await, Lane::Bulk);
    assert_eq!(lane_of(&single).await, Lane::Single);

    let batch_ids: Vec<&str> = (0..2)
        .map(|index| batch["letters"][index]["id"].as_str().unwrap())
        .collect();
    let done = final_status(&client, &gateway, batch_ids[1]).await;
    assert_eq!(done["state"], "delivered", "{done}");
    for id in [batch_ids[0], single["id"].as_str().unwrap()] {
        let done = final_status(&client, &gateway, id).await;
        assert_eq!(done["state"], "paper", "{done}");
    }
    let Some(pdftotext) = kuvert_testenv::external("PDFTOTEXT", "the paper letters' text") else {
        return;
    };
    let text_of = |id: &str| {
        let pdf = gateway
            .archive_dir
            .join("paper-letters")
            .join(format!("{id}.pdf"));
        let output = std::process::Command::new(&pdftotext)
            .args(["-enc", "UTF-8"])
            .arg(&pdf)
            .arg("-")
            .output()
            .unwrap();
        String::from_utf8(output.stdout).unwrap()
    };
    let with_address = text_of(batch_ids[0]);
    for wanted in ["David Dahl", "Storgatan 1", "123 45 Exempelstad"] {
        assert!(with_address.contains(wanted), "{wanted}: {with_address}");
    }
    assert!(!with_address.contains("ADRESS SAKNAS"), "{with_address}");
    let without = text_of(single["id"].as_str().unwrap());
    assert!(without.contains("ADRESS SAKNAS"), "{without}");
}

/// An empty A4 page, as the README's `beslut.pdf`.
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n\
2 0 obj <</Type/Pages/Kids[3 0 R]/Count 1>> endobj\n\
3 0 obj <</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>> endobj\n\
trailer <</Root 1 0 R>>\n%%EOF\n";

const BOUNDARY: &str = "kuvert-grans-7f3a9c";

/// One part of a form: its name, file name, content type and bytes.
type Part<'a> = (&'a str, Option<&'a str>, &'a str, &'a [u8]);

/// A `multipart/form-data` body of `parts` (RFC 7578).
fn form(parts: &[Part<'_>]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, filename, content_type, bytes) in parts {
        let filename = filename.map_or(String::new(), |name| format!("; filename=\"{name}\""));
        let head = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"{filename}\r\n\
             Content-Type: {content_type}\r\n\r\n"
        );
        body.extend_from_slice(head.as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Posts `parts` as a form to `letters` under `key`: the status and the JSON answer.
async fn post_form(
    client: &reqwest::Client,
    gateway: &RunningGateway,
    key: &str,
    parts: &[Part<'_>],
) -> (u16, Value) {
    post_form_to(client, gateway, "letters", key, parts).await
}

/// Posts `parts` as a form to `path` under `key`: the status and the JSON answer.
async fn post_form_to(
    client: &reqwest::Client,
    gateway: &RunningGateway,
    path: &str,
    key: &str,
    parts: &[Part<'_>],
) -> (u16, Value) {
    let answer = client
        .post(format!("{}{path}", gateway.api_url))
        .header("Idempotency-Key", key)
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(form(parts))
        .send()
        .await
        .unwrap();
    let status = answer.status().as_u16();
    (status, answer.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sender_service_takes_a_multipart_letter_and_names_the_bad_part() {
    let federation = Federation::start(Default::default()).await;
    let gateway = start(&federation, CrlConfig::default()).await;
    let client = client_as(&federation, &seed::SENDERS[0]);
    let fields = json!({
        "sender": seed::SENDERS[0].number,
        "recipient": seed::person("tolvan").unwrap().number,
        "subject": "Beslut som formulär",
    })
    .to_string();
    let letter_part: Part<'_> = ("letter", None, "application/json", fields.as_bytes());
    let body_part: Part<'_> = (
        "body",
        Some("brev.html"),
        "text/html; charset=utf-8",
        "<p>Hej! Ditt bygglov är beviljat.</p>".as_bytes(),
    );
    let pdf_part: Part<'_> = ("attachment", Some("beslut.pdf"), "application/pdf", PDF);
    let (status, answer) = post_form(
        &client,
        &gateway,
        "form",
        &[letter_part, body_part, pdf_part],
    )
    .await;
    assert_eq!(status, 202, "{answer}");
    let done = final_status(&client, &gateway, answer["id"].as_str().unwrap()).await;
    assert_eq!(done["state"], "delivered", "{done}");

    // The form's own rules: 4xx naming the part and the rule; nothing queued.
    let unknown: Part<'_> = ("bilaga", Some("beslut.pdf"), "application/pdf", PDF);
    let large = vec![b'%'; 2 * 1024 * 1024 + 1];
    let too_large: Part<'_> = ("attachment", Some("stor.pdf"), "application/pdf", &large);
    let latin1: Part<'_> = (
        "body",
        None,
        "text/plain",
        b"Hej! Beslut om bygglov \xe5\xe4\xf6",
    );
    let cases: [(&str, Vec<Part<'_>>, u16, &str, &str); 4] = [
        (
            "okand",
            vec![letter_part, unknown],
            400,
            "part",
            "\"bilaga\"",
        ),
        (
            "stor",
            vec![letter_part, too_large],
            413,
            "size",
            "\"attachment\"",
        ),
        (
            "latin1",
            vec![letter_part, latin1],
            400,
            "utf-8",
            "\"body\"",
        ),
        ("utan", vec![body_part], 400, "part", "\"letter\""),
    ];
    for (key, parts, status, rule, part) in cases {
        let (got, problem) = post_form(&client, &gateway, key, &parts).await;
        assert_eq!(got, status, "{key}: {problem}");
        assert_eq!(problem["type"], "bad-part", "{key}: {problem}");
        assert_eq!(problem["problems"][0]["rule"], rule, "{key}: {problem}");
        let detail = problem["problems"][0]["detail"].as_str().unwrap();
        assert!(detail.contains(part), "{key}: {detail}");
    }
    // The letter's own rules are the JSON path's: a broken PDF is a 422 naming it.
    let broken: Part<'_> = (
        "attachment",
        Some("trasig.pdf"),
        "application/pdf",
        b"%PDF-1.4 x",
    );
    let (status, problem) = post_form(
        &client,
        &gateway,
        "trasig",
        &[letter_part, body_part, broken],
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    let detail = problem["problems"][0]["detail"].as_str().unwrap();
    assert!(detail.contains("trasig.pdf"), "{problem}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sender_service_queues_a_mailing_manifest_or_names_every_bad_row() {
    let federation = Federation::start(Default::default()).await;
    let gateway = start(&federation, CrlConfig::default()).await;
    let client = client_as(&federation, &seed::SENDERS[0]);
    let sender = seed::SENDERS[0].number.as_bytes();
    let [tolvan, david] = ["tolvan", "david"].map(|key| seed::person(key).unwrap().number);
    let csv = format!(
        "recipient,subject,body_file,attachments,address\n\
         {tolvan},Utskick,brev.txt,beslut.pdf,\n\
         {david},Utskick,brev.txt,,\"David Dahl\nStorgatan 1\n123 45 Exempelstad\"\n"
    );
    let body_file = "Hej! Ett brev i ett utskick.".as_bytes();
    let sender_part: Part<'_> = ("sender", None, "text/plain", sender);
    let text_part: Part<'_> = ("file", Some("brev.txt"), "text/plain", body_file);
    let pdf_part: Part<'_> = ("file", Some("beslut.pdf"), "application/pdf", PDF);
    let manifest: Part<'_> = ("manifest", Some("utskick.csv"), "text/csv", csv.as_bytes());
    let parts = [sender_part, manifest, text_part, pdf_part];
    let (status, mailing) = post_form_to(&client, &gateway, "mailings", "host", &parts).await;
    assert_eq!(status, 202, "{mailing}");
    let letters = mailing["letters"].as_array().unwrap();
    assert_eq!(letters.len(), 2, "one letter per row: {mailing}");
    let (_, again) = post_form_to(&client, &gateway, "mailings", "host", &parts).await;
    let ids = |answer: &Value| -> Vec<String> {
        let letters = answer["letters"].as_array().unwrap();
        letters
            .iter()
            .map(|letter| letter["id"].to_string())
            .collect()
    };
    assert_eq!(
        ids(&again),
        ids(&mailing),
        "a replay answers the same letters"
    );
    let queue = kuvert_store::Database::connect(&gateway.database_url)
        .await
        .unwrap()
        .sender_queue();
    for (letter, state) in letters.iter().zip(["delivered", "paper"]) {
        let id = letter["id"].as_str().unwrap();
        let done = final_status(&client, &gateway, id).await;
        assert_eq!(done["state"], state, "{done}");
        let id = kuvert_store::sender::LetterId::parse(id).unwrap();
        let (record, _) = queue.letter(id).await.unwrap().unwrap();
        assert_eq!(record.lane, Lane::Bulk, "a mailing's letters are bulk");
    }

    // JSON: every bad row by its index, and nothing queued.
    let rows = json!([
        { "recipient": tolvan, "subject": "Bra rad", "body": "Hej!" },
        { "recipient": "191212121213", "subject": "Fel kontrollsiffra", "body": "Hej!" },
        { "recipient": david, "subject": "Saknad fil", "body_file": "saknas.txt" },
        // The gateway's own files are out of a caller's reach.
        { "recipient": david, "subject": "Värdens fil", "body_file": "/etc/hostname" },
        { "recipient": david, "subject": "Uppåt", "body": "Hej!", "attachments": ["../a.pdf"] },
    ])
    .to_string();
    let manifest: Part<'_> = (
        "manifest",
        Some("utskick.json"),
        "application/json",
        rows.as_bytes(),
    );
    let (status, problem) = post_form_to(
        &client,
        &gateway,
        "mailings",
        "fel",
        &[sender_part, manifest],
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    let named: Vec<(u64, &str)> = problem["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|found| {
            (
                found["letter"].as_u64().unwrap(),
                found["rule"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        named,
        [
            (1, "recipient"),
            (2, "body_file"),
            (3, "body_file"),
            (4, "attachments")
        ],
        "{problem}"
    );
    let client_id = kuvert_store::sender::ClientId::parse("kommunsystemet").unwrap();
    let events = queue.events_after(&client_id, 0, 1_000).await.unwrap();
    let accepted = events
        .iter()
        .filter(|event| event.event.state().as_str() == "accepted")
        .count();
    assert_eq!(accepted, 2, "only the first mailing's letters were queued");
}

/// Issue 15: the service reports its letters to the registry's statistics in the background,
/// each once: after two delivered letters and one on paper the sender's totals grew by
/// exactly two and one, and the service restarted on the same
/// database reports only the letter it sent since.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sender_service_reports_each_final_letter_to_the_registry_once() {
    let federation = Federation::start(Default::default()).await;
    let sender = seed::SENDERS[0].organisation_number();
    let client = client_as(&federation, &seed::SENDERS[0]);
    let before = letter_totals(&federation, &sender).await;
    let dir = tempfile::tempdir().unwrap();
    let gateway = start_at(&federation, CrlConfig::default(), dir.path()).await;
    let letters = [
        ("tolvan", "Rapport ett", "delivered"),
        ("tolvan", "Rapport två", "delivered"),
        ("david", "Rapport tre", "paper"),
    ];
    for (idx, (person, subject, state)) in letters.into_iter().enumerate() {
        let key = format!("rapport-{idx}");
        let (status, answer) =
            post_json(&client, &gateway, "letters", &key, &letter(person, subject))
                .await
                .unwrap();
        assert_eq!(status, 202, "{answer}");
        let done = final_status(&client, &gateway, answer["id"].as_str().unwrap()).await;
        assert_eq!(done["state"], state, "{done}");
    }
    let expected = (before.0 + 2, before.1 + 1);
    let totals = wait_for_letter_totals(&federation, &sender, expected).await;
    assert_eq!(
        totals, expected,
        "two digital and one paper letter, counted once"
    );

    drop(gateway);
    let gateway = start_at(&federation, CrlConfig::default(), dir.path()).await;
    let (status, answer) = post_json(
        &client,
        &gateway,
        "letters",
        "rapport-efter",
        &letter("tolvan", "Rapport efter omstarten"),
    )
    .await
    .unwrap();
    assert_eq!(status, 202, "{answer}");
    let done = final_status(&client, &gateway, answer["id"].as_str().unwrap()).await;
    assert_eq!(done["state"], "delivered", "{done}");
    let expected = (before.0 + 3, before.1 + 1);
    let totals = wait_for_letter_totals(&federation, &sender, expected).await;
    assert_eq!(
        totals, expected,
        "after the restart only the new letter is counted"
    );
}

/// With `[service.message_v3]` the gateway's one mutual-TLS listener serves REST and the
/// protocol's Message v3 side by side: a signed delivery handed over with `distributeSecure`
/// is delivered once and followed with `checkDistributionStatus`, with the gateway's toolkit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sender_service_serves_message_v3_beside_rest_on_one_listener() {
    use kuvert_wire::message::{DistributionState, DistributionType};
    let federation = Federation::start(Default::default()).await;
    let gateway = start(&federation, CrlConfig::default()).await;
    let [kommun, myndigheten] = seed::SENDERS;
    let provider = client_as(&federation, &myndigheten);
    let message_url = gateway.api_url.replace("api/v1/", "Message/v3");
    let tolvan = seed::person("tolvan").unwrap();
    let subject = "Förmedlad bredvid REST";
    let request = distribute_request(&federation, &kommun, &kommun, tolvan, subject);
    let first = distribute(&provider, &message_url, request.clone()).await;
    assert_eq!(distribute(&provider, &message_url, request).await, first);
    assert_eq!(letters_with(&federation, tolvan, subject).await, 1);
    let delivered = (
        DistributionType::Digital,
        Some(DistributionState::Delivered),
    );
    let status = status_of(&provider, &message_url, &kommun, &first).await;
    assert_eq!(status, delivered);

    // REST answers on the same listener, and Message v3 refuses a sender it does not serve.
    let (status, answer) = post_json(
        &provider,
        &gateway,
        "letters",
        "bredvid",
        &letter("tolvan", "Via REST bredvid"),
    )
    .await
    .unwrap();
    assert_eq!(status, 202, "{answer}");
    let own = distribute_request(&federation, &myndigheten, &myndigheten, tolvan, "Egen");
    let code = crate::intermediary::refused(&provider, &message_url, own).await;
    assert_eq!(
        code,
        kuvert_wire::fault::FaultCode::UNKNOWN_SENDER,
        "a sender it does not serve"
    );
    assert_eq!(letters_with(&federation, tolvan, "Egen").await, 0);
}
