//! NetworkStore's campaign questions and the A/B codes of migration 0013: questions kept in
//! order, reworded and moved, bounded in length and number; a visitor's answers stored with
//! the day and campaign only, refused when empty, repeated or for an unknown question, counted
//! per campaign and question; a code standing for a campaign and a variant kept once.

use kuvert_core::campaign::CampaignCode;
use kuvert_core::feedback::MaskedComment;
use kuvert_core::limits::SURVEY_QUESTIONS_MAX;
use kuvert_store::StoreError;
use kuvert_store::portal::network::{
    AbCampaignCode, AbCodesOf, NewAbTest, QuestionKind, QuestionText, SurveyAnswer, SurveyResponse,
    Variant, VariantTexts,
};
use time::macros::date;

use crate::support::{TestDatabase, organisation, person_number};

fn question(kind: QuestionKind, text: &str) -> QuestionText {
    QuestionText {
        kind,
        sv: text.to_owned(),
        en: text.to_owned(),
    }
}

fn code(text: &str) -> CampaignCode {
    CampaignCode::parse(text).unwrap()
}

#[tokio::test]
async fn survey_questions_keep_their_order_and_answers_are_counted_per_campaign() {
    for test in TestDatabase::all().await {
        let network = test.database.portal_network();
        let editor = person_number(1);
        let seen = network
            .add_survey_question(&question(QuestionKind::YesNo, "Såg du kampanjen?"), &editor)
            .await
            .unwrap();
        let why = network
            .add_survey_question(&question(QuestionKind::Text, "Varför?"), &editor)
            .await
            .unwrap();
        assert!(network.move_survey_question(&why.id, true).await.unwrap());
        assert!(!network.move_survey_question(&why.id, true).await.unwrap());
        let moved = network.move_survey_question("nothing", false).await;
        assert!(matches!(moved, Err(StoreError::NotFound { .. })));
        let reworded = question(QuestionKind::YesNo, "Läste du brevet?");
        network
            .edit_survey_question(&seen.id, &reworded, &person_number(2))
            .await
            .unwrap();
        let long = question(QuestionKind::Text, &"x".repeat(201));
        let refused = network.edit_survey_question(&seen.id, &long, &editor).await;
        assert!(matches!(refused, Err(StoreError::OutOfBounds { .. })));
        let questions = network.survey_questions().await.unwrap();
        let order: Vec<(&str, &str)> = questions
            .iter()
            .map(|question| (question.id.as_str(), question.text.sv.as_str()))
            .collect();
        assert_eq!(
            order,
            [
                (why.id.as_str(), "Varför?"),
                (seen.id.as_str(), "Läste du brevet?")
            ]
        );
        assert_eq!(questions[1].updated.0, person_number(2));

        let answer = |campaign: &str, answers: Vec<(String, SurveyAnswer)>| SurveyResponse {
            day: date!(2026 - 11 - 28),
            campaign: code(campaign),
            answers,
        };
        let masked = MaskedComment::mask("Ring 0701234567").unwrap();
        let full = vec![
            (seen.id.clone(), SurveyAnswer::YesNo(true)),
            (why.id.clone(), SurveyAnswer::Text(masked.clone())),
        ];
        network
            .record_survey_response(&answer("VAR-2026", full))
            .await
            .unwrap();
        let only_no = vec![(seen.id.clone(), SurveyAnswer::YesNo(false))];
        network
            .record_survey_response(&answer("VAR-2026", only_no))
            .await
            .unwrap();
        let other = vec![(seen.id.clone(), SurveyAnswer::YesNo(true))];
        network
            .record_survey_response(&answer("HOST-2026", other))
            .await
            .unwrap();
        for (answers, is_unknown) in [
            (Vec::new(), false),
            (
                vec![
                    (seen.id.clone(), SurveyAnswer::YesNo(true)),
                    (seen.id.clone(), SurveyAnswer::YesNo(false)),
                ],
                false,
            ),
            (
                vec![("nothing".to_owned(), SurveyAnswer::YesNo(true))],
                true,
            ),
        ] {
            let refused = network
                .record_survey_response(&answer("VAR-2026", answers))
                .await;
            match refused {
                Err(StoreError::NotFound { .. }) => assert!(is_unknown),
                Err(StoreError::OutOfBounds { .. }) => assert!(!is_unknown),
                other => panic!("{other:?}"),
            }
        }

        let results = network.survey_results(&code("VAR-2026")).await.unwrap();
        assert_eq!(results.responses, 2);
        let [why_result, seen_result] = results.questions.as_slice() else {
            panic!("{results:?}");
        };
        assert_eq!(
            (why_result.texts, why_result.newest_texts.clone()),
            (1, vec![masked])
        );
        assert_eq!(
            (seen_result.yes, seen_result.no, seen_result.texts),
            (1, 1, 0)
        );
        assert_eq!(
            network.survey_response_counts().await.unwrap(),
            [(code("HOST-2026"), 1), (code("VAR-2026"), 2)]
        );
        for index in 2..SURVEY_QUESTIONS_MAX {
            let text = format!("Fråga {index}");
            let extra = question(QuestionKind::YesNo, &text);
            network.add_survey_question(&extra, &editor).await.unwrap();
        }
        let one_more = question(QuestionKind::YesNo, "En för mycket");
        let refused = network.add_survey_question(&one_more, &editor).await;
        assert!(matches!(refused, Err(StoreError::OutOfBounds { .. })));
        test.finish().await;
    }
}

#[tokio::test]
async fn a_code_for_a_campaign_and_a_variant_is_kept_once() {
    for test in TestDatabase::all().await {
        let network = test.database.portal_network();
        let texts = |text: &str| VariantTexts {
            sv: text.to_owned(),
            en: text.to_owned(),
        };
        let ab_test = network
            .create_ab_test(&NewAbTest {
                name: "Budskap".to_owned(),
                sender: organisation(1),
                variants: [texts("Säkert."), texts("Enkelt.")],
            })
            .await
            .unwrap();
        let recorded = AbCampaignCode {
            code: code("AB-3F5E8B0C1D2E-B-0123456789"),
            test_id: ab_test.id.clone(),
            variant: Variant::B,
            campaign: code("VAR-2026"),
        };
        network.record_ab_campaign_code(&recorded).await.unwrap();
        network.record_ab_campaign_code(&recorded).await.unwrap();
        let of_campaign = network
            .ab_campaign_codes(AbCodesOf::Campaign(&code("VAR-2026")))
            .await
            .unwrap();
        assert_eq!(of_campaign, std::slice::from_ref(&recorded));
        let of_test = network
            .ab_campaign_codes(AbCodesOf::Test(&ab_test.id))
            .await
            .unwrap();
        assert_eq!(of_test, [recorded]);
        let none = network
            .ab_campaign_codes(AbCodesOf::Campaign(&code("HOST-2026")))
            .await
            .unwrap();
        assert!(none.is_empty());
        test.finish().await;
    }
}
