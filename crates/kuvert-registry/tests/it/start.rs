//! Start-up: configuration problems are named by their key.

use kuvert_registry::Config;
use kuvert_web::StartError;

fn key_of(error: StartError) -> &'static str {
    match error {
        StartError::Config { key, .. } => key,
        StartError::Database(error) => panic!("expected a configuration error, got {error}"),
    }
}

#[tokio::test]
async fn build_names_the_key_of_an_unusable_setting() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}?mode=rwc", dir.path().join("r.db").display());
    let missing = Config::new(database_url.clone(), dir.path().join("missing.pem"));
    assert_eq!(
        key_of(kuvert_registry::build(missing).await.unwrap_err()),
        "eid_ca_path"
    );

    let eid_ca_path = dir.path().join("eid-ca.pem");
    std::fs::write(&eid_ca_path, crate::harness::pki().eid_ca_pem()).unwrap();
    let mut too_big = Config::new(database_url.clone(), eid_ca_path.clone());
    too_big.envelope_bytes_max = 0;
    assert_eq!(
        key_of(kuvert_registry::build(too_big).await.unwrap_err()),
        "envelope_bytes_max"
    );

    let mut partial = Config::new(database_url, eid_ca_path);
    partial.tls_certificate_path = Some(dir.path().join("eid-ca.pem"));
    assert_eq!(
        key_of(kuvert_registry::build(partial).await.unwrap_err()),
        "tls_key_path"
    );
}
