//! Test letters shared by the unit tests of the reader and the evidence check: a generated
//! test PKI (kuvert-pki) with a sender and an intermediary, one letter, and signing helpers.

use std::sync::OnceLock;

use kuvert_core::id::{OrganisationNumber, RecipientId};
use kuvert_core::message::{
    Body, DeliveryHeader, Language, MessageHeader, MessageId, SealDate, SecureDelivery,
    SecureMessage, Sender, SenderName, Subject, SupportInfo, SupportText,
};
use kuvert_pki::{OrganisationSpec, PkiSpec, TestPki};
use kuvert_xmldsig::trust::TrustAnchors;
use kuvert_xmldsig::{Signer, Verifier, VerifyPolicy};

pub(crate) const SENDER: &str = "2120000142";
pub(crate) const INTERMEDIARY: &str = "5599000014";
pub(crate) const RECIPIENT: &str = "198101052382";

/// Today in Sweden's winter offset: the test PKI's certificates are valid from two days ago, and
/// evidence judges them at the seal's date.
pub(crate) fn today() -> SealDate {
    let offset = time::UtcOffset::from_hms(1, 0, 0).unwrap();
    SealDate::new(time::OffsetDateTime::now_utc().date(), Some(offset))
}

pub(crate) fn pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| {
        let organisation = |key: &str, name: &str, number: &str| OrganisationSpec {
            key: key.to_owned(),
            name: name.to_owned(),
            number: OrganisationNumber::parse(number).unwrap(),
            host_names: vec![],
        };
        TestPki::generate(&PkiSpec {
            organisations: vec![
                organisation("sender", "Kommun A", SENDER),
                organisation("intermediary", "Förmedlare AB", INTERMEDIARY),
            ],
            persons: vec![],
        })
        .unwrap()
    })
}

pub(crate) fn signer(key: &str) -> Signer {
    let credential = pki().organisation(key).unwrap();
    Signer::from_pkcs8_pem(
        secrecy::ExposeSecret::expose_secret(credential.key_pem()),
        credential.certificate_pem(),
    )
    .unwrap()
}

pub(crate) fn letter() -> SecureDelivery {
    let header = MessageHeader {
        id: MessageId::parse("evidence-1").unwrap(),
        subject: Subject::parse("Beslut om bygglov").unwrap(),
        support_info: SupportInfo {
            text: SupportText::parse("Ring oss").unwrap(),
            url: None,
            phone: None,
            email: None,
        },
        official_matter: None,
        metadata: vec![],
        language: Language::swedish(),
    };
    SecureDelivery {
        header: DeliveryHeader {
            sender: Sender {
                id: OrganisationNumber::parse(SENDER).unwrap(),
                name: SenderName::parse("Kommun A").unwrap(),
                attention: None,
            },
            recipient: RecipientId::parse(RECIPIENT).unwrap(),
            reference: None,
            correlation_id: None,
            attention: None,
        },
        message: SecureMessage::new(header, Body::plain_text("Hej".into()), vec![]).unwrap(),
    }
}

/// The organisation CA of the test PKI.
pub(crate) fn anchors() -> TrustAnchors {
    TrustAnchors::from_pem(pki().organisation_ca_pem()).unwrap()
}

/// A verifier anchored at the organisation CA, as the operator's intake has.
pub(crate) fn verifier() -> Verifier {
    Verifier::new(anchors(), VerifyPolicy::default())
}
