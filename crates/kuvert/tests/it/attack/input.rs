//! Hostile input that is not about signatures: entity, DTD, depth, node and size bombs; what
//! the schemas do not allow in `SealedDelivery`, `Seal` and `SignedDelivery` (unknown
//! elements and attributes, text, a seal naming another recipient), each signed over and
//! re-sealed by the attacker so only strict intake can refuse it.

use kuvert::seed;
use kuvert_wire::fault::FaultCode;

use super::forge::{
    MSG, MSG3, add_attribute, envelope, insert_after, insert_before, seal_and_wrap,
};
use super::{Arena, Case, Expect};

const INVALID: FaultCode = FaultCode::INVALID_INPUT;
const TOO_MUCH: FaultCode = FaultCode::MAX_EXCEEDED;

pub(super) fn cases(arena: &Arena) -> Vec<Case> {
    let mut cases = bombs(arena);
    cases.extend(strict_seal(arena));
    cases.extend(strict_signed_delivery(arena));
    cases
}

fn bombs(arena: &Arena) -> Vec<Case> {
    let body = envelope(&arena.stages("Bomb").sealed, "");
    let laughs = "<!DOCTYPE soap:Envelope [<!ENTITY a \"hahahahahahahahahaha\">\
                  <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\
                  <!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\
                  <!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">]>";
    let external = "<!DOCTYPE soap:Envelope [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>";
    let deep = format!("{}{}", "<d>".repeat(5_000), "</d>".repeat(5_000));
    let wide = "<n/>".repeat(300_000);
    let huge = format!("<x>{}</x>", "a".repeat(3 * 1024 * 1024));
    let mut invalid_utf8 = body.clone().into_bytes();
    let at = invalid_utf8.len() / 2;
    invalid_utf8.insert(at, 0xff);
    vec![
        Case::new(
            "bombs: billion laughs in a DOCTYPE",
            INVALID,
            format!(
                "{laughs}{}",
                body.replacen("<soap:Body>", "<soap:Body>&d;", 1)
            ),
        ),
        Case::new(
            "bombs: external entity to /etc/passwd",
            INVALID,
            format!(
                "{external}{}",
                body.replacen("<soap:Body>", "<soap:Body>&x;", 1)
            ),
        ),
        Case::new(
            "bombs: an empty DOCTYPE",
            INVALID,
            format!("<!DOCTYPE soap:Envelope>{body}"),
        ),
        Case::new(
            "bombs: 5 000 nested elements in the header",
            TOO_MUCH,
            envelope(&arena.stages("Djup").sealed, &deep),
        ),
        Case::new(
            "bombs: 300 000 empty elements in the header",
            TOO_MUCH,
            envelope(&arena.stages("Bred").sealed, &wide),
        ),
        Case {
            expect: Expect::TooLarge,
            ..Case::new("bombs: 3 MiB body", TOO_MUCH, huge)
        },
        Case::new(
            "bombs: a 1.5 MB attribute on the signed delivery, signed over",
            TOO_MUCH,
            seal_and_wrap(
                &arena.intermediary.sign(&add_attribute(
                    &arena.stages("Stort attribut").unsigned,
                    "<SignedDelivery",
                    &format!(" data=\"{}\"", "A".repeat(1_500_000)),
                )),
                &arena.intermediary,
            ),
        ),
        Case::new("bombs: a byte that is not UTF-8", INVALID, invalid_utf8),
        Case::new(
            "bombs: a comment inside the signed content, signed over",
            FaultCode::SIGNATURE_ERROR,
            seal_and_wrap(
                &arena.intermediary.sign(&insert_after(
                    &arena.stages("Kommentar").unsigned,
                    "<Body>",
                    "<!-- Betala 9999 kr -->",
                )),
                &arena.intermediary,
            ),
        ),
    ]
}

/// The seal level, re-sealed by the attacker after each change.
fn strict_seal(arena: &Arena) -> Vec<Case> {
    let sealer = &arena.intermediary;
    let reseal = |unsealed: String| envelope(&sealer.sign(&unsealed), "");
    let unsealed = |subject: &str| arena.stages(subject).unsealed;
    let root = format!("<SealedDelivery xmlns=\"{MSG3}\">");
    let anna = seed::person("anna").unwrap().number;
    let tolvan = seed::person("tolvan").unwrap().number;
    let recipient = |number: &str| format!("<Recipient xmlns=\"{MSG}\">{number}</Recipient>");
    vec![
        Case::new(
            "seal mismatch: the Seal names another recipient",
            INVALID,
            reseal(insert_before(
                &unsealed("Annan mottagare"),
                "</Seal>",
                &recipient(anna),
            )),
        ),
        Case::new(
            "seal mismatch: the Seal names the same recipient (not in the schema)",
            INVALID,
            reseal(insert_before(
                &unsealed("Samma mottagare"),
                "</Seal>",
                &recipient(tolvan),
            )),
        ),
        Case::new(
            "strict: an unknown element in Seal",
            INVALID,
            reseal(insert_before(
                &unsealed("Okänt i Seal"),
                "</Seal>",
                "<Extra>1</Extra>",
            )),
        ),
        Case::new(
            "strict: a foreign-namespace element in Seal",
            INVALID,
            reseal(insert_after(
                &unsealed("Främmande i Seal"),
                "<Seal>",
                "<x:Note xmlns:x=\"urn:attacker\">Betala 9999 kr</x:Note>",
            )),
        ),
        Case::new(
            "strict: an unknown element before SignedDelivery",
            INVALID,
            reseal(insert_after(
                &unsealed("Okänt först"),
                &root,
                "<Extra>1</Extra>",
            )),
        ),
        Case::new(
            "strict: an unknown element between SignedDelivery and Seal",
            INVALID,
            reseal(insert_before(
                &unsealed("Okänt mitt"),
                "<Seal>",
                "<Extra>1</Extra>",
            )),
        ),
        Case::new(
            "strict: an unknown attribute on Seal",
            INVALID,
            reseal(add_attribute(
                &unsealed("Attribut Seal"),
                "<Seal>",
                " mottagare=\"x\"",
            )),
        ),
        Case::new(
            "strict: an unknown attribute on SealedDelivery",
            INVALID,
            reseal(add_attribute(
                &unsealed("Attribut yttre"),
                "<SealedDelivery",
                " extra=\"1\"",
            )),
        ),
        Case::new(
            "strict: text inside Seal",
            INVALID,
            reseal(insert_after(
                &unsealed("Text i Seal"),
                "<Seal>",
                "Betala 9999 kr",
            )),
        ),
        Case::new("strict: a second ReceivedTime in Seal", INVALID, {
            let unsealed = unsealed("Två datum");
            let start = unsealed.find("<ReceivedTime").unwrap();
            let end = unsealed.find("</ReceivedTime>").unwrap() + "</ReceivedTime>".len();
            let copy = unsealed[start..end].to_owned();
            reseal(insert_before(&unsealed, "<SignaturesOK", &copy))
        }),
        Case::new("strict: Seal/ReceivedTime is not a date", INVALID, {
            let unsealed = unsealed("Inget datum");
            let start = unsealed.find("<ReceivedTime").unwrap();
            let value = start + unsealed[start..].find('>').unwrap() + 1;
            let end = unsealed.find("</ReceivedTime>").unwrap();
            reseal(format!("{}igår{}", &unsealed[..value], &unsealed[end..]))
        }),
        Case::new(
            "strict: Seal/SignaturesOK is false",
            FaultCode::SIGNATURE_ERROR,
            reseal(unsealed("Ej OK").replacen(">true</SignaturesOK>", ">false</SignaturesOK>", 1)),
        ),
    ]
}

/// The sender's signed content, signed over by the attacker (who may sign for the sender).
fn strict_signed_delivery(arena: &Arena) -> Vec<Case> {
    let sealer = &arena.intermediary;
    let sign_reseal = |unsigned: String| seal_and_wrap(&sealer.sign(&unsigned), sealer);
    let unsigned = |subject: &str| arena.stages(subject).unsigned;
    vec![
        Case::new(
            "strict: an unknown element in SignedDelivery",
            INVALID,
            sign_reseal(insert_before(
                &unsigned("Okänt SD"),
                "<Delivery>",
                "<Extra>1</Extra>",
            )),
        ),
        Case::new(
            "strict: an unknown attribute on SignedDelivery",
            INVALID,
            sign_reseal(add_attribute(
                &unsigned("Attribut SD"),
                "<SignedDelivery",
                " extra=\"1\"",
            )),
        ),
        Case::new(
            "strict: an unknown element in the delivery header",
            INVALID,
            sign_reseal(insert_before(
                &unsigned("Okänt huvud"),
                "</Header>",
                "<Extra>1</Extra>",
            )),
        ),
        Case::new(
            "strict: an unknown element in Message",
            INVALID,
            sign_reseal(insert_before(
                &unsigned("Okänt meddelande"),
                "</Message>",
                "<Extra>1</Extra>",
            )),
        ),
        Case::new(
            "strict: an unknown attribute on Body",
            INVALID,
            sign_reseal(add_attribute(
                &unsigned("Attribut Body"),
                "<Body",
                " extra=\"1\"",
            )),
        ),
    ]
}
