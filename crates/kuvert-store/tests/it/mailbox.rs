//! Mailbox views: paging newest first, unread count, search, read/archive flags, letters of
//! other mailboxes hidden, audit log and representation.

use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_store::StoreError;
use kuvert_store::operator::{
    AuditAction, DeliveryId, Folder, LetterAccess, MailboxQuery, SearchText,
};
use time::Duration;

use crate::support::{TestDatabase, delivery, now, organisation, person, person_number};

/// The inbox of `recipient`, one page.
pub(crate) fn inbox(recipient: &RecipientId, page: u32, page_size: u32) -> MailboxQuery {
    MailboxQuery {
        recipient: recipient.clone(),
        folder: Folder::Inbox,
        sender: None,
        search: None,
        page,
        page_size,
    }
}

/// Stores `count` letters one minute apart; letter `n` has subject "Brev n".
async fn fill(
    test: &TestDatabase,
    recipient: &RecipientId,
    sender: &OrganisationNumber,
    count: u32,
) -> Vec<DeliveryId> {
    let operator = test.operator();
    let start = now() - Duration::days(1);
    let mut ids = Vec::new();
    for n in 0..count {
        let at = start + Duration::minutes(i64::from(n));
        let message_id = format!("{}-{n}", sender.as_str());
        let new = delivery(sender, &message_id, recipient, &format!("Brev {n}"), at);
        ids.push(
            operator
                .store_delivery(new)
                .await
                .unwrap()
                .receipt()
                .unwrap()
                .delivery_id,
        );
    }
    ids
}

#[tokio::test]
async fn letters_are_paged_newest_first_with_unread_count() {
    for test in TestDatabase::all().await {
        let operator = test.operator();
        let recipient = person(10);
        let ids = fill(&test, &recipient, &organisation(100), 25).await;
        fill(&test, &person(11), &organisation(100), 3).await;
        let first = operator.letters(&inbox(&recipient, 0, 10)).await.unwrap();
        assert_eq!((first.total, first.unread, first.has_more), (25, 25, true));
        let subjects: Vec<_> = first.letters.iter().map(|l| l.subject.as_str()).collect();
        assert_eq!(subjects[..2], ["Brev 24", "Brev 23"]);
        let last = operator.letters(&inbox(&recipient, 2, 10)).await.unwrap();
        assert_eq!(last.letters.len(), 5);
        assert!(!last.has_more);
        assert_eq!(last.letters[4].id, ids[0]);

        operator
            .set_read(&recipient, ids[0], Some(now()))
            .await
            .unwrap();
        operator
            .set_archived(&recipient, ids[1], true)
            .await
            .unwrap();
        let page = operator.letters(&inbox(&recipient, 0, 100)).await.unwrap();
        assert_eq!((page.total, page.unread), (24, 24));
        let archive = MailboxQuery {
            folder: Folder::Archive,
            ..inbox(&recipient, 0, 10)
        };
        let archived = operator.letters(&archive).await.unwrap();
        assert_eq!(archived.letters.len(), 1);
        assert!(archived.letters[0].is_archived);
        operator
            .set_archived(&recipient, ids[1], false)
            .await
            .unwrap();
        operator.set_read(&recipient, ids[0], None).await.unwrap();
        let page = operator.letters(&inbox(&recipient, 0, 100)).await.unwrap();
        assert_eq!((page.total, page.unread), (25, 25));
        let too_big = operator.letters(&inbox(&recipient, 0, 101)).await;
        assert!(
            matches!(too_big, Err(StoreError::TooMany { .. })),
            "{too_big:?}"
        );
        test.finish().await;
    }
}

#[tokio::test]
async fn letters_are_found_by_subject_text_and_sender() {
    for test in TestDatabase::all().await {
        let operator = test.operator();
        let recipient = person(12);
        fill(&test, &recipient, &organisation(100), 12).await;
        fill(&test, &recipient, &organisation(101), 2).await;
        let search = |text: &str| MailboxQuery {
            search: Some(SearchText::parse(text).unwrap()),
            ..inbox(&recipient, 0, 100)
        };
        // "brev 1" matches Brev 1, Brev 10, Brev 11 of sender 100 and Brev 1 of sender 101.
        assert_eq!(operator.letters(&search("brev 1")).await.unwrap().total, 4);
        assert_eq!(operator.letters(&search("SKATTE")).await.unwrap().total, 14);
        assert_eq!(operator.letters(&search("100%")).await.unwrap().total, 0);
        let by_sender = MailboxQuery {
            sender: Some(organisation(101)),
            ..inbox(&recipient, 0, 10)
        };
        assert_eq!(operator.letters(&by_sender).await.unwrap().total, 2);
        test.finish().await;
    }
}

#[tokio::test]
async fn letter_in_another_mailbox_is_not_found_and_not_audited() {
    for test in TestDatabase::all().await {
        let operator = test.operator();
        let owner = person(13);
        let stranger = person(14);
        let ids = fill(&test, &owner, &organisation(100), 1).await;
        let letter = operator.letter(&owner, ids[0]).await.unwrap();
        assert_eq!(letter.attachments.len(), 1);
        assert_eq!(letter.attachments[0].filename.as_str(), "beslut.pdf");
        assert_eq!(letter.read_at, None);
        let hidden = operator.letter(&stranger, ids[0]).await;
        assert!(
            matches!(hidden, Err(StoreError::NotFound { what: "letter" })),
            "{hidden:?}"
        );
        let access = LetterAccess {
            mailbox: stranger.clone(),
            delivery: ids[0],
            actor: person_number(14),
            action: AuditAction::OpenedLetter,
            at: now(),
        };
        assert!(matches!(
            operator.open_letter(&access).await,
            Err(StoreError::NotFound { .. })
        ));
        assert!(
            operator
                .audit_events(&stranger, 10)
                .await
                .unwrap()
                .is_empty()
        );
        let marked = operator.set_read(&stranger, ids[0], Some(now())).await;
        assert!(
            matches!(marked, Err(StoreError::NotFound { .. })),
            "{marked:?}"
        );
        let archived = operator.set_archived(&stranger, ids[0], true).await;
        assert!(
            matches!(archived, Err(StoreError::NotFound { .. })),
            "{archived:?}"
        );
        test.finish().await;
    }
}

#[tokio::test]
async fn opening_letters_writes_the_audit_log_newest_first() {
    for test in TestDatabase::all().await {
        let operator = test.operator();
        let company = organisation(400);
        let mailbox = RecipientId::Organisation(company.clone());
        let ids = fill(&test, &mailbox, &organisation(100), 2).await;
        let start = now();
        let actions = [
            (ids[0], AuditAction::OpenedLetter),
            (ids[0], AuditAction::OpenedAttachment { position: 0 }),
            (ids[1], AuditAction::ExportedLetter),
        ];
        for (step, (delivery, action)) in actions.iter().enumerate() {
            let access = LetterAccess {
                mailbox: mailbox.clone(),
                delivery: *delivery,
                actor: person_number(20),
                action: *action,
                at: start + Duration::seconds(step as i64),
            };
            operator.open_letter(&access).await.unwrap();
        }
        let events = operator.audit_events(&mailbox, 10).await.unwrap();
        let seen: Vec<_> = events.iter().map(|e| (e.delivery, e.action)).collect();
        assert_eq!(seen, actions.iter().rev().copied().collect::<Vec<_>>());
        assert!(
            events
                .iter()
                .all(|e| e.actor == person_number(20) && e.mailbox == mailbox)
        );
        assert_eq!(events[2].at, start);
        let too_many = operator.audit_events(&mailbox, 501).await;
        assert!(
            matches!(too_many, Err(StoreError::TooMany { .. })),
            "{too_many:?}"
        );
        test.finish().await;
    }
}

#[tokio::test]
async fn representation_is_granted_listed_and_revoked() {
    for test in TestDatabase::all().await {
        let operator = test.operator();
        let person = person_number(30);
        operator
            .grant_representation(&organisation(401), &person, now())
            .await
            .unwrap();
        operator
            .grant_representation(&organisation(402), &person, now())
            .await
            .unwrap();
        operator
            .grant_representation(&organisation(401), &person, now())
            .await
            .unwrap();
        let companies = operator.represented_companies(&person).await.unwrap();
        assert_eq!(companies, [organisation(401), organisation(402)]);
        operator
            .revoke_representation(&organisation(401), &person)
            .await
            .unwrap();
        let companies = operator.represented_companies(&person).await.unwrap();
        assert_eq!(companies, [organisation(402)]);
        assert!(
            operator
                .represented_companies(&person_number(31))
                .await
                .unwrap()
                .is_empty()
        );
        test.finish().await;
    }
}
