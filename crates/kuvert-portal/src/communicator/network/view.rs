//! The network page's model and its Swedish and English texts (TERMS.md words).

use askama::Template;
use kuvert_core::id::OrganisationNumber;
use kuvert_store::portal::network::{Feedback, FeedbackCount, SenderBrand, VariantCounts};
use kuvert_web::i18n::Language;

use crate::http::pages::Chrome;

/// The page's words in one language.
pub(in crate::communicator) struct Texts {
    pub(crate) title: &'static str,
    pub(crate) back: &'static str,
    pub(crate) fix: &'static str,
    pub(crate) brand_heading: &'static str,
    pub(crate) message: &'static str,
    pub(crate) message_en: &'static str,
    pub(crate) message_hint: &'static str,
    pub(crate) logo: &'static str,
    pub(crate) logo_hint: &'static str,
    pub(crate) alt: &'static str,
    pub(crate) alt_en: &'static str,
    pub(crate) alt_hint: &'static str,
    pub(crate) save: &'static str,
    pub(crate) landing: &'static str,
    pub(crate) button: &'static str,
    pub(crate) button_visits: &'static str,
    pub(crate) ab_heading: &'static str,
    pub(crate) ab_intro: &'static str,
    pub(crate) name: &'static str,
    pub(crate) sender: &'static str,
    pub(crate) variant_a: &'static str,
    pub(crate) variant_b: &'static str,
    pub(crate) start: &'static str,
    pub(crate) end: &'static str,
    pub(crate) variant: &'static str,
    pub(crate) visitors: &'static str,
    pub(crate) visits: &'static str,
    pub(crate) choices: &'static str,
    pub(crate) registrations: &'static str,
    pub(crate) p_registrations: &'static str,
    pub(crate) p_value: &'static str,
    pub(crate) p_hint: &'static str,
    pub(crate) running: &'static str,
    pub(crate) ended: &'static str,
    pub(crate) feedback_heading: &'static str,
    pub(crate) page: &'static str,
    pub(crate) yes: &'static str,
    pub(crate) no: &'static str,
    pub(crate) comments: &'static str,
    pub(crate) none: &'static str,
}

const SWEDISH: Texts = Texts {
    title: "Varumärke, knapp och utvärdering",
    back: "Tillbaka till kampanjerna",
    fix: "Rätta uppgifterna i formuläret och försök igen.",
    brand_heading: "Avsändarens sida",
    message: "Budskap på svenska",
    message_en: "Budskap på engelska (frivilligt)",
    message_hint: "En rad, högst 160 tecken. Visas under ert namn i direktlänken.",
    logo: "Logotyp (frivillig)",
    logo_hint: "SVG eller PNG, högst 24 kB.",
    alt: "Alternativ text för logotypen",
    alt_en: "Alternativ text på engelska (frivillig)",
    alt_hint: "Krävs med en ny logotyp, till exempel avsändarens namn.",
    save: "Spara",
    landing: "Direktlänk",
    button: "Knapp och länk till er webbplats",
    button_visits: "Besök via knappen de senaste 30 dagarna",
    ab_heading: "A/B-test av budskapet",
    ab_intro: "Besökare på direktlänken får variant A eller B, utan kakor. Andelen som väljer \
               brevlådeoperatör jämförs.",
    name: "Namn",
    sender: "Avsändare",
    variant_a: "Variant A",
    variant_b: "Variant B",
    start: "Starta testet",
    end: "Avsluta testet",
    variant: "Variant",
    visitors: "Besökare",
    visits: "Besök",
    choices: "Valt brevlådeoperatör",
    registrations: "Registreringar",
    p_registrations: "p-värde för registreringarna",
    p_value: "p-värde för valen",
    p_hint: "Tvåsidigt z-test av två andelar; under 0,05 är skillnaden sannolikt verklig.",
    running: "pågår",
    ended: "avslutat",
    feedback_heading: "Hittade du det du sökte? – svar de senaste 30 dagarna",
    page: "Sida",
    yes: "Ja",
    no: "Nej",
    comments: "Kommentarer (personnummer och e-postadresser är maskerade)",
    none: "Inga ännu.",
};

const ENGLISH: Texts = Texts {
    title: "Brand, button and evaluation",
    back: "Back to the campaigns",
    fix: "Correct the form and try again.",
    brand_heading: "The sender's page",
    message: "Message in Swedish",
    message_en: "Message in English (optional)",
    message_hint: "One line, at most 160 characters. Shown under your name on the deep link.",
    logo: "Logo (optional)",
    logo_hint: "SVG or PNG, at most 24 kB.",
    alt: "Alt text for the logo",
    alt_en: "Alt text in English (optional)",
    alt_hint: "Required with a new logo, for example the sender's name.",
    save: "Save",
    landing: "Deep link",
    button: "Button and link for your website",
    button_visits: "Visits through the button in the last 30 days",
    ab_heading: "A/B test of the message",
    ab_intro: "Visitors of the deep link get variant A or B, without cookies. The share who \
               choose a mailbox operator is compared.",
    name: "Name",
    sender: "Sender",
    variant_a: "Variant A",
    variant_b: "Variant B",
    start: "Start the test",
    end: "End the test",
    variant: "Variant",
    visitors: "Visitors",
    visits: "Visits",
    choices: "Chose a mailbox operator",
    registrations: "Registrations",
    p_registrations: "p-value of the registrations",
    p_value: "p-value of the choices",
    p_hint: "Two-sided two-proportion z-test; below 0.05 the difference is probably real.",
    running: "running",
    ended: "ended",
    feedback_heading: "Did you find what you were looking for? – answers in the last 30 days",
    page: "Page",
    yes: "Yes",
    no: "No",
    comments: "Comments (personal identity numbers and e-mail addresses masked)",
    none: "None yet.",
};

pub(in crate::communicator) fn texts(language: Language) -> &'static Texts {
    match language {
        Language::Swedish => &SWEDISH,
        Language::English => &ENGLISH,
    }
}

/// One own sender: its brand form and button figures.
pub(in crate::communicator) struct SenderRow {
    pub(crate) number: String,
    pub(crate) name: String,
    pub(crate) message_sv: String,
    pub(crate) message_en: String,
    pub(crate) logo_src: Option<String>,
    pub(crate) logo_alt: String,
    pub(crate) button_visits: u64,
}

impl SenderRow {
    pub(in crate::communicator) fn new(
        sender: &OrganisationNumber,
        name: String,
        brand: Option<&SenderBrand>,
        button_visits: u64,
        language: Language,
    ) -> Self {
        let logo = brand.and_then(|brand| brand.logo.as_ref());
        Self {
            number: sender.as_str().to_owned(),
            name,
            message_sv: brand
                .map(|brand| brand.message_sv.clone())
                .unwrap_or_default(),
            message_en: brand
                .map(|brand| brand.message_en.clone())
                .unwrap_or_default(),
            logo_src: logo.map(|_| format!("/avsandare/{}/logotyp", sender.as_str())),
            logo_alt: logo
                .map(|logo| match language {
                    Language::Swedish => logo.alt_sv.clone(),
                    Language::English => logo.alt_en.clone(),
                })
                .unwrap_or_default(),
            button_visits,
        }
    }
}

/// One A/B test with its figures.
pub(in crate::communicator) struct AbTestRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) sender: String,
    pub(crate) variants: [String; 2],
    pub(crate) counts: [VariantCounts; 2],
    pub(crate) p_value: Option<String>,
    /// Registrations the registry counted per variant; `None` when it could not be asked.
    pub(crate) registrations: Option<[u64; 2]>,
    pub(crate) p_registrations: Option<String>,
    pub(crate) is_running: bool,
}

#[derive(Template)]
#[template(path = "communicator_network.html")]
pub(in crate::communicator) struct NetworkPage {
    pub(crate) chrome: Chrome,
    pub(crate) t: &'static Texts,
    pub(crate) csrf: String,
    pub(crate) lang_query: &'static str,
    /// What to fix: `message`, `logo`, `alt`, `ab_test`, `ab_test_running`, `form`.
    pub(crate) problem: Option<&'static str>,
    pub(crate) senders: Vec<SenderRow>,
    pub(crate) tests: Vec<AbTestRow>,
    pub(crate) feedback_counts: Vec<FeedbackCount>,
    pub(crate) comments: Vec<Feedback>,
}
