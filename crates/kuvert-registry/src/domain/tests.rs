//! Unit tests of the pure rules: caller authorisation, reachability, reception rules and
//! company signing.

use std::collections::BTreeSet;

use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber, RecipientId};
use kuvert_core::operator::ServiceDomain;
use kuvert_core::registry::{
    CompanySignatoryRule, IntermediaryRecord, OperatorRecord, ProfileKind, ProfileRecord,
    ProfileStatus, Reachability, ReachableProfile, SenderRecord, Signatory,
};
use time::macros::datetime;

use super::access::{self, AccessError, CallerRoles};
use super::reachability::{answer_reachability, as_seen_by};
use super::reception::{self, ReceptionError};
use super::signing::{self, CompanyForm, SigningError};
use kuvert_core::registry::SigningStatus;

fn org(text: &str) -> OrganisationNumber {
    OrganisationNumber::parse(text).unwrap()
}

fn person(text: &str) -> PersonalIdentityNumber {
    PersonalIdentityNumber::parse(text).unwrap()
}

const SENDER: &str = "2021004748";
const OTHER_SENDER: &str = "2021004755";
const INTERMEDIARY: &str = "2120000142";
const OPERATOR: &str = "5568402266";
const ANNA: &str = "198112189876";
const BERTIL: &str = "199001010009";
const CECILIA: &str = "198505051238";

fn sender(number: &str) -> SenderRecord {
    SenderRecord {
        id: org(number),
        name: format!("Sender {number}"),
    }
}

fn intermediary_for(senders: &[&str]) -> IntermediaryRecord {
    IntermediaryRecord {
        id: org(INTERMEDIARY),
        name: "Förmedlaren".to_owned(),
        senders: senders.iter().map(|number| org(number)).collect(),
    }
}

fn operator(number: &str) -> OperatorRecord {
    OperatorRecord {
        id: org(number),
        name: "Demobrevlådan".to_owned(),
        service_address: "https://127.0.0.1:1/service/v3".parse().unwrap(),
        ui_address: None,
        domain: ServiceDomain::parse("demobrevladan.example").unwrap(),
    }
}

fn profile(status: ProfileStatus) -> ProfileRecord {
    ProfileRecord {
        recipient: RecipientId::Person(person(ANNA)),
        operator: org(OPERATOR),
        kind: ProfileKind::Person,
        status,
        registered_at: datetime!(2026-01-02 03:04:05 UTC),
        source: None,
    }
}

fn two_jointly() -> CompanySignatoryRule {
    CompanySignatoryRule {
        company: org("5562000009"),
        company_name: "Exempel AB".to_owned(),
        rule_text: "två i förening".to_owned(),
        signatures_required: 2,
        signatories: [ANNA, BERTIL, CECILIA]
            .iter()
            .map(|id| Signatory {
                id: person(id),
                name: format!("Person {id}"),
            })
            .collect(),
    }
}

#[test]
fn reachability_is_allowed_for_the_sender_itself() {
    let record = sender(SENDER);
    let result = access::authorize_reachability(&org(SENDER), &org(SENDER), Some(&record), None);
    assert_eq!(result, Ok(()));
}

#[test]
fn reachability_is_allowed_for_an_intermediary_registered_for_the_sender() {
    let record = sender(SENDER);
    let intermediary = intermediary_for(&[SENDER]);
    let result = access::authorize_reachability(
        &org(INTERMEDIARY),
        &org(SENDER),
        Some(&record),
        Some(&intermediary),
    );
    assert_eq!(result, Ok(()));
}

#[test]
fn reachability_is_refused_for_an_intermediary_of_other_senders() {
    let record = sender(SENDER);
    let intermediary = intermediary_for(&[OTHER_SENDER]);
    let result = access::authorize_reachability(
        &org(INTERMEDIARY),
        &org(SENDER),
        Some(&record),
        Some(&intermediary),
    );
    assert_eq!(
        result,
        Err(AccessError::IntermediaryNotApproved {
            intermediary: org(INTERMEDIARY),
            sender: org(SENDER)
        })
    );
}

#[test]
fn reachability_is_refused_for_an_organisation_that_is_no_intermediary() {
    let record = sender(SENDER);
    let result = access::authorize_reachability(&org(OPERATOR), &org(SENDER), Some(&record), None);
    assert!(matches!(
        result,
        Err(AccessError::IntermediaryNotApproved { .. })
    ));
}

#[test]
fn reachability_reports_an_unknown_sender_first() {
    let intermediary = intermediary_for(&[SENDER]);
    let result =
        access::authorize_reachability(&org(INTERMEDIARY), &org(SENDER), None, Some(&intermediary));
    assert_eq!(result, Err(AccessError::UnknownSender(org(SENDER))));
}

#[test]
fn an_operator_may_ask_reachability_and_sees_its_own_profiles_only() {
    let record = sender(SENDER);
    let own = operator(OPERATOR);
    let view = access::reachability_view(
        &org(OPERATOR),
        &org(SENDER),
        Some(&record),
        None,
        Some(&own),
    );
    assert_eq!(view, Ok(access::ReachabilityView::HeldBy(org(OPERATOR))));
    let full = access::reachability_view(&org(SENDER), &org(SENDER), Some(&record), None, None);
    assert_eq!(full, Ok(access::ReachabilityView::Full));
    let stranger = access::reachability_view(
        &org(INTERMEDIARY),
        &org(SENDER),
        Some(&record),
        None,
        Some(&own),
    );
    assert!(
        matches!(stranger, Err(AccessError::IntermediaryNotApproved { .. })),
        "another organisation's operator record is not the caller's: {stranger:?}"
    );
    let unknown = access::reachability_view(&org(OPERATOR), &org(SENDER), None, None, Some(&own));
    assert_eq!(unknown, Err(AccessError::UnknownSender(org(SENDER))));

    let held = answer_reachability(reachable(ProfileStatus::Active, true));
    let seen = as_seen_by(held.clone(), &org(OPERATOR));
    assert_eq!(seen, held, "its own profile's reception rules, as they are");
    let elsewhere = as_seen_by(
        answer_reachability(reachable(ProfileStatus::Active, false)),
        &org(OTHER_SENDER),
    );
    assert!(
        elsewhere.account.is_some(),
        "the account, as isRegistered shows it"
    );
    assert!(!elsewhere.accepts_sender && !elsewhere.is_reachable);
    assert_eq!(
        elsewhere.last_sender_accept_change, None,
        "no reception rules"
    );
}

#[test]
fn profile_operations_require_an_operator() {
    assert_eq!(
        access::require_operator(&org(SENDER), None),
        Err(AccessError::NotAnOperator(org(SENDER)))
    );
    assert_eq!(
        access::require_operator(&org(OPERATOR), Some(operator(OPERATOR)))
            .unwrap()
            .id,
        org(OPERATOR)
    );
}

#[test]
fn only_the_holding_operator_may_change_a_profile() {
    let holding = operator(OPERATOR);
    let other = operator("5562000009");
    let active = profile(ProfileStatus::Active);
    assert_eq!(access::require_holding_operator(&holding, &active), Ok(()));
    assert!(matches!(
        access::require_holding_operator(&other, &active),
        Err(AccessError::NotHoldingOperator { .. })
    ));
}

#[test]
fn unknown_callers_may_not_read_the_directory() {
    let roles = CallerRoles::default();
    assert_eq!(
        access::require_known(&org(SENDER), &roles),
        Err(AccessError::UnknownCaller(org(SENDER)))
    );
    let roles = CallerRoles {
        sender: Some(sender(SENDER)),
        ..CallerRoles::default()
    };
    assert_eq!(access::require_known(&org(SENDER), &roles), Ok(()));
}

#[test]
fn a_person_acts_only_for_themself_and_signatories_for_their_company() {
    let anna = RecipientId::Person(person(ANNA));
    assert_eq!(access::authorize_user(&anna, &person(ANNA), None), Ok(()));
    assert!(access::authorize_user(&anna, &person(BERTIL), None).is_err());
    let company = RecipientId::Organisation(org("5562000009"));
    let rule = two_jointly();
    assert_eq!(
        access::authorize_user(&company, &person(BERTIL), Some(&rule)),
        Ok(())
    );
    assert!(access::authorize_user(&company, &person("199202021110"), Some(&rule)).is_err());
    assert!(access::authorize_user(&company, &person(BERTIL), None).is_err());
}

fn reachable(status: ProfileStatus, is_sender_deselected: bool) -> Reachability {
    Reachability {
        recipient: RecipientId::Person(person(ANNA)),
        profile: Some(ReachableProfile {
            profile: profile(status),
            operator: operator(OPERATOR),
            is_sender_deselected,
            reception_changed_at: Some(datetime!(2026-02-03 04:05:06 UTC)),
        }),
    }
}

#[test]
fn an_active_profile_that_accepts_the_sender_is_reachable() {
    let answer = answer_reachability(reachable(ProfileStatus::Active, false));
    assert!(answer.is_reachable);
    assert!(answer.accepts_sender);
    assert_eq!(
        answer.last_sender_accept_change,
        Some(datetime!(2026-02-03 04:05:06 UTC))
    );
}

#[test]
fn a_deselected_sender_makes_the_recipient_unreachable() {
    let answer = answer_reachability(reachable(ProfileStatus::Active, true));
    assert!(!answer.is_reachable);
    assert!(!answer.accepts_sender);
    assert!(answer.account.is_some());
}

#[test]
fn a_pending_profile_is_not_reachable() {
    let answer = answer_reachability(reachable(ProfileStatus::Pending, false));
    assert!(!answer.is_reachable);
    assert!(answer.account.unwrap().is_pending);
}

#[test]
fn no_profile_means_paper_mail_and_sender_not_accepted() {
    let row = Reachability {
        recipient: RecipientId::Person(person(ANNA)),
        profile: None,
    };
    let answer = answer_reachability(row);
    assert!(!answer.is_reachable);
    assert!(!answer.accepts_sender);
    assert!(answer.account.is_none());
}

#[test]
fn accepted_senders_translate_to_the_deselected_rest() {
    let all = [sender(SENDER), sender(OTHER_SENDER)];
    let accepted = [RecipientId::Organisation(org(SENDER))];
    let deselected = reception::deselected_from_accepted(&all, &accepted).unwrap();
    assert_eq!(deselected, BTreeSet::from([org(OTHER_SENDER)]));
    let back: Vec<_> = reception::accepted_senders(&all, &deselected)
        .into_iter()
        .map(|record| record.id.clone())
        .collect();
    assert_eq!(back, vec![org(SENDER)]);
}

#[test]
fn accepted_senders_reject_persons_and_unknown_senders() {
    let all = [sender(SENDER)];
    let as_person = [RecipientId::Person(person(ANNA))];
    assert_eq!(
        reception::deselected_from_accepted(&all, &as_person),
        Err(ReceptionError::PersonAsSender)
    );
    let unknown = [RecipientId::Organisation(org(OTHER_SENDER))];
    assert_eq!(
        reception::deselected_from_accepted(&all, &unknown),
        Err(ReceptionError::UnknownSender(org(OTHER_SENDER)))
    );
}

#[test]
fn company_forms_follow_the_group_digit() {
    assert_eq!(
        signing::company_form(&org("5562000009")),
        Ok(CompanyForm::Limited)
    );
    assert_eq!(
        signing::company_form(&org("7696200000")),
        Ok(CompanyForm::EconomicAssociation)
    );
    assert_eq!(
        signing::company_form(&org("9162000005")),
        Ok(CompanyForm::Partnership)
    );
    assert!(matches!(
        signing::company_form(&org("8022000007")),
        Err(SigningError::CompanyFormUnsupported { .. })
    ));
    assert!(signing::company_form(&org(SENDER)).is_err());
}

#[test]
fn a_person_must_sign_their_own_change() {
    assert_eq!(
        signing::require_person_signer(&person(ANNA), &[person(ANNA)]),
        Ok(())
    );
    assert_eq!(
        signing::require_person_signer(&person(ANNA), &[person(BERTIL)]),
        Err(SigningError::SignerIsNotRecipient)
    );
    assert_eq!(
        signing::require_person_signer(&person(ANNA), &[]),
        Err(SigningError::SignerIsNotRecipient)
    );
}

#[test]
fn two_jointly_is_incomplete_after_one_and_complete_after_two() {
    let rule = two_jointly();
    let one = signing::evaluate_company(&rule, &BTreeSet::from([person(BERTIL)])).unwrap();
    assert_eq!(one.status, SigningStatus::Incomplete);
    assert_eq!(one.signed_by.len(), 1);
    assert_eq!(one.possible_signers.len(), 2);
    let two =
        signing::evaluate_company(&rule, &BTreeSet::from([person(BERTIL), person(ANNA)])).unwrap();
    assert_eq!(two.status, SigningStatus::Complete);
}

#[test]
fn one_of_is_complete_after_one() {
    let rule = CompanySignatoryRule {
        signatures_required: 1,
        ..two_jointly()
    };
    let one = signing::evaluate_company(&rule, &BTreeSet::from([person(CECILIA)])).unwrap();
    assert_eq!(one.status, SigningStatus::Complete);
}

#[test]
fn a_signer_outside_the_rule_is_refused() {
    let rule = two_jointly();
    let result = signing::evaluate_company(&rule, &BTreeSet::from([person("199202021110")]));
    assert!(matches!(
        result,
        Err(SigningError::NotAuthorisedSignatory { .. })
    ));
}

#[test]
fn a_rule_no_set_can_meet_is_not_supported() {
    let rule = CompanySignatoryRule {
        signatures_required: 4,
        ..two_jointly()
    };
    let all = BTreeSet::from([person(ANNA), person(BERTIL), person(CECILIA)]);
    assert_eq!(
        signing::evaluate_company(&rule, &all).unwrap().status,
        SigningStatus::RulesNotSupported
    );
    let zero = CompanySignatoryRule {
        signatures_required: 0,
        ..two_jointly()
    };
    let none = BTreeSet::new();
    assert_eq!(
        signing::evaluate_company(&zero, &none).unwrap().status,
        SigningStatus::RulesNotSupported
    );
}
