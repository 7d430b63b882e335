//! One SOAP call over HTTPS: POST an envelope, read a bounded answer, and turn a fault or an
//! unreadable answer into a [`SendError`]. Retrying is the caller's choice
//! ([`crate::deliver`]), because only `deliverSecure` is known to be idempotent.

use kuvert_core::limits::ENVELOPE_BYTES_CEILING;
use kuvert_wire::envelope::{self, BodyElement};
use kuvert_wire::error::WireError;
use url::Url;

use crate::error::{Peer, SendError};

/// A whole HTTP answer: status and body text.
pub(crate) struct Answer {
    pub(crate) status: reqwest::StatusCode,
    pub(crate) body: String,
}

/// Why no answer arrived.
pub(crate) enum PostError {
    /// Connection, TLS, timeout or a broken body.
    Transport(reqwest::Error),
    /// The body was larger than `ENVELOPE_BYTES_CEILING` or not UTF-8.
    Unreadable(String),
}

/// POSTs `envelope` as SOAP 1.1 and reads the answer, at most `ENVELOPE_BYTES_CEILING` bytes.
pub(crate) async fn post_envelope(
    client: &reqwest::Client,
    url: &Url,
    envelope: String,
) -> Result<Answer, PostError> {
    let mut response = client
        .post(url.clone())
        .header(reqwest::header::CONTENT_TYPE, "text/xml; charset=utf-8")
        .header("SOAPAction", "\"\"")
        .body(envelope)
        .send()
        .await
        .map_err(PostError::Transport)?;
    let status = response.status();
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(PostError::Transport)? {
        if (bytes.len() + chunk.len()) as u64 > ENVELOPE_BYTES_CEILING {
            return Err(PostError::Unreadable(format!(
                "answer is longer than {ENVELOPE_BYTES_CEILING} bytes"
            )));
        }
        bytes.extend_from_slice(&chunk);
    }
    let body = String::from_utf8(bytes)
        .map_err(|_| PostError::Unreadable("answer is not utf-8".into()))?;
    Ok(Answer { status, body })
}

/// Reads `answer` as the response `T`; an MM fault becomes [`SendError::Fault`] whatever the
/// HTTP status (SOAP 1.1 sends faults with 500).
pub(crate) fn read_answer<T: BodyElement>(peer: Peer, answer: &Answer) -> Result<T, SendError> {
    let document = envelope::parse(&answer.body).map_err(|error| SendError::BadResponse {
        peer,
        reason: format!("http {}: {error}", answer.status),
    })?;
    match T::from_envelope(&document) {
        Ok(response) if answer.status.is_success() => Ok(response),
        Ok(_) => Err(SendError::BadResponse {
            peer,
            reason: format!("http {} with a response body", answer.status),
        }),
        Err(WireError::Fault(fault)) => Err(SendError::Fault {
            peer,
            code: fault.code,
            description: fault.description,
            call_id: fault.call_id,
        }),
        Err(error) => Err(SendError::BadResponse {
            peer,
            reason: format!("http {}: {error}", answer.status),
        }),
    }
}
