//! The credentials the demo uses come from `kuvert_pki`: its person certificates sign and
//! verify, and its PKCS#8 keys sign the provider's id_tokens.

use kuvert_core::id::PersonalIdentityNumber;
use kuvert_eid::provider::PersonCredential;
use kuvert_eid::signature::{new_nonce, sign_text, verify_signature_data};
use kuvert_pki::{PersonSpec, PkiSpec, TestPki};
use kuvert_xmldsig::trust::TrustAnchors;
use time::OffsetDateTime;

use kuvert_eid::TestEidProvider;
use tokio::net::TcpListener;
use url::Url;

use crate::harness::{self, Setup, TOLVAN};
use crate::login;
use crate::pki::TestCa;

fn pki() -> TestPki {
    let spec = PkiSpec {
        organisations: Vec::new(),
        persons: vec![PersonSpec {
            key: "tolvan".to_owned(),
            given_name: TOLVAN.1.to_owned(),
            surname: TOLVAN.2.to_owned(),
            number: PersonalIdentityNumber::parse(TOLVAN.0).unwrap(),
        }],
    };
    TestPki::generate(&spec).unwrap()
}

#[test]
fn signature_by_a_kuvert_pki_person_verifies_against_its_eid_ca() {
    let pki = pki();
    let tolvan = pki.person("tolvan").unwrap();
    let credential =
        PersonCredential::from_pem(tolvan.key_pem(), tolvan.certificate_pem()).unwrap();
    let text = "Jag vill byta brevlåda.";
    let data = sign_text(
        &credential.key,
        &credential.certificate_der,
        text,
        &new_nonce(),
    )
    .unwrap();
    let anchors = TrustAnchors::from_pem(pki.eid_ca_pem()).unwrap();
    let signer = verify_signature_data(&data, text, &anchors, OffsetDateTime::now_utc()).unwrap();
    assert_eq!(signer.personal_identity_number.as_str(), TOLVAN.0);
}

#[tokio::test]
async fn login_works_with_id_tokens_signed_by_a_kuvert_pki_key() {
    let pki = pki();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = Url::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
    let callback = harness::callback_server().await;
    let ca = TestCa::new("Kuvert test e-ID CA");
    let config = harness::provider_config(issuer.clone(), &callback, &ca);
    let key_pem = pki.person("tolvan").unwrap().key_pem();
    let provider = TestEidProvider::new(config, key_pem).unwrap();
    harness::serve(listener, provider.router());
    let setup = Setup {
        issuer,
        callback,
        ca,
        provider,
        browser: harness::http_client(),
    };
    let client = login::relying_party(&setup).await;
    let (pending, response) = login::choose(&setup, &client, "0", "login").await;
    let person = client.finish_login(response, pending).await.unwrap();
    assert_eq!(person.personal_identity_number.as_str(), TOLVAN.0);
}
