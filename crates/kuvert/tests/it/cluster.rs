//! `kuvert cluster` for real: the registry and each operator on two processes behind
//! HAProxy, on PostgreSQL, the letters in S3 (Garage). Four sender processes (`kuvert
//! mailing`) deliver to one operator through the balancer while its nodes are SIGKILLed and
//! restarted in turn; every letter must be receipted once, stored once, answered with its
//! original receipt when retried, and readable (digest and signatures checked) through either
//! node byte-identical to what its sender sealed. A person logged in through the balancer is
//! served by both inbox nodes and stays logged in when either is killed: sessions and keys
//! are shared, not per process.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kuvert::cluster::{Cluster, ClusterOptions};
use kuvert::seed;
use kuvert::send_command::demo_sender_config;
use kuvert::testkit::browser::log_in_at;
use kuvert_operator::config::S3BlobConfig;
use kuvert_store::operator::SearchText;
use kuvert_testenv::browser::Browser;
use url::Url;

/// Letters per run (`KUVERT_TEST_CLUSTER_LETTERS`, default 10 000), from four sender
/// processes at once.
const LETTERS_DEFAULT: usize = 10_000;

/// Times a node of the operator is killed during the run, at least.
const KILLS: usize = 10;

/// Runs of one sender's mailing, the first included, before it must have delivered every row.
const MAILING_RUNS_MAX: usize = 6;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deliveries_survive_killed_nodes_behind_the_balancer() {
    let Some(postgres) = kuvert_testenv::external("PG_URL", "the cluster on PostgreSQL") else {
        return;
    };
    let Some(haproxy) = kuvert_testenv::external("HAPROXY", "the cluster behind HAProxy") else {
        return;
    };
    let Some(bucket) = kuvert_testenv::s3_bucket("the cluster's letters in S3") else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let run = uuid::Uuid::new_v4().simple().to_string()[..10].to_owned();
    let s3 = kuvert::testkit::s3_blob_config(&bucket, format!("cluster-{run}"));
    let mut cluster = start(
        &postgres,
        &haproxy,
        data.path().to_path_buf(),
        &run,
        Some(s3),
    )
    .await;
    let nodes = web_nodes(&cluster).await;
    assert_eq!(
        nodes.len(),
        2,
        "both inbox nodes answer through the balancer: {nodes:?}"
    );
    sessions_survive_either_node(&mut cluster).await;

    let letters = kuvert_testenv::size("CLUSTER_LETTERS", LETTERS_DEFAULT) / 4 * 4;
    let started = Instant::now();
    let lanes: Vec<Lane> = (0..4)
        .map(|lane| Lane::write(data.path(), &run, lane, letters / 4))
        .collect();
    let kills = mail_while_killing(&mut cluster, &lanes).await;
    for lane in &lanes {
        lane.resume_until_done(&cluster).await;
    }
    let mailed = started.elapsed();
    let receipts: BTreeMap<String, String> = lanes.iter().flat_map(Lane::receipts).collect();
    assert_eq!(receipts.len(), letters, "one receipt for each letter");
    let trans_ids: BTreeSet<String> = receipts.values().cloned().collect();
    assert_eq!(
        trans_ids.len(),
        letters,
        "one receipt given for two letters"
    );
    let stored = stored_trans_ids(&cluster, &run).await;
    assert_eq!(
        stored, trans_ids,
        "stored once each, exactly the receipted letters: a retry got the original receipt"
    );
    let archived = archived_letters(&cluster);
    assert_eq!(
        archived.keys().cloned().collect::<BTreeSet<_>>(),
        trans_ids,
        "the senders' evidence archives hold the receipts the journals hold"
    );
    let ids = stored_letters(&cluster, &run).await;
    let read = read_through_each_node(&cluster, &archived, &ids).await;
    eprintln!(
        "cluster: {letters} letters from 4 sender processes in {:.1} s with {kills} kills; \
         {read} of them read, verified and byte-identical through each node",
        mailed.as_secs_f64()
    );
    assert_eq!(read, letters);
    cluster.stop().await;
}

/// Starts the four mailings and kills one operator node after another (and restarts it)
/// until they have all ended, at least [`KILLS`] times; returns how many kills.
async fn mail_while_killing(cluster: &mut Cluster, lanes: &[Lane]) -> usize {
    let mut mailings: Vec<_> = lanes.iter().map(|lane| lane.spawn(cluster)).collect();
    let operator = seed::OPERATORS[0].key;
    let mut kills = 0;
    loop {
        let mut running = 0;
        for mailing in &mut mailings {
            if mailing.try_wait().unwrap().is_none() {
                running += 1;
            }
        }
        if running == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(700 + 97 * (kills as u64 % 5))).await;
        let node = cluster
            .node_mut(&format!("{operator}-{}", 1 + kills % 2))
            .unwrap();
        node.kill().await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        node.restart().await.unwrap();
        kills += 1;
    }
    assert!(
        kills >= KILLS,
        "the mailings ended after {kills} kills; raise KUVERT_TEST_CLUSTER_LETTERS"
    );
    kills
}

/// One sender process's mailing: its manifest of letters to Tolvan.
struct Lane {
    sender: &'static str,
    manifest: PathBuf,
}

impl Lane {
    fn write(dir: &Path, run: &str, lane: usize, count: usize) -> Self {
        let sender = seed::SENDERS[lane % seed::SENDERS.len()].key;
        let manifest = dir.join(format!("lane-{lane}.csv"));
        let mut text = String::from("recipient,subject,body\n");
        for index in 0..count {
            text.push_str(&format!(
                "{},kluster {run} {lane}-{index},Brev {index} från {sender}.\n",
                seed::PERSONS[0].number
            ));
        }
        std::fs::write(&manifest, text).unwrap();
        Self { sender, manifest }
    }

    fn command(&self, cluster: &Cluster) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_kuvert"));
        command
            .arg("mailing")
            .arg("--demo")
            .arg(&cluster.manifest.data_dir)
            .args(["--as", self.sender])
            .arg(&self.manifest)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true);
        command
    }

    fn spawn(&self, cluster: &Cluster) -> tokio::process::Child {
        self.command(cluster).spawn().unwrap()
    }

    /// Runs the mailing again until it ends with every row delivered (a row whose retries
    /// all met a killed node failed in its run; the next run resends the same sealed bytes).
    async fn resume_until_done(&self, cluster: &Cluster) {
        for _ in 0..MAILING_RUNS_MAX {
            if self.receipts().len() == self.rows() {
                return;
            }
            let output = self.command(cluster).output().await.unwrap();
            if output.status.success() {
                return;
            }
        }
        panic!("{} did not deliver every row", self.manifest.display());
    }

    fn rows(&self) -> usize {
        std::fs::read_to_string(&self.manifest)
            .unwrap()
            .lines()
            .count()
            - 1
    }

    /// Each delivered row's receipt TransId from the journal, keyed by manifest and line.
    fn receipts(&self) -> Vec<(String, String)> {
        let journal = self.manifest.with_extension("csv.journal");
        let text = std::fs::read_to_string(journal).unwrap_or_default();
        let mut last = BTreeMap::new();
        for line in text.lines() {
            let Ok(event) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            if let Some(row) = event["line"].as_u64() {
                last.insert(row, event);
            }
        }
        last.into_iter()
            .filter(|(_, event)| event["event"] == "delivered")
            .map(|(row, event)| {
                let trans_id = event["trans_id"].as_str().unwrap().to_owned();
                (format!("{} {row}", self.manifest.display()), trans_id)
            })
            .collect()
    }
}

/// What the senders' evidence archives hold: per receipt's TransId, the [`signed_parts`] of
/// the sealed delivery exactly as it was sent.
fn archived_letters(cluster: &Cluster) -> BTreeMap<String, [Vec<u8>; 2]> {
    let config = demo_sender_config(&cluster.manifest.data_dir).unwrap();
    let mut letters = BTreeMap::new();
    for sender in std::fs::read_dir(&config.archive_dir).unwrap() {
        for file in std::fs::read_dir(sender.unwrap().path()).unwrap() {
            let path = file.unwrap().path();
            let name = path.to_string_lossy().into_owned();
            let Some(stem) = name.strip_suffix(".receipt.json") else {
                continue;
            };
            let receipt: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            let sealed = signed_parts(&std::fs::read(format!("{stem}.sealed.xml")).unwrap());
            let trans_id = receipt["trans_id"].as_str().unwrap().to_owned();
            assert!(
                letters.insert(trans_id, sealed).is_none(),
                "one TransId in two receipts: {name}"
            );
        }
    }
    letters
}

/// The parts of a sealed delivery that must reach the reader byte for byte: the sender's
/// whole `SignedDelivery` element and the seal's `SignatureValue`. (The `deliverSecure`
/// request declares the Message namespace again on `Seal`, whose parent is in the Service
/// namespace there; canonical XML, which the seal signs, removes it again.)
fn signed_parts(sealed: &[u8]) -> [Vec<u8>; 2] {
    let between = |open: &[u8], close: &[u8], last: bool| {
        let find = |needle: &[u8]| {
            let mut at = sealed.windows(needle.len()).enumerate();
            let found = if last {
                at.rev().find(|(_, window)| *window == needle)
            } else {
                at.find(|(_, window)| *window == needle)
            };
            found.unwrap().0
        };
        sealed[find(open)..find(close) + close.len()].to_vec()
    };
    [
        between(b"<SignedDelivery", b"</SignedDelivery>", false),
        between(b"<SignatureValue>", b"</SignatureValue>", true),
    ]
}

/// `haystack` holds `needle` somewhere.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// Tolvan (logged in through the balancer) downloads her export from each operator node
/// directly: the node reads every letter from the shared database and bucket, checks its
/// digest and both signatures, and writes the sealed delivery as stored. Every receipted
/// letter of `archived` must be in each export byte for byte as its sender sealed it; one
/// in [`READ_EVERY`] is also opened as a page on each node. Returns the letters compared per
/// node.
async fn read_through_each_node(
    cluster: &Cluster,
    archived: &BTreeMap<String, [Vec<u8>; 2]>,
    ids: &[(String, String)],
) -> usize {
    let ca = std::fs::read_to_string(&cluster.manifest.organisation_ca).unwrap();
    let browser = Browser::new(&ca);
    let inbox = Url::parse(&cluster.manifest.operators[0].inbox_url).unwrap();
    log_in_at(&browser, &inbox.join("logga-in").unwrap(), 0).await;
    let operator = seed::OPERATORS[0].key;
    let mut compared = 0;
    for node in 1..=2 {
        let spec = cluster
            .nodes()
            .find(|candidate| candidate.spec().name == format!("{operator}-{node}"))
            .unwrap()
            .spec();
        let mut direct = inbox.clone();
        direct.set_port(Some(spec.addresses[1].port())).unwrap();
        let started = Instant::now();
        let (_name, zip) = crate::verify::download_export(&browser, direct.as_str()).await;
        compared = same_as_archived(&zip, archived, node);
        eprintln!(
            "cluster: node {node} exported {compared} letters identical to the archives in \
             {:.1} s",
            started.elapsed().as_secs_f64()
        );
        for (id, subject) in ids.iter().step_by(READ_EVERY) {
            open_letter_page(&browser, &direct, node, id, subject).await;
        }
    }
    compared
}

/// Checks that every letter of `archived` is in the export `zip` with its sealed delivery
/// byte-identical; answers how many were compared. The operator keeps the `deliverSecure`
/// request as it came, so the parts `archived` holds must stand in it byte for byte.
fn same_as_archived(zip: &[u8], archived: &BTreeMap<String, [Vec<u8>; 2]>, node: usize) -> usize {
    use kuvert_wire::export::{MANIFEST_FILE, Manifest, SEALED_DELIVERY_FILE};
    use std::io::Read as _;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut manifest = Vec::new();
    zip.by_name(MANIFEST_FILE)
        .unwrap()
        .read_to_end(&mut manifest)
        .unwrap();
    let manifest = Manifest::from_json(&manifest).unwrap();
    let mut compared = 0;
    for letter in &manifest.letters {
        let Some(sealed) = archived.get(&letter.trans_id) else {
            continue;
        };
        let folder = letter.folder().unwrap();
        let mut stored = Vec::new();
        zip.by_name(&format!("{folder}/{SEALED_DELIVERY_FILE}"))
            .unwrap()
            .read_to_end(&mut stored)
            .unwrap();
        assert!(
            sealed.iter().all(|part| contains(&stored, part)),
            "letter {} through node {node} differs from what its sender sealed",
            letter.trans_id
        );
        compared += 1;
    }
    assert_eq!(
        compared,
        archived.len(),
        "every receipted letter is in node {node}'s export"
    );
    compared
}

/// Opens letter `id` as a page on `node` (at `direct`) and finds its subject there.
async fn open_letter_page(browser: &Browser, direct: &Url, node: usize, id: &str, subject: &str) {
    let page = browser
        .get(direct.join(&format!("brev/{id}")).unwrap().as_str())
        .await;
    assert_eq!(
        page.status(),
        reqwest::StatusCode::OK,
        "letter {id} on node {node}"
    );
    let node_name = page.headers().get("x-kuvert-node").cloned();
    let text = page.text().await.unwrap();
    assert!(text.contains(subject), "letter {id} on node {node}");
    if let Some(name) = node_name {
        assert!(name.to_str().unwrap().ends_with(&format!("-{node}")));
    }
}

/// Opened as a page through each node: one letter in this many.
const READ_EVERY: usize = 100;

/// A cluster on a free block of ports, its databases named after `run`, its letters in
/// `blob_s3` when given.
pub(crate) async fn start(
    postgres: &str,
    haproxy: &str,
    data_dir: PathBuf,
    run: &str,
    blob_s3: Option<S3BlobConfig>,
) -> Cluster {
    // A free block of ports below Linux's ephemeral range (32768 and up), where the other
    // tests' connections take their local ports: the cluster checks them all and says which
    // is taken; a node that lost its port to someone else between the check and its start
    // fails to start, and the next block is tried too.
    let mut last_error = None;
    for attempt in 0..5_u16 {
        let first_port =
            10_000 + (u16::from_str_radix(&run[..4], 16).unwrap() % 220) * 100 + attempt * 50;
        let options = ClusterOptions {
            data_dir: data_dir.clone(),
            first_port,
            postgres_url: postgres.to_owned(),
            database_prefix: format!("kuvert_c{run}"),
            nodes: 2,
            kuvert: PathBuf::from(env!("CARGO_BIN_EXE_kuvert")),
            haproxy: PathBuf::from(haproxy),
            blob_s3: blob_s3.clone(),
        };
        match Cluster::start(options).await {
            Ok(cluster) => return cluster,
            Err(error)
                if ["is taken", "did not start"]
                    .iter()
                    .any(|cause| format!("{error:#}").contains(cause)) =>
            {
                last_error = Some(error);
            }
            Err(error) => panic!("the cluster did not start: {error:#}"),
        }
    }
    let error = last_error.unwrap();
    // The failing node's log, whose folder goes with the test's temporary directory.
    let logs: Vec<String> = std::fs::read_dir(data_dir.join("logs"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| std::fs::read_to_string(entry.path()).ok())
        .filter(|log| log.contains("rror"))
        .map(|log| log.lines().rev().take(5).collect::<Vec<_>>().join(" | "))
        .collect();
    panic!("no cluster after 5 blocks of ports: {error:#}; logs: {logs:?}");
}

/// Which nodes answered six requests to the first operator's inbox through the balancer.
async fn web_nodes(cluster: &Cluster) -> BTreeSet<String> {
    let inbox = &cluster.manifest.operators[0].inbox_url;
    let client = kuvert_web::http_client(&kuvert_web::ClientConfig {
        ca_pem: std::fs::read_to_string(&cluster.manifest.organisation_ca).unwrap(),
        identity: None,
        connect_timeout: Duration::from_secs(5),
        request_timeout: Duration::from_secs(30),
    })
    .unwrap();
    let mut nodes = BTreeSet::new();
    for _ in 0..6 {
        let response = client.get(inbox).send().await.unwrap();
        assert!(response.status().is_success(), "{}", response.status());
        let node = response.headers().get("x-kuvert-node").unwrap();
        nodes.insert(node.to_str().unwrap().to_owned());
    }
    nodes
}

/// Tolvan logs in through the balancer; the inbox is then answered by both nodes, and still
/// after each node in turn is SIGKILLed (and restarted).
async fn sessions_survive_either_node(cluster: &mut Cluster) {
    let ca = std::fs::read_to_string(&cluster.manifest.organisation_ca).unwrap();
    let browser = Browser::new(&ca);
    let inbox = Url::parse(&cluster.manifest.operators[0].inbox_url).unwrap();
    log_in_at(&browser, &inbox.join("logga-in").unwrap(), 0).await;
    let mailbox = inbox.join("brevlada").unwrap();
    let served = logged_in_pages(&browser, &mailbox).await;
    assert_eq!(
        served.len(),
        2,
        "the logged-in inbox from both nodes: {served:?}"
    );
    let operator = seed::OPERATORS[0].key;
    for node in 1..=2 {
        let node = cluster.node_mut(&format!("{operator}-{node}")).unwrap();
        node.kill().await.unwrap();
        let served = logged_in_pages(&browser, &mailbox).await;
        assert_eq!(served.len(), 1, "only the living node answers: {served:?}");
        node.restart().await.unwrap();
    }
}

/// Six requests for the mailbox: each must be the logged-in page; answers which nodes served.
async fn logged_in_pages(browser: &Browser, mailbox: &Url) -> BTreeSet<String> {
    let mut nodes = BTreeSet::new();
    for _ in 0..6 {
        let response = browser.get(mailbox.as_str()).await;
        assert_eq!(
            response.status(),
            reqwest::StatusCode::OK,
            "still logged in"
        );
        let node = response.headers().get("x-kuvert-node").unwrap();
        nodes.insert(node.to_str().unwrap().to_owned());
    }
    nodes
}

/// Every letter of this run in Tolvan's mailbox, read from the operator's database.
async fn stored_trans_ids(cluster: &Cluster, run: &str) -> BTreeSet<String> {
    let (store, _unused) = operator_rows(cluster).await;
    let search = Some(SearchText::parse(run).unwrap());
    crate::crash::mailbox_trans_ids(store.as_ref(), &seed::PERSONS[0], search).await
}

/// Every letter of this run in Tolvan's mailbox: its id and subject, from the database.
async fn stored_letters(cluster: &Cluster, run: &str) -> Vec<(String, String)> {
    let (store, _unused) = operator_rows(cluster).await;
    let mut letters = Vec::new();
    for page in 0.. {
        let query = kuvert_store::operator::MailboxQuery {
            recipient: kuvert_core::id::RecipientId::Person(
                seed::PERSONS[0].personal_identity_number(),
            ),
            folder: kuvert_store::operator::Folder::Inbox,
            sender: None,
            search: Some(SearchText::parse(run).unwrap()),
            page,
            page_size: kuvert_core::limits::LETTERS_PER_PAGE_MAX,
        };
        let found = store.letters(&query).await.unwrap();
        letters.extend(
            found
                .letters
                .iter()
                .map(|letter| (letter.id.to_string(), letter.subject.as_str().to_owned())),
        );
        if !found.has_more {
            return letters;
        }
    }
    letters
}

/// The first operator's store, for its rows only (the letters themselves are read through
/// the nodes): its database from its configuration, with an empty folder as blob store, which
/// the caller keeps while it reads.
async fn operator_rows(
    cluster: &Cluster,
) -> (
    Arc<dyn kuvert_store::operator::OperatorStore>,
    tempfile::TempDir,
) {
    let operator = &cluster.manifest.operators[0];
    let config = std::fs::read_to_string(&operator.config).unwrap();
    let config: toml::Value = toml::from_str(&config).unwrap();
    let url = config["database_url"].as_str().unwrap();
    let unused = tempfile::tempdir().unwrap();
    let blobs = kuvert_store::blob::LocalBlobStore::open(unused.path()).unwrap();
    let store = kuvert_store::Database::connect(url)
        .await
        .unwrap()
        .operator(Arc::new(blobs));
    (store, unused)
}
