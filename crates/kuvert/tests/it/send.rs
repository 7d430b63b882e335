//! `kuvert send` takes a recipient in every form a person writes one and holds its letter to
//! the same subject rule as a mailing's rows and the operator's intake (issue 11).

use kuvert::seed;
use kuvert::send_command::{SendRequest, demo_sender_config, send};
use kuvert::testkit::Federation;
use kuvert_sender::Outcome;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_takes_short_forms_and_refuses_a_blank_subject_in_the_common_words() {
    let federation = Federation::start(Default::default()).await;
    let config = demo_sender_config(&federation.manifest().data_dir).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("brev.txt");
    std::fs::write(&body, "Hej! Det här är ett brev.").unwrap();
    let request = |recipient: &str, subject: &str| SendRequest {
        sender: "212000-0159".to_owned(),
        recipient: recipient.to_owned(),
        subject: subject.to_owned(),
        body: body.clone(),
        attachments: Vec::new(),
    };
    // Tolvan Tolvansson, born 1912: written short, a centenarian takes `+`.
    let tolvan = seed::PERSONS[0].number;
    assert_eq!(tolvan, "191212121212");
    let delivered = send(&config, &request("121212+1212", "Beslut"))
        .await
        .unwrap();
    assert!(
        matches!(delivered, Outcome::Delivered { .. }),
        "{delivered:?}"
    );

    let blank = send(&config, &request(tolvan, " ")).await.unwrap_err();
    assert_eq!(
        format!("{blank:#}"),
        "--subject: Subject is empty; every letter needs one"
    );
    let refused = send(&config, &request("12345", "Beslut"))
        .await
        .unwrap_err();
    let refused = format!("{refused:#}");
    assert!(refused.starts_with("--to \"12345\": identity number has 5 characters"));
    assert!(refused.ends_with("an organisationsnummer as NNNNNN-NNNN, NNNNNNNNNN or 16NNNNNNNNNN"));
}
