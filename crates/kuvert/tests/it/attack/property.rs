//! Property: for random mutations of valid deliveries (bit flips, element and attribute
//! insertion, deletion, moving and duplicating nodes; made to the signed content and then
//! signed by the attacker, to the sealed content and then re-sealed, or to the envelope
//! as sent), the operator's intake accepts exactly when the evidence check of
//! `kuvert verify` (`kuvert_wire::evidence::verify_evidence`, anchored at the federation CA)
//! passes on what was stored. A refused mutation stores nothing, and its bytes must not
//! verify either. Refusals that only the registry can decide (unknown sender, intermediary
//! not approved, recipient not here) are outside the property.

use kuvert::seed;
use kuvert_core::id::RecipientId;
use kuvert_core::limits::LETTERS_PER_PAGE_MAX;
use kuvert_core::message::{Receipt, TransId};
use kuvert_store::operator::{AuditAction, LetterAccess};
use kuvert_wire::envelope::BodyElement as _;
use kuvert_wire::fault::FaultCode;
use kuvert_wire::service::DeliverSecureResponse;
use kuvert_xmldsig::trust::TrustAnchors;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use super::forge::{envelope, seal_today};
use super::{Arena, Caller};
use crate::raw_soap::{Answer, fault_code};

/// Where the mutation is made.
#[derive(Debug, Clone, Copy)]
enum Stage {
    /// The unsigned `SignedDelivery`, then signed by the intermediary (for the sender).
    Signed,
    /// The unsigned `SealedDelivery`, then sealed.
    Sealed,
    /// The envelope as sent.
    Envelope,
}

/// One change to an XML text.
#[derive(Debug, Clone)]
enum Edit {
    FlipBit(Index, u8),
    InsertElement(Index, &'static str),
    InsertAttribute(Index, &'static str),
    Delete(Index),
    Move(Index, Index),
    Duplicate(Index),
}

const ELEMENTS: &[&str] = &[
    "<Extra>1</Extra>",
    "<SignedDelivery xmlns=\"http://minameddelanden.gov.se/schema/Message/v3\"></SignedDelivery>",
    "<Seal xmlns=\"http://minameddelanden.gov.se/schema/Message/v3\"></Seal>",
    "<x:Note xmlns:x=\"urn:attacker\">Betala 9999 kr</x:Note>",
    "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"></Signature>",
];
const ATTRIBUTES: &[&str] = &[
    " extra=\"1\"",
    " Id=\"p1\"",
    " xmlns:unused=\"urn:unused\"",
    " x:mottagare=\"191212121212\" xmlns:x=\"urn:attacker\"",
];

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => (any::<Index>(), 0_u8..8).prop_map(|(at, bit)| Edit::FlipBit(at, bit)),
        2 => (any::<Index>(), proptest::sample::select(ELEMENTS))
            .prop_map(|(at, text)| Edit::InsertElement(at, text)),
        2 => (any::<Index>(), proptest::sample::select(ATTRIBUTES))
            .prop_map(|(at, text)| Edit::InsertAttribute(at, text)),
        2 => any::<Index>().prop_map(Edit::Delete),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(from, to)| Edit::Move(from, to)),
        1 => any::<Index>().prop_map(Edit::Duplicate),
    ]
}

fn mutation() -> impl Strategy<Value = (Stage, Vec<Edit>)> {
    let stage = prop_oneof![
        Just(Stage::Signed),
        Just(Stage::Sealed),
        Just(Stage::Envelope)
    ];
    (stage, proptest::collection::vec(edit(), 1..3))
}

/// `xml` with `edit` applied; `None` when the text no longer parses (element edits need a
/// tree) or the edit would change nothing.
fn apply(xml: &[u8], edit: &Edit) -> Option<Vec<u8>> {
    if let Edit::FlipBit(at, bit) = edit {
        // An earlier edit may have deleted the root element and left nothing to flip.
        if xml.is_empty() {
            return None;
        }
        let mut bytes = xml.to_vec();
        let at = at.index(bytes.len());
        bytes[at] ^= 1 << bit;
        return Some(bytes);
    }
    let text = std::str::from_utf8(xml).ok()?;
    let document = kuvert_xmldsig::parse_document(text).ok()?;
    let elements: Vec<_> = document.descendants().filter(|n| n.is_element()).collect();
    if elements.is_empty() {
        return None;
    }
    let pick = |index: &Index| elements[index.index(elements.len())];
    let inside = |start: usize| {
        // Just after the start tag (or before a self-closing element).
        let tag_end = start + text[start..].find('>')?;
        Some(if text[..tag_end].ends_with('/') {
            start
        } else {
            tag_end + 1
        })
    };
    let splice = |at: usize, remove: usize, insert: &str| {
        let mut out = text[..at].to_owned();
        out.push_str(insert);
        out.push_str(&text[at + remove..]);
        Some(out.into_bytes())
    };
    match edit {
        Edit::FlipBit(..) => None,
        Edit::InsertElement(at, element) => splice(inside(pick(at).range().start)?, 0, element),
        Edit::InsertAttribute(at, attribute) => {
            let start = pick(at).range().start;
            let tag_end = start + text[start..].find('>')?;
            let at = if text[..tag_end].ends_with('/') {
                tag_end - 1
            } else {
                tag_end
            };
            splice(at, 0, attribute)
        }
        Edit::Delete(at) => {
            let range = pick(at).range();
            splice(range.start, range.len(), "")
        }
        Edit::Duplicate(at) => {
            let range = pick(at).range();
            splice(range.start, 0, &text[range.clone()])
        }
        Edit::Move(from, to) => {
            let (node, target) = (pick(from), pick(to));
            let range = node.range();
            let at = inside(target.range().start)?;
            if at >= range.start && at <= range.end {
                return None;
            }
            let moved = &text[range.clone()];
            let mut rest = text[..range.start].to_owned() + &text[range.end..];
            let at = if at > range.end { at - range.len() } else { at };
            rest.insert_str(at, moved);
            Some(rest.into_bytes())
        }
    }
}

/// The body to post for `stage` and `edits` on a fresh letter; `None` when the mutated
/// content cannot even be signed (it does not parse), which tests nothing new.
fn build(arena: &Arena, stage: Stage, edits: &[Edit]) -> Option<Vec<u8>> {
    let stages = arena.stages("Egenskapstest");
    let mutate = |xml: &str| -> Option<String> {
        let mut bytes = xml.as_bytes().to_vec();
        for edit in edits {
            bytes = apply(&bytes, edit).unwrap_or(bytes);
        }
        String::from_utf8(bytes).ok()
    };
    let sign = |identity: &super::forge::Identity, xml: &str| {
        identity
            .signer()
            .sign(xml, kuvert_xmldsig::SignatureAlgorithm::RsaSha256)
            .ok()
    };
    let sealer = &arena.intermediary;
    match stage {
        Stage::Signed => {
            let signed = sign(sealer, &mutate(&stages.unsigned)?)?;
            let unsealed = kuvert_wire::delivery::unsigned_sealed_delivery(&signed, &seal_today());
            let sealed = sign(sealer, &unsealed)?;
            wrap(&sealed)
        }
        Stage::Sealed => wrap(&sign(sealer, &mutate(&stages.unsealed)?)?),
        Stage::Envelope => {
            let mut bytes = envelope(&stages.sealed, "").into_bytes();
            for edit in edits {
                bytes = apply(&bytes, edit).unwrap_or(bytes);
            }
            Some(bytes)
        }
    }
}

/// The envelope around a sealed text the harness's envelope builder can read.
fn wrap(sealed: &str) -> Option<Vec<u8>> {
    kuvert_xmldsig::parse_document(sealed).ok()?;
    std::panic::catch_unwind(|| envelope(sealed, "").into_bytes()).ok()
}

/// Faults only the registry decides; the evidence does not know the registry.
fn is_registry_verdict(code: FaultCode) -> bool {
    [
        FaultCode::UNKNOWN_SENDER,
        FaultCode::DISPATCHER_NOT_APPROVED,
        FaultCode::OBJECT_NOT_FOUND,
    ]
    .contains(&code)
}

/// Posts one mutation and checks the property.
async fn check(arena: &Arena, anchors: &TrustAnchors, body: Vec<u8>) -> Result<(), String> {
    let before = arena.stored().await;
    let answer = arena.post(&Caller::Intermediary, body.clone()).await;
    let after = arena.stored().await;
    let tolvan = seed::person("tolvan").unwrap();
    let mailbox = RecipientId::Person(tolvan.personal_identity_number());
    match &answer {
        Answer::Http(200, text) => {
            let receipt = DeliverSecureResponse::from_envelope(
                &kuvert_wire::envelope::parse(text).map_err(|e| e.to_string())?,
            )
            .map_err(|e| e.to_string())?
            .receipt;
            let (sealed, receipt_xml) = stored_evidence(arena, &mailbox, &receipt.trans_id).await?;
            kuvert_wire::evidence::verify_evidence(&sealed, receipt_xml.as_bytes(), Some(anchors))
                .map_err(|error| {
                    format!("accepted (stored {before:?} -> {after:?}), evidence fails: {error:?}")
                })?;
            Ok(())
        }
        Answer::Http(_, text) => {
            if after != before {
                return Err(format!("refused but stored: {before:?} -> {after:?}"));
            }
            let code = fault_code(text).ok_or_else(|| format!("no fault: {text}"))?;
            if is_registry_verdict(code) {
                return Ok(());
            }
            let receipt = DeliverSecureResponse {
                receipt: Receipt {
                    trans_id: TransId::from_uuid(uuid::Uuid::new_v4()),
                    recipient: mailbox,
                    is_delivered: true,
                },
            }
            .to_envelope();
            match kuvert_wire::evidence::verify_evidence(&body, receipt.as_bytes(), Some(anchors)) {
                Ok(report) => Err(format!(
                    "refused with {code}, but the evidence verifies: {report:?}"
                )),
                Err(_) => Ok(()),
            }
        }
        Answer::Failed(error) => Err(format!("no answer: {error:?}")),
    }
}

/// The stored sealed delivery and receipt of the letter with `trans_id`.
async fn stored_evidence(
    arena: &Arena,
    mailbox: &RecipientId,
    trans_id: &TransId,
) -> Result<(Vec<u8>, String), String> {
    let store = arena.federation.operator(&seed::OPERATORS[0]).store();
    let mut after = None;
    let letter = loop {
        let page = store
            .export_letters(mailbox, after, LETTERS_PER_PAGE_MAX)
            .await
            .map_err(|e| e.to_string())?;
        let Some(last) = page.last() else {
            return Err("the receipt's letter is not stored".to_owned());
        };
        after = Some(last.id);
        if let Some(letter) = page.into_iter().find(|letter| &letter.trans_id == trans_id) {
            break letter;
        }
    };
    let RecipientId::Person(actor) = mailbox.clone() else {
        unreachable!("Tolvan is a person")
    };
    let access = LetterAccess {
        mailbox: mailbox.clone(),
        delivery: letter.id,
        actor,
        action: AuditAction::OpenedLetter,
        at: time::OffsetDateTime::now_utc(),
    };
    let opened = store
        .open_letter(&access)
        .await
        .map_err(|e| e.to_string())?;
    Ok((opened.sealed_delivery.to_vec(), letter.receipt_xml))
}

#[test]
fn intake_accepts_a_mutated_delivery_exactly_when_its_stored_evidence_verifies() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let arena = runtime.block_on(Arena::start());
    let anchors =
        TrustAnchors::from_pem(arena.federation.demo().pki.organisation_ca_pem()).unwrap();
    // 96 cases keep the run to a few seconds on two cores.
    let config = Config {
        cases: 96,
        failure_persistence: None,
        max_shrink_iters: 64,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&mutation(), |(stage, edits)| {
        let Some(body) = build(&arena, stage, &edits) else {
            return Ok(());
        };
        runtime
            .block_on(check(&arena, &anchors, body))
            .map_err(TestCaseError::fail)
    });
    runtime.block_on(async move { drop(arena) });
    if let Err(error) = result {
        panic!("{error}");
    }
}
