//! Issue 10: the read view says what was verified (who signed, who sealed, when it arrived,
//! in Swedish time) and shows the sender's support information; and a stored envelope whose
//! only letter the signatures do not cover is never shown as a letter.

use kuvert_core::message::{EmailAddress, PhoneNumber, SupportInfo, SupportText, SupportUrl};
use reqwest::StatusCode;

use super::browser::{InboxSteps, new_browser};
use super::harness::{start, store_signed_letter};
use super::url;
use crate::{HERE, INTERMEDIARY, Letter, SENDER};

#[tokio::test]
async fn read_view_shows_signer_sealer_received_time_and_support_information() {
    let inbox = start().await;
    let letter = Letter {
        support_info: Some(SupportInfo {
            text: SupportText::parse("Bygglovsenheten svarar på frågor").unwrap(),
            url: Some(SupportUrl::parse("https://exempelkommun.se/bygglov").unwrap()),
            phone: Some(PhoneNumber::parse("010-123 45 67").unwrap()),
            email: Some(EmailAddress::parse("bygglov@exempelkommun.se").unwrap()),
        }),
        ..Letter::to(HERE)
    };
    let id = store_signed_letter(&inbox, &letter, crate::person(HERE)).await;
    let browser = new_browser();
    browser.log_in(&inbox, 0, "login").await;
    let html = browser
        .get(&url(&inbox, &format!("brev/{id}")))
        .await
        .text()
        .await
        .unwrap();
    for expected in [
        "Signerat av avsändaren",
        &format!("Exempelkommun, organisationsnummer {SENDER}"),
        "Förseglat av förmedlaren",
        &format!("Exempelförmedlaren, organisationsnummer {INTERMEDIARY}"),
        "Frågor om brevet",
        "Bygglovsenheten svarar på frågor",
        "010-123 45 67",
        "href=\"mailto:bygglov@exempelkommun.se\"",
        "href=\"https://exempelkommun.se/bygglov\"",
    ] {
        assert!(html.contains(expected), "{expected:?} missing in {html}");
    }
    let now = time::OffsetDateTime::now_utc();
    let swedish_day = kuvert_core::calendar::stockholm_day(now).to_string();
    assert!(html.contains(&swedish_day), "{html}");
    assert!(!html.contains("UTC"), "times are Swedish: {html}");

    let english = browser
        .get(&url(&inbox, &format!("brev/{id}?lang=en")))
        .await
        .text()
        .await
        .unwrap();
    assert!(english.contains("Signed by the sender"), "{english}");
    assert!(english.contains("Sealed by the intermediary"), "{english}");
}

#[tokio::test]
async fn read_view_leaves_out_support_details_the_sender_did_not_give() {
    let inbox = start().await;
    let id = store_signed_letter(&inbox, &Letter::to(HERE), crate::person(HERE)).await;
    let browser = new_browser();
    browser.log_in(&inbox, 0, "login").await;
    let html = browser
        .get(&url(&inbox, &format!("brev/{id}")))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Ring oss på 010-123 45 67"), "{html}");
    assert!(!html.contains("mailto:"), "{html}");
    assert!(!html.contains("<dt>Webbplats</dt>"), "{html}");
}

#[tokio::test]
async fn read_view_never_shows_a_letter_the_signatures_do_not_cover() {
    // Issue 10 item 1: an unsigned SignedDelivery in soap:Header was what the inbox showed.
    // Stored straight into the store (bypassing intake), it is refused on reading too.
    let inbox = start().await;
    let forged = Letter {
        subject: "Betala 9999 kr",
        ..Letter::to(HERE)
    }
    .unsigned();
    let letter = Letter::to(HERE);
    let hostile = letter.envelope().replacen(
        "<soap:Body>",
        &format!("<soap:Header>{forged}</soap:Header><soap:Body>"),
        1,
    );
    let id = super::harness::store_envelope(&inbox, &letter, hostile).await;
    let browser = new_browser();
    browser.log_in(&inbox, 0, "login").await;
    let read = browser.get(&url(&inbox, &format!("brev/{id}"))).await;
    assert_eq!(read.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let html = read.text().await.unwrap();
    assert!(!html.contains("Betala 9999 kr"), "{html}");
    let download = browser
        .get(&url(&inbox, &format!("brev/{id}/bilaga/0")))
        .await;
    assert_eq!(download.status(), StatusCode::INTERNAL_SERVER_ERROR);
}
