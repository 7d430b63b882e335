//! The portal in the browser (issue 5's acceptance): every public page passes axe with script
//! off and sets no cookie, and a deep link with a campaign code leads through one click on
//! the portal (the operator) to a completed registration at that operator, which the
//! campaign's funnel and the registry's statistics then count.

use kuvert::seed::{self, SeedOrganisation};
use kuvert::testkit::Federation;
use kuvert_core::calendar::stockholm_day;
use kuvert_core::campaign::CampaignCode;
use kuvert_store::portal::NewCampaign;
use url::Url;

use super::driver::{
    Walk, WalkResult, button, check, expect_path, expect_text, goto, link, link_in, press_to_page,
    tab_to,
};

/// The names of the portal's public walks.
pub(crate) const KEYBOARD: &str = "portal keyboard";
/// See [`KEYBOARD`].
pub(crate) const PAGES: &str = "portal pages";
/// See [`KEYBOARD`].
pub(crate) const DEEP_LINK: &str = "deep link";

/// The campaign of the deep link, known to the portal.
pub(crate) const CAMPAIGN: &str = "VAR-2026";

/// Where the deep link's person registers: the second operator, chosen on the portal.
fn chosen_operator() -> SeedOrganisation {
    seed::OPERATORS[1]
}

/// Creates [`CAMPAIGN`] for the first sender, running today.
pub(crate) async fn create_campaign(federation: &Federation) {
    let today = stockholm_day(time::OffsetDateTime::now_utc());
    let campaign = NewCampaign {
        code: CampaignCode::parse(CAMPAIGN).unwrap(),
        name: "Vårens brevkampanj".to_owned(),
        owners: vec![seed::SENDERS[0].organisation_number()],
        channel: "brev".to_owned(),
        starts_on: today,
        ends_on: today,
        goal_registrations: 10,
    };
    let store = federation.demo().portal.store();
    store.create_campaign(&campaign).await.unwrap();
}

/// Every public page of the portal, in Swedish and in English.
pub(crate) fn public_pages(portal: &Url) -> Walk {
    let sender = seed::SENDERS[0].number;
    let pages = [
        "/".to_owned(),
        "/?lang=en".to_owned(),
        "/skaffa".to_owned(),
        "/skaffa?lang=en".to_owned(),
        "/avsandare".to_owned(),
        format!("/avsandare/{sender}/pappersbrev"),
        "/fragor".to_owned(),
        "/fragor?lang=en".to_owned(),
        "/tillganglighet".to_owned(),
        "/statistik".to_owned(),
        "/statistik?lang=en".to_owned(),
        "/kommunikator".to_owned(),
        format!("/skaffa?avsandare={sender}&lang=en"),
        format!("/knapp?avsandare={sender}"),
        format!("/knapp?avsandare={sender}&lang=en"),
        "/knapp".to_owned(),
    ];
    Walk::new(PAGES)
        .then_all(
            pages
                .iter()
                .map(|path| goto(portal.join(path).unwrap().as_str())),
        )
        // The registry answers its list of senders to the portal's own certificate.
        .then(goto(portal.join("/avsandare").unwrap().as_str()))
        .then(expect_text(seed::SENDERS[0].name))
        .then(expect_text(seed::SENDERS[1].name))
        .then(goto(portal.as_str()))
        .then(link_in("main", "Skaffa digital brevlåda"))
        .then(expect_path("/skaffa"))
}

/// The portal with the keyboard alone: from the start page to an operator's sign-up, every
/// stop with a visible focus.
pub(crate) fn keyboard(portal: &Url) -> Walk {
    let operator = seed::OPERATORS[0];
    Walk::new(KEYBOARD)
        .then(goto(portal.as_str()))
        .then(tab_to("Skaffa digital brevlåda"))
        .then(press_to_page("Enter"))
        .then(expect_path("/skaffa"))
        .then(tab_to(&format!(
            "Skaffa digital brevlåda hos {}",
            operator.name
        )))
        .then(press_to_page("Enter"))
        .then(expect_text(
            "Test-e-legitimation – endast för test och demo",
        ))
}

/// Eva follows a sender's deep link, chooses the operator (the one click on the portal),
/// logs in and signs at the operator, and lands in her new inbox.
pub(crate) fn deep_link(portal: &Url) -> Walk {
    let eva = seed::person("eva").unwrap();
    let sender = seed::SENDERS[0].number;
    let operator = chosen_operator();
    let deep_link = portal
        .join(&format!("/skaffa?avsandare={sender}&kampanj={CAMPAIGN}"))
        .unwrap();
    Walk::new(DEEP_LINK)
        .then(goto(deep_link.as_str()))
        // The sender's brand first, the platform as the service behind, other senders.
        .then(expect_text(seed::SENDERS[0].name))
        .then(expect_text(
            "den gemensamma tjänsten bakom de digitala brevlådorna",
        ))
        .then(expect_text("Du kan också få post från"))
        .then(link(&format!(
            "Skaffa digital brevlåda hos {}",
            operator.name
        )))
        .then(expect_text(
            "Test-e-legitimation – endast för test och demo",
        ))
        .then(check(&eva.name()))
        .then(button("Logga in"))
        .then(expect_path("/skaffa"))
        .then(expect_text("Skaffa digital brevlåda"))
        .then(button("Signera med e-legitimation"))
        .then(check(&eva.name()))
        .then(button("Signera"))
        .then(button("Fortsätt"))
        .then(expect_path("/brevlada"))
}

/// The name of the walk through a `/knapp` snippet on a sender's own (static) page.
pub(crate) const BUTTON: &str = "button on a sender's site";

/// A static page of the first sender's own site holding the snippet `/knapp` gives, walked
/// with script off: the link leads to the sender's landing under `/knapp/skaffa`.
pub(crate) async fn button_on_sender_site(federation: &Federation, portal: &Url) -> Walk {
    let sender = seed::SENDERS[0];
    federation.demo().portal.registry().senders().await.unwrap();
    let knapp = portal
        .join(&format!("/knapp?avsandare={}", sender.number))
        .unwrap();
    let html = reqwest::get(knapp.as_str())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = html.find("<div class=\"snippet-preview\">").unwrap();
    let end = start + html[start..].find("</div>").unwrap();
    let snippet = &html[start + "<div class=\"snippet-preview\">".len()..end];
    assert!(!snippet.contains("<script"), "{snippet}");
    let page = format!(
        "<!DOCTYPE html><html lang=\"sv\"><head><meta charset=\"utf-8\">\
         <title>{} – e-tjänster</title></head><body><main><h1>E-tjänster</h1>{snippet}\
         </main></body></html>",
        sender.name
    );
    let site = super::bad_page_server(Box::leak(page.into_boxed_str()));
    Walk::new(BUTTON)
        .then(goto(&site))
        .then(link(&format!(
            "Skaffa digital brevlåda och få post från {} digitalt",
            sender.name
        )))
        .then(expect_path(&format!(
            "/knapp/skaffa?avsandare={}",
            sender.number
        )))
        .then(expect_text(sender.name))
}

/// The button walk's visit was counted under `/knapp/skaffa`, its own source, and the
/// sender's site had to make no request but the page itself.
pub(crate) async fn check_button(federation: &Federation, walk: &WalkResult) {
    assert!(walk.problems().is_empty(), "{:?}", walk.problems());
    let today = stockholm_day(time::OffsetDateTime::now_utc());
    let store = federation.demo().portal.store();
    let counts = store.visit_counts(today, today).await.unwrap();
    let through_button: u64 = counts
        .iter()
        .filter(|count| {
            count.page == "/knapp/skaffa"
                && count.sender == Some(seed::SENDERS[0].organisation_number())
        })
        .map(|count| count.visits)
        .sum();
    assert!(through_button >= 1, "{counts:?}");
}

/// The portal set no cookie in its public walks (`[keyboard, pages, deep link]`: the
/// communicators' session is checked in `communicator.rs`), and the deep link took one
/// click there; the funnel counted one visit and one choice, and the registry one
/// registration from the campaign — and the communicator's funnel shows the three.
pub(crate) async fn check_portal(federation: &Federation, portal: &Url, walks: &[&WalkResult; 3]) {
    let [_, pages, deep_link] = *walks;
    let origin = portal.origin().ascii_serialization();
    for walk in walks {
        let portal_cookies: Vec<_> = walk
            .set_cookies
            .iter()
            .filter(|cookie| cookie.url.starts_with(&origin))
            .collect();
        assert!(
            portal_cookies.is_empty(),
            "[{}] {portal_cookies:?}",
            walk.name
        );
    }
    assert!(pages.pages.len() >= 10, "{:?}", pages.pages);
    let on_portal = deep_link
        .pages
        .iter()
        .filter(|page| page.url.starts_with(&origin))
        .count();
    assert_eq!(
        on_portal, 1,
        "the chooser is the only portal page before the operator"
    );

    let code = CampaignCode::parse(CAMPAIGN).unwrap();
    let funnel = federation
        .demo()
        .portal
        .store()
        .campaign_funnel(&code)
        .await
        .unwrap();
    let visits: u64 = funnel.iter().map(|day| day.visits).sum();
    let choices: u64 = funnel.iter().map(|day| day.operator_choices).sum();
    assert_eq!((visits, choices), (1, 1), "{funnel:?}");
    assert_eq!(registrations_from_campaign(federation).await, 1);
    assert_eq!(
        funnel_as_the_communicator_sees_it(federation).await,
        format!("{},1,1,1", stockholm_day(time::OffsetDateTime::now_utc())),
        "today's row of the campaign's funnel: visits, operator choices, registrations"
    );
}

/// Today's row of [`CAMPAIGN`]'s funnel file at the portal, fetched by the demo's
/// communicator for its owning sender, logged in through the test e-ID.
async fn funnel_as_the_communicator_sees_it(federation: &Federation) -> String {
    let browser = federation
        .login_communicator(kuvert::demo::COMMUNICATOR.seed_person())
        .await;
    let path = format!("kommunikator/kampanjer/{CAMPAIGN}/tratt.csv");
    let url = federation.portal_url().join(&path).unwrap();
    let answer = browser.get(url.as_str()).await;
    assert!(answer.status().is_success(), "{path}: {}", answer.status());
    let csv = answer.text().await.unwrap();
    csv.lines().last().unwrap_or_default().to_owned()
}

/// Registrations the registry counted today with [`CAMPAIGN`] as their source.
async fn registrations_from_campaign(federation: &Federation) -> u64 {
    let today = stockholm_day(time::OffsetDateTime::now_utc());
    let path = format!("/api/v1/statistics?from={today}&to={today}");
    let statistics: serde_json::Value = federation
        .demo()
        .portal
        .registry()
        .get_json(&path)
        .await
        .unwrap();
    let operator = chosen_operator().number;
    statistics["registrations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| row["source_campaign"] == CAMPAIGN && row["operator"] == operator)
        .map(|row| row["registered"].as_u64().unwrap())
        .sum()
}
