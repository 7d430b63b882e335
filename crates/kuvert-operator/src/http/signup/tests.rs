//! Deep links: which `avsandare` and `kampanj` values become a registration's source.

use super::*;

#[track_caller]
fn check(avsandare: Option<&str>, kampanj: Option<&str>, expected: Option<(&str, Option<&str>)>) {
    let link = DeepLink {
        avsandare: avsandare.map(str::to_owned),
        kampanj: kampanj.map(str::to_owned),
    };
    let source = link.source();
    let actual = source.as_ref().map(|source| {
        (
            source.sender.as_str(),
            source.campaign.as_ref().map(CampaignCode::as_str),
        )
    });
    assert_eq!(
        actual, expected,
        "avsandare={avsandare:?} kampanj={kampanj:?}"
    );
}

#[test]
fn deep_link_keeps_a_valid_sender_and_upper_cases_the_campaign() {
    check(
        Some("2120000159"),
        Some("vinter_2026-a"),
        Some(("2120000159", Some("VINTER_2026-A"))),
    );
    check(Some(" 2120000159 "), None, Some(("2120000159", None)));
    check(
        Some("2120000159"),
        Some(&"K".repeat(32)),
        Some(("2120000159", Some(&*"K".repeat(32)))),
    );
}

#[test]
fn deep_link_drops_an_invalid_campaign_but_keeps_the_sender() {
    for campaign in ["", "vinter 2026", "kampanj!", "å", &"K".repeat(33)] {
        check(
            Some("2120000159"),
            Some(campaign),
            Some(("2120000159", None)),
        );
    }
}

#[test]
fn deep_link_without_a_valid_sender_has_no_source() {
    check(None, Some("VINTER"), None);
    check(Some("123"), Some("VINTER"), None);
    check(Some("2120000158"), None, None);
}
