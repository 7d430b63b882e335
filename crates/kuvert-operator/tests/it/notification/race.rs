//! Two notification workers on one database (issue 16: any number of nodes), each with its
//! own connection pool, racing for the same outbox: every letter is claimed by one of them,
//! the address gets one e-mail in its hour, and what the loser held back goes out once after.

use std::sync::Arc;

use kuvert_operator::notification::email::EmailTransport;
use kuvert_operator::notification::text::NotificationText;
use kuvert_operator::notification::{NotificationWorker, Round, WorkerParts};

use super::{deliver_one, emails_to, noon};
use crate::intake::confirm_email;
use crate::{HERE, Harness, Mail, person, start};

/// A second node's worker: its own pool on the harness's database, e-mail to the same folder.
async fn second_worker(harness: &Harness) -> NotificationWorker {
    let database_file = harness.blob_dir.parent().unwrap().join("operator.db");
    let url = format!("sqlite://{}?mode=rwc", database_file.display());
    let database = kuvert_store::Database::connect(&url).await.unwrap();
    let blobs = kuvert_store::blob::LocalBlobStore::open(&harness.blob_dir).unwrap();
    let text = NotificationText {
        operator_name: "Demobrevlådan".to_owned(),
        inbox_url: "https://demobrevladan.example/".to_owned(),
    };
    NotificationWorker::new(WorkerParts {
        store: database.operator(Arc::new(blobs)),
        email: EmailTransport::directory(harness.mail_dir.clone()),
        email_from: "Demobrevlådan <avisering@demobrevladan.example>"
            .parse()
            .unwrap(),
        sms: None,
        text,
        poll_interval: std::time::Duration::from_secs(3600),
    })
}

fn sum(rounds: [Round; 2]) -> (usize, usize, usize, usize) {
    let [a, b] = rounds;
    (
        a.claimed + b.claimed,
        a.sent + b.sent,
        a.postponed + b.postponed,
        a.messages + b.messages,
    )
}

#[tokio::test]
async fn two_workers_racing_send_each_letter_once_and_one_email_per_hour() {
    let harness = start(Mail::Directory).await;
    let node_b = second_worker(&harness).await;
    let node_a = harness.service.notifications();
    let address = format!("kapplopning-{}@example.org", uuid::Uuid::new_v4().simple());
    confirm_email(&harness, &person(HERE), &address).await;
    for _ in 0..6 {
        deliver_one(&harness).await;
    }
    let (a, b) = tokio::join!(node_a.run_once_at(noon()), node_b.run_once_at(noon()));
    let (claimed, sent, postponed, messages) = sum([a.unwrap(), b.unwrap()]);
    assert_eq!(claimed, 6, "each letter claimed by one worker");
    assert_eq!(messages, 1, "one e-mail in the hour");
    assert_eq!(sent + postponed, 6);
    assert_eq!(emails_to(&harness.mail_dir, &address).len(), 1);

    // What the loser held back goes out in later hours, still one e-mail per hour.
    let (mut sent_total, mut messages_total) = (sent, messages);
    for hours in [2, 4, 6, 8] {
        let at = noon() + time::Duration::hours(hours);
        let (a, b) = tokio::join!(node_a.run_once_at(at), node_b.run_once_at(at));
        let (claimed, sent, _, messages) = sum([a.unwrap(), b.unwrap()]);
        assert!(messages <= 1, "one e-mail in the hour");
        (sent_total, messages_total) = (sent_total + sent, messages_total + messages);
        if claimed == 0 {
            break;
        }
    }
    assert_eq!(sent_total, 6, "every letter announced once");
    assert_eq!(emails_to(&harness.mail_dir, &address).len(), messages_total);
    let store = harness.service.store();
    let outbox = store.notifications(&person(HERE), 10).await.unwrap();
    assert!(
        outbox.iter().all(|item| item.sent_at.is_some()),
        "{outbox:?}"
    );
}
