//! Deep links and paper-letter notices: the address, the text and a QR code that decodes.

use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::OrganisationNumber;

use super::{DeepLinkError, deep_link, paper_letter_notice};

fn sender() -> OrganisationNumber {
    OrganisationNumber::parse("2120000159").unwrap()
}

#[test]
fn deep_link_names_sender_and_campaign_on_the_portal_signup() {
    let portal: url::Url = "https://brevlada.example/".parse().unwrap();
    let campaign = CampaignCode::parse("host2026").unwrap();
    let link = deep_link(&portal, &sender(), Some(&campaign)).unwrap();
    assert_eq!(
        link.as_str(),
        format!(
            "https://brevlada.example/skaffa?avsandare=2120000159&kampanj={}",
            campaign.as_str()
        )
    );
}

#[test]
fn deep_link_keeps_a_portal_under_a_path_and_drops_its_query() {
    let portal: url::Url = "https://kommun.example/portal?x=1#top".parse().unwrap();
    let link = deep_link(&portal, &sender(), None).unwrap();
    assert_eq!(
        link.as_str(),
        "https://kommun.example/portal/skaffa?avsandare=2120000159"
    );
}

#[test]
fn deep_link_refuses_an_address_without_paths() {
    let portal: url::Url = "mailto:info@example.se".parse().unwrap();
    let error = deep_link(&portal, &sender(), None).unwrap_err();
    assert!(matches!(error, DeepLinkError::NotABase(_)));
}

#[test]
fn paper_letter_notice_has_the_short_address_and_an_svg_qr_code() {
    let portal: url::Url = "https://brevlada.example".parse().unwrap();
    let notice = paper_letter_notice(&portal, &sender(), None).unwrap();
    assert_eq!(
        notice.text,
        "Du kan få det här brevet digitalt nästa gång. Säkert, praktiskt, miljövänligt och \
         billigt. Skaffa digital brevlåda: \
         brevlada.example/skaffa?avsandare=2120000159"
    );
    assert!(notice.qr_svg.contains("<svg"));
    assert!(notice.qr_svg.contains("<path"));
    assert!(notice.qr_svg.ends_with("</svg>"));
}

#[test]
fn paper_letter_notice_refuses_a_link_too_long_for_a_qr_code() {
    let long = format!("https://brevlada.example/{}/", "sida".repeat(1_000));
    let portal: url::Url = long.parse().unwrap();
    let error = paper_letter_notice(&portal, &sender(), None).unwrap_err();
    assert!(matches!(error, DeepLinkError::TooLong { .. }));
}
