//! A role's error as the MM fault it answers: one place decides what the caller is told and
//! what is logged, so every SOAP role logs a fault once, with its CallId, and never shows a
//! caller SQL, paths or a peer's inner workings.

use axum::response::Response;
use http::StatusCode;
use kuvert_core::report::error_chain;
use kuvert_wire::fault::{CallId, Fault, FaultCode};

/// What kind of failure an error is, for what the caller is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// This role failed (storage, a worker, a bug): logged as an error with its source chain;
    /// the caller is told only that `role` failed, and the CallId.
    Internal {
        /// The role's name in the caller's text: "operator", "registry", "intermediary".
        role: &'static str,
    },
    /// A service this role depends on failed (the registry): logged as an error with its
    /// source chain; the caller gets the error's own text (which names the service, not its
    /// inner workings) and the CallId.
    Upstream,
    /// The caller's request is refused: logged as information with the code; the caller gets
    /// the error's text.
    Refused,
}

/// The fault for `error` of `kind` under `code`, with a fresh CallId; logs it.
#[must_use]
pub fn fault_for(
    code: FaultCode,
    error: &(dyn std::error::Error + 'static),
    kind: FaultKind,
) -> Fault {
    let call_id = CallId::new();
    let description = match kind {
        FaultKind::Internal { role } => {
            tracing::error!(call_id = %call_id, error = %error_chain(error), "request failed");
            format!("internal error in the {role}; quote the CallId to support")
        }
        FaultKind::Upstream => {
            tracing::error!(call_id = %call_id, error = %error_chain(error), "request failed");
            format!("{error}; quote the CallId to support")
        }
        FaultKind::Refused => {
            tracing::info!(
                call_id = %call_id,
                code = code.number(),
                error = %error,
                "request refused"
            );
            error.to_string()
        }
    };
    Fault {
        code,
        description,
        call_id,
    }
}

/// A SOAP fault `envelope` as the response: SOAP 1.1 sends every fault with status 500
/// (WS-I Basic Profile R1126), whatever status the error would have over REST.
#[must_use]
pub fn soap_fault_response(envelope: String) -> Response {
    crate::layers::soap_response(StatusCode::INTERNAL_SERVER_ERROR, envelope)
}

#[cfg(test)]
mod tests {
    use super::{FaultKind, fault_for};
    use kuvert_wire::fault::FaultCode;

    #[derive(Debug, thiserror::Error)]
    #[error("the database at /var/lib/secret failed")]
    struct Inner;

    #[test]
    fn an_internal_fault_hides_its_cause_and_a_refusal_tells_it() {
        let internal = fault_for(
            FaultCode::UNKNOWN,
            &Inner,
            FaultKind::Internal { role: "operator" },
        );
        assert_eq!(
            internal.description,
            "internal error in the operator; quote the CallId to support"
        );
        let refused = fault_for(FaultCode::INVALID_INPUT, &Inner, FaultKind::Refused);
        assert_eq!(refused.description, Inner.to_string());
        assert_eq!(refused.code, FaultCode::INVALID_INPUT);
        let upstream = fault_for(FaultCode::UNKNOWN, &Inner, FaultKind::Upstream);
        assert!(
            upstream
                .description
                .ends_with("; quote the CallId to support")
        );
        assert_ne!(internal.call_id, refused.call_id, "a fresh CallId each");
    }
}
