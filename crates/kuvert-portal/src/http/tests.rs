//! The portal's pages through the router: the promises people rely on.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::{Config, PortalOperator};

fn config() -> Config {
    let operator = |name: &str, url: &str| PortalOperator {
        name: name.to_owned(),
        description_sv: format!("{name} är en brevlådeoperatör."),
        description_en: format!("{name} is a mailbox operator."),
        signup_url: url.parse().unwrap(),
    };
    Config {
        operators: vec![
            operator("Demobrevlådan", "http://127.0.0.1:9001/skaffa"),
            operator("Exempelposten", "http://127.0.0.1:9002/skaffa"),
        ],
    }
}

async fn get(uri: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let router = super::router(config());
    let response = router
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn start_page_shows_the_three_main_messages_in_order_and_one_call_to_action() {
    let (status, _, html) = get("/").await;
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
    let (_, _, html) = get("/?lang=en").await;
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("Get a digital mailbox"));
    assert!(html.contains("href=\"/skaffa?lang=en\""));
}

#[tokio::test]
async fn start_to_operator_signup_takes_two_clicks() {
    // Click 1: the call to action on the start page leads to the chooser.
    let (_, _, start) = get("/").await;
    assert!(start.contains("href=\"/skaffa\""));
    // Click 2: each operator in the chooser links straight to its sign-up.
    let (status, _, chooser) = get("/skaffa").await;
    assert_eq!(status, StatusCode::OK);
    assert!(chooser.contains("href=\"http://127.0.0.1:9001/skaffa\""));
    assert!(chooser.contains("href=\"http://127.0.0.1:9002/skaffa\""));
}

#[tokio::test]
async fn portal_pages_set_no_cookie_and_carry_security_headers() {
    for uri in ["/", "/skaffa", "/?lang=en", "/static/portal.css"] {
        let (status, headers, _) = get(uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
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
async fn portal_pages_have_no_inline_style_or_script() {
    for uri in ["/", "/skaffa"] {
        let (_, _, html) = get(uri).await;
        assert!(!html.contains("<style"), "{uri}");
        assert!(!html.contains("<script"), "{uri}");
        assert!(!html.contains(" style="), "{uri}");
    }
}

#[tokio::test]
async fn portal_refuses_a_configuration_without_operators() {
    let error = crate::build(Config {
        operators: Vec::new(),
    })
    .await
    .unwrap_err();
    assert!(error.to_string().contains("operators"));
}
