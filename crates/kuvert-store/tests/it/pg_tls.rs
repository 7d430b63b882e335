//! PostgreSQL over TLS (`KUVERT_TEST_PG_TLS_URL`: the CI server with `ssl=on`, a CA made at
//! its start): `sslmode=verify-full` with the configured root connects and runs the
//! migrations over TLS; a root that did not sign the server's certificate, or a host name the
//! certificate does not carry, is refused.

use kuvert_store::Database;
use kuvert_store::pool::PoolConfig;
use sqlx::{Connection, Executor, Row};

/// The TLS URL with `database` as its path and `changes` applied to host or query.
fn tls_url(base: &str, database: &str, root_cert: &str, host: &str) -> String {
    let mut url = url::Url::parse(base).unwrap();
    url.set_path(database);
    url.set_host(Some(host)).unwrap();
    url.query_pairs_mut()
        .clear()
        .append_pair("sslmode", "verify-full")
        .append_pair("sslrootcert", root_cert);
    url.to_string()
}

#[tokio::test]
async fn database_connects_over_tls_with_verify_full_and_the_configured_root() {
    let Some(base) = kuvert_testenv::external("PG_TLS_URL", "PostgreSQL over verified TLS") else {
        return;
    };
    let root = kuvert_testenv::external("PG_ROOT_CERT", "the PostgreSQL test CA").unwrap();
    let name = format!("kuvert_{}", uuid::Uuid::new_v4().simple());
    let admin_url = tls_url(&base, "postgres", &root, "127.0.0.1");
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    let create = kuvert_store::create_database_sql(&name).unwrap();
    admin.execute(sqlx::AssertSqlSafe(create)).await.unwrap();

    let url = tls_url(&base, &name, &root, "127.0.0.1");
    let pool = PoolConfig {
        max_connections: 2,
        ..PoolConfig::default()
    };
    let database = Database::connect_with(&url, pool.checked().unwrap())
        .await
        .unwrap();
    database.close().await;
    let mut connection = sqlx::PgConnection::connect(&url).await.unwrap();
    let row = connection
        .fetch_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .await
        .unwrap();
    assert!(row.get::<bool, _>(0), "the connection is encrypted");
    connection.close().await.unwrap();

    let drop = format!("DROP DATABASE {name} WITH (FORCE)");
    admin.execute(sqlx::AssertSqlSafe(drop)).await.unwrap();
}

#[tokio::test]
async fn database_refuses_a_server_not_signed_by_the_configured_root_or_of_another_name() {
    let Some(base) = kuvert_testenv::external("PG_TLS_URL", "PostgreSQL TLS refusals") else {
        return;
    };
    let root = kuvert_testenv::external("PG_ROOT_CERT", "the PostgreSQL test CA").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let other_root = dir.path().join("other-ca.pem");
    std::fs::write(&other_root, other_ca_pem()).unwrap();

    let wrong_root = tls_url(
        &base,
        "postgres",
        &other_root.display().to_string(),
        "127.0.0.1",
    );
    let refused = Database::connect(&wrong_root).await.unwrap_err();
    let why = chain(&refused);
    assert!(
        why.contains("UnknownIssuer"),
        "a server outside the root is refused: {why}"
    );

    // The server's certificate names 127.0.0.1 only.
    let wrong_name = tls_url(&base, "postgres", &root, "localhost");
    let refused = Database::connect(&wrong_name).await.unwrap_err();
    let why = chain(&refused);
    assert!(
        why.contains("not valid for name"),
        "verify-full checks the host name: {why}"
    );
}

/// An error and its sources, for the reason deep inside.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

/// A CA certificate that signed nothing the server holds.
fn other_ca_pem() -> String {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Not the PostgreSQL CA");
    params.self_signed(&key).unwrap().pem()
}
