//! Profiles, reception rules, signature records and the batch lookups (`isReachable`,
//! `isRegistered`). Every change runs in one transaction with its signature record and its
//! daily counter (`counters`).

use std::collections::BTreeSet;

use async_trait::async_trait;
use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber, RecipientId};
use kuvert_core::limits::{REACHABILITY_IDS_PER_CALL_MAX, REGISTERED_IDS_PER_CALL_MAX};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe};

use super::batch;
use super::counters::{self, Change};
use super::directory::{OPERATOR_COLUMNS, operator_from_row};
use super::records::DbText;
use super::{
    NewProfile, OperatorRecord, ProfileKind, ProfileRecord, ProfileStatus, Reachability,
    ReachableProfile, ReceptionRules, Registration, RegistrationSource, SignatureId,
    SignatureRecord, SignedAction, SqlRegistryStore,
};
use crate::database::{
    get_optional_parsed, get_optional_time, get_parsed, get_text, get_time, to_millis,
};
use crate::error::{SqlContext, StoreError};

/// The profile columns every query selects.
pub(super) const PROFILE_COLUMNS: &str = "p.recipient, p.operator, p.kind, p.status, \
     p.registered_at, p.source_sender, p.source_campaign, p.reception_changed_at";

pub(super) async fn read_profile(
    connection: &mut AnyConnection,
    recipient: &RecipientId,
) -> Result<Option<ProfileRecord>, StoreError> {
    let sql = format!("SELECT {PROFILE_COLUMNS} FROM profiles p WHERE p.recipient = $1");
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(recipient.to_wire())
        .fetch_optional(connection)
        .await
        .context("read profile")?;
    row.as_ref().map(profile_from_row).transpose()
}

/// Profiles and their reception rules, each change together with its signature, and the
/// batch lookups `isReachable` and `isRegistered`. Part of [`RegistryStore`](super::RegistryStore).
#[async_trait]
pub trait ProfileStore: Send + Sync {
    /// The profile of `recipient`, if any.
    async fn profile(&self, recipient: &RecipientId) -> Result<Option<ProfileRecord>, StoreError>;
    /// Creates a profile (flow §11.1). `Conflict` when the recipient already has one (use
    /// `change_operator`), `NotFound { what: "operator" }` for an unknown operator.
    async fn register_profile(
        &self,
        profile: NewProfile,
        signature: SignatureRecord,
    ) -> Result<ProfileRecord, StoreError>;
    /// Moves a profile to another operator (flow §11.3). `NotFound` without a profile.
    async fn change_operator(
        &self,
        recipient: &RecipientId,
        operator: &OrganisationNumber,
        signature: SignatureRecord,
    ) -> Result<ProfileRecord, StoreError>;
    /// Removes a profile and its reception rules (flow §11.4); returns what was removed.
    async fn deregister_profile(
        &self,
        recipient: &RecipientId,
        signature: SignatureRecord,
    ) -> Result<ProfileRecord, StoreError>;
    /// Replaces the deselected senders of a profile (flow §11.5); the change time is the
    /// signature's time. `NotFound` without a profile.
    async fn store_reception_rules(
        &self,
        recipient: &RecipientId,
        deselected: &BTreeSet<OrganisationNumber>,
        signature: SignatureRecord,
    ) -> Result<ReceptionRules, StoreError>;
    /// The reception rules of a profile; `None` without a profile.
    async fn reception_rules(
        &self,
        recipient: &RecipientId,
    ) -> Result<Option<ReceptionRules>, StoreError>;
    /// Every signature recorded for `recipient`, oldest first (audit; kept after deregister).
    async fn signatures(&self, recipient: &RecipientId)
    -> Result<Vec<SignatureRecord>, StoreError>;
    /// `isReachable` (flow §11.7): for each id, in input order, its profile, operator and
    /// whether `sender` is deselected. One query; `TooMany` above
    /// `limits::REACHABILITY_IDS_PER_CALL_MAX` ids.
    async fn is_reachable(
        &self,
        sender: &OrganisationNumber,
        recipients: &[RecipientId],
    ) -> Result<Vec<Reachability>, StoreError>;
    /// `isRegistered`: for each id, in input order, its profile and operator. One query;
    /// `TooMany` above `limits::REGISTERED_IDS_PER_CALL_MAX` ids.
    async fn registrations(
        &self,
        recipients: &[RecipientId],
    ) -> Result<Vec<Registration>, StoreError>;
}

#[async_trait]
impl ProfileStore for SqlRegistryStore {
    async fn profile(&self, recipient: &RecipientId) -> Result<Option<ProfileRecord>, StoreError> {
        read_profile(&mut *self.connection().await?, recipient).await
    }

    async fn reception_rules(
        &self,
        recipient: &RecipientId,
    ) -> Result<Option<ReceptionRules>, StoreError> {
        read_reception_rules(&mut *self.connection().await?, recipient).await
    }

    async fn register_profile(
        &self,
        profile: NewProfile,
        signature: SignatureRecord,
    ) -> Result<ProfileRecord, StoreError> {
        let mut transaction = self.begin_signed(&profile.recipient, &signature).await?;
        require_operator(&mut transaction, &profile.operator).await?;
        let inserted = sqlx::query(
            "INSERT INTO profiles (recipient, operator, kind, status, registered_at, \
             source_sender, source_campaign, reception_changed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, NULL) ON CONFLICT (recipient) DO NOTHING",
        )
        .bind(profile.recipient.to_wire())
        .bind(profile.operator.as_str())
        .bind(ProfileKind::of(&profile.recipient).as_db())
        .bind(profile.status.as_db())
        .bind(to_millis(profile.registered_at))
        .bind(
            profile
                .source
                .as_ref()
                .map(|source| source.sender.as_str().to_owned()),
        )
        .bind(campaign_text(profile.source.as_ref()))
        .execute(&mut *transaction)
        .await
        .context("insert profile")?;
        if inserted.rows_affected() != 1 {
            return Err(StoreError::Conflict { what: "profile" });
        }
        insert_signature(&mut transaction, &signature).await?;
        let stored = profile_in(&mut transaction, &profile.recipient).await?;
        let at = stored.registered_at;
        counters::count(
            &mut transaction,
            &stored,
            &stored.operator,
            Change::Registered,
            at,
        )
        .await?;
        transaction
            .commit()
            .await
            .context("commit profile registration")?;
        Ok(stored)
    }

    async fn change_operator(
        &self,
        recipient: &RecipientId,
        operator: &OrganisationNumber,
        signature: SignatureRecord,
    ) -> Result<ProfileRecord, StoreError> {
        let mut transaction = self.begin_signed(recipient, &signature).await?;
        require_operator(&mut transaction, operator).await?;
        let before = profile_in(&mut transaction, recipient).await?;
        let updated = sqlx::query(
            "UPDATE profiles SET operator = $1, registered_at = $2 WHERE recipient = $3",
        )
        .bind(operator.as_str())
        .bind(to_millis(signature.signed_at))
        .bind(recipient.to_wire())
        .execute(&mut *transaction)
        .await
        .context("change profile operator")?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::NotFound { what: "profile" });
        }
        insert_signature(&mut transaction, &signature).await?;
        let stored = profile_in(&mut transaction, recipient).await?;
        let at = signature.signed_at;
        counters::count_move(&mut transaction, &before, &before.operator, operator, at).await?;
        transaction
            .commit()
            .await
            .context("commit operator change")?;
        Ok(stored)
    }

    async fn deregister_profile(
        &self,
        recipient: &RecipientId,
        signature: SignatureRecord,
    ) -> Result<ProfileRecord, StoreError> {
        let mut transaction = self.begin_signed(recipient, &signature).await?;
        let removed = profile_in(&mut transaction, recipient).await?;
        sqlx::query("DELETE FROM deselected_senders WHERE recipient = $1")
            .bind(recipient.to_wire())
            .execute(&mut *transaction)
            .await
            .context("delete reception rules")?;
        sqlx::query("DELETE FROM profiles WHERE recipient = $1")
            .bind(recipient.to_wire())
            .execute(&mut *transaction)
            .await
            .context("delete profile")?;
        insert_signature(&mut transaction, &signature).await?;
        let at = signature.signed_at;
        counters::count(
            &mut transaction,
            &removed,
            &removed.operator,
            Change::Deregistered,
            at,
        )
        .await?;
        transaction
            .commit()
            .await
            .context("commit deregistration")?;
        Ok(removed)
    }

    async fn store_reception_rules(
        &self,
        recipient: &RecipientId,
        deselected: &BTreeSet<OrganisationNumber>,
        signature: SignatureRecord,
    ) -> Result<ReceptionRules, StoreError> {
        let mut transaction = self.begin_signed(recipient, &signature).await?;
        let updated =
            sqlx::query("UPDATE profiles SET reception_changed_at = $1 WHERE recipient = $2")
                .bind(to_millis(signature.signed_at))
                .bind(recipient.to_wire())
                .execute(&mut *transaction)
                .await
                .context("stamp reception rules")?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::NotFound { what: "profile" });
        }
        sqlx::query("DELETE FROM deselected_senders WHERE recipient = $1")
            .bind(recipient.to_wire())
            .execute(&mut *transaction)
            .await
            .context("clear reception rules")?;
        for sender in deselected {
            sqlx::query("INSERT INTO deselected_senders (recipient, sender) VALUES ($1, $2)")
                .bind(recipient.to_wire())
                .bind(sender.as_str())
                .execute(&mut *transaction)
                .await
                .context("store deselected sender")?;
        }
        insert_signature(&mut transaction, &signature).await?;
        let rules = read_reception_rules(&mut transaction, recipient).await?;
        transaction
            .commit()
            .await
            .context("commit reception rules")?;
        rules.ok_or(StoreError::NotFound { what: "profile" })
    }

    async fn signatures(
        &self,
        recipient: &RecipientId,
    ) -> Result<Vec<SignatureRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, recipient, action, signatory, operator, agreement_text, signature_base64, \
             certificate, signed_at FROM signatures WHERE recipient = $1 ORDER BY signed_at, id",
        )
        .bind(recipient.to_wire())
        .fetch_all(&self.pool)
        .await
        .context("read signatures")?;
        rows.iter().map(signature_from_row).collect()
    }

    /// One statement for up to 1000 ids (see `batch`), answered in input order.
    async fn is_reachable(
        &self,
        sender: &OrganisationNumber,
        recipients: &[RecipientId],
    ) -> Result<Vec<Reachability>, StoreError> {
        let max = REACHABILITY_IDS_PER_CALL_MAX;
        let found = batch::lookup(&self.pool, self.backend, Some(sender), recipients, max).await?;
        Ok(recipients
            .iter()
            .map(|recipient| Reachability {
                recipient: recipient.clone(),
                profile: found
                    .get(&recipient.to_wire())
                    .map(|found| ReachableProfile {
                        profile: found.profile.clone(),
                        operator: found.operator.clone(),
                        is_sender_deselected: found.is_sender_deselected,
                        reception_changed_at: found.reception_changed_at,
                    }),
            })
            .collect())
    }

    async fn registrations(
        &self,
        recipients: &[RecipientId],
    ) -> Result<Vec<Registration>, StoreError> {
        let max = REGISTERED_IDS_PER_CALL_MAX;
        let found = batch::lookup(&self.pool, self.backend, None, recipients, max).await?;
        Ok(recipients
            .iter()
            .map(|recipient| Registration {
                recipient: recipient.clone(),
                profile: found
                    .get(&recipient.to_wire())
                    .map(|found| (found.profile.clone(), found.operator.clone())),
            })
            .collect())
    }
}

async fn read_reception_rules(
    connection: &mut AnyConnection,
    recipient: &RecipientId,
) -> Result<Option<ReceptionRules>, StoreError> {
    let Some(profile_row) =
        sqlx::query("SELECT reception_changed_at FROM profiles WHERE recipient = $1")
            .bind(recipient.to_wire())
            .fetch_optional(&mut *connection)
            .await
            .context("read reception rules time")?
    else {
        return Ok(None);
    };
    let rows = sqlx::query("SELECT sender FROM deselected_senders WHERE recipient = $1")
        .bind(recipient.to_wire())
        .fetch_all(&mut *connection)
        .await
        .context("read reception rules")?;
    let deselected = rows
        .iter()
        .map(|row| get_parsed(row, "sender", OrganisationNumber::parse))
        .collect::<Result<_, _>>()?;
    Ok(Some(ReceptionRules {
        deselected,
        last_change_at: get_optional_time(&profile_row, "reception_changed_at")?,
    }))
}

/// Records a signature inside the caller's transaction.
pub(super) async fn insert_signature(
    connection: &mut AnyConnection,
    signature: &SignatureRecord,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO signatures (id, recipient, action, signatory, operator, agreement_text, \
         signature_base64, certificate, signed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(signature.id.as_uuid().to_string())
    .bind(signature.recipient.to_wire())
    .bind(signature.action.as_db())
    .bind(signature.signatory.as_str())
    .bind(signature.operator.as_str())
    .bind(&signature.agreement_text)
    .bind(&signature.signature_base64)
    .bind(&signature.certificate)
    .bind(to_millis(signature.signed_at))
    .execute(&mut *connection)
    .await
    .context("store signature")?;
    super::signatures::claim_in(connection, signature).await
}

pub(super) fn signature_from_row(row: &AnyRow) -> Result<SignatureRecord, StoreError> {
    Ok(SignatureRecord {
        id: get_parsed(row, "id", |text| {
            uuid::Uuid::parse_str(text).map(SignatureId::from_uuid)
        })?,
        recipient: get_parsed(row, "recipient", RecipientId::parse)?,
        action: get_parsed(row, "action", |text| SignedAction::from_db(text).ok_or(()))?,
        signatory: get_parsed(row, "signatory", PersonalIdentityNumber::parse)?,
        operator: get_parsed(row, "operator", OrganisationNumber::parse)?,
        agreement_text: get_text(row, "agreement_text")?,
        signature_base64: get_text(row, "signature_base64")?,
        certificate: get_text(row, "certificate")?,
        signed_at: get_time(row, "signed_at")?,
    })
}

pub(super) fn profile_from_row(row: &AnyRow) -> Result<ProfileRecord, StoreError> {
    let recipient = get_parsed(row, "recipient", RecipientId::parse)?;
    let source_sender = get_optional_parsed(row, "source_sender", OrganisationNumber::parse)?;
    let campaign = get_optional_parsed(row, "source_campaign", CampaignCode::parse)?;
    Ok(ProfileRecord {
        kind: ProfileKind::of(&recipient),
        recipient,
        operator: get_parsed(row, "operator", OrganisationNumber::parse)?,
        status: get_parsed(row, "status", |text| ProfileStatus::from_db(text).ok_or(()))?,
        registered_at: get_time(row, "registered_at")?,
        source: source_sender.map(|sender| RegistrationSource { sender, campaign }),
    })
}

/// The profile that must exist inside a transaction.
pub(super) async fn profile_in(
    connection: &mut AnyConnection,
    recipient: &RecipientId,
) -> Result<ProfileRecord, StoreError> {
    read_profile(connection, recipient)
        .await?
        .ok_or(StoreError::NotFound { what: "profile" })
}

pub(super) async fn require_operator(
    connection: &mut AnyConnection,
    operator: &OrganisationNumber,
) -> Result<OperatorRecord, StoreError> {
    let sql =
        format!("SELECT {OPERATOR_COLUMNS} FROM operators o WHERE o.organisation_number = $1");
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(operator.as_str())
        .fetch_optional(connection)
        .await
        .context("read operator")?;
    match row {
        Some(row) => operator_from_row(&row),
        None => Err(StoreError::NotFound { what: "operator" }),
    }
}

pub(super) fn campaign_text(source: Option<&RegistrationSource>) -> Option<String> {
    source
        .and_then(|source| source.campaign.as_ref())
        .map(|campaign| campaign.as_str().to_owned())
}
