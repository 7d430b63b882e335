//! Unit tests: spec checks and the redacting `Debug` output.

use super::*;

fn organisation(key: &str) -> OrganisationSpec {
    OrganisationSpec {
        key: key.to_owned(),
        name: "Kommun A".to_owned(),
        number: OrganisationNumber::parse("2021004748").unwrap(),
        host_names: vec![],
    }
}

#[test]
fn generate_rejects_key_that_is_not_a_file_stem() {
    for key in ["", "../x", "Upper", "org-ca", "eid-ca", &"k".repeat(65)] {
        let spec = PkiSpec {
            organisations: vec![organisation(key)],
            persons: vec![],
        };
        let error = TestPki::generate(&spec).unwrap_err();
        assert!(
            matches!(error, PkiError::InvalidKey { .. }),
            "{key:?}: {error}"
        );
    }
}

#[test]
fn generate_rejects_duplicate_keys() {
    let spec = PkiSpec {
        organisations: vec![organisation("a"), organisation("a")],
        persons: vec![],
    };
    let error = TestPki::generate(&spec).unwrap_err();
    assert!(
        matches!(error, PkiError::DuplicateKey { ref key } if key == "a"),
        "{error}"
    );
}

#[test]
fn debug_output_never_contains_a_private_key() {
    let spec = PkiSpec {
        organisations: vec![organisation("kommun-a")],
        persons: vec![],
    };
    let pki = TestPki::generate(&spec).unwrap();
    let text = format!(
        "{pki:?} {:?} {:?}",
        pki.organisation("kommun-a"),
        pki.organisation_ca()
    );
    assert!(!text.contains("PRIVATE KEY"), "{text}");
    assert!(text.contains("kommun-a"), "{text}");
}
