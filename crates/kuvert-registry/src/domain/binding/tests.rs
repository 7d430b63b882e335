//! Unit tests of the binding rules: each refusal, in order, and the bounds of the age check.

use kuvert_core::id::RecipientId;
use kuvert_core::limits::{EID_SIGNATURE_AGE_SECS_MAX, EID_SIGNATURE_CLOCK_SKEW_SECS_MAX};
use kuvert_core::operator::ServiceDomain;
use kuvert_eid::signature::{BindingError, BoundAction, SigningBinding};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::{AskedChange, SignatureRefusal, check_binding};

const NOW: OffsetDateTime = datetime!(2026-11-29 10:40:00 UTC);
const DOMAIN: &str = "demobrevladan.example";

fn anna() -> RecipientId {
    RecipientId::parse("198112189876").unwrap()
}

fn text(action: BoundAction, recipient: RecipientId, domain: &str, at: OffsetDateTime) -> String {
    let binding = SigningBinding {
        action,
        recipient,
        operator_domain: ServiceDomain::parse(domain).unwrap(),
        signed_at: at,
    };
    binding.bind("Jag godkänner villkoren.")
}

#[track_caller]
fn check(signed_text: &str, expected: Result<&str, SignatureRefusal>) {
    let recipient = anna();
    let asked = AskedChange {
        action: BoundAction::Register,
        recipient: &recipient,
        operator_domain: &ServiceDomain::parse(DOMAIN).unwrap(),
    };
    assert_eq!(check_binding(signed_text, asked, NOW), expected);
}

#[test]
fn a_text_bound_to_the_asked_change_gives_back_its_agreement() {
    let good = text(BoundAction::Register, anna(), DOMAIN, NOW);
    check(&good, Ok("Jag godkänner villkoren."));
    // A person may have read the domain in another case; it is the same domain.
    let upper = good.replace(DOMAIN, "DemoBrevladan.example");
    check(&upper, Ok("Jag godkänner villkoren."));
}

#[test]
fn a_text_bound_to_something_else_is_refused() {
    check(
        "Jag godkänner villkoren.",
        Err(SignatureRefusal::Unbound(BindingError::Missing)),
    );
    let deregister = text(BoundAction::Deregister, anna(), DOMAIN, NOW);
    check(
        &deregister,
        Err(SignatureRefusal::OtherAction {
            signed: "avregistrering",
            asked: "registrering",
        }),
    );
    let bertil = RecipientId::parse("199001010009").unwrap();
    let other_mailbox = text(BoundAction::Register, bertil, DOMAIN, NOW);
    check(&other_mailbox, Err(SignatureRefusal::OtherRecipient));
    let other_operator = text(BoundAction::Register, anna(), "exempelposten.example", NOW);
    check(
        &other_operator,
        Err(SignatureRefusal::OtherOperator {
            signed: ServiceDomain::parse("exempelposten.example").unwrap(),
        }),
    );
}

#[test]
fn the_signing_time_must_lie_within_the_age_bound_and_the_clock_skew() {
    let age = Duration::seconds(EID_SIGNATURE_AGE_SECS_MAX);
    let skew = Duration::seconds(EID_SIGNATURE_CLOCK_SKEW_SECS_MAX);
    let second = Duration::seconds(1);
    let at = |signed_at| text(BoundAction::Register, anna(), DOMAIN, signed_at);
    check(&at(NOW - age), Ok("Jag godkänner villkoren."));
    check(&at(NOW + skew), Ok("Jag godkänner villkoren."));
    check(
        &at(NOW - age - second),
        Err(SignatureRefusal::TooOld {
            signed_at: NOW - age - second,
            age_secs_max: EID_SIGNATURE_AGE_SECS_MAX,
        }),
    );
    check(
        &at(NOW + skew + second),
        Err(SignatureRefusal::FromTheFuture {
            signed_at: NOW + skew + second,
        }),
    );
}
