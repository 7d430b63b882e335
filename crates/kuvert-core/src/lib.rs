//! Domain values of Mina meddelanden: identity numbers, the message model and the limits
//! every other Kuvert crate enforces.
//!
//! Main types:
//! - [`id::PersonalIdentityNumber`], [`id::OrganisationNumber`] and [`id::RecipientId`]:
//!   personnummer, samordningsnummer and organisationsnummer, Luhn-checked (PROTOCOL.md §4).
//! - [`message::SecureDelivery`]: one letter to one recipient, with its
//!   [`message::SecureMessage`], [`message::Body`] and [`message::Attachment`]s, plus the
//!   [`message::Seal`] and [`message::Receipt`] around it (PROTOCOL.md §6).
//! - [`calendar::YearMonth`] and [`calendar::stockholm_day`]: the units statistics count in;
//!   [`calendar::STOCKHOLM`], the one Swedish time zone.
//! - [`operator::ServiceDomain`] and [`operator::OperatorSlug`]: an operator's internet domain
//!   and its short name in portal addresses.
//! - [`registry::ProfileRecord`], [`registry::OperatorRecord`],
//!   [`registry::CompanySignatoryRule`] and [`registry::SigningStatus`]: what the registry knows
//!   about mailboxes, operators, senders and company signatories.
//! - [`campaign::CampaignCode`]: the campaign token of a deep link, case-insensitive.
//! - [`lane::Lane`] and [`lane::FairQueue`]: single letters before mass mailings, parties in
//!   turn.
//! - [`limits`]: every bound, declared once with its source.
//! - [`plural::Plural`]: a phrase in its singular and plural form, for every count shown.
//! - [`postal::PostalAddress`]: where a paper letter goes, lines a printer can print.
//!
//! Invariants: this crate does no I/O and no async. Every identifier and constrained string is
//! a newtype built only through `parse`, so holding one proves it valid; composite types are
//! never (de)serialised directly. `Debug` masks identity numbers and never shows letter
//! content.
//!
//! ```
//! use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber, RecipientId};
//! use kuvert_core::limits;
//! use kuvert_core::message::{
//!     Body, DeliveryHeader, Language, MessageHeader, MessageId, SecureDelivery,
//!     SecureMessage, Sender, SenderName, Subject, SupportInfo, SupportText,
//! };
//!
//! let person = PersonalIdentityNumber::parse("19121212-1212")?;
//! assert_eq!(format!("{person:?}"), "PersonalIdentityNumber(19121212-****)");
//! let recipient = RecipientId::parse("191212121212")?;
//! assert_eq!(recipient, RecipientId::Person(person));
//!
//! let header = MessageHeader {
//!     id: MessageId::parse("2f1c0e4a-0001")?,
//!     subject: Subject::parse("Beslut om bygglov")?,
//!     support_info: SupportInfo {
//!         text: SupportText::parse("Ring kommunens kontaktcenter")?,
//!         url: None,
//!         phone: None,
//!         email: None,
//!     },
//!     official_matter: None,
//!     metadata: Vec::new(),
//!     language: Language::swedish(),
//! };
//! let delivery = SecureDelivery {
//!     header: DeliveryHeader {
//!         sender: Sender {
//!             id: OrganisationNumber::parse("202100-4748")?,
//!             name: SenderName::parse("Kommun A")?,
//!             attention: None,
//!         },
//!         recipient,
//!         reference: None,
//!         correlation_id: None,
//!         attention: None,
//!     },
//!     message: SecureMessage::new(header, Body::plain_text("Hej!".into()), Vec::new())?,
//! };
//! delivery.check_size(limits::ENVELOPE_BYTES_DEFAULT_MAX)?;
//! assert_eq!(delivery.key().sender.to_wire(), "162021004748");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

pub mod brand;
pub mod calendar;
pub mod campaign;
pub mod feedback;
pub mod id;
pub mod lane;
pub mod limits;
pub mod message;
pub mod operator;
pub mod plural;
pub mod postal;
pub mod registry;
pub mod report;
pub mod vocabulary;
