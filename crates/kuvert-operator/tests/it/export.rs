//! "Ladda ner alla brev" and the access log over real HTTP (the inbox harness): the zip holds
//! exactly the stored sealed deliveries and receipts of the mailbox the person acts for, each
//! one verifies as evidence, nobody exports or sees the log of a mailbox that is not theirs,
//! and the log lists every opening.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use kuvert_core::id::{PersonalIdentityNumber, RecipientId};
use kuvert_core::message::{
    AttachmentContentType, DeliveryKey, Filename, MessageId, Receipt, SenderName, Subject, TransId,
};
use kuvert_store::operator::{AttachmentInfo, AuditAction, DeliveryId, NewDelivery, StoreOutcome};
use kuvert_wire::envelope::BodyElement;
use kuvert_wire::service::DeliverSecureResponse;
use kuvert_xmldsig::trust::TrustAnchors;
use reqwest::StatusCode;

use crate::inbox::browser::{Browser, InboxSteps, new_browser};
use crate::inbox::harness::{Inbox, start};
use crate::{ELSEWHERE, HERE, INTERMEDIARY, Letter, pki};

/// What was stored for one letter: the exact bytes the zip must hold.
struct Stored {
    id: DeliveryId,
    sealed_delivery: String,
    receipt_xml: String,
}

/// Stores a signed and sealed letter to `HERE` (signed for `HERE`, so the evidence holds) in
/// `mailbox`, with a real receipt.
async fn store(inbox: &Inbox, mailbox: RecipientId, subject: &'static str) -> Stored {
    let mut letter = Letter::to(HERE);
    letter.subject = subject;
    let sealed_delivery = letter.envelope();
    let trans_id = TransId::from_uuid(uuid::Uuid::new_v4());
    let receipt_xml = DeliverSecureResponse {
        receipt: Receipt {
            trans_id: trans_id.clone(),
            recipient: crate::person(HERE),
            is_delivered: true,
        },
    }
    .to_envelope();
    let delivery = NewDelivery {
        key: DeliveryKey {
            sender: crate::org(letter.sender),
            message_id: MessageId::parse(&letter.message_id).unwrap(),
        },
        content_digest: crate::inbox::harness::content_digest(&sealed_delivery),
        recipient: mailbox,
        trans_id,
        received_at: time::OffsetDateTime::now_utc(),
        sealed_delivery: bytes::Bytes::from(sealed_delivery.clone()),
        receipt_xml: receipt_xml.clone(),
        subject: Subject::parse(subject).unwrap(),
        sender_name: SenderName::parse("Exempelkommun").unwrap(),
        attachments: vec![AttachmentInfo {
            filename: Filename::parse("beslut.pdf").unwrap(),
            content_type: AttachmentContentType::Pdf,
            size_bytes: 13,
        }],
    };
    let StoreOutcome::Stored(stored) = inbox.store.store_delivery(delivery).await.unwrap() else {
        panic!("a fresh message id is stored anew");
    };
    Stored {
        id: stored.delivery_id,
        sealed_delivery,
        receipt_xml,
    }
}

fn url(inbox: &Inbox, path: &str) -> String {
    inbox.base.join(path).unwrap().as_str().to_owned()
}

/// Posts the export form and returns the zip's entries by name.
async fn export(browser: &Browser, inbox: &Inbox) -> BTreeMap<String, Vec<u8>> {
    let token = browser.csrf_token(inbox).await;
    let response = browser
        .post_form(
            &url(inbox, "installningar/export"),
            &[("csrf_token".to_owned(), token)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/zip");
    assert_eq!(headers["cache-control"], "no-store");
    let day = kuvert_core::calendar::stockholm_day(time::OffsetDateTime::now_utc());
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert_eq!(
        disposition,
        format!(
            "attachment; filename=\"brev-{:04}-{:02}-{:02}.zip\"",
            day.year(),
            u8::from(day.month()),
            day.day()
        )
    );
    let bytes = response.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).unwrap();
    let mut entries = BTreeMap::new();
    for index in 0..zip.len() {
        let mut entry = zip.by_index(index).unwrap();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).unwrap();
        entries.insert(entry.name().to_owned(), content);
    }
    entries
}

/// The letter folders of an export (`<date>_<id>`).
fn folders(entries: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut folders: Vec<String> = entries
        .keys()
        .filter_map(|name| name.split_once('/').map(|(folder, _)| folder.to_owned()))
        .collect();
    folders.dedup();
    folders
}

fn folder_of(entries: &BTreeMap<String, Vec<u8>>, id: DeliveryId) -> String {
    folders(entries)
        .into_iter()
        .find(|folder| folder.ends_with(&format!("_{id}")))
        .unwrap_or_else(|| panic!("no folder for {id} in {:?}", entries.keys()))
}

#[tokio::test]
async fn export_zip_holds_the_stored_sealed_deliveries_and_receipts_byte_for_byte() {
    let inbox = start().await;
    let first = store(&inbox, crate::person(HERE), "Beslut om bygglov").await;
    let second = store(&inbox, crate::person(HERE), "Kallelse till möte").await;
    inbox
        .store
        .set_archived(&crate::person(HERE), second.id, true)
        .await
        .unwrap();
    let others = store(&inbox, crate::person(ELSEWHERE), "Annans brev").await;

    let browser = new_browser();
    browser.log_in(&inbox, 0, "login").await;
    let page = browser.get(&url(&inbox, "installningar/export")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Ladda ner alla brev (zip)"), "{html}");
    assert!(html.contains("name=\"csrf_token\""), "{html}");
    let forged = browser
        .post_form(
            &url(&inbox, "installningar/export"),
            &[("csrf_token".to_owned(), "00".repeat(32))],
        )
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    let entries = export(&browser, &inbox).await;
    assert_eq!(folders(&entries).len(), 2, "{:?}", entries.keys());
    let anchors = TrustAnchors::from_pem(pki().organisation_ca_pem()).unwrap();
    for stored in [&first, &second] {
        let folder = folder_of(&entries, stored.id);
        let sealed = &entries[&format!("{folder}/forsegling.xml")];
        let receipt = &entries[&format!("{folder}/kvittens.xml")];
        assert_eq!(sealed, stored.sealed_delivery.as_bytes());
        assert_eq!(receipt, stored.receipt_xml.as_bytes());
        let report =
            kuvert_wire::evidence::verify_evidence(sealed, receipt, Some(&anchors)).unwrap();
        assert_eq!(report.signer.organisation_number.as_str(), crate::SENDER);
        assert_eq!(report.sealer.organisation_number.as_str(), INTERMEDIARY);
    }
    assert!(
        !entries
            .keys()
            .any(|name| name.contains(&others.id.to_string())),
        "another person's letter is not exported"
    );
    let manifest: serde_json::Value = serde_json::from_slice(&entries["manifest.json"]).unwrap();
    let letters = manifest["letters"].as_array().unwrap();
    assert_eq!(letters.len(), 2);
    assert!(
        letters
            .iter()
            .any(|letter| letter["subject"] == "Kallelse till möte")
    );
    let readme = String::from_utf8(entries["LASMIG.txt"].clone()).unwrap();
    assert!(readme.contains("kuvert verify"), "{readme}");

    let events = inbox
        .store
        .audit_events(&crate::person(HERE), 10)
        .await
        .unwrap();
    let exported: Vec<DeliveryId> = events
        .iter()
        .filter(|event| event.action == AuditAction::ExportedLetter)
        .map(|event| event.delivery)
        .collect();
    assert_eq!(
        exported.len(),
        2,
        "the export is in the access log: {events:?}"
    );
    assert!(exported.contains(&first.id) && exported.contains(&second.id));
}

#[tokio::test]
async fn export_covers_only_the_mailbox_the_person_acts_for() {
    let inbox = start().await;
    let company = crate::org(INTERMEDIARY);
    let company_mailbox = RecipientId::Organisation(company.clone());
    let company_letter = store(&inbox, company_mailbox.clone(), "Till företaget").await;
    let own_letter = store(&inbox, crate::person(HERE), "Till Hanna").await;
    // ELSEWHERE's mailbox is now at another operator; letters from before stay here.
    let moved_letter = store(&inbox, crate::person(ELSEWHERE), "Före flytten").await;

    let here = new_browser();
    here.log_in(&inbox, 0, "login").await;
    let entries = export(&here, &inbox).await;
    assert_eq!(folders(&entries), vec![folder_of(&entries, own_letter.id)]);

    let now = time::OffsetDateTime::now_utc();
    let here_number = PersonalIdentityNumber::parse(HERE).unwrap();
    inbox
        .store
        .grant_representation(&company, &here_number, now)
        .await
        .unwrap();
    let token = here.csrf_token(&inbox).await;
    let chosen = here
        .post_form(
            &url(&inbox, "brevlada/valj"),
            &[
                ("csrf_token".to_owned(), token),
                ("mailbox".to_owned(), company.as_str().to_owned()),
            ],
        )
        .await;
    assert_eq!(chosen.status(), StatusCode::SEE_OTHER);
    let page = here.get(&url(&inbox, "installningar/export")).await;
    assert!(page.text().await.unwrap().contains(company.as_str()));
    let entries = export(&here, &inbox).await;
    assert_eq!(
        folders(&entries),
        vec![folder_of(&entries, company_letter.id)],
        "a representative exports the company mailbox"
    );

    let elsewhere = new_browser();
    elsewhere.log_in(&inbox, 1, "login").await;
    let entries = export(&elsewhere, &inbox).await;
    assert_eq!(
        folders(&entries),
        vec![folder_of(&entries, moved_letter.id)],
        "letters stay exportable after a change of mailbox, and nobody else's are included"
    );
}

#[tokio::test]
async fn audit_log_lists_openings_newest_first_for_the_holder_only() {
    let inbox = start().await;
    let letter = store(&inbox, crate::person(HERE), "Beslut om bygglov").await;
    let here = new_browser();
    here.log_in(&inbox, 0, "login").await;
    let empty = here.get(&url(&inbox, "installningar/logg")).await;
    assert_eq!(empty.status(), StatusCode::OK);
    assert!(
        empty
            .text()
            .await
            .unwrap()
            .contains("Inget brev i brevlådan har öppnats ännu.")
    );

    let read = here.get(&url(&inbox, &format!("brev/{}", letter.id))).await;
    assert_eq!(read.status(), StatusCode::OK);
    let download = here
        .get(&url(&inbox, &format!("brev/{}/bilaga/0", letter.id)))
        .await;
    assert_eq!(download.status(), StatusCode::OK);

    let html = here
        .get(&url(&inbox, "installningar/logg"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("<caption>"), "{html}");
    assert!(html.contains("<th scope=\"col\">Vem</th>"), "{html}");
    let attachment = html
        .find("Öppnade bilagan: beslut.pdf (Beslut om bygglov, från Exempelkommun)")
        .unwrap_or_else(|| panic!("{html}"));
    let letter_opened = html
        .find("Öppnade brevet: Beslut om bygglov (från Exempelkommun)")
        .unwrap_or_else(|| panic!("{html}"));
    assert!(attachment < letter_opened, "newest first: {html}");
    assert!(html.contains("<td>Du"), "{html}");
    assert!(html.contains("Egen brevlåda"), "{html}");

    let english = here
        .get(&url(&inbox, "installningar/logg?lang=en"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        english.contains("Opened the attachment: beslut.pdf"),
        "{english}"
    );

    let elsewhere = new_browser();
    elsewhere.log_in(&inbox, 1, "login").await;
    let theirs = elsewhere
        .get(&url(&inbox, "installningar/logg"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!theirs.contains("Beslut om bygglov"), "{theirs}");
    assert!(
        theirs.contains("Inget brev i brevlådan har öppnats ännu."),
        "{theirs}"
    );
}

#[tokio::test]
async fn audit_log_of_a_company_mailbox_shows_other_representatives_masked() {
    let inbox = start().await;
    let company = crate::org(INTERMEDIARY);
    let company_mailbox = RecipientId::Organisation(company.clone());
    let letter = store(&inbox, company_mailbox, "Till företaget").await;
    let now = time::OffsetDateTime::now_utc();
    for person in [HERE, ELSEWHERE] {
        let person = PersonalIdentityNumber::parse(person).unwrap();
        inbox
            .store
            .grant_representation(&company, &person, now)
            .await
            .unwrap();
    }
    let mut browsers = Vec::new();
    for person_idx in [0, 1] {
        let browser = new_browser();
        browser.log_in(&inbox, person_idx, "login").await;
        let token = browser.csrf_token(&inbox).await;
        browser
            .post_form(
                &url(&inbox, "brevlada/valj"),
                &[
                    ("csrf_token".to_owned(), token),
                    ("mailbox".to_owned(), company.as_str().to_owned()),
                ],
            )
            .await;
        browsers.push(browser);
    }
    let read = browsers[1]
        .get(&url(&inbox, &format!("brev/{}", letter.id)))
        .await;
    assert_eq!(read.status(), StatusCode::OK);

    let html = browsers[0]
        .get(&url(&inbox, "installningar/logg"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("19121212-****"),
        "another person is masked: {html}"
    );
    assert!(!html.contains(ELSEWHERE), "{html}");
    assert!(
        html.contains(&format!("Som ombud för företaget {}", company.as_str())),
        "{html}"
    );
}

#[tokio::test]
async fn audit_log_pages_fifty_events_at_a_time() {
    let inbox = start().await;
    let letter = store(&inbox, crate::person(HERE), "Beslut om bygglov").await;
    let actor = PersonalIdentityNumber::parse(HERE).unwrap();
    let first = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
    for minute in 0..51 {
        let access = kuvert_store::operator::LetterAccess {
            mailbox: crate::person(HERE),
            delivery: letter.id,
            actor: actor.clone(),
            action: AuditAction::OpenedLetter,
            at: first + time::Duration::minutes(minute),
        };
        inbox.store.open_letter(&access).await.unwrap();
    }
    let here = new_browser();
    here.log_in(&inbox, 0, "login").await;
    let first_page = here
        .get(&url(&inbox, "installningar/logg"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(first_page.matches("<th scope=\"row\">").count(), 50);
    assert!(
        first_page.contains("href=\"/installningar/logg?sida=2\""),
        "{first_page}"
    );
    let second_page = here
        .get(&url(&inbox, "installningar/logg?sida=2"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(second_page.matches("<th scope=\"row\">").count(), 1);
    assert!(
        second_page.contains("href=\"/installningar/logg?sida=1\""),
        "{second_page}"
    );
    assert!(!second_page.contains("sida=3"), "{second_page}");
}

#[tokio::test]
async fn export_walks_a_mailbox_larger_than_one_store_page() {
    let inbox = start().await;
    let page = usize::try_from(kuvert_core::limits::LETTERS_PER_PAGE_MAX).unwrap();
    let mut ids = Vec::new();
    for _ in 0..=page {
        ids.push(
            store(&inbox, crate::person(HERE), "Beslut om bygglov")
                .await
                .id,
        );
    }
    let here = new_browser();
    here.log_in(&inbox, 0, "login").await;
    let entries = export(&here, &inbox).await;
    assert_eq!(folders(&entries).len(), page + 1);
    for id in ids {
        folder_of(&entries, id);
    }
}
