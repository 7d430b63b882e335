//! The signing progress reads naturally for 0, 1 and 2 in both languages (issue 11).

use kuvert_web::i18n::Language;

use super::signatures_done;
use crate::http::account::texts::account_texts;

#[test]
fn signatures_done_agrees_with_the_required_count_in_both_languages() {
    let sv = account_texts(Language::Swedish);
    let en = account_texts(Language::English);
    let shown: Vec<String> = [(0, 0), (0, 1), (1, 2)]
        .into_iter()
        .flat_map(|(signed, required)| {
            [
                signatures_done(sv, signed, required),
                signatures_done(en, signed, required),
            ]
        })
        .collect();
    assert_eq!(
        shown,
        [
            "0 av 0 signaturer klara",
            "0 of 0 signatures done",
            "0 av 1 signatur klar",
            "0 of 1 signature done",
            "1 av 2 signaturer klara",
            "1 of 2 signatures done",
        ]
    );
}
