//! Operators, senders and intermediaries: the registry's directory of organisations.

use std::collections::BTreeSet;

use async_trait::async_trait;
use kuvert_core::id::OrganisationNumber;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};
use url::Url;

use super::{IntermediaryRecord, OperatorRecord, SenderRecord, ServiceDomain, SqlRegistryStore};
use crate::database::{begin_write, get_optional_parsed, get_parsed, get_text};
use crate::error::{SqlContext, StoreError};

/// The operator columns every query selects, aliased so joins can reuse the decoder.
pub(super) const OPERATOR_COLUMNS: &str = "o.organisation_number AS operator_id, \
     o.name AS operator_name, o.service_address, o.ui_address, o.domain";

/// The registry's directory of organisations: mailbox operators, senders (myndigheter) and
/// intermediaries (förmedlare). Part of [`RegistryStore`](super::RegistryStore).
#[async_trait]
pub trait DirectoryStore: Send + Sync {
    /// Adds a mailbox operator or replaces its name, addresses and domain.
    /// `Conflict` when another operator already uses the domain.
    async fn upsert_operator(&self, operator: &OperatorRecord) -> Result<(), StoreError>;
    /// One operator by organisation number.
    async fn operator(&self, id: &OrganisationNumber)
    -> Result<Option<OperatorRecord>, StoreError>;
    /// The operator whose internet domain is `domain` (the `ServiceSupplier` value of
    /// `changeServiceSupplier`, PROTOCOL.md §11.3).
    async fn operator_by_domain(
        &self,
        domain: &ServiceDomain,
    ) -> Result<Option<OperatorRecord>, StoreError>;
    /// All operators, by organisation number.
    async fn operators(&self) -> Result<Vec<OperatorRecord>, StoreError>;
    /// Adds a sender (myndighet) or renames it.
    async fn upsert_sender(&self, sender: &SenderRecord) -> Result<(), StoreError>;
    /// One sender by organisation number.
    async fn sender(&self, id: &OrganisationNumber) -> Result<Option<SenderRecord>, StoreError>;
    /// All senders, by organisation number.
    async fn senders(&self) -> Result<Vec<SenderRecord>, StoreError>;
    /// Adds an intermediary (förmedlare) or replaces its name and the senders it may deliver
    /// for. `NotFound { what: "sender" }` when one of them is not a registered sender.
    async fn upsert_intermediary(
        &self,
        intermediary: &IntermediaryRecord,
    ) -> Result<(), StoreError>;
    /// One intermediary with its senders.
    async fn intermediary(
        &self,
        id: &OrganisationNumber,
    ) -> Result<Option<IntermediaryRecord>, StoreError>;
    /// All intermediaries with their senders, by organisation number.
    async fn intermediaries(&self) -> Result<Vec<IntermediaryRecord>, StoreError>;
}

#[async_trait]
impl DirectoryStore for SqlRegistryStore {
    async fn operator(
        &self,
        id: &OrganisationNumber,
    ) -> Result<Option<OperatorRecord>, StoreError> {
        operator_where(&self.pool, "o.organisation_number", id.as_str()).await
    }

    async fn operator_by_domain(
        &self,
        domain: &ServiceDomain,
    ) -> Result<Option<OperatorRecord>, StoreError> {
        operator_where(&self.pool, "o.domain", domain.as_str()).await
    }

    async fn intermediary(
        &self,
        id: &OrganisationNumber,
    ) -> Result<Option<IntermediaryRecord>, StoreError> {
        Ok(read_intermediaries(&self.pool, Some(id))
            .await?
            .into_iter()
            .next())
    }

    async fn intermediaries(&self) -> Result<Vec<IntermediaryRecord>, StoreError> {
        read_intermediaries(&self.pool, None).await
    }

    async fn upsert_operator(&self, operator: &OperatorRecord) -> Result<(), StoreError> {
        let result = sqlx::query(
            "INSERT INTO operators (organisation_number, name, service_address, ui_address, \
             domain) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (organisation_number) DO UPDATE SET name = excluded.name, \
             service_address = excluded.service_address, ui_address = excluded.ui_address, \
             domain = excluded.domain",
        )
        .bind(operator.id.as_str())
        .bind(&operator.name)
        .bind(operator.service_address.as_str())
        .bind(operator.ui_address.as_ref().map(Url::as_str))
        .bind(operator.domain.as_str())
        .execute(&self.pool)
        .await;
        match result {
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                Err(StoreError::Conflict {
                    what: "operator domain",
                })
            }
            other => other.map(drop).context("store operator"),
        }
    }

    async fn operators(&self) -> Result<Vec<OperatorRecord>, StoreError> {
        let sql =
            format!("SELECT {OPERATOR_COLUMNS} FROM operators o ORDER BY o.organisation_number");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await
            .context("list operators")?;
        rows.iter().map(operator_from_row).collect()
    }

    async fn upsert_sender(&self, sender: &SenderRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO senders (organisation_number, name) VALUES ($1, $2) \
             ON CONFLICT (organisation_number) DO UPDATE SET name = excluded.name",
        )
        .bind(sender.id.as_str())
        .bind(&sender.name)
        .execute(&self.pool)
        .await
        .context("store sender")?;
        Ok(())
    }

    async fn sender(&self, id: &OrganisationNumber) -> Result<Option<SenderRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT organisation_number, name FROM senders WHERE organisation_number = $1",
        )
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await
        .context("read sender")?;
        row.as_ref().map(sender_from_row).transpose()
    }

    async fn senders(&self) -> Result<Vec<SenderRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT organisation_number, name FROM senders ORDER BY organisation_number",
        )
        .fetch_all(&self.pool)
        .await
        .context("list senders")?;
        rows.iter().map(sender_from_row).collect()
    }

    /// Replaces the intermediary and its sender list in one transaction.
    async fn upsert_intermediary(
        &self,
        intermediary: &IntermediaryRecord,
    ) -> Result<(), StoreError> {
        let mut transaction = begin_write(&self.pool, self.backend).await?;
        sqlx::query(
            "INSERT INTO intermediaries (organisation_number, name) VALUES ($1, $2) \
             ON CONFLICT (organisation_number) DO UPDATE SET name = excluded.name",
        )
        .bind(intermediary.id.as_str())
        .bind(&intermediary.name)
        .execute(&mut *transaction)
        .await
        .context("store intermediary")?;
        sqlx::query("DELETE FROM intermediary_senders WHERE intermediary = $1")
            .bind(intermediary.id.as_str())
            .execute(&mut *transaction)
            .await
            .context("clear intermediary senders")?;
        for sender in &intermediary.senders {
            let inserted = sqlx::query(
                "INSERT INTO intermediary_senders (intermediary, sender) \
                 SELECT $1, organisation_number FROM senders WHERE organisation_number = $2",
            )
            .bind(intermediary.id.as_str())
            .bind(sender.as_str())
            .execute(&mut *transaction)
            .await
            .context("store intermediary sender")?;
            if inserted.rows_affected() != 1 {
                return Err(StoreError::NotFound { what: "sender" });
            }
        }
        transaction.commit().await.context("commit intermediary")
    }
}

async fn operator_where(
    pool: &AnyPool,
    condition: &'static str,
    value: &str,
) -> Result<Option<OperatorRecord>, StoreError> {
    let sql = format!("SELECT {OPERATOR_COLUMNS} FROM operators o WHERE {condition} = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(value)
        .fetch_optional(pool)
        .await
        .context("read operator")?;
    row.as_ref().map(operator_from_row).transpose()
}

pub(super) fn operator_from_row(row: &AnyRow) -> Result<OperatorRecord, StoreError> {
    Ok(OperatorRecord {
        id: get_parsed(row, "operator_id", OrganisationNumber::parse)?,
        name: get_text(row, "operator_name")?,
        service_address: get_parsed(row, "service_address", Url::parse)?,
        ui_address: get_optional_parsed(row, "ui_address", Url::parse)?,
        domain: get_parsed(row, "domain", ServiceDomain::parse)?,
    })
}

fn sender_from_row(row: &AnyRow) -> Result<SenderRecord, StoreError> {
    Ok(SenderRecord {
        id: get_parsed(row, "organisation_number", OrganisationNumber::parse)?,
        name: get_text(row, "name")?,
    })
}

async fn read_intermediaries(
    pool: &AnyPool,
    id: Option<&OrganisationNumber>,
) -> Result<Vec<IntermediaryRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT i.organisation_number, i.name, s.sender FROM intermediaries i \
         LEFT JOIN intermediary_senders s ON s.intermediary = i.organisation_number \
         WHERE $1 IS NULL OR i.organisation_number = $1 \
         ORDER BY i.organisation_number, s.sender",
    )
    .bind(id.map(OrganisationNumber::as_str))
    .fetch_all(pool)
    .await
    .context("read intermediaries")?;
    let mut found: Vec<IntermediaryRecord> = Vec::new();
    for row in &rows {
        let id = get_parsed(row, "organisation_number", OrganisationNumber::parse)?;
        let sender = get_optional_parsed(row, "sender", OrganisationNumber::parse)?;
        let is_same = found.last().is_some_and(|last| last.id == id);
        if !is_same {
            let name: String = row.try_get("name").context("read intermediary name")?;
            found.push(IntermediaryRecord {
                id,
                name,
                senders: BTreeSet::new(),
            });
        }
        if let (Some(sender), Some(last)) = (sender, found.last_mut()) {
            last.senders.insert(sender);
        }
    }
    Ok(found)
}
