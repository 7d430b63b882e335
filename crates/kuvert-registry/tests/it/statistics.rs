//! The statistics feed and the letters report: a registration over REST shows up in the
//! day's counters with its source; letters add up and only the sender or its intermediary may
//! report them; ranges are bounded; both routes are in the OpenAPI document.

use axum::body::Body;
use http_body_util::BodyExt as _;
use kuvert_core::calendar::stockholm_day;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};
use tower::ServiceExt as _;

use crate::harness::*;

async fn get_json(registry: &Registry, key: &str, path_and_query: &str) -> (u16, Value) {
    let response = registry
        .client(key)
        .get(format!("{}{path_and_query}", registry.base_url))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn post_json(registry: &Registry, key: &str, path: &str, body: Value) -> (u16, Value) {
    let response = registry
        .client(key)
        .post(format!("{}{path}", registry.base_url))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn register_cecilia(registry: &Registry) {
    use base64::Engine as _;
    let text = bound(BoundAction::Register, &person(CECILIA), DOMAIN_A);
    let data = sign("cecilia", &text);
    let register = json!({
        "recipient": CECILIA,
        "operator_domain": DOMAIN_A,
        "agreement_text": text,
        "signatures": [{
            "signature": base64::engine::general_purpose::STANDARD.encode(&data.signature),
            "certificate": data.certificate,
            "nonce": data.nonce,
        }],
        "source": { "sender": MUNICIPALITY, "campaign": "vinter-2026" },
    });
    let (status, outcome) = post_json(
        registry,
        "operator-a",
        "/api/v1/profiles/register",
        register,
    )
    .await;
    assert_eq!(status, 200, "{outcome}");
}

#[tokio::test]
async fn statistics_feed_counts_a_registration_with_its_source() {
    let registry = Registry::start().await;
    register_cecilia(&registry).await;
    let today = stockholm_day(OffsetDateTime::now_utc());
    let range = format!(
        "/api/v1/statistics?from={}&to={}",
        today - Duration::days(1),
        today + Duration::days(1)
    );
    // Aggregates are public: even an organisation in no registry role may read them.
    let (status, feed) = get_json(&registry, "stranger", &range).await;
    assert_eq!(status, 200, "{feed}");
    assert_eq!(
        feed["registrations"],
        json!([{
            "day": today.to_string(),
            "operator": OPERATOR_A,
            "kind": "person",
            "source_sender": MUNICIPALITY,
            "source_campaign": "VINTER-2026",
            "registered": 1, "deregistered": 0, "moved_in": 0, "moved_out": 0,
        }])
    );
    assert_eq!(
        feed["mailboxes_before"],
        json!({ "person": 0, "company": 0 })
    );
    assert_eq!(feed["senders"], 2);
    assert_eq!(feed["operators"].as_array().unwrap().len(), 2);
    assert_eq!(feed["operators"][0]["organisation_number"], OPERATOR_A);
    assert_eq!(feed["operators"][0]["name"], "Demobrevlådan");

    let tomorrow = today + Duration::days(1);
    let later = format!("/api/v1/statistics?from={tomorrow}&to={tomorrow}");
    let (status, feed) = get_json(&registry, "municipality", &later).await;
    assert_eq!(status, 200, "{feed}");
    assert_eq!(feed["registrations"], json!([]));
    assert_eq!(
        feed["mailboxes_before"],
        json!({ "person": 1, "company": 0 })
    );
    assert_eq!(
        feed["mailboxes_before_per_operator"],
        json!([{ "operator": OPERATOR_A, "person": 1, "company": 0 }])
    );
}

#[tokio::test]
async fn statistics_feed_groups_by_source_and_filters_by_campaign_as_asked() {
    let registry = Registry::start().await;
    register_cecilia(&registry).await;
    // The letters are reported for the month the registration falls in, whatever day the test
    // runs: the feed is asked for today only and must still include this month's letters.
    let today = stockholm_day(OffsetDateTime::now_utc());
    let this_month = format!("{}-{:02}", today.year(), u8::from(today.month()));
    let report = letters(MUNICIPALITY, &this_month, 4, 1);
    let (status, _) = post_json(
        &registry,
        "municipality",
        "/api/v1/statistics/letters",
        report,
    )
    .await;
    assert_eq!(status, 200);
    let feed = |query: &'static str| {
        let path = format!("/api/v1/statistics?from={today}&to={today}&{query}");
        let registry = &registry;
        async move {
            let (status, feed) = get_json(registry, "stranger", &path).await;
            assert_eq!(status, 200, "{query}: {feed}");
            feed
        }
    };
    let counts = json!({ "registered": 1, "deregistered": 0, "moved_in": 0, "moved_out": 0 });
    let row = |sender: Value, campaign: Value| {
        let mut row = json!({
            "day": today.to_string(), "operator": OPERATOR_A, "kind": "person",
            "source_sender": sender, "source_campaign": campaign,
        });
        for (key, value) in counts.as_object().unwrap() {
            row[key] = value.clone();
        }
        row
    };
    let totals = feed("sources=none").await;
    assert_eq!(
        totals["registrations"],
        json!([row(Value::Null, Value::Null)])
    );
    let campaigns = feed("sources=campaign").await;
    assert_eq!(
        campaigns["registrations"],
        json!([row(Value::Null, json!("VINTER-2026"))])
    );
    let one = feed("sources=campaign&campaign=vinter-2026,VAR-2026&letters=false").await;
    assert_eq!(one["registrations"], campaigns["registrations"]);
    assert_eq!(one["letters"], json!([]), "letters=false leaves them out");
    assert_eq!(one["senders"], 2, "the rest of the answer stays whole");
    let other = feed("campaign=HOST-2026").await;
    assert_eq!(other["registrations"], json!([]));
    let all = feed("sources=all&campaign=VINTER-2026&letters=true").await;
    assert_eq!(
        all["registrations"],
        json!([row(json!(MUNICIPALITY), json!("VINTER-2026"))])
    );
    assert_eq!(all["letters"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn statistics_refuses_unknown_groupings_and_bad_campaign_filters() {
    let registry = Registry::start().await;
    let many: Vec<String> = (0..=50).map(|index| format!("K-{index}")).collect();
    let too_many = format!("campaign={}", many.join(","));
    for query in [
        "sources=some",
        "sources=NONE",
        "sources=none&campaign=VINTER-2026",
        "campaign=",
        "campaign=A,,B",
        "campaign=vinter%202026",
        too_many.as_str(),
        "letters=no",
        "letters=",
    ] {
        let path = format!("/api/v1/statistics?from=2026-01-01&to=2026-01-31&{query}");
        let (status, problem) = get_json(&registry, "operator-a", &path).await;
        assert_eq!(status, 400, "{query}: {problem}");
        assert_eq!(problem["code"], 5001, "{query}");
    }
}

#[tokio::test]
async fn statistics_refuses_malformed_backward_and_over_long_ranges() {
    let registry = Registry::start().await;
    for query in [
        "from=2026-01-01",
        "from=2026-13-01&to=2026-12-31",
        "from=1.1.2026&to=2026-12-31",
        "from=2026-12-31&to=2026-01-01",
        "from=2010-01-01&to=2026-01-01",
        "from=2026-01-01&to=2026-01-02&extra=1",
    ] {
        let (status, problem) = get_json(
            &registry,
            "operator-a",
            &format!("/api/v1/statistics?{query}"),
        )
        .await;
        assert_eq!(status, 400, "{query}: {problem}");
        assert_eq!(problem["code"], 5001, "{query}");
    }
    let (status, _) = get_json(
        &registry,
        "operator-a",
        "/api/v1/statistics?from=2016-07-01&to=2026-06-30",
    )
    .await;
    assert_eq!(status, 200, "ten years are allowed");
}

fn letters(sender: &str, month: &str, digital: u64, paper: u64) -> Value {
    json!({ "sender": sender, "month": month, "digital": digital, "paper": paper })
}

#[tokio::test]
async fn letters_are_reported_by_the_sender_or_its_intermediary_and_add_up() {
    let registry = Registry::start().await;
    let path = "/api/v1/statistics/letters";
    let (status, totals) = post_json(
        &registry,
        "municipality",
        path,
        letters(MUNICIPALITY, "2026-11", 40, 10),
    )
    .await;
    assert_eq!(status, 200, "{totals}");
    assert_eq!(totals, letters(MUNICIPALITY, "2026-11", 40, 10));
    let (status, totals) = post_json(
        &registry,
        "intermediary",
        path,
        letters(MUNICIPALITY, "2026-11", 2, 3),
    )
    .await;
    assert_eq!(status, 200, "{totals}");
    assert_eq!(totals, letters(MUNICIPALITY, "2026-11", 42, 13));

    let refused = [
        ("agency", MUNICIPALITY, 6005), // a sender cannot report for another sender
        ("intermediary", AGENCY, 6005), // not registered to deliver for the agency
        ("stranger", MUNICIPALITY, 6005), // no role at all
        ("municipality", STRANGER, 5014), // not a registered sender
    ];
    for (caller, sender, code) in refused {
        let (status, problem) =
            post_json(&registry, caller, path, letters(sender, "2026-11", 1, 1)).await;
        assert_eq!(status, 403, "{caller} for {sender}: {problem}");
        assert_eq!(problem["code"], code, "{caller} for {sender}");
    }
    for bad in [
        letters(MUNICIPALITY, "2026-13", 1, 1),
        letters(MUNICIPALITY, "2026-11", 1_000_000_001, 0),
        json!({ "sender": MUNICIPALITY, "month": "2026-11", "digital": -1, "paper": 0 }),
    ] {
        let (status, problem) = post_json(&registry, "municipality", path, bad.clone()).await;
        assert_eq!(status, 400, "{bad}: {problem}");
    }
    let (status, feed) = get_json(
        &registry,
        "operator-b",
        "/api/v1/statistics?from=2026-10-15&to=2026-11-15",
    )
    .await;
    assert_eq!(status, 200, "{feed}");
    assert_eq!(
        feed["letters"],
        json!([letters(MUNICIPALITY, "2026-11", 42, 13)])
    );
}

#[tokio::test]
async fn statistics_routes_are_in_the_openapi_document_and_need_a_certificate() {
    let registry = Registry::start().await;
    let request = http::Request::get("/openapi.json")
        .body(Body::empty())
        .unwrap();
    let response = registry.service.router().oneshot(request).await.unwrap();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let document: Value = serde_json::from_slice(&bytes).unwrap();
    let feed = &document["paths"]["/api/v1/statistics"]["get"];
    let parameters: Vec<&str> = feed["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|parameter| parameter["name"].as_str())
        .collect();
    assert_eq!(parameters, ["from", "to", "sources", "campaign", "letters"]);
    assert!(document["paths"]["/api/v1/statistics/letters"]["post"].is_object());
    assert!(document["paths"]["/api/v1/reachability"]["post"].is_object());

    let request = http::Request::get("/api/v1/statistics?from=2026-01-01&to=2026-01-31")
        .body(Body::empty())
        .unwrap();
    let response = registry.service.router().oneshot(request).await.unwrap();
    assert_eq!(response.status(), 403);
}
