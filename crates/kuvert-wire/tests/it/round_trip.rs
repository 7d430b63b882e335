//! Every operation in both directions: built, parsed by the server dispatcher, and read back.

use kuvert_wire::envelope::{self, BodyElement};
use kuvert_wire::error::WireError;
use kuvert_wire::{authority, delivery, message, notification, recipient, service};

use crate::examples;

fn is_request(name: &str) -> bool {
    !name.ends_with("Response")
}

#[test]
fn every_recipient_operation_round_trips_and_requests_dispatch() {
    let built = examples::recipient();
    assert_eq!(built.len(), 28);
    for example in built.iter().filter(|example| is_request(example.name)) {
        let document = envelope::parse(&example.xml).unwrap();
        recipient::parse_request(&document).unwrap_or_else(|e| panic!("{}: {e}", example.name));
    }
}

#[test]
fn every_authority_operation_round_trips_and_requests_dispatch() {
    let built = examples::authority();
    assert_eq!(built.len(), 14);
    for example in built.iter().filter(|example| is_request(example.name)) {
        let document = envelope::parse(&example.xml).unwrap();
        authority::parse_request(&document).unwrap_or_else(|e| panic!("{}: {e}", example.name));
    }
}

#[test]
fn authority_arguments_are_unqualified_and_wrapper_qualified() {
    let request = authority::IsSenderAccepted {
        sender: examples::company(),
    };
    let xml = request.to_element();
    assert_eq!(
        xml,
        "<isSenderAccepted xmlns=\"http://minameddelanden.gov.se/Authority\">\
         <arg0 xmlns=\"\">162021004748</arg0></isSenderAccepted>"
    );
}

#[test]
fn deliver_secure_request_reads_back_the_same_letter_and_seal() {
    let xml = service::deliver_secure_request(&examples::sealed_delivery_xml()).unwrap();
    let document = envelope::parse(&xml).unwrap();
    let service::ServiceRequest::DeliverSecure(sealed) = service::parse_request(&document).unwrap()
    else {
        panic!("a deliverSecure request");
    };
    let signed = delivery::signed_delivery_of(sealed).unwrap();
    assert_eq!(
        delivery::read_secure_delivery(signed).unwrap(),
        examples::secure_delivery()
    );
    assert_eq!(delivery::read_seal(sealed).unwrap(), examples::seal());
    assert!(
        !xml.contains("xmlns:") || xml.matches("xmlns:").count() == 1,
        "only soap: prefix"
    );
}

#[test]
fn deliver_forward_request_reads_back_note_and_original() {
    let note = examples::forward_note();
    let xml = service::deliver_forward_request(&note, &examples::sealed_delivery_xml()).unwrap();
    let document = envelope::parse(&xml).unwrap();
    let service::ServiceRequest::DeliverForward(forward) =
        service::parse_request(&document).unwrap()
    else {
        panic!("a deliverForward request");
    };
    assert_eq!(forward.note, note);
    let signed = delivery::signed_delivery_of(forward.original).unwrap();
    assert_eq!(
        delivery::read_secure_delivery(signed).unwrap(),
        examples::secure_delivery()
    );
}

#[test]
fn notify_request_dispatches_to_its_notification_delivery() {
    let xml = service::Notify {
        delivery: examples::notification_delivery(),
    }
    .to_envelope();
    let document = envelope::parse(&xml).unwrap();
    let service::ServiceRequest::Notify(read) = service::parse_request(&document).unwrap() else {
        panic!("a notify request");
    };
    assert_eq!(*read, examples::notification_delivery());
    let distribute = notification::Distribute {
        delivery: examples::notification_delivery(),
    };
    let xml = distribute.to_envelope();
    let document = envelope::parse(&xml).unwrap();
    assert_eq!(
        notification::parse_request(&document).unwrap(),
        notification::NotificationRequest::Distribute(Box::new(distribute))
    );
}

#[test]
fn distribute_secure_request_reads_back_the_same_letter() {
    let xml = message::distribute_secure_request(&examples::signed_delivery_xml()).unwrap();
    let document = envelope::parse(&xml).unwrap();
    let message::MessageRequest::DistributeSecure(signed) =
        message::parse_request(&document).unwrap()
    else {
        panic!("a distributeSecure request");
    };
    assert_eq!(signed.tag_name().name(), "signedDelivery");
    assert_eq!(
        delivery::read_secure_delivery(signed).unwrap(),
        examples::secure_delivery()
    );
}

#[test]
fn signed_delivery_is_prefix_free_with_base64_once_and_uppercase_md5() {
    let xml = delivery::unsigned_signed_delivery(&examples::secure_delivery());
    assert!(xml.starts_with(
        "<SignedDelivery xmlns=\"http://minameddelanden.gov.se/schema/Message/v3\"><Delivery>\
         <Header><Sender xmlns=\"http://minameddelanden.gov.se/schema/Message/v2\">\
         <Id xmlns=\"http://minameddelanden.gov.se/schema/Sender\">162021004748</Id>"
    ));
    assert!(!xml.contains("xmlns:"));
    assert!(!xml.contains("> <") && !xml.contains('\n'));
    // "<p>Hej &amp; välkommen</p>" encoded once.
    assert!(xml.contains("PHA+SGVqICZhbXA7IHbDpGxrb21tZW48L3A+"));
    assert!(xml.contains(">Beslut om bygglov &amp; &lt;villkor&gt;</Subject>"));
    let md5 = kuvert_core::message::Md5Checksum::of(b"%PDF-1.4 test");
    assert!(xml.contains(&format!(
        "<Checksum xmlns=\"http://minameddelanden.gov.se/schema/Message\">{}</Checksum>",
        md5.as_str()
    )));
    assert_eq!(md5.as_str(), md5.as_str().to_uppercase());
}

#[test]
fn read_secure_delivery_rejects_a_second_message() {
    let signed = examples::signed_delivery_xml();
    let start = signed.find("<Message>").unwrap();
    let end = signed.find("</Message>").unwrap() + "</Message>".len();
    let doubled = format!(
        "{}{}{}",
        &signed[..end],
        &signed[start..end],
        &signed[end..]
    );
    let document = envelope::parse(&doubled).unwrap();
    let error = delivery::read_secure_delivery(document.root_element()).unwrap_err();
    assert!(
        matches!(
            &error,
            WireError::TooMany { path, count: 2, max: 1 } if path.ends_with("/Message")
        ),
        "{error}"
    );
}

#[test]
fn read_secure_delivery_rejects_a_wrong_attachment_checksum() {
    let signed = examples::signed_delivery_xml();
    let md5 = kuvert_core::message::Md5Checksum::of(b"%PDF-1.4 test");
    let tampered = signed.replace(md5.as_str(), "00000000000000000000000000000000");
    let document = envelope::parse(&tampered).unwrap();
    let error = delivery::read_secure_delivery(document.root_element()).unwrap_err();
    assert!(matches!(&error, WireError::ChecksumMismatch { path } if path.ends_with("Checksum")));
}

#[test]
fn is_reachable_rejects_1001_ids_when_built_and_when_parsed() {
    let ids = vec![examples::person(); 1001];
    let error = recipient::IsReachable::new(examples::organisation(), ids).unwrap_err();
    assert!(matches!(
        error,
        WireError::TooMany {
            count: 1001,
            max: 1000,
            ..
        }
    ));
    let one = recipient::IsReachable::new(examples::organisation(), vec![examples::person()]);
    let xml = one.unwrap().to_envelope();
    let id = "<recipientId>198101052382</recipientId>";
    let many = xml.replace(id, &id.repeat(1001));
    let document = envelope::parse(&many).unwrap();
    let error = recipient::parse_request(&document).unwrap_err();
    assert!(
        matches!(
            error,
            WireError::TooMany {
                count: 1001,
                max: 1000,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn parse_request_names_an_unknown_operation() {
    let xml = authority::GetSenders.to_envelope();
    let document = envelope::parse(&xml).unwrap();
    let error = recipient::parse_request(&document).unwrap_err();
    assert!(matches!(
        error,
        WireError::UnknownOperation { ref namespace, ref name }
            if namespace == "http://minameddelanden.gov.se/Authority" && name == "getSenders"
    ));
}

#[test]
fn parsing_rejects_a_document_type_declaration() {
    let xml = "<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>";
    assert!(matches!(envelope::parse(xml), Err(WireError::Xml { .. })));
}
