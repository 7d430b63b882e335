//! Independent clients against the federation: Python's zeep, a SOAP client generated from
//! the real Mina meddelanden WSDLs, calls the registry over mutual TLS.

use kuvert::seed;
use kuvert::testkit::Federation;

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tools/oracles/zeep_is_reachable.py"
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registry_answers_is_reachable_from_a_zeep_client_built_from_the_real_wsdl() {
    let Some(python) = kuvert_testenv::external("PYTHON", "isReachable from zeep and the WSDLs")
    else {
        return;
    };
    let Some(wsdl) = kuvert_testenv::mm_wsdl("isReachable from zeep and the WSDLs") else {
        return;
    };
    let federation = Federation::start(Default::default()).await;
    let manifest = federation.manifest().clone();
    let endpoint = format!("{}ec/Recipient/v3", manifest.registry_url);
    let tolvan = seed::person("tolvan").unwrap();
    let david = seed::person("david").unwrap();
    let intermediary = manifest.intermediary.clone();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(python)
            .arg(SCRIPT)
            .arg(&wsdl)
            .arg(endpoint)
            .arg(&manifest.organisation_ca)
            .arg(&intermediary.certificate)
            .arg(&intermediary.key_file)
            .arg(seed::SENDERS[0].number)
            .args([tolvan.number, david.number])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "zeep failed: {stderr}");
    let statuses: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let first = &statuses[0]["AccountStatus"];
    assert_eq!(first["RecipientId"], tolvan.number);
    assert_eq!(first["Type"], "Secure");
    assert_eq!(first["ServiceSupplier"]["Name"], seed::OPERATORS[0].name);
    assert_eq!(statuses[0]["SenderAccepted"], true);
    let second = &statuses[1]["AccountStatus"];
    assert_eq!(second["RecipientId"], david.number);
    assert_eq!(second["Type"], "Not");
}
