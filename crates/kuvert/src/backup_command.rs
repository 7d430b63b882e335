//! `kuvert backup` and `kuvert restore`: a role's whole database, and an operator's letters,
//! in one zip archive, the stable format `kuvert-backup-1`:
//!
//! - `manifest.json`: `format` (`kuvert-backup-1`), `role`, `created_at` (RFC 3339),
//!   `migrations` (the applied versions), `tables` (each `name`, `columns` with `kind`
//!   `integer` or `text`, `file`, `rows`, `sha256` of the file) and `blobs` (`file`, `count`,
//!   `sha256`);
//! - `tables/<name>.jsonl`: one JSON array per row, cells `null`, a number or a string,
//!   ordered by every column;
//! - `blobs.jsonl`: one object per blob the rows name: `key`, `sha256`, `bytes`;
//! - `blobs/<key>`: the blob's bytes, as stored.
//!
//! The backup reads every table and blob reference in one read-only snapshot
//! (`kuvert_store::backup::Snapshot`) and reads each blob digest-checked, so a corrupt letter
//! fails the backup instead of being copied; the file is written beside the target and renamed
//! into place only when complete. A restore needs an empty database at the same migrations: it
//! checks the format, role, migrations and columns, writes each blob after checking its
//! SHA-256 (blobs first, as at intake), then inserts every row in one transaction, checking
//! each table file's digest and row count before it commits.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail, ensure};
use kuvert_core::limits::{
    BACKUP_LINE_BYTES_MAX, BACKUP_MANIFEST_BYTES_MAX, BLOB_BYTES_MAX, RESTORE_BATCH_ROWS_MAX,
};
use kuvert_store::Database;
use kuvert_store::backup::{BlobReference, TableSchema, Value};
use kuvert_store::blob::{BlobDigest, BlobKey, BlobStore};

use crate::config::{self, Role};

/// The archive format this build writes and reads.
pub const FORMAT: &str = "kuvert-backup-1";

/// Which role's data a backup holds.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum BackupRole {
    /// The registry's database.
    Registry,
    /// An operator's database and letters (its blob store).
    Operator,
    /// The portal's database.
    Portal,
}

/// `manifest.json`.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    format: String,
    role: BackupRole,
    created_at: String,
    migrations: Vec<i64>,
    tables: Vec<TableEntry>,
    blobs: BlobsEntry,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TableEntry {
    #[serde(flatten)]
    schema: TableSchema,
    file: String,
    rows: u64,
    sha256: String,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct BlobsEntry {
    file: String,
    count: u64,
    sha256: String,
}

/// One line of `blobs.jsonl`.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct BlobLine {
    key: String,
    sha256: String,
    bytes: u64,
}

/// What a backup or restore copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Rows per table, in the archive's order.
    pub rows: Vec<(String, u64)>,
    /// Blobs copied.
    pub blobs: u64,
}

/// A role's database and blob store, from its configuration file.
struct Storage {
    database: Database,
    blobs: Option<Arc<dyn BlobStore>>,
}

/// Writes the backup of `role` (configured by `config_file`) to `out`.
///
/// # Errors
/// The configuration, the database or blob store, a blob that fails its digest, or writing.
pub async fn backup(role: BackupRole, config_file: &Path, out: &Path) -> anyhow::Result<Summary> {
    let storage = open(role, config_file).await?;
    let temp = out.with_extension(format!("tmp-{}", uuid::Uuid::new_v4().simple()));
    let result = write_archive(role, &storage, &temp).await;
    storage.database.close().await;
    let summary = match result {
        Ok(summary) => summary,
        Err(error) => {
            let _ = std::fs::remove_file(&temp);
            return Err(error);
        }
    };
    std::fs::rename(&temp, out).with_context(|| format!("renaming to {}", out.display()))?;
    Ok(summary)
}

/// Fills the empty database (and blob store) of `role` from the archive `file`.
///
/// # Errors
/// The configuration, an archive that is not `kuvert-backup-1` for this role or fails a
/// digest or count, a database that is not empty or at other migrations, or storage.
pub async fn restore(role: BackupRole, config_file: &Path, file: &Path) -> anyhow::Result<Summary> {
    let archive = File::open(file).with_context(|| format!("opening {}", file.display()))?;
    let mut archive = zip::ZipArchive::new(archive).context("reading the archive as zip")?;
    let manifest = read_manifest(&mut archive)?;
    ensure!(
        manifest.role == role,
        "the archive holds the {:?} role, not {role:?}",
        manifest.role
    );
    let storage = open(role, config_file).await?;
    let result = restore_archive(&manifest, &mut archive, &storage).await;
    storage.database.close().await;
    result
}

async fn open(role: BackupRole, config_file: &Path) -> anyhow::Result<Storage> {
    let file = Some(config_file);
    let (url, pool, blobs) = match role {
        BackupRole::Registry => {
            let config: kuvert_registry::Config = config::load(Role::Registry, file)?;
            (config.database_url, config.database_pool, None)
        }
        BackupRole::Portal => {
            let config: kuvert_portal::Config = config::load(Role::Portal, file)?;
            (config.database_url, config.database_pool, None)
        }
        BackupRole::Operator => {
            let config: kuvert_operator::Config = config::load(Role::Operator, file)?;
            let blobs = kuvert_operator::blob_store(&config).await?;
            (config.database_url, config.database_pool, Some(blobs))
        }
    };
    let database = Database::connect_with(&url, pool.checked()?)
        .await
        .context("opening the database")?;
    Ok(Storage { database, blobs })
}

async fn write_archive(
    role: BackupRole,
    storage: &Storage,
    path: &Path,
) -> anyhow::Result<Summary> {
    let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut zip = zip::ZipWriter::new(file);
    let mut snapshot = storage.database.snapshot().await?;
    let schema = snapshot.schema().await?;
    let mut tables = Vec::with_capacity(schema.tables.len());
    for table in schema.tables {
        let file = format!("tables/{}.jsonl", table.name);
        zip.start_file(file.as_str(), entry_options())?;
        let mut hashed = HashingWriter::new(&mut zip);
        let rows = snapshot
            .rows(&table, |row| write_line(&mut hashed, &row))
            .await?;
        let sha256 = hashed.finish();
        tables.push(TableEntry {
            schema: table,
            file,
            rows,
            sha256,
        });
    }
    let mut references = Vec::new();
    snapshot
        .blob_references(|reference| {
            references.push(reference);
            Ok::<_, std::io::Error>(())
        })
        .await?;
    snapshot.finish().await?;
    let blobs = write_blobs(&mut zip, storage, &references).await?;
    let manifest = Manifest {
        format: FORMAT.to_owned(),
        role,
        created_at: time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)?,
        migrations: schema.migrations,
        tables,
        blobs,
    };
    zip.start_file("manifest.json", entry_options())?;
    serde_json::to_writer_pretty(&mut zip, &manifest)?;
    let file = zip.finish().context("finishing the archive")?;
    file.sync_all().context("flushing the archive")?;
    Ok(Summary {
        rows: manifest
            .tables
            .iter()
            .map(|t| (t.schema.name.clone(), t.rows))
            .collect(),
        blobs: manifest.blobs.count,
    })
}

/// Every referenced blob, digest-checked on read, and `blobs.jsonl` listing them.
async fn write_blobs(
    zip: &mut zip::ZipWriter<File>,
    storage: &Storage,
    references: &[BlobReference],
) -> anyhow::Result<BlobsEntry> {
    if !references.is_empty() && storage.blobs.is_none() {
        bail!(
            "rows name {} blobs, but this role has no blob store",
            references.len()
        );
    }
    let mut lines = Vec::with_capacity(references.len());
    if let Some(blobs) = &storage.blobs {
        for reference in references {
            let bytes = blobs.get(&reference.key, &reference.digest).await?;
            zip.start_file(format!("blobs/{}", reference.key), entry_options())?;
            zip.write_all(&bytes)?;
            lines.push(BlobLine {
                key: reference.key.as_str().to_owned(),
                sha256: reference.digest.to_hex(),
                bytes: bytes.len() as u64,
            });
        }
    }
    let file = "blobs.jsonl".to_owned();
    zip.start_file(file.as_str(), entry_options())?;
    let mut hashed = HashingWriter::new(zip);
    for line in &lines {
        write_line(&mut hashed, line)?;
    }
    Ok(BlobsEntry {
        file,
        count: lines.len() as u64,
        sha256: hashed.finish(),
    })
}

async fn restore_archive(
    manifest: &Manifest,
    archive: &mut zip::ZipArchive<File>,
    storage: &Storage,
) -> anyhow::Result<Summary> {
    let mut target = storage
        .database
        .restore_target()
        .await
        .map_err(|error| match error {
            kuvert_store::StoreError::Conflict { .. } => {
                anyhow::anyhow!("the database is not empty: restore only into a new database")
            }
            other => anyhow::Error::new(other).context("opening the database for the restore"),
        })?;
    let schema = target.schema().await?;
    ensure!(
        schema.migrations == manifest.migrations,
        "the archive was made at migrations {:?}, this database is at {:?}: restore with the \
         kuvert version that made it",
        manifest.migrations,
        schema.migrations
    );
    let archived: Vec<&TableSchema> = manifest.tables.iter().map(|t| &t.schema).collect();
    let here: Vec<&TableSchema> = schema.tables.iter().collect();
    ensure!(
        archived == here,
        "the archive's tables or columns differ from this database's"
    );
    let blobs = restore_blobs(&manifest.blobs, archive, storage).await?;
    let mut rows = Vec::with_capacity(manifest.tables.len());
    for table in &manifest.tables {
        let count = restore_table(table, archive, &mut target).await?;
        rows.push((table.schema.name.clone(), count));
    }
    target.commit().await?;
    Ok(Summary { rows, blobs })
}

/// Writes every listed blob, each checked against its SHA-256 before and after the write.
async fn restore_blobs(
    entry: &BlobsEntry,
    archive: &mut zip::ZipArchive<File>,
    storage: &Storage,
) -> anyhow::Result<u64> {
    let lines: Vec<BlobLine> = {
        let reader = archive
            .by_name(&entry.file)
            .context("the archive lacks blobs.jsonl")?;
        let mut hashed = HashingReader::new(reader);
        let lines = read_lines(&mut hashed)?;
        ensure!(
            hashed.finish() == entry.sha256,
            "blobs.jsonl does not match its digest"
        );
        lines
    };
    ensure!(
        lines.len() as u64 == entry.count,
        "blobs.jsonl lists another number of blobs"
    );
    if lines.is_empty() {
        return Ok(0);
    }
    let Some(blobs) = &storage.blobs else {
        bail!("the archive holds blobs, but this role has no blob store");
    };
    for line in &lines {
        let key = BlobKey::parse(&line.key).with_context(|| format!("blob key {:?}", line.key))?;
        let expected = BlobDigest::parse(&line.sha256)?;
        ensure!(
            line.bytes <= BLOB_BYTES_MAX,
            "blob {key} is larger than {BLOB_BYTES_MAX} bytes"
        );
        let mut bytes = Vec::new();
        archive
            .by_name(&format!("blobs/{key}"))
            .with_context(|| format!("the archive lacks blob {key}"))?
            .take(BLOB_BYTES_MAX + 1)
            .read_to_end(&mut bytes)?;
        ensure!(
            BlobDigest::of(&bytes) == expected,
            "blob {key} does not match its digest"
        );
        let written = blobs.put(&key, &bytes).await?;
        ensure!(
            written == expected,
            "blob {key} changed while it was written"
        );
    }
    Ok(lines.len() as u64)
}

/// Inserts one table's rows in batches; its file's digest and row count are checked before
/// the caller commits.
async fn restore_table(
    table: &TableEntry,
    archive: &mut zip::ZipArchive<File>,
    target: &mut kuvert_store::backup::RestoreTarget,
) -> anyhow::Result<u64> {
    let name = &table.schema.name;
    let reader = archive
        .by_name(&table.file)
        .with_context(|| format!("table file of {name}"))?;
    let mut reader = BufReader::new(HashingReader::new(reader));
    let mut batch = Vec::with_capacity(RESTORE_BATCH_ROWS_MAX);
    let mut count = 0_u64;
    while let Some(row) = next_line::<Vec<Value>>(&mut reader)? {
        batch.push(row);
        count += 1;
        if batch.len() == RESTORE_BATCH_ROWS_MAX {
            target
                .insert(&table.schema, &batch)
                .await
                .with_context(|| format!("table {name}"))?;
            batch.clear();
        }
    }
    target
        .insert(&table.schema, &batch)
        .await
        .with_context(|| format!("table {name}"))?;
    ensure!(
        count == table.rows,
        "table {name} holds {count} rows, the manifest says {}",
        table.rows
    );
    let digest = reader.into_inner().finish();
    ensure!(
        digest == table.sha256,
        "table {name} does not match its digest"
    );
    Ok(count)
}

fn read_manifest(archive: &mut zip::ZipArchive<File>) -> anyhow::Result<Manifest> {
    let entry = archive
        .by_name("manifest.json")
        .context("the archive lacks manifest.json")?;
    ensure!(
        entry.size() <= BACKUP_MANIFEST_BYTES_MAX,
        "manifest.json is too large"
    );
    let mut text = String::new();
    entry
        .take(BACKUP_MANIFEST_BYTES_MAX)
        .read_to_string(&mut text)?;
    let value: serde_json::Value = serde_json::from_str(&text).context("manifest.json")?;
    let format = value
        .get("format")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("");
    ensure!(
        format == FORMAT,
        "the archive's format is {format:?}, not {FORMAT:?}"
    );
    serde_json::from_value(value).context("manifest.json")
}

fn entry_options() -> zip::write::SimpleFileOptions {
    zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true)
}

fn write_line(out: &mut impl Write, value: &impl serde::Serialize) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

fn read_lines<T: serde::de::DeserializeOwned>(reader: impl Read) -> anyhow::Result<Vec<T>> {
    let mut reader = BufReader::new(reader);
    let mut lines = Vec::new();
    while let Some(line) = next_line(&mut reader)? {
        lines.push(line);
    }
    Ok(lines)
}

/// The next JSON line, bounded by [`BACKUP_LINE_BYTES_MAX`]; `None` at the end.
fn next_line<T: serde::de::DeserializeOwned>(
    reader: &mut impl BufRead,
) -> anyhow::Result<Option<T>> {
    let mut line = Vec::new();
    let limit = BACKUP_LINE_BYTES_MAX as u64 + 1;
    reader.take(limit).read_until(b'\n', &mut line)?;
    if line.is_empty() {
        return Ok(None);
    }
    ensure!(
        line.ends_with(b"\n"),
        "a line is longer than {BACKUP_LINE_BYTES_MAX} bytes or cut"
    );
    Ok(Some(
        serde_json::from_slice(&line).context("a line of the archive")?,
    ))
}

/// A writer that hashes what passes through it (SHA-256).
struct HashingWriter<W> {
    inner: W,
    digest: aws_lc_rs::digest::Context,
}

impl<W: Write> HashingWriter<W> {
    fn new(inner: W) -> Self {
        Self {
            inner,
            digest: aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256),
        }
    }

    fn finish(self) -> String {
        hex::encode(self.digest.finish().as_ref())
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(bytes)?;
        self.digest.update(&bytes[..written]);
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A reader that hashes what passes through it (SHA-256).
struct HashingReader<R> {
    inner: R,
    digest: aws_lc_rs::digest::Context,
}

impl<R: Read> HashingReader<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            digest: aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256),
        }
    }

    fn finish(self) -> String {
        hex::encode(self.digest.finish().as_ref())
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.digest.update(&buffer[..read]);
        Ok(read)
    }
}
