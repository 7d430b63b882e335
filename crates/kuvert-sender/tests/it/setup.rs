//! Building the toolkit from files: errors name the file, and `Debug` shows no key.

use kuvert_sender::{SendError, Toolkit};

use crate::support;

#[test]
fn build_names_a_missing_key_file() {
    let archive = tempfile::tempdir().unwrap();
    let mut config = support::config("https://127.0.0.1:1/ec/Recipient/v3", archive.path());
    config.senders[0].key_path = archive.path().join("saknas.key.pem");
    let error = Toolkit::build(&config).unwrap_err();
    assert!(
        matches!(error, SendError::ReadFile { ref path, .. } if path.ends_with("saknas.key.pem"))
    );
    assert!(error.to_string().contains("saknas.key.pem"));
}

#[test]
fn build_refuses_a_certificate_of_another_organisation() {
    let archive = tempfile::tempdir().unwrap();
    let mut config = support::config("https://127.0.0.1:1/ec/Recipient/v3", archive.path());
    let sender_dir = config.senders[0].certificate_path.clone();
    config.intermediary.certificate_path = sender_dir;
    let error = Toolkit::build(&config).unwrap_err();
    assert!(matches!(error, SendError::Credential { .. }), "{error}");
}

#[test]
fn build_refuses_a_plain_http_registry() {
    let archive = tempfile::tempdir().unwrap();
    let config = support::config("http://127.0.0.1:1/ec/Recipient/v3", archive.path());
    let error = Toolkit::build(&config).unwrap_err();
    assert!(
        matches!(
            error,
            SendError::Config {
                key: "registry_url",
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn debug_shows_no_key_material() {
    let archive = tempfile::tempdir().unwrap();
    let config = support::config("https://127.0.0.1:1/ec/Recipient/v3", archive.path());
    let toolkit = Toolkit::build(&config).unwrap();
    let text = format!("{toolkit:?} {config:?}");
    assert!(!text.contains("PRIVATE KEY"));
    assert!(text.contains(support::INTERMEDIARY));
}
