//! Revocation across the federation: the demo's CRL (`pki/org-ca.crl.pem`, refreshed by the
//! registry and the operators) revokes a sender's certificate, and a delivery signed with it
//! over the intermediary's good TLS connection is refused naming the sender's signature;
//! revoking the intermediary's certificate then ends its connections at the handshake.

use std::time::Duration;

use kuvert::seed;
use kuvert::testkit::Federation;
use kuvert_sender::SendError;
use kuvert_wire::fault::FaultCode;
use secrecy::SecretString;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_certificate_is_refused_in_the_signature_and_at_the_handshake() {
    let federation = Federation::start(Default::default()).await;
    let kommun = seed::SENDERS[0];
    let tolvan = seed::person("tolvan").unwrap();

    // The sender's certificate is revoked; the intermediary's TLS certificate is not.
    federation.revoke(kommun.key).await;
    let letter = federation.letter(&kommun, tolvan, "Återkallad avsändare", vec![]);
    match federation.send(&letter).await {
        Err(SendError::Fault {
            code, description, ..
        }) => {
            assert_eq!(code, FaultCode::ACCESS_DENIED);
            assert!(
                description.contains("sender certificate is revoked (serial"),
                "{description}"
            );
        }
        other => panic!("expected the operator's refusal, got {other:?}"),
    }

    // The intermediary's certificate is revoked too: the operator's service refuses it at
    // the handshake, before any request is read.
    // Under TLS 1.3 the client may have sent its request before the server's alert arrives,
    // and then sees only a closed connection; so every attempt must fail without an answer,
    // and the alert must be read at least once in some attempts (on a loaded machine the
    // request often wins the race, so there are many).
    federation.revoke(seed::INTERMEDIARY.key).await;
    let mut errors = Vec::new();
    for _ in 0..30 {
        let error = post_as_intermediary(&federation).await.unwrap_err();
        if error.contains("CertificateRevoked") {
            return;
        }
        errors.push(error);
    }
    panic!("the revoked client certificate was never named: {errors:?}");
}

/// Posts an empty `deliverSecure` to Demobrevlådan with the intermediary's certificate.
async fn post_as_intermediary(federation: &Federation) -> Result<u16, String> {
    let pki = &federation.demo().pki;
    let credential = pki.organisation(seed::INTERMEDIARY.key).unwrap();
    let config = kuvert_web::ClientConfig {
        ca_pem: pki.organisation_ca_pem().to_owned(),
        identity: Some((
            credential.certificate_pem().to_owned(),
            SecretString::from(credential.key_pem().clone()),
        )),
        connect_timeout: Duration::from_secs(5),
        request_timeout: Duration::from_secs(30),
    };
    let client = kuvert_web::http_client(&config).unwrap();
    let operator = &federation.manifest().operators[0];
    client
        .post(&operator.service_address)
        .header("content-type", "text/xml; charset=utf-8")
        .body("<x/>")
        .send()
        .await
        .map(|response| response.status().as_u16())
        .map_err(|error| kuvert_core::report::error_chain(&error))
}
