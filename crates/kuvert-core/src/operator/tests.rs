//! Unit tests of the operator's names: which texts are a service domain or a slug.

use super::{OperatorSlug, ServiceDomain};

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

#[test]
fn service_domain_deserialises_only_through_parse() {
    let domain: ServiceDomain = serde_json::from_str("\"kivra.se\"").unwrap();
    assert_eq!(domain.as_str(), "kivra.se");
    assert_eq!(serde_json::to_string(&domain).unwrap(), "\"kivra.se\"");
    assert!(serde_json::from_str::<ServiceDomain>("\"Kivra.se\"").is_err());
}

#[test]
fn operator_slug_accepts_only_short_lowercase_path_segments() {
    assert!(OperatorSlug::parse("kivra").is_ok());
    assert!(OperatorSlug::parse("min-myndighetspost2").is_ok());
    assert!(OperatorSlug::parse("").is_err());
    assert!(OperatorSlug::parse("Kivra").is_err());
    assert!(OperatorSlug::parse("a/b").is_err());
    assert!(OperatorSlug::parse(&"a".repeat(33)).is_err());
}
