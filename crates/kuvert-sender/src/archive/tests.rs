//! File names from message ids, and rows of the paper-mail list.

use std::sync::Arc;

use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::message::{DeliveryKey, MessageId, Receipt, Reference, Subject, TransId};

use super::{
    EvidenceArchive, PAPER_MAIL_HEADER, PaperMailEntry, PaperMailList, ReceiptRecord,
    safe_file_stem,
};
use crate::mailing::RowPlace;
use crate::reachability::PaperReason;
use crate::sealing::SealedDelivery;

#[test]
fn safe_file_stem_keeps_uuids_and_neutralises_paths() {
    let uuid = "0b6c6f3e-5d2a-4c1e-9a57-3f1c2d4e5f60";
    assert_eq!(safe_file_stem(uuid), uuid);
    assert_eq!(safe_file_stem("../../etc/passwd"), "______etc_passwd");
    assert_eq!(safe_file_stem("ärende 1"), "_rende_1");
}

#[test]
fn paper_mail_list_writes_its_header_once_and_quotes_message_ids() {
    let dir = tempfile::tempdir().unwrap();
    let list = PaperMailList::new(dir.path().join("sub").join("paper.csv"));
    let sender = OrganisationNumber::parse("2120000159").unwrap();
    let recipient = RecipientId::parse("191212121212").unwrap();
    let subject = Subject::parse("Kallelse").unwrap();
    for message_id in [Some("a,\"b\""), None] {
        list.append(&PaperMailEntry {
            sender: &sender,
            recipient: &recipient,
            reason: PaperReason::Pending,
            message_id,
            manifest_row: None,
            reference: None,
            subject: &subject,
        })
        .unwrap();
    }
    let text = std::fs::read_to_string(list.path()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0], PAPER_MAIL_HEADER);
    assert!(lines[1].starts_with("2120000159,191212121212,pending,\"a,\"\"b\"\"\","));
    assert!(lines[2].starts_with("2120000159,191212121212,pending,\"\","));
    assert!(
        lines[1].ends_with(",\"\",\"\",\"\",\"Kallelse\""),
        "no portal, no notice, no manifest row, no reference: {}",
        lines[1]
    );
}

// Issue 11: a row of the list can be matched back to the manifest row and the letter.
#[test]
fn paper_mail_list_rows_name_the_manifest_row_reference_and_subject() {
    let dir = tempfile::tempdir().unwrap();
    let list = PaperMailList::new(dir.path().join("paper.csv"));
    let sender = OrganisationNumber::parse("2120000159").unwrap();
    let recipient = RecipientId::parse("191212121212").unwrap();
    let subject = Subject::parse("Beslut, \"bygglov\"\nrad två").unwrap();
    let reference = Reference::parse("ärende 7").unwrap();
    for place in [RowPlace::Line(3), RowPlace::Index(0)] {
        list.append(&PaperMailEntry {
            sender: &sender,
            recipient: &recipient,
            reason: PaperReason::NoMailbox,
            message_id: Some("m-1"),
            manifest_row: Some(place),
            reference: Some(&reference),
            subject: &subject,
        })
        .unwrap();
    }
    let text = std::fs::read_to_string(list.path()).unwrap();
    let header: Vec<&str> = PAPER_MAIL_HEADER.split(',').collect();
    assert_eq!(header[6..], ["manifest_row", "reference", "subject"]);
    let ending = "\"ärende 7\",\"Beslut, \"\"bygglov\"\"\nrad två\"\n";
    assert!(
        text.contains(&format!(",\"\",\"line 3\",{ending}")),
        "{text}"
    );
    assert!(
        text.ends_with(&format!(",\"\",\"index 0\",{ending}")),
        "{text}"
    );
}

#[test]
fn paper_mail_list_names_the_senders_deep_link_when_a_portal_is_configured() {
    let dir = tempfile::tempdir().unwrap();
    let portal = "https://brevlada.example/".parse().unwrap();
    let list = PaperMailList::new(dir.path().join("paper.csv")).with_portal(Some(portal));
    let sender = OrganisationNumber::parse("2120000159").unwrap();
    let recipient = RecipientId::parse("191212121212").unwrap();
    list.append(&PaperMailEntry {
        sender: &sender,
        recipient: &recipient,
        reason: PaperReason::NoMailbox,
        message_id: None,
        manifest_row: None,
        reference: None,
        subject: &Subject::parse("Kallelse").unwrap(),
    })
    .unwrap();
    let text = std::fs::read_to_string(list.path()).unwrap();
    let row = text.lines().nth(1).unwrap();
    assert!(
        row.ends_with(
            ",\"Du kan få det här brevet digitalt nästa gång. Säkert, praktiskt, miljövänligt \
             och billigt. Skaffa digital brevlåda: \
             brevlada.example/skaffa?avsandare=2120000159\",\"\",\"\",\"Kallelse\""
        ),
        "{row}"
    );
}

/// A sealed delivery of message id `n` to Tolvan (its XML is not read by the archive).
fn sealed(n: usize) -> SealedDelivery {
    let key = DeliveryKey {
        sender: OrganisationNumber::parse("2120000159").unwrap(),
        message_id: MessageId::from_uuid(uuid::Uuid::from_u128(n as u128)),
    };
    let recipient = RecipientId::parse("191212121212").unwrap();
    SealedDelivery::from_archive(key, recipient, format!("<SealedDelivery n=\"{n}\"/>"))
}

// Issue 14: a mailing's batch writes its receipts concurrently into one `ReceiptBatch`; after
// `finish` each is there, whole, under its name, as `write_receipt` writes one.
#[test]
fn a_receipt_batch_written_from_many_threads_leaves_every_receipt_whole() {
    let dir = tempfile::tempdir().unwrap();
    let archive = EvidenceArchive::new(dir.path());
    let batch = Arc::new(archive.receipt_batch());
    let threads: Vec<_> = (0..4)
        .map(|thread| {
            let batch = Arc::clone(&batch);
            std::thread::spawn(move || {
                for n in (0..10).map(|n| thread * 10 + n) {
                    let receipt = Receipt {
                        trans_id: TransId::from_uuid(uuid::Uuid::from_u128(1000 + n as u128)),
                        recipient: RecipientId::parse("191212121212").unwrap(),
                        is_delivered: true,
                    };
                    let record = ReceiptRecord {
                        receipt: &receipt,
                        operator: "Demobrevlådan",
                        service_address: "https://127.0.0.1:9443/service/v3",
                    };
                    batch.write(&sealed(n), &record).unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    batch.finish().unwrap();
    let folder = dir.path().join("2120000159");
    assert_eq!(
        std::fs::read_dir(&folder).unwrap().count(),
        40,
        "no temporaries"
    );
    for n in 0..40 {
        let text = std::fs::read_to_string(archive.receipt_path(&sealed(n))).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let trans_id = TransId::from_uuid(uuid::Uuid::from_u128(1000 + n as u128));
        assert_eq!(json["trans_id"], trans_id.as_str());
        assert_eq!(json["message_id"], sealed(n).key().message_id.as_str());
        assert_eq!(json["operator"], "Demobrevlådan");
    }
}
