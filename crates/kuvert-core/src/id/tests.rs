//! Tests of identity number parsing: one table per type through `check`, plus round-trip
//! properties over generated valid numbers.

use proptest::prelude::*;
use time::macros::date;

use super::*;
use IdentityNumberError as E;

/// What a parse should give: the canonical digits, or the error.
type Expected = Result<&'static str, IdentityNumberError>;

#[track_caller]
fn check(input: &str, expected: Expected) {
    let actual = PersonalIdentityNumber::parse(input);
    assert_eq!(
        actual.as_ref().map(PersonalIdentityNumber::as_str),
        expected.as_deref(),
        "{input}"
    );
}

#[track_caller]
fn check_short(input: &str, today: Date, expected: Expected) {
    let actual = PersonalIdentityNumber::parse_short(input, today);
    assert_eq!(
        actual.as_ref().map(PersonalIdentityNumber::as_str),
        expected.as_deref(),
        "{input}"
    );
}

#[track_caller]
fn check_organisation(input: &str, expected: Expected) {
    let actual = OrganisationNumber::parse(input);
    assert_eq!(
        actual.as_ref().map(OrganisationNumber::as_str),
        expected.as_deref(),
        "{input}"
    );
}

#[test]
fn personal_identity_number_parse_follows_the_rules() {
    check("191212121212", Ok("191212121212"));
    check("19121212-1212", Ok("191212121212"));
    check("198101052382", Ok("198101052382"));
    check("192705178354", Ok("192705178354"));
    check("201301172399", Ok("201301172399"));
    // Samordningsnummer: day 12 + 60.
    check("191212721219", Ok("191212721219"));
    check(
        "20000229-0000",
        Err(E::BadCheckDigit {
            expected: 5,
            found: 0,
        }),
    );
    check("200002290005", Ok("200002290005"));
    // 200103172392 appears in real samples but fails the Luhn rule.
    check(
        "200103172392",
        Err(E::BadCheckDigit {
            expected: 1,
            found: 2,
        }),
    );
    check(
        "191212121213",
        Err(E::BadCheckDigit {
            expected: 2,
            found: 3,
        }),
    );
    check("1912121212", Err(E::WrongLength { length: 10 }));
    check("", Err(E::WrongLength { length: 0 }));
    check("1912121212123", Err(E::BadSeparator { found: '1' }));
    check("19121212+1212", Err(E::BadSeparator { found: '+' }));
    check("19121212-12a2", Err(E::NotDigits { position: 11 }));
    check("19121x121212", Err(E::NotDigits { position: 5 }));
    check("19121é121212", Err(E::NotDigits { position: 5 }));
    check("171212121212", Err(E::BadCentury { century: 17 }));
    check("211212121212", Err(E::BadCentury { century: 21 }));
    check("191213121212", Err(E::InvalidDate));
    check("191200121212", Err(E::InvalidDate));
    check("191212001212", Err(E::InvalidDate));
    check("191202301212", Err(E::InvalidDate));
    check("190002291212", Err(E::InvalidDate));
    check("191212601212", Err(E::InvalidDate));
    check("191212921212", Err(E::InvalidDate));
}

#[test]
fn parse_short_chooses_the_century_from_today_and_separator() {
    let today = date!(2026 - 11 - 29);
    check_short("121212-1212", today, Ok("201212121212"));
    check_short("1212121212", today, Ok("201212121212"));
    check_short("121212+1212", today, Ok("191212121212"));
    check_short("810105-2382", today, Ok("198101052382"));
    // Born on the last day of a year whose two digits equal today's: not yet, so 1926.
    check_short(
        "261231-1234",
        today,
        Err(E::BadCheckDigit {
            expected: 9,
            found: 4,
        }),
    );
    check_short("261231-1239", today, Ok("192612311239"));
    // Born today: the birthday is not after today, so this century.
    check_short("261129-1234", today, Ok("202611291234"));
    check_short("261231+1239", today, Ok("182612311239"));
    // A samordningsnummer compares the real day (12), not the written one (72).
    check_short("121272-1219", today, Ok("201212721219"));
    check_short("121212+1212", date!(1999 - 01 - 01), Ok("181212121212"));
    check_short(
        "991212+1212",
        date!(1999 - 01 - 01),
        Err(E::BadCentury { century: 17 }),
    );
    check_short("121212*1212", today, Err(E::BadSeparator { found: '*' }));
    check_short("12121212", today, Err(E::WrongLength { length: 8 }));
    check_short("1212a2-1212", today, Err(E::NotDigits { position: 4 }));
    check_short("121212-12b2", today, Err(E::NotDigits { position: 9 }));
    check_short("000229-0005", today, Ok("200002290005"));
}

#[test]
fn organisation_number_parse_follows_the_rules() {
    check_organisation("2021004748", Ok("2021004748"));
    check_organisation("5568402266", Ok("5568402266"));
    check_organisation("556840-2266", Ok("5568402266"));
    check_organisation("165568402266", Ok("5568402266"));
    check_organisation("162021003898", Ok("2021003898"));
    check_organisation(
        "5568402267",
        Err(E::BadCheckDigit {
            expected: 6,
            found: 7,
        }),
    );
    check_organisation("5518402266", Err(E::ThirdDigitTooLow { digit: 1 }));
    check_organisation("175568402266", Err(E::MissingPrefix));
    check_organisation("556840+2266", Err(E::BadSeparator { found: '+' }));
    check_organisation("55684022", Err(E::WrongLength { length: 8 }));
    check_organisation("55684O2266", Err(E::NotDigits { position: 5 }));
}

#[test]
fn recipient_id_parse_tells_organisations_from_persons() {
    let organisation = RecipientId::parse("165568402266").unwrap();
    assert!(matches!(organisation, RecipientId::Organisation(_)));
    assert_eq!(organisation.to_wire(), "165568402266");
    let person = RecipientId::parse("191212121212").unwrap();
    assert!(matches!(person, RecipientId::Person(_)));
    assert_eq!(person.to_wire(), "191212121212");
    assert_eq!(
        RecipientId::parse("5568402266"),
        Err(E::WrongLength { length: 10 })
    );
    assert_eq!(
        RecipientId::parse("19121212-121"),
        Err(E::NotDigits { position: 8 })
    );
    assert_eq!(
        RecipientId::parse("161212121212"),
        Err(E::ThirdDigitTooLow { digit: 1 })
    );
}

#[track_caller]
fn check_written(input: &str, expected: Result<&str, IdentityNumberError>) {
    let today = date!(2026 - 11 - 29);
    let actual = RecipientId::parse_written(input, today);
    let expected = expected
        .map(str::to_owned)
        .map_err(|rule| IdentityTextError {
            rule,
            forms: AcceptedForms::Recipient,
        });
    assert_eq!(actual.map(|id| id.to_wire()), expected, "{input}");
}

// Issue 11: every documented form of a recipient is accepted where a person types one.
#[test]
fn recipient_id_parse_written_accepts_every_documented_form() {
    check_written("191212121212", Ok("191212121212"));
    check_written("19121212-1212", Ok("191212121212"));
    check_written("121212-1212", Ok("201212121212"));
    check_written("1212121212", Ok("201212121212"));
    check_written("121212+1212", Ok("191212121212"));
    check_written(" 810105-2382 ", Ok("198101052382"));
    check_written("121272-1219", Ok("201212721219"));
    check_written("2120000159", Ok("162120000159"));
    check_written("212000-0159", Ok("162120000159"));
    check_written("162120000159", Ok("162120000159"));
    // `+` is only the centenarian's separator of a personnummer.
    check_written("556840+2266", Err(E::InvalidDate));
    check_written("nosuch", Err(E::WrongLength { length: 6 }));
    check_written(
        "1212121213",
        Err(E::BadCheckDigit {
            expected: 2,
            found: 3,
        }),
    );
    check_written("1213121212", Err(E::InvalidDate));
    check_written("åäö1212121", Err(E::NotDigits { position: 0 }));
}

#[test]
fn parse_written_refusals_name_the_accepted_forms() {
    let today = date!(2026 - 11 - 29);
    let refused = RecipientId::parse_written("12345", today)
        .unwrap_err()
        .to_string();
    assert_eq!(
        refused,
        "identity number has 5 characters, which matches no accepted form; write a \
         personnummer or samordningsnummer as YYYYMMDDNNNN, YYYYMMDD-NNNN, YYMMDD-NNNN, \
         YYMMDDNNNN or YYMMDD+NNNN (100 years or older), an organisationsnummer as \
         NNNNNN-NNNN, NNNNNNNNNN or 16NNNNNNNNNN"
    );
    let refused = OrganisationNumber::parse_written("nosuch").unwrap_err();
    assert_eq!(refused.forms, AcceptedForms::Organisation);
    assert!(
        refused
            .to_string()
            .ends_with("NNNNNN-NNNN, NNNNNNNNNN or 16NNNNNNNNNN")
    );
    assert_eq!(
        OrganisationNumber::parse_written(" 212000-0159")
            .unwrap()
            .as_str(),
        "2120000159"
    );
    let refused = PersonalIdentityNumber::parse_written("1212", today).unwrap_err();
    assert_eq!(refused.forms, AcceptedForms::Person);
    assert!(refused.to_string().contains(AcceptedForms::PERSON));
    let person = PersonalIdentityNumber::parse_written("121212+1212", today).unwrap();
    assert_eq!(person.as_str(), "191212121212");
}

#[test]
fn personal_identity_number_reports_coordination_and_birth_date() {
    let person = PersonalIdentityNumber::parse("191212121212").unwrap();
    assert!(!person.is_coordination_number());
    assert_eq!(person.birth_date(), date!(1912 - 12 - 12));
    let coordination = PersonalIdentityNumber::parse("191212721219").unwrap();
    assert!(coordination.is_coordination_number());
    assert_eq!(coordination.birth_date(), date!(1912 - 12 - 12));
}

#[test]
fn debug_masks_the_serial_number_and_display_gives_the_digits() {
    let person = PersonalIdentityNumber::parse("191212121212").unwrap();
    assert_eq!(
        format!("{person:?}"),
        "PersonalIdentityNumber(19121212-****)"
    );
    let recipient = RecipientId::Person(person.clone());
    assert!(!format!("{recipient:?}").contains("1212121212"));
    assert_eq!(person.to_string(), "191212121212");
    let organisation = OrganisationNumber::parse("556840-2266").unwrap();
    assert_eq!(organisation.to_string(), "5568402266");
    assert_eq!(
        RecipientId::Organisation(organisation).to_string(),
        "165568402266"
    );
}

#[test]
fn errors_display_the_failed_rule() {
    let error = E::BadCheckDigit {
        expected: 2,
        found: 3,
    };
    assert_eq!(
        error.to_string(),
        "check digit is 3 but the Luhn rule gives 2"
    );
    assert_eq!(
        E::ThirdDigitTooLow { digit: 1 }.to_string(),
        "organisation number third digit is 1 but must be 2 or more"
    );
}

#[test]
fn serde_goes_through_parse_and_writes_the_canonical_form() {
    let person: PersonalIdentityNumber = serde_json_like("19121212-1212").unwrap();
    assert_eq!(person.as_str(), "191212121212");
    assert!(serde_json_like::<PersonalIdentityNumber>("191212121213").is_err());
    let organisation: OrganisationNumber = serde_json_like("165568402266").unwrap();
    assert_eq!(organisation.as_str(), "5568402266");
    let recipient: RecipientId = serde_json_like("165568402266").unwrap();
    assert_eq!(serialized(&recipient), "165568402266");
    assert_eq!(serialized(&person), "191212121212");
    assert_eq!(serialized(&organisation), "5568402266");
}

#[test]
fn from_str_and_ordering_follow_the_digits() {
    let older: PersonalIdentityNumber = "191212121212".parse().unwrap();
    let younger: PersonalIdentityNumber = "198101052382".parse().unwrap();
    assert!(older < younger);
    assert!("5568402267".parse::<OrganisationNumber>().is_err());
    assert!("191212121212".parse::<RecipientId>().is_ok());
}

/// Deserialises `text` as a JSON string.
fn serde_json_like<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
}

/// Serialises `value` and returns the string it wrote.
fn serialized<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value).unwrap() {
        serde_json::Value::String(text) => text,
        other => panic!("serialised to a non-string: {other}"),
    }
}

/// Any valid personnummer or samordningsnummer: a real date, a serial, the Luhn digit.
fn valid_person() -> impl Strategy<Value = String> {
    (
        1800i32..=2099,
        1u8..=12,
        1u8..=31,
        any::<bool>(),
        0u16..1000,
    )
        .prop_filter_map(
            "not a calendar date",
            |(year, month, day, is_coordination, serial)| {
                let month_value = Month::try_from(month).ok()?;
                Date::from_calendar_date(year, month_value, day).ok()?;
                let written_day = if is_coordination { day + 60 } else { day };
                let nine = format!("{:02}{month:02}{written_day:02}{serial:03}", year % 100);
                let check = luhn_check_digit(&format!("{nine}0"));
                Some(format!("{}{nine}{check}", year / 100))
            },
        )
}

/// Any valid organisationsnummer: third digit 2..9, then the Luhn digit.
fn valid_organisation() -> impl Strategy<Value = String> {
    (0u8..=99, 2u8..=9, 0u32..1_000_000).prop_map(|(head, third, rest)| {
        let nine = format!("{head:02}{third}{rest:06}");
        let check = luhn_check_digit(&format!("{nine}0"));
        format!("{nine}{check}")
    })
}

proptest! {
    #[test]
    fn any_valid_person_round_trips(digits in valid_person()) {
        let person = PersonalIdentityNumber::parse(&digits).unwrap();
        prop_assert_eq!(person.as_str(), digits.as_str());
        prop_assert_eq!(PersonalIdentityNumber::parse(person.as_str()).unwrap(), person.clone());
        let dashed = format!("{}-{}", &digits[..8], &digits[8..]);
        prop_assert_eq!(PersonalIdentityNumber::parse(&dashed).unwrap(), person.clone());
        let recipient = RecipientId::Person(person);
        prop_assert_eq!(RecipientId::parse(&recipient.to_wire()).unwrap(), recipient);
    }

    #[test]
    fn any_valid_organisation_round_trips(digits in valid_organisation()) {
        let organisation = OrganisationNumber::parse(&digits).unwrap();
        prop_assert_eq!(organisation.as_str(), digits.as_str());
        let from_wire = OrganisationNumber::parse(&organisation.to_wire()).unwrap();
        prop_assert_eq!(from_wire, organisation.clone());
        let recipient = RecipientId::Organisation(organisation);
        prop_assert_eq!(RecipientId::parse(&recipient.to_wire()).unwrap(), recipient);
    }

    #[test]
    fn any_valid_person_round_trips_through_the_short_form(digits in valid_person()) {
        let today = date!(2026 - 11 - 29);
        let person = PersonalIdentityNumber::parse(&digits).unwrap();
        let born = person.birth_date();
        let hundredth = (born.year() + 100, born.month(), born.day());
        let is_old = hundredth <= (today.year(), today.month(), today.day());
        let is_representable = born <= today && born.year() + 200 > today.year();
        prop_assume!(is_representable);
        let separator = if is_old { '+' } else { '-' };
        let short = format!("{}{separator}{}", &digits[2..8], &digits[8..]);
        prop_assert_eq!(PersonalIdentityNumber::parse_short(&short, today).unwrap(), person);
    }

    #[test]
    fn a_changed_check_digit_is_rejected(digits in valid_person(), shift in 1u8..=9) {
        let check = digits.as_bytes()[11] - b'0';
        let wrong = format!("{}{}", &digits[..11], (check + shift) % 10);
        let is_bad_check_digit =
            matches!(PersonalIdentityNumber::parse(&wrong), Err(E::BadCheckDigit { .. }));
        prop_assert!(is_bad_check_digit);
    }

    #[test]
    fn parse_never_panics(text in "\\PC{0,16}") {
        let _ = PersonalIdentityNumber::parse(&text);
        let _ = PersonalIdentityNumber::parse_short(&text, date!(2026 - 11 - 29));
        let _ = OrganisationNumber::parse(&text);
        let _ = RecipientId::parse(&text);
        let _ = RecipientId::parse_written(&text, date!(2026 - 11 - 29));
        let _ = PersonalIdentityNumber::parse_written(&text, date!(2026 - 11 - 29));
    }
}
