//! The network's standard campaign questions (kept by the editor, in order) and the answers
//! visitors give on a campaign's survey page: one row per answer, the day and campaign only,
//! free text already masked.

use std::collections::BTreeSet;

use kuvert_core::campaign::CampaignCode;
use kuvert_core::feedback::MaskedComment;
use kuvert_core::id::PersonalIdentityNumber;
use kuvert_core::limits::{
    FEEDBACK_COMMENT_CHARS_MAX, SURVEY_QUESTION_CHARS_MAX, SURVEY_QUESTIONS_MAX,
    SURVEY_TEXT_ANSWERS_SHOWN_MAX,
};
use sqlx::AnyPool;
use sqlx::any::AnyRow;
use time::OffsetDateTime;

use super::{
    QuestionKind, QuestionResult, QuestionText, SurveyAnswer, SurveyQuestion, SurveyResponse,
    SurveyResults,
};
use crate::calendar::day_text;
use crate::database::{
    Backend, begin_write, get_count, get_parsed, get_text, get_time, to_millis, truncate_to_millis,
};
use crate::error::{SqlContext, StoreError};
use crate::portal::records::check_text;

/// The question columns in order, as a literal for `concat!` (static SQL only).
macro_rules! question_columns {
    () => {
        "id, kind, text_sv, text_en, updated_by, updated_at"
    };
}

pub(super) async fn add_question(
    pool: &AnyPool,
    backend: Backend,
    question: &QuestionText,
    editor: &PersonalIdentityNumber,
) -> Result<SurveyQuestion, StoreError> {
    check_question(question)?;
    let mut transaction = begin_write(pool, backend).await?;
    let row = sqlx::query(
        "SELECT COUNT(*) AS questions, CAST(COALESCE(MAX(sort_order), 0) AS BIGINT) AS last \
         FROM portal_survey_questions",
    )
    .fetch_one(&mut *transaction)
    .await
    .context("count survey questions")?;
    if get_count(&row, "questions")? >= u64::try_from(SURVEY_QUESTIONS_MAX).unwrap_or(u64::MAX) {
        return Err(StoreError::OutOfBounds {
            what: "survey questions",
        });
    }
    let sort_order = get_count(&row, "last")?.saturating_add(1);
    let stored = SurveyQuestion {
        id: uuid::Uuid::now_v7().to_string(),
        text: question.clone(),
        updated: (
            editor.clone(),
            truncate_to_millis(OffsetDateTime::now_utc()),
        ),
    };
    sqlx::query(concat!(
        "INSERT INTO portal_survey_questions (sort_order, ",
        question_columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7)"
    ))
    .bind(i64::try_from(sort_order).unwrap_or(i64::MAX))
    .bind(&stored.id)
    .bind(question.kind.as_str())
    .bind(&question.sv)
    .bind(&question.en)
    .bind(editor.as_str())
    .bind(to_millis(stored.updated.1))
    .execute(&mut *transaction)
    .await
    .context("insert survey question")?;
    transaction
        .commit()
        .await
        .context("commit survey question")?;
    Ok(stored)
}

pub(super) async fn edit_question(
    pool: &AnyPool,
    id: &str,
    question: &QuestionText,
    editor: &PersonalIdentityNumber,
) -> Result<(), StoreError> {
    check_question(question)?;
    let updated = sqlx::query(
        "UPDATE portal_survey_questions SET kind = $1, text_sv = $2, text_en = $3, \
         updated_by = $4, updated_at = $5 WHERE id = $6",
    )
    .bind(question.kind.as_str())
    .bind(&question.sv)
    .bind(&question.en)
    .bind(editor.as_str())
    .bind(to_millis(OffsetDateTime::now_utc()))
    .bind(id)
    .execute(pool)
    .await
    .context("edit survey question")?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::NotFound {
            what: "survey question",
        });
    }
    Ok(())
}

pub(super) async fn move_question(
    pool: &AnyPool,
    backend: Backend,
    id: &str,
    is_up: bool,
) -> Result<bool, StoreError> {
    let mut transaction = begin_write(pool, backend).await?;
    let rows =
        sqlx::query("SELECT id, sort_order FROM portal_survey_questions ORDER BY sort_order")
            .fetch_all(&mut *transaction)
            .await
            .context("read survey order")?;
    let mut order: Vec<(String, i64)> = Vec::with_capacity(rows.len());
    for row in &rows {
        let sort_order: i64 = sqlx::Row::try_get(row, "sort_order").context("read survey order")?;
        order.push((get_text(row, "id")?, sort_order));
    }
    let Some(index) = order.iter().position(|(known, _)| known == id) else {
        return Err(StoreError::NotFound {
            what: "survey question",
        });
    };
    let other = if is_up {
        index.checked_sub(1)
    } else {
        Some(index + 1).filter(|next| *next < order.len())
    };
    let Some(other) = other else {
        return Ok(false);
    };
    for (moved, to) in [(index, other), (other, index)] {
        sqlx::query("UPDATE portal_survey_questions SET sort_order = $1 WHERE id = $2")
            .bind(order[to].1)
            .bind(&order[moved].0)
            .execute(&mut *transaction)
            .await
            .context("move survey question")?;
    }
    transaction.commit().await.context("commit survey order")?;
    Ok(true)
}

pub(super) async fn questions(pool: &AnyPool) -> Result<Vec<SurveyQuestion>, StoreError> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        question_columns!(),
        " FROM portal_survey_questions ORDER BY sort_order, id"
    ))
    .fetch_all(pool)
    .await
    .context("read survey questions")?;
    rows.iter().map(question_from).collect()
}

pub(super) async fn record_response(
    pool: &AnyPool,
    backend: Backend,
    response: &SurveyResponse,
) -> Result<(), StoreError> {
    let asked: BTreeSet<&str> = response.answers.iter().map(|(id, _)| id.as_str()).collect();
    if response.answers.is_empty() || asked.len() != response.answers.len() {
        return Err(StoreError::OutOfBounds {
            what: "survey answers",
        });
    }
    let known: BTreeSet<String> = questions(pool)
        .await?
        .into_iter()
        .map(|question| question.id)
        .collect();
    if !asked.iter().all(|id| known.contains(*id)) {
        return Err(StoreError::NotFound {
            what: "survey question",
        });
    }
    let response_id = uuid::Uuid::now_v7().to_string();
    let mut transaction = begin_write(pool, backend).await?;
    for (question_id, answer) in &response.answers {
        let text = match answer {
            SurveyAnswer::YesNo(true) => "ja",
            SurveyAnswer::YesNo(false) => "nej",
            SurveyAnswer::Text(text) => {
                check_text(text.as_str(), FEEDBACK_COMMENT_CHARS_MAX, "survey answer")?;
                text.as_str()
            }
        };
        sqlx::query(
            "INSERT INTO portal_survey_answers (id, response_id, day, campaign, question_id, \
             answer) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&response_id)
        .bind(day_text(response.day))
        .bind(response.campaign.as_str())
        .bind(question_id)
        .bind(text)
        .execute(&mut *transaction)
        .await
        .context("insert survey answer")?;
    }
    transaction.commit().await.context("commit survey answers")
}

pub(super) async fn results(
    pool: &AnyPool,
    campaign: &CampaignCode,
) -> Result<SurveyResults, StoreError> {
    let row = sqlx::query(
        "SELECT COUNT(DISTINCT response_id) AS responses FROM portal_survey_answers \
         WHERE campaign = $1",
    )
    .bind(campaign.as_str())
    .fetch_one(pool)
    .await
    .context("count survey responses")?;
    let responses = get_count(&row, "responses")?;
    let mut results = Vec::new();
    for question in questions(pool).await? {
        results.push(question_result(pool, campaign, question).await?);
    }
    Ok(SurveyResults {
        responses,
        questions: results,
    })
}

async fn question_result(
    pool: &AnyPool,
    campaign: &CampaignCode,
    question: SurveyQuestion,
) -> Result<QuestionResult, StoreError> {
    let row = sqlx::query(
        "SELECT CAST(COALESCE(SUM(CASE WHEN answer = 'ja' THEN 1 ELSE 0 END), 0) AS BIGINT) \
         AS yes, CAST(COALESCE(SUM(CASE WHEN answer = 'nej' THEN 1 ELSE 0 END), 0) AS BIGINT) \
         AS no, COUNT(*) AS answers FROM portal_survey_answers \
         WHERE campaign = $1 AND question_id = $2",
    )
    .bind(campaign.as_str())
    .bind(&question.id)
    .fetch_one(pool)
    .await
    .context("count survey answers")?;
    let (yes, no, answers) = (
        get_count(&row, "yes")?,
        get_count(&row, "no")?,
        get_count(&row, "answers")?,
    );
    let newest_texts = if question.text.kind == QuestionKind::Text {
        let rows = sqlx::query(
            "SELECT answer FROM portal_survey_answers WHERE campaign = $1 AND question_id = $2 \
             ORDER BY id DESC LIMIT $3",
        )
        .bind(campaign.as_str())
        .bind(&question.id)
        .bind(i64::try_from(SURVEY_TEXT_ANSWERS_SHOWN_MAX).unwrap_or(i64::MAX))
        .fetch_all(pool)
        .await
        .context("read survey texts")?;
        rows.iter()
            .map(|row| get_text(row, "answer").map(MaskedComment::from_stored))
            .collect::<Result<_, _>>()?
    } else {
        Vec::new()
    };
    let texts = if question.text.kind == QuestionKind::Text {
        answers
    } else {
        0
    };
    Ok(QuestionResult {
        question,
        yes,
        no,
        texts,
        newest_texts,
    })
}

pub(super) async fn response_counts(
    pool: &AnyPool,
) -> Result<Vec<(CampaignCode, u64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT campaign, COUNT(DISTINCT response_id) AS responses FROM portal_survey_answers \
         GROUP BY campaign ORDER BY campaign",
    )
    .fetch_all(pool)
    .await
    .context("count survey responses per campaign")?;
    rows.iter()
        .map(|row| {
            Ok((
                get_parsed(row, "campaign", CampaignCode::parse)?,
                get_count(row, "responses")?,
            ))
        })
        .collect()
}

fn check_question(question: &QuestionText) -> Result<(), StoreError> {
    check_text(&question.sv, SURVEY_QUESTION_CHARS_MAX, "survey question")?;
    check_text(&question.en, SURVEY_QUESTION_CHARS_MAX, "survey question")
}

fn question_from(row: &AnyRow) -> Result<SurveyQuestion, StoreError> {
    Ok(SurveyQuestion {
        id: get_text(row, "id")?,
        text: QuestionText {
            kind: get_parsed(row, "kind", |text| QuestionKind::parse(text).ok_or(()))?,
            sv: get_text(row, "text_sv")?,
            en: get_text(row, "text_en")?,
        },
        updated: (
            get_parsed(row, "updated_by", PersonalIdentityNumber::parse)?,
            get_time(row, "updated_at")?,
        ),
    })
}
