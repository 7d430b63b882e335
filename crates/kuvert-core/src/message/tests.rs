//! Tests of the message model: every bound and error kind through table `check`s, content
//! checksums (including the real Kivra sample), size estimation and the idempotency key.

use base64::Engine;
use time::macros::{date, offset};

use super::*;
use crate::id::PersonalIdentityNumber;

/// What parsing a text should give: `Ok(())` or the error.
type Expected = Result<(), MessageError>;

#[track_caller]
fn check<T>(parse: fn(&str) -> Result<T, MessageError>, input: &str, expected: Expected) {
    assert_eq!(parse(input).map(|_| ()), expected, "{input:?}");
}

fn too_long(field: &'static str, chars: usize, max: usize) -> Expected {
    Err(MessageError::TooLong { field, chars, max })
}

fn too_short(field: &'static str, chars: usize, min: usize) -> Expected {
    Err(MessageError::TooShort { field, chars, min })
}

fn forbidden(field: &'static str, position: usize) -> Expected {
    Err(MessageError::ForbiddenCharacter { field, position })
}

fn malformed(field: &'static str, expected: &'static str) -> Expected {
    Err(MessageError::Malformed { field, expected })
}

#[test]
fn texts_enforce_their_bounds() {
    let id = "Message/Header/Id";
    check(
        MessageId::parse,
        "5b0c9f7e-4f3c-4d2a-9c1e-1d2f3a4b5c6d",
        Ok(()),
    );
    check(MessageId::parse, "", too_short(id, 0, 1));
    check(MessageId::parse, &"x".repeat(255), Ok(()));
    check(MessageId::parse, &"x".repeat(256), too_long(id, 256, 255));
    check(MessageId::parse, "a\nb", forbidden(id, 1));
    // Issue 11: one rule for every letter, wherever it is sent from.
    let blank = || Err(MessageError::Blank { field: "Subject" });
    check(Subject::parse, "", blank());
    check(Subject::parse, " \t\n ", blank());
    assert_eq!(
        Subject::parse("").unwrap_err().to_string(),
        "Subject is empty; every letter needs one"
    );
    check(Subject::parse, " x ", Ok(()));
    check(Subject::parse_stored, "", Ok(()));
    check(
        Subject::parse_stored,
        &"x".repeat(256),
        too_long("Subject", 256, 255),
    );
    check(Subject::parse, &"å".repeat(255), Ok(()));
    check(
        Subject::parse,
        &"å".repeat(256),
        too_long("Subject", 256, 255),
    );
    check(Subject::parse, "rad ett\nrad två", Ok(()));
    check(Subject::parse, "nul\u{0}", forbidden("Subject", 3));
    check(Subject::parse, "\u{FFFF}", forbidden("Subject", 0));
    check(SenderName::parse, "A", too_short("Sender/Name", 1, 2));
    check(SenderName::parse, "AB", Ok(()));
    check(
        SenderName::parse,
        &"n".repeat(257),
        too_long("Sender/Name", 257, 256),
    );
    check(SupportText::parse, &"t".repeat(1024), Ok(()));
    check(
        SupportText::parse,
        &"t".repeat(1025),
        too_long("Supportinfo/Text", 1025, 1024),
    );
    check(
        SupportUrl::parse,
        &"u".repeat(256),
        too_long("Supportinfo/URL", 256, 255),
    );
    check(
        PhoneNumber::parse,
        &"1".repeat(256),
        too_long("Supportinfo/PhoneNumber", 256, 255),
    );
    check(
        Reference::parse,
        &"r".repeat(1025),
        too_long("Header/Reference", 1025, 1024),
    );
    check(
        CorrelationId::parse,
        &"c".repeat(1025),
        too_long("Header/CorrelationId", 1025, 1024),
    );
    check(
        Attention::parse,
        &"a".repeat(1025),
        too_long("Attention", 1025, 1024),
    );
    check(
        MetadataTag::parse,
        &"t".repeat(1025),
        too_long("Metadata/Tag", 1025, 1024),
    );
    check(
        MetadataValue::parse,
        &"v".repeat(1025),
        too_long("Metadata/Value", 1025, 1024),
    );
    check(TransId::parse, "", too_short("TransId", 0, 1));
    check(
        EventId::parse,
        &"e".repeat(256),
        too_long("Identity/EventId", 256, 255),
    );
    let matter_id = "Identity/OfficialMatterId";
    check(
        OfficialMatterId::parse,
        &"o".repeat(256),
        too_long(matter_id, 256, 255),
    );
    let preceding = "Identity/PrecedingEventId";
    check(
        PrecedingEventId::parse,
        &"p".repeat(256),
        too_long(preceding, 256, 255),
    );
    check(MatterSubject::parse, &"m".repeat(2000), Ok(()));
    check(
        MatterSubject::parse,
        &"m".repeat(2001),
        too_long("MatterSubject", 2001, 2000),
    );
    check(
        EventType::parse,
        &"e".repeat(2001),
        too_long("EventType", 2001, 2000),
    );
}

#[test]
fn email_address_follows_the_xsd_pattern() {
    let field = "EmailAdress";
    let not_email = malformed(field, "an e-mail address of the form name@domain.tld");
    check(EmailAddress::parse, "a@b.se", Ok(()));
    check(EmailAddress::parse, "kontakt@kommun.example.se", Ok(()));
    check(EmailAddress::parse, "a@b.c", Ok(()));
    check(EmailAddress::parse, "a@.s.e", Ok(()));
    check(EmailAddress::parse, "a@b.", too_short(field, 4, 5));
    check(EmailAddress::parse, "@bc.se", not_email.clone());
    check(EmailAddress::parse, "a@.se", not_email.clone());
    check(EmailAddress::parse, "ab.se@", not_email.clone());
    check(EmailAddress::parse, "abc.se", not_email.clone());
    check(EmailAddress::parse, "a@bse.", not_email);
    check(EmailAddress::parse, "a@b.s\ne", forbidden(field, 5));
    let long = format!("{}@b.se", "a".repeat(252));
    check(EmailAddress::parse, &long, too_long(field, 257, 256));
}

#[test]
fn language_follows_xs_language() {
    let not_language = malformed("Language", "a language tag such as sv or sv-SE");
    check(Language::parse, "svSE", Ok(()));
    check(Language::parse, "sv", Ok(()));
    check(Language::parse, "sv-SE", Ok(()));
    check(Language::parse, "sv-1996", Ok(()));
    check(Language::parse, "", too_short("Language", 0, 1));
    check(Language::parse, "sv_SE", not_language.clone());
    check(Language::parse, "svenskaXX", not_language.clone());
    check(Language::parse, "sv-", not_language.clone());
    check(Language::parse, "1sv", not_language);
    check(
        Language::parse,
        &"a-".repeat(18),
        too_long("Language", 36, 35),
    );
    assert_eq!(Language::swedish().as_str(), "svSE");
}

#[test]
fn filenames_are_single_safe_names() {
    let field = "Attachment/Filename";
    check(Filename::parse, "minimal_l.pdf", Ok(()));
    check(Filename::parse, "Beslut 2024-01 (kopia).pdf", Ok(()));
    check(Filename::parse, "", too_short(field, 0, 1));
    check(Filename::parse, &"f".repeat(256), too_long(field, 256, 255));
    check(Filename::parse, "../etc/passwd", forbidden(field, 2));
    check(Filename::parse, "C:\\temp\\a.pdf", forbidden(field, 2));
    check(Filename::parse, "a\u{7}.pdf", forbidden(field, 1));
    check(Filename::parse, "a\tb.pdf", forbidden(field, 1));
    check(
        Filename::parse,
        "..",
        malformed(field, "a file name other than . or .."),
    );
    check(
        Filename::parse,
        ".",
        malformed(field, "a file name other than . or .."),
    );
}

#[test]
fn filename_sanitise_always_gives_a_name_parse_accepts() {
    for (input, expected) in [
        ("../../etc/passwd", "passwd"),
        ("C:\\temp\\beslut.pdf", "beslut.pdf"),
        ("a\u{7}b\nc.pdf", "a_b_c.pdf"),
        ("", "attachment"),
        ("dir/", "attachment"),
        ("dir/..", "attachment"),
    ] {
        let sanitised = Filename::sanitise(input);
        assert_eq!(sanitised.as_str(), expected, "{input:?}");
        assert_eq!(Filename::parse(sanitised.as_str()), Ok(sanitised));
    }
    let long = Filename::sanitise(&"é".repeat(300));
    assert_eq!(long.as_str().chars().count(), 255);
}

#[test]
fn body_content_types_are_text_plain_or_html() {
    assert_eq!(
        BodyContentType::parse("text/plain"),
        Ok(BodyContentType::TextPlain)
    );
    assert_eq!(
        BodyContentType::parse(" TEXT/HTML "),
        Ok(BodyContentType::TextHtml)
    );
    let error = BodyContentType::parse("application/pdf").unwrap_err();
    let expected = "application/pdf".to_owned();
    assert_eq!(
        error,
        MessageError::UnsupportedBodyType {
            content_type: expected
        }
    );
    assert!(error.is_unsupported_type());
    let long = BodyContentType::parse(&"x".repeat(1000)).unwrap_err();
    assert_eq!(
        long,
        MessageError::UnsupportedBodyType {
            content_type: "x".repeat(64)
        }
    );
}

#[test]
fn text_plain_body_must_be_utf8() {
    let latin1 = b"h\xe4lsning".to_vec();
    let error = Body::new(BodyContentType::TextPlain, latin1.clone()).unwrap_err();
    assert_eq!(error, MessageError::BodyNotUtf8 { valid_up_to: 1 });
    assert!(Body::new(BodyContentType::TextHtml, latin1).is_ok());
    let body = Body::new(BodyContentType::TextPlain, "hälsning".into()).unwrap();
    assert_eq!(body.content(), "hälsning".as_bytes());
    assert_eq!(body.content_type().as_str(), "text/plain");
}

#[test]
fn debug_never_shows_content() {
    let body = Body::plain_text("hemligt beslut".into());
    let attachment = pdf("a.pdf", b"hemlig bilaga");
    let text = format!("{body:?} {attachment:?}");
    assert!(!text.contains("hemlig"), "{text}");
    assert!(text.contains("content_bytes: 14"), "{text}");
    assert!(text.contains("content_bytes: 13"), "{text}");
}

#[test]
fn attachment_new_computes_uppercase_md5() {
    assert_eq!(
        pdf("a.pdf", b"").checksum().as_str(),
        "D41D8CD98F00B204E9800998ECF8427E"
    );
    assert_eq!(
        pdf("a.pdf", b"abc").checksum().as_str(),
        "900150983CD24FB0D6963F7D28E17F72"
    );
}

#[test]
fn attachment_from_wire_checks_type_name_and_checksum() {
    let received = ReceivedAttachment {
        filename: "beslut.pdf",
        content_type: "application/pdf",
        content: b"abc",
        checksum: "900150983cd24fb0d6963f7d28e17f72",
    };
    let attachment = Attachment::from_wire(received).unwrap();
    assert_eq!(
        attachment.checksum().as_str(),
        "900150983CD24FB0D6963F7D28E17F72"
    );
    assert_eq!(attachment.content_type(), AttachmentContentType::Pdf);

    let wrong = ReceivedAttachment {
        checksum: "2111066685",
        ..received
    };
    let error = Attachment::from_wire(wrong).unwrap_err();
    assert_eq!(
        error.to_string(),
        "attachment beslut.pdf has checksum \"2111066685\" but its content has md5 \
         900150983CD24FB0D6963F7D28E17F72"
    );

    let word = ReceivedAttachment {
        content_type: "application/msword",
        ..received
    };
    let error = Attachment::from_wire(word).unwrap_err();
    assert!(error.is_unsupported_type());
    assert_eq!(
        error.to_string(),
        "attachment beslut.pdf has content type \"application/msword\", which is not supported"
    );

    let traversal = ReceivedAttachment {
        filename: "../beslut.pdf",
        ..received
    };
    let error = Attachment::from_wire(traversal).unwrap_err();
    let field = "Attachment/Filename";
    assert_eq!(
        error,
        MessageError::ForbiddenCharacter { field, position: 2 }
    );
}

#[test]
fn attachment_from_wire_accepts_the_real_kivra_sample() {
    let xml = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/mm-schemas/kivra-ews/extracted/deliverSecure_signed_sealed_kivra_test.xml"
    ));
    let attachment = element_text(xml, "<p3:Attachment>", "</p3:Attachment>");
    let body = element_text(attachment, "<p1:Body>", "</p1:Body>");
    let content = base64::engine::general_purpose::STANDARD
        .decode(body.trim())
        .unwrap();
    let received = ReceivedAttachment {
        filename: element_text(attachment, "<p1:Filename>", "</p1:Filename>"),
        content_type: element_text(attachment, "<p1:ContentType>", "</p1:ContentType>"),
        content: &content,
        checksum: element_text(attachment, "<p1:Checksum>", "</p1:Checksum>"),
    };
    let attachment = Attachment::from_wire(received).unwrap();
    assert_eq!(attachment.filename().as_str(), "minimal_l.pdf");
    assert_eq!(
        attachment.checksum().as_str(),
        "DDB0C170A9145291740E6D9B7253C6A1"
    );
}

#[test]
fn secure_message_bounds_attachments_and_metadata() {
    let attachments = vec![pdf("a.pdf", b"x"); 101];
    let error = SecureMessage::new(header(), Body::plain_text("x".into()), attachments);
    let expected = MessageError::TooMany {
        field: "Attachment",
        count: 101,
        max: 100,
    };
    assert_eq!(error.unwrap_err(), expected);
    let attachments = vec![pdf("a.pdf", b"x"); 100];
    assert!(SecureMessage::new(header(), Body::plain_text("x".into()), attachments).is_ok());

    let entry = Metadata {
        tag: MetadataTag::parse("ärende").unwrap(),
        value: MetadataValue::parse("2024-123").unwrap(),
    };
    let mut crowded = header();
    crowded.metadata = vec![entry; 101];
    let error = SecureMessage::new(crowded, Body::plain_text("x".into()), Vec::new());
    let expected = MessageError::TooMany {
        field: "Metadata",
        count: 101,
        max: 100,
    };
    assert!(expected.is_too_large());
    assert_eq!(error.unwrap_err(), expected);
}

#[test]
fn check_size_counts_base64_of_body_and_attachments() {
    let small = delivery(vec![0; 3], vec![pdf("a.pdf", &[0; 4])]);
    assert_eq!(small.estimated_bytes(), 4 + 8);
    assert_eq!(small.check_size(12), Ok(()));
    let error = small.check_size(11).unwrap_err();
    assert_eq!(error, MessageError::TooLarge { bytes: 12, max: 11 });
    assert!(error.is_too_large());

    let pdf_bytes = vec![0; 1_600_000];
    let large = delivery(b"hej".to_vec(), vec![pdf("stor.pdf", &pdf_bytes)]);
    let max = limits::ENVELOPE_BYTES_DEFAULT_MAX;
    let expected = MessageError::TooLarge {
        bytes: 4 + 2_133_336,
        max,
    };
    assert_eq!(large.check_size(max), Err(expected));
    assert_eq!(
        large.check_size(max).unwrap_err().to_string(),
        "the letter needs about 2133340 bytes encoded, more than the 2097152 allowed"
    );
}

#[test]
fn delivery_key_is_sender_and_message_id() {
    let first = delivery(b"ett".to_vec(), Vec::new());
    let mut retried = delivery(b"ett annat".to_vec(), Vec::new());
    retried.header.reference = Some(Reference::parse("ny").unwrap());
    assert_eq!(first.key(), retried.key());
    assert_eq!(first.key().message_id.as_str(), "m-1");
    let mut other_sender = first.clone();
    other_sender.header.sender.id = OrganisationNumber::parse("5568402266").unwrap();
    assert_ne!(first.key(), other_sender.key());
}

#[test]
fn seal_date_reads_and_writes_xs_date() {
    #[track_caller]
    fn check_date(input: &str, expected: Result<&str, MessageError>) {
        let actual = SealDate::parse(input).map(|date| date.to_string());
        assert_eq!(
            actual.as_deref(),
            expected.as_ref().map(|text| *text),
            "{input:?}"
        );
    }
    let not_date = MessageError::Malformed {
        field: "ReceivedTime",
        expected: "a date such as 2023-10-11 or 2023-10-11+02:00",
    };
    check_date("2023-10-11+02:00", Ok("2023-10-11+02:00"));
    check_date("2013-11-14+01:00", Ok("2013-11-14+01:00"));
    check_date("2020-05-28", Ok("2020-05-28"));
    check_date("2020-05-28Z", Ok("2020-05-28Z"));
    check_date("2020-05-28-05:00", Ok("2020-05-28-05:00"));
    check_date("2023-02-29", Err(not_date.clone()));
    check_date("2023-10-11+2", Err(not_date.clone()));
    check_date("2023-10-11T10:00:00", Err(not_date.clone()));
    check_date("11/10/2023", Err(not_date.clone()));
    check_date("2023-10-1", Err(not_date.clone()));
    check_date("", Err(not_date));
    let sealed = SealDate::parse("2023-10-11+02:00").unwrap();
    assert_eq!(sealed.date(), date!(2023 - 10 - 11));
    assert_eq!(sealed.offset(), Some(offset!(+2)));
    let error = SealDate::parse_timestamp("igår").unwrap_err();
    assert!(matches!(
        error,
        MessageError::Malformed {
            field: "OfficialMatter/Timestamp",
            ..
        }
    ));
}

#[test]
fn matter_status_accepts_the_three_xsd_values() {
    for status in [
        MatterStatus::SenderInitiative,
        MatterStatus::RecipientInitiative,
        MatterStatus::Closed,
    ] {
        assert_eq!(MatterStatus::parse(status.as_str()), Ok(status));
    }
    assert!(MatterStatus::parse("Closed").is_err());
}

#[test]
fn ids_from_uuids_are_hyphenated() {
    let uuid = uuid::Uuid::from_u128(0x3832352f_fa74_4c17_ab6a_a6e3ab8324f3);
    assert_eq!(
        TransId::from_uuid(uuid).as_str(),
        "3832352f-fa74-4c17-ab6a-a6e3ab8324f3"
    );
    assert_eq!(
        MessageId::from_uuid(uuid).as_str(),
        "3832352f-fa74-4c17-ab6a-a6e3ab8324f3"
    );
}

#[test]
fn text_serde_goes_through_parse() {
    let subject: Subject = serde_json::from_str("\"Beslut\"").unwrap();
    assert_eq!(serde_json::to_string(&subject).unwrap(), "\"Beslut\"");
    let too_long = serde_json::to_string(&"s".repeat(256)).unwrap();
    let error = serde_json::from_str::<Subject>(&too_long).unwrap_err();
    assert!(
        error.to_string().contains("Subject has 256 characters"),
        "{error}"
    );
}

/// A PDF attachment with the given name and bytes.
fn pdf(filename: &str, content: &[u8]) -> Attachment {
    let filename = Filename::parse(filename).unwrap();
    Attachment::new(filename, AttachmentContentType::Pdf, content.to_vec())
}

/// A minimal valid message header with id `m-1`.
fn header() -> MessageHeader {
    MessageHeader {
        id: MessageId::parse("m-1").unwrap(),
        subject: Subject::parse("Beslut").unwrap(),
        support_info: SupportInfo {
            text: SupportText::parse("Ring 0771-00 00 00").unwrap(),
            url: Some(SupportUrl::parse("https://kommun.example/kontakt").unwrap()),
            phone: Some(PhoneNumber::parse("0771-00 00 00").unwrap()),
            email: Some(EmailAddress::parse("kontakt@kommun.example").unwrap()),
        },
        official_matter: Some(OfficialMatter {
            timestamp: SealDate::parse("2024-01-02").unwrap(),
            identity: Some(OfficialMatterIdentity {
                event_id: Some(EventId::parse("e-1").unwrap()),
                ..OfficialMatterIdentity::default()
            }),
            matter_subject: None,
            event_type: None,
            matter_status: Some(MatterStatus::Closed),
        }),
        metadata: Vec::new(),
        language: Language::swedish(),
    }
}

/// A delivery from Kommun A to 191212121212 with a text/html body of `body`.
fn delivery(body: Vec<u8>, attachments: Vec<Attachment>) -> SecureDelivery {
    let body = Body::new(BodyContentType::TextHtml, body).unwrap();
    SecureDelivery {
        header: DeliveryHeader {
            sender: Sender {
                id: OrganisationNumber::parse("2021004748").unwrap(),
                name: SenderName::parse("Kommun A").unwrap(),
                attention: None,
            },
            recipient: RecipientId::Person(PersonalIdentityNumber::parse("191212121212").unwrap()),
            reference: None,
            correlation_id: None,
            attention: None,
        },
        message: SecureMessage::new(header(), body, attachments).unwrap(),
    }
}

/// The text between the first `open` and the next `close` in `xml`.
fn element_text<'a>(xml: &'a str, open: &str, close: &str) -> &'a str {
    let start = xml.find(open).unwrap() + open.len();
    let length = xml[start..].find(close).unwrap();
    &xml[start..start + length]
}
