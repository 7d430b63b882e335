//! `PlanStore`: the communicators' annual plans (issue 13 §4) — each sender's plan and the one
//! common plan, as activities (message, target group, channel, period) — and the editor's
//! review of every campaign: the activity it was created from and who marked its messages
//! and terms checked, when (migration 0011); every edit and deletion of an activity with who
//! made it, when, and the activity as it was (migration 0013).
//!
//! **Invariant:** a campaign is marked checked once; the first mark stands. An activity's
//! plan never changes.

use async_trait::async_trait;
use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber};
use kuvert_core::limits::{PLAN_ACTIVITIES_MAX, PLAN_FIELD_CHARS_MAX, PLAN_MESSAGE_CHARS_MAX};
use sqlx::AnyPool;
use sqlx::any::AnyRow;
use time::{Date, OffsetDateTime};

use super::records::check_text;
use crate::StoreError;
use crate::calendar::{day_text, get_day};
use crate::database::{
    Backend, begin_write, get_count, get_optional_parsed, get_optional_time, get_parsed, get_text,
    get_time, to_millis,
};
use crate::error::SqlContext;

/// The plans' storage. Held as `Arc<dyn PlanStore>` by `kuvert-portal`.
#[async_trait]
pub trait PlanStore: Send + Sync + std::fmt::Debug {
    /// Adds an activity to a plan (its year is the start's). `OutOfBounds` for a text beyond
    /// its limit, an end before the start, or more than `limits::PLAN_ACTIVITIES_MAX`.
    async fn add_activity(&self, activity: &NewActivity) -> Result<Activity, StoreError>;
    /// Every activity of `year` (all years when `None`): by year, common plan first, then by
    /// sender and start.
    async fn activities(&self, year: Option<i32>) -> Result<Vec<Activity>, StoreError>;
    /// One activity.
    async fn activity(&self, id: &str) -> Result<Option<Activity>, StoreError>;
    /// Changes an activity's texts and period (its plan stays; its year follows the start),
    /// keeping the activity as it was with who changed it and when. `NotFound` for an
    /// unknown id, `OutOfBounds` as when adding.
    async fn edit_activity(
        &self,
        id: &str,
        edit: &ActivityEdit,
        by: &PersonalIdentityNumber,
    ) -> Result<Activity, StoreError>;
    /// Deletes an activity, keeping it as it was with who deleted it and when; campaigns made
    /// from it keep their review, unlinked. Returns whether it existed.
    async fn delete_activity(
        &self,
        id: &str,
        by: &PersonalIdentityNumber,
    ) -> Result<bool, StoreError>;
    /// Every edit and deletion of an activity, oldest first.
    async fn activity_changes(&self, id: &str) -> Result<Vec<ActivityChange>, StoreError>;
    /// Records that the campaign was created from the activity. `NotFound` for an unknown
    /// campaign or activity.
    async fn link_campaign(&self, code: &CampaignCode, activity_id: &str)
    -> Result<(), StoreError>;
    /// Marks the campaign's messages and terms checked by `editor`; returns `false` when it
    /// was already (the first mark stands). `NotFound` for an unknown campaign.
    async fn mark_checked(
        &self,
        code: &CampaignCode,
        editor: &PersonalIdentityNumber,
    ) -> Result<bool, StoreError>;
    /// Every campaign's review that has anything to say, by code.
    async fn reviews(&self) -> Result<Vec<CampaignReview>, StoreError>;
}

/// Whose plan an activity is in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PlanOwner {
    /// The network's common plan, kept by the editor.
    Common,
    /// One sender's plan, kept by its communicators.
    Sender(OrganisationNumber),
}

impl PlanOwner {
    /// As stored: `""` for the common plan, else the organisation number.
    fn as_db(&self) -> &str {
        match self {
            Self::Common => "",
            Self::Sender(sender) => sender.as_str(),
        }
    }

    fn from_db(text: &str) -> Result<Self, ()> {
        if text.is_empty() {
            return Ok(Self::Common);
        }
        OrganisationNumber::parse(text)
            .map(Self::Sender)
            .map_err(drop)
    }
}

/// An activity to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewActivity {
    /// The plan.
    pub owner: PlanOwner,
    /// The message (at most `limits::PLAN_MESSAGE_CHARS_MAX` characters).
    pub message: String,
    /// The target group (at most `limits::PLAN_FIELD_CHARS_MAX`).
    pub target_group: String,
    /// The channel (at most `limits::PLAN_FIELD_CHARS_MAX`).
    pub channel: String,
    /// First day.
    pub starts_on: Date,
    /// Last day (not before the first).
    pub ends_on: Date,
    /// Who planned it.
    pub author: PersonalIdentityNumber,
}

/// A stored activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    /// Its id (a UUID).
    pub id: String,
    /// The plan's year (the start's).
    pub year: i32,
    /// What was planned.
    pub planned: NewActivity,
    /// When it was planned.
    pub created_at: OffsetDateTime,
}

/// An activity's new texts and period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityEdit {
    /// The message (at most `limits::PLAN_MESSAGE_CHARS_MAX` characters).
    pub message: String,
    /// The target group (at most `limits::PLAN_FIELD_CHARS_MAX`).
    pub target_group: String,
    /// The channel (at most `limits::PLAN_FIELD_CHARS_MAX`).
    pub channel: String,
    /// First day.
    pub starts_on: Date,
    /// Last day (not before the first).
    pub ends_on: Date,
}

/// What happened to an activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// Its texts or period were changed.
    Edited,
    /// It was deleted.
    Deleted,
}

impl ChangeKind {
    fn as_db(self) -> &'static str {
        match self {
            Self::Edited => "edited",
            Self::Deleted => "deleted",
        }
    }

    fn from_db(text: &str) -> Result<Self, ()> {
        match text {
            "edited" => Ok(Self::Edited),
            "deleted" => Ok(Self::Deleted),
            _ => Err(()),
        }
    }
}

/// One edit or deletion of an activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityChange {
    /// The activity.
    pub activity_id: String,
    /// Edited or deleted.
    pub kind: ChangeKind,
    /// Who changed it.
    pub by: PersonalIdentityNumber,
    /// When.
    pub at: OffsetDateTime,
    /// The activity as it was before.
    pub before: ActivityEdit,
}

/// The editor's review of one campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignReview {
    /// The campaign.
    pub code: CampaignCode,
    /// The activity it was created from, if any.
    pub activity_id: Option<String>,
    /// Who marked it checked and when, if anyone did.
    pub checked: Option<(PersonalIdentityNumber, OffsetDateTime)>,
}

impl NewActivity {
    fn check(&self) -> Result<(), StoreError> {
        self.fields().check()
    }

    /// Its texts and period.
    #[must_use]
    pub fn fields(&self) -> ActivityEdit {
        ActivityEdit {
            message: self.message.clone(),
            target_group: self.target_group.clone(),
            channel: self.channel.clone(),
            starts_on: self.starts_on,
            ends_on: self.ends_on,
        }
    }
}

impl ActivityEdit {
    fn check(&self) -> Result<(), StoreError> {
        check_text(&self.message, PLAN_MESSAGE_CHARS_MAX, "activity message")?;
        check_text(
            &self.target_group,
            PLAN_FIELD_CHARS_MAX,
            "activity target group",
        )?;
        check_text(&self.channel, PLAN_FIELD_CHARS_MAX, "activity channel")?;
        if self.ends_on < self.starts_on {
            return Err(StoreError::OutOfBounds {
                what: "activity period",
            });
        }
        Ok(())
    }
}

/// The plan tables in a SQLite or PostgreSQL database.
#[derive(Debug, Clone)]
pub(crate) struct SqlPlanStore {
    pool: AnyPool,
    backend: Backend,
}

impl SqlPlanStore {
    pub(crate) fn new(pool: AnyPool, backend: Backend) -> Self {
        Self { pool, backend }
    }
}

/// The activity columns in order, as a literal for `concat!` (static SQL only).
macro_rules! activity_columns {
    () => {
        "id, year, sender, message, target_group, channel, starts_on, ends_on, author, \
         created_at"
    };
}

fn activity_from(row: &AnyRow) -> Result<Activity, StoreError> {
    let year = get_count(row, "year")?;
    Ok(Activity {
        id: get_text(row, "id")?,
        year: i32::try_from(year).unwrap_or(i32::MAX),
        planned: NewActivity {
            owner: get_parsed(row, "sender", PlanOwner::from_db)?,
            message: get_text(row, "message")?,
            target_group: get_text(row, "target_group")?,
            channel: get_text(row, "channel")?,
            starts_on: get_day(row, "starts_on")?,
            ends_on: get_day(row, "ends_on")?,
            author: get_parsed(row, "author", PersonalIdentityNumber::parse)?,
        },
        created_at: get_time(row, "created_at")?,
    })
}

fn review_from(row: &AnyRow) -> Result<CampaignReview, StoreError> {
    let checked_by = get_optional_parsed(row, "checked_by", PersonalIdentityNumber::parse)?;
    let checked_at = get_optional_time(row, "checked_at")?;
    Ok(CampaignReview {
        code: get_parsed(row, "code", CampaignCode::parse)?,
        activity_id: get_optional_parsed(row, "activity_id", |text| Ok::<_, ()>(text.to_owned()))?,
        checked: checked_by.zip(checked_at),
    })
}

#[async_trait]
impl PlanStore for SqlPlanStore {
    async fn add_activity(&self, activity: &NewActivity) -> Result<Activity, StoreError> {
        activity.check()?;
        let mut transaction = begin_write(&self.pool, self.backend).await?;
        let row = sqlx::query("SELECT COUNT(*) AS activities FROM portal_plan_activities")
            .fetch_one(&mut *transaction)
            .await
            .context("count activities")?;
        let most = u64::try_from(PLAN_ACTIVITIES_MAX).unwrap_or(u64::MAX);
        if get_count(&row, "activities")? >= most {
            return Err(StoreError::OutOfBounds { what: "activities" });
        }
        let id = uuid::Uuid::now_v7().to_string();
        let now = crate::database::truncate_to_millis(OffsetDateTime::now_utc());
        sqlx::query(concat!(
            "INSERT INTO portal_plan_activities (",
            activity_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ))
        .bind(&id)
        .bind(i64::from(activity.starts_on.year()))
        .bind(activity.owner.as_db())
        .bind(&activity.message)
        .bind(&activity.target_group)
        .bind(&activity.channel)
        .bind(day_text(activity.starts_on))
        .bind(day_text(activity.ends_on))
        .bind(activity.author.as_str())
        .bind(to_millis(now))
        .execute(&mut *transaction)
        .await
        .context("insert activity")?;
        transaction.commit().await.context("commit activity")?;
        Ok(Activity {
            id,
            year: activity.starts_on.year(),
            planned: activity.clone(),
            created_at: now,
        })
    }

    async fn activities(&self, year: Option<i32>) -> Result<Vec<Activity>, StoreError> {
        // Every year is `year >= 0`: one statement for both.
        let (first, last) = year.map_or((0, i64::MAX), |year| (i64::from(year), i64::from(year)));
        let rows = sqlx::query(concat!(
            "SELECT ",
            activity_columns!(),
            " FROM portal_plan_activities WHERE year BETWEEN $1 AND $2 \
             ORDER BY year, sender, starts_on, id"
        ))
        .bind(first)
        .bind(last)
        .fetch_all(&self.pool)
        .await
        .context("read activities")?;
        rows.iter().map(activity_from).collect()
    }

    async fn activity(&self, id: &str) -> Result<Option<Activity>, StoreError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            activity_columns!(),
            " FROM portal_plan_activities WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .context("read activity")?;
        row.as_ref().map(activity_from).transpose()
    }

    async fn edit_activity(
        &self,
        id: &str,
        edit: &ActivityEdit,
        by: &PersonalIdentityNumber,
    ) -> Result<Activity, StoreError> {
        edit.check()?;
        let mut transaction = begin_write(&self.pool, self.backend).await?;
        let Some(before) = keep_change(&mut transaction, id, ChangeKind::Edited, by).await? else {
            return Err(StoreError::NotFound { what: "activity" });
        };
        sqlx::query(
            "UPDATE portal_plan_activities SET year = $1, message = $2, target_group = $3, \
             channel = $4, starts_on = $5, ends_on = $6 WHERE id = $7",
        )
        .bind(i64::from(edit.starts_on.year()))
        .bind(&edit.message)
        .bind(&edit.target_group)
        .bind(&edit.channel)
        .bind(day_text(edit.starts_on))
        .bind(day_text(edit.ends_on))
        .bind(id)
        .execute(&mut *transaction)
        .await
        .context("edit activity")?;
        transaction.commit().await.context("commit activity edit")?;
        let Activity {
            id,
            planned,
            created_at,
            ..
        } = before;
        Ok(Activity {
            id,
            year: edit.starts_on.year(),
            planned: NewActivity {
                owner: planned.owner,
                message: edit.message.clone(),
                target_group: edit.target_group.clone(),
                channel: edit.channel.clone(),
                starts_on: edit.starts_on,
                ends_on: edit.ends_on,
                author: planned.author,
            },
            created_at,
        })
    }

    async fn delete_activity(
        &self,
        id: &str,
        by: &PersonalIdentityNumber,
    ) -> Result<bool, StoreError> {
        let mut transaction = begin_write(&self.pool, self.backend).await?;
        if keep_change(&mut transaction, id, ChangeKind::Deleted, by)
            .await?
            .is_none()
        {
            return Ok(false);
        }
        sqlx::query("UPDATE portal_campaign_reviews SET activity_id = NULL WHERE activity_id = $1")
            .bind(id)
            .execute(&mut *transaction)
            .await
            .context("unlink deleted activity")?;
        sqlx::query("DELETE FROM portal_plan_activities WHERE id = $1")
            .bind(id)
            .execute(&mut *transaction)
            .await
            .context("delete activity")?;
        transaction
            .commit()
            .await
            .context("commit activity deletion")?;
        Ok(true)
    }

    async fn activity_changes(&self, id: &str) -> Result<Vec<ActivityChange>, StoreError> {
        let rows = sqlx::query(
            "SELECT activity_id, change_kind, changed_by, changed_at, message, target_group, \
             channel, starts_on, ends_on FROM portal_plan_activity_changes \
             WHERE activity_id = $1 ORDER BY changed_at, id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .context("read activity changes")?;
        rows.iter().map(change_from).collect()
    }

    async fn link_campaign(
        &self,
        code: &CampaignCode,
        activity_id: &str,
    ) -> Result<(), StoreError> {
        if self.activity(activity_id).await?.is_none() {
            return Err(StoreError::NotFound { what: "activity" });
        }
        let mut transaction = begin_write(&self.pool, self.backend).await?;
        ensure_review(&mut transaction, code).await?;
        sqlx::query("UPDATE portal_campaign_reviews SET activity_id = $1 WHERE code = $2")
            .bind(activity_id)
            .bind(code.as_str())
            .execute(&mut *transaction)
            .await
            .context("link campaign to activity")?;
        transaction.commit().await.context("commit campaign link")
    }

    async fn mark_checked(
        &self,
        code: &CampaignCode,
        editor: &PersonalIdentityNumber,
    ) -> Result<bool, StoreError> {
        let mut transaction = begin_write(&self.pool, self.backend).await?;
        ensure_review(&mut transaction, code).await?;
        let marked = sqlx::query(
            "UPDATE portal_campaign_reviews SET checked_by = $1, checked_at = $2 \
             WHERE code = $3 AND checked_by IS NULL",
        )
        .bind(editor.as_str())
        .bind(to_millis(OffsetDateTime::now_utc()))
        .bind(code.as_str())
        .execute(&mut *transaction)
        .await
        .context("mark campaign checked")?;
        transaction
            .commit()
            .await
            .context("commit campaign check")?;
        Ok(marked.rows_affected() == 1)
    }

    async fn reviews(&self) -> Result<Vec<CampaignReview>, StoreError> {
        let rows = sqlx::query(
            "SELECT code, activity_id, checked_by, checked_at FROM portal_campaign_reviews \
             ORDER BY code",
        )
        .fetch_all(&self.pool)
        .await
        .context("read campaign reviews")?;
        rows.iter().map(review_from).collect()
    }
}

/// The campaign's review row, made empty if it has none; `NotFound` for an unknown campaign.
async fn ensure_review(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    code: &CampaignCode,
) -> Result<(), StoreError> {
    let campaign = sqlx::query("SELECT code FROM portal_campaigns WHERE code = $1")
        .bind(code.as_str())
        .fetch_optional(&mut **transaction)
        .await
        .context("read campaign")?;
    if campaign.is_none() {
        return Err(StoreError::NotFound { what: "campaign" });
    }
    sqlx::query("INSERT INTO portal_campaign_reviews (code) VALUES ($1) ON CONFLICT DO NOTHING")
        .bind(code.as_str())
        .execute(&mut **transaction)
        .await
        .context("insert campaign review")?;
    Ok(())
}

/// Keeps the activity as it is now, as changed by `by`; `None` (nothing kept) when there is
/// no such activity.
async fn keep_change(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: &str,
    kind: ChangeKind,
    by: &PersonalIdentityNumber,
) -> Result<Option<Activity>, StoreError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        activity_columns!(),
        " FROM portal_plan_activities WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut **transaction)
    .await
    .context("read activity")?;
    let Some(activity) = row.as_ref().map(activity_from).transpose()? else {
        return Ok(None);
    };
    let before = &activity.planned;
    sqlx::query(
        "INSERT INTO portal_plan_activity_changes (id, activity_id, change_kind, changed_by, \
         changed_at, message, target_group, channel, starts_on, ends_on) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(id)
    .bind(kind.as_db())
    .bind(by.as_str())
    .bind(to_millis(OffsetDateTime::now_utc()))
    .bind(&before.message)
    .bind(&before.target_group)
    .bind(&before.channel)
    .bind(day_text(before.starts_on))
    .bind(day_text(before.ends_on))
    .execute(&mut **transaction)
    .await
    .context("keep activity change")?;
    Ok(Some(activity))
}

fn change_from(row: &AnyRow) -> Result<ActivityChange, StoreError> {
    Ok(ActivityChange {
        activity_id: get_text(row, "activity_id")?,
        kind: get_parsed(row, "change_kind", ChangeKind::from_db)?,
        by: get_parsed(row, "changed_by", PersonalIdentityNumber::parse)?,
        at: get_time(row, "changed_at")?,
        before: ActivityEdit {
            message: get_text(row, "message")?,
            target_group: get_text(row, "target_group")?,
            channel: get_text(row, "channel")?,
            starts_on: get_day(row, "starts_on")?,
            ends_on: get_day(row, "ends_on")?,
        },
    })
}
