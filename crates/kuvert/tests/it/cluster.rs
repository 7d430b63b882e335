//! `kuvert cluster` for real: the registry and each operator on two processes behind
//! HAProxy, on PostgreSQL. Four senders deliver to one operator through the balancer while
//! its nodes are SIGKILLed and restarted in turn; every letter must be receipted once and
//! stored once. A person logged in through the balancer is served by both inbox nodes and
//! stays logged in when either is killed: sessions and keys are shared, not per process.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use kuvert::cluster::{Cluster, ClusterOptions};
use kuvert::seed;
use kuvert::send_command::demo_sender_config;
use kuvert::testkit::browser::log_in_at;
use kuvert_sender::{Outcome, Toolkit};
use kuvert_store::operator::SearchText;
use kuvert_testenv::browser::Browser;
use url::Url;

/// Letters per run (`KUVERT_TEST_CLUSTER_LETTERS`, default 400), from four senders at once.
const LETTERS_DEFAULT: usize = 400;

/// Times a node of the operator is killed during the run.
const KILLS: usize = 10;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deliveries_survive_killed_nodes_behind_the_balancer() {
    let Some(postgres) = kuvert_testenv::external("PG_URL", "the cluster on PostgreSQL") else {
        return;
    };
    let Some(haproxy) = kuvert_testenv::external("HAPROXY", "the cluster behind HAProxy") else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let run = uuid::Uuid::new_v4().simple().to_string()[..10].to_owned();
    let mut cluster = start(&postgres, &haproxy, data.path().to_path_buf(), &run).await;
    let nodes = web_nodes(&cluster).await;
    assert_eq!(
        nodes.len(),
        2,
        "both inbox nodes answer through the balancer: {nodes:?}"
    );
    sessions_survive_either_node(&mut cluster).await;

    let letters = kuvert_testenv::size("CLUSTER_LETTERS", LETTERS_DEFAULT);
    let config = demo_sender_config(&cluster.manifest.data_dir).unwrap();
    let toolkit = Arc::new(Toolkit::build(&config).unwrap());
    let senders: Vec<_> = (0..4)
        .map(|lane| {
            let toolkit = Arc::clone(&toolkit);
            let run = run.clone();
            tokio::spawn(async move { send_lane(&toolkit, &run, lane, letters / 4).await })
        })
        .collect();
    let operator = seed::OPERATORS[0].key;
    for kill in 0..KILLS {
        tokio::time::sleep(Duration::from_millis(300 + 97 * (kill as u64 % 5))).await;
        let node = cluster
            .node_mut(&format!("{operator}-{}", 1 + kill % 2))
            .unwrap();
        node.kill().await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        node.restart().await.unwrap();
    }
    let mut trans_ids = BTreeSet::new();
    for lane in senders {
        for trans_id in lane.await.unwrap() {
            assert!(
                trans_ids.insert(trans_id),
                "one receipt given for two letters"
            );
        }
    }
    let total = letters / 4 * 4;
    assert_eq!(trans_ids.len(), total);
    let stored = stored_trans_ids(&cluster, &run).await;
    assert_eq!(
        stored, trans_ids,
        "stored once each, exactly the receipted letters"
    );
    cluster.stop().await;
}

/// A cluster on a free block of ports, its databases named after `run`.
pub(crate) async fn start(postgres: &str, haproxy: &str, data_dir: PathBuf, run: &str) -> Cluster {
    // A free block of ports: the cluster checks them all and says which is taken.
    let mut last_error = None;
    for attempt in 0..5_u16 {
        let first_port =
            20_000 + (u16::from_str_radix(&run[..4], 16).unwrap() % 400) * 100 + attempt * 50;
        let options = ClusterOptions {
            data_dir: data_dir.clone(),
            first_port,
            postgres_url: postgres.to_owned(),
            database_prefix: format!("kuvert_c{run}"),
            nodes: 2,
            kuvert: PathBuf::from(env!("CARGO_BIN_EXE_kuvert")),
            haproxy: PathBuf::from(haproxy),
        };
        match Cluster::start(options).await {
            Ok(cluster) => return cluster,
            Err(error) if format!("{error:#}").contains("is taken") => last_error = Some(error),
            Err(error) => panic!("the cluster did not start: {error:#}"),
        }
    }
    panic!("no free ports for the cluster: {:#}", last_error.unwrap());
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

/// Sends `count` letters one after another; a delivery cut by a killed node is retried by
/// the toolkit with the same sealed letter, so it must end in exactly one receipt.
async fn send_lane(toolkit: &Toolkit, run: &str, lane: usize, count: usize) -> Vec<String> {
    let tolvan = &seed::PERSONS[0];
    let sender = &seed::SENDERS[lane % seed::SENDERS.len()];
    let mut trans_ids = Vec::new();
    for index in 0..count {
        let subject = format!("kluster {run} {lane}-{index}");
        let letter = kuvert::testkit::letter(sender, tolvan, &subject, vec![]);
        match toolkit.send(&letter).await {
            Ok(Outcome::Delivered { receipt, .. }) => {
                trans_ids.push(receipt.trans_id.as_str().to_owned());
            }
            other => panic!("letter {lane}-{index}: {other:?}"),
        }
    }
    trans_ids
}

/// Every letter of this run in Tolvan's mailbox, read from the operator's database.
async fn stored_trans_ids(cluster: &Cluster, run: &str) -> BTreeSet<String> {
    let operator = &cluster.manifest.operators[0];
    let config = std::fs::read_to_string(&operator.config).unwrap();
    let config: toml::Value = toml::from_str(&config).unwrap();
    let url = config["database_url"].as_str().unwrap();
    let blobs = config["blob_dir"].as_str().unwrap();
    let blobs = kuvert_store::blob::LocalBlobStore::open(blobs).unwrap();
    let store = kuvert_store::Database::connect(url)
        .await
        .unwrap()
        .operator(Arc::new(blobs));
    let search = Some(SearchText::parse(run).unwrap());
    crate::crash::mailbox_trans_ids(store.as_ref(), &seed::PERSONS[0], search).await
}
