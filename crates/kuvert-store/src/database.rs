//! Connecting to SQLite or PostgreSQL through sqlx's `any` driver with explicit pool options,
//! the SQLite durability settings, and the one set of portable migrations.
//!
//! Column conventions (the stable DB schema, see `migrations/`): ids and identity numbers are
//! TEXT (identity numbers in their canonical form: personnummer 12 digits, organisationsnummer
//! 10 digits, recipients in the 12-character wire form); timestamps are BIGINT unix
//! milliseconds, UTC; flags are BIGINT 0/1 (BOOLEAN fails through `any` on SQLite); there is no
//! BLOB column (PostgreSQL has none): bytes live in the blob store.

use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};
use time::OffsetDateTime;

use crate::error::{CorruptColumn, SqlContext, StoreError};
use crate::pool::PoolSettings;

/// Which server sits behind the `any` pool; a few statements differ (transaction start).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

/// Opens a pool for `url` (`sqlite://…` or `postgres://…`, TLS as its `sslmode` and
/// `sslrootcert` say) with `pool`'s size and waits, and runs the migrations.
pub(crate) async fn open(url: &str, pool: PoolSettings) -> Result<(AnyPool, Backend), StoreError> {
    sqlx::any::install_default_drivers();
    let backend = match url.split_once(':').map(|(scheme, _)| scheme) {
        Some("sqlite") => Backend::Sqlite,
        Some("postgres" | "postgresql") => Backend::Postgres,
        _ => return Err(StoreError::internal("parse database url", UnsupportedUrl)),
    };
    let options: AnyConnectOptions = url.parse().context("parse database url")?;
    if backend == Backend::Sqlite {
        enable_wal(&options).await?;
    }
    let pool = AnyPoolOptions::new()
        .max_connections(pool.max_connections)
        .min_connections(0)
        .acquire_timeout(pool.acquire_timeout)
        .idle_timeout(pool.idle_timeout)
        .test_before_acquire(true)
        .after_connect(move |connection, _| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    connection.execute(SQLITE_PRAGMAS).await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .context("connect to database")?;
    sqlx::migrate!("./migrations")
        .run(&pool)
        .await
        .map_err(|error| StoreError::internal("run migrations", error))?;
    Ok((pool, backend))
}

/// The url names neither SQLite nor PostgreSQL.
#[derive(Debug, thiserror::Error)]
#[error("database url must start with sqlite: or postgres:")]
struct UnsupportedUrl;

/// Switches the file to write-ahead logging once, on a lone connection: changing the journal
/// mode needs an exclusive lock, which pooled connections opening together would fight over.
async fn enable_wal(options: &AnyConnectOptions) -> Result<(), StoreError> {
    use sqlx::{ConnectOptions, Connection};
    let mut connection = options.connect().await.context("open sqlite database")?;
    connection
        .execute(SQLITE_PRAGMAS)
        .await
        .context("set sqlite pragmas")?;
    connection
        .execute("PRAGMA journal_mode = WAL")
        .await
        .context("enable sqlite write-ahead log")?;
    connection
        .close()
        .await
        .context("close sqlite setup connection")
}

/// Per-connection SQLite settings: a busy timeout (10 s) instead of immediate `SQLITE_BUSY`,
/// `synchronous=FULL` so a commit is on disk before a receipt goes out, foreign keys
/// enforced, and reads through a memory map of the file (`mmap_size`, SQLite's default
/// ceiling of almost 2 GiB): each connection reads the operating system's cached pages in
/// place instead of copying every page with a `pread` call, which took a quarter of SQLite's
/// time in an `isReachable` call over millions of profiles (issue 14, measured with `perf`).
/// Writes still go through the write-ahead log. SQLite's caveat holds: an I/O error while
/// reading a mapped page stops the process (`SIGBUS`) instead of failing one statement.
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 10000; PRAGMA synchronous = FULL; \
     PRAGMA foreign_keys = ON; PRAGMA mmap_size = 2147418112;";

/// Starts a transaction that will write. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`), so a transaction that reads first cannot fail on upgrade with
/// `SQLITE_BUSY`; PostgreSQL's row locks need no such help.
pub(crate) async fn begin_write(
    pool: &AnyPool,
    backend: Backend,
) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
    match backend {
        Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await,
        Backend::Postgres => pool.begin().await,
    }
    .context("begin transaction")
}

/// The rows of `sql` with `params` bound in order as `$1`, `$2`, …: the shape of most reads,
/// which key on ids, identity numbers and days, all stored as TEXT. Runs on the pool or inside
/// a transaction alike.
pub(crate) async fn fetch_all_by<'e, E>(
    executor: E,
    sql: &'static str,
    params: &[&str],
    context: &'static str,
) -> Result<Vec<AnyRow>, StoreError>
where
    E: Executor<'e, Database = sqlx::Any>,
{
    text_query(sql, params)
        .fetch_all(executor)
        .await
        .context(context)
}

/// `sql` with every parameter bound as TEXT, in order (`$1`, `$2`, …), for the caller to run.
pub(crate) fn text_query<'q>(
    sql: &'static str,
    params: &[&'q str],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    params
        .iter()
        .fold(sqlx::query(sql), |query, param| query.bind(*param))
}

/// A timestamp as stored: unix milliseconds, UTC.
pub(crate) fn to_millis(at: OffsetDateTime) -> i64 {
    let millis = at.unix_timestamp_nanos() / 1_000_000;
    i64::try_from(millis).unwrap_or(i64::MAX)
}

/// `at` truncated to what the store keeps, so values handed back equal values read later.
pub(crate) fn truncate_to_millis(at: OffsetDateTime) -> OffsetDateTime {
    from_millis(to_millis(at)).unwrap_or(at)
}

/// A stored timestamp back as a time; `None` when out of range.
pub(crate) fn from_millis(millis: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000).ok()
}

/// Reads a timestamp column.
pub(crate) fn get_time(row: &AnyRow, column: &'static str) -> Result<OffsetDateTime, StoreError> {
    let millis: i64 = row.try_get(column).context("read timestamp column")?;
    from_millis(millis).ok_or_else(|| StoreError::internal("decode row", CorruptColumn { column }))
}

/// Reads a nullable timestamp column.
pub(crate) fn get_optional_time(
    row: &AnyRow,
    column: &'static str,
) -> Result<Option<OffsetDateTime>, StoreError> {
    let millis: Option<i64> = row.try_get(column).context("read timestamp column")?;
    millis
        .map(|millis| {
            from_millis(millis)
                .ok_or_else(|| StoreError::internal("decode row", CorruptColumn { column }))
        })
        .transpose()
}

/// Reads a text column and parses it into its typed value.
pub(crate) fn get_parsed<T, E>(
    row: &AnyRow,
    column: &'static str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, StoreError> {
    let text: String = row.try_get(column).context("read text column")?;
    parse(&text).map_err(|_| StoreError::internal("decode row", CorruptColumn { column }))
}

/// Reads a nullable text column and parses it into its typed value.
pub(crate) fn get_optional_parsed<T, E>(
    row: &AnyRow,
    column: &'static str,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<Option<T>, StoreError> {
    let text: Option<String> = row.try_get(column).context("read text column")?;
    text.map(|text| {
        parse(&text).map_err(|_| StoreError::internal("decode row", CorruptColumn { column }))
    })
    .transpose()
}

/// Reads a text column as is (free text such as names and subjects).
pub(crate) fn get_text(row: &AnyRow, column: &'static str) -> Result<String, StoreError> {
    row.try_get(column).context("read text column")
}

/// Reads a BIGINT 0/1 flag.
pub(crate) fn get_flag(row: &AnyRow, column: &'static str) -> Result<bool, StoreError> {
    let flag: i64 = row.try_get(column).context("read flag column")?;
    match flag {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(StoreError::internal("decode row", CorruptColumn { column })),
    }
}

/// A count or size column as `u64`.
pub(crate) fn get_count(row: &AnyRow, column: &'static str) -> Result<u64, StoreError> {
    let count: i64 = row.try_get(column).context("read count column")?;
    u64::try_from(count).map_err(|_| StoreError::internal("decode row", CorruptColumn { column }))
}

/// A flag as stored.
pub(crate) fn flag(value: bool) -> i64 {
    i64::from(value)
}

/// `$first, $first+1, …` for `count` parameters: an `IN (…)` list built from numbers only,
/// never from data, so the dynamic SQL stays injection-free.
pub(crate) fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|index| format!("${index}"))
        .collect::<Vec<_>>()
        .join(", ")
}
