//! Fuzz target: parse an untrusted SOAP envelope the way every Kuvert server does — bounded
//! parse, then each service's request dispatch — read a delivery's letter and seal out of a
//! `deliverSecure`, and locate it the way the one reader does. Errors are expected; panics,
//! hangs and unbounded memory are bugs.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(xml) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(document) = kuvert_wire::envelope::parse(xml) else {
        return;
    };
    let _ = kuvert_wire::recipient::parse_request(&document);
    let _ = kuvert_wire::authority::parse_request(&document);
    let _ = kuvert_wire::message::parse_request(&document);
    let _ = kuvert_wire::notification::parse_request(&document);
    if let Ok(kuvert_wire::service::ServiceRequest::DeliverSecure(sealed)) =
        kuvert_wire::service::parse_request(&document)
    {
        let _ = kuvert_wire::delivery::read_seal(sealed);
        if let Ok(signed) = kuvert_wire::delivery::signed_delivery_of(sealed) {
            let _ = kuvert_wire::delivery::read_secure_delivery(signed);
        }
    }
    // The one path and shape checks of the sealed-delivery reader (before any signature).
    if let Ok(sealed) = kuvert_wire::delivery::SealedDocument::locate(&document) {
        let _ = sealed.seal_date();
    }
    // A fault answer is parsed by every client.
    if let Some(body) = document.descendants().find(|node| node.has_tag_name("Fault")) {
        let _ = kuvert_wire::fault::read_fault(body);
    }
});
