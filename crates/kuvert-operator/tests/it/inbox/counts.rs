//! Counts on the inbox pages read naturally for 0, 1 and 2, in Swedish and English; the
//! archive shows no count of the inbox's; an empty inbox offers a mailbox only to someone who
//! has none (issue 11).

use super::browser::{Browser, InboxSteps, new_browser};
use super::harness::{Inbox, start, store_letter_with};
use crate::{ELSEWHERE, HERE};

/// The page at `path` (with `?lang=` or `&lang=` added) as text.
async fn page(browser: &Browser, inbox: &Inbox, path: &str, lang: &str) -> String {
    let separator = if path.contains('?') { '&' } else { '?' };
    let url = inbox
        .base
        .join(&format!("{path}{separator}lang={lang}"))
        .unwrap();
    browser.get(url.as_str()).await.text().await.unwrap()
}

/// The inbox in Swedish and in English.
async fn both(browser: &Browser, inbox: &Inbox) -> (String, String) {
    (
        page(browser, inbox, "brevlada", "sv").await,
        page(browser, inbox, "brevlada", "en").await,
    )
}

#[tokio::test]
async fn inbox_counts_read_naturally_for_zero_one_and_two_in_both_languages() {
    let inbox = start().await;
    let browser = new_browser();
    browser.log_in(&inbox, 0, "login").await;
    let (sv, en) = both(&browser, &inbox).await;
    assert!(
        sv.contains("<p class=\"unread-count\">0 olästa meddelanden</p>"),
        "{sv}"
    );
    assert!(
        en.contains("<p class=\"unread-count\">0 unread messages</p>"),
        "{en}"
    );

    store_letter_with(&inbox, crate::person(HERE), 0).await;
    let (sv, en) = both(&browser, &inbox).await;
    assert!(sv.contains(">1 oläst meddelande</p>"), "{sv}");
    assert!(en.contains(">1 unread message</p>"), "{en}");
    assert!(
        !sv.contains("attachment-count"),
        "no attachments, no count: {sv}"
    );

    store_letter_with(&inbox, crate::person(HERE), 1).await;
    let (sv, en) = both(&browser, &inbox).await;
    assert!(sv.contains(">2 olästa meddelanden</p>"), "{sv}");
    assert!(en.contains(">2 unread messages</p>"), "{en}");
    assert!(sv.contains("(1 bilaga)"), "{sv}");
    assert!(en.contains("(1 attachment)"), "{en}");

    store_letter_with(&inbox, crate::person(HERE), 2).await;
    let (sv, en) = both(&browser, &inbox).await;
    assert!(
        sv.contains("(2 bilagor)") && sv.contains("(1 bilaga)"),
        "{sv}"
    );
    assert!(
        en.contains("(2 attachments)") && en.contains("(1 attachment)"),
        "{en}"
    );
}

#[tokio::test]
async fn the_archive_shows_no_unread_count_of_the_inbox() {
    let inbox = start().await;
    store_letter_with(&inbox, crate::person(HERE), 1).await;
    let browser = new_browser();
    browser.log_in(&inbox, 0, "login").await;
    for lang in ["sv", "en"] {
        let archive = page(&browser, &inbox, "brevlada?mapp=arkiv", lang).await;
        assert!(!archive.contains("unread-count"), "{archive}");
        let listed = page(&browser, &inbox, "brevlada", lang).await;
        assert!(listed.contains("unread-count"), "{listed}");
    }
}

#[tokio::test]
async fn an_empty_inbox_offers_a_mailbox_only_to_someone_without_one() {
    let inbox = start().await;
    for (person_idx, who, is_offered) in [(0, HERE, false), (1, ELSEWHERE, false), (2, "", true)] {
        let browser = new_browser();
        browser.log_in(&inbox, person_idx, "login").await;
        for (lang, offer) in [
            ("sv", "Skaffa digital brevlåda"),
            ("en", "Get a digital mailbox"),
        ] {
            let html = page(&browser, &inbox, "brevlada", lang).await;
            assert_eq!(
                html.contains("href=\"/skaffa\"") && html.contains(offer),
                is_offered,
                "person {person_idx} {who} ({lang}): {html}"
            );
        }
    }
}
