//! The generated identity numbers are valid and distinct.

use std::collections::BTreeSet;

use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber};

use super::{company_number, person_number};

#[test]
fn generated_person_numbers_are_valid_and_distinct() {
    let indexes = [0, 1, 999, 1_000, 123_456, 5_999_999, 19_999_999];
    let numbers: BTreeSet<String> = indexes.iter().map(|&index| person_number(index)).collect();
    assert_eq!(numbers.len(), indexes.len());
    for number in &numbers {
        assert!(PersonalIdentityNumber::parse(number).is_ok(), "{number}");
    }
}

#[test]
fn generated_company_numbers_are_valid_and_distinct() {
    let indexes = [0, 1, 42, 7_999_999];
    let numbers: BTreeSet<String> = indexes.iter().map(|&index| company_number(index)).collect();
    assert_eq!(numbers.len(), indexes.len());
    for number in &numbers {
        assert!(OrganisationNumber::parse(number).is_ok(), "{number}");
    }
}
