//! The print-ready paper letter: one A4 PDF per letter that goes on paper, for a print house.
//!
//! Page one has the sender's name and organisation number, the date and reference, the postal
//! address where a C5 window envelope shows it (or, when the manifest gave none, a clear
//! "ADRESS SAKNAS" in its place), the subject and the letter's text; at its foot the notice
//! that the letter could have come digitally: `kuvert_web::deep_link`'s words, the three main
//! messages in one line (`main_messages::SWEDISH_LINE`), the portal's deep link
//! `/skaffa?avsandare=ORGNR` and its QR code. A long text runs on to further pages (at most
//! `PAPER_LETTER_PAGES_MAX`), each numbered.
//!
//! The text is set in the PDF standard font Helvetica with WinAnsiEncoding, which every PDF
//! reader and print RIP has: Swedish letters (å, ä, ö, é) are Latin-1 characters of that
//! encoding, so they print and are extracted as text (`pdftotext`). A character outside it is
//! printed as `?`. Pure: bytes in, bytes out.

mod layout;

use kuvert_core::id::OrganisationNumber;
use kuvert_core::limits::PAPER_LETTER_PAGES_MAX;
use kuvert_core::message::{BodyContentType, Reference, SenderName, Subject};
use kuvert_core::postal::PostalAddress;
use kuvert_web::deep_link::{self, DeepLinkError, QrModules};
use time::Date;

use layout::{Font, Heading, Layout};

/// Everything printed on one paper letter.
#[derive(Debug, Clone)]
pub struct PaperLetter<'a> {
    /// The sender's name, as on the digital letter.
    pub sender_name: &'a SenderName,
    /// The sender's organisation number.
    pub sender: &'a OrganisationNumber,
    /// Where it goes; `None` prints "ADRESS SAKNAS" in the window instead.
    pub address: Option<&'a PostalAddress>,
    /// The letter's date.
    pub date: Date,
    /// The subject.
    pub subject: &'a Subject,
    /// The sender's reference.
    pub reference: Option<&'a Reference>,
    /// The letter's text ([`body_text`] of its body).
    pub text: &'a str,
    /// The attachments' file names, listed to be printed with the letter.
    pub attachments: &'a [String],
    /// The portal's deep link for this sender; `None` (no portal configured) leaves out the
    /// notice.
    pub deep_link: Option<&'a url::Url>,
}

/// Why no PDF could be made.
#[derive(Debug, thiserror::Error)]
pub enum PaperLetterError {
    /// The deep link does not fit a QR code.
    #[error("no QR code for the deep link")]
    QrCode(#[source] DeepLinkError),
    /// The PDF could not be written.
    #[error("cannot write the paper letter's PDF: {0}")]
    Pdf(String),
}

/// What a mailing writes where a recipient is not reachable digitally: "ADRESS SAKNAS" and
/// what to do, printed in the address window when the manifest gave no address.
pub const ADDRESS_MISSING: [&str; 3] = [
    "ADRESS SAKNAS",
    "Utskicket angav ingen adress. Lägg till",
    "mottagarens adress innan brevet skrivs ut.",
];

/// The text of a body for paper: text as it is, HTML as a reader sees it
/// (`letter_html::text_of`); bytes that are not UTF-8 are replaced.
#[must_use]
pub fn body_text(content_type: BodyContentType, content: &[u8]) -> String {
    let text = String::from_utf8_lossy(content);
    match content_type {
        BodyContentType::TextHtml => kuvert_web::letter_html::text_of(&text),
        BodyContentType::TextPlain => text.replace("\r\n", "\n"),
    }
}

/// The letter as a PDF document.
///
/// # Errors
/// [`PaperLetterError`] when the deep link fits no QR code or lopdf cannot write.
pub fn render(letter: &PaperLetter<'_>) -> Result<Vec<u8>, PaperLetterError> {
    render_with(letter, None)
}

/// A deep link's QR code, made once for every paper letter that carries that link.
#[derive(Debug, Clone)]
pub struct DeepLinkQr {
    link: url::Url,
    modules: QrModules,
}

impl DeepLinkQr {
    /// The QR code of `link`.
    ///
    /// # Errors
    /// [`PaperLetterError::QrCode`] when the link fits no QR code.
    pub fn new(link: &url::Url) -> Result<Self, PaperLetterError> {
        let modules = deep_link::qr_modules(link.as_str()).map_err(PaperLetterError::QrCode)?;
        Ok(Self {
            link: link.clone(),
            modules,
        })
    }
}

/// [`render`], with the QR code `qr` made beforehand when it is the letter's deep link's: a
/// mailing's paper letters all carry one link, and making its QR code for each letter was
/// 3.3 % of a mailing's CPU (issue 14). A `qr` of another link is not used.
///
/// # Errors
/// As [`render`].
pub fn render_with(
    letter: &PaperLetter<'_>,
    qr: Option<&DeepLinkQr>,
) -> Result<Vec<u8>, PaperLetterError> {
    let made_here;
    let qr = match (letter.deep_link, qr) {
        (Some(link), Some(qr)) if &qr.link == link => Some(&qr.modules),
        (Some(link), _) => {
            made_here = DeepLinkQr::new(link)?;
            Some(&made_here.modules)
        }
        (None, _) => None,
    };
    let mut layout = Layout::new();
    heading(&mut layout, letter);
    address(&mut layout, letter.address);
    let body_bottom = match (qr, letter.deep_link) {
        (Some(qr), Some(link)) => layout.notice(&notice_lines(link), qr),
        _ => layout::BODY_BOTTOM,
    };
    layout.start_body(letter.subject.as_str(), body_bottom);
    for paragraph in letter.text.split('\n') {
        if !layout.paragraph(paragraph, Font::Regular) {
            break;
        }
    }
    if !letter.attachments.is_empty() {
        let names = letter.attachments.join(", ");
        layout.paragraph("", Font::Regular);
        layout.paragraph(&format!("Bilagor: {names}"), Font::Bold);
    }
    if layout.is_cut() {
        layout.note_cut(PAPER_LETTER_PAGES_MAX);
    }
    layout.finish().map_err(PaperLetterError::Pdf)
}

/// The sender, its number, the date and the reference at the top of page one.
fn heading(layout: &mut Layout, letter: &PaperLetter<'_>) {
    let reference = letter
        .reference
        .map(|reference| format!("Referens: {}", reference.as_str()));
    layout.heading(&Heading {
        name: letter.sender_name.as_str(),
        number: &format!("Organisationsnummer {}", letter.sender.as_str()),
        date: &format!("Datum: {}", letter.date),
        reference: reference.as_deref(),
    });
}

/// The address block, or what is missing.
fn address(layout: &mut Layout, address: Option<&PostalAddress>) {
    match address {
        Some(address) => layout.address(address.lines(), false),
        None => {
            let lines: Vec<String> = ADDRESS_MISSING
                .iter()
                .map(|&line| line.to_owned())
                .collect();
            layout.address(&lines, true);
        }
    }
}

/// The notice's lines: why, the main messages, the call and the link (whole, on its own line
/// so it is never broken).
fn notice_lines(link: &url::Url) -> [String; 4] {
    [
        deep_link::PAPER_LETTER_INVITATION.to_owned(),
        kuvert_web::main_messages::SWEDISH_LINE.to_owned(),
        deep_link::PAPER_LETTER_CALL.to_owned(),
        link.as_str().to_owned(),
    ]
}

#[cfg(test)]
mod tests;
