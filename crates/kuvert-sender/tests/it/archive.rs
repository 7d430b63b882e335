//! The evidence archive: a delivered letter's sealed delivery and receipt are on disk where
//! `kuvert verify` looks, and the sealed file verifies on its own.

use kuvert_sender::Outcome;

use crate::send::{federation, verifier};
use crate::support::{self, Behaviour, REACHABLE, SENDER};

#[tokio::test]
async fn archive_holds_a_verifiable_sealed_delivery_and_its_receipt() {
    let (toolkit, log, _servers, archive) = federation(Behaviour::Accept).await;

    let outcome = toolkit.send(&support::letter(REACHABLE)).await.unwrap();

    let Outcome::Delivered {
        receipt,
        message_id,
        ..
    } = outcome
    else {
        panic!("delivered");
    };
    let folder = archive.path().join(SENDER);
    let sealed_path = folder.join(format!("{}.sealed.xml", message_id.as_str()));
    let receipt_path = folder.join(format!("{}.receipt.json", message_id.as_str()));
    let sealed = std::fs::read_to_string(&sealed_path).unwrap();
    let document = kuvert_xmldsig::parse_document(&sealed).unwrap();
    let verified = verifier()
        .verify_sealed_delivery(document.root_element())
        .unwrap();
    let letter = kuvert_wire::delivery::read_secure_delivery(verified.signed_delivery()).unwrap();
    assert_eq!(letter.message.header().id, message_id);
    assert!(log.lock().unwrap().bodies[0].contains(
        &sealed[sealed.find("<SignedDelivery").unwrap()..sealed.find("</SignedDelivery>").unwrap()]
    ));

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&receipt_path).unwrap()).unwrap();
    assert_eq!(json["trans_id"], receipt.trans_id.as_str());
    assert_eq!(json["message_id"], message_id.as_str());
    assert_eq!(json["sender"], SENDER);
    assert_eq!(json["is_delivered"], true);
    assert_eq!(json["operator"], "Demobrevlådan");
    let leftovers: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .filter(|name| name.to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty());
}

#[tokio::test]
async fn failed_delivery_still_leaves_the_sealed_delivery_without_a_receipt() {
    let (toolkit, _log, _servers, archive) = federation(Behaviour::Fault).await;

    toolkit.send(&support::letter(REACHABLE)).await.unwrap_err();

    let files: Vec<String> = std::fs::read_dir(archive.path().join(SENDER))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files.len(), 1);
    assert!(files[0].ends_with(".sealed.xml"));
}
