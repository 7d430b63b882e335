//! The public pages through the router (issue 5 §1, §2): the promises people rely on, with
//! the registry down (a closed port) where a page would ask it.

use axum::http::{StatusCode, header};
use kuvert_web::StartError;

use crate::support::{self, Portal};

async fn portal() -> Portal {
    Portal::start(|_| {}).await
}

/// Every public page, in both languages where it matters.
const PUBLIC_PAGES: [&str; 10] = [
    "/",
    "/?lang=en",
    "/skaffa",
    "/skaffa?avsandare=2120000159&kampanj=HOST2026",
    "/avsandare",
    "/avsandare/2120000159/pappersbrev",
    "/avsandare/2120000159/pappersbrev?kampanj=HOST2026&lang=en",
    "/fragor",
    "/tillganglighet",
    "/tillganglighet?lang=en",
];

#[tokio::test]
async fn start_page_shows_the_three_main_messages_in_order_and_one_call_to_action() {
    let (status, _, html) = portal().await.page("/").await;
    assert_eq!(status, StatusCode::OK);
    let positions: Vec<usize> = ["Säkert", "Praktiskt", "Miljövänligt och billigt"]
        .iter()
        .map(|heading| html.find(heading).unwrap())
        .collect();
    assert!(positions.windows(2).all(|pair| pair[0] < pair[1]));
    assert_eq!(html.matches("class=\"call-to-action\"").count(), 1);
    assert!(html.contains("Skaffa digital brevlåda"));
    assert!(html.contains("<html lang=\"sv\">"));
}

#[tokio::test]
async fn start_page_speaks_english_when_asked() {
    let (_, _, html) = portal().await.page("/?lang=en").await;
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("Get a digital mailbox"));
    assert!(html.contains("href=\"/skaffa?lang=en\""));
}

#[tokio::test]
async fn start_to_operator_signup_takes_two_clicks() {
    let portal = portal().await;
    // Click 1: the call to action on the start page leads to the chooser.
    let (_, _, start) = portal.page("/").await;
    assert!(start.contains("<a class=\"call-to-action\" href=\"/skaffa\">"));
    // Click 2: each operator in the chooser leads to its sign-up through one redirect.
    let (status, _, chooser) = portal.page("/skaffa").await;
    assert_eq!(status, StatusCode::OK);
    assert!(chooser.contains("href=\"/skaffa/demobrevladan\""));
    let (status, headers, _) = portal.page("/skaffa/demobrevladan").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "http://127.0.0.1:9001/skaffa");
}

#[tokio::test]
async fn deep_link_to_operator_signup_takes_two_clicks_and_carries_the_source() {
    // An operator whose sign-up address has a query of its own keeps it.
    let portal = Portal::start(|config| {
        config.operators[1].signup_url = "http://127.0.0.1:9002/skaffa?typ=a".parse().unwrap();
    })
    .await;
    // Click 1 is the deep link itself, on the sender's page or letter.
    let (_, _, chooser) = portal
        .page("/skaffa?avsandare=212000-0159&kampanj=HOST2026&lang=en")
        .await;
    let href = "/skaffa/exempelposten?avsandare=2120000159&#38;kampanj=HOST2026&#38;lang=en";
    assert!(chooser.contains(href), "{chooser}");
    // Click 2: the choice, answered with the operator's sign-up and the same source.
    let (status, headers, _) = portal
        .page("/skaffa/exempelposten?avsandare=2120000159&kampanj=HOST2026&lang=en")
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        headers[header::LOCATION],
        "http://127.0.0.1:9002/skaffa?typ=a&avsandare=2120000159&kampanj=HOST2026&lang=en"
    );
}

#[tokio::test]
async fn deep_link_to_the_start_page_is_carried_on_by_the_call_to_action() {
    let (_, _, start) = portal()
        .await
        .page("/?avsandare=2120000159&kampanj=host2026")
        .await;
    let href = "href=\"/skaffa?avsandare=2120000159&#38;kampanj=HOST2026\"";
    assert!(start.contains(href), "{start}");
}

#[tokio::test]
async fn chooser_drops_an_invalid_sender_but_still_leads_to_operators() {
    let (status, _, chooser) = portal()
        .await
        .page("/skaffa?avsandare=2120000158&kampanj=ok")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        chooser.contains("href=\"/skaffa/demobrevladan?kampanj=OK\""),
        "{chooser}"
    );
}

#[tokio::test]
async fn operator_choice_of_an_unknown_operator_is_not_found() {
    let portal = portal().await;
    for uri in ["/skaffa/okand", "/skaffa/Ok%C3%A4nd"] {
        let (status, headers, html) = portal.page(uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(headers.get(header::LOCATION).is_none());
        assert!(html.contains("Sidan finns inte"));
    }
}

#[tokio::test]
async fn language_switch_keeps_the_deep_link() {
    let (_, _, chooser) = portal()
        .await
        .page("/skaffa?avsandare=2120000159&kampanj=HOST2026")
        .await;
    assert!(chooser.contains("href=\"?avsandare=2120000159&#38;kampanj=HOST2026&#38;lang=en\""));
}

#[tokio::test]
async fn senders_page_says_when_the_registry_cannot_be_asked() {
    let (status, _, html) = portal().await.page("/avsandare").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Listan över avsändare kan inte visas just nu"));
    assert!(html.contains("href=\"/skaffa\""));
}

#[tokio::test]
async fn statistics_say_they_cannot_be_shown_while_the_registry_is_down() {
    let portal = portal().await;
    for uri in [
        "/statistik",
        "/statistik/nyckeltal.csv",
        "/statistik/brev.svg",
    ] {
        let (status, headers, text) = portal.page(uri).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{uri}");
        assert!(headers.get(header::SET_COOKIE).is_none(), "{uri}");
        assert_eq!(
            text, "Statistiken kan inte visas just nu. Försök igen om en stund.",
            "{uri}"
        );
    }
    let (_, _, text) = portal.page("/statistik?lang=en").await;
    assert!(
        text.starts_with("The statistics cannot be shown right now."),
        "{text}"
    );
    // The way to a digital mailbox does not depend on the registry.
    let (status, _, chooser) = portal.page("/skaffa?avsandare=2120000159").await;
    assert_eq!(status, StatusCode::OK);
    assert!(chooser.contains("href=\"/skaffa/demobrevladan?avsandare=2120000159\""));
}

#[tokio::test]
async fn paper_letter_page_shows_the_text_the_qr_code_and_the_deep_link() {
    let portal = portal().await;
    let (status, _, html) = portal
        .page("/avsandare/2120000159/pappersbrev?kampanj=host2026")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(
        "Du kan få det här brevet digitalt nästa gång. Säkert, praktiskt, miljövänligt och \
         billigt. Skaffa digital brevlåda: \
         brevlada.example/skaffa?avsandare=2120000159&#38;kampanj=HOST2026"
    ));
    assert!(html.contains("<img src=\"/avsandare/2120000159/qr.svg?kampanj=HOST2026\""));
    let (status, headers, svg) = portal
        .page("/avsandare/2120000159/qr.svg?kampanj=HOST2026")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/svg+xml");
    assert!(svg.contains("<svg") && svg.contains("<path"));
}

#[tokio::test]
async fn paper_letter_of_an_invalid_organisation_number_is_not_found() {
    let portal = portal().await;
    for uri in ["/avsandare/2120000158/pappersbrev", "/avsandare/abc/qr.svg"] {
        let (status, _, _) = portal.page(uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
    }
}

#[tokio::test]
async fn questions_page_answers_what_people_ask() {
    let (status, _, html) = portal().await.page("/fragor").await;
    assert_eq!(status, StatusCode::OK);
    for question in [
        "Vad är en digital brevlåda?",
        "Vad kostar det?",
        "Är det säkert?",
        "Vilken e-legitimation behöver jag?",
        "Kan jag byta brevlåda eller avregistrera mig?",
        "Kan ett företag få en digital brevlåda?",
        "Får jag fortfarande post på papper?",
    ] {
        assert!(html.contains(&format!("<h2>{question}</h2>")), "{question}");
    }
}

#[tokio::test]
async fn accessibility_statement_follows_the_dos_law_model() {
    let (status, _, html) = portal().await.page("/tillganglighet").await;
    assert_eq!(status, StatusCode::OK);
    for part in [
        "Exempelmyndigheten står bakom den här webbplatsen",
        "helt förenlig med lagen om tillgänglighet till digital offentlig service",
        "WCAG) version 2.1, nivå AA",
        "Hur vi testat webbplatsen",
        "href=\"mailto:tillganglighet@brevlada.example\"",
        "Myndigheten för digital förvaltning (Digg)",
        "href=\"https://www.digg.se/tdosanmalan\"",
    ] {
        assert!(html.contains(part), "{part}");
    }
}

#[tokio::test]
async fn every_public_page_sets_no_cookie_and_carries_security_headers() {
    let portal = portal().await;
    let others = [
        "/static/portal.css",
        "/avsandare/2120000159/qr.svg",
        "/skaffa/demobrevladan?avsandare=2120000159",
        "/finns-inte",
    ];
    for uri in PUBLIC_PAGES.iter().chain(&others) {
        let (status, headers, _) = portal.page(uri).await;
        assert!(status.as_u16() < 500, "{uri}: {status}");
        assert!(
            headers.get(header::SET_COOKIE).is_none(),
            "{uri} sets a cookie"
        );
        assert!(
            headers.get(header::CONTENT_SECURITY_POLICY).is_some(),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn every_public_page_has_no_inline_style_or_script_and_the_site_links() {
    let portal = portal().await;
    for uri in PUBLIC_PAGES {
        let (status, _, html) = portal.page(uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert!(!html.contains("<style"), "{uri}");
        assert!(!html.contains("<script"), "{uri}");
        assert!(!html.contains(" style="), "{uri}");
        assert_eq!(html.matches("<h1>").count(), 1, "{uri}");
        assert!(html.contains("/tillganglighet"), "{uri}");
    }
}

#[tokio::test]
async fn health_and_metrics_are_served_on_the_admin_router_only() {
    let portal = portal().await;
    for uri in ["/healthz", "/readyz", "/metrics"] {
        let (status, _, _) = portal.page(uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri} on the public pages");
        let request = axum::http::Request::get(uri)
            .body(axum::body::Body::empty())
            .unwrap();
        let admin = tower::ServiceExt::oneshot(portal.service.admin_router(), request);
        let status = admin.await.unwrap().status();
        assert_eq!(status, StatusCode::OK, "{uri} on the admin listener");
    }
}

#[tokio::test]
async fn portal_refuses_a_configuration_without_operators_or_with_a_slug_twice() {
    let dir = tempfile::tempdir().unwrap();
    let mut empty = support::config(dir.path());
    empty.operators.clear();
    let error = kuvert_portal::build(empty).await.unwrap_err();
    let is_key = |error: &StartError, name: &str| match error {
        StartError::Config { key, .. } => *key == name,
        StartError::Database(_) => false,
    };
    assert!(is_key(&error, "operators"), "{error}");
    let mut twice = support::config(dir.path());
    twice.operators[1].slug = twice.operators[0].slug.clone();
    let error = kuvert_portal::build(twice).await.unwrap_err();
    assert!(is_key(&error, "operators.slug"), "{error}");
}

/// The `[tls]` section is the operator's too (`kuvert_web::registry_client::TlsConfig`); the
/// portal checks no client certificate or signature, so CRL sources there would be ignored.
#[tokio::test]
async fn portal_refuses_crl_sources_it_would_not_check() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = support::config(dir.path());
    config.tls.crl.files = vec![dir.path().join("organisation.crl")];
    let error = kuvert_portal::build(config).await.unwrap_err();
    assert!(
        matches!(error, StartError::Config { key: "tls.crl", .. }),
        "{error}"
    );
}

#[tokio::test]
async fn portal_names_the_key_of_a_missing_certificate_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut missing = support::config(dir.path());
    missing.tls.key_path = dir.path().join("none.pem");
    let error = kuvert_portal::build(missing).await.unwrap_err();
    assert!(error.to_string().contains("tls.key_path"), "{error}");
}
