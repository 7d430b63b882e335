//! Unit tests for the registry's constrained strings.

use super::ServiceDomain;

#[track_caller]
fn check(domain: &str, is_valid: bool) {
    assert_eq!(
        ServiceDomain::parse(domain).is_ok(),
        is_valid,
        "domain {domain:?}"
    );
}

#[test]
fn service_domain_accepts_only_lowercase_internet_domains() {
    check("kivra.se", true);
    check("mail.example-operator.se", true);
    check("localhost", false);
    check("Kivra.se", false);
    check("-bad.se", false);
    check("bad-.se", false);
    check("a..se", false);
    check("https://kivra.se", false);
    check(&format!("{}.se", "a".repeat(64)), false);
}
