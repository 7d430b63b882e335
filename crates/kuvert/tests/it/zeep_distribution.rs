//! Issue 15 acceptance: an independent sender system — Python's zeep, built from the official
//! `Message.wsdl` — hands a letter signed by signxml with the sender's key to the
//! intermediary's Message v3 service (`distributeSecure`, mutual TLS with the sender's client
//! certificate) and follows it with `checkDistributionStatus`: to `Digital`/`Delivered` for a
//! recipient with a mailbox, to `Paper` for one without. Every raw answer is validated against
//! the XSDs by `tools/oracles/xsd_validate.py`.

use kuvert::seed;
use kuvert::testkit::Federation;

use crate::intermediary::start;

const DISTRIBUTE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tools/oracles/zeep_distribute_secure.py"
);
const VALIDATE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tools/oracles/xsd_validate.py"
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zeep_sender_system_distributes_a_signed_delivery_and_follows_it_to_delivered_or_paper() {
    let purpose = "distributeSecure from zeep built from Message.wsdl";
    let Some(python) = kuvert_testenv::external("PYTHON", purpose) else {
        return;
    };
    let Some(wsdl) = kuvert_testenv::mm_wsdl(purpose) else {
        return;
    };
    let federation = Federation::start(Default::default()).await;
    let kommun = seed::SENDERS[0];
    let intermediary = start(&federation, &[kommun]).await;
    let manifest = federation.manifest().clone();
    let sender = manifest
        .senders
        .iter()
        .find(|sender| sender.key == kommun.key)
        .unwrap();
    let (tolvan, david) = (
        seed::person("tolvan").unwrap(),
        seed::person("david").unwrap(),
    );
    assert!(tolvan.operator.is_some() && david.operator.is_none());
    let out = tempfile::tempdir().unwrap();
    let mut command = std::process::Command::new(&python);
    command
        .arg(DISTRIBUTE)
        .arg(&wsdl)
        .arg(&intermediary.message_url)
        .arg(&manifest.organisation_ca)
        .args([&sender.certificate, &sender.key_file])
        .args([&sender.number, &sender.name])
        .args([&sender.certificate, &sender.key_file])
        .arg("Beslut förmedlat från zeep")
        .arg(out.path())
        .args([tolvan.number, david.number]);
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "zeep failed: {stderr}");
    let answers: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();

    let delivered = &answers[0];
    assert_eq!(delivered["status"][0]["RecipientId"], tolvan.number);
    assert_eq!(delivered["status"][0]["Type"], "Digital", "{answers}");
    assert_eq!(
        delivered["status"][0]["DeliveryStatus"], "Delivered",
        "{answers}"
    );
    let on_paper = &answers[1];
    assert_eq!(on_paper["status"][0]["RecipientId"], david.number);
    assert_eq!(on_paper["status"][0]["Type"], "Paper", "{answers}");
    assert_ne!(delivered["distributionId"], on_paper["distributionId"]);

    let files: Vec<_> = ["distribute_secure", "check_status"]
        .iter()
        .flat_map(|name| (0..2).map(move |index| format!("{name}_{index}.xml")))
        .map(|name| out.path().join(name))
        .collect();
    let validated = std::process::Command::new(&python)
        .arg(VALIDATE)
        .arg(&wsdl)
        .args(&files)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&validated.stdout);
    assert!(validated.status.success(), "{report}");
    assert_eq!(report.matches("OK ").count(), 4, "{report}");
}
