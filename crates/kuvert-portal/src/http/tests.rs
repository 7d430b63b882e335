//! The portal's pages through the router: the promises people rely on.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::Config;

/// A configuration whose files live in `dir`: a self-signed certificate as the portal's
/// identity and as the trusted CA, and a registry nobody listens at (the senders list is
/// then unavailable, which the page must say).
fn config(dir: &std::path::Path) -> Config {
    let certified = rcgen::generate_simple_self_signed(vec!["portal.example".to_owned()]).unwrap();
    let certificate_path = dir.join("portal.crt.pem");
    let key_path = dir.join("portal.key.pem");
    std::fs::write(&certificate_path, certified.cert.pem()).unwrap();
    std::fs::write(&key_path, certified.signing_key.serialize_pem()).unwrap();
    let operator = |slug: &str, name: &str, url: &str| {
        serde_json::json!({
            "slug": slug,
            "name": name,
            "description_sv": format!("{name} är en brevlådeoperatör."),
            "description_en": format!("{name} is a mailbox operator."),
            "signup_url": url,
        })
    };
    // Through serde, as the binary loads it: every key not named here takes its default.
    serde_json::from_value(serde_json::json!({
        "public_url": "https://brevlada.example/",
        "database_url": format!("sqlite://{}?mode=rwc", dir.join("portal.db").display()),
        "registry_url": "https://127.0.0.1:9",
        "tls": {
            "certificate_path": certificate_path,
            "key_path": key_path,
            "organisation_ca_path": certificate_path,
        },
        "publisher_name": "Exempelmyndigheten",
        "contact_email": "tillganglighet@brevlada.example",
        "operators": [
            operator("demobrevladan", "Demobrevlådan", "http://127.0.0.1:9001/skaffa"),
            operator("exempelposten", "Exempelposten", "http://127.0.0.1:9002/skaffa?typ=a"),
        ],
    }))
    .unwrap()
}

struct Portal {
    router: axum::Router,
    _dir: tempfile::TempDir,
}

async fn portal() -> Portal {
    let dir = tempfile::tempdir().unwrap();
    let service = crate::build(config(dir.path())).await.unwrap();
    Portal {
        router: service.router(),
        _dir: dir,
    }
}

impl Portal {
    async fn get(&self, uri: &str) -> (StatusCode, axum::http::HeaderMap, String) {
        let response = self
            .router
            .clone()
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, headers, String::from_utf8(body.to_vec()).unwrap())
    }
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
    let (status, _, html) = portal().await.get("/").await;
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
    let (_, _, html) = portal().await.get("/?lang=en").await;
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("Get a digital mailbox"));
    assert!(html.contains("href=\"/skaffa?lang=en\""));
}

#[tokio::test]
async fn start_to_operator_signup_takes_two_clicks() {
    let portal = portal().await;
    // Click 1: the call to action on the start page leads to the chooser.
    let (_, _, start) = portal.get("/").await;
    assert!(start.contains("<a class=\"call-to-action\" href=\"/skaffa\">"));
    // Click 2: each operator in the chooser leads to its sign-up through one redirect.
    let (status, _, chooser) = portal.get("/skaffa").await;
    assert_eq!(status, StatusCode::OK);
    assert!(chooser.contains("href=\"/skaffa/demobrevladan\""));
    let (status, headers, _) = portal.get("/skaffa/demobrevladan").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "http://127.0.0.1:9001/skaffa");
}

#[tokio::test]
async fn deep_link_to_operator_signup_takes_two_clicks_and_carries_the_source() {
    let portal = portal().await;
    // Click 1 is the deep link itself, on the sender's page or letter.
    let (_, _, chooser) = portal
        .get("/skaffa?avsandare=212000-0159&kampanj=HOST2026&lang=en")
        .await;
    let href = "/skaffa/exempelposten?avsandare=2120000159&#38;kampanj=HOST2026&#38;lang=en";
    assert!(chooser.contains(href), "{chooser}");
    // Click 2: the choice, answered with the operator's sign-up and the same source.
    let (status, headers, _) = portal
        .get("/skaffa/exempelposten?avsandare=2120000159&kampanj=HOST2026&lang=en")
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
        .get("/?avsandare=2120000159&kampanj=host2026")
        .await;
    let href = "href=\"/skaffa?avsandare=2120000159&#38;kampanj=HOST2026\"";
    assert!(start.contains(href), "{start}");
}

#[tokio::test]
async fn chooser_drops_an_invalid_sender_but_still_leads_to_operators() {
    let (status, _, chooser) = portal()
        .await
        .get("/skaffa?avsandare=2120000158&kampanj=ok")
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
        let (status, headers, html) = portal.get(uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(headers.get(header::LOCATION).is_none());
        assert!(html.contains("Sidan finns inte"));
    }
}

#[tokio::test]
async fn language_switch_keeps_the_deep_link() {
    let (_, _, chooser) = portal()
        .await
        .get("/skaffa?avsandare=2120000159&kampanj=HOST2026")
        .await;
    assert!(chooser.contains("href=\"?avsandare=2120000159&#38;kampanj=HOST2026&#38;lang=en\""));
}

#[tokio::test]
async fn senders_page_says_when_the_registry_cannot_be_asked() {
    let (status, _, html) = portal().await.get("/avsandare").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Listan över avsändare kan inte visas just nu"));
    assert!(html.contains("href=\"/skaffa\""));
}

#[tokio::test]
async fn paper_letter_page_shows_the_text_the_qr_code_and_the_deep_link() {
    let portal = portal().await;
    let (status, _, html) = portal
        .get("/avsandare/2120000159/pappersbrev?kampanj=host2026")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(
        "Du kan få det här brevet digitalt nästa gång. Skaffa digital brevlåda: \
         brevlada.example/skaffa?avsandare=2120000159&#38;kampanj=HOST2026"
    ));
    assert!(html.contains("<img src=\"/avsandare/2120000159/qr.svg?kampanj=HOST2026\""));
    let (status, headers, svg) = portal
        .get("/avsandare/2120000159/qr.svg?kampanj=HOST2026")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/svg+xml");
    assert!(svg.contains("<svg") && svg.contains("<path"));
}

#[tokio::test]
async fn paper_letter_of_an_invalid_organisation_number_is_not_found() {
    let portal = portal().await;
    for uri in ["/avsandare/2120000158/pappersbrev", "/avsandare/abc/qr.svg"] {
        let (status, _, _) = portal.get(uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
    }
}

#[tokio::test]
async fn questions_page_answers_what_people_ask() {
    let (status, _, html) = portal().await.get("/fragor").await;
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
    let (status, _, html) = portal().await.get("/tillganglighet").await;
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
        let (status, headers, _) = portal.get(uri).await;
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
        let (status, _, html) = portal.get(uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert!(!html.contains("<style"), "{uri}");
        assert!(!html.contains("<script"), "{uri}");
        assert!(!html.contains(" style="), "{uri}");
        assert_eq!(html.matches("<h1>").count(), 1, "{uri}");
        assert!(html.contains("/tillganglighet"), "{uri}");
    }
}

#[tokio::test]
async fn portal_is_ready_once_built_and_serves_health() {
    let portal = portal().await;
    for uri in ["/healthz", "/readyz"] {
        let (status, _, _) = portal.get(uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
    }
}

#[tokio::test]
async fn portal_refuses_a_configuration_without_operators_or_with_a_slug_twice() {
    let dir = tempfile::tempdir().unwrap();
    let mut empty = config(dir.path());
    empty.operators.clear();
    let error = crate::build(empty).await.unwrap_err();
    assert!(error.to_string().contains("`operators`"), "{error}");
    let mut twice = config(dir.path());
    twice.operators[1].slug = twice.operators[0].slug.clone();
    let error = crate::build(twice).await.unwrap_err();
    assert!(error.to_string().contains("operators.slug"), "{error}");
}

#[tokio::test]
async fn portal_names_the_key_of_a_missing_certificate_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut missing = config(dir.path());
    missing.tls.key_path = dir.path().join("none.pem");
    let error = crate::build(missing).await.unwrap_err();
    assert!(error.to_string().contains("tls.key_path"), "{error}");
}
