//! The directory form: documented file names, private key modes, and loading back.

use std::fs;

use kuvert_pki::{PkiError, PkiSpec, TestPki};
use secrecy::ExposeSecret;

use crate::pki;

#[test]
fn write_to_creates_the_documented_files() {
    let dir = tempfile::tempdir().unwrap();
    pki().write_to(dir.path()).unwrap();
    let mut names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let expected = [
        "eid-ca.key.pem",
        "eid-ca.pem",
        "kommun-a.cert.pem",
        "kommun-a.key.pem",
        "org-ca.key.pem",
        "org-ca.pem",
        "registry.cert.pem",
        "registry.key.pem",
        "tolvan.cert.pem",
        "tolvan.key.pem",
    ];
    assert_eq!(names, expected);
    let key = fs::read_to_string(dir.path().join("kommun-a.key.pem")).unwrap();
    assert!(key.starts_with("-----BEGIN PRIVATE KEY-----"), "PKCS#8");
}

#[cfg(unix)]
#[test]
fn write_to_makes_key_files_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let key_path = dir.path().join("tolvan.key.pem");
    fs::write(&key_path, "old").unwrap();
    fs::set_permissions(&key_path, fs::Permissions::from_mode(0o644)).unwrap();
    pki().write_to(dir.path()).unwrap();
    for name in [
        "org-ca.key.pem",
        "eid-ca.key.pem",
        "kommun-a.key.pem",
        "tolvan.key.pem",
    ] {
        let mode = fs::metadata(dir.path().join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{name}");
    }
}

#[test]
fn load_reads_back_what_write_to_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let written = pki();
    written.write_to(dir.path()).unwrap();
    let loaded = TestPki::load(dir.path()).unwrap();
    assert_eq!(loaded.organisation_ca_pem(), written.organisation_ca_pem());
    assert_eq!(loaded.eid_ca_pem(), written.eid_ca_pem());
    let keys = |pki: &TestPki| {
        let organisations: Vec<String> = pki.organisations().map(|(k, _)| k.to_owned()).collect();
        let persons: Vec<String> = pki.persons().map(|(k, _)| k.to_owned()).collect();
        (organisations, persons)
    };
    assert_eq!(keys(&loaded), keys(written));
    let loaded_person = loaded.person("tolvan").unwrap();
    let written_person = written.person("tolvan").unwrap();
    assert_eq!(
        loaded_person.certificate_der(),
        written_person.certificate_der()
    );
    assert_eq!(
        loaded_person.key_pem().expose_secret(),
        written_person.key_pem().expose_secret()
    );
}

#[test]
fn load_rejects_a_key_that_belongs_to_another_certificate() {
    let dir = tempfile::tempdir().unwrap();
    pki().write_to(dir.path()).unwrap();
    fs::copy(
        dir.path().join("registry.key.pem"),
        dir.path().join("kommun-a.key.pem"),
    )
    .unwrap();
    let error = TestPki::load(dir.path()).unwrap_err();
    assert!(
        matches!(error, PkiError::InvalidFile { ref path, .. }
        if path.ends_with("kommun-a.key.pem")),
        "{error}"
    );
}

#[test]
fn load_rejects_a_certificate_from_a_foreign_ca() {
    let dir = tempfile::tempdir().unwrap();
    let foreign_spec = PkiSpec {
        organisations: vec![crate::spec().organisations[1].clone()],
        persons: vec![],
    };
    let foreign = TestPki::generate(&foreign_spec).unwrap();
    foreign.write_to(dir.path()).unwrap();
    for suffix in ["cert.pem", "key.pem"] {
        fs::rename(
            dir.path().join(format!("registry.{suffix}")),
            dir.path().join(format!("stray.{suffix}")),
        )
        .unwrap();
    }
    pki().write_to(dir.path()).unwrap();
    let error = TestPki::load(dir.path()).unwrap_err();
    assert!(
        matches!(error, PkiError::InvalidFile { ref path, .. }
        if path.ends_with("stray.cert.pem")),
        "{error}"
    );
}

#[test]
fn load_names_the_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let error = TestPki::load(dir.path()).unwrap_err();
    assert!(matches!(error, PkiError::Io { ref path, .. } if path.ends_with("org-ca.pem")));
}
