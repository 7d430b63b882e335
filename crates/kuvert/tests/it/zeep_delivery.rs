//! An independent förmedlare against the federation: Python's zeep, built from the real
//! Mina meddelanden WSDLs, asks the registry (`isReachable`) and delivers a letter signed and
//! sealed by signxml (`deliverSecure`) to the operator the registry named, over mutual TLS.
//! Both raw answers are validated against the XSDs by `tools/oracles/xsd_validate.py`.

use kuvert::seed;
use kuvert::testkit::Federation;
use kuvert_core::id::RecipientId;
use kuvert_store::operator::{Folder, MailboxQuery};

const DELIVER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tools/oracles/zeep_deliver_secure.py"
);
const VALIDATE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tools/oracles/xsd_validate.py"
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_accepts_a_signxml_sealed_delivery_from_a_zeep_client_and_answers_valid_xml() {
    let Some(python) =
        kuvert_testenv::external("PYTHON", "deliverSecure from zeep with signxml signatures")
    else {
        return;
    };
    let Some(wsdl) = kuvert_testenv::mm_wsdl("deliverSecure from zeep with signxml signatures")
    else {
        return;
    };
    let federation = Federation::start(Default::default()).await;
    let manifest = federation.manifest().clone();
    let person = seed::person("tolvan").unwrap();
    let operator = seed::organisation(person.operator.unwrap()).unwrap();
    let sender = &manifest.senders[0];
    assert_eq!(sender.number, seed::SENDERS[0].number);
    let subject = "Beslut sänt med zeep och signxml";
    let out = tempfile::tempdir().unwrap();
    let mut command = std::process::Command::new(&python);
    command
        .arg(DELIVER)
        .arg(&wsdl)
        .arg(format!("{}ec/Recipient/v3", manifest.registry_url))
        .arg(&manifest.organisation_ca)
        .arg(&manifest.intermediary.certificate)
        .arg(&manifest.intermediary.key_file)
        .args([&sender.number, &sender.name])
        .arg(&sender.certificate)
        .arg(&sender.key_file)
        .args([person.number, subject])
        .arg(out.path());
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "zeep failed: {stderr}");
    let answers: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();

    let status = &answers["isReachable"][0]["AccountStatus"];
    assert_eq!(status["Type"], "Secure");
    let service = &manifest.operators[0];
    assert_eq!(service.organisation.key, operator.key);
    assert_eq!(
        status["ServiceSupplier"]["ServiceAdress"],
        service.service_address
    );
    let receipt = &answers["deliverSecure"];
    assert_eq!(receipt["Status"][0]["RecipientId"], person.number);
    assert_eq!(receipt["Status"][0]["Delivered"], true, "{receipt}");

    let mailbox = RecipientId::Person(person.personal_identity_number());
    let store = federation.operator(&operator).store();
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
        .find(|letter| letter.subject.as_str() == subject)
        .expect("the letter is in the recipient's mailbox");
    let stored = store.letter(&mailbox, summary.id).await.unwrap();
    assert_eq!(receipt["TransId"], stored.trans_id.to_string());

    let answers = ["is_reachable.xml", "deliver_secure.xml"].map(|name| out.path().join(name));
    let validated = std::process::Command::new(&python)
        .arg(VALIDATE)
        .arg(&wsdl)
        .args(&answers)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&validated.stdout);
    assert!(validated.status.success(), "{report}");
    assert_eq!(report.matches("OK ").count(), 2, "{report}");
}
