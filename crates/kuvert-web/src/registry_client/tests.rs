//! Which registry answers count as a refused e-ID signature (the person is asked to sign
//! again) rather than another refusal.

use kuvert_wire::error::WireError;
use kuvert_wire::fault::{CallId, Fault, FaultCode};

use super::RegistryError;

fn rejected(code: Option<u16>) -> RegistryError {
    RegistryError::Rejected {
        url: "https://registry.test/api/v1/profiles/register".to_owned(),
        status: 409,
        detail: "the signature has already been used for a change; sign again".to_owned(),
        code,
    }
}

fn fault(code: FaultCode) -> RegistryError {
    RegistryError::Wire {
        url: "https://registry.test/ec/Recipient/v3".to_owned(),
        source: WireError::Fault(Box::new(Fault {
            code,
            description: "refused".to_owned(),
            call_id: CallId::new(),
        })),
    }
}

#[test]
fn signature_refusals_are_the_rest_and_soap_signature_codes() {
    assert!(rejected(Some(5012)).is_signature_refusal());
    assert!(rejected(Some(5010)).is_signature_refusal());
    assert!(fault(FaultCode::SIGNATURE_ERROR).is_signature_refusal());
    assert!(fault(FaultCode::REGISTER_ACCOUNT_SIGNATURE_ERROR).is_signature_refusal());
}

#[test]
fn other_refusals_are_not_signature_refusals() {
    assert!(!rejected(Some(FaultCode::ACCESS_DENIED.number())).is_signature_refusal());
    assert!(!rejected(None).is_signature_refusal());
    assert!(!fault(FaultCode::INVALID_INPUT).is_signature_refusal());
    assert!(
        rejected(None).is_refusal(),
        "still a refusal, with the general text"
    );
}
