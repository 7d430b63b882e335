//! A registry that knows nobody (`isRegistered` says `Not`) and accepts a registration (REST
//! `POST /api/v1/profiles/register`, as the operator registers persons) when the e-ID
//! signature verifies against the person PKI's e-ID CA for the person registered, recording
//! (personnummer, `ServiceSupplier`).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use kuvert_eid::SignatureData;
use kuvert_eid::signature::SignatureDataFields;
use kuvert_web::{Listener, ListenerTls, Shutdown};
use kuvert_wire::envelope::{self, BodyElement};
use kuvert_wire::fault::{Fault, FaultCode};
use kuvert_wire::recipient::{self, IsRegisteredResponse, RecipientRequest};
use kuvert_wire::types::AccountStatus;
use kuvert_wire::values::AccountType;
use kuvert_xmldsig::trust::TrustAnchors;

type Registered = Arc<Mutex<Vec<(String, String)>>>;

pub(super) async fn start(shutdown: Shutdown) -> (String, Registered) {
    let pki = crate::pki();
    let credential = pki.organisation("registry").unwrap();
    let tls = ListenerTls::MutualTls {
        cert_chain_pem: credential.certificate_pem().to_owned(),
        key_pem: credential.key_pem().clone(),
        client_ca_pem: pki.organisation_ca_pem().to_owned(),
    };
    let localhost: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let listener = Listener::bind(localhost, tls).await.unwrap();
    let url = format!("https://{}", listener.local_addr().unwrap());
    let registered = Registered::default();
    let router = Router::new()
        .route("/ec/Recipient/v3", post(answer))
        .route("/api/v1/profiles/register", post(register))
        .with_state(Arc::clone(&registered));
    tokio::spawn(kuvert_web::serve(listener, router, shutdown));
    (url, registered)
}

async fn answer(body: String) -> String {
    let document = envelope::parse(&body).unwrap();
    match recipient::parse_request(&document).unwrap() {
        RecipientRequest::IsRegistered(request) => IsRegisteredResponse {
            statuses: request
                .recipients
                .iter()
                .map(|recipient| AccountStatus {
                    recipient: recipient.clone(),
                    account_type: AccountType::Not,
                    is_pending: false,
                    operator: None,
                    last_registration: None,
                })
                .collect(),
        }
        .to_envelope(),
        _ => Fault::new(FaultCode::ILLEGAL_STATE, "not in this test registry").to_envelope(),
    }
}

/// REST `register`: the signature must verify and be the registered person's.
async fn register(
    State(registered): State<Registered>,
    axum::Json(request): axum::Json<serde_json::Value>,
) -> axum::Json<serde_json::Value> {
    let signature = &request["signatures"][0];
    let fields = SignatureDataFields {
        signature: signature["signature"].as_str().unwrap().to_owned(),
        certificate: signature["certificate"].as_str().unwrap().to_owned(),
        nonce: Some(signature["nonce"].as_str().unwrap().to_owned()),
        encoding_of_signed_text: None,
    };
    let data = SignatureData::from_fields(&fields).unwrap();
    let anchors = TrustAnchors::from_pem(super::harness::person_pki().eid_ca_pem()).unwrap();
    let text = request["agreement_text"].as_str().unwrap();
    let now = time::OffsetDateTime::now_utc();
    let signer = kuvert_eid::verify_signature_data(&data, text, &anchors, now);
    let signer = signer.unwrap().personal_identity_number;
    assert_eq!(request["recipient"].as_str().unwrap(), signer.as_str());
    let domain = request["operator_domain"].as_str().unwrap().to_owned();
    registered
        .lock()
        .unwrap()
        .push((signer.as_str().to_owned(), domain));
    axum::Json(serde_json::json!({
        "status": "Complete",
        "signed_by": [],
        "possible_signers": [],
    }))
}
