//! The SQL implementation of [`EditorialStore`]: a step's status change and its version are
//! written in one transaction, the status changed only when it is still the one the step
//! started from.

use async_trait::async_trait;
use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber};
use kuvert_core::limits::{
    EDITOR_COMMENT_CHARS_MAX, SUBMISSION_BODY_CHARS_MAX, SUBMISSION_TITLE_CHARS_MAX,
    SUBMISSION_VERSIONS_MAX, SUBMISSIONS_MAX,
};
use sqlx::AnyPool;
use sqlx::any::AnyRow;

use super::{
    EditorialStore, Kind, NewSubmission, NewVersion, Status, Step, Submission, Text, Version,
};
use crate::StoreError;
use crate::database::{
    Backend, get_count, get_optional_time, get_parsed, get_text, get_time, to_millis,
};
use crate::error::SqlContext;
use crate::portal::records::check_text;

/// The editorial tables in a SQLite or PostgreSQL database.
#[derive(Debug, Clone)]
pub(crate) struct SqlEditorialStore {
    pool: AnyPool,
}

impl SqlEditorialStore {
    pub(crate) fn new(pool: AnyPool, _backend: Backend) -> Self {
        Self { pool }
    }

    async fn versions(&self, id: &str) -> Result<Vec<Version>, StoreError> {
        let rows = sqlx::query(
            "SELECT version, step, title, body, comment, author, created_at \
             FROM portal_submission_versions WHERE submission_id = $1 ORDER BY version",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .context("read submission versions")?;
        rows.iter().map(version_from).collect()
    }

    async fn with_versions(&self, rows: &[AnyRow]) -> Result<Vec<Submission>, StoreError> {
        let mut submissions = Vec::with_capacity(rows.len());
        for row in rows {
            let mut submission = submission_from(row)?;
            submission.versions = self.versions(&submission.id).await?;
            submissions.push(submission);
        }
        Ok(submissions)
    }
}

fn check(text: &Text, comment: &str) -> Result<(), StoreError> {
    check_text(&text.title, SUBMISSION_TITLE_CHARS_MAX, "submission title")?;
    check_text(&text.body, SUBMISSION_BODY_CHARS_MAX, "submission text")?;
    if comment.chars().count() > EDITOR_COMMENT_CHARS_MAX {
        return Err(StoreError::OutOfBounds {
            what: "editor comment",
        });
    }
    Ok(())
}

fn version_from(row: &AnyRow) -> Result<Version, StoreError> {
    Ok(Version {
        number: get_count(row, "version")?,
        step: get_parsed(row, "step", |text| Step::parse(text).ok_or(()))?,
        text: Text {
            title: get_text(row, "title")?,
            body: get_text(row, "body")?,
        },
        comment: get_text(row, "comment")?,
        author: get_parsed(row, "author", PersonalIdentityNumber::parse)?,
        at: get_time(row, "created_at")?,
    })
}

fn submission_from(row: &AnyRow) -> Result<Submission, StoreError> {
    Ok(Submission {
        id: get_text(row, "id")?,
        kind: get_parsed(row, "kind", |text| Kind::parse(text).ok_or(()))?,
        sender: get_parsed(row, "sender", OrganisationNumber::parse)?,
        author: get_parsed(row, "author", PersonalIdentityNumber::parse)?,
        status: get_parsed(row, "status", |text| Status::parse(text).ok_or(()))?,
        created_at: get_time(row, "created_at")?,
        published_at: get_optional_time(row, "published_at")?,
        versions: Vec::new(),
    })
}

#[async_trait]
impl EditorialStore for SqlEditorialStore {
    async fn set_editor(
        &self,
        person: &PersonalIdentityNumber,
        is_editor: bool,
    ) -> Result<bool, StoreError> {
        let had = self.is_editor(person).await?;
        if is_editor && !had {
            sqlx::query("INSERT INTO portal_editors (person, granted_at) VALUES ($1, $2)")
                .bind(person.as_str())
                .bind(to_millis(time::OffsetDateTime::now_utc()))
                .execute(&self.pool)
                .await
                .context("grant editor")?;
        } else if !is_editor && had {
            sqlx::query("DELETE FROM portal_editors WHERE person = $1")
                .bind(person.as_str())
                .execute(&self.pool)
                .await
                .context("revoke editor")?;
        }
        Ok(had)
    }

    async fn is_editor(&self, person: &PersonalIdentityNumber) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT person FROM portal_editors WHERE person = $1")
            .bind(person.as_str())
            .fetch_optional(&self.pool)
            .await
            .context("read editor")?;
        Ok(row.is_some())
    }

    async fn editors(&self) -> Result<Vec<PersonalIdentityNumber>, StoreError> {
        let rows = sqlx::query("SELECT person FROM portal_editors ORDER BY person")
            .fetch_all(&self.pool)
            .await
            .context("read editors")?;
        rows.iter()
            .map(|row| get_parsed(row, "person", PersonalIdentityNumber::parse))
            .collect()
    }

    async fn submit(&self, submission: &NewSubmission) -> Result<Submission, StoreError> {
        check(&submission.text, "")?;
        let row = sqlx::query("SELECT COUNT(*) AS n FROM portal_submissions")
            .fetch_one(&self.pool)
            .await
            .context("count submissions")?;
        if get_count(&row, "n")? >= SUBMISSIONS_MAX as u64 {
            return Err(StoreError::OutOfBounds {
                what: "submissions",
            });
        }
        let id = uuid::Uuid::now_v7().to_string();
        let now = to_millis(time::OffsetDateTime::now_utc());
        let mut tx = self.pool.begin().await.context("begin submission")?;
        sqlx::query(
            "INSERT INTO portal_submissions (id, kind, sender, author, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(submission.kind.as_str())
        .bind(submission.sender.as_str())
        .bind(submission.author.as_str())
        .bind(Status::Submitted.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await
        .context("insert submission")?;
        insert_version(&mut tx, &id, 1, Step::Submitted, submission, now).await?;
        tx.commit().await.context("commit submission")?;
        self.submission(&id)
            .await?
            .ok_or(StoreError::NotFound { what: "submission" })
    }

    async fn add_version(&self, id: &str, version: &NewVersion) -> Result<Submission, StoreError> {
        check(&version.text, &version.comment)?;
        let current = self
            .submission(id)
            .await?
            .ok_or(StoreError::NotFound { what: "submission" })?;
        if current.versions.len() >= SUBMISSION_VERSIONS_MAX {
            return Err(StoreError::OutOfBounds {
                what: "submission versions",
            });
        }
        let next = version
            .step
            .next_status(current.status)
            .ok_or(StoreError::Conflict {
                what: "submission status",
            })?;
        let now = to_millis(time::OffsetDateTime::now_utc());
        let published_at = (next == Status::Published).then_some(now);
        let mut tx = self.pool.begin().await.context("begin submission step")?;
        let changed = sqlx::query(
            "UPDATE portal_submissions SET status = $1, published_at = $2 \
             WHERE id = $3 AND status = $4",
        )
        .bind(next.as_str())
        .bind(published_at)
        .bind(id)
        .bind(current.status.as_str())
        .execute(&mut *tx)
        .await
        .context("update submission status")?;
        if changed.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                what: "submission status",
            });
        }
        let number = current.versions.len() as u64 + 1;
        sqlx::query(
            "INSERT INTO portal_submission_versions (submission_id, version, title, body, step, \
             comment, author, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(i64::try_from(number).unwrap_or(i64::MAX))
        .bind(&version.text.title)
        .bind(&version.text.body)
        .bind(version.step.as_str())
        .bind(&version.comment)
        .bind(version.author.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await
        .context("insert submission version")?;
        tx.commit().await.context("commit submission step")?;
        self.submission(id)
            .await?
            .ok_or(StoreError::NotFound { what: "submission" })
    }

    async fn submission(&self, id: &str) -> Result<Option<Submission>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, kind, sender, author, status, created_at, published_at \
             FROM portal_submissions WHERE id = $1",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .context("read submission")?;
        Ok(self.with_versions(&rows).await?.into_iter().next())
    }

    async fn submissions(
        &self,
        senders: Option<&[OrganisationNumber]>,
    ) -> Result<Vec<Submission>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, kind, sender, author, status, created_at, published_at \
             FROM portal_submissions ORDER BY created_at DESC, id DESC",
        )
        .fetch_all(&self.pool)
        .await
        .context("read submissions")?;
        let mut wanted = Vec::with_capacity(rows.len());
        for row in rows {
            let sender = get_parsed(&row, "sender", OrganisationNumber::parse)?;
            if senders.is_none_or(|senders| senders.contains(&sender)) {
                wanted.push(row);
            }
        }
        self.with_versions(&wanted).await
    }

    async fn published(&self, kind: Kind, limit: usize) -> Result<Vec<Submission>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, kind, sender, author, status, created_at, published_at \
             FROM portal_submissions WHERE kind = $1 AND status = $2 \
             ORDER BY published_at DESC, id DESC LIMIT $3",
        )
        .bind(kind.as_str())
        .bind(Status::Published.as_str())
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await
        .context("read published submissions")?;
        self.with_versions(&rows).await
    }
}

async fn insert_version(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
    number: i64,
    step: Step,
    submission: &NewSubmission,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO portal_submission_versions (submission_id, version, title, body, step, \
         comment, author, created_at) VALUES ($1, $2, $3, $4, $5, '', $6, $7)",
    )
    .bind(id)
    .bind(number)
    .bind(&submission.text.title)
    .bind(&submission.text.body)
    .bind(step.as_str())
    .bind(submission.author.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await
    .context("insert submission version")?;
    Ok(())
}
