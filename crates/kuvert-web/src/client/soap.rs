//! The one SOAP client call (PROTOCOL.md §5): POST an envelope as SOAP 1.1 through a client
//! from [`crate::http_client`] (mutual TLS when it carries an identity), read the answer with
//! [`crate::read_body`], parse it with explicit limits and read it as the expected response
//! through kuvert-wire, whose parser turns an MM fault into `WireError::Fault`. Retrying is
//! the caller's choice, because only some operations are known to be idempotent.

use kuvert_core::lane::Lane;
use kuvert_core::limits::{XML_DEPTH_MAX, XML_NODES_MAX};
use kuvert_wire::envelope::BodyElement;
use kuvert_wire::error::WireError;
use kuvert_xmldsig::{ParseLimits, parse_document_with};
use reqwest::StatusCode;

use crate::client::{BodyError, read_body};
use crate::cpu_pool::LANE_HEADER;

/// Why a SOAP call gave no usable response.
#[derive(Debug, thiserror::Error)]
pub enum SoapError {
    /// No answer arrived: connection, TLS, timeout, or the body broke off.
    #[error("no answer")]
    Http(#[source] reqwest::Error),
    /// The answer is longer than the bound the caller gave.
    #[error("answer is longer than {max} bytes")]
    TooLarge {
        /// The bound.
        max: u64,
    },
    /// The answer is not UTF-8 text.
    #[error("answer is not utf-8")]
    NotUtf8,
    /// The answer is a fault (`WireError::Fault` for an MM fault, whatever the HTTP status:
    /// SOAP 1.1 sends faults with 500) or not the expected response.
    #[error("http {status}: {error}")]
    Answer {
        /// The HTTP status of the answer.
        status: StatusCode,
        /// What kuvert-wire read in it.
        error: WireError,
    },
    /// The expected response came with an error status.
    #[error("http {status} with a response body")]
    Status {
        /// The HTTP status of the answer.
        status: StatusCode,
    },
}

impl SoapError {
    /// The HTTP status of the answer, when one was read.
    #[must_use]
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Answer { status, .. } | Self::Status { status } => Some(*status),
            Self::Http(_) | Self::TooLarge { .. } | Self::NotUtf8 => None,
        }
    }
}

/// POSTs `envelope` to `url` and reads the answer as `Response`. The answer is read and
/// parsed up to `response_bytes_max` bytes, with `XML_NODES_MAX` nodes and `XML_DEPTH_MAX`
/// depth.
///
/// # Errors
/// [`SoapError`]: no answer, an unreadable one, a fault, or not the expected response.
pub async fn soap_call<Response: BodyElement>(
    client: &reqwest::Client,
    url: &str,
    envelope: String,
    response_bytes_max: u64,
) -> Result<Response, SoapError> {
    soap_call_in(Lane::Single, client, url, envelope, response_bytes_max).await
}

/// [`soap_call`] for a letter of `lane`: a mass mailing's letters carry `Kuvert-Lane: bulk`
/// ([`crate::cpu_pool::LANE_HEADER`]) so that a Kuvert operator lets single letters go first;
/// other operators ignore the header.
///
/// # Errors
/// As [`soap_call`].
pub async fn soap_call_in<Response: BodyElement>(
    lane: Lane,
    client: &reqwest::Client,
    url: &str,
    envelope: String,
    response_bytes_max: u64,
) -> Result<Response, SoapError> {
    let mut request = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "text/xml; charset=utf-8")
        .header("SOAPAction", "\"\"");
    if lane == Lane::Bulk {
        request = request.header(LANE_HEADER, Lane::BULK_HEADER_VALUE);
    }
    let response = request
        .body(envelope)
        .send()
        .await
        .map_err(SoapError::Http)?;
    let status = response.status();
    let body = read_body(response, response_bytes_max)
        .await
        .map_err(|error| match error {
            BodyError::TooLarge { max } => SoapError::TooLarge { max },
            BodyError::Http(source) => SoapError::Http(source),
        })?;
    let text = String::from_utf8(body).map_err(|_| SoapError::NotUtf8)?;
    let limits = ParseLimits {
        bytes_max: response_bytes_max,
        nodes_max: XML_NODES_MAX,
        depth_max: XML_DEPTH_MAX,
    };
    let answer = |error| SoapError::Answer { status, error };
    let document = parse_document_with(&text, &limits).map_err(|error| {
        answer(WireError::Xml {
            reason: error.to_string(),
        })
    })?;
    let response = Response::from_envelope(&document).map_err(answer)?;
    if !status.is_success() {
        return Err(SoapError::Status { status });
    }
    Ok(response)
}
