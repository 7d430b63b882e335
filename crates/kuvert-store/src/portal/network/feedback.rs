//! Page feedback: one row per answer, day and page only, the comment already masked.

use kuvert_core::feedback::MaskedComment;
use kuvert_core::limits::{FEEDBACK_COMMENTS_SHOWN_MAX, PORTAL_PAGE_CHARS_MAX};
use sqlx::AnyPool;
use time::Date;

use super::{Feedback, FeedbackCount};
use crate::calendar::{check_range, day_text, get_day};
use crate::database::{flag, get_count, get_flag, get_text};
use crate::error::{SqlContext, StoreError};
use crate::portal::records::check_text;

pub(super) async fn record(pool: &AnyPool, feedback: &Feedback) -> Result<(), StoreError> {
    check_text(&feedback.page, PORTAL_PAGE_CHARS_MAX, "page")?;
    sqlx::query(
        "INSERT INTO portal_feedback (id, day, page, found, comment) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(day_text(feedback.day))
    .bind(&feedback.page)
    .bind(flag(feedback.found))
    .bind(feedback.comment.as_str())
    .execute(pool)
    .await
    .context("record feedback")?;
    Ok(())
}

pub(super) async fn counts(
    pool: &AnyPool,
    from: Date,
    to: Date,
) -> Result<Vec<FeedbackCount>, StoreError> {
    check_range(from, to)?;
    let rows = sqlx::query(
        "SELECT page, CAST(SUM(found) AS BIGINT) AS found, \
         CAST(SUM(1 - found) AS BIGINT) AS not_found FROM portal_feedback \
         WHERE day >= $1 AND day <= $2 GROUP BY page ORDER BY page",
    )
    .bind(day_text(from))
    .bind(day_text(to))
    .fetch_all(pool)
    .await
    .context("read feedback counts")?;
    rows.iter()
        .map(|row| {
            Ok(FeedbackCount {
                page: get_text(row, "page")?,
                found: get_count(row, "found")?,
                not_found: get_count(row, "not_found")?,
            })
        })
        .collect()
}

pub(super) async fn comments(
    pool: &AnyPool,
    from: Date,
    to: Date,
) -> Result<Vec<Feedback>, StoreError> {
    check_range(from, to)?;
    let rows = sqlx::query(
        "SELECT day, page, found, comment FROM portal_feedback \
         WHERE day >= $1 AND day <= $2 AND comment <> '' ORDER BY id DESC LIMIT $3",
    )
    .bind(day_text(from))
    .bind(day_text(to))
    .bind(i64::try_from(FEEDBACK_COMMENTS_SHOWN_MAX).unwrap_or(i64::MAX))
    .fetch_all(pool)
    .await
    .context("read feedback comments")?;
    rows.iter()
        .map(|row| {
            Ok(Feedback {
                day: get_day(row, "day")?,
                page: get_text(row, "page")?,
                found: get_flag(row, "found")?,
                comment: MaskedComment::from_stored(get_text(row, "comment")?),
            })
        })
        .collect()
}
