//! Upkeep of the daily registration counters (`registry_daily` by source, and
//! `registry_daily_totals` without sources for the public dashboards), called inside the
//! transaction of each profile change so a counter never disagrees with the profiles: a
//! change that rolls back takes its count with it.
//!
//! Only active profiles are mailboxes: a pending company profile is counted when its
//! registration completes, not when it is opened or cancelled. Every count is filed under the
//! profile's own source (the deep link sender and campaign of its registration), so a
//! campaign's net mailboxes can be followed after people move or leave. The day is the
//! Swedish calendar day of the change's time ([`kuvert_core::calendar::stockholm_day`]).

use kuvert_core::calendar::stockholm_day;
use kuvert_core::id::OrganisationNumber;
use sqlx::AnyConnection;
use time::OffsetDateTime;

use super::records::DbText;
use super::{ProfileRecord, ProfileStatus};
use crate::calendar::{day_text, key_text};
use crate::error::{SqlContext, StoreError};

/// What happened to an active profile, i.e. which counter goes up by one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Change {
    Registered,
    Deregistered,
    MovedIn,
    MovedOut,
}

impl Change {
    /// The upserts adding one to this change's column, by source and in the totals; the
    /// column name comes from this match, never from data.
    fn upserts(self) -> [&'static str; 2] {
        match self {
            Self::Registered => [UPSERT_REGISTERED, TOTAL_REGISTERED],
            Self::Deregistered => [UPSERT_DEREGISTERED, TOTAL_DEREGISTERED],
            Self::MovedIn => [UPSERT_MOVED_IN, TOTAL_MOVED_IN],
            Self::MovedOut => [UPSERT_MOVED_OUT, TOTAL_MOVED_OUT],
        }
    }
}

macro_rules! upsert {
    ($column:literal) => {
        concat!(
            "INSERT INTO registry_daily (day, operator, kind, source_sender, source_campaign, ",
            $column,
            ") VALUES ($1, $2, $3, $4, $5, 1) ON CONFLICT (day, operator, kind, source_sender, \
             source_campaign) DO UPDATE SET ",
            $column,
            " = registry_daily.",
            $column,
            " + 1"
        )
    };
}

macro_rules! upsert_total {
    ($column:literal) => {
        concat!(
            "INSERT INTO registry_daily_totals (day, operator, kind, ",
            $column,
            ") VALUES ($1, $2, $3, 1) ON CONFLICT (day, operator, kind) DO UPDATE SET ",
            $column,
            " = registry_daily_totals.",
            $column,
            " + 1"
        )
    };
}

const UPSERT_REGISTERED: &str = upsert!("registered");
const UPSERT_DEREGISTERED: &str = upsert!("deregistered");
const UPSERT_MOVED_IN: &str = upsert!("moved_in");
const UPSERT_MOVED_OUT: &str = upsert!("moved_out");
const TOTAL_REGISTERED: &str = upsert_total!("registered");
const TOTAL_DEREGISTERED: &str = upsert_total!("deregistered");
const TOTAL_MOVED_IN: &str = upsert_total!("moved_in");
const TOTAL_MOVED_OUT: &str = upsert_total!("moved_out");

/// Counts `change` of `profile` at `operator` on the Swedish day of `at`, inside the caller's
/// transaction. A profile that is not active is no mailbox and counts nothing.
pub(super) async fn count(
    connection: &mut AnyConnection,
    profile: &ProfileRecord,
    operator: &OrganisationNumber,
    change: Change,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    if profile.status != ProfileStatus::Active {
        return Ok(());
    }
    let source = profile.source.as_ref();
    let [by_source, total] = change.upserts();
    let day = day_text(stockholm_day(at));
    sqlx::query(by_source)
        .bind(day.clone())
        .bind(operator.as_str())
        .bind(profile.kind.as_db())
        .bind(key_text(source.map(|source| source.sender.as_str())))
        .bind(key_text(
            source
                .and_then(|source| source.campaign.as_ref())
                .map(|campaign| campaign.as_str()),
        ))
        .execute(&mut *connection)
        .await
        .context("count profile change")?;
    sqlx::query(total)
        .bind(day)
        .bind(operator.as_str())
        .bind(profile.kind.as_db())
        .execute(connection)
        .await
        .context("count profile change in the totals")?;
    Ok(())
}

/// Counts a move of the active `profile` from `from` to `to` (nothing when they are the same).
pub(super) async fn count_move(
    connection: &mut AnyConnection,
    profile: &ProfileRecord,
    from: &OrganisationNumber,
    to: &OrganisationNumber,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    if from == to {
        return Ok(());
    }
    count(&mut *connection, profile, from, Change::MovedOut, at).await?;
    count(connection, profile, to, Change::MovedIn, at).await
}
