//! A letter's whole path: the sender toolkit asks the registry, signs, seals and delivers to
//! the operator; the person logs in through the test e-ID, finds the letter, downloads the
//! attachment; the notification e-mail goes out.

use std::time::Duration;

use kuvert::seed;
use kuvert::testkit::{Federation, FederationOptions};
use kuvert_core::id::RecipientId;
use kuvert_core::message::EmailAddress;
use kuvert_sender::Outcome;
use kuvert_store::operator::{
    CodeCheck, CodeIssue, ConfirmationCode, Folder, MailboxQuery, NotificationAddress,
    NotificationChannel, OperatorStore,
};

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn letter_reaches_the_inbox_and_notifies_when_sent_through_the_toolkit() {
    let smtp = kuvert_testenv::external("SMTP", "the notification e-mail at a real SMTP server");
    let maildir = smtp
        .as_ref()
        .and_then(|_| kuvert_testenv::external_path("SMTP_MAILDIR", "the delivered e-mail"));
    let federation = Federation::start(FederationOptions {
        smtp_address: smtp.clone(),
        ..FederationOptions::default()
    })
    .await;
    let person = seed::person("tolvan").unwrap();
    let operator = seed::organisation(person.operator.unwrap()).unwrap();
    let mailbox = RecipientId::Person(person.personal_identity_number());
    let store = federation.operator(&operator).store();
    let address = subscribe_by_email(store.as_ref(), &mailbox).await;

    let subject = "Beslut om bygglov";
    let attachment = kuvert_sender::pdf_attachment("beslut.pdf", PDF.to_vec()).unwrap();
    let letter = federation.letter(&seed::SENDERS[0], person, subject, vec![attachment]);
    let Outcome::Delivered {
        receipt,
        operator: operator_name,
        message_id,
    } = federation.send(&letter).await.unwrap()
    else {
        panic!("a registered person is reachable");
    };
    assert_eq!(operator_name, operator.name);
    assert!(receipt.is_delivered);
    assert_eq!(receipt.recipient, mailbox);
    let stored = stored_letter(store.as_ref(), &mailbox, subject).await;
    assert_eq!(
        stored.trans_id, receipt.trans_id,
        "the receipt is the stored delivery's"
    );
    assert_eq!(stored.message_id, message_id);

    let inbox_url = url::Url::parse(&inbox_of(&federation, operator.key)).unwrap();
    let browser = federation.login_as(person).await;
    let inbox = browser
        .get(inbox_url.join("brevlada").unwrap().as_str())
        .await;
    assert_eq!(inbox.status(), 200);
    assert!(
        inbox.text().await.unwrap().contains(subject),
        "the inbox lists the letter"
    );
    let letter_url = inbox_url
        .join(&format!("brev/{}", stored.summary.id))
        .unwrap();
    let read = browser.get(letter_url.as_str()).await;
    assert_eq!(read.status(), 200);
    let href = attachment_href(&read.text().await.unwrap()).expect("the attachment is linked");
    let download = browser.get(inbox_url.join(&href).unwrap().as_str()).await;
    assert_eq!(download.status(), 200);
    assert_eq!(download.headers()["content-type"], "application/pdf");
    assert_eq!(
        download.bytes().await.unwrap().as_ref(),
        PDF,
        "byte-identical attachment"
    );

    assert_eq!(federation.drain_notifications().await, 1);
    let mail = match &maildir {
        Some(maildir) => wait_for_mail(maildir, &address).await,
        None => find_mail(&federation.manifest().mail_dir, &address).unwrap(),
    };
    // The body names the sender and the operator (TERMS.md wording), in 8-bit UTF-8.
    assert!(mail.contains(seed::SENDERS[0].name), "{mail}");
    assert!(mail.contains(operator.name), "{mail}");
    assert!(
        !mail.contains(subject),
        "the e-mail never carries the letter's subject"
    );
}

/// Gives the mailbox a confirmed, unique e-mail address (so this test finds its own e-mail
/// in the shared Maildir) and returns it.
async fn subscribe_by_email(store: &dyn OperatorStore, mailbox: &RecipientId) -> String {
    let address = format!("tolvan-{}@kuvert.example", uuid::Uuid::new_v4().simple());
    let email = NotificationAddress::Email(EmailAddress::parse(&address).unwrap());
    let code = ConfirmationCode::parse("A1B2C3").unwrap();
    let now = time::OffsetDateTime::now_utc();
    store
        .issue_confirmation_code(mailbox, &email, &code, now)
        .await
        .and_then(CodeIssue::into_issued)
        .unwrap();
    let channel = NotificationChannel::Email;
    store
        .check_confirmation_code(mailbox, channel, &code, now)
        .await
        .and_then(CodeCheck::into_confirmed)
        .unwrap();
    address
}

async fn stored_letter(
    store: &dyn OperatorStore,
    mailbox: &RecipientId,
    subject: &str,
) -> kuvert_store::operator::Letter {
    let query = MailboxQuery {
        recipient: mailbox.clone(),
        folder: Folder::Inbox,
        sender: None,
        search: None,
        page: 0,
        page_size: 50,
    };
    let page = store.letters(&query).await.unwrap();
    let summary = page
        .letters
        .iter()
        .find(|l| l.subject.as_str() == subject)
        .unwrap();
    store.letter(mailbox, summary.id).await.unwrap()
}

fn inbox_of(federation: &Federation, operator: &str) -> String {
    let manifest = federation.manifest();
    manifest
        .operators
        .iter()
        .find(|o| o.organisation.key == operator)
        .unwrap()
        .inbox_url
        .clone()
}

fn attachment_href(page: &str) -> Option<String> {
    let start = page.find("href=\"/brev/")? + "href=\"".len();
    let candidates = page[start..].split("href=\"");
    std::iter::once(&page[start..])
        .chain(candidates)
        .filter_map(|rest| rest.split('"').next())
        .find(|href| href.contains("/bilaga/"))
        .map(str::to_owned)
}

/// The first file under `dir` (any depth) that mentions `address`.
fn find_mail(dir: &std::path::Path, address: &str) -> Option<String> {
    for entry in std::fs::read_dir(dir).ok()? {
        let path = entry.ok()?.path();
        if path.is_dir() {
            if let Some(mail) = find_mail(&path, address) {
                return Some(mail);
            }
        } else if let Ok(text) = std::fs::read_to_string(&path)
            && text.contains(address)
        {
            return Some(text);
        }
    }
    None
}

/// The SMTP server writes the Maildir file shortly after accepting the message.
async fn wait_for_mail(maildir: &std::path::Path, address: &str) -> String {
    for _ in 0..100 {
        if let Some(mail) = find_mail(maildir, address) {
            return mail;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no e-mail to {address} in {}", maildir.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restarted_federation_keeps_letters_and_registrations_and_seeds_nothing_twice() {
    let mut federation = Federation::start(FederationOptions::default()).await;
    let bertil = seed::person("bertil").unwrap();
    let letter = federation.letter(&seed::SENDERS[0], bertil, "Före omstarten", vec![]);
    assert!(matches!(
        federation.send(&letter).await.unwrap(),
        Outcome::Delivered { .. }
    ));

    federation.restart().await;

    let operator = seed::organisation(bertil.operator.unwrap()).unwrap();
    let store = federation.operator(&operator).store();
    let mailbox = RecipientId::Person(bertil.personal_identity_number());
    stored_letter(store.as_ref(), &mailbox, "Före omstarten").await;
    // The operators moved to new ports; the registry must point at the new ones.
    let letter = federation.letter(&seed::SENDERS[0], bertil, "Efter omstarten", vec![]);
    assert!(matches!(
        federation.send(&letter).await.unwrap(),
        Outcome::Delivered { .. }
    ));
    // Anna's deselection survived the restart.
    let anna = seed::person("anna").unwrap();
    let letter = federation.letter(&seed::SENDERS[1], anna, "Bortvald", vec![]);
    let outcome = federation.send(&letter).await.unwrap();
    assert!(
        matches!(
            outcome,
            Outcome::Paper {
                reason: kuvert_sender::PaperReason::SenderDeselected
            }
        ),
        "{outcome:?}"
    );
}
