//! The public portal in the federation (issue 5 §1, §2, §4): its senders list from the real
//! registry over mutual TLS with the portal's own organisation certificate, a deep link
//! through the chooser into an operator's sign-up carrying sender and campaign, and the
//! visits and choice counted without a cookie.

mod dashboard;
mod seeding;

use kuvert::seed;
use kuvert::testkit::{Federation, FederationOptions};
use kuvert_core::calendar::stockholm_day;
use std::time::Duration;

use reqwest::StatusCode;
use url::Url;

/// A browser-like client that keeps no cookies and follows no redirect (so each click is
/// seen); the portal and the inboxes are plain HTTP in the federation.
fn client(federation: &Federation) -> reqwest::Client {
    let config = kuvert_web::ClientConfig {
        ca_pem: federation.demo().pki.organisation_ca_pem().to_owned(),
        identity: None,
        connect_timeout: Duration::from_secs(5),
        request_timeout: Duration::from_secs(30),
    };
    kuvert_web::http_client(&config).unwrap()
}

fn portal_url(federation: &Federation) -> Url {
    Url::parse(&federation.manifest().portal_url).unwrap()
}

#[tokio::test]
async fn portal_lists_the_registrys_senders_asked_with_its_own_certificate() {
    let federation = Federation::start(FederationOptions::default()).await;
    // The registry answers its directory only to organisations it knows in some role, and
    // has no portal role yet: a stranger is refused (what the portal then shows is tested
    // in the portal's own suite). Known as an intermediary for no sender, the portal's own
    // certificate is enough.
    let refused = federation.demo().portal.registry().senders().await;
    assert!(refused.is_err(), "{refused:?}");
    kuvert_registry::admin::add_intermediary(
        federation.demo().registry.registry(),
        seed::PORTAL.organisation_number(),
        seed::PORTAL.name,
        std::collections::BTreeSet::new(),
    )
    .await
    .unwrap();
    let senders = federation.demo().portal.registry().senders().await.unwrap();
    let names: Vec<&str> = senders.iter().map(|sender| sender.name.as_str()).collect();
    assert_eq!(names, ["Exempelkommun", "Exempelmyndigheten"]);
    let page = client(&federation)
        .get(portal_url(&federation).join("avsandare").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers().get("set-cookie").is_none());
    let html = page.text().await.unwrap();
    for sender in seed::SENDERS {
        assert!(
            html.contains(&format!("<li>{}</li>", sender.name)),
            "{html}"
        );
        let paper_letter = format!("/avsandare/{}/pappersbrev", sender.number);
        assert!(html.contains(&paper_letter), "{html}");
    }
    // With the list at hand, the chooser names the deep link's sender.
    let sender = seed::SENDERS[0];
    let deep_link = format!("skaffa?avsandare={}", sender.number);
    let chooser = client(&federation)
        .get(portal_url(&federation).join(&deep_link).unwrap())
        .send()
        .await
        .unwrap();
    let html = chooser.text().await.unwrap();
    let lead = format!("{} skickar sin post digitalt.", sender.name);
    assert!(html.contains(&lead), "{html}");
}

#[tokio::test]
async fn deep_link_reaches_the_operator_signup_in_two_clicks_with_its_source_counted() {
    let federation = Federation::start(FederationOptions::default()).await;
    let portal = portal_url(&federation);
    let sender = seed::SENDERS[0].number;
    let http = client(&federation);
    // Click 1: the deep link from the sender's letter.
    let deep_link = portal
        .join(&format!("skaffa?avsandare={sender}&kampanj=jul-2026"))
        .unwrap();
    let chooser = http.get(deep_link).send().await.unwrap();
    assert_eq!(chooser.status(), StatusCode::OK);
    assert!(chooser.headers().get("set-cookie").is_none());
    let html = chooser.text().await.unwrap();
    let operator = seed::OPERATORS[1];
    let choice = format!(
        "/skaffa/{}?avsandare={sender}&#38;kampanj=JUL-2026",
        operator.key
    );
    assert!(html.contains(&choice), "{html}");
    // Click 2: the operator, answered with its sign-up and the same source.
    let choice = portal
        .join(&format!(
            "skaffa/{}?avsandare={sender}&kampanj=JUL-2026",
            operator.key
        ))
        .unwrap();
    let redirect = http.get(choice).send().await.unwrap();
    assert_eq!(redirect.status(), StatusCode::SEE_OTHER);
    let signup = Url::parse(redirect.headers()["location"].to_str().unwrap()).unwrap();
    let inbox = federation
        .manifest()
        .operators
        .iter()
        .find(|manifest| manifest.organisation.key == operator.key)
        .map(|manifest| Url::parse(&manifest.inbox_url).unwrap())
        .unwrap();
    assert_eq!(signup.origin(), inbox.origin());
    assert_eq!(signup.path(), "/skaffa");
    assert_eq!(
        signup.query(),
        Some(format!("avsandare={sender}&kampanj=JUL-2026").as_str())
    );
    // The operator's sign-up takes the source in (it may first send the person to log in).
    let operator_page = http.get(signup).send().await.unwrap();
    let status = operator_page.status();
    assert!(
        status.is_success() || status.is_redirection(),
        "the operator's /skaffa: {status}"
    );
    let store = federation.demo().portal.store();
    let today = stockholm_day(time::OffsetDateTime::now_utc());
    let visits = store.visit_counts(today, today).await.unwrap();
    assert_eq!(visits.len(), 1, "{visits:?}");
    assert_eq!((visits[0].page.as_str(), visits[0].visits), ("/skaffa", 1));
    assert!(!visits[0].campaign_known);
    let choices = store.operator_choice_counts(today, today).await.unwrap();
    assert_eq!(choices.len(), 1, "{choices:?}");
    assert_eq!(choices[0].operator_slug, operator.key);
    assert_eq!(choices[0].campaign.as_ref().unwrap().as_str(), "JUL-2026");
}

#[test]
fn portal_serve_names_a_missing_key_and_a_bad_operator_slug() {
    let dir = tempfile::tempdir().unwrap();
    let serve = |slug: &str, env: &[(&str, &str)]| {
        let config = dir.path().join("portal.toml");
        let toml = format!(
            "registry_url = \"https://far.example\"\n[[operators]]\nslug = \"{slug}\"\n\
             name = \"Demobrevlådan\"\ndescription_sv = \"x\"\ndescription_en = \"x\"\n\
             signup_url = \"https://demobrevladan.example/skaffa\"\n"
        );
        std::fs::write(&config, toml).unwrap();
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_kuvert"))
            .args(["portal", "serve", "--listen", "127.0.0.1:0", "--config"])
            .arg(&config)
            .envs(env.iter().copied())
            .output()
            .unwrap();
        assert!(!output.status.success());
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let error = serve("demobrevladan", &[]);
    assert!(error.contains("public_url"), "{error}");
    let public_url = [("KUVERT_PORTAL__PUBLIC_URL", "https://brevlada.example/")];
    let error = serve("Demo Brevlådan", &public_url);
    assert!(error.contains("operator slug must be"), "{error}");
}
