//! The database's own description of itself: applied migrations, tables, their columns and
//! foreign keys, read from SQLite's `sqlite_master`/`pragma_*` or PostgreSQL's
//! `information_schema`, and the parents-first order a restore inserts in.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::Row;

use super::{ColumnKind, ColumnSchema, Schema, TableSchema};
use crate::database::Backend;
use crate::error::{SqlContext, StoreError};

/// A catalog answer outside what the store writes (an odd name, a type, a cycle).
#[derive(Debug, thiserror::Error)]
#[error("database catalog: {0}")]
struct CatalogError(String);

/// Migrations and tables (parents first) of the database behind `connection`.
pub(super) async fn schema(
    connection: &mut sqlx::AnyConnection,
    backend: Backend,
) -> Result<Schema, StoreError> {
    let migrations: Vec<i64> = sqlx::query_scalar(
        "SELECT version FROM _sqlx_migrations WHERE success = TRUE ORDER BY version",
    )
    .fetch_all(&mut *connection)
    .await
    .context("read applied migrations")?;
    let names = table_names(connection, backend).await?;
    let mut tables = BTreeMap::new();
    for name in &names {
        let columns = columns(connection, backend, name).await?;
        tables.insert(
            name.clone(),
            TableSchema {
                name: name.clone(),
                columns,
            },
        );
    }
    let edges = foreign_keys(connection, backend).await?;
    let order = parents_first(&names, &edges)?;
    let tables = order
        .into_iter()
        .filter_map(|name| tables.remove(&name))
        .collect();
    Ok(Schema { migrations, tables })
}

/// `"name"`, for a name already checked to be `[a-z0-9_]`.
pub(super) fn quoted(name: &str) -> String {
    format!("\"{name}\"")
}

/// The table's columns, quoted and comma-separated, in their declared order.
pub(super) fn column_list(table: &TableSchema) -> String {
    table
        .columns
        .iter()
        .map(|column| quoted(&column.name))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn table_names(
    connection: &mut sqlx::AnyConnection,
    backend: Backend,
) -> Result<Vec<String>, StoreError> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name <> '_sqlx_migrations' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             AND table_name <> '_sqlx_migrations' ORDER BY table_name"
        }
    };
    let names: Vec<String> = sqlx::query_scalar(sql)
        .fetch_all(&mut *connection)
        .await
        .context("list tables")?;
    names.into_iter().map(checked_name).collect()
}

async fn columns(
    connection: &mut sqlx::AnyConnection,
    backend: Backend,
    table: &str,
) -> Result<Vec<ColumnSchema>, StoreError> {
    let sql = match backend {
        Backend::Sqlite => "SELECT name, type FROM pragma_table_info($1) ORDER BY cid",
        Backend::Postgres => {
            "SELECT column_name::text, data_type::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position"
        }
    };
    let rows = sqlx::query(sql)
        .bind(table.to_owned())
        .fetch_all(&mut *connection)
        .await
        .context("list columns")?;
    rows.iter()
        .map(|row| {
            let name: String = row.try_get(0).context("read column name")?;
            let kind: String = row.try_get(1).context("read column type")?;
            let kind = match kind.to_ascii_lowercase().as_str() {
                "bigint" => ColumnKind::Integer,
                "text" => ColumnKind::Text,
                other => {
                    let why = format!("column {table}.{name} has type {other}");
                    return Err(StoreError::internal("read columns", CatalogError(why)));
                }
            };
            Ok(ColumnSchema {
                name: checked_name(name)?,
                kind,
            })
        })
        .collect()
}

/// `(child, parent)` for every foreign key.
async fn foreign_keys(
    connection: &mut sqlx::AnyConnection,
    backend: Backend,
) -> Result<Vec<(String, String)>, StoreError> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT m.name, f.\"table\" FROM sqlite_master m, pragma_foreign_key_list(m.name) f \
             WHERE m.type = 'table'"
        }
        Backend::Postgres => {
            "SELECT DISTINCT c.table_name::text, u.table_name::text \
             FROM information_schema.table_constraints c \
             JOIN information_schema.constraint_column_usage u \
             ON c.constraint_name = u.constraint_name AND c.table_schema = u.table_schema \
             WHERE c.constraint_type = 'FOREIGN KEY' AND c.table_schema = current_schema()"
        }
    };
    let rows = sqlx::query(sql)
        .fetch_all(&mut *connection)
        .await
        .context("list foreign keys")?;
    rows.iter()
        .map(|row| {
            let child: String = row.try_get(0).context("read foreign key")?;
            let parent: String = row.try_get(1).context("read foreign key")?;
            Ok((child, parent))
        })
        .collect()
}

/// `names` ordered so that every parent comes before its children (Kahn's algorithm, ties in
/// name order so the order is stable).
fn parents_first(names: &[String], edges: &[(String, String)]) -> Result<Vec<String>, StoreError> {
    let mut parents: BTreeMap<&str, BTreeSet<&str>> = names
        .iter()
        .map(|name| (name.as_str(), BTreeSet::new()))
        .collect();
    for (child, parent) in edges {
        if child == parent {
            let why = format!("table {child} refers to itself");
            return Err(StoreError::internal("order tables", CatalogError(why)));
        }
        if let Some(set) = parents.get_mut(child.as_str()) {
            set.insert(parent.as_str());
        }
    }
    let mut order = Vec::with_capacity(names.len());
    while !parents.is_empty() {
        let ready: Vec<&str> = parents
            .iter()
            .filter(|(_, waiting)| waiting.is_empty())
            .map(|(name, _)| *name)
            .collect();
        if ready.is_empty() {
            let why = "the foreign keys form a cycle".to_owned();
            return Err(StoreError::internal("order tables", CatalogError(why)));
        }
        for name in ready {
            parents.remove(name);
            for waiting in parents.values_mut() {
                waiting.remove(name);
            }
            order.push(name.to_owned());
        }
    }
    Ok(order)
}

fn checked_name(name: String) -> Result<String, StoreError> {
    let is_plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if is_plain {
        Ok(name)
    } else {
        let why = format!("name {name:?} is not [a-z0-9_]");
        Err(StoreError::internal("read catalog", CatalogError(why)))
    }
}
