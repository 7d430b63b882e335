//! What the suite expects to be accepted: the legitimate controls (the production signer, the
//! intermediary signing for the sender, the hand-made signer with an `Id` reference) and the
//! idempotent resends; and the idempotency conflicts (same sender and message Id, other
//! content: fault 5007 that reveals nothing of the first letter). Every accepted letter is
//! read back through the inbox (read view, attachments) and the export (`kuvert verify` and
//! the letter read from the exported evidence) and compared byte for byte with what was signed.

use std::io::{Cursor, Read as _};
use std::process::Command;

use kuvert::seed;
use kuvert_core::id::RecipientId;
use kuvert_core::message::{Receipt, SealDate, SecureDelivery, SecureMessage, Subject};
use kuvert_store::operator::{Folder, MailboxQuery};
use kuvert_testenv::html_form::hidden_fields;
use kuvert_wire::envelope::BodyElement as _;
use kuvert_wire::fault::FaultCode;
use kuvert_wire::service::{DeliverSecureResponse, ServiceRequest};
use kuvert_xmldsig::trust::TrustAnchors;
use kuvert_xmldsig::{Verifier, VerifyPolicy};

use super::forge::{Identity, SigSpec, envelope, seal_and_wrap, sign_custom};
use super::{Arena, Caller, Case};
use crate::raw_soap::Answer;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n\x00\xff\xfe binary\n%%EOF\n";

/// A delivery the operator accepted, and what it answered.
struct Letter {
    delivery: SecureDelivery,
    receipt: Receipt,
}

/// The accepted letters so far (the original of the idempotency cases first).
#[derive(Default)]
pub(super) struct Accepted {
    letters: Vec<Letter>,
    /// The idempotency original, as sent.
    original_envelope: String,
    failures: Vec<String>,
}

impl Accepted {
    /// Posts the legitimate controls; each must be accepted and stored once.
    pub(super) async fn controls(&mut self, arena: &Arena) {
        let attachment = || kuvert_sender::pdf_attachment("beslut.pdf", PDF.to_vec()).unwrap();
        // 1. The profile path with an attachment; also the idempotency original.
        let mut delivery = arena.delivery("Kontroll: beslut med bilaga");
        delivery.message = with_attachments(&delivery.message, vec![attachment()]);
        let body = seal_and_wrap(
            &arena.kommun.sign(&unsigned(&delivery)),
            &arena.intermediary,
        );
        self.original_envelope = body.clone();
        self.expect_stored(
            arena,
            "control: sender signs, intermediary seals",
            delivery,
            body,
        )
        .await;

        // 2. The intermediary signs on the sender's behalf (PROTOCOL.md §7), two attachments.
        let mut delivery = arena.delivery("Kontroll: förmedlaren signerar");
        let second = kuvert_sender::pdf_attachment("andra.pdf", b"%PDF-1.4\n%%EOF\n".to_vec());
        delivery.message = with_attachments(&delivery.message, vec![attachment(), second.unwrap()]);
        let signed = arena.intermediary.sign(&unsigned(&delivery));
        let body = seal_and_wrap(&signed, &arena.intermediary);
        self.expect_stored(
            arena,
            "control: intermediary signs for the sender",
            delivery,
            body,
        )
        .await;

        // 3. The hand-made signer in the profile, referencing the SignedDelivery by its Id:
        //    proves that the refusals of the hand-made variants are the verifier's rules.
        let delivery = arena.delivery("Kontroll: handgjord signatur");
        let with_id =
            unsigned(&delivery).replacen("<SignedDelivery ", "<SignedDelivery Id=\"sd\" ", 1);
        let signed = sign_custom(&arena.kommun, &with_id, &SigSpec::profile());
        let unsealed =
            kuvert_wire::delivery::unsigned_sealed_delivery(&signed, &super::forge::seal_today());
        let body = envelope(
            &sign_custom(&arena.intermediary, &unsealed, &SigSpec::profile()),
            "",
        );
        self.expect_stored(
            arena,
            "control: hand-made profile signatures with an Id",
            delivery,
            body,
        )
        .await;
    }

    async fn expect_stored(
        &mut self,
        arena: &Arena,
        name: &str,
        delivery: SecureDelivery,
        body: String,
    ) {
        let before = arena.stored().await;
        let answer = arena.post(&Caller::Intermediary, body.into_bytes()).await;
        let after = arena.stored().await;
        match receipt(&answer) {
            Ok(receipt) => {
                let is_right =
                    receipt.is_delivered && receipt.recipient == delivery.header.recipient;
                if !is_right {
                    self.failures.push(format!("{name}: receipt {receipt:?}"));
                }
                if after.0 != before.0 + 1 {
                    self.failures.push(format!(
                        "{name}: stored {before:?} -> {after:?}, not one letter"
                    ));
                }
                self.letters.push(Letter { delivery, receipt });
            }
            Err(problem) => self
                .failures
                .push(format!("{name}: not accepted: {problem}")),
        }
    }

    /// Same sender and message Id as the first control, other content: fault 5007, and the
    /// fault names neither the first recipient nor its TransId.
    pub(super) async fn idempotency_cases(&self, arena: &Arena) -> Vec<Case> {
        let Some(original) = self.letters.first() else {
            return Vec::new();
        };
        let first = &original.delivery;
        let sealer = &arena.intermediary;
        let signed_sealed = |delivery: &SecureDelivery, signer: &Identity| {
            seal_and_wrap(&signer.sign(&unsigned(delivery)), sealer)
        };
        let mut other_subject = first.clone();
        let mut header = first.message.header().clone();
        header.subject = Subject::parse("Betala 9999 kr").unwrap();
        other_subject.message = SecureMessage::new(
            header,
            first.message.body().clone(),
            first.message.attachments().to_vec(),
        )
        .unwrap();
        let mut other_recipient = first.clone();
        let anna = seed::person("anna").unwrap();
        other_recipient.header.recipient = RecipientId::Person(anna.personal_identity_number());
        let mut no_attachment = first.clone();
        no_attachment.message = with_attachments(&first.message, Vec::new());
        let hidden = vec![
            first.header.recipient.to_wire(),
            original.receipt.trans_id.as_str().to_owned(),
        ];
        let conflict = |name: &str, body: String| Case {
            hidden: hidden.clone(),
            ..Case::new(name, FaultCode::OBJECT_ALREADY_EXISTS, body)
        };
        vec![
            conflict(
                "idempotency: same message Id, other subject",
                signed_sealed(&other_subject, &arena.kommun),
            ),
            conflict(
                "idempotency: same message Id, other recipient",
                signed_sealed(&other_recipient, &arena.kommun),
            ),
            conflict(
                "idempotency: same message Id, attachment dropped, signed by the intermediary",
                signed_sealed(&no_attachment, sealer),
            ),
        ]
    }

    /// The first control again: byte for byte, and re-sealed with another seal date. Both
    /// get the original receipt and store nothing new.
    pub(super) async fn resends(&mut self, arena: &Arena) -> Vec<String> {
        let Some(original) = self.letters.first() else {
            return std::mem::take(&mut self.failures);
        };
        let signed = arena.kommun.sign(&unsigned(&original.delivery));
        let yesterday = time::OffsetDateTime::now_utc()
            .date()
            .previous_day()
            .unwrap();
        let seal = kuvert_core::message::Seal {
            received_date: SealDate::new(yesterday, None),
            signatures_ok: true,
        };
        let resealed = envelope(
            &arena
                .intermediary
                .sign(&kuvert_wire::delivery::unsigned_sealed_delivery(
                    &signed, &seal,
                )),
            "",
        );
        let first_receipt = original.receipt.clone();
        for (name, body) in [
            (
                "idempotency: the same bytes again",
                self.original_envelope.clone(),
            ),
            ("idempotency: the same content re-sealed", resealed),
        ] {
            let before = arena.stored().await;
            let answer = arena.post(&Caller::Intermediary, body.into_bytes()).await;
            let after = arena.stored().await;
            match receipt(&answer) {
                Ok(receipt) if receipt == first_receipt => {}
                Ok(receipt) => self.failures.push(format!(
                    "{name}: {receipt:?}, not the original {first_receipt:?}"
                )),
                Err(problem) => self
                    .failures
                    .push(format!("{name}: not accepted: {problem}")),
            }
            if after != before {
                self.failures
                    .push(format!("{name}: stored {before:?} -> {after:?}"));
            }
        }
        std::mem::take(&mut self.failures)
    }

    /// Reads every accepted letter back through the inbox and the export.
    pub(super) async fn read_back(&self, arena: &Arena) -> Vec<String> {
        let mut failures = Vec::new();
        let tolvan = seed::person("tolvan").unwrap();
        let inbox = url::Url::parse(&inbox_url(arena)).unwrap();
        let browser = arena.federation.login_as(tolvan).await;
        let store = arena.federation.operator(&seed::OPERATORS[0]).store();
        let mailbox = RecipientId::Person(tolvan.personal_identity_number());
        let query = MailboxQuery {
            recipient: mailbox.clone(),
            folder: Folder::Inbox,
            sender: None,
            search: None,
            page: 0,
            page_size: 100,
        };
        let page = store.letters(&query).await.unwrap();
        if page.total != self.letters.len() as u64 {
            failures.push(format!(
                "read back: Tolvan has {} letters, {} were accepted",
                page.total,
                self.letters.len()
            ));
        }
        for letter in &self.letters {
            let header = letter.delivery.message.header();
            let Some(summary) = page.letters.iter().find(|s| s.subject == header.subject) else {
                failures.push(format!(
                    "read back: {} not in the inbox",
                    header.subject.as_str()
                ));
                continue;
            };
            let read = browser
                .get(
                    inbox
                        .join(&format!("brev/{}", summary.id))
                        .unwrap()
                        .as_str(),
                )
                .await;
            let text = read.text().await.unwrap();
            let body =
                String::from_utf8(letter.delivery.message.body().content().to_vec()).unwrap();
            if !text.contains(&body) {
                failures.push(format!(
                    "read view of {}: body not shown exactly",
                    header.subject.as_str()
                ));
            }
            for (position, attachment) in letter.delivery.message.attachments().iter().enumerate() {
                let href = format!("brev/{}/bilaga/{position}", summary.id);
                let download = browser.get(inbox.join(&href).unwrap().as_str()).await;
                let bytes = download.bytes().await.unwrap();
                if bytes.as_ref() != attachment.content() {
                    failures.push(format!(
                        "attachment {position} of {}: other bytes",
                        header.subject.as_str()
                    ));
                }
            }
        }
        failures.extend(self.read_export(arena, &browser, &inbox).await);
        failures
    }

    /// The export: `kuvert verify` passes, and each letter read from its exported evidence
    /// (on the verified tree) equals what was signed, with the receipt it got.
    async fn read_export(
        &self,
        arena: &Arena,
        browser: &kuvert::testkit::Browser,
        inbox: &url::Url,
    ) -> Vec<String> {
        let mut failures = Vec::new();
        let zip_bytes = export(browser, inbox).await;
        let dir = tempfile::tempdir().unwrap();
        let zip_path = dir.path().join("brev.zip");
        std::fs::write(&zip_path, &zip_bytes).unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_kuvert"))
            .arg("verify")
            .arg(&zip_path)
            .arg("--ca")
            .arg(&arena.federation.manifest().organisation_ca)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let n = self.letters.len();
        let summary = format!("{n} letters checked: {n} verified, 0 failed.");
        if !output.status.success() || !stdout.contains(&summary) {
            failures.push(format!("kuvert verify on the export: {stdout}"));
        }
        let mut zip = zip::ZipArchive::new(Cursor::new(zip_bytes)).unwrap();
        let manifest: serde_json::Value =
            serde_json::from_slice(&entry(&mut zip, "manifest.json")).unwrap();
        let anchors =
            TrustAnchors::from_pem(arena.federation.demo().pki.organisation_ca_pem()).unwrap();
        for letter in &self.letters {
            let id = letter.delivery.message.header().id.as_str();
            let Some(listed) = manifest["letters"]
                .as_array()
                .unwrap()
                .iter()
                .find(|listed| listed["message_id"] == id)
            else {
                failures.push(format!("export: message {id} missing"));
                continue;
            };
            if listed["trans_id"] != letter.receipt.trans_id.as_str() {
                failures.push(format!("export: {id} lists another TransId"));
            }
            let sealed = entry(&mut zip, listed["files"][0].as_str().unwrap());
            match read_verified(&sealed, &anchors) {
                Ok(read) if read == letter.delivery && same_bytes(&read, &letter.delivery) => {}
                Ok(_) => failures.push(format!("export: {id} reads back other content")),
                Err(problem) => failures.push(format!("export: {id}: {problem}")),
            }
        }
        failures
    }
}

/// Body and every attachment's bytes are the same.
fn same_bytes(a: &SecureDelivery, b: &SecureDelivery) -> bool {
    let (a, b) = (&a.message, &b.message);
    a.body().content() == b.body().content()
        && a.attachments().len() == b.attachments().len()
        && a.attachments()
            .iter()
            .zip(b.attachments())
            .all(|(x, y)| x.content() == y.content() && x.filename() == y.filename())
}

/// The letter read from the tree its signatures were verified on.
fn read_verified(sealed: &[u8], anchors: &TrustAnchors) -> Result<SecureDelivery, String> {
    let text = std::str::from_utf8(sealed).map_err(|e| e.to_string())?;
    let document = kuvert_xmldsig::parse_document(text).map_err(|e| e.to_string())?;
    let root = document.root_element();
    let wrapper = if root.has_tag_name((super::forge::SOAP, "Envelope")) {
        match kuvert_wire::service::parse_request(&document).map_err(|e| e.to_string())? {
            ServiceRequest::DeliverSecure(wrapper) => wrapper,
            _ => return Err("not deliverSecure".to_owned()),
        }
    } else {
        root
    };
    let verifier = Verifier::new(anchors.clone(), VerifyPolicy::default());
    let verified = verifier
        .verify_sealed_delivery(wrapper)
        .map_err(|e| e.to_string())?;
    kuvert_wire::delivery::read_secure_delivery(verified.signed_delivery())
        .map_err(|e| e.to_string())
}

fn entry(zip: &mut zip::ZipArchive<Cursor<Vec<u8>>>, name: &str) -> Vec<u8> {
    let mut content = Vec::new();
    zip.by_name(name)
        .unwrap()
        .read_to_end(&mut content)
        .unwrap();
    content
}

async fn export(browser: &kuvert::testkit::Browser, inbox: &url::Url) -> Vec<u8> {
    let export_url = inbox.join("installningar/export").unwrap();
    let page = browser.get(export_url.as_str()).await;
    let token = hidden_fields(&page.text().await.unwrap())
        .into_iter()
        .find(|(name, _)| name == "csrf_token")
        .unwrap();
    let response = browser.post_form(export_url.as_str(), &[token]).await;
    assert_eq!(response.status(), 200);
    response.bytes().await.unwrap().to_vec()
}

fn inbox_url(arena: &Arena) -> String {
    let manifest = arena.federation.manifest();
    let operator = manifest
        .operators
        .iter()
        .find(|o| o.organisation.key == seed::OPERATORS[0].key)
        .unwrap();
    operator.inbox_url.clone()
}

fn unsigned(delivery: &SecureDelivery) -> String {
    kuvert_wire::delivery::unsigned_signed_delivery(delivery)
}

fn with_attachments(
    message: &SecureMessage,
    attachments: Vec<kuvert_core::message::Attachment>,
) -> SecureMessage {
    SecureMessage::new(
        message.header().clone(),
        message.body().clone(),
        attachments,
    )
    .unwrap()
}

/// The receipt in a 200 answer.
fn receipt(answer: &Answer) -> Result<Receipt, String> {
    match answer {
        Answer::Http(200, text) => {
            let document = kuvert_wire::envelope::parse(text).map_err(|e| e.to_string())?;
            DeliverSecureResponse::from_envelope(&document)
                .map(|response| response.receipt)
                .map_err(|e| e.to_string())
        }
        other => Err(format!("{other:?}")),
    }
}
