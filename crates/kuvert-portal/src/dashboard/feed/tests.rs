//! Unit tests of the feed's parsing: a well-formed feed becomes the model's values, a bad
//! value is refused by field.

use time::macros::date;

use super::*;

const FEED: &str = r#"{
  "registrations": [
    {"day": "2026-03-02", "operator": "5566778899", "kind": "person", "source_sender": "2120000829",
     "source_campaign": "VAR-2026", "registered": 5, "deregistered": 1, "moved_in": 0,
     "moved_out": 0},
    {"day": "2026-03-03", "operator": "5566778899", "kind": "company", "source_sender": null,
     "source_campaign": null, "registered": 2, "deregistered": 0, "moved_in": 1, "moved_out": 0}
  ],
  "letters": [{"sender": "2120000829", "month": "2026-02", "digital": 7, "paper": 3}],
  "mailboxes_before": {"person": 100, "company": 10},
  "senders": 3,
  "operators": [{"organisation_number": "5566778899", "name": "Demobrevlådan"}]
}"#;

#[test]
fn feed_parses_into_the_model() {
    let json: StatisticsJson = serde_json::from_str(FEED).unwrap();
    let statistics = json
        .into_statistics(date!(2026 - 03 - 01), date!(2026 - 03 - 31))
        .unwrap();
    assert_eq!(statistics.registrations.len(), 2);
    let first = &statistics.registrations[0];
    assert_eq!(first.day, date!(2026 - 03 - 02));
    assert_eq!(first.kind, MailboxKind::Person);
    assert_eq!(first.source_campaign.as_ref().unwrap().as_str(), "VAR-2026");
    assert_eq!(statistics.registrations[1].source_sender, None);
    assert_eq!(statistics.letters[0].month.to_string(), "2026-02");
    assert_eq!(
        statistics.mailboxes_before,
        KindCounts {
            persons: 100,
            companies: 10
        }
    );
    assert!(statistics.mailboxes_before_per_operator.is_empty());
    assert_eq!(statistics.operator_names[0].1, "Demobrevlådan");
}

#[test]
fn feed_with_an_unknown_kind_is_refused_by_field() {
    let json: StatisticsJson =
        serde_json::from_str(&FEED.replace("\"kind\": \"company\"", "\"kind\": \"robot\""))
            .unwrap();
    let error = json
        .into_statistics(date!(2026 - 03 - 01), date!(2026 - 03 - 31))
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "statistics feed field `registrations.kind` has an invalid value \"robot\""
    );
}

#[test]
fn each_page_asks_the_feed_for_what_it_shows() {
    let (from, to) = (date!(2026 - 01 - 01), date!(2026 - 12 - 31));
    let range = "/api/v1/statistics?from=2026-01-01&to=2026-12-31";
    assert_eq!(
        feed_paths(from, to, FeedScope::Public),
        [format!("{range}&sources=none")]
    );
    assert_eq!(
        feed_paths(from, to, FeedScope::Campaigns(&[])),
        [format!("{range}&sources=none&letters=false")]
    );
    let one = [CampaignCode::parse("var-2026").unwrap()];
    assert_eq!(
        feed_paths(from, to, FeedScope::Campaigns(&one)),
        [format!(
            "{range}&sources=campaign&campaign=VAR-2026&letters=false"
        )]
    );
    let many: Vec<CampaignCode> = (0..120)
        .map(|index| CampaignCode::parse(&format!("K-{index}")).unwrap())
        .collect();
    let paths = feed_paths(from, to, FeedScope::Campaigns(&many));
    let codes: Vec<usize> = paths
        .iter()
        .map(|path| path.split("campaign=").nth(1).unwrap().split(',').count())
        .collect();
    assert_eq!(codes, [50, 50, 20], "pieces within the registry's limit");
    assert!(paths[2].contains("campaign=K-100,K-101,"), "{}", paths[2]);
}
