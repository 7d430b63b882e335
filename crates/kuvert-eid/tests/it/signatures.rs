//! e-ID signatures: made by `sign_text` or the test signing service, checked by
//! `verify_signature_data` against the e-ID CA.

use axum::http::StatusCode;
use kuvert_eid::provider::PersonCredential;
use kuvert_eid::signature::{
    EidSignatureError, SignatureData, SignatureDataFields, new_nonce, sign_text,
    verify_signature_data,
};
use kuvert_xmldsig::trust::TrustAnchors;
use time::{Duration, OffsetDateTime};

use crate::harness::{self, BRITTA, CLIENT_ID, TOLVAN, form_action, form_pairs, hidden_fields};
use crate::pki::TestCa;

const AGREEMENT: &str = "Jag godkänner användarvillkoren för Mina meddelanden.\r\n\
    Brev från avsändare kommer till min digitala brevlåda.";

fn sign(credential: &PersonCredential, text: &str) -> SignatureData {
    sign_text(
        &credential.key,
        &credential.certificate_der,
        text,
        &new_nonce(),
    )
    .unwrap()
}

fn anchors(ca: &TestCa) -> TrustAnchors {
    TrustAnchors::from_pem(&ca.pem).unwrap()
}

#[test]
fn valid_signature_verifies_to_the_person_in_the_certificate() {
    let ca = TestCa::new("Kuvert test e-ID CA");
    let tolvan = ca.valid_person(TOLVAN.0, TOLVAN.1, TOLVAN.2);
    let data = sign(&tolvan, AGREEMENT);
    let signer =
        verify_signature_data(&data, AGREEMENT, &anchors(&ca), OffsetDateTime::now_utc()).unwrap();
    assert_eq!(signer.personal_identity_number.as_str(), TOLVAN.0);
    assert_eq!(signer.name, "Tolvan Tolvansson");
}

#[test]
fn verify_rejects_a_changed_text() {
    let ca = TestCa::new("Kuvert test e-ID CA");
    let tolvan = ca.valid_person(TOLVAN.0, TOLVAN.1, TOLVAN.2);
    let data = sign(&tolvan, AGREEMENT);
    let changed = AGREEMENT.replace("godkänner", "godkänner inte");
    let error = verify_signature_data(&data, &changed, &anchors(&ca), OffsetDateTime::now_utc())
        .unwrap_err();
    assert!(matches!(error, EidSignatureError::BadSignature), "{error}");
}

#[test]
fn verify_rejects_a_certificate_from_another_ca() {
    let ca = TestCa::new("Kuvert test e-ID CA");
    let other_ca = TestCa::new("Some other CA");
    let tolvan = other_ca.valid_person(TOLVAN.0, TOLVAN.1, TOLVAN.2);
    let data = sign(&tolvan, AGREEMENT);
    let error = verify_signature_data(&data, AGREEMENT, &anchors(&ca), OffsetDateTime::now_utc())
        .unwrap_err();
    assert!(matches!(error, EidSignatureError::Untrusted(_)), "{error}");
}

#[test]
fn verify_rejects_an_expired_certificate() {
    let ca = TestCa::new("Kuvert test e-ID CA");
    let expired_at = OffsetDateTime::now_utc() - Duration::hours(1);
    let tolvan = ca.person(TOLVAN.0, TOLVAN.1, TOLVAN.2, expired_at);
    let data = sign(&tolvan, AGREEMENT);
    let error = verify_signature_data(&data, AGREEMENT, &anchors(&ca), OffsetDateTime::now_utc())
        .unwrap_err();
    assert!(
        matches!(error, EidSignatureError::NotValidAt { .. }),
        "{error}"
    );
}

#[test]
fn verify_rejects_another_persons_certificate_beside_the_signature() {
    let ca = TestCa::new("Kuvert test e-ID CA");
    let tolvan = ca.valid_person(TOLVAN.0, TOLVAN.1, TOLVAN.2);
    let britta = ca.valid_person(BRITTA.0, BRITTA.1, BRITTA.2);
    let mut fields = sign(&tolvan, AGREEMENT).to_fields();
    fields.certificate = sign(&britta, AGREEMENT).to_fields().certificate;
    let swapped = SignatureData::from_fields(&fields).unwrap();
    let error = verify_signature_data(
        &swapped,
        AGREEMENT,
        &anchors(&ca),
        OffsetDateTime::now_utc(),
    )
    .unwrap_err();
    assert!(matches!(error, EidSignatureError::BadSignature), "{error}");
}

#[tokio::test]
async fn signing_service_posts_back_a_signature_that_verifies() {
    let setup = harness::start().await;
    let mut url = setup.issuer.join("sign").unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", CLIENT_ID)
        .append_pair("redirect_uri", setup.callback.as_str())
        .append_pair("text", AGREEMENT)
        .append_pair("state", "profile-change-7");
    let page = setup.browser.get(url).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains(harness::BANNER));
    assert!(
        html.contains("Jag godkänner användarvillkoren"),
        "the page shows the text"
    );
    let mut fields = hidden_fields(&html);
    fields.push(("person".to_owned(), "1".to_owned()));
    fields.push(("action".to_owned(), "sign".to_owned()));
    let answer = setup
        .browser
        .post(form_action(&html))
        .form(&fields)
        .send()
        .await
        .unwrap();
    let html = answer.text().await.unwrap();
    assert!(
        html.contains(">Fortsätt</button>"),
        "works without JavaScript"
    );
    assert_eq!(form_action(&html), setup.callback.as_str());
    let posted = setup
        .browser
        .post(form_action(&html))
        .form(&hidden_fields(&html))
        .send();
    let body = posted.await.unwrap().text().await.unwrap();
    let pairs = form_pairs(&body);
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(field("state").as_deref(), Some("profile-change-7"));
    let fields = SignatureDataFields {
        signature: field("Signature").unwrap(),
        certificate: field("Certificate").unwrap(),
        nonce: field("Nonce"),
        encoding_of_signed_text: field("EncodingOfSignedText"),
    };
    let data = SignatureData::from_fields(&fields).unwrap();
    let signer = verify_signature_data(
        &data,
        AGREEMENT,
        &anchors(&setup.ca),
        OffsetDateTime::now_utc(),
    )
    .unwrap();
    assert_eq!(signer.personal_identity_number.as_str(), BRITTA.0);
}

#[tokio::test]
async fn signing_service_posts_back_access_denied_when_the_person_presses_avbryt() {
    let setup = harness::start().await;
    let fields = [
        ("client_id", CLIENT_ID),
        ("redirect_uri", setup.callback.as_str()),
        ("text", AGREEMENT),
        ("state", "profile-change-8"),
        ("action", "cancel"),
    ];
    let sign_url = setup.issuer.join("sign").unwrap();
    let answer = setup
        .browser
        .post(sign_url)
        .form(&fields)
        .send()
        .await
        .unwrap();
    let html = answer.text().await.unwrap();
    assert!(html.contains(harness::BANNER));
    assert_eq!(form_action(&html), setup.callback.as_str());
    let returned = hidden_fields(&html);
    assert!(returned.contains(&("error".to_owned(), "access_denied".to_owned())));
    assert!(returned.contains(&("state".to_owned(), "profile-change-8".to_owned())));
    assert!(!returned.iter().any(|(name, _)| name == "Signature"));
}

#[tokio::test]
async fn signing_service_refuses_an_unregistered_return_address() {
    let setup = harness::start().await;
    let mut url = setup.issuer.join("sign").unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", CLIENT_ID)
        .append_pair("redirect_uri", "http://attacker.invalid/collect")
        .append_pair("text", AGREEMENT);
    let answer = setup.browser.get(url).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    assert!(!answer.text().await.unwrap().contains("attacker.invalid"));
}
