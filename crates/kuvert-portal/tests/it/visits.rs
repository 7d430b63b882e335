//! Visitor statistics without tracking: counted per day, page and source; unique visitors
//! from a daily-salted hash; referrers by domain only; operator choices with their source.

use axum::http::{StatusCode, header};
use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::OrganisationNumber;
use kuvert_store::portal::{NewCampaign, VisitCount};

use crate::support::{Portal, Visitor, today};

async fn counts(portal: &Portal) -> Vec<VisitCount> {
    portal
        .service
        .store()
        .visit_counts(today(), today())
        .await
        .unwrap()
}

fn find<'a>(counts: &'a [VisitCount], page: &str, campaign: Option<&str>) -> &'a VisitCount {
    counts
        .iter()
        .find(|count| {
            count.page == page && count.campaign.as_ref().map(CampaignCode::as_str) == campaign
        })
        .unwrap_or_else(|| panic!("no count for {page} {campaign:?} in {counts:?}"))
}

#[tokio::test]
async fn visits_count_each_view_and_each_visitor_once_per_day_and_source() {
    let portal = Portal::start(|_| {}).await;
    let first = Visitor::default();
    let other_browser = Visitor {
        user_agent: "Mozilla/5.0 (iPhone) Safari/605.1",
        ..first
    };
    let other_address = Visitor {
        address: [198, 51, 100, 7],
        ..first
    };
    for visitor in [first, first, other_browser, other_address] {
        assert_eq!(portal.get("/", visitor).await.0, StatusCode::OK);
    }
    let deep_link = "/skaffa?avsandare=212000-0159&kampanj=okand-2026";
    for _ in 0..2 {
        assert_eq!(portal.get(deep_link, first).await.0, StatusCode::OK);
    }
    let counts = counts(&portal).await;
    assert_eq!(counts.len(), 2, "{counts:?}");
    let start = find(&counts, "/", None);
    assert_eq!((start.visits, start.unique_visitors), (4, 3));
    assert_eq!(start.sender, None);
    let chooser = find(&counts, "/skaffa", Some("OKAND-2026"));
    assert_eq!((chooser.visits, chooser.unique_visitors), (2, 1));
    assert_eq!(
        chooser.sender,
        Some(OrganisationNumber::parse("2120000159").unwrap())
    );
    assert!(!chooser.campaign_known, "nobody created OKAND-2026");
    assert_eq!(chooser.day, today());
}

#[tokio::test]
async fn visits_with_a_created_campaign_count_as_known() {
    let portal = Portal::start(|_| {}).await;
    let code = CampaignCode::parse("HOST2026").unwrap();
    portal
        .service
        .store()
        .create_campaign(&NewCampaign {
            code: code.clone(),
            name: "Höstkampanj".to_owned(),
            owners: vec![OrganisationNumber::parse("2120000159").unwrap()],
            channel: "brev".to_owned(),
            starts_on: today(),
            ends_on: today(),
            goal_registrations: 100,
        })
        .await
        .unwrap();
    let uri = "/skaffa?avsandare=2120000159&kampanj=host2026";
    portal.get(uri, Visitor::default()).await;
    let counts = counts(&portal).await;
    assert!(find(&counts, "/skaffa", Some("HOST2026")).campaign_known);
}

#[tokio::test]
async fn visits_keep_only_the_referring_domain_and_not_the_portals_own() {
    let portal = Portal::start(|_| {}).await;
    let from_municipality = Visitor {
        referrer: Some("https://www.Kommun.example/nyheter/artikel?id=5#x"),
        ..Visitor::default()
    };
    let from_portal = Visitor {
        referrer: Some("https://brevlada.example/fragor"),
        ..Visitor::default()
    };
    portal.get("/fragor", from_municipality).await;
    portal.get("/fragor", from_portal).await;
    let counts = counts(&portal).await;
    let domains: Vec<Option<&str>> = counts
        .iter()
        .map(|count| count.referrer_domain.as_deref())
        .collect();
    assert_eq!(counts.len(), 2, "{counts:?}");
    assert!(domains.contains(&Some("www.kommun.example")), "{domains:?}");
    assert!(domains.contains(&None), "{domains:?}");
}

#[tokio::test]
async fn visits_are_not_counted_for_errors_images_or_the_stylesheet() {
    let portal = Portal::start(|_| {}).await;
    for uri in [
        "/avsandare/2120000158/pappersbrev",
        "/avsandare/2120000159/qr.svg",
        "/static/portal.css",
        "/finns-inte",
    ] {
        portal.get(uri, Visitor::default()).await;
    }
    assert_eq!(counts(&portal).await, Vec::new());
}

#[tokio::test]
async fn visits_behind_a_proxy_tell_visitors_apart_by_the_forwarded_address() {
    let portal = Portal::start(|config| {
        config.client_address_header = Some("x-forwarded-for".to_owned());
    })
    .await;
    for forwarded_for in ["203.0.113.9, 192.0.2.50", "192.0.2.51", "192.0.2.51"] {
        let visitor = Visitor {
            forwarded_for: Some(forwarded_for),
            ..Visitor::default()
        };
        portal.get("/", visitor).await;
    }
    let counts = counts(&portal).await;
    let start = find(&counts, "/", None);
    assert_eq!((start.visits, start.unique_visitors), (3, 2));
}

#[tokio::test]
async fn operator_choice_is_counted_with_its_source_and_redirects_with_it() {
    let portal = Portal::start(|_| {}).await;
    let uri = "/skaffa/exempelposten?avsandare=2120000159&kampanj=host2026";
    let (status, headers) = portal.get(uri, Visitor::default()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        headers[header::LOCATION],
        "http://127.0.0.1:9002/skaffa?avsandare=2120000159&kampanj=HOST2026"
    );
    assert!(headers.get(header::SET_COOKIE).is_none());
    let choices = portal
        .service
        .store()
        .operator_choice_counts(today(), today())
        .await
        .unwrap();
    assert_eq!(choices.len(), 1, "{choices:?}");
    assert_eq!(choices[0].operator_slug.as_str(), "exempelposten");
    assert_eq!(choices[0].sender.as_ref().unwrap().as_str(), "2120000159");
    assert_eq!(choices[0].campaign.as_ref().unwrap().as_str(), "HOST2026");
    assert_eq!(choices[0].choices, 1);
    // The redirect is not a page view.
    assert_eq!(counts(&portal).await, Vec::new());
}
