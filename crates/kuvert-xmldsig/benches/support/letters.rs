//! Deterministic test letters and a throwaway PKI, shared by the xmldsig benchmark and the
//! interop tests (`tests/it/interop.rs` includes this file with `#[path]`).
//!
//! A letter is an unsigned, prefix-free, compact `SignedDelivery` (PROTOCOL.md §6.1) with a
//! text body and one PDF-like attachment sized so that the whole element is close to the
//! requested size. The same size always gives the same bytes. Keys and certificates are made
//! fresh with rcgen on every run and never written to the repository.

use std::fmt::Write as _;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

pub(crate) const MSG3: &str = "http://minameddelanden.gov.se/schema/Message/v3";
pub(crate) const MSG2: &str = "http://minameddelanden.gov.se/schema/Message/v2";
pub(crate) const MSG: &str = "http://minameddelanden.gov.se/schema/Message";
pub(crate) const SNDR: &str = "http://minameddelanden.gov.se/schema/Sender";

/// Organisation number of the test sender (Luhn-valid; "Kommun A" in the S4 samples).
pub(crate) const SENDER_ORGANISATION_NUMBER: &str = "2021004748";

/// A CA and one organisation certificate it issued, all PEM.
pub(crate) struct TestPki {
    pub(crate) ca_pem: String,
    pub(crate) key_pem: String,
    pub(crate) certificate_pem: String,
}

impl TestPki {
    /// An RSA-2048 CA and an RSA-2048 organisation certificate with subject
    /// `serialNumber=16<orgnr>, CN, O, C=SE` (PROTOCOL.md §8), valid from yesterday for a year.
    pub(crate) fn generate() -> TestPki {
        use rcgen::{
            BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType, IsCa,
            KeyPair, KeyUsagePurpose,
        };
        let now = time::OffsetDateTime::now_utc();
        let ca_key = KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        let mut ca_name = DistinguishedName::new();
        ca_name.push(DnType::CommonName, "Kuvert test organisation CA");
        ca_name.push(DnType::OrganizationName, "Kuvert test");
        ca_name.push(DnType::CountryName, "SE");
        ca_params.distinguished_name = ca_name;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        ca_params.not_before = now - time::Duration::days(1);
        ca_params.not_after = now + time::Duration::days(3650);
        let ca = CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();

        let leaf_key = KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256).unwrap();
        let mut leaf_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        let mut leaf_name = DistinguishedName::new();
        // 2.5.4.5 serialNumber = "16" + organisation number.
        leaf_name.push(
            DnType::CustomDnType(vec![2, 5, 4, 5]),
            format!("16{SENDER_ORGANISATION_NUMBER}"),
        );
        leaf_name.push(DnType::CommonName, "kuvert.kommun-a.example");
        leaf_name.push(DnType::OrganizationName, "Kommun A");
        leaf_name.push(DnType::CountryName, "SE");
        leaf_params.distinguished_name = leaf_name;
        leaf_params.is_ca = IsCa::ExplicitNoCa;
        leaf_params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        leaf_params.use_authority_key_identifier_extension = true;
        leaf_params.not_before = now - time::Duration::days(1);
        leaf_params.not_after = now + time::Duration::days(365);
        let leaf = leaf_params.signed_by(&leaf_key, &ca).unwrap();
        TestPki {
            ca_pem: ca.pem(),
            key_pem: leaf_key.serialize_pem(),
            certificate_pem: leaf.pem(),
        }
    }
}

/// An unsigned, prefix-free, compact `SignedDelivery` of about `size_bytes` bytes.
pub(crate) fn unsigned_signed_delivery(size_bytes: usize) -> String {
    let body = BASE64.encode("Hej! Du har fått ett beslut från Kommun A. Se bilagan.");
    let mut xml = String::with_capacity(size_bytes + 1024);
    write!(
        xml,
        "<SignedDelivery xmlns=\"{MSG3}\"><Delivery><Header>\
         <Sender xmlns=\"{MSG2}\"><Id xmlns=\"{SNDR}\">16{SENDER_ORGANISATION_NUMBER}</Id>\
         <Name xmlns=\"{SNDR}\">Kommun A</Name></Sender>\
         <Recipient xmlns=\"{MSG2}\">198101052382</Recipient></Header>\
         <Message><Header><Id>kuvert-bench-{size_bytes}</Id>\
         <Subject>Beslut om bygglov – Åre</Subject>\
         <Supportinfo><Text>Ring oss på växeln &amp; fråga efter bygglov.</Text>\
         <URL>https://kommun-a.example/bygglov?fr=mm&amp;sv=1</URL></Supportinfo>\
         <Language>svSE</Language></Header>\
         <Body><ContentType xmlns=\"{MSG}\">text/plain</ContentType>\
         <Body xmlns=\"{MSG}\">{body}</Body></Body>"
    )
    .unwrap();
    let tail_bytes = 400;
    let pdf_bytes = size_bytes.saturating_sub(xml.len() + tail_bytes) / 4 * 3;
    let pdf = pdf_like(pdf_bytes);
    write!(
        xml,
        "<Attachment><ContentType xmlns=\"{MSG}\">application/pdf</ContentType>\
         <Body xmlns=\"{MSG}\">{}</Body><Checksum xmlns=\"{MSG}\">{}</Checksum>\
         <Filename xmlns=\"{MSG}\">beslut.pdf</Filename></Attachment>\
         </Message></Delivery></SignedDelivery>",
        BASE64.encode(&pdf),
        md5_upper_hex(&pdf),
    )
    .unwrap();
    xml
}

/// An unsigned `SealedDelivery` around an already signed `SignedDelivery` (PROTOCOL.md §9.3).
pub(crate) fn unsigned_sealed_delivery(signed_delivery: &str) -> String {
    format!(
        "<SealedDelivery xmlns=\"{MSG3}\">{signed_delivery}<Seal>\
         <ReceivedTime xmlns=\"{MSG}\">2026-11-29+01:00</ReceivedTime>\
         <SignaturesOK xmlns=\"{MSG}\">true</SignaturesOK></Seal></SealedDelivery>"
    )
}

/// `len` bytes that start like a PDF and continue with deterministic noise (xorshift64).
fn pdf_like(len: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    let mut state: u64 = 0x4B55_5645_5254_2121;
    while bytes.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes.truncate(len);
    bytes
}

fn md5_upper_hex(bytes: &[u8]) -> String {
    use md5::Digest;
    md5::Md5::digest(bytes)
        .iter()
        .fold(String::with_capacity(32), |mut hex, byte| {
            write!(hex, "{byte:02X}").unwrap();
            hex
        })
}
