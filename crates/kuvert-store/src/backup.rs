//! Whole-database copies for `kuvert backup` and `kuvert restore`: a consistent read
//! [`Snapshot`] of every table and of the blobs the rows name, and a [`RestoreTarget`] that
//! fills an empty, migrated database in one transaction.
//!
//! The copy is logical and portable: every table of the stable schema holds only TEXT and
//! BIGINT columns (`migrations/`), so a row is a list of [`Value`]s, and a backup of SQLite
//! restores into PostgreSQL and back. Tables come from the database's own catalog and are
//! restored parents first (their foreign keys, [`Schema::tables`]), so a table a later
//! migration adds is copied without a change here. The archive around it (files, digests,
//! manifest) is the binary's (`kuvert::backup_command`).
//!
//! **Invariants:** a snapshot reads every table and blob reference inside one read-only
//! transaction (PostgreSQL `REPEATABLE READ`, SQLite a deferred read), so rows and references
//! agree; a restore commits nothing unless every row went in, and refuses a database that
//! already holds a row or was migrated to another set of migrations.

mod catalog;

use futures::TryStreamExt;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::Database;
use crate::blob::{BlobDigest, BlobKey};
use crate::database::{Backend, begin_write};
use crate::error::{SqlContext, StoreError};

/// What a database holds: its applied migrations and its tables, parents before children.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Schema {
    /// Versions of the applied migrations, ascending.
    pub migrations: Vec<i64>,
    /// Every table but sqlx's own, in an order that satisfies every foreign key.
    pub tables: Vec<TableSchema>,
}

/// One table: its name and columns in their declared order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TableSchema {
    /// The table's name (`[a-z0-9_]`).
    pub name: String,
    /// Its columns.
    pub columns: Vec<ColumnSchema>,
}

/// One column and its kind.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ColumnSchema {
    /// The column's name (`[a-z0-9_]`).
    pub name: String,
    /// Whether it holds integers or text.
    pub kind: ColumnKind,
}

/// The two column types of the stable schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    /// BIGINT.
    Integer,
    /// TEXT.
    Text,
}

/// One cell: JSON `null`, a number or a string in the archive.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// A BIGINT.
    Integer(i64),
    /// A TEXT.
    Text(String),
}

/// A blob a row names, with the digest the row recorded for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobReference {
    /// Where the blob is.
    pub key: BlobKey,
    /// What it must hash to.
    pub digest: BlobDigest,
}

/// A consistent read of the whole database (see the module's invariants).
pub struct Snapshot {
    transaction: sqlx::Transaction<'static, sqlx::Any>,
    backend: Backend,
}

/// An empty, migrated database being filled from a backup, in one transaction.
pub struct RestoreTarget {
    transaction: sqlx::Transaction<'static, sqlx::Any>,
    backend: Backend,
}

/// The tables whose rows name blobs: table, key column, digest column.
const BLOB_REFERENCES: &[(&str, &str, &str)] = &[("deliveries", "blob_key", "blob_digest")];

impl Database {
    /// Starts a consistent read of every table.
    ///
    /// # Errors
    /// `StoreError::Internal` when the transaction cannot start.
    pub async fn snapshot(&self) -> Result<Snapshot, StoreError> {
        let begin = match self.backend {
            Backend::Sqlite => self.pool.begin().await,
            Backend::Postgres => {
                let start = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
                self.pool.begin_with(start).await
            }
        };
        Ok(Snapshot {
            transaction: begin.context("begin backup snapshot")?,
            backend: self.backend,
        })
    }

    /// Starts filling this database from a backup; it must hold no row yet.
    ///
    /// # Errors
    /// `StoreError::Conflict { what: "database" }` when a table holds a row;
    /// `StoreError::Internal` on a database failure.
    pub async fn restore_target(&self) -> Result<RestoreTarget, StoreError> {
        let mut transaction = begin_write(&self.pool, self.backend).await?;
        let schema = catalog::schema(&mut transaction, self.backend).await?;
        for table in &schema.tables {
            let sql = format!("SELECT 1 FROM {} LIMIT 1", catalog::quoted(&table.name));
            let found = sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_optional(&mut *transaction)
                .await
                .context("check that the database is empty")?;
            if found.is_some() {
                return Err(StoreError::Conflict { what: "database" });
            }
        }
        Ok(RestoreTarget {
            transaction,
            backend: self.backend,
        })
    }
}

impl Snapshot {
    /// The database's migrations and tables.
    ///
    /// # Errors
    /// `StoreError::Internal` on a database failure or a column type outside the schema's two.
    pub async fn schema(&mut self) -> Result<Schema, StoreError> {
        catalog::schema(&mut self.transaction, self.backend).await
    }

    /// Hands every row of `table` to `sink`, ordered by its columns, and returns how many
    /// there were. Rows are streamed, never all held in memory.
    ///
    /// # Errors
    /// `StoreError::Internal` on a database failure, or `sink`'s error as its source.
    pub async fn rows<E>(
        &mut self,
        table: &TableSchema,
        mut sink: impl FnMut(Vec<Value>) -> Result<(), E>,
    ) -> Result<u64, StoreError>
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        // Ordered by every column, so the same rows always make the same file (a backup of a
        // restored database has the same digests as the original's).
        let order: Vec<String> = (1..=table.columns.len()).map(|n| n.to_string()).collect();
        let sql = format!(
            "SELECT {} FROM {} ORDER BY {}",
            catalog::column_list(table),
            catalog::quoted(&table.name),
            order.join(", ")
        );
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut *self.transaction);
        let mut count = 0_u64;
        while let Some(row) = rows.try_next().await.context("read backup rows")? {
            let values = read_values(&row, table)?;
            sink(values).map_err(|error| StoreError::internal("write backup row", error))?;
            count += 1;
        }
        Ok(count)
    }

    /// Hands every blob a row names to `sink`.
    ///
    /// # Errors
    /// `StoreError::Internal` on a database failure, a key or digest that does not parse, or
    /// `sink`'s error.
    pub async fn blob_references<E>(
        &mut self,
        mut sink: impl FnMut(BlobReference) -> Result<(), E>,
    ) -> Result<u64, StoreError>
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        let mut count = 0_u64;
        for (table, key_column, digest_column) in BLOB_REFERENCES {
            let sql = format!("SELECT {key_column}, {digest_column} FROM {table}");
            let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut *self.transaction);
            while let Some(row) = rows.try_next().await.context("read blob references")? {
                let key: String = row.try_get(0).context("read blob key")?;
                let digest: String = row.try_get(1).context("read blob digest")?;
                let reference = BlobReference {
                    key: BlobKey::parse(&key)
                        .map_err(|error| StoreError::internal("parse blob key", error))?,
                    digest: BlobDigest::parse(&digest)
                        .map_err(|error| StoreError::internal("parse blob digest", error))?,
                };
                sink(reference).map_err(|error| StoreError::internal("copy blob", error))?;
                count += 1;
            }
        }
        Ok(count)
    }

    /// Ends the read.
    ///
    /// # Errors
    /// `StoreError::Internal` when the transaction cannot end.
    pub async fn finish(self) -> Result<(), StoreError> {
        self.transaction
            .rollback()
            .await
            .context("end backup snapshot")
    }
}

impl RestoreTarget {
    /// The target's migrations and tables, to compare with the backup's.
    ///
    /// # Errors
    /// As [`Snapshot::schema`].
    pub async fn schema(&mut self) -> Result<Schema, StoreError> {
        catalog::schema(&mut self.transaction, self.backend).await
    }

    /// Inserts `rows` into `table`, each checked against the table's column kinds.
    ///
    /// # Errors
    /// `StoreError::OutOfBounds { what: "backup row" }` for a row of the wrong width or a
    /// value of the wrong kind; `StoreError::Internal` when the database refuses it.
    pub async fn insert(
        &mut self,
        table: &TableSchema,
        rows: &[Vec<Value>],
    ) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            catalog::quoted(&table.name),
            catalog::column_list(table),
            crate::database::placeholders(1, table.columns.len())
        );
        for row in rows {
            if row.len() != table.columns.len() {
                return Err(StoreError::OutOfBounds { what: "backup row" });
            }
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for (value, column) in row.iter().zip(&table.columns) {
                query = match (column.kind, value) {
                    (ColumnKind::Integer, Value::Integer(number)) => query.bind(Some(*number)),
                    (ColumnKind::Integer, Value::Null) => query.bind(None::<i64>),
                    (ColumnKind::Text, Value::Text(text)) => query.bind(Some(text.clone())),
                    (ColumnKind::Text, Value::Null) => query.bind(None::<String>),
                    _ => return Err(StoreError::OutOfBounds { what: "backup row" }),
                };
            }
            query
                .execute(&mut *self.transaction)
                .await
                .context("insert backup row")?;
        }
        Ok(())
    }

    /// Commits every inserted row at once.
    ///
    /// # Errors
    /// `StoreError::Internal` when the commit fails (a foreign key left unmet included).
    pub async fn commit(self) -> Result<(), StoreError> {
        self.transaction.commit().await.context("commit restore")
    }
}

/// A row's cells by the table's column kinds.
fn read_values(row: &AnyRow, table: &TableSchema) -> Result<Vec<Value>, StoreError> {
    table
        .columns
        .iter()
        .enumerate()
        .map(|(index, column)| match column.kind {
            ColumnKind::Integer => {
                let number: Option<i64> = row.try_get(index).context("read integer cell")?;
                Ok(number.map_or(Value::Null, Value::Integer))
            }
            ColumnKind::Text => {
                let text: Option<String> = row.try_get(index).context("read text cell")?;
                Ok(text.map_or(Value::Null, Value::Text))
            }
        })
        .collect()
}
