//! The intermediary's faults: the registry's own refusal passes through with its code, a
//! registry that cannot be asked is 5000 with "retry later", and the parties' refusals are
//! access denied or unknown sender.

use kuvert_core::id::OrganisationNumber;
use kuvert_wire::fault::{CallId, FaultCode};

use super::Error;
use crate::error::{Peer, SendError};

#[test]
fn a_registry_fault_passes_through_with_its_code_and_an_unreachable_registry_is_5000() {
    let refused = Error::registry(SendError::Fault {
        peer: Peer::Registry,
        code: FaultCode::DISPATCHER_NOT_APPROVED,
        description: "the dispatcher is not approved".to_owned(),
        call_id: CallId::new(),
    });
    assert_eq!(refused.code(), FaultCode::DISPATCHER_NOT_APPROVED);
    assert!(refused.to_string().contains("not approved"), "{refused}");
    let unreadable = Error::registry(SendError::BadResponse {
        peer: Peer::Registry,
        reason: "no Body".to_owned(),
    });
    assert_eq!(unreadable.code(), FaultCode::UNKNOWN);
    assert!(unreadable.to_fault().description.contains("retry later"));
}

#[test]
fn refused_parties_are_access_denied_and_an_unserved_sender_is_unknown() {
    let number = OrganisationNumber::parse("2120000159").unwrap();
    assert_eq!(
        Error::ClientNotAuthorised(number.clone()).code(),
        FaultCode::ACCESS_DENIED
    );
    assert_eq!(
        Error::SenderNotServed(number).code(),
        FaultCode::UNKNOWN_SENDER
    );
}
