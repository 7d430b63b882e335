//! Loading order and error messages of [`super::load`].

use std::io::Write;

use super::{ConfigError, Role, load};

fn toml_file(text: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(text.as_bytes()).unwrap();
    file
}

#[test]
fn load_reads_registry_config_from_toml_with_defaults() {
    let file = toml_file("database_url = \"sqlite::memory:\"\neid_ca_path = \"/tmp/eid.pem\"\n");
    let config: kuvert_registry::Config = load(Role::Portal, Some(file.path())).unwrap();
    assert_eq!(config.database_url, "sqlite::memory:");
    assert_eq!(
        config.envelope_bytes_max,
        kuvert_core::limits::ENVELOPE_BYTES_DEFAULT_MAX
    );
}

#[test]
fn load_names_the_unknown_key() {
    let file = toml_file("database_url = \"x\"\neid_ca_path = \"y\"\ndatabse = 1\n");
    let error = load::<kuvert_registry::Config>(Role::Portal, Some(file.path())).unwrap_err();
    assert!(matches!(error, ConfigError::Invalid(_)));
    assert!(error.to_string().contains("databse"), "{error}");
}

#[test]
fn load_names_the_missing_key() {
    let file = toml_file("database_url = \"x\"\n");
    let error = load::<kuvert_registry::Config>(Role::Portal, Some(file.path())).unwrap_err();
    assert!(error.to_string().contains("eid_ca_path"), "{error}");
}

#[test]
fn load_refuses_a_missing_file() {
    let error = load::<kuvert_registry::Config>(Role::Portal, Some("/nonexistent/k.toml".as_ref()))
        .unwrap_err();
    assert!(matches!(error, ConfigError::Missing { .. }));
}
