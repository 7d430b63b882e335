//! Interoperability with independent XML-DSig stacks (PROTOCOL.md §9):
//!
//! * a delivery signed and sealed by our `Signer` verifies with the Debian `xmlsec1` command
//!   (libxmlsec1/OpenSSL) and with Python `signxml` (lxml + cryptography);
//! * a `SignedDelivery` signed by `signxml` following the MM rules (prefix-free, enveloped,
//!   exclusive C14N, RSA-SHA256) verifies with our `Verifier`, also once we sealed it.
//!
//! Keys and certificates are made fresh with rcgen into a temp dir for every test.

#[path = "../../benches/support/letters.rs"]
mod letters;

use std::process::Command;

use kuvert_xmldsig::trust::TrustAnchors;
use kuvert_xmldsig::{SignatureAlgorithm, Signer, Verifier, VerifyPolicy};

const ORACLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tools/oracles");
const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
/// xmlsec1 starts at the first `Signature` in document order, which in a SealedDelivery is the
/// sender's inner one; this selects the seal, the root's own child.
const ROOT_SIGNATURE_XPATH: &str = "/*/*[local-name()='Signature' and \
     namespace-uri()='http://www.w3.org/2000/09/xmldsig#']";

/// A signed and sealed 10 KB letter from our Signer, written out with the PKI.
struct SealedByUs {
    dir: tempfile::TempDir,
}

impl SealedByUs {
    fn new(algorithm: SignatureAlgorithm) -> SealedByUs {
        let pki = letters::TestPki::generate();
        let signer = Signer::from_pkcs8_pem(&pki.key_pem, &pki.certificate_pem).unwrap();
        let signed = signer
            .sign(&letters::unsigned_signed_delivery(10_000), algorithm)
            .unwrap();
        let sealed = signer
            .sign(&letters::unsigned_sealed_delivery(&signed), algorithm)
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ca.pem"), &pki.ca_pem).unwrap();
        std::fs::write(dir.path().join("sealed.xml"), &sealed).unwrap();
        // The sender's signature is checked on the SignedDelivery cut out of the sealed form,
        // standalone, which is what URI="" meant when it was signed (PROTOCOL.md §9.2 quirk 2).
        std::fs::write(
            dir.path().join("signed.xml"),
            extract_signed_delivery(&sealed),
        )
        .unwrap();
        SealedByUs { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }
}

#[test]
fn sealed_delivery_signed_by_us_verifies_with_xmlsec1() {
    let Some(xmlsec1) = kuvert_testenv::external("XMLSEC1", "our signatures with xmlsec1") else {
        return;
    };
    let sealed = SealedByUs::new(SignatureAlgorithm::RsaSha256);
    xmlsec1_verify(&xmlsec1, &sealed, "sealed.xml", Some(ROOT_SIGNATURE_XPATH));
    xmlsec1_verify(&xmlsec1, &sealed, "signed.xml", None);
}

#[test]
fn xmlsec1_rejects_our_sealed_delivery_after_tampering() {
    let Some(xmlsec1) = kuvert_testenv::external("XMLSEC1", "that xmlsec1 checks digests") else {
        return;
    };
    let sealed = SealedByUs::new(SignatureAlgorithm::RsaSha256);
    let text = std::fs::read_to_string(sealed.path("signed.xml")).unwrap();
    let tampered = text.replacen("198101052382", "198101052390", 1);
    assert_ne!(text, tampered);
    std::fs::write(sealed.path("signed.xml"), tampered).unwrap();
    let output = xmlsec1_command(&xmlsec1, &sealed, "signed.xml", None)
        .output()
        .unwrap();
    assert!(
        !output.status.success(),
        "xmlsec1 accepted a tampered SignedDelivery"
    );
}

#[test]
fn sealed_delivery_signed_by_us_verifies_with_signxml() {
    let Some(python) = kuvert_testenv::external("PYTHON", "our signatures with signxml") else {
        return;
    };
    let sealed = SealedByUs::new(SignatureAlgorithm::RsaSha256);
    let output = Command::new(python)
        .arg(format!("{ORACLES}/signxml_verify.py"))
        .args(["--ca", &sealed.path("ca.pem"), &sealed.path("sealed.xml")])
        .arg(sealed.path("signed.xml"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "signxml rejects our signatures: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 2);
}

#[test]
fn signed_delivery_signed_by_signxml_verifies_with_our_verifier() {
    let Some(python) = kuvert_testenv::external("PYTHON", "signxml signatures with ours") else {
        return;
    };
    let pki = letters::TestPki::generate();
    let signed = sign_with_signxml(&python, &pki, &letters::unsigned_signed_delivery(10_000));
    let verifier = verifier(&pki);

    let document = kuvert_xmldsig::parse_document(&signed).unwrap();
    let verified = verifier
        .verify_signed_delivery(document.root_element())
        .unwrap();
    assert_eq!(
        verified.organisation_number().unwrap().as_str(),
        letters::SENDER_ORGANISATION_NUMBER
    );

    let tampered = signed.replacen("198101052382", "198101052390", 1);
    assert_ne!(signed, tampered);
    let document = kuvert_xmldsig::parse_document(&tampered).unwrap();
    assert!(
        verifier
            .verify_signed_delivery(document.root_element())
            .is_err()
    );
}

#[test]
fn signed_delivery_signed_by_signxml_and_sealed_by_us_verifies_with_our_verifier() {
    let Some(python) = kuvert_testenv::external("PYTHON", "signxml signatures inside a seal")
    else {
        return;
    };
    let pki = letters::TestPki::generate();
    let signed = sign_with_signxml(&python, &pki, &letters::unsigned_signed_delivery(10_000));
    let signer = Signer::from_pkcs8_pem(&pki.key_pem, &pki.certificate_pem).unwrap();
    let sealed = signer
        .sign(
            &letters::unsigned_sealed_delivery(&signed),
            SignatureAlgorithm::RsaSha256,
        )
        .unwrap();

    let document = kuvert_xmldsig::parse_document(&sealed).unwrap();
    let verified = verifier(&pki)
        .verify_sealed_delivery(document.root_element())
        .unwrap();
    assert_eq!(
        verified.sender.organisation_number().unwrap().as_str(),
        letters::SENDER_ORGANISATION_NUMBER
    );
}

fn verifier(pki: &letters::TestPki) -> Verifier {
    Verifier::new(
        TrustAnchors::from_pem(&pki.ca_pem).unwrap(),
        VerifyPolicy::default(),
    )
}

/// Signs `unsigned` with `tools/oracles/signxml_sign.py` and returns the signed element.
fn sign_with_signxml(python: &str, pki: &letters::TestPki, unsigned: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str| dir.path().join(name);
    std::fs::write(file("key.pem"), &pki.key_pem).unwrap();
    std::fs::write(file("cert.pem"), &pki.certificate_pem).unwrap();
    std::fs::write(file("unsigned.xml"), unsigned).unwrap();
    let output = Command::new(python)
        .arg(format!("{ORACLES}/signxml_sign.py"))
        .arg("--key")
        .arg(file("key.pem"))
        .arg("--cert")
        .arg(file("cert.pem"))
        .arg(file("unsigned.xml"))
        .arg(file("signed.xml"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "signxml: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let signed = std::fs::read_to_string(file("signed.xml")).unwrap();
    assert!(
        signed.contains(&format!("<Signature xmlns=\"{DSIG}\">")),
        "not prefix-free"
    );
    signed
}

fn xmlsec1_command(xmlsec1: &str, sealed: &SealedByUs, file: &str, xpath: Option<&str>) -> Command {
    let mut command = Command::new(xmlsec1);
    command.args(["--verify", "--enabled-reference-uris", "empty"]);
    command.args(["--trusted-pem", &sealed.path("ca.pem")]);
    if let Some(xpath) = xpath {
        command.args(["--node-xpath", xpath]);
    }
    command.arg(sealed.path(file));
    command
}

fn xmlsec1_verify(xmlsec1: &str, sealed: &SealedByUs, file: &str, xpath: Option<&str>) {
    let output = xmlsec1_command(xmlsec1, sealed, file, xpath)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "xmlsec1 rejects our {file}: {}\n(certificate subject serialNumber=16{})",
        String::from_utf8_lossy(&output.stderr),
        letters::SENDER_ORGANISATION_NUMBER
    );
    assert!(String::from_utf8_lossy(&output.stderr).starts_with("OK"));
}

/// The bytes of the SealedDelivery's SignedDelivery child, cut out as a standalone document.
fn extract_signed_delivery(sealed: &str) -> String {
    let document = roxmltree::Document::parse(sealed).unwrap();
    let signed_delivery = document
        .root_element()
        .children()
        .find(|node| node.has_tag_name((letters::MSG3, "SignedDelivery")))
        .unwrap();
    sealed[signed_delivery.range()].to_owned()
}
