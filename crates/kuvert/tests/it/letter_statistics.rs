//! `kuvert send` reports each letter to the registry's statistics: one delivered and one on
//! paper show up as the sender's digital and paper letters of the month. [`letter_totals`]
//! and [`wait_for_letter_totals`] read a sender's totals for the services' tests
//! (`sender_gateway.rs`, `intermediary.rs`).

use std::time::{Duration, Instant};

use kuvert::seed;
use kuvert::send_command::{SendRequest, demo_sender_config, send};
use kuvert::testkit::Federation;
use kuvert_core::calendar::{YearMonth, stockholm_day};
use kuvert_core::id::OrganisationNumber;
use kuvert_sender::Outcome;
use kuvert_store::Database;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sending_reports_digital_and_paper_letters_to_the_registry() {
    let federation = Federation::start(Default::default()).await;
    let config = demo_sender_config(&federation.manifest().data_dir).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("brev.txt");
    std::fs::write(&body, "Hej! Det här är ett brev.").unwrap();
    let request = |recipient: &str| SendRequest {
        sender: "exempelkommun".to_owned(),
        recipient: recipient.to_owned(),
        subject: "Beslut".to_owned(),
        body: body.clone(),
        attachments: Vec::new(),
    };
    let tolvan = seed::PERSONS[0].number;
    let david = seed::PERSONS[4].number;
    let delivered = send(&config, &request(tolvan)).await.unwrap();
    assert!(
        matches!(delivered, Outcome::Delivered { .. }),
        "{delivered:?}"
    );
    let paper = send(&config, &request(david)).await.unwrap();
    assert!(matches!(paper, Outcome::Paper { .. }), "{paper:?}");

    let month = YearMonth::of(stockholm_day(time::OffsetDateTime::now_utc()));
    let database = Database::connect(&federation.registry_database_url())
        .await
        .unwrap();
    let letters = database
        .registry()
        .letter_statistics(month, month)
        .await
        .unwrap();
    database.close().await;
    assert_eq!(letters.len(), 1, "{letters:?}");
    let sender = seed::organisation("exempelkommun").unwrap();
    assert_eq!(letters[0].sender, sender.organisation_number());
    assert_eq!((letters[0].digital, letters[0].paper), (1, 1));
}

/// `sender`'s digital and paper letters in the registry's statistics, summed over the months
/// around now (a test that runs across a month's end still counts every report).
pub(crate) async fn letter_totals(
    federation: &Federation,
    sender: &OrganisationNumber,
) -> (u64, u64) {
    let today = stockholm_day(time::OffsetDateTime::now_utc());
    let month = |days| YearMonth::of(today + time::Duration::days(days));
    let database = Database::connect(&federation.registry_database_url())
        .await
        .unwrap();
    let letters = database
        .registry()
        .letter_statistics(month(-40), month(40))
        .await
        .unwrap();
    database.close().await;
    letters
        .iter()
        .filter(|counts| &counts.sender == sender)
        .fold((0, 0), |(digital, paper), counts| {
            (digital + counts.digital, paper + counts.paper)
        })
}

/// Polls [`letter_totals`] until both reach `expected` (a service reports in the background),
/// at most a minute; the totals then, which a caller compares with `expected`: more is a
/// letter counted twice.
pub(crate) async fn wait_for_letter_totals(
    federation: &Federation,
    sender: &OrganisationNumber,
    expected: (u64, u64),
) -> (u64, u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let totals = letter_totals(federation, sender).await;
        if (totals.0 >= expected.0 && totals.1 >= expected.1) || Instant::now() > deadline {
            return totals;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
