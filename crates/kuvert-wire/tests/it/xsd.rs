//! Every envelope we build for every operation validates against its XSD, checked by Python
//! `xmlschema` through `tools/oracles/xsd_validate.py` in ONE process.

use std::path::Path;
use std::process::Command;

use kuvert_wire::{delivery, message, service};
use kuvert_xmldsig::SignatureAlgorithm;

use crate::examples::{self, Built};
use crate::signed_letter::signer_and_verifier;

const ORACLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tools/oracles/xsd_validate.py"
);

#[test]
fn every_built_envelope_validates_against_its_xsd() {
    let Some(python) = kuvert_testenv::external("PYTHON", "built envelopes against the XSDs")
    else {
        return;
    };
    let Some(schemas) = kuvert_testenv::mm_wsdl("built envelopes against the XSDs") else {
        return;
    };
    let mut built = examples::recipient();
    built.extend(examples::authority());
    built.extend(examples::service_message_notification());
    built.extend(examples::faults());
    assert_eq!(built.len(), 58);
    validate(&python, &schemas, &built);
}

/// A letter really signed by the sender and sealed by the intermediary, as Kuvert sends it,
/// validates inside `deliverSecure` and inside `distributeSecure` (issue 2: deliveries we
/// sign and seal validate against the v3 XSDs).
#[test]
fn signed_and_sealed_deliveries_validate_against_the_xsds() {
    let Some(python) = kuvert_testenv::external("PYTHON", "signed deliveries against the XSDs")
    else {
        return;
    };
    let Some(schemas) = kuvert_testenv::mm_wsdl("signed deliveries against the XSDs") else {
        return;
    };
    let (signer, _) = signer_and_verifier();
    let unsigned = delivery::unsigned_signed_delivery(&examples::secure_delivery());
    let signed = signer
        .sign(&unsigned, SignatureAlgorithm::RsaSha256)
        .unwrap();
    let unsealed = delivery::unsigned_sealed_delivery(&signed, &examples::seal());
    let sealed = signer
        .sign(&unsealed, SignatureAlgorithm::RsaSha256)
        .unwrap();
    let built = [
        Built {
            name: "signed deliverSecure",
            xml: service::deliver_secure_request(&sealed).unwrap(),
        },
        Built {
            name: "signed distributeSecure",
            xml: message::distribute_secure_request(&signed).unwrap(),
        },
    ];
    validate(&python, &schemas, &built);
}

/// Runs the oracle once over `built` and asserts every envelope is reported valid.
#[track_caller]
fn validate(python: &str, schemas: &Path, built: &[Built]) {
    let directory = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (idx, example) in built.iter().enumerate() {
        let file = format!("{idx:02}-{}.xml", example.name.replace(' ', "-"));
        let path = directory.path().join(file);
        std::fs::write(&path, &example.xml).unwrap();
        paths.push(path);
    }
    let output = Command::new(python)
        .arg(ORACLE)
        .arg(schemas)
        .args(&paths)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    let failures: Vec<&str> = report
        .lines()
        .filter(|line| !line.starts_with("OK "))
        .collect();
    assert!(
        failures.is_empty() && output.status.success(),
        "{} of {} envelopes fail their XSD:\n{}\n{}",
        failures.len(),
        built.len(),
        failures.join("\n"),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(report.lines().count(), built.len());
}
