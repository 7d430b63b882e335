//! Communicators: e-ID login, the role from the store, campaigns with their funnel and
//! result checked against seeded visits, choices and registrations, CSRF on every form,
//! annual targets for admins only, and the session cookie as the portal's only cookie.

use kuvert_core::campaign::CampaignCode;
use kuvert_store::portal::{NewCampaign, Visit, VisitSource, VisitorHash};
use reqwest::StatusCode;

use crate::statistics::seeded_feed;
use crate::support::today;
use crate::world::{
    Browser, COMMUNICATOR, OTHER_SENDER, SENDER, World, csrf_field, location, org, person,
};

async fn logged_in(world: &World, is_admin: bool) -> (Browser, String) {
    world
        .store
        .grant_communicator(&person(COMMUNICATOR), &[org(SENDER)], is_admin)
        .await
        .unwrap();
    let mut browser = Browser::new();
    let callback = browser.log_in(world, 0).await;
    assert_eq!(callback.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&callback), "/kommunikator");
    let overview = browser.get(&world.url("/kommunikator")).await;
    assert_eq!(overview.status(), StatusCode::OK);
    let html = overview.text().await.unwrap();
    assert!(html.contains("Exempelkommun (2120000829)"), "{html}");
    (browser, csrf_field(&html).1)
}

fn campaign_form(csrf: &str, code: &str, sender: &str) -> Vec<(String, String)> {
    let today = today();
    [
        ("csrf_token", csrf.to_owned()),
        ("kod", code.to_owned()),
        ("namn", "Våren 2026".to_owned()),
        ("avsandare", sender.to_owned()),
        ("kanal", "Brev".to_owned()),
        ("start", format!("{}", today - time::Duration::days(1))),
        ("slut", format!("{}", today + time::Duration::days(30))),
        ("mal", "4000".to_owned()),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value))
    .collect()
}

async fn seed_funnel(world: &World, code: &CampaignCode) {
    let source = VisitSource {
        sender: Some(org(SENDER)),
        campaign: Some(code.clone()),
        campaign_known: true,
        referrer_domain: None,
    };
    for visitor in 1..=3_u8 {
        let visit = Visit {
            day: today(),
            page: "/skaffa".to_owned(),
            visitor: VisitorHash([visitor; 32]),
            source: source.clone(),
        };
        world.store.record_visit(&visit).await.unwrap();
    }
    let sender = org(SENDER);
    for _ in 0..2 {
        let choice =
            world
                .store
                .record_operator_choice(today(), "demobrevladan", Some(&sender), Some(code));
        choice.await.unwrap();
    }
}

#[tokio::test]
async fn communicator_creates_a_campaign_and_sees_its_funnel_against_the_goal() {
    let world = World::start(seeded_feed()).await;
    let (mut browser, csrf) = logged_in(&world, false).await;
    let cookie = browser
        .set_cookies
        .iter()
        .find(|c| c.starts_with("kuvert_kommunikator="))
        .unwrap();
    assert!(
        cookie.contains("Path=/kommunikator; HttpOnly; SameSite=Lax"),
        "{cookie}"
    );
    let created = browser
        .post(
            &world.url("/kommunikator/kampanjer/ny"),
            &campaign_form(&csrf, "var-2026", SENDER),
        )
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&created), "/kommunikator/kampanjer/VAR-2026");
    let code = CampaignCode::parse("VAR-2026").unwrap();
    seed_funnel(&world, &code).await;
    let page = browser
        .get(&world.url("/kommunikator/kampanjer/VAR-2026"))
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    // 3 visits, 2 operator choices; the feed has 1 000 registrations from VAR-2026 today.
    let result = "3 besök, 2 val av brevlådeoperatör och 1\u{a0}000 registreringar av målet \
                  4\u{a0}000 (25,0\u{a0}%).";
    assert!(html.contains(result), "{html}");
    assert!(html.contains("role=\"img\""));
    let csv = browser
        .get(&world.url("/kommunikator/kampanjer/VAR-2026/tratt.csv"))
        .await;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    assert_eq!(
        csv,
        format!(
            "Dag,Besök,Valt brevlådeoperatör,Registreringar\r\n{},3,2,1000\r\n",
            today()
        )
    );
    let overview = browser
        .get(&world.url("/kommunikator/resultat/kampanjer.csv"))
        .await;
    let overview = overview.text().await.unwrap();
    assert!(
        overview.ends_with("VAR-2026,Våren 2026,3,2,1000,4000,25.0\r\n"),
        "{overview}"
    );
}

#[tokio::test]
async fn campaign_forms_need_the_csrf_token_and_an_own_sender() {
    let world = World::start(seeded_feed()).await;
    let (mut browser, csrf) = logged_in(&world, false).await;
    let url = world.url("/kommunikator/kampanjer/ny");
    let forged = browser
        .post(&url, &campaign_form("00", "host-2026", SENDER))
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let other = browser
        .post(&url, &campaign_form(&csrf, "host-2026", OTHER_SENDER))
        .await;
    assert_eq!(other.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = other.text().await.unwrap();
    assert!(html.contains("Välj minst en avsändare som du är kommunikatör för."));
    assert!(
        world.store.campaigns().await.unwrap().is_empty(),
        "nothing was created"
    );
    let twice = campaign_form(&csrf, "host-2026", SENDER);
    assert_eq!(
        browser.post(&url, &twice).await.status(),
        StatusCode::SEE_OTHER
    );
    let taken = browser.post(&url, &twice).await;
    assert_eq!(taken.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        taken
            .text()
            .await
            .unwrap()
            .contains("Kampanjkoden används redan.")
    );
}

#[tokio::test]
async fn communicator_sees_only_the_own_senders_campaigns() {
    let world = World::start(seeded_feed()).await;
    let (mut browser, _) = logged_in(&world, false).await;
    let theirs = NewCampaign {
        code: CampaignCode::parse("andra").unwrap(),
        name: "Andra kommunens kampanj".to_owned(),
        owners: vec![org(OTHER_SENDER)],
        channel: "Webbplats".to_owned(),
        starts_on: today(),
        ends_on: today(),
        goal_registrations: 10,
    };
    world.store.create_campaign(&theirs).await.unwrap();
    let overview = browser
        .get(&world.url("/kommunikator"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!overview.contains("ANDRA"), "{overview}");
    let page = browser
        .get(&world.url("/kommunikator/kampanjer/ANDRA"))
        .await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    let file = browser
        .get(&world.url("/kommunikator/kampanjer/ANDRA/tratt.csv"))
        .await;
    assert_eq!(file.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn only_admins_enter_annual_targets() {
    let world = World::start(seeded_feed()).await;
    let (mut browser, csrf) = logged_in(&world, false).await;
    assert_eq!(
        browser.get(&world.url("/kommunikator/mal")).await.status(),
        StatusCode::FORBIDDEN
    );
    let form = vec![
        ("csrf_token".to_owned(), csrf),
        ("ar".to_owned(), "2026".to_owned()),
        ("mal".to_owned(), "42,5".to_owned()),
    ];
    let refused = browser.post(&world.url("/kommunikator/mal"), &form).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(world.store.annual_targets().await.unwrap().is_empty());
    let (mut admin, csrf) = logged_in(&world, true).await;
    let form = vec![
        ("csrf_token".to_owned(), csrf),
        ("ar".to_owned(), "2026".to_owned()),
        ("mal".to_owned(), "42,5".to_owned()),
    ];
    let saved = admin.post(&world.url("/kommunikator/mal"), &form).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let page = admin
        .get(&world.url("/kommunikator/mal"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<th scope=\"row\">2026</th><td>42,5\u{a0}%</td>"),
        "{page}"
    );
    let targets = world.store.annual_targets().await.unwrap();
    assert_eq!(
        (targets[0].year, targets[0].target_percent_persons),
        (2026, 42.5)
    );
}

#[tokio::test]
async fn person_without_the_role_is_refused_and_logout_ends_the_session() {
    let world = World::start(seeded_feed()).await;
    let mut stranger = Browser::new();
    let callback = stranger.log_in(&world, 1).await;
    assert_eq!(callback.status(), StatusCode::SEE_OTHER);
    let refused = stranger.get(&world.url("/kommunikator")).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Du är inte kommunikatör")
    );
    let (mut browser, csrf) = logged_in(&world, false).await;
    let form = vec![("csrf_token".to_owned(), csrf)];
    let out = browser
        .post(&world.url("/kommunikator/logga-ut"), &form)
        .await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert!(browser.cookies.is_empty(), "the cookie is cleared");
    let after = browser
        .get(&world.url("/kommunikator"))
        .await
        .text()
        .await
        .unwrap();
    assert!(after.contains("Logga in som kommunikatör"));
}
