//! Communicators at the portal (issue 5 §3, §5) with the whole federation: e-ID login at the
//! test e-ID, the role from the portal's store, campaigns whose funnel is checked against
//! visits, a choice and a registration made through the real portal, operator and registry
//! ([`seeding::seed`]), CSRF and own senders on every form, and annual targets for admins
//! only, which the public dashboard then shows.

use kuvert::seed::{self, SeedPerson};
use kuvert::testkit::{Browser, Federation, FederationOptions};
use kuvert_testenv::browser::location;
use kuvert_testenv::html_form::hidden_fields;
use reqwest::StatusCode;

use super::seeding::{self, CAMPAIGN, today};
use crate::account::at;

/// The sender the communicators here work for, and one they do not.
const OWN_SENDER: seed::SeedOrganisation = seed::SENDERS[0];
const OTHER_SENDER: seed::SeedOrganisation = seed::SENDERS[1];

fn person(key: &str) -> &'static SeedPerson {
    seed::person(key).unwrap()
}

fn url(federation: &Federation, path: &str) -> String {
    at(&federation.portal_url(), path)
}

/// Gives `person` the role for `sender` and logs them in; returns the browser and the CSRF
/// token of their overview page.
async fn logged_in(
    federation: &Federation,
    person: &SeedPerson,
    sender: seed::SeedOrganisation,
    is_admin: bool,
) -> (Browser, String) {
    let senders = [sender.organisation_number()];
    federation
        .grant_communicator(&person.personal_identity_number(), &senders, is_admin)
        .await;
    let browser = federation.login_communicator(person).await;
    let overview = browser.get(&url(federation, "kommunikator")).await;
    assert_eq!(overview.status(), StatusCode::OK);
    let html = overview.text().await.unwrap();
    let own = format!("{} ({})", sender.name, sender.number);
    assert!(html.contains(&own), "{html}");
    (browser, csrf(&html))
}

fn csrf(html: &str) -> String {
    hidden_fields(html)
        .into_iter()
        .find(|(name, _)| name == "csrf_token")
        .unwrap()
        .1
}

fn campaign_form(csrf: &str, code: &str, sender: &str, goal: u32) -> Vec<(String, String)> {
    let today = today();
    [
        ("csrf_token", csrf.to_owned()),
        ("kod", code.to_owned()),
        ("namn", "Våren 2026".to_owned()),
        ("avsandare", sender.to_owned()),
        ("kanal", "Brev".to_owned()),
        ("start", format!("{}", today - time::Duration::days(1))),
        ("slut", format!("{}", today + time::Duration::days(30))),
        ("mal", goal.to_string()),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value))
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn campaign_funnel_counts_the_seeded_visit_choice_and_registration_against_its_goal() {
    let federation = Federation::start(FederationOptions::default()).await;
    let (browser, csrf) = logged_in(&federation, person("tolvan"), OWN_SENDER, false).await;
    // The sealed login cookie (set at the start, cleared at the callback) and the session
    // made at the callback are the portal's only cookies, kept to the communicators' pages.
    let cookies = browser.set_cookie_headers();
    assert!(!cookies.is_empty());
    let attributes = "; Path=/kommunikator; HttpOnly; SameSite=Lax";
    let is_communicators = |cookie: &String| {
        let is_ours = cookie.starts_with("kuvert_kommunikator=")
            || cookie.starts_with("kuvert_kommunikator_login=");
        is_ours && cookie.contains(attributes)
    };
    assert!(cookies.iter().all(is_communicators), "{cookies:?}");
    assert!(
        cookies.iter().any(
            |cookie| cookie.starts_with("kuvert_kommunikator=") && cookie.ends_with(attributes)
        ),
        "{cookies:?}"
    );
    let form = campaign_form(&csrf, &CAMPAIGN.to_lowercase(), OWN_SENDER.number, 4);
    let created = browser
        .post_form(&url(&federation, "kommunikator/kampanjer/ny"), &form)
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let page = format!("/kommunikator/kampanjer/{CAMPAIGN}");
    assert_eq!(location(&created), page);
    // One visit of the campaign's deep link, one choice of an operator and David's sign-up
    // there; Eva's sign-up without a deep link is no part of it.
    seeding::seed(&federation).await;
    let html = browser
        .get(&url(&federation, &page))
        .await
        .text()
        .await
        .unwrap();
    let result = "1 besök, 1 val av brevlådeoperatör och 1 registrering av målet 4 (25,0\u{a0}%).";
    assert!(html.contains(result), "{html}");
    assert!(html.contains("role=\"img\""), "the funnel has its chart");
    let funnel = browser
        .get(&url(&federation, &format!("{page}/tratt.csv")))
        .await;
    assert_eq!(funnel.headers()["content-type"], "text/csv; charset=utf-8");
    let expected = format!(
        "Dag,Besök,Valt brevlådeoperatör,Registreringar\r\n{},1,1,1\r\n",
        today()
    );
    assert_eq!(funnel.text().await.unwrap(), expected);
    let results = url(&federation, "kommunikator/resultat/kampanjer.csv");
    let results = browser.get(&results).await.text().await.unwrap();
    let row = format!("{CAMPAIGN},Våren 2026,1,1,1,4,25.0\r\n");
    assert!(results.ends_with(&row), "{results}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn campaign_forms_need_the_csrf_token_and_an_own_sender() {
    let federation = Federation::start(FederationOptions::default()).await;
    let (browser, csrf) = logged_in(&federation, person("tolvan"), OWN_SENDER, false).await;
    let new = url(&federation, "kommunikator/kampanjer/ny");
    let forged = campaign_form("00", "host-2026", OWN_SENDER.number, 100);
    assert_eq!(
        browser.post_form(&new, &forged).await.status(),
        StatusCode::FORBIDDEN
    );
    let theirs = campaign_form(&csrf, "host-2026", OTHER_SENDER.number, 100);
    let refused = browser.post_form(&new, &theirs).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(html.contains("Välj minst en avsändare som du är kommunikatör för."));
    let store = federation.demo().portal.store();
    assert!(
        store.campaigns().await.unwrap().is_empty(),
        "nothing created"
    );
    let twice = campaign_form(&csrf, "host-2026", OWN_SENDER.number, 100);
    assert_eq!(
        browser.post_form(&new, &twice).await.status(),
        StatusCode::SEE_OTHER
    );
    let taken = browser.post_form(&new, &twice).await;
    assert_eq!(taken.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = taken.text().await.unwrap();
    assert!(html.contains("Kampanjkoden används redan."), "{html}");
    assert_eq!(store.campaigns().await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn communicator_sees_only_the_own_senders_campaigns() {
    let federation = Federation::start(FederationOptions::default()).await;
    let (other, csrf) = logged_in(&federation, person("anna"), OTHER_SENDER, false).await;
    let form = campaign_form(&csrf, "andra", OTHER_SENDER.number, 10);
    let created = other
        .post_form(&url(&federation, "kommunikator/kampanjer/ny"), &form)
        .await;
    assert_eq!(location(&created), "/kommunikator/kampanjer/ANDRA");
    let (browser, _) = logged_in(&federation, person("tolvan"), OWN_SENDER, false).await;
    let overview = browser.get(&url(&federation, "kommunikator")).await;
    let overview = overview.text().await.unwrap();
    assert!(!overview.contains("ANDRA"), "{overview}");
    for path in [
        "kommunikator/kampanjer/ANDRA",
        "kommunikator/kampanjer/ANDRA/tratt.csv",
    ] {
        let answer = browser.get(&url(&federation, path)).await;
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_admins_enter_annual_targets_which_the_public_dashboard_shows() {
    let federation = Federation::start(FederationOptions::default()).await;
    let year = today().year().to_string();
    let targets = url(&federation, "kommunikator/mal");
    let target = |csrf: String| {
        vec![
            ("csrf_token".to_owned(), csrf),
            ("ar".to_owned(), year.clone()),
            ("mal".to_owned(), "42,5".to_owned()),
        ]
    };
    let (browser, csrf) = logged_in(&federation, person("tolvan"), OWN_SENDER, false).await;
    assert_eq!(browser.get(&targets).await.status(), StatusCode::FORBIDDEN);
    let refused = browser.post_form(&targets, &target(csrf)).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let store = federation.demo().portal.store();
    assert!(store.annual_targets().await.unwrap().is_empty());

    let (admin, csrf) = logged_in(&federation, person("anna"), OWN_SENDER, true).await;
    let saved = admin.post_form(&targets, &target(csrf)).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let page = admin.get(&targets).await.text().await.unwrap();
    let row = format!("<th scope=\"row\">{year}</th><td>42,5\u{a0}%</td>");
    assert!(page.contains(&row), "{page}");
    let public = crate::account::browser(&federation);
    let key_figures = public
        .get(&url(&federation, "statistik/nyckeltal.csv"))
        .await;
    let key_figures = key_figures.text().await.unwrap();
    assert!(key_figures.contains("Årets mål,42.5\r\n"), "{key_figures}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn person_without_the_role_is_refused_and_logout_ends_the_session() {
    let federation = Federation::start(FederationOptions::default()).await;
    let stranger = federation.login_communicator(person("eva")).await;
    let refused = stranger.get(&url(&federation, "kommunikator")).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let html = refused.text().await.unwrap();
    assert!(html.contains("Du är inte kommunikatör"), "{html}");

    let (browser, csrf) = logged_in(&federation, person("tolvan"), OWN_SENDER, false).await;
    let form = [("csrf_token".to_owned(), csrf)];
    let out = browser
        .post_form(&url(&federation, "kommunikator/logga-ut"), &form)
        .await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert!(browser.cookies().is_empty(), "the cookie is cleared");
    let after = browser.get(&url(&federation, "kommunikator")).await;
    let after = after.text().await.unwrap();
    assert!(after.contains("Logga in som kommunikatör"), "{after}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_started_in_english_lands_on_the_english_overview() {
    let federation = Federation::start(FederationOptions::default()).await;
    let david = person("david");
    let senders = [OWN_SENDER.organisation_number()];
    federation
        .grant_communicator(&david.personal_identity_number(), &senders, false)
        .await;
    let (browser, landing) = federation
        .login_communicator_at(david, "kommunikator/logga-in?lang=en")
        .await;
    assert_eq!(landing, "/kommunikator?lang=en");
    let overview = browser.get(&url(&federation, "kommunikator?lang=en")).await;
    let html = overview.text().await.unwrap();
    assert!(html.contains("lang=\"en\""), "{html}");
}
