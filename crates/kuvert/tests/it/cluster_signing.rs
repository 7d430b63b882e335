//! Issue 16: the e-ID signing round trip through `kuvert cluster`'s load balancer. Tolvan,
//! logged in through HAProxy, changes her reception rules; the change is started on one inbox
//! node (it keeps what is signed in her session, in the database) and the signing service's
//! post back lands on the other node, which finishes the change at the registry. Which node
//! served each request is read from the `X-Kuvert-Node` header HAProxy adds. A second change
//! is finished after the node that started it was SIGKILLed.

use std::time::Duration;

use kuvert::seed;
use kuvert::send_command::demo_sender_config;
use kuvert::testkit::browser::log_in_at;
use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_sender::{PaperReason, Reachability, Toolkit};
use kuvert_testenv::browser::{Browser, location};
use reqwest::StatusCode;
use url::Url;

use crate::account::{csrf, sign_at_test_eid};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signing_started_on_one_node_is_finished_on_the_other_through_the_balancer() {
    let Some(postgres) = kuvert_testenv::external("PG_URL", "the cluster on PostgreSQL") else {
        return;
    };
    let Some(haproxy) = kuvert_testenv::external("HAPROXY", "the cluster behind HAProxy") else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let run = uuid::Uuid::new_v4().simple().to_string()[..10].to_owned();
    let data_dir = data.path().to_path_buf();
    let mut cluster = crate::cluster::start(&postgres, &haproxy, data_dir, &run, None).await;
    let ca = std::fs::read_to_string(&cluster.manifest.organisation_ca).unwrap();
    let browser = Browser::new(&ca);
    let inbox = Url::parse(&cluster.manifest.operators[0].inbox_url).unwrap();
    let tolvan = &seed::PERSONS[0];
    log_in_at(&browser, &inbox.join("logga-in").unwrap(), 0).await;
    let config = demo_sender_config(&cluster.manifest.data_dir).unwrap();
    let toolkit = Toolkit::build(&config).unwrap();
    assert!(
        is_reachable(&toolkit, 1, tolvan).await,
        "both senders at first"
    );

    // Only the first sender: started on one node, the post back steered to the other.
    let only_first = vec![("avsandare".to_owned(), sender(0).as_str().to_owned())];
    let signing = start_signing(&browser, &inbox, only_first).await;
    steer_away_from(&browser, &inbox, &signing.started_on).await;
    let answer = browser.post_form(&signing.post_back, &signing.signed).await;
    let finished_on = node(&answer);
    assert_ne!(
        finished_on, signing.started_on,
        "the post back went to the other node"
    );
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&answer), "/installningar/avsandare?sparat=1");
    assert!(
        !is_reachable(&toolkit, 1, tolvan).await,
        "deselected at the registry"
    );
    assert!(is_reachable(&toolkit, 0, tolvan).await);
    let saved = inbox.join("installningar/avsandare?sparat=1").unwrap();
    let page = browser.get(saved.as_str()).await.text().await.unwrap();
    assert!(page.contains("Sparat."), "{page}");

    // Both senders again; the node that started it is killed before the post back.
    let both = (0..2)
        .map(|index| ("avsandare".to_owned(), sender(index).as_str().to_owned()))
        .collect();
    let signing = start_signing(&browser, &inbox, both).await;
    let started = cluster.node_mut(&signing.started_on).unwrap();
    started.kill().await.unwrap();
    let answer = browser.post_form(&signing.post_back, &signing.signed).await;
    assert_ne!(
        node(&answer),
        signing.started_on,
        "only the other node is left"
    );
    assert_eq!(location(&answer), "/installningar/avsandare?sparat=1");
    assert!(is_reachable(&toolkit, 1, tolvan).await, "selected again");
    cluster.stop().await;
}

/// A signing started at the inbox and signed at the test e-ID, not yet posted back.
struct Signing {
    /// The inbox node that started it (`X-Kuvert-Node`).
    started_on: String,
    /// Where the signing service's page posts the signature: the inbox's public address.
    post_back: String,
    /// The fields it posts.
    signed: Vec<(String, String)>,
}

/// Posts the reception rules `fields` through the balancer and signs them as Tolvan at the
/// test e-ID.
async fn start_signing(
    browser: &Browser,
    inbox: &Url,
    mut fields: Vec<(String, String)>,
) -> Signing {
    fields.push(("csrf_token".to_owned(), csrf(browser, inbox).await));
    let path = inbox.join("installningar/avsandare").unwrap();
    let started = browser.post_form(path.as_str(), &fields).await;
    assert_eq!(started.status(), StatusCode::SEE_OTHER, "the change starts");
    let started_on = node(&started);
    let sign_url = location(&started);
    let (post_back, signed) = sign_at_test_eid(browser, &sign_url, &seed::PERSONS[0]).await;
    assert!(
        post_back.starts_with(inbox.as_str()),
        "posted back to the balancer: {post_back}"
    );
    Signing {
        started_on,
        post_back,
        signed,
    }
}

/// HAProxy takes the inbox's nodes in turn: asks until `node` answers, so the next request
/// goes to the other one.
async fn steer_away_from(browser: &Browser, inbox: &Url, node_name: &str) {
    let mailbox = inbox.join("brevlada").unwrap();
    for _ in 0..4 {
        let response = browser.get(mailbox.as_str()).await;
        assert_eq!(response.status(), StatusCode::OK, "still logged in");
        if node(&response) == node_name {
            return;
        }
    }
    panic!("{node_name} never answered through the balancer");
}

/// The node that answered, as HAProxy names it.
fn node(response: &reqwest::Response) -> String {
    let header = response.headers().get("x-kuvert-node");
    header.unwrap().to_str().unwrap().to_owned()
}

fn sender(index: usize) -> OrganisationNumber {
    seed::SENDERS[index].organisation_number()
}

/// Whether sender `index` reaches `person` digitally, asked of the registry through the
/// balancer as the demo's intermediary.
async fn is_reachable(toolkit: &Toolkit, index: usize, person: &seed::SeedPerson) -> bool {
    let recipients = [RecipientId::Person(person.personal_identity_number())];
    let sender = sender(index);
    let answers = tokio::time::timeout(
        Duration::from_secs(60),
        toolkit.reachability(&sender, &recipients),
    );
    match answers.await.unwrap().unwrap().as_slice() {
        [Reachability::Reachable(_)] => true,
        [Reachability::Unreachable(PaperReason::SenderDeselected)] => false,
        other => panic!("unexpected reachability {other:?}"),
    }
}
