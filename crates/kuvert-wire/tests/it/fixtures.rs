//! Every SOAP response in the Sundsvall and OpenSundsvall fixtures (PROTOCOL.md §15.1, §15.6)
//! parses into typed values.
//!
//! Several of those mocks use identity numbers whose Luhn check digit is wrong
//! (`192301010170`, `190101010159`, `165591628136`, …). Kuvert rejects such ids at its edge,
//! so each test first asserts that rejection, with its path, and then swaps in a valid id to
//! check every other value.

use kuvert_core::id::RecipientId;
use kuvert_wire::envelope::{self, BodyElement};
use kuvert_wire::error::WireError;
use kuvert_wire::recipient::{IsReachableResponse, IsRegisteredResponse};
use kuvert_wire::service::DeliverSecureResponse;
use kuvert_wire::values::AccountType;

/// The two fixture trees, relative to the contracts' folder (`kuvert_testenv::mm_schemas`).
const S1: &str = "Sundsvallskommun-api-service-digital-mail-sender/src/";
const S6: &str = "OpenSundsvall-api-service-digital-mail-sender/src/";
const WIREMOCK: &str = "test/resources/wiremock/__files/";
const IT: &str = "integration-test/resources/DigitalMailIT/__files/";

/// The contracts' folder, which holds the fixtures.
struct Fixtures(std::path::PathBuf);

impl Fixtures {
    /// The folder, or `None` after saying why the test skips.
    fn find(purpose: &str) -> Option<Self> {
        kuvert_testenv::mm_schemas(purpose).map(Self)
    }

    fn read(&self, root: &str, path: &str) -> String {
        std::fs::read_to_string(self.0.join(root).join(path)).unwrap()
    }
}

/// Asserts `xml` is rejected for its bad-Luhn id `bad` at a path ending in `path_end`, and
/// returns the text with `bad` replaced by `good`.
#[track_caller]
fn swap_bad_id<T: BodyElement + std::fmt::Debug>(
    xml: &str,
    bad: &str,
    good: &str,
    path_end: &str,
) -> String {
    let document = envelope::parse(xml).unwrap();
    match T::from_envelope(&document) {
        Err(WireError::InvalidValue { path, reason }) => {
            assert!(path.ends_with(path_end), "{path}");
            assert!(reason.contains("check digit"), "{reason}");
        }
        other => panic!("expected the bad check digit of {bad} to be rejected, got {other:?}"),
    }
    xml.replace(bad, good)
}

fn parse<T: BodyElement>(xml: &str) -> T {
    T::from_envelope(&envelope::parse(xml).unwrap()).unwrap()
}

#[track_caller]
fn check_receipt(xml: &str, trans_id: &str, recipient: &str) {
    let response: DeliverSecureResponse = parse(xml);
    assert_eq!(response.receipt.trans_id.as_str(), trans_id);
    assert_eq!(
        response.receipt.recipient,
        RecipientId::parse(recipient).unwrap()
    );
    assert!(response.receipt.is_delivered);
}

#[test]
fn deliver_secure_fixtures_parse_into_receipts() {
    let Some(fixtures) = Fixtures::find("the Sundsvall deliverSecure receipts") else {
        return;
    };
    let uuid = "3832352f-fa74-4c17-ab6a-a6e3ab8324f3";
    let path = "Status[1]/RecipientId";
    for root in [S1, S6] {
        for (file, bad) in [
            ("deliverSecure-e-boks.xml", "192301010170"),
            ("deliverSecure-kivra.xml", "192301010168"),
        ] {
            let xml = fixtures.read(root, &format!("{WIREMOCK}{file}"));
            let fixed = swap_bad_id::<DeliverSecureResponse>(&xml, bad, "198101052382", path);
            check_receipt(&fixed, uuid, "198101052382");
        }
    }
    let person = fixtures.read(
        S1,
        &format!("{IT}test1_sendDigitalMailToPrivatePerson/response/deliverSecure.xml"),
    );
    let fixed = swap_bad_id::<DeliverSecureResponse>(&person, "190101010159", "198101052382", path);
    check_receipt(&fixed, uuid, "198101052382");
    let company = fixtures.read(
        S1,
        &format!("{IT}test3_sendDigitalMailToOrganization/response/deliverSecure.xml"),
    );
    let fixed =
        swap_bad_id::<DeliverSecureResponse>(&company, "165591628136", "162021004748", path);
    check_receipt(
        &fixed,
        "92e7cb34-ef96-4d6e-ad3c-99e8bcb33edd",
        "162021004748",
    );
    let open = fixtures.read(
        S6,
        &format!(
            "{IT}test1_successfulRequest_shouldReturnDistributionId/response/deliverSecure.xml"
        ),
    );
    let fixed = swap_bad_id::<DeliverSecureResponse>(&open, "190101010159", "198101052382", path);
    check_receipt(&fixed, uuid, "198101052382");
}

#[test]
fn three_recipient_is_reachable_fixture_parses_every_status() {
    let Some(fixtures) = Fixtures::find("the Sundsvall isReachable fixture") else {
        return;
    };
    let xml = fixtures.read(
        S1,
        &format!("{IT}test2_hasAvailableMailboxes/response/recipient.xml"),
    );
    let response: IsReachableResponse = parse(&xml);
    let [first, second, third] = response.statuses.as_slice() else {
        panic!("3 statuses")
    };
    assert_eq!(
        first.account.recipient,
        RecipientId::parse("200001102391").unwrap()
    );
    assert_eq!(first.account.account_type, AccountType::Secure);
    assert!(!first.account.is_pending);
    let operator = first.account.operator.as_ref().unwrap();
    assert_eq!(operator.id.to_wire(), "165568402266");
    assert_eq!(operator.name, "Kivra");
    assert_eq!(operator.service_address, "https://mm.kivra.com/service/v3");
    assert_eq!(
        operator.ui_address.as_deref(),
        Some("https://www.kivra.com")
    );
    let registered = first.account.last_registration.unwrap();
    assert_eq!(
        registered,
        time::macros::datetime!(2016-10-30 15:38:49.517 +01:00)
    );
    assert!(first.accepts_sender);
    assert_eq!(
        second.account.recipient,
        RecipientId::parse("201001212388").unwrap()
    );
    assert!(!second.accepts_sender);
    assert_eq!(third.account.account_type, AccountType::Not);
    assert!(third.account.operator.is_none());
    assert!(third.account.last_registration.is_none());
    assert!(!third.accepts_sender);
}

#[track_caller]
fn check_one_reachable(xml: &str, recipient: &str, service_address: &str) {
    let response: IsReachableResponse = parse(xml);
    let [status] = response.statuses.as_slice() else {
        panic!("one status")
    };
    assert_eq!(
        status.account.recipient,
        RecipientId::parse(recipient).unwrap()
    );
    assert_eq!(status.account.account_type, AccountType::Secure);
    let operator = status.account.operator.as_ref().unwrap();
    assert_eq!(operator.service_address, service_address);
    assert_eq!(operator.name, "Kivra");
    assert!(status.accepts_sender);
}

#[test]
fn single_recipient_is_reachable_fixtures_parse() {
    let Some(fixtures) = Fixtures::find("the Sundsvall isReachable fixtures") else {
        return;
    };
    let path = "AccountStatus/RecipientId";
    let cases = [
        (
            S1,
            format!("{IT}test1_sendDigitalMailToPrivatePerson/response/recipient.xml"),
            "190101010159",
            "198101052382",
            "{{request.baseUrl}}/deliversecure",
        ),
        (
            S1,
            format!("{IT}test3_sendDigitalMailToOrganization/response/recipient.xml"),
            "165591628136",
            "162021004748",
            "{{request.baseUrl}}/deliversecure",
        ),
        (
            S6,
            format!(
                "{IT}test1_successfulRequest_shouldReturnDistributionId/response/recipient.xml"
            ),
            "190101010159",
            "198101052382",
            "https://mm.kivra.com/service/v3",
        ),
        (
            S1,
            format!("{WIREMOCK}skatteverket-kivra-recipient.xml"),
            "192301010168",
            "198101052382",
            "http://localhost:9090/deliversecure",
        ),
        (
            S6,
            format!("{WIREMOCK}skatteverket-kivra-recipient.xml"),
            "192301010168",
            "198101052382",
            "http://localhost:8080/deliversecure",
        ),
    ];
    for (root, file, bad, good, address) in cases {
        let xml = fixtures.read(root, &file);
        let fixed = swap_bad_id::<IsReachableResponse>(&xml, bad, good, path);
        check_one_reachable(&fixed, good, address);
    }
}

#[test]
fn is_registered_fixture_parses_with_its_empty_internal_service_address() {
    let Some(fixtures) = Fixtures::find("the Sundsvall isRegistered fixture") else {
        return;
    };
    for root in [S1, S6] {
        let xml = fixtures.read(
            root,
            &format!("{WIREMOCK}skatteverket-faulty-recipient.xml"),
        );
        let fixed = swap_bad_id::<IsRegisteredResponse>(
            &xml,
            "192301010160",
            "198101052382",
            "return[1]/RecipientId",
        );
        let response: IsRegisteredResponse = parse(&fixed);
        let [status] = response.statuses.as_slice() else {
            panic!("one status")
        };
        assert_eq!(
            status.recipient,
            RecipientId::parse("198101052382").unwrap()
        );
        let operator = status.operator.as_ref().unwrap();
        assert_eq!(operator.name, "sandbox-mm.kivra.com");
        assert_eq!(
            operator.service_address,
            "https://sandbox-mm.kivra.com/service/v3"
        );
        assert_eq!(operator.ui_address, None);
        let registered = status.last_registration.unwrap();
        assert_eq!(
            registered,
            time::macros::datetime!(2021-12-16 14:37:35.708 +01:00)
        );
    }
}
