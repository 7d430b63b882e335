//! Tests of the plural rule shared by Swedish and English.

use super::*;

#[test]
fn the_singular_is_for_exactly_one() {
    let unread = Plural::new("oläst meddelande", "olästa meddelanden");
    let shown: Vec<String> = [0_u64, 1, 2, 21]
        .into_iter()
        .map(|count| unread.count(count).to_string())
        .collect();
    assert_eq!(
        shown,
        [
            "0 olästa meddelanden",
            "1 oläst meddelande",
            "2 olästa meddelanden",
            "21 olästa meddelanden"
        ]
    );
    let letters = Plural::new("letter", "letters");
    assert_eq!(letters.count(1_usize).to_string(), "1 letter");
    assert_eq!(letters.form(0), "letters");
    assert_eq!(
        letters.count(-1_i64).to_string(),
        format!("{} letters", u64::MAX)
    );
}
