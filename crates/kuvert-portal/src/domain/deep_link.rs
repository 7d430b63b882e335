//! [`DeepLink`]: the sender and campaign a person arrived with (`/skaffa?avsandare=ORGNR&
//! kampanj=CODE`), parsed at the edge and carried unchanged through the chooser into the
//! operator's sign-up, so the registry can record where a registration came from.
//!
//! A value that does not parse is dropped rather than refused: the person still gets to an
//! operator, only the source is not counted. A well-formed campaign code nobody created is
//! kept (and counted as unknown), so a typo on a poster still leads somewhere.

use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::OrganisationNumber;
use kuvert_web::i18n::Language;

/// A validated deep link: either part may be absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct DeepLink {
    /// The sender whose page or letter the person came from.
    pub(crate) sender: Option<OrganisationNumber>,
    /// The campaign the link belongs to.
    pub(crate) campaign: Option<CampaignCode>,
}

/// The query parameter naming the sender.
pub(crate) const SENDER_PARAMETER: &str = "avsandare";
/// The query parameter naming the campaign.
pub(crate) const CAMPAIGN_PARAMETER: &str = "kampanj";

impl DeepLink {
    /// Parses a raw query string (`avsandare=…&kampanj=…&lang=en`): the first value of each
    /// parameter counts, other parameters are ignored, and values that do not parse are
    /// dropped. Never fails, so no deep link ends on an error page.
    pub(crate) fn from_raw_query(query: Option<&str>) -> Self {
        let mut sender_text = None;
        let mut campaign_text = None;
        for (name, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            match name.as_ref() {
                SENDER_PARAMETER if sender_text.is_none() => sender_text = Some(value),
                CAMPAIGN_PARAMETER if campaign_text.is_none() => campaign_text = Some(value),
                _ => {}
            }
        }
        let sender = sender_text.and_then(|text| OrganisationNumber::parse(text.trim()).ok());
        let campaign = campaign_text.and_then(|text| CampaignCode::parse(text.trim()).ok());
        Self { sender, campaign }
    }

    /// The link's parameters plus the language, as `(name, value)` pairs in a fixed order.
    pub(crate) fn parameters(&self, language: Language) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(sender) = &self.sender {
            pairs.push((SENDER_PARAMETER, sender.as_str().to_owned()));
        }
        if let Some(campaign) = &self.campaign {
            pairs.push((CAMPAIGN_PARAMETER, campaign.as_str().to_owned()));
        }
        if language == Language::English {
            pairs.push((kuvert_web::i18n::LANGUAGE_PARAMETER, "en".to_owned()));
        }
        pairs
    }

    /// `?avsandare=…&kampanj=…&lang=en` (only the parts present), or `""`.
    pub(crate) fn query_string(&self, language: Language) -> String {
        let pairs = self.parameters(language);
        if pairs.is_empty() {
            return String::new();
        }
        let mut serializer = url::form_urlencoded::Serializer::for_suffix(String::from("?"), 1);
        for (name, value) in &pairs {
            serializer.append_pair(name, value);
        }
        serializer.finish()
    }

    /// The operator's sign-up address with the link's parameters and the language appended
    /// to whatever query it already has.
    pub(crate) fn signup_url(&self, signup_url: &url::Url, language: Language) -> url::Url {
        let mut target = signup_url.clone();
        let pairs = self.parameters(language);
        if !pairs.is_empty() {
            let mut query = target.query_pairs_mut();
            for (name, value) in &pairs {
                query.append_pair(name, value);
            }
        }
        target
    }
}

#[cfg(test)]
mod tests;
