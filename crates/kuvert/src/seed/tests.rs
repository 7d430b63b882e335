//! The seed must parse, and the demo's promises about it must hold.

use super::*;

#[test]
fn seed_numbers_parse_and_are_unique() {
    let mut numbers: Vec<String> = organisations()
        .map(|o| o.organisation_number().as_str().to_owned())
        .collect();
    numbers.extend(
        PERSONS
            .iter()
            .map(|p| p.personal_identity_number().as_str().to_owned()),
    );
    let count = numbers.len();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), count);
}

#[test]
fn seed_has_four_registered_people_across_both_operators_and_two_without() {
    let registered: Vec<_> = PERSONS.iter().filter_map(|p| p.operator).collect();
    assert_eq!(registered.len(), 4);
    for operator in OPERATORS {
        assert!(
            registered.contains(&operator.key),
            "{} has nobody",
            operator.key
        );
    }
    let deselecting = PERSONS
        .iter()
        .filter(|p| !p.deselected_senders.is_empty())
        .count();
    assert_eq!(deselecting, 1);
    for person in PERSONS {
        for sender in person.deselected_senders {
            assert!(SENDERS.iter().any(|s| s.key == *sender));
        }
    }
}

#[test]
fn seed_companies_have_a_joint_and_a_single_signatory_rule_of_seeded_persons() {
    let rules: Vec<(u32, usize)> = COMPANIES
        .iter()
        .map(|company| {
            (
                company.signatures_required,
                company.signatory_persons().count(),
            )
        })
        .collect();
    assert!(
        rules.contains(&(2, 3)),
        "two jointly out of three: {rules:?}"
    );
    assert!(rules.contains(&(1, 1)), "one alone: {rules:?}");
    for company in COMPANIES {
        assert_eq!(
            company.signatory_persons().count(),
            company.signatories.len()
        );
        let number = company.organisation_number();
        assert!(organisations().all(|o| o.organisation_number() != number));
    }
}
