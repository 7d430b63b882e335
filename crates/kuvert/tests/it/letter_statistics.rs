//! `kuvert send` reports each letter to the registry's statistics: one delivered and one on
//! paper show up as the sender's digital and paper letters of the month.

use kuvert::seed;
use kuvert::send_command::{SendRequest, demo_sender_config, send};
use kuvert::testkit::Federation;
use kuvert_core::calendar::{YearMonth, stockholm_day};
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
