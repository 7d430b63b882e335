//! Fuzz target: parse untrusted XML and canonicalize it (exclusive C14N, PROTOCOL.md §9).
//!
//! Besides "no panic, no sanitizer report", it checks that C14N is idempotent: the canonical
//! form of the document element, parsed again, canonicalizes to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// The fuzzer may build documents with many elements; canonicalizing every subtree is
/// quadratic, so only the first ones are taken.
const SUBTREES_MAX: usize = 64;

fuzz_target!(|data: &[u8]| {
    let Ok(xml) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(document) = kuvert_xmldsig::parse_document(xml) else {
        return;
    };
    let elements = document.descendants().filter(|node| node.is_element());
    for element in elements.take(SUBTREES_MAX) {
        let _ = kuvert_xmldsig::c14n::exclusive(element, &[]);
        let _ = kuvert_xmldsig::c14n::exclusive(element, &["a", "#default"]);
    }
    let canonical = kuvert_xmldsig::c14n::exclusive(document.root_element(), &[]);
    let canonical = String::from_utf8(canonical).expect("canonical XML is UTF-8");
    if let Ok(again) = kuvert_xmldsig::parse_document(&canonical) {
        let twice = kuvert_xmldsig::c14n::exclusive(again.root_element(), &[]);
        assert_eq!(twice, canonical.as_bytes(), "exclusive C14N is not idempotent");
    }
});
