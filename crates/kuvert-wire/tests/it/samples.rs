//! The real signed samples' `SignedDelivery` content reads into a `SecureDelivery`, by
//! expanded names whatever prefixes the sample uses (PROTOCOL.md §15.4, §15.5).

use kuvert_core::id::RecipientId;
use kuvert_core::message::{AttachmentContentType, BodyContentType};
use kuvert_wire::delivery;
use kuvert_wire::envelope;
use kuvert_wire::error::WireError;
use kuvert_wire::service::{self, ServiceRequest};

/// The real sample at `path` under the contracts' folder, without its byte-order mark; `None`
/// after saying why the test skips when that folder is missing.
fn read(path: &str, purpose: &str) -> Option<String> {
    let samples = kuvert_testenv::mm_schemas(purpose)?;
    let text = std::fs::read_to_string(samples.join(path)).unwrap();
    Some(text.trim_start_matches('\u{feff}').to_owned())
}

#[test]
fn kivra_deliver_secure_sample_reads_through_its_prefixes() {
    let path = "kivra-ews/extracted/deliverSecure_signed_sealed_kivra_test.xml";
    let Some(xml) = read(path, "reading Kivra's deliverSecure sample") else {
        return;
    };
    let document = envelope::parse(&xml).unwrap();
    let ServiceRequest::DeliverSecure(sealed) = service::parse_request(&document).unwrap() else {
        panic!("a deliverSecure request");
    };
    let signed = delivery::signed_delivery_of(sealed).unwrap();
    let letter = delivery::read_secure_delivery(signed).unwrap();
    assert_eq!(letter.header.sender.id.to_wire(), "165568402266");
    assert_eq!(letter.header.sender.name.as_str(), "Kivra AB");
    assert_eq!(
        letter.header.recipient,
        RecipientId::parse("198101032384").unwrap()
    );
    assert_eq!(
        letter.header.reference.as_ref().unwrap().as_str(),
        "minimal_l"
    );
    let message = &letter.message;
    assert_eq!(message.header().subject.as_str(), "Välkommen till bruket");
    assert_eq!(message.header().language.as_str(), "svSE");
    assert_eq!(message.body().content_type(), BodyContentType::TextPlain);
    assert_eq!(message.body().content(), "Här är din pdf.".as_bytes());
    let [attachment] = message.attachments() else {
        panic!("one attachment")
    };
    assert_eq!(attachment.content_type(), AttachmentContentType::Pdf);
    assert!(attachment.content().starts_with(b"%PDF-1.1"));
    let seal = delivery::read_seal(sealed).unwrap();
    assert!(seal.signatures_ok);
    // The one reader's path and shape checks accept the real wire form (issue 10).
    delivery::SealedDocument::locate(&document).unwrap();
}

const S4: &str = concat!(
    "linusalnervik-SE.GOV.MM.Integration/SE.GOV.MM.Integration/",
    "SE.GOV.MM.Integration.NUnit/TestSets/"
);

/// S4's attachment `Checksum` is `2111066685`, not an MD5 (PROTOCOL.md §6.3: bad test data),
/// so Kuvert rejects the sample as it stands; with the MD5 put in, everything else reads. Its
/// body is base64 TWICE: what Kuvert reads is the inner base64 text, not the HTML.
#[test]
fn s4_sealed_sample_is_rejected_for_its_checksum_and_otherwise_reads() {
    let path = format!("{S4}SealedDeliveryWithSignature.xml");
    let Some(xml) = read(&path, "reading the S4 sealed sample") else {
        return;
    };
    let document = envelope::parse(&xml).unwrap();
    let signed = delivery::signed_delivery_of(document.root_element()).unwrap();
    let error = delivery::read_secure_delivery(signed).unwrap_err();
    assert!(
        matches!(
            &error,
            WireError::ChecksumMismatch { path } if path.ends_with("Attachment[1]/Checksum")
        ),
        "{error}"
    );

    let attachment = &xml[xml.find("<Attachment>").unwrap()..];
    let pdf_text = &attachment[attachment.find("<Body ").unwrap()..];
    let pdf_text = &pdf_text[pdf_text.find('>').unwrap() + 1..pdf_text.find("</Body>").unwrap()];
    let pdf = base64_decode(pdf_text);
    let md5 = kuvert_core::message::Md5Checksum::of(&pdf);
    let fixed = xml.replace(">2111066685<", &format!(">{}<", md5.as_str()));
    let document = envelope::parse(&fixed).unwrap();
    let signed = delivery::signed_delivery_of(document.root_element()).unwrap();
    let letter = delivery::read_secure_delivery(signed).unwrap();
    assert_eq!(letter.header.sender.name.as_str(), "Kommun A");
    assert_eq!(
        letter.header.recipient,
        RecipientId::parse("198101052382").unwrap()
    );
    let header = letter.message.header();
    assert_eq!(header.support_info.text.as_str(), "suppinfo");
    let matter = header.official_matter.as_ref().unwrap();
    assert_eq!(matter.timestamp.to_string(), "2020-05-27");
    let identity = matter.identity.as_ref().unwrap();
    assert_eq!(
        identity.preceding_event_id.as_ref().unwrap().as_str(),
        "234243"
    );
    assert_eq!(header.metadata[0].value.as_str(), "3465436");
    let body = letter.message.body();
    assert_eq!(body.content_type(), BodyContentType::TextHtml);
    // Double base64: the "HTML" we read is itself base64 of the HTML.
    let inner = base64_decode(std::str::from_utf8(body.content()).unwrap());
    assert!(String::from_utf8(inner).unwrap().contains('<'));
    let seal = delivery::read_seal(document.root_element()).unwrap();
    assert_eq!(seal.received_date.to_string(), "2020-05-28");
    delivery::SealedDocument::locate(&document).unwrap();
}

/// Issue 15: S4's real `SignedDelivery` (signed with whitespace that its digest leaves out,
/// PROTOCOL.md §9.5), handed to an intermediary in a `distributeSecure` envelope, passes the
/// one reader's path and signature check and is then refused for its bad attachment checksum,
/// as the sealed sample is.
#[test]
fn s4_signed_sample_in_distribute_secure_verifies_and_is_refused_for_its_checksum() {
    let path = format!("{S4}SignedDeliveryWithSignature.xml");
    let Some(xml) = read(&path, "the S4 signed sample as a distributeSecure") else {
        return;
    };
    let start = r#"<SignedDelivery xmlns="http://minameddelanden.gov.se/schema/Message/v3">"#;
    let envelope_start = concat!(
        r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>"#,
        r#"<distributeSecure xmlns="http://minameddelanden.gov.se/schema/Message/v3">"#,
        "<signedDelivery>"
    );
    let end = "</signedDelivery></distributeSecure></soap:Body></soap:Envelope>";
    assert!(xml.starts_with(start), "{}", &xml[..80]);
    let request = xml
        .replacen(start, envelope_start, 1)
        .replace("</SignedDelivery>", end);
    let document = envelope::parse(&request).unwrap();
    let anchors = embedded_anchors(&document);
    let policy = kuvert_xmldsig::VerifyPolicy {
        is_sha1_allowed: false,
        now: time::macros::datetime!(2020-06-01 0:00 UTC),
    };
    let verifier = kuvert_xmldsig::Verifier::new(anchors, policy);
    let error = delivery::SignedDocument::locate(&document)
        .unwrap()
        .verify(&verifier)
        .unwrap_err();
    assert!(
        matches!(
            &error,
            delivery::LetterError::Letter(WireError::ChecksumMismatch { .. })
        ),
        "{error:?}"
    );
}

/// Every certificate the document embeds, trusted as itself (the samples' CAs are not public).
fn embedded_anchors(document: &roxmltree::Document<'_>) -> kuvert_xmldsig::trust::TrustAnchors {
    let certificates = document
        .descendants()
        .filter(|node| node.has_tag_name("X509Certificate"))
        .map(|node| {
            let der = base64_decode(node.text().unwrap());
            kuvert_xmldsig::certificate::Certificate::from_der(&der).unwrap()
        })
        .collect();
    kuvert_xmldsig::trust::TrustAnchors::from_certificates(certificates).unwrap()
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .unwrap()
}
