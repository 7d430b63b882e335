//! Raw SOAP posts over mutual TLS to an operator's `/service/v3`, for the suites that send
//! what no toolkit would (`rejections`, the `attack` suite): the one client, the one POST and
//! the fault code read out of an answer.

use std::time::Duration;

use kuvert::seed::SeedOrganisation;
use kuvert::testkit::Federation;
use kuvert_wire::error::WireError;
use kuvert_wire::fault::FaultCode;
use secrecy::SecretString;

/// What the operator answered.
#[derive(Debug)]
pub(crate) enum Answer {
    /// HTTP status and body.
    Http(u16, String),
    /// No HTTP answer (a refused handshake, a connection closed while the body was sent).
    Failed(reqwest::Error),
}

/// POSTs `body` as a SOAP 1.1 request to `address` and reads the whole answer.
pub(crate) async fn post(client: &reqwest::Client, address: &str, body: Vec<u8>) -> Answer {
    let sent = client
        .post(address)
        .header("content-type", "text/xml; charset=utf-8")
        .header("soapaction", "\"\"")
        .body(body)
        .send()
        .await;
    match sent {
        Ok(response) => {
            let status = response.status().as_u16();
            match response.text().await {
                Ok(text) => Answer::Http(status, text),
                Err(error) => Answer::Failed(error),
            }
        }
        Err(error) => Answer::Failed(error),
    }
}

/// The MM fault code of a SOAP fault envelope, when it is one.
pub(crate) fn fault_code(envelope: &str) -> Option<FaultCode> {
    let document = kuvert_wire::envelope::parse(envelope).ok()?;
    let fault = document
        .descendants()
        .find(|node| node.has_tag_name("Fault"))?;
    match kuvert_wire::fault::read_fault(fault) {
        WireError::Fault(fault) => Some(fault.code),
        _ => None,
    }
}

/// `operator`'s `/service/v3` address in the federation.
pub(crate) fn service_address(federation: &Federation, operator: SeedOrganisation) -> String {
    let manifest = federation.manifest();
    let entry = manifest
        .operators
        .iter()
        .find(|o| o.organisation.key == operator.key)
        .unwrap();
    entry.service_address.clone()
}

/// A client trusting the federation's organisation CA, presenting `identity` (certificate
/// chain and key, PEM) when given.
pub(crate) fn mtls_client(
    federation: &Federation,
    identity: Option<(String, SecretString)>,
) -> reqwest::Client {
    let config = kuvert_web::ClientConfig {
        ca_pem: federation.demo().pki.organisation_ca_pem().to_owned(),
        identity,
        connect_timeout: Duration::from_secs(5),
        request_timeout: Duration::from_secs(30),
    };
    kuvert_web::http_client(&config).unwrap()
}
