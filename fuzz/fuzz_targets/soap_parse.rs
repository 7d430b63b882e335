//! Fuzz target: parse an untrusted SOAP envelope and walk every node, attribute and namespace.
//!
//! NOTE for the kuvert-wire engineer: this target covers only `kuvert_xmldsig::parse_document`
//! for now, because `kuvert-wire` does not exist yet. When it lands, add it to
//! `fuzz/Cargo.toml` and extend the body with `kuvert_wire::<service>::parse_request(&document)`
//! for every service (and the response parsers), so that the SOAP shapes are fuzzed too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(xml) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(document) = kuvert_xmldsig::parse_document(xml) else {
        return;
    };
    let mut n_bytes = 0_usize;
    for node in document.descendants() {
        let name = node.tag_name();
        n_bytes += name.name().len() + name.namespace().map_or(0, str::len);
        n_bytes += node.text().map_or(0, str::len);
        for attribute in node.attributes() {
            n_bytes += attribute.name().len() + attribute.value().len();
            n_bytes += attribute.namespace().map_or(0, str::len);
        }
        for namespace in node.namespaces() {
            n_bytes += namespace.name().map_or(0, str::len) + namespace.uri().len();
        }
        if let Some(parent) = node.parent_element() {
            assert!(parent.is_element());
        }
    }
    std::hint::black_box(n_bytes);
});
