//! The public portal in the federation (issue 5 §1, §2, §4): its senders list from the real
//! registry over mutual TLS with the portal's own organisation certificate, a deep link
//! through the chooser into an operator's sign-up carrying sender and campaign, and the
//! visits and choice counted without a cookie. Submodules: the public dashboard
//! ([`dashboard`]) and the communicators' pages ([`communicators`]) checked against data
//! seeded through the real parts ([`seeding`]).

mod communicators;
mod dashboard;
mod editorial;
mod network;
mod plans;
mod seeding;
mod surveys;

use kuvert::seed;
use kuvert::testkit::{Federation, FederationOptions};
use reqwest::StatusCode;

use crate::account::{at, browser};
use seeding::{CHOSEN, today};

#[tokio::test]
async fn portal_lists_the_registrys_senders_asked_with_its_own_certificate() {
    let federation = Federation::start(FederationOptions::default()).await;
    // The registry answers its directory to any organisation with a verified certificate:
    // the portal's own is enough.
    let senders = federation.demo().portal.registry().senders().await.unwrap();
    let names: Vec<&str> = senders.iter().map(|sender| sender.name.as_str()).collect();
    assert_eq!(names, ["Exempelkommun", "Exempelmyndigheten"]);
    let visitor = browser(&federation);
    let page = visitor
        .get(&at(&federation.portal_url(), "avsandare"))
        .await;
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
    let chooser = visitor.get(&at(&federation.portal_url(), &deep_link)).await;
    let html = chooser.text().await.unwrap();
    let lead = format!("{} skickar sin post digitalt.", sender.name);
    assert!(html.contains(&lead), "{html}");
}

#[tokio::test]
async fn deep_link_reaches_the_operator_signup_in_two_clicks_with_its_source_counted() {
    let federation = Federation::start(FederationOptions::default()).await;
    let sender = seed::SENDERS[0].number;
    // Click 1, the deep link from the sender's letter; click 2, the operator on the chooser.
    let signup = seeding::follow_deep_link(&federation, "jul-2026").await;
    let inbox = crate::account::inbox(&federation, CHOSEN.key);
    assert_eq!(signup.origin(), inbox.origin());
    assert_eq!(signup.path(), "/skaffa");
    assert_eq!(
        signup.query(),
        Some(format!("avsandare={sender}&kampanj=JUL-2026").as_str())
    );
    // The operator's sign-up takes the source in (it first sends the person to log in).
    let operator_page = browser(&federation).get(signup.as_str()).await;
    assert_eq!(operator_page.status(), StatusCode::SEE_OTHER);
    let store = federation.demo().portal.store();
    let visits = store.visit_counts(today(), today()).await.unwrap();
    assert_eq!(visits.len(), 1, "{visits:?}");
    assert_eq!((visits[0].page.as_str(), visits[0].visits), ("/skaffa", 1));
    assert!(!visits[0].campaign_known, "nobody created JUL-2026");
    let choices = store
        .operator_choice_counts(today(), today())
        .await
        .unwrap();
    assert_eq!(choices.len(), 1, "{choices:?}");
    assert_eq!(choices[0].operator_slug.as_str(), CHOSEN.key);
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
