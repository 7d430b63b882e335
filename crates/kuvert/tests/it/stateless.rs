//! Issue 16, "run it for real": two nodes of one operator on one database (PostgreSQL when
//! `KUVERT_TEST_PG_URL` is set, else the SQLite file) and one blob folder, with the same
//! cookie and CSRF key files, behind an imagined load balancer that sends each request to
//! either. A person logs in on node A and reads the inbox on node B; node A is killed
//! (its task dropped without a graceful shutdown) and started again, and the person is still
//! logged in; a signing started on A is finished by the signing service's post back to B.

use std::path::Path;

use kuvert::seed;
use kuvert::testkit::{Browser, Federation, FederationOptions};
use kuvert_testenv::html_form::hidden_fields;
use kuvert_web::{Listener, ListenerTls, Shutdown};
use reqwest::StatusCode;
use url::Url;

use crate::account::{browser, log_in, sign_at_test_eid};

/// One running node: its web inbox's URL and the task serving it.
struct Node {
    base: Url,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Starts a node of the operator from its configuration file, with the shared key files.
async fn start_node(config_path: &Path, keys: &Path) -> Node {
    let mut table: toml::Table = toml::from_str(&std::fs::read_to_string(config_path).unwrap())
        .expect("the demo's operator configuration is TOML");
    let web = table.get_mut("web").unwrap().as_table_mut().unwrap();
    for (name, file) in [
        ("cookie_key_file", "cookie.key"),
        ("csrf_key_file", "csrf.key"),
    ] {
        let path = keys.join(file).display().to_string();
        web.insert(name.to_owned(), toml::Value::String(path));
    }
    let config: kuvert_operator::Config = table.try_into().unwrap();
    let service = kuvert_operator::build(config).await.unwrap();
    let any_port = "127.0.0.1:0".parse().unwrap();
    let listeners = kuvert_operator::Listeners {
        service: Listener::bind(any_port, service.service_listener_tls())
            .await
            .unwrap(),
        web: Listener::bind(any_port, ListenerTls::Plain).await.unwrap(),
        admin: Listener::bind(any_port, ListenerTls::Plain).await.unwrap(),
    };
    let base = format!("http://{}/", listeners.web.local_addr().unwrap());
    let task = tokio::spawn(service.serve(listeners, Shutdown::new()));
    Node {
        base: Url::parse(&base).unwrap(),
        task,
    }
}

/// `url` (the operator's public URL, where the e-ID sends the browser back) as the load
/// balancer would route it: to `node`.
fn routed_to(url: &str, node: &Node) -> String {
    let mut url = Url::parse(url).unwrap();
    url.set_port(node.base.port()).unwrap();
    url.to_string()
}

async fn page(browser: &Browser, url: &str) -> (StatusCode, String) {
    let response = browser.get(url).await;
    (response.status(), response.text().await.unwrap())
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// Writes 32 random bytes as hex to each key file, as `openssl rand -hex 32` would.
fn write_keys(dir: &Path) {
    for file in ["cookie.key", "csrf.key"] {
        let mut key = [0_u8; 32];
        aws_lc_rs::rand::fill(&mut key).unwrap();
        let hex: String = key.iter().map(|byte| format!("{byte:02x}")).collect();
        std::fs::write(dir.join(file), format!("{hex}\n")).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_share_sessions_survive_a_killed_node_and_finish_a_signing_on_the_other() {
    let federation = Federation::start(FederationOptions::default()).await;
    let tolvan = seed::person("tolvan").unwrap();
    let operator = &federation.manifest().operators[0];
    assert_eq!(operator.organisation.key, "demobrevladan");
    let keys = tempfile::tempdir().unwrap();
    write_keys(keys.path());
    let node_a = start_node(&operator.config, keys.path()).await;
    let node_b = start_node(&operator.config, keys.path()).await;

    // The login starts on A (its sealed cookie) and the e-ID's redirect lands on A.
    let browser = browser(&federation);
    let next = log_in_via(&browser, &node_a, &node_a, tolvan).await;
    assert_eq!(next, "/brevlada");
    let (status, html) = page(&browser, node_b.base.join("brevlada").unwrap().as_str()).await;
    assert_eq!(status, StatusCode::OK, "node B serves A's session: {html}");
    assert!(html.contains("Tolvan"), "{html}");

    // Node A dies without a graceful shutdown; its session lives on in the database.
    node_a.task.abort();
    assert!(node_a.task.await.unwrap_err().is_cancelled());
    let node_a = start_node(&operator.config, keys.path()).await;
    let (status, _) = page(&browser, node_a.base.join("brevlada").unwrap().as_str()).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "still logged in after node A was killed"
    );

    // A signing (reception rules) started on A, its post back routed to B.
    let (_, html) = page(&browser, node_a.base.join("brevlada").unwrap().as_str()).await;
    let csrf = hidden_fields(&html)
        .into_iter()
        .find(|(name, _)| name == "csrf_token");
    let sender = seed::SENDERS[0].organisation_number().as_str().to_owned();
    let fields = vec![("avsandare".to_owned(), sender), csrf.unwrap()];
    let answer = sign_via(
        &browser,
        (&node_a, &node_b),
        "installningar/avsandare",
        fields,
    )
    .await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&answer), "/installningar/avsandare?sparat=1");
    let saved = node_b
        .base
        .join("installningar/avsandare?sparat=1")
        .unwrap();
    let (_, html) = page(&browser, saved.as_str()).await;
    assert_eq!(html.matches(" checked").count(), 1, "{html}");

    // A login started on B (sealed under the shared cookie key) finishes on A.
    let other = Browser::new(federation.demo().pki.organisation_ca_pem());
    assert_eq!(
        log_in_via(&other, &node_b, &node_a, tolvan).await,
        "/brevlada"
    );
    // The federation's own Demobrevlådan node (keys of its own) still logs people in alone.
    let own = Url::parse(&operator.inbox_url).unwrap();
    let third = crate::account::browser(&federation);
    assert_eq!(log_in(&third, &own, tolvan).await, "/brevlada");
    node_a.task.abort();
    node_b.task.abort();
}

/// Logs `person` in: the login starts at `start`, the e-ID's redirect back goes to `finish`.
async fn log_in_via(
    browser: &Browser,
    start: &Node,
    finish: &Node,
    person: &seed::SeedPerson,
) -> String {
    let login = browser
        .get(start.base.join("logga-in").unwrap().as_str())
        .await;
    let authorize = location(&login);
    let index = seed::PERSONS
        .iter()
        .position(|p| p.key == person.key)
        .unwrap();
    let callback = browser.pick_at_test_eid(&authorize, index, "login").await;
    let finished = browser.get(&routed_to(&callback, finish)).await;
    assert_eq!(finished.status(), StatusCode::SEE_OTHER, "login accepted");
    location(&finished)
}

/// Posts `fields` to `path` on the first node, signs as Tolvan at the test e-ID's signing
/// service, and posts the signature back to the second node.
async fn sign_via(
    browser: &Browser,
    (start, finish): (&Node, &Node),
    path: &str,
    fields: Vec<(String, String)>,
) -> reqwest::Response {
    let started = browser
        .post_form(start.base.join(path).unwrap().as_str(), &fields)
        .await;
    assert_eq!(
        started.status(),
        StatusCode::SEE_OTHER,
        "{path} starts signing"
    );
    let tolvan = seed::person("tolvan").unwrap();
    let (post_back, signed) = sign_at_test_eid(browser, &location(&started), tolvan).await;
    browser
        .post_form(&routed_to(&post_back, finish), &signed)
        .await
}
