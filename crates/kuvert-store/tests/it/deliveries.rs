//! store_delivery: durable, idempotent (also under 50 concurrent retries), blob before row,
//! orphan blobs reclaimed.

use kuvert_store::blob::{BlobDigest, BlobKey, BlobStore};
use kuvert_store::operator::{AuditAction, LetterAccess, StoreOutcome};

use crate::support::{
    TestDatabase, content_digest, delivery, now, organisation, person, person_number,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn store_delivery_stores_once_under_50_concurrent_retries() {
    for test in TestDatabase::all().await {
        let operator = test.operator();
        let recipient = person(1);
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let operator = operator.clone();
            let attempt = delivery(&organisation(100), "msg-1", &recipient, "Beslut", now());
            tasks.push(tokio::spawn(async move {
                operator.store_delivery(attempt).await
            }));
        }
        let mut outcomes = Vec::new();
        for task in tasks {
            outcomes.push(task.await.unwrap().unwrap());
        }
        let stored: Vec<_> = outcomes
            .iter()
            .filter(|o| matches!(o, StoreOutcome::Stored(_)))
            .collect();
        assert_eq!(stored.len(), 1);
        let original = stored[0].receipt().unwrap().clone();
        for outcome in &outcomes {
            assert_eq!(outcome.receipt(), Some(&original));
        }
        let page = operator
            .letters(&crate::mailbox::inbox(&recipient, 0, 100))
            .await
            .unwrap();
        assert_eq!(page.total, 1);
        // Losers removed their blobs; only the stored letter's blob is left.
        let prefix = BlobKey::parse("deliveries").unwrap();
        assert_eq!(
            test.blobs().list(&prefix, None, 100).await.unwrap().len(),
            1
        );
        test.finish().await;
    }
}

#[tokio::test]
async fn store_delivery_returns_the_original_receipt_when_retried() {
    for test in TestDatabase::all().await {
        let operator = test.operator();
        let recipient = person(2);
        let first = delivery(&organisation(100), "msg-2", &recipient, "Beslut", now());
        let StoreOutcome::Stored(original) = operator.store_delivery(first).await.unwrap() else {
            panic!("first delivery must be stored");
        };
        assert!(original.receipt.is_delivered);
        assert_eq!(original.receipt.recipient, recipient);
        let retry = delivery(&organisation(100), "msg-2", &recipient, "Annat", now());
        let outcome = operator.store_delivery(retry).await.unwrap();
        assert_eq!(outcome, StoreOutcome::AlreadyStored(original.clone()));
        let other_sender = delivery(&organisation(101), "msg-2", &recipient, "Beslut", now());
        let outcome = operator.store_delivery(other_sender).await.unwrap();
        assert!(matches!(outcome, StoreOutcome::Stored(_)), "{outcome:?}");
        test.finish().await;
    }
}

#[tokio::test]
async fn store_delivery_refuses_the_same_key_with_other_content() {
    // Issue 10: another letter under a stored (sender, message id) once got the first
    // letter's receipt, naming the first recipient, and was silently dropped.
    for test in TestDatabase::all().await {
        let operator = test.operator();
        let recipient = person(4);
        let first = delivery(&organisation(100), "msg-4", &recipient, "Beslut", now());
        let StoreOutcome::Stored(_) = operator.store_delivery(first).await.unwrap() else {
            panic!("first delivery must be stored");
        };
        let mut other = delivery(&organisation(100), "msg-4", &person(5), "Betala", now());
        other.content_digest = content_digest("other content");
        let outcome = operator.store_delivery(other).await.unwrap();
        assert_eq!(outcome, StoreOutcome::KeyConflict);
        assert_eq!(outcome.receipt(), None);
        for mailbox in [person(4), person(5)] {
            let page = operator
                .letters(&crate::mailbox::inbox(&mailbox, 0, 100))
                .await
                .unwrap();
            assert_eq!(page.total, u64::from(mailbox == recipient));
        }
        let prefix = BlobKey::parse("deliveries").unwrap();
        assert_eq!(
            test.blobs().list(&prefix, None, 100).await.unwrap().len(),
            1
        );
        test.finish().await;
    }
}

#[tokio::test]
async fn stored_delivery_blob_holds_the_sealed_delivery_with_its_digest() {
    for test in TestDatabase::all().await {
        let operator = test.operator();
        let recipient = person(3);
        let new = delivery(&organisation(100), "msg-3", &recipient, "Beslut", now());
        let sealed = new.sealed_delivery.clone();
        let receipt = operator
            .store_delivery(new)
            .await
            .unwrap()
            .receipt()
            .unwrap()
            .clone();
        let key = BlobKey::parse(&format!("deliveries/{}.xml", receipt.delivery_id)).unwrap();
        let on_disk = test
            .blobs()
            .get(&key, &BlobDigest::of(&sealed))
            .await
            .unwrap();
        assert_eq!(on_disk, sealed);
        let access = LetterAccess {
            mailbox: recipient.clone(),
            delivery: receipt.delivery_id,
            actor: person_number(3),
            action: AuditAction::OpenedLetter,
            at: now(),
        };
        let opened = operator.open_letter(&access).await.unwrap();
        assert_eq!(opened.sealed_delivery, sealed);
        assert_eq!(opened.letter.trans_id, receipt.receipt.trans_id);
        test.finish().await;
    }
}

#[tokio::test]
async fn reclaim_orphan_blobs_deletes_only_unreferenced_old_blobs() {
    for test in TestDatabase::all().await {
        let operator = test.operator();
        let blobs = test.blobs();
        for n in 0..3 {
            let new = delivery(
                &organisation(100),
                &format!("kept-{n}"),
                &person(4),
                "Kvar",
                now(),
            );
            operator.store_delivery(new).await.unwrap();
        }
        for n in 0..5 {
            let key = BlobKey::parse(&format!("deliveries/orphan-{n}.xml")).unwrap();
            blobs.put(&key, b"crashed before commit").await.unwrap();
        }
        let prefix = BlobKey::parse("deliveries").unwrap();
        let before = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
        assert_eq!(operator.reclaim_orphan_blobs(before, 2).await.unwrap(), 0);
        assert_eq!(blobs.list(&prefix, None, 100).await.unwrap().len(), 8);
        let later = time::OffsetDateTime::now_utc() + time::Duration::seconds(5);
        assert_eq!(operator.reclaim_orphan_blobs(later, 2).await.unwrap(), 5);
        assert_eq!(blobs.list(&prefix, None, 100).await.unwrap().len(), 3);
        let page = operator
            .letters(&crate::mailbox::inbox(&person(4), 0, 10))
            .await
            .unwrap();
        for letter in &page.letters {
            let access = LetterAccess {
                mailbox: person(4),
                delivery: letter.id,
                actor: person_number(4),
                action: AuditAction::ExportedLetter,
                at: now(),
            };
            operator.open_letter(&access).await.unwrap();
        }
        test.finish().await;
    }
}

#[tokio::test]
async fn store_delivery_commits_no_row_when_the_blob_cannot_be_written() {
    for test in TestDatabase::all().await {
        let operator = test.operator();
        // A file where the blob folder belongs makes every delivery blob write fail.
        std::fs::create_dir_all(test.dir.path().join("blobs")).unwrap();
        std::fs::write(test.dir.path().join("blobs/deliveries"), b"not a folder").unwrap();
        let recipient = person(5);
        let new = delivery(&organisation(100), "msg-5", &recipient, "Beslut", now());
        let result = operator.store_delivery(new).await;
        assert!(
            matches!(result, Err(kuvert_store::StoreError::Internal { .. })),
            "{result:?}"
        );
        let page = operator
            .letters(&crate::mailbox::inbox(&recipient, 0, 10))
            .await
            .unwrap();
        assert_eq!(page.total, 0);
        test.finish().await;
    }
}

#[tokio::test]
async fn open_letter_refuses_a_blob_changed_on_disk_and_audits_nothing() {
    for test in TestDatabase::all().await {
        let operator = test.operator();
        let recipient = person(6);
        let new = delivery(&organisation(100), "msg-6", &recipient, "Beslut", now());
        let receipt = operator
            .store_delivery(new)
            .await
            .unwrap()
            .receipt()
            .unwrap()
            .clone();
        let path = test
            .dir
            .path()
            .join(format!("blobs/deliveries/{}.xml", receipt.delivery_id));
        std::fs::write(path, b"<Tampered/>").unwrap();
        let access = LetterAccess {
            mailbox: recipient.clone(),
            delivery: receipt.delivery_id,
            actor: person_number(6),
            action: AuditAction::OpenedLetter,
            at: now(),
        };
        let result = operator.open_letter(&access).await;
        assert!(
            matches!(result, Err(kuvert_store::StoreError::Internal { .. })),
            "{result:?}"
        );
        assert!(
            operator
                .audit_events(&recipient, 10)
                .await
                .unwrap()
                .is_empty()
        );
        test.finish().await;
    }
}
