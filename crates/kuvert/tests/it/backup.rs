//! `kuvert backup` and `kuvert restore` on an operator (issue 16): letters delivered through
//! the federation are backed up, the operator's database and letters are wiped, the archive
//! is restored, and every letter is there again — the same rows (a second backup has the same
//! counts and digests), the inbox's export verifies offline — and a second restore into the
//! now full database is refused.

use std::path::Path;
use std::process::{Command, Output};

use kuvert::seed;
use kuvert::testkit::{Federation, FederationOptions};
use kuvert_sender::Outcome;
use sqlx::{Connection, Executor};

use crate::verify::{export, stderr, verify};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restored_operator_holds_every_letter_and_its_export_verifies() {
    let mut federation = Federation::start(FederationOptions {
        local_letters: true,
        ..FederationOptions::default()
    })
    .await;
    let person = seed::person("tolvan").unwrap();
    let subjects = ["Beslut om bygglov", "Kallelse till möte", "Faktura"];
    for subject in subjects {
        let letter = federation.letter(&seed::SENDERS[0], person, subject, vec![]);
        let outcome = federation.send(&letter).await.unwrap();
        assert!(matches!(outcome, Outcome::Delivered { .. }), "{outcome:?}");
    }
    let operator_key = person.operator.unwrap();
    let config = federation
        .manifest()
        .operators
        .iter()
        .find(|operator| operator.organisation.key == operator_key)
        .unwrap()
        .config
        .clone();
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.zip");
    let backed_up = kuvert(
        &["backup", "--role", "operator", "--config"],
        &config,
        &first,
    );
    assert!(backed_up.status.success(), "{}", stderr(&backed_up));
    let out = String::from_utf8_lossy(&backed_up.stdout);
    assert!(out.contains("deliveries: 3"), "{out}");
    assert!(out.contains(" and 3 blobs "), "{out}");

    federation
        .restart_with(async |_| {
            wipe(&config).await;
            let restored = kuvert(
                &["restore", "--role", "operator", "--config"],
                &config,
                &first,
            );
            assert!(restored.status.success(), "{}", stderr(&restored));
        })
        .await;

    let second = dir.path().join("second.zip");
    let backed_up = kuvert(
        &["backup", "--role", "operator", "--config"],
        &config,
        &second,
    );
    assert!(backed_up.status.success(), "{}", stderr(&backed_up));
    // The restarted operator's notification worker takes up the queued notifications at once,
    // so that table keeps its rows but not its bytes; every other table is identical.
    let same = |archive: &Path| {
        tables_of(archive)
            .into_iter()
            .map(|(name, rows, sha256)| {
                let sha256 = if name == "notifications" {
                    String::new()
                } else {
                    sha256
                };
                (name, rows, sha256)
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        same(&first),
        same(&second),
        "the same rows after the restore"
    );

    let zip_path = dir.path().join("brev.zip");
    std::fs::write(&zip_path, export(&federation, person).await).unwrap();
    let checked = verify(&zip_path, Some(&federation.manifest().organisation_ca));
    let stdout = String::from_utf8_lossy(&checked.stdout);
    assert!(checked.status.success(), "{stdout}\n{}", stderr(&checked));
    assert!(
        stdout.contains("3 letters checked: 3 verified, 0 failed."),
        "{stdout}"
    );

    let again = kuvert(
        &["restore", "--role", "operator", "--config"],
        &config,
        &first,
    );
    assert!(!again.status.success());
    assert!(stderr(&again).contains("not empty"), "{}", stderr(&again));
}

/// Runs the built binary: `args`, the configuration file, then `--out FILE` for a backup or
/// the archive for a restore.
fn kuvert(args: &[&str], config: &Path, file: &Path) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kuvert"));
    command.args(args).arg(config);
    if args[0] == "backup" {
        command.arg("--out");
    }
    command.arg(file).output().unwrap()
}

/// Each table's name, row count and digest in an archive's manifest.
fn tables_of(archive: &Path) -> Vec<(String, u64, String)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(archive).unwrap()).unwrap();
    let manifest: serde_json::Value =
        serde_json::from_reader(zip.by_name("manifest.json").unwrap()).unwrap();
    assert_eq!(manifest["format"], "kuvert-backup-1");
    manifest["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|table| {
            (
                table["name"].as_str().unwrap().to_owned(),
                table["rows"].as_u64().unwrap(),
                table["sha256"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Deletes the operator's database (SQLite file, or PostgreSQL database made anew empty) and
/// its letter folder, as a lost disk would.
async fn wipe(config: &Path) {
    let text = std::fs::read_to_string(config).unwrap();
    let table: toml::Table = text.parse().unwrap();
    let url = table["database_url"].as_str().unwrap();
    std::fs::remove_dir_all(table["blob_dir"].as_str().unwrap()).unwrap();
    if let Some(rest) = url.strip_prefix("sqlite://") {
        let path = rest.split('?').next().unwrap();
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path}{suffix}"));
        }
        return;
    }
    let mut parsed = url::Url::parse(url).unwrap();
    let name = parsed.path().trim_start_matches('/').to_owned();
    parsed.set_path("postgres");
    let mut admin = sqlx::PgConnection::connect(parsed.as_str()).await.unwrap();
    for sql in [
        format!("DROP DATABASE {name} WITH (FORCE)"),
        kuvert_store::create_database_sql(&name).unwrap(),
    ] {
        admin.execute(sqlx::AssertSqlSafe(sql)).await.unwrap();
    }
}
