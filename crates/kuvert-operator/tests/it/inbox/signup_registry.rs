//! A registry that knows nobody (`isRegistered` says `Not`) and accepts `register` when the
//! e-ID signature verifies against the person PKI's e-ID CA for the person registered,
//! recording (personnummer, `ServiceSupplier`).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use base64::Engine as _;
use kuvert_eid::SignatureData;
use kuvert_eid::signature::SignatureDataFields;
use kuvert_web::{Listener, ListenerTls, Shutdown};
use kuvert_wire::envelope::{self, BodyElement};
use kuvert_wire::fault::{Fault, FaultCode};
use kuvert_wire::recipient::{self, IsRegisteredResponse, RecipientRequest, RegisterResponse};
use kuvert_wire::types::{AccountStatus, SignatureAuthorizationResult};
use kuvert_wire::values::{AccountType, AuthorizationStatus};
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
        .with_state(Arc::clone(&registered));
    tokio::spawn(kuvert_web::serve(listener, router, shutdown));
    (url, registered)
}

async fn answer(State(registered): State<Registered>, body: String) -> String {
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
        RecipientRequest::Register(request) => {
            let wire = &request.signatures[0];
            let fields = SignatureDataFields {
                signature: base64::engine::general_purpose::STANDARD.encode(&wire.signature),
                certificate: wire.certificate.clone(),
                nonce: wire.nonce.clone(),
                encoding_of_signed_text: wire.encoding_of_signed_text.clone(),
            };
            let data = SignatureData::from_fields(&fields).unwrap();
            let anchors =
                TrustAnchors::from_pem(super::harness::person_pki().eid_ca_pem()).unwrap();
            let text = &request.request.agreement_text;
            let now = time::OffsetDateTime::now_utc();
            let signer = kuvert_eid::verify_signature_data(&data, text, &anchors, now);
            let signer = signer.unwrap().personal_identity_number;
            assert_eq!(request.request.recipient.to_wire(), signer.as_str());
            let entry = (
                signer.as_str().to_owned(),
                request.request.operator_domain.clone(),
            );
            registered.lock().unwrap().push(entry);
            let result = SignatureAuthorizationResult {
                status: Some(AuthorizationStatus::Complete),
                ..SignatureAuthorizationResult::default()
            };
            RegisterResponse { result }.to_envelope()
        }
        _ => Fault::new(FaultCode::ILLEGAL_STATE, "not in this test registry").to_envelope(),
    }
}
