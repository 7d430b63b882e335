//! Fuzz target: parse untrusted XML and verify it as a sealed delivery (PROTOCOL.md §9.4),
//! every `deliverSecure` wrapper in it, and every `SignedDelivery`, against a fixed anchor set.
//!
//! The anchor is the self-signed certificate of Kivra's public test vector
//! (`kivra-ews/` in the contracts' folder: `KUVERT_TEST_MM_SCHEMAS`, which `tools/fuzz.sh`
//! sets, else `../shared/mm-schemas`; read once at start-up, never committed), and
//! certificates are checked at a fixed instant inside its validity. Seeds made from that sample
//! therefore get past the chain check, so the fuzzer reaches digest, C14N and RSA code.
#![no_main]

use std::sync::LazyLock;

use base64::Engine;
use kuvert_xmldsig::certificate::Certificate;
use kuvert_xmldsig::trust::TrustAnchors;
use kuvert_xmldsig::{Verifier, VerifyPolicy};
use libfuzzer_sys::fuzz_target;

/// The sample inside the contracts' folder.
const ANCHOR_SAMPLE: &str = "kivra-ews/extracted/deliverSecure_signed_sealed_kivra_test.xml";
/// 2024-01-01T00:00:00Z, inside the Kivra test certificate's validity (2023-10-09..2033-10-09).
const VERIFY_AT_UNIX_SECONDS: i64 = 1_704_067_200;

static VERIFIER: LazyLock<Verifier> = LazyLock::new(|| {
    let folder = std::env::var_os("KUVERT_TEST_MM_SCHEMAS").map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/mm-schemas"),
        std::path::PathBuf::from,
    );
    let xml = std::fs::read_to_string(folder.join(ANCHOR_SAMPLE))
        .expect("the fuzz anchor comes from KUVERT_TEST_MM_SCHEMAS or ../shared/mm-schemas");
    let document = roxmltree::Document::parse(&xml).expect("the sample parses");
    let certificate = document
        .descendants()
        .find(|node| node.has_tag_name("X509Certificate"))
        .and_then(|node| node.text())
        .expect("the sample carries its certificate");
    let base64: String = certificate.split_whitespace().collect();
    let der = base64::engine::general_purpose::STANDARD.decode(base64).expect("base64");
    let anchor = Certificate::from_der(&der).expect("the sample certificate parses");
    let anchors = TrustAnchors::from_certificates(vec![anchor]).expect("a valid anchor set");
    let now = time::OffsetDateTime::from_unix_timestamp(VERIFY_AT_UNIX_SECONDS).expect("instant");
    Verifier::new(anchors, VerifyPolicy { is_sha1_allowed: true, now })
});

fuzz_target!(|data: &[u8]| {
    let Ok(xml) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(document) = kuvert_xmldsig::parse_document(xml) else {
        return;
    };
    let root = document.root_element();
    let _ = VERIFIER.verify_sealed_delivery(root);
    for node in root.descendants().filter(|node| node.is_element()) {
        match node.tag_name().name() {
            "deliverSecure" | "arg0" | "SealedDelivery" => {
                let _ = VERIFIER.verify_sealed_delivery(node);
            }
            "SignedDelivery" | "signedDelivery" => {
                let _ = VERIFIER.verify_signed_delivery(node);
            }
            _ => {}
        }
    }
});
