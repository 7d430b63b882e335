//! Signature wrapping (a forged, unverified `SignedDelivery` in the header, the body, beside
//! or inside the seal and the signatures), moved and duplicated Ids, and namespace rebinding.
//! The attacker holds the intermediary's key, so anything at the seal level is re-sealed and
//! only the rule under test can refuse it. Anything the schemas and the profile's shape do
//! not allow is refused before signatures are looked at, with 5001 (invalid input); a shape
//! that is allowed but signs the wrong thing gets 5012 (signature error).

use kuvert_wire::fault::FaultCode;

use super::forge::{
    MSG, MSG3, SVC3, SigSpec, Stages, envelope, insert_after, insert_before, insert_before_end,
    seal_and_wrap, seal_today, sign_custom,
};
use super::{Arena, Case};

const INVALID: FaultCode = FaultCode::INVALID_INPUT;
const SIGNATURE: FaultCode = FaultCode::SIGNATURE_ERROR;

pub(super) fn cases(arena: &Arena) -> Vec<Case> {
    let mut cases = header_and_body(arena);
    cases.extend(inside_the_seal(arena));
    cases.extend(ids(arena));
    cases.extend(namespaces(arena));
    cases
}

/// Forged content outside the sealed element: `soap:Header` and `soap:Body` positions.
fn header_and_body(arena: &Arena) -> Vec<Case> {
    let forged = arena.forged_unsigned();
    let forged_signed = arena.intermediary.sign(&forged);
    let genuine = arena.stages("Wrapping i huvudet");
    let body = envelope(&genuine.sealed, "");
    let forged_sealed = arena
        .intermediary
        .sign(&kuvert_wire::delivery::unsigned_sealed_delivery(
            &forged_signed,
            &seal_today(),
        ));
    let outer_start = format!("<deliverSecure xmlns=\"{SVC3}\">");
    vec![
        Case::new(
            "header: unsigned SignedDelivery in soap:Header",
            INVALID,
            envelope(&genuine.sealed, &forged),
        ),
        Case::new(
            "header: forged SignedDelivery signed for the sender by the attacker",
            INVALID,
            envelope(&arena.stages("Wrapping 2").sealed, &forged_signed),
        ),
        Case::new(
            "header: a whole forged sealed delivery in soap:Header",
            INVALID,
            envelope(&arena.stages("Wrapping 3").sealed, &forged_sealed),
        ),
        Case::new(
            "header: forged SignedDelivery inside a foreign element",
            INVALID,
            envelope(
                &arena.stages("Wrapping 4").sealed,
                &format!("<x:Wrapper xmlns:x=\"urn:attacker\">{forged}</x:Wrapper>"),
            ),
        ),
        Case::new(
            "header: forged SignedDelivery with a prefix bound to msg3",
            INVALID,
            envelope(
                &arena.stages("Wrapping 5").sealed,
                &forged
                    .replacen(
                        &format!("<SignedDelivery xmlns=\"{MSG3}\">"),
                        &format!("<m:SignedDelivery xmlns:m=\"{MSG3}\" xmlns=\"{MSG3}\">"),
                        1,
                    )
                    .replace("</SignedDelivery>", "</m:SignedDelivery>"),
            ),
        ),
        Case::new(
            "body: forged SignedDelivery before the outer deliverSecure",
            INVALID,
            insert_after(&body, "<soap:Body>", &forged),
        ),
        Case::new(
            "body: forged SignedDelivery after the outer deliverSecure",
            INVALID,
            insert_before(&body, "</soap:Body>", &forged),
        ),
        Case::new(
            "body: forged SignedDelivery in the outer deliverSecure, before the sealed one",
            INVALID,
            insert_after(&body, &outer_start, &forged),
        ),
        Case::new(
            "body: forged SignedDelivery in the outer deliverSecure, after the sealed one",
            INVALID,
            insert_before(&body, "</deliverSecure></soap:Body>", &forged),
        ),
    ]
}

/// Forged content at the seal level and inside the signatures.
fn inside_the_seal(arena: &Arena) -> Vec<Case> {
    let forged = arena.forged_unsigned();
    let sealer = &arena.intermediary;
    let reseal = |unsealed: String| envelope(&sealer.sign(&unsealed), "");
    let root = format!("<SealedDelivery xmlns=\"{MSG3}\">");
    let stages = |subject: &str| arena.stages(subject);
    let seal_tag = "<Seal>";
    let mut object_spec = SigSpec::profile();
    object_spec.signature_tail = format!("<Object>{forged}</Object>");
    let mut key_info_spec = SigSpec::profile();
    key_info_spec.key_info_tail = forged.clone();
    vec![
        Case::new(
            "seal: unsigned SignedDelivery before the genuine one, re-sealed",
            INVALID,
            reseal(insert_after(
                &stages("Syskon före").unsealed,
                &root,
                &forged,
            )),
        ),
        Case::new(
            "seal: unsigned SignedDelivery between the genuine one and the Seal, re-sealed",
            INVALID,
            reseal(insert_before(
                &stages("Syskon efter").unsealed,
                seal_tag,
                &forged,
            )),
        ),
        Case::new(
            "seal: unsigned SignedDelivery inside Seal, re-sealed",
            INVALID,
            reseal(insert_after(
                &stages("I förseglingen").unsealed,
                seal_tag,
                &forged,
            )),
        ),
        Case::new(
            "seal: forged SignedDelivery after the seal's Signature",
            INVALID,
            envelope(
                &insert_before_end(&stages("Efter signaturen").sealed, &forged),
                "",
            ),
        ),
        Case::new(
            "seal: forged SignedDelivery in a ds:Object of the seal signature",
            INVALID,
            envelope(
                &sign_custom(sealer, &stages("Object").unsealed, &object_spec),
                "",
            ),
        ),
        Case::new(
            "seal: forged SignedDelivery in the seal signature's KeyInfo",
            INVALID,
            envelope(
                &sign_custom(sealer, &stages("KeyInfo").unsealed, &key_info_spec),
                "",
            ),
        ),
        Case::new(
            "signed delivery: forged one after the sender's Signature, re-sealed",
            INVALID,
            seal_and_wrap(
                &insert_before_end(&stages("Efter avsändaren").signed, &forged),
                sealer,
            ),
        ),
        Case::new(
            "signed delivery: forged one in the sender signature's KeyInfo, re-sealed",
            INVALID,
            seal_and_wrap(
                &sign_custom(
                    &arena.kommun,
                    &stages("Avsändarens KeyInfo").unsigned,
                    &key_info_spec,
                ),
                sealer,
            ),
        ),
        Case::new(
            "signed delivery: forged one before Delivery, signed over by the attacker",
            INVALID,
            seal_and_wrap(
                &sealer.sign(&insert_after(
                    &stages("Före Delivery").unsigned,
                    &format!("<SignedDelivery xmlns=\"{MSG3}\">"),
                    &forged,
                )),
                sealer,
            ),
        ),
        Case::new(
            "signed delivery: forged one in the message body, signed over by the attacker",
            INVALID,
            seal_and_wrap(
                &sealer.sign(&insert_after(
                    &stages("I brödtexten").unsigned,
                    "<Body>",
                    &forged,
                )),
                sealer,
            ),
        ),
        Case::new(
            "signed delivery: a second Message, signed over by the attacker",
            FaultCode::MAX_EXCEEDED,
            seal_and_wrap(
                &sealer.sign(&second_message(&stages("Två meddelanden"))),
                sealer,
            ),
        ),
    ]
}

/// The genuine delivery with a forged copy of its `Message` added before the real one.
fn second_message(stages: &Stages) -> String {
    let unsigned = &stages.unsigned;
    let start = unsigned.find("<Message>").unwrap();
    let end = unsigned.find("</Message>").unwrap() + "</Message>".len();
    let forged = unsigned[start..end].replace(
        stages.delivery.message.header().subject.as_str(),
        "Betala 9999 kr",
    );
    insert_before(unsigned, "<Message>", &forged)
}

/// Duplicated and moved `Id`s and references that do not name the signed element.
fn ids(arena: &Arena) -> Vec<Case> {
    let sealer = &arena.intermediary;
    let with_id = |subject: &str, id: &str| -> Stages {
        let mut stages = arena.stages(subject);
        stages.unsigned = stages.unsigned.replacen(
            "<SignedDelivery ",
            &format!("<SignedDelivery Id=\"{id}\" "),
            1,
        );
        stages.signed = arena.kommun.sign(&stages.unsigned);
        stages.unsealed =
            kuvert_wire::delivery::unsigned_sealed_delivery(&stages.signed, &seal_today());
        stages
    };
    let sealed_with_id = |stages: &Stages, attribute: &str| {
        let unsealed = stages.unsealed.replacen(
            "<SealedDelivery ",
            &format!("<SealedDelivery {attribute} "),
            1,
        );
        envelope(&sealer.sign(&unsealed), "")
    };
    let seal_uri = |subject: &str, uri: &str| {
        let mut spec = SigSpec::profile();
        spec.uri = Some(uri.to_owned());
        envelope(
            &sign_custom(sealer, &arena.stages(subject).unsealed, &spec),
            "",
        )
    };
    let sender_uri = |subject: &str, uri: &str| {
        let mut spec = SigSpec::profile();
        spec.uri = Some(uri.to_owned());
        let signed = sign_custom(&arena.kommun, &arena.stages(subject).unsigned, &spec);
        seal_and_wrap(&signed, sealer)
    };
    let moved = with_id("Flyttat Id", "brev-1");
    let mut moved_spec = SigSpec::profile();
    moved_spec.uri = Some("#brev-1".to_owned());
    vec![
        Case::new(
            "ids: the SealedDelivery repeats the SignedDelivery's Id",
            SIGNATURE,
            sealed_with_id(&with_id("Dubbelt Id", "brev-1"), "Id=\"brev-1\""),
        ),
        Case::new(
            "ids: the SealedDelivery repeats it as ID",
            INVALID,
            sealed_with_id(&with_id("Dubbelt ID", "brev-2"), "ID=\"brev-2\""),
        ),
        Case::new(
            "ids: the seal references the SignedDelivery's Id (moved reference)",
            SIGNATURE,
            envelope(&sign_custom(sealer, &moved.unsealed, &moved_spec), ""),
        ),
        Case::new(
            "ids: the sender's reference names the SealedDelivery's Id",
            SIGNATURE,
            {
                let stages = arena.stages("Fel referens");
                let mut spec = SigSpec::profile();
                spec.uri = Some("#yttre".to_owned());
                let signed = sign_custom(&arena.kommun, &stages.unsigned, &spec);
                let unsealed =
                    kuvert_wire::delivery::unsigned_sealed_delivery(&signed, &seal_today())
                        .replacen("<SealedDelivery ", "<SealedDelivery Id=\"yttre\" ", 1);
                envelope(&sealer.sign(&unsealed), "")
            },
        ),
        Case::new(
            "ids: seal reference #xpointer(/)",
            SIGNATURE,
            seal_uri("XPointer", "#xpointer(/)"),
        ),
        Case::new(
            "ids: sender reference #xpointer(id('x'))",
            SIGNATURE,
            sender_uri("XPointer id", "#xpointer(id('x'))"),
        ),
        Case::new(
            "ids: seal reference to an outside document",
            SIGNATURE,
            seal_uri("Extern referens", "http://attacker.example/brev.xml"),
        ),
        Case::new(
            "ids: sender reference to an Id that exists nowhere",
            SIGNATURE,
            sender_uri("Okänt Id", "#finns-inte"),
        ),
        Case::new(
            "ids: genuine signed delivery moved to the header, forged one in its place",
            INVALID,
            {
                let genuine = with_id("Flyttad original", "brev-3");
                let forged = arena.forged_unsigned().replacen(
                    "<SignedDelivery ",
                    "<SignedDelivery Id=\"brev-3\" ",
                    1,
                );
                // The genuine signature, copied onto the forged content.
                let signature_at = genuine.signed.rfind("<Signature ").unwrap();
                let signature_end = genuine.signed.len() - "</SignedDelivery>".len();
                let signature = &genuine.signed[signature_at..signature_end];
                let forged = insert_before_end(&forged, signature);
                let unsealed =
                    kuvert_wire::delivery::unsigned_sealed_delivery(&forged, &seal_today());
                envelope(&sealer.sign(&unsealed), &genuine.signed)
            },
        ),
    ]
}

/// Namespace rebinding: the right local names in the wrong namespaces.
fn namespaces(arena: &Arena) -> Vec<Case> {
    let sealer = &arena.intermediary;
    let reseal = |unsealed: String| envelope(&sealer.sign(&unsealed), "");
    let sign_reseal = |unsigned: String| seal_and_wrap(&sealer.sign(&unsigned), sealer);
    let msg3_root = format!("<SignedDelivery xmlns=\"{MSG3}\">");
    let body = envelope(&arena.stages("Fel tjänst").sealed, "");
    vec![
        Case::new(
            "namespaces: the signed delivery in the v1 Message namespace",
            INVALID,
            {
                let stages = arena.stages("v1-namnrymd");
                let unsigned = stages.unsigned.replacen(
                    &msg3_root,
                    &format!("<SignedDelivery xmlns=\"{MSG}\"><Delivery xmlns=\"{MSG3}\">"),
                    1,
                );
                let unsigned = unsigned.replacen("<Delivery>", "", 1);
                seal_and_wrap(&arena.kommun.sign(&unsigned), sealer)
            },
        ),
        Case::new("namespaces: Seal in the v1 Message namespace", INVALID, {
            let stages = arena.stages("Seal v1");
            reseal(
                stages
                    .unsealed
                    .replacen("<Seal>", &format!("<Seal xmlns=\"{MSG}\">"), 1),
            )
        }),
        Case::new(
            "namespaces: Delivery's default namespace rebound before signing",
            INVALID,
            sign_reseal(arena.stages("Omdefinierad").unsigned.replacen(
                "<Delivery>",
                "<Delivery xmlns=\"urn:attacker\">",
                1,
            )),
        ),
        Case::new(
            "namespaces: Delivery's default namespace rebound after signing",
            SIGNATURE,
            {
                let signed = arena.stages("Omdefinierad efter").signed.replacen(
                    "<Delivery>",
                    &format!("<Delivery xmlns=\"{MSG}\">"),
                    1,
                );
                seal_and_wrap(&signed, sealer)
            },
        ),
        Case::new(
            "namespaces: ReceivedTime in msg3 instead of msg, re-sealed",
            INVALID,
            reseal(arena.stages("ReceivedTime").unsealed.replacen(
                &format!("<ReceivedTime xmlns=\"{MSG}\">"),
                &format!("<ReceivedTime xmlns=\"{MSG3}\">"),
                1,
            )),
        ),
        Case::new(
            "namespaces: SignaturesOK in msg3 instead of msg, re-sealed",
            INVALID,
            reseal(arena.stages("SignaturesOK").unsealed.replacen(
                &format!("<SignaturesOK xmlns=\"{MSG}\">"),
                &format!("<SignaturesOK xmlns=\"{MSG3}\">"),
                1,
            )),
        ),
        Case::new(
            "namespaces: the seal's Signature in the xmldsig11 namespace",
            INVALID,
            {
                let sealed = arena.stages("dsig11").sealed;
                let at = sealed.rfind("<Signature xmlns=\"").unwrap();
                let rebound = sealed[at..].replacen(
                    "http://www.w3.org/2000/09/xmldsig#",
                    "http://www.w3.org/2009/xmldsig11#",
                    1,
                );
                envelope(&format!("{}{rebound}", &sealed[..at]), "")
            },
        ),
        Case::new(
            "namespaces: inner deliverSecure in another namespace",
            INVALID,
            {
                let at = body
                    .rfind(&format!("<deliverSecure xmlns=\"{SVC3}\""))
                    .unwrap();
                let rest = body[at..].replacen(SVC3, "urn:attacker", 1);
                format!("{}{rest}", &body[..at])
            },
        ),
        Case::new(
            "namespaces: outer deliverSecure in the v1 Service namespace",
            INVALID,
            body.replacen(SVC3, "http://minameddelanden.gov.se/schema/Service", 1),
        ),
        Case::new(
            "namespaces: SOAP 1.2 envelope namespace",
            INVALID,
            body.replacen(
                super::forge::SOAP,
                "http://www.w3.org/2003/05/soap-envelope",
                1,
            ),
        ),
    ]
}
