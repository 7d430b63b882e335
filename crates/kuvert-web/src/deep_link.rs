//! Deep links to "skaffa digital brevlåda" and the notice printed on paper letters: the
//! portal's `/skaffa?avsandare=ORGNR&kampanj=CODE` address for a sender, a short Swedish text
//! and a QR code of the link (SVG, or its modules for a PDF). It lives here, below the roles,
//! because both the portal (its `/avsandare/{…}/qr.svg` and `/pappersbrev` pages) and the
//! sender toolkit (its paper-mail list and paper letters) print the same notice, and roles
//! never depend on each other.
//!
//! Pure: no I/O, nothing but the portal's configured public address is needed.

use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::OrganisationNumber;
use kuvert_core::limits::QR_SIDE_PIXELS_MIN;
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// Where a deep link leads on the portal (a fixed URL).
pub const SIGNUP_PATH: &str = "skaffa";

/// What to print on a paper letter to someone who could have had it digitally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperLetterNotice {
    /// "Du kan få det här brevet digitalt nästa gång. Säkert, praktiskt, miljövänligt och
    /// billigt. Skaffa digital brevlåda: <address>"
    pub text: String,
    /// The full deep link (`https://portal.example/skaffa?avsandare=…&kampanj=…`).
    pub deep_link: url::Url,
    /// A QR code of [`Self::deep_link`] as a standalone SVG document.
    pub qr_svg: String,
}

/// Why no notice could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeepLinkError {
    /// The portal address cannot carry a path (`mailto:` and the like).
    #[error("portal address {0} cannot carry the /skaffa path")]
    NotABase(String),
    /// The link is too long for a QR code (only with an absurdly long portal address).
    #[error("deep link of {length} bytes does not fit a QR code")]
    TooLong {
        /// The link's length.
        length: usize,
    },
}

/// The deep link for `sender` (and `campaign`) on the portal at `portal_url`.
///
/// # Errors
/// [`DeepLinkError::NotABase`] when `portal_url` cannot carry a path.
pub fn deep_link(
    portal_url: &url::Url,
    sender: &OrganisationNumber,
    campaign: Option<&CampaignCode>,
) -> Result<url::Url, DeepLinkError> {
    let not_a_base = || DeepLinkError::NotABase(portal_url.to_string());
    if portal_url.cannot_be_a_base() {
        return Err(not_a_base());
    }
    let mut base = portal_url.clone();
    if !base.path().ends_with('/') {
        let path = format!("{}/", base.path());
        base.set_path(&path);
    }
    let mut link = base.join(SIGNUP_PATH).map_err(|_| not_a_base())?;
    link.set_fragment(None);
    {
        let mut query = link.query_pairs_mut();
        query.clear();
        query.append_pair("avsandare", sender.as_str());
        if let Some(campaign) = campaign {
            query.append_pair("kampanj", campaign.as_str());
        }
    }
    Ok(link)
}

/// The notice for `sender`'s paper letters: text, deep link and QR code.
///
/// # Errors
/// [`DeepLinkError`] when the portal address is unusable for a link or a QR code.
pub fn paper_letter_notice(
    portal_url: &url::Url,
    sender: &OrganisationNumber,
    campaign: Option<&CampaignCode>,
) -> Result<PaperLetterNotice, DeepLinkError> {
    let deep_link = deep_link(portal_url, sender, campaign)?;
    let qr_svg = qr_svg(deep_link.as_str())?;
    Ok(PaperLetterNotice {
        text: paper_letter_text(&deep_link),
        deep_link,
        qr_svg,
    })
}

/// The paper letter's first sentence: why the notice is there.
pub const PAPER_LETTER_INVITATION: &str = "Du kan få det här brevet digitalt nästa gång.";

/// The words before the deep link on a paper letter.
pub const PAPER_LETTER_CALL: &str = "Skaffa digital brevlåda:";

/// The short text for a paper letter with the main messages' line, naming `deep_link`
/// without its scheme (the sender toolkit's paper-mail list prints it for each unreachable
/// recipient; its paper letters print the same words, the link and [`qr_modules`]).
#[must_use]
pub fn paper_letter_text(deep_link: &url::Url) -> String {
    format!(
        "{PAPER_LETTER_INVITATION} {} {PAPER_LETTER_CALL} {}",
        crate::main_messages::SWEDISH_LINE,
        short_address(deep_link)
    )
}

/// A QR code as its modules, for drawing it in a format without SVG (a paper letter's PDF).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrModules {
    /// Modules per side (without the quiet zone, which the drawer adds: 4 modules).
    pub width: usize,
    /// Whether each module is dark, row by row from the top left.
    pub dark: Vec<bool>,
}

/// The QR code of `text` as modules, with the same error correction as the SVG one.
///
/// # Errors
/// [`DeepLinkError::TooLong`] when `text` does not fit a QR code.
pub fn qr_modules(text: &str) -> Result<QrModules, DeepLinkError> {
    let code = qr_code(text)?;
    Ok(QrModules {
        width: code.width(),
        dark: code
            .to_colors()
            .into_iter()
            .map(|color| color == qrcode::Color::Dark)
            .collect(),
    })
}

/// The link as people type it: without `https://`.
#[must_use]
pub fn short_address(link: &url::Url) -> String {
    let text = link.as_str();
    text.strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .unwrap_or(text)
        .to_owned()
}

/// A QR code of `text` (error correction M: survives a crease or a stain).
fn qr_code(text: &str) -> Result<QrCode, DeepLinkError> {
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|_| DeepLinkError::TooLong { length: text.len() })
}

/// [`qr_code`] as SVG.
fn qr_svg(text: &str) -> Result<String, DeepLinkError> {
    Ok(qr_code(text)?
        .render::<svg::Color<'_>>()
        .min_dimensions(QR_SIDE_PIXELS_MIN, QR_SIDE_PIXELS_MIN)
        .quiet_zone(true)
        .build())
}

#[cfg(test)]
mod tests;
