//! What a failed SOAP call (`kuvert_web::client::soap::soap_call`, the one SOAP call) means to
//! the sender: an MM fault is the peer's considered answer ([`SendError::Fault`]), anything
//! else read from the peer a [`SendError::BadResponse`]. Retrying is the caller's choice
//! ([`crate::deliver`]), because only `deliverSecure` is known to be idempotent.

use kuvert_web::client::soap::SoapError;
use kuvert_wire::error::WireError;

use crate::error::{Peer, SendError};

/// Whether `error` is a server error without an MM fault: worth another attempt of an
/// idempotent call. A fault, an unreadable answer or no answer at all is not.
pub(crate) fn is_server_error(error: &SoapError) -> bool {
    let is_fault = matches!(
        error,
        SoapError::Answer {
            error: WireError::Fault(_),
            ..
        }
    );
    !is_fault
        && error
            .status()
            .is_some_and(|status| status.is_server_error())
}

/// The sender's error for an answer from `peer` that is not the expected response; an MM
/// fault keeps its code, text and CallId.
pub(crate) fn answer_error(peer: Peer, error: SoapError) -> SendError {
    match error {
        SoapError::Answer {
            error: WireError::Fault(fault),
            ..
        } => SendError::Fault {
            peer,
            code: fault.code,
            description: fault.description,
            call_id: fault.call_id,
        },
        other => SendError::BadResponse {
            peer,
            reason: other.to_string(),
        },
    }
}
