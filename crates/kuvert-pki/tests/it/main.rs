//! Integration tests of the test PKI: certificate profiles checked with x509-parser, CA
//! signatures checked with aws-lc-rs, and the round trip through files.
#![allow(clippy::unwrap_used)]

mod files;
mod profile;

use std::sync::OnceLock;

use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber};
use kuvert_pki::{OrganisationSpec, PersonSpec, PkiSpec, TestPki};

/// One PKI per test binary: RSA key generation is the slow part.
fn pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| TestPki::generate(&spec()).unwrap())
}

fn spec() -> PkiSpec {
    PkiSpec {
        organisations: vec![
            OrganisationSpec {
                key: "kommun-a".to_owned(),
                name: "Kommun A".to_owned(),
                number: OrganisationNumber::parse("2021004748").unwrap(),
                host_names: vec!["mm.kommun-a.example".to_owned()],
            },
            OrganisationSpec {
                key: "registry".to_owned(),
                name: "Kuvert Registry".to_owned(),
                number: OrganisationNumber::parse("202100-5448").unwrap(),
                host_names: vec![],
            },
        ],
        persons: vec![PersonSpec {
            key: "tolvan".to_owned(),
            given_name: "Tolvan".to_owned(),
            surname: "Tolvansson".to_owned(),
            number: PersonalIdentityNumber::parse("19121212-1212").unwrap(),
        }],
    }
}
