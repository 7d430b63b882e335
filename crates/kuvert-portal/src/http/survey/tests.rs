//! The survey's answers as posted: unanswered questions left out, yes/no only as `ja`/`nej`,
//! free text bounded and masked before it is stored (the feedback's masking, issue 13 §5).

use kuvert_core::feedback::MaskedComment;
use kuvert_core::id::PersonalIdentityNumber;
use kuvert_core::limits::SURVEY_ANSWER_CHARS_MAX;
use kuvert_store::portal::network::{QuestionKind, QuestionText, SurveyAnswer, SurveyQuestion};

use super::answers_from;

fn question(id: &str, kind: QuestionKind) -> SurveyQuestion {
    SurveyQuestion {
        id: id.to_owned(),
        text: QuestionText {
            kind,
            sv: "Fråga".to_owned(),
            en: "Question".to_owned(),
        },
        updated: (
            PersonalIdentityNumber::parse("191212121212").unwrap(),
            time::OffsetDateTime::UNIX_EPOCH,
        ),
    }
}

#[track_caller]
fn check(values: [&str; 2], expected: Option<Vec<(&str, SurveyAnswer)>>) {
    let questions = [
        question("q1", QuestionKind::YesNo),
        question("q2", QuestionKind::Text),
    ];
    let answers = answers_from(&questions, |id| match id {
        "q1" => values[0],
        _ => values[1],
    });
    let expected = expected.map(|answers| {
        answers
            .into_iter()
            .map(|(id, answer)| (id.to_owned(), answer))
            .collect::<Vec<_>>()
    });
    assert_eq!(answers, expected, "{values:?}");
}

#[test]
fn survey_answers_are_parsed_masked_and_bounded() {
    let masked = MaskedComment::mask("Jag är 19121212-1212, anna@example.se").unwrap();
    assert_eq!(masked.as_str(), "Jag är [nummer], [e-post]");
    check(
        ["ja", "Jag är 19121212-1212, anna@example.se"],
        Some(vec![
            ("q1", SurveyAnswer::YesNo(true)),
            ("q2", SurveyAnswer::Text(masked)),
        ]),
    );
    check(["nej", ""], Some(vec![("q1", SurveyAnswer::YesNo(false))]));
    check(["", ""], Some(Vec::new()));
    check(["kanske", ""], None);
    let long = "a".repeat(SURVEY_ANSWER_CHARS_MAX + 1);
    check(["", &long], None);
}
