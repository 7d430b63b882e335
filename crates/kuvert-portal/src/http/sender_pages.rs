//! The senders' pages: the list of senders who send digital mail (from the registry), and for
//! each sender the notice to print on paper letters — a short text and a QR code of the
//! sender's deep link.

use askama::Template;
use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::OrganisationNumber;
use kuvert_web::deep_link::{PaperLetterNotice, short_address};
use kuvert_web::i18n::Language;

use super::pages::Chrome;
use crate::registry_client::ConnectedSender;

/// The connected senders, or a notice that the list cannot be shown just now.
#[derive(Template)]
#[template(path = "senders.html")]
pub(crate) struct SendersPage {
    pub(crate) chrome: Chrome,
    pub(crate) title: &'static str,
    pub(crate) lead: &'static str,
    pub(crate) unavailable: &'static str,
    pub(crate) senders: Option<Vec<SenderItem>>,
    pub(crate) for_senders_heading: &'static str,
    pub(crate) for_senders_text: &'static str,
    pub(crate) call_to_action: &'static str,
}

/// One sender in the list.
pub(crate) struct SenderItem {
    pub(crate) name: String,
    /// `/avsandare/{organisation number}/pappersbrev`, with the language.
    pub(crate) paper_letter_href: String,
    pub(crate) paper_letter_label: String,
}

impl SendersPage {
    pub(crate) fn new(language: Language, senders: Option<&[ConnectedSender]>) -> Self {
        let chrome = Chrome::new(language, &[]);
        let items = senders.map(|senders| {
            senders
                .iter()
                .map(|sender| SenderItem {
                    name: sender.name.clone(),
                    paper_letter_href: format!(
                        "/avsandare/{}/pappersbrev{}",
                        sender.organisation_number.as_str(),
                        chrome.lang_query
                    ),
                    paper_letter_label: match language {
                        Language::Swedish => format!("Direktlänk och QR-kod för {}", sender.name),
                        Language::English => format!("Deep link and QR code for {}", sender.name),
                    },
                })
                .collect()
        });
        match language {
            Language::Swedish => Self {
                chrome,
                title: "Avsändare som skickar digital post",
                lead: "De här myndigheterna, kommunerna och regionerna skickar brev till din \
                       digitala brevlåda. Du väljer själv vilka avsändare du vill få digital \
                       post från.",
                unavailable: "Listan över avsändare kan inte visas just nu. Försök igen om en \
                              stund.",
                senders: items,
                for_senders_heading: "För avsändare",
                for_senders_text: "Varje avsändare har en direktlänk och en QR-kod att trycka \
                                   på pappersbrev, så att mottagaren kan skaffa digital \
                                   brevlåda direkt.",
                call_to_action: "Skaffa digital brevlåda",
            },
            Language::English => Self {
                chrome,
                title: "Senders that send digital mail",
                lead: "These agencies, municipalities and regions send letters to your digital \
                       mailbox. You choose which senders you get digital mail from.",
                unavailable: "The list of senders cannot be shown just now. Please try again \
                              in a while.",
                senders: items,
                for_senders_heading: "For senders",
                for_senders_text: "Every sender has a deep link and a QR code to print on paper \
                                   letters, so the recipient can get a digital mailbox at once.",
                call_to_action: "Get a digital mailbox",
            },
        }
    }
}

/// What a sender prints on paper letters: the text, the QR code and the deep link.
#[derive(Template)]
#[template(path = "paper_letter.html")]
pub(crate) struct PaperLetterPage {
    pub(crate) chrome: Chrome,
    pub(crate) title: String,
    pub(crate) lead: &'static str,
    pub(crate) notice_heading: &'static str,
    pub(crate) notice_text: String,
    pub(crate) qr_src: String,
    pub(crate) qr_alt: String,
    pub(crate) deep_link_label: &'static str,
    pub(crate) deep_link: String,
    pub(crate) download_label: &'static str,
}

/// What [`PaperLetterPage`] shows.
pub(crate) struct PaperLetterFacts<'a> {
    pub(crate) sender: &'a OrganisationNumber,
    /// The sender's name, when the registry knows it.
    pub(crate) name: Option<&'a str>,
    pub(crate) campaign: Option<&'a CampaignCode>,
    pub(crate) notice: &'a PaperLetterNotice,
}

impl PaperLetterPage {
    pub(crate) fn new(language: Language, facts: &PaperLetterFacts<'_>) -> Self {
        let mut parameters = Vec::new();
        if let Some(campaign) = facts.campaign {
            parameters.push(("kampanj", campaign.as_str().to_owned()));
        }
        let chrome = Chrome::new(language, &parameters);
        let mut qr_src = format!("/avsandare/{}/qr.svg", facts.sender.as_str());
        if let Some(campaign) = facts.campaign {
            qr_src.push_str(&format!("?kampanj={}", campaign.as_str()));
        }
        let name = facts.name.unwrap_or(facts.sender.as_str());
        let address = short_address(&facts.notice.deep_link);
        let texts = match language {
            Language::Swedish => (
                format!("Text och QR-kod för pappersbrev från {name}"),
                "Tryck texten och QR-koden på pappersbrev till mottagare som inte har digital \
                 brevlåda. Direktlänken leder till valet av brevlådeoperatör och räknas för er \
                 som avsändare.",
                "Att trycka på brevet",
                format!("QR-kod till {address}"),
                "Direktlänk",
                "Ladda ner QR-koden (SVG)",
            ),
            Language::English => (
                format!("Text and QR code for paper letters from {name}"),
                "Print the text and the QR code on paper letters to recipients who have no \
                 digital mailbox. The deep link leads to the choice of mailbox operator and is \
                 counted for you as the sender.",
                "To print on the letter",
                format!("QR code for {address}"),
                "Deep link",
                "Download the QR code (SVG)",
            ),
        };
        Self {
            chrome,
            title: texts.0,
            lead: texts.1,
            notice_heading: texts.2,
            // The printed text is Swedish in both versions: it goes on Swedish letters.
            notice_text: facts.notice.text.clone(),
            qr_src,
            qr_alt: texts.3,
            deep_link_label: texts.4,
            deep_link: facts.notice.deep_link.to_string(),
            download_label: texts.5,
        }
    }
}
