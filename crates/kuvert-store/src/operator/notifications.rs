//! Notification addresses and their confirmation codes; the outbox is in [`outbox`].
//!
//! An address is used for notifications only once its holder entered the code sent to it.
//! The code is kept only as a salted SHA-256 hash bound to the channel and address, stops
//! working after `CONFIRMATION_CODE_MINUTES_MAX` minutes or `CONFIRMATION_CODE_TRIES_MAX`
//! wrong entries, and at most `CONFIRMATION_CODES_PER_DAY_MAX` codes go to one channel of
//! one mailbox per day, so the operator cannot be used to flood someone's phone or inbox.

mod outbox;

use async_trait::async_trait;
use kuvert_core::id::RecipientId;
use kuvert_core::limits::{
    CONFIRMATION_CODE_MINUTES_MAX, CONFIRMATION_CODE_TRIES_MAX, CONFIRMATION_CODES_PER_DAY_MAX,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use time::{Duration, OffsetDateTime};

pub use outbox::OutboxStore;

use super::{
    ConfirmationCode, NotificationAddress, NotificationChannel, NotificationSetting, PendingCode,
    SqlOperatorStore,
};
use crate::database::{
    begin_write, get_count, get_flag, get_optional_time, get_parsed, get_time, to_millis,
};
use crate::error::{SqlContext, StoreError};

/// The window `CONFIRMATION_CODES_PER_DAY_MAX` counts codes in.
const CODE_WINDOW: Duration = Duration::days(1);

/// What became of a request to send a confirmation code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeIssue {
    /// The code's hash is stored; send the code to the address now.
    Issued(NotificationSetting),
    /// `CONFIRMATION_CODES_PER_DAY_MAX` codes went to this channel in the last day; nothing
    /// changed. A new code can be sent from `retry_after`.
    DailyLimitReached {
        /// When the day-long window ends.
        retry_after: OffsetDateTime,
    },
}

/// What entering a confirmation code did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeCheck {
    /// Right code: the address is confirmed and gets notifications from now on.
    Confirmed(NotificationSetting),
    /// Wrong code; `tries_left` more entries of this code are allowed (0: send a new one).
    Wrong {
        /// Entries left before the code stops working.
        tries_left: u32,
    },
    /// The code is older than `CONFIRMATION_CODE_MINUTES_MAX` minutes.
    Expired,
    /// `CONFIRMATION_CODE_TRIES_MAX` wrong entries were made before this one.
    TriesUsedUp,
    /// No address on the channel, or no code outstanding for it.
    NoCode,
}

impl CodeIssue {
    /// The stored setting, or the refusal as `Conflict { what: "confirmation codes sent
    /// today" }`: for callers that set an address in one step and have no page to explain a
    /// refusal on (the demo's seed, tests).
    ///
    /// # Errors
    /// `Conflict` when the day's codes are used up.
    pub fn into_issued(self) -> Result<NotificationSetting, StoreError> {
        match self {
            CodeIssue::Issued(setting) => Ok(setting),
            CodeIssue::DailyLimitReached { .. } => Err(StoreError::Conflict {
                what: "confirmation codes sent today",
            }),
        }
    }
}

impl CodeCheck {
    /// The confirmed setting, or the outcome as an error, for callers that confirm in one
    /// step like [`CodeIssue::into_issued`].
    ///
    /// # Errors
    /// `NotFound` without an address or code on the channel, `Conflict { what: "confirmation
    /// code" }` for a wrong, expired or used-up code.
    pub fn into_confirmed(self) -> Result<NotificationSetting, StoreError> {
        match self {
            CodeCheck::Confirmed(setting) => Ok(setting),
            CodeCheck::NoCode => Err(StoreError::NotFound {
                what: "notification address",
            }),
            CodeCheck::Wrong { .. } | CodeCheck::Expired | CodeCheck::TriesUsedUp => {
                Err(StoreError::Conflict {
                    what: "confirmation code",
                })
            }
        }
    }
}

const SETTING_COLUMNS: &str = "recipient, channel, address, is_confirmed, updated_at, \
     code_hash, code_salt, code_expires_at, code_wrong_tries, codes_sent, code_window_started_at";

/// The holder's notification addresses and their confirmation codes. Part of
/// [`OperatorStore`](super::OperatorStore).
#[async_trait]
pub trait AddressStore: Send + Sync {
    /// Removes the address on a channel; removing a missing one succeeds.
    async fn remove_notification_address(
        &self,
        recipient: &RecipientId,
        channel: NotificationChannel,
    ) -> Result<(), StoreError>;
    /// The holder's addresses, e-mail first.
    async fn notification_settings(
        &self,
        recipient: &RecipientId,
    ) -> Result<Vec<NotificationSetting>, StoreError>;
    /// Stores `address` on its channel with a new confirmation code's salted hash, valid for
    /// `limits::CONFIRMATION_CODE_MINUTES_MAX` minutes; the address is unconfirmed unless it is
    /// the confirmed one already (then this is a re-send). Refused as a value, changing
    /// nothing, once `limits::CONFIRMATION_CODES_PER_DAY_MAX` codes went to the channel within
    /// a day.
    async fn issue_confirmation_code(
        &self,
        recipient: &RecipientId,
        address: &NotificationAddress,
        code: &ConfirmationCode,
        now: OffsetDateTime,
    ) -> Result<CodeIssue, StoreError>;
    /// Checks an entered code: the right one confirms the address; a wrong one counts towards
    /// `limits::CONFIRMATION_CODE_TRIES_MAX`; an expired or used-up code never confirms.
    async fn check_confirmation_code(
        &self,
        recipient: &RecipientId,
        channel: NotificationChannel,
        code: &ConfirmationCode,
        now: OffsetDateTime,
    ) -> Result<CodeCheck, StoreError>;
}

#[async_trait]
impl AddressStore for SqlOperatorStore {
    async fn remove_notification_address(
        &self,
        recipient: &RecipientId,
        channel: NotificationChannel,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM notification_settings WHERE recipient = $1 AND channel = $2")
            .bind(recipient.to_wire())
            .bind(channel.as_db())
            .execute(&self.pool)
            .await
            .context("remove notification address")?;
        Ok(())
    }

    async fn notification_settings(
        &self,
        recipient: &RecipientId,
    ) -> Result<Vec<NotificationSetting>, StoreError> {
        let sql = format!(
            "SELECT {SETTING_COLUMNS} FROM notification_settings WHERE recipient = $1 \
             ORDER BY channel"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(recipient.to_wire())
            .fetch_all(&self.pool)
            .await
            .context("read notification settings")?;
        rows.iter()
            .map(|row| stored_from_row(row).map(|stored| stored.setting))
            .collect()
    }

    /// Stores `address` on its channel with a new code's hash, unless the day's codes are used up.
    /// The address stays confirmed only when it is the confirmed address already.
    async fn issue_confirmation_code(
        &self,
        recipient: &RecipientId,
        address: &NotificationAddress,
        code: &ConfirmationCode,
        now: OffsetDateTime,
    ) -> Result<CodeIssue, StoreError> {
        let channel = address.channel();
        let mut transaction = begin_write(&self.pool, self.backend).await?;
        let current = read_setting(&mut transaction, recipient, channel).await?;
        let (window_started, codes_sent) = match &current {
            Some(stored) if now - stored.window_started_at < CODE_WINDOW => {
                (stored.window_started_at, stored.codes_sent)
            }
            _ => (now, 0),
        };
        if codes_sent >= CONFIRMATION_CODES_PER_DAY_MAX {
            return Ok(CodeIssue::DailyLimitReached {
                retry_after: window_started + CODE_WINDOW,
            });
        }
        let keeps_confirmation = current.as_ref().is_some_and(|stored| {
            stored.setting.is_confirmed && stored.setting.address == *address
        });
        let salt = new_salt()?;
        sqlx::query(
            "INSERT INTO notification_settings (recipient, channel, address, confirmation_code, \
             is_confirmed, updated_at, code_hash, code_salt, code_expires_at, code_wrong_tries, \
             codes_sent, code_window_started_at) \
             VALUES ($1, $2, $3, '', $4, $5, $6, $7, $8, 0, $9, $10) \
             ON CONFLICT (recipient, channel) DO UPDATE SET address = excluded.address, \
             is_confirmed = excluded.is_confirmed, updated_at = excluded.updated_at, \
             code_hash = excluded.code_hash, code_salt = excluded.code_salt, \
             code_expires_at = excluded.code_expires_at, code_wrong_tries = 0, \
             codes_sent = excluded.codes_sent, \
             code_window_started_at = excluded.code_window_started_at",
        )
        .bind(recipient.to_wire())
        .bind(channel.as_db())
        .bind(address.as_str())
        .bind(i64::from(keeps_confirmation))
        .bind(to_millis(now))
        .bind(code_hash(&salt, address, code))
        .bind(salt)
        .bind(to_millis(
            now + Duration::minutes(CONFIRMATION_CODE_MINUTES_MAX),
        ))
        .bind(i64::from(codes_sent + 1))
        .bind(to_millis(window_started))
        .execute(&mut *transaction)
        .await
        .context("store notification address")?;
        let stored = read_setting(&mut transaction, recipient, channel)
            .await?
            .ok_or(StoreError::NotFound {
                what: "notification address",
            })?;
        transaction.commit().await.context("commit code")?;
        Ok(CodeIssue::Issued(stored.setting))
    }

    /// Checks an entered code: confirms on a match, counts a wrong try otherwise.
    async fn check_confirmation_code(
        &self,
        recipient: &RecipientId,
        channel: NotificationChannel,
        code: &ConfirmationCode,
        now: OffsetDateTime,
    ) -> Result<CodeCheck, StoreError> {
        let mut transaction = begin_write(&self.pool, self.backend).await?;
        let Some(stored) = read_setting(&mut transaction, recipient, channel).await? else {
            return Ok(CodeCheck::NoCode);
        };
        let (Some(hash), Some(salt), Some(pending)) = (
            &stored.code_hash,
            &stored.code_salt,
            stored.setting.pending_code,
        ) else {
            return Ok(CodeCheck::NoCode);
        };
        if pending.wrong_tries >= CONFIRMATION_CODE_TRIES_MAX {
            return Ok(CodeCheck::TriesUsedUp);
        }
        if now >= pending.expires_at {
            return Ok(CodeCheck::Expired);
        }
        let entered = code_hash(salt, &stored.setting.address, code);
        let is_match =
            aws_lc_rs::constant_time::verify_slices_are_equal(entered.as_bytes(), hash.as_bytes())
                .is_ok();
        let outcome = if is_match {
            sqlx::query(
                "UPDATE notification_settings SET is_confirmed = 1, updated_at = $1, \
                 code_hash = NULL, code_salt = NULL, code_expires_at = NULL, code_wrong_tries = 0 \
                 WHERE recipient = $2 AND channel = $3",
            )
            .bind(to_millis(now))
            .bind(recipient.to_wire())
            .bind(channel.as_db())
            .execute(&mut *transaction)
            .await
            .context("confirm notification address")?;
            let confirmed = read_setting(&mut transaction, recipient, channel).await?;
            let confirmed = confirmed.ok_or(StoreError::NotFound {
                what: "notification address",
            })?;
            CodeCheck::Confirmed(confirmed.setting)
        } else {
            let wrong_tries = pending.wrong_tries + 1;
            sqlx::query(
                "UPDATE notification_settings SET code_wrong_tries = $1 \
                 WHERE recipient = $2 AND channel = $3",
            )
            .bind(i64::from(wrong_tries))
            .bind(recipient.to_wire())
            .bind(channel.as_db())
            .execute(&mut *transaction)
            .await
            .context("count wrong confirmation code")?;
            CodeCheck::Wrong {
                tries_left: CONFIRMATION_CODE_TRIES_MAX.saturating_sub(wrong_tries),
            }
        };
        transaction.commit().await.context("commit code check")?;
        Ok(outcome)
    }
}

/// A settings row with what stays inside the store.
struct StoredSetting {
    setting: NotificationSetting,
    code_hash: Option<String>,
    code_salt: Option<String>,
    codes_sent: u32,
    window_started_at: OffsetDateTime,
}

async fn read_setting(
    connection: &mut AnyConnection,
    recipient: &RecipientId,
    channel: NotificationChannel,
) -> Result<Option<StoredSetting>, StoreError> {
    let sql = format!(
        "SELECT {SETTING_COLUMNS} FROM notification_settings WHERE recipient = $1 AND channel = $2"
    );
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(recipient.to_wire())
        .bind(channel.as_db())
        .fetch_optional(&mut *connection)
        .await
        .context("read notification address")?;
    row.as_ref().map(stored_from_row).transpose()
}

fn stored_from_row(row: &AnyRow) -> Result<StoredSetting, StoreError> {
    let context = "read notification address";
    let channel: String = row.try_get("channel").context(context)?;
    let code_hash: Option<String> = row.try_get("code_hash").context(context)?;
    let code_salt: Option<String> = row.try_get("code_salt").context(context)?;
    let count = |column| get_count(row, column).map(|n| u32::try_from(n).unwrap_or(u32::MAX));
    let codes_sent = count("codes_sent")?;
    let pending_code = match get_optional_time(row, "code_expires_at")? {
        Some(expires_at) if code_hash.is_some() => Some(PendingCode {
            expires_at,
            wrong_tries: count("code_wrong_tries")?,
            codes_sent,
        }),
        _ => None,
    };
    let setting = NotificationSetting {
        recipient: get_parsed(row, "recipient", RecipientId::parse)?,
        address: get_parsed(row, "address", |text| {
            NotificationAddress::from_db(&channel, text).ok_or(())
        })?,
        pending_code,
        is_confirmed: get_flag(row, "is_confirmed")?,
        updated_at: get_time(row, "updated_at")?,
    };
    Ok(StoredSetting {
        setting,
        code_hash,
        code_salt,
        codes_sent,
        window_started_at: get_time(row, "code_window_started_at")?,
    })
}

/// 16 random bytes as hex, so equal codes for equal addresses never hash alike.
fn new_salt() -> Result<String, StoreError> {
    let mut salt = [0_u8; 16];
    aws_lc_rs::rand::fill(&mut salt)
        .map_err(|_| StoreError::internal("make code salt", SaltUnavailable))?;
    Ok(hex::encode(salt))
}

/// The random source failed: no salt, so no code is stored.
#[derive(Debug, thiserror::Error)]
#[error("the system random source gave no bytes")]
struct SaltUnavailable;

/// Hex SHA-256 of salt, channel, address and code, each ended by a newline (none holds one).
fn code_hash(salt: &str, address: &NotificationAddress, code: &ConfirmationCode) -> String {
    let input = format!(
        "{salt}\n{}\n{}\n{}\n",
        address.channel().as_db(),
        address.as_str(),
        code.as_str()
    );
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, input.as_bytes());
    hex::encode(digest.as_ref())
}
