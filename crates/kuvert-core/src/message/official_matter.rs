//! `msg3:OfficialMatter`, the v3 *kundärende* extension that ties a letter to a case in the
//! sender's systems (PROTOCOL.md §6.2).
//!
//! Only the `ofm3:OfficialMatterExtension` branch is modelled; foreign `xs:any` content has no
//! meaning Kuvert could act on.

use super::error::MessageError;
use super::seal::SealDate;
use super::text::{EventId, EventType, MatterSubject, OfficialMatterId, PrecedingEventId};

/// `ofm3:OfficialMatterExtension`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficialMatter {
    /// `ofm3:Timestamp`: creation date from the sending system.
    pub timestamp: SealDate,
    /// `ofm3:Identity`.
    pub identity: Option<OfficialMatterIdentity>,
    /// `ofm3:MatterSubject` ("Kundämne").
    pub matter_subject: Option<MatterSubject>,
    /// `ofm3:EventType` ("Händelsetyp").
    pub event_type: Option<EventType>,
    /// `ofm3:MatterStatus`.
    pub matter_status: Option<MatterStatus>,
}

/// `ofm3:Identity`: the ids of the event, the matter and the preceding event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OfficialMatterIdentity {
    /// `ofm3:EventId` ("HändelseID").
    pub event_id: Option<EventId>,
    /// `ofm3:OfficialMatterId` ("KundärendeID").
    pub official_matter_id: Option<OfficialMatterId>,
    /// `ofm3:PrecedingEventId` ("KorrespondensID").
    pub preceding_event_id: Option<PrecedingEventId>,
}

/// `ofm3:MatterStatus`: who drives the matter now, or that it is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatterStatus {
    /// `senderinitiative`.
    SenderInitiative,
    /// `recipientinitiative`.
    RecipientInitiative,
    /// `closed`.
    Closed,
}

impl MatterStatus {
    /// The XSD element this text fills, as named in errors.
    pub const FIELD: &'static str = "MatterStatus";

    /// Parses one of the three XSD values (exact case, as the enumeration requires).
    pub fn parse(text: &str) -> Result<Self, MessageError> {
        match text {
            "senderinitiative" => Ok(Self::SenderInitiative),
            "recipientinitiative" => Ok(Self::RecipientInitiative),
            "closed" => Ok(Self::Closed),
            _ => Err(MessageError::Malformed {
                field: Self::FIELD,
                expected: "senderinitiative, recipientinitiative or closed",
            }),
        }
    }

    /// The value as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SenderInitiative => "senderinitiative",
            Self::RecipientInitiative => "recipientinitiative",
            Self::Closed => "closed",
        }
    }
}
