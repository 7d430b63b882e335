//! Fault envelopes read back by clients, in the v3 and the Authority form.

use kuvert_wire::envelope::{self, BodyElement};
use kuvert_wire::error::WireError;
use kuvert_wire::fault::{CallId, Fault, FaultCode};
use kuvert_wire::{authority, recipient};

#[test]
fn fault_envelope_reads_back_as_the_same_fault() {
    let fault = Fault::new(
        FaultCode::UNKNOWN_SENDER,
        "sender 162021004748 is not registered",
    );
    let xml = fault.to_envelope();
    let document = envelope::parse(&xml).unwrap();
    let error = recipient::IsReachableResponse::from_envelope(&document).unwrap_err();
    let WireError::Fault(read) = error else {
        panic!("an MM fault, got {error}")
    };
    assert_eq!(*read, fault);
    assert!(
        fault
            .to_envelope()
            .contains("<faultcode>soap:Client</faultcode>")
    );
}

#[test]
fn fault_quoting_a_control_character_is_still_well_formed_xml() {
    // Found by the attack suite's property test: a flipped byte 0x1E quoted by the parser's
    // message ("expected '>' not '\x1e'") made the fault envelope itself unreadable.
    let fault = Fault::new(FaultCode::UNKNOWN, "expected '>' not '\u{1e}', tab\tkept");
    let xml = fault.to_envelope();
    let document = envelope::parse(&xml).unwrap();
    let error = recipient::IsReachableResponse::from_envelope(&document).unwrap_err();
    let WireError::Fault(read) = error else {
        panic!("an MM fault, got {error}")
    };
    assert_eq!(read.description, "expected '>' not '\u{fffd}', tab\tkept");
    assert_eq!(read.code, FaultCode::UNKNOWN);
}

#[test]
fn authority_fault_reads_back_from_its_per_operation_element() {
    let fault = Fault::new(FaultCode::UNKNOWN, "internal error");
    let xml = fault.to_authority_envelope("getSendersFault");
    assert!(xml.contains("<faultcode>soap:Server</faultcode>"));
    let document = envelope::parse(&xml).unwrap();
    let error = authority::GetSendersResponse::from_envelope(&document).unwrap_err();
    assert!(matches!(error, WireError::Fault(read) if *read == fault));
}

#[test]
fn fault_without_detail_is_a_plain_soap_fault() {
    let xml = "<S:Envelope xmlns:S=\"http://schemas.xmlsoap.org/soap/envelope/\"><S:Body>\
               <S:Fault><faultcode>S:Server</faultcode><faultstring>boom</faultstring>\
               </S:Fault></S:Body></S:Envelope>";
    let document = envelope::parse(xml).unwrap();
    let error = authority::GetSendersResponse::from_envelope(&document).unwrap_err();
    assert!(matches!(error, WireError::SoapFault { ref faultstring, .. } if faultstring == "boom"));
}

#[test]
fn call_id_and_fault_code_keep_their_bounds() {
    let call_id = CallId::new();
    assert_eq!(call_id.as_str().len(), 32);
    assert!(CallId::parse("too short").is_err());
    assert!(CallId::parse(&"x".repeat(51)).is_err());
    assert!(FaultCode::new(0).is_err());
    assert!(FaultCode::new(9999).is_err());
    assert_eq!(
        FaultCode::new(6005).unwrap(),
        FaultCode::DISPATCHER_NOT_APPROVED
    );
    assert_eq!(FaultCode::MAX_EXCEEDED.number(), 5005);
}
