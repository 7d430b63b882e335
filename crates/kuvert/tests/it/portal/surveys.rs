//! The network's standard campaign questions (issue 13 §5) with the whole federation and e-ID
//! login: only the editor adds, rewords and orders them (refused while a question holds a
//! word TERMS.md replaces); a campaign's landing links to its survey; a visitor answers
//! without any cookie, a personnummer and an e-mail address in a free-text answer stored
//! masked; the answers are counted on the campaign's page and in the yearly meeting's CSV.

use kuvert::testkit::{Federation, FederationOptions};
use kuvert_core::campaign::CampaignCode;
use kuvert_store::portal::NewCampaign;
use kuvert_store::portal::network::QuestionKind;
use reqwest::StatusCode;

use super::editorial::{EDITOR_SENDER, OWN_SENDER, bare_client, form, logged_in, person};
use super::seeding::today;
use crate::account::at;

const CAMPAIGN: &str = "ENKAT-2026";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn campaign_survey_is_kept_by_the_editor_answered_without_cookies_and_counted() {
    let federation = Federation::start(FederationOptions::default()).await;
    let portal_url = federation.portal_url();
    let (writer, writer_csrf) = logged_in(&federation, person("tolvan"), OWN_SENDER, false).await;
    let (editor, editor_csrf) = logged_in(&federation, person("anna"), EDITOR_SENDER, true).await;
    let questions = at(&portal_url, "kommunikator/enkat");
    let question = |csrf: &str, kind: &str, text: &str| {
        form(&[
            ("csrf_token", csrf),
            ("slag", kind),
            ("fraga", text),
            ("fraga_en", ""),
        ])
    };

    // Not the editor, a forged form, a word to replace: refused, nothing stored.
    let asked = "Fick du veta om kampanjen genom ett brev?";
    let not_editor = writer
        .post_form(&questions, &question(&writer_csrf, "yes_no", asked))
        .await;
    assert_eq!(not_editor.status(), StatusCode::FORBIDDEN);
    let forged = editor
        .post_form(&questions, &question("00", "yes_no", asked))
        .await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let worded = "Vill du ha kvitto när du läser?";
    let refused = editor
        .post_form(&questions, &question(&editor_csrf, "yes_no", worded))
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("skriv i stället ”kvittens”")
    );
    let network = federation.demo().portal.network_store();
    assert!(network.survey_questions().await.unwrap().is_empty());

    // Two questions, the second moved first and the first reworded.
    let free = "Vad fick dig att skaffa en digital brevlåda?";
    for (kind, text) in [("yes_no", "Såg du kampanjen?"), ("text", free)] {
        let added = editor
            .post_form(&questions, &question(&editor_csrf, kind, text))
            .await;
        assert_eq!(added.status(), StatusCode::SEE_OTHER);
    }
    let stored = network.survey_questions().await.unwrap();
    let (first, second) = (stored[0].id.clone(), stored[1].id.clone());
    let moved = editor
        .post_form(
            &format!("{questions}/{second}/flytta"),
            &form(&[("csrf_token", &editor_csrf), ("riktning", "upp")]),
        )
        .await;
    assert_eq!(moved.status(), StatusCode::SEE_OTHER);
    let reworded = editor
        .post_form(
            &format!("{questions}/{first}"),
            &question(&editor_csrf, "yes_no", asked),
        )
        .await;
    assert_eq!(reworded.status(), StatusCode::SEE_OTHER);
    let stored = network.survey_questions().await.unwrap();
    let order: Vec<(&str, QuestionKind)> = stored
        .iter()
        .map(|question| (question.text.sv.as_str(), question.text.kind))
        .collect();
    assert_eq!(
        order,
        [(free, QuestionKind::Text), (asked, QuestionKind::YesNo)]
    );
    let html = writer.get(&questions).await.text().await.unwrap();
    assert!(
        html.contains(asked) && !html.contains("Lägg till frågan"),
        "{html}"
    );

    // A campaign; its landing links to the survey; a visitor answers without a cookie.
    let code = CampaignCode::parse(CAMPAIGN).unwrap();
    let store = federation.demo().portal.store();
    store
        .create_campaign(&NewCampaign {
            code: code.clone(),
            name: "Enkätens kampanj".to_owned(),
            owners: vec![OWN_SENDER.organisation_number()],
            channel: "brev".to_owned(),
            starts_on: today(),
            ends_on: today() + time::Duration::days(30),
            goal_registrations: 10,
        })
        .await
        .unwrap();
    let visitor = bare_client();
    let landing = visitor
        .get(at(&portal_url, &format!("skaffa?kampanj={CAMPAIGN}")))
        .send()
        .await
        .unwrap();
    assert!(landing.headers().get("set-cookie").is_none());
    let html = landing.text().await.unwrap();
    assert!(
        html.contains(&format!("href=\"/enkat?kampanj={CAMPAIGN}\"")),
        "{html}"
    );
    let survey = visitor
        .get(at(&portal_url, &format!("enkat?kampanj={CAMPAIGN}")))
        .send()
        .await
        .unwrap();
    assert_eq!(survey.status(), StatusCode::OK);
    assert!(survey.headers().get("set-cookie").is_none());
    let html = survey.text().await.unwrap();
    assert!(html.contains(asked) && html.contains(free), "{html}");
    let unknown = visitor
        .get(at(&portal_url, "enkat?kampanj=OKAND"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let answers = at(&portal_url, "enkat/svar");
    let comment = "Jag heter 19121212-1212 och mejlar anna@example.se";
    let yes_no = format!("fraga-{first}");
    let text = format!("fraga-{second}");
    let empty = visitor
        .post(&answers)
        .form(&[
            ("kampanj", CAMPAIGN),
            (yes_no.as_str(), ""),
            (text.as_str(), ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let sent = visitor
        .post(&answers)
        .form(&[
            ("kampanj", CAMPAIGN),
            (yes_no.as_str(), "ja"),
            (text.as_str(), comment),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), StatusCode::OK);
    assert!(sent.headers().get("set-cookie").is_none());

    // Stored masked, counted for the campaign, shown on its page and in the meeting's CSV.
    let results = network.survey_results(&code).await.unwrap();
    assert_eq!(results.responses, 1);
    let texts: Vec<&str> = results.questions[0]
        .newest_texts
        .iter()
        .map(|text| text.as_str())
        .collect();
    assert_eq!(texts, ["Jag heter [nummer] och mejlar [e-post]"]);
    assert_eq!((results.questions[1].yes, results.questions[1].no), (1, 0));
    let html = writer
        .get(&at(
            &portal_url,
            &format!("kommunikator/kampanjer/{CAMPAIGN}"),
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Besvarade enkäter: 1."), "{html}");
    assert!(
        html.contains("Jag heter [nummer] och mejlar [e-post]"),
        "{html}"
    );
    assert!(!html.contains("19121212"), "{html}");
    let csv = writer
        .get(&at(&portal_url, "kommunikator/planer/arsmote.csv"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        csv.lines().next().unwrap().ends_with("Besvarade enkäter"),
        "{csv}"
    );
    let row = csv.lines().find(|line| line.contains(CAMPAIGN)).unwrap();
    assert!(row.ends_with(",10,1"), "{csv}");
}
