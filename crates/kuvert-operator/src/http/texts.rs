//! The inbox's words in Swedish and English, from TERMS.md only, and the middleware that
//! remembers a `?lang=` choice in a cookie so every following page keeps the language.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use kuvert_core::plural::Plural;
use kuvert_web::i18n::{LANGUAGE_PARAMETER, Language};
use kuvert_web::main_messages::{self, MainMessage};
use kuvert_web::session::{CookieAttributes, append_set_cookie};

use super::InboxState;

/// How long the browser keeps the language choice: a year.
const LANGUAGE_COOKIE_MAX_AGE: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// Every fixed text of the inbox pages in one language.
pub(super) struct Texts {
    pub(super) service_name: &'static str,
    pub(super) skip_link: &'static str,
    pub(super) nav_label: &'static str,
    pub(super) nav_inbox: &'static str,
    pub(super) nav_settings: &'static str,
    pub(super) nav_signup: &'static str,
    pub(super) logout: &'static str,
    pub(super) login: &'static str,
    pub(super) logged_in_as: &'static str,
    pub(super) other_language: &'static str,
    pub(super) other_language_code: &'static str,
    pub(super) start_heading: &'static str,
    pub(super) start_intro: &'static str,
    /// The three main messages of `TERMS.md` (one table for every place, `kuvert_web`).
    pub(super) main_messages: &'static [MainMessage; 3],
    pub(super) inbox_heading: &'static str,
    pub(super) mailbox_choice_label: &'static str,
    pub(super) own_mailbox: &'static str,
    pub(super) company_mailbox: &'static str,
    pub(super) switch_mailbox: &'static str,
    pub(super) folders_label: &'static str,
    pub(super) inbox_folder: &'static str,
    pub(super) archive_folder: &'static str,
    pub(super) archive: &'static str,
    pub(super) unarchive: &'static str,
    pub(super) unread_count: Plural,
    pub(super) letters_caption: &'static str,
    pub(super) column_sender: &'static str,
    pub(super) column_subject: &'static str,
    pub(super) column_date: &'static str,
    pub(super) unread_mark: &'static str,
    pub(super) inbox_empty: &'static str,
    pub(super) pages_label: &'static str,
    pub(super) page_word: &'static str,
    pub(super) previous_page: &'static str,
    pub(super) next_page: &'static str,
    pub(super) sender_label: &'static str,
    pub(super) received_label: &'static str,
    pub(super) proof_heading: &'static str,
    pub(super) proof_intro: &'static str,
    pub(super) signed_by_label: &'static str,
    pub(super) sealed_by_label: &'static str,
    pub(super) organisation_number: &'static str,
    pub(super) support_heading: &'static str,
    pub(super) support_phone: &'static str,
    pub(super) support_email: &'static str,
    pub(super) support_url: &'static str,
    pub(super) attachments_heading: &'static str,
    pub(super) attachment_count: Plural,
    pub(super) download: &'static str,
    pub(super) mark_unread: &'static str,
    pub(super) back_to_inbox: &'static str,
    pub(super) error_heading: &'static str,
    pub(super) not_found: &'static str,
    pub(super) forbidden: &'static str,
    pub(super) internal: &'static str,
    pub(super) login_cancelled: &'static str,
    pub(super) login_failed: &'static str,
    pub(super) login_expired: &'static str,
    pub(super) try_again: &'static str,
    pub(super) signup_heading: &'static str,
    pub(super) signup_intro: &'static str,
    pub(super) agreement_heading: &'static str,
    pub(super) sign_button: &'static str,
    pub(super) signing_cancelled: &'static str,
    pub(super) signing_failed: &'static str,
    pub(super) registration_failed: &'static str,
    pub(super) already_registered: &'static str,
    pub(super) settings_heading: &'static str,
    pub(super) notification_heading: &'static str,
    pub(super) notification_intro: &'static str,
    pub(super) email_label: &'static str,
    pub(super) mobile_label: &'static str,
    pub(super) mobile_hint: &'static str,
    pub(super) save: &'static str,
    pub(super) remove: &'static str,
    pub(super) confirmed: &'static str,
    pub(super) not_confirmed: &'static str,
    pub(super) no_address: &'static str,
    pub(super) invalid_email: &'static str,
    pub(super) invalid_mobile: &'static str,
    pub(super) saved: &'static str,
    pub(super) failures_heading: &'static str,
    pub(super) failures_none: &'static str,
    pub(super) failure_about: &'static str,
}

pub(super) const SWEDISH: Texts = Texts {
    service_name: "Digital brevlåda",
    skip_link: "Hoppa till innehållet",
    nav_label: "Huvudmeny",
    nav_inbox: "Min brevlåda",
    nav_settings: "Inställningar",
    nav_signup: "Skaffa digital brevlåda",
    logout: "Logga ut",
    login: "Logga in med e-legitimation",
    logged_in_as: "Inloggad som",
    other_language: "In English",
    other_language_code: "en",
    start_heading: "Din digitala brevlåda",
    start_intro: "Här läser du digital post från myndigheter, kommuner och regioner.",
    main_messages: &main_messages::SWEDISH,
    inbox_heading: "Min brevlåda",
    mailbox_choice_label: "Visa brevlåda",
    own_mailbox: "Min egen brevlåda",
    company_mailbox: "Företagets brevlåda, organisationsnummer",
    switch_mailbox: "Byt brevlåda",
    folders_label: "Mappar",
    inbox_folder: "Inkorg",
    archive_folder: "Arkiv",
    archive: "Arkivera",
    unarchive: "Flytta till inkorgen",
    unread_count: Plural::new("oläst meddelande", "olästa meddelanden"),
    letters_caption: "Meddelanden, nyaste först",
    column_sender: "Avsändare",
    column_subject: "Ämne",
    column_date: "Datum",
    unread_mark: "Oläst",
    inbox_empty: "Du har inga meddelanden.",
    pages_label: "Sidor",
    page_word: "Sida",
    previous_page: "Föregående sida",
    next_page: "Nästa sida",
    sender_label: "Avsändare",
    received_label: "Mottaget",
    proof_heading: "Kontrollerat",
    proof_intro: "Brevlådeoperatören har kontrollerat avsändarens signatur och förmedlarens \
                  försegling. Brevet är detsamma som avsändaren skickade.",
    signed_by_label: "Signerat av avsändaren",
    sealed_by_label: "Förseglat av förmedlaren",
    organisation_number: "organisationsnummer",
    support_heading: "Frågor om brevet",
    support_phone: "Telefon",
    support_email: "E-post",
    support_url: "Webbplats",
    attachments_heading: "Bilagor",
    attachment_count: Plural::new("bilaga", "bilagor"),
    download: "Ladda ner",
    mark_unread: "Markera som oläst",
    back_to_inbox: "Tillbaka till min brevlåda",
    error_heading: "Något gick fel",
    not_found: "Sidan eller meddelandet finns inte.",
    forbidden: "Formuläret kunde inte tas emot. Ladda om sidan och försök igen.",
    internal: "Ett tekniskt fel inträffade. Försök igen senare. Ange felkoden om du \
        kontaktar oss:",
    login_cancelled: "Inloggningen avbröts. Du är inte inloggad.",
    login_failed: "Inloggningen med e-legitimation misslyckades. Du är inte inloggad.",
    login_expired: "Inloggningen tog för lång tid eller startades i en annan flik.",
    try_again: "Logga in igen",
    signup_heading: "Skaffa digital brevlåda",
    signup_intro: "Du har ingen digital brevlåda här ännu. Läs villkoren och signera med \
        e-legitimation för att skaffa en.",
    agreement_heading: "Villkor",
    sign_button: "Signera med e-legitimation",
    signing_cancelled: "Signeringen avbröts. Du har ingen digital brevlåda här ännu.",
    signing_failed: "Signeringen kunde inte tas emot. Försök igen.",
    registration_failed: "Förmedlingsadressregistret kunde inte registrera din profil. \
        Försök igen senare.",
    already_registered: "Du har redan en digital brevlåda här.",
    settings_heading: "Inställningar",
    notification_heading: "Avisering",
    notification_intro: "Vi skickar en avisering när du har fått ett brev. Aviseringen \
        innehåller aldrig själva meddelandet.",
    email_label: "E-postadress",
    mobile_label: "Mobilnummer",
    mobile_hint: "Med landsnummer, till exempel +46701234567.",
    save: "Spara",
    remove: "Ta bort",
    confirmed: "Bekräftad",
    not_confirmed: "Inte bekräftad",
    no_address: "Ingen angiven.",
    invalid_email: "E-postadressen är inte giltig.",
    invalid_mobile: "Mobilnumret ska börja med + och ha 8 till 15 siffror.",
    saved: "Sparat.",
    failures_heading: "Aviseringar som inte kom fram",
    failures_none: "Alla aviseringar har kommit fram.",
    failure_about: "Om brev från",
};

pub(super) const ENGLISH: Texts = Texts {
    service_name: "Digital mailbox",
    skip_link: "Skip to content",
    nav_label: "Main menu",
    nav_inbox: "My mailbox",
    nav_settings: "Settings",
    nav_signup: "Get a digital mailbox",
    logout: "Log out",
    login: "Log in with e-ID",
    logged_in_as: "Logged in as",
    other_language: "På svenska",
    other_language_code: "sv",
    start_heading: "Your digital mailbox",
    start_intro: "Here you read digital mail from agencies, municipalities and regions.",
    main_messages: &main_messages::ENGLISH,
    inbox_heading: "My mailbox",
    mailbox_choice_label: "Show mailbox",
    own_mailbox: "My own mailbox",
    company_mailbox: "The company's mailbox, organisation number",
    switch_mailbox: "Switch mailbox",
    folders_label: "Folders",
    inbox_folder: "Inbox",
    archive_folder: "Archive",
    archive: "Archive",
    unarchive: "Move to the inbox",
    unread_count: Plural::new("unread message", "unread messages"),
    letters_caption: "Messages, newest first",
    column_sender: "Sender",
    column_subject: "Subject",
    column_date: "Date",
    unread_mark: "Unread",
    inbox_empty: "You have no messages.",
    pages_label: "Pages",
    page_word: "Page",
    previous_page: "Previous page",
    next_page: "Next page",
    sender_label: "Sender",
    received_label: "Received",
    proof_heading: "Checked",
    proof_intro: "The mailbox operator has checked the sender's signature and the \
                  intermediary's seal. The letter is the one the sender sent.",
    signed_by_label: "Signed by the sender",
    sealed_by_label: "Sealed by the intermediary",
    organisation_number: "organisation number",
    support_heading: "Questions about the letter",
    support_phone: "Phone",
    support_email: "E-mail",
    support_url: "Website",
    attachments_heading: "Attachments",
    attachment_count: Plural::new("attachment", "attachments"),
    download: "Download",
    mark_unread: "Mark as unread",
    back_to_inbox: "Back to my mailbox",
    error_heading: "Something went wrong",
    not_found: "The page or message does not exist.",
    forbidden: "The form could not be accepted. Reload the page and try again.",
    internal: "A technical error occurred. Try again later. Quote this error code if you \
        contact us:",
    login_cancelled: "The login was cancelled. You are not logged in.",
    login_failed: "Logging in with e-ID failed. You are not logged in.",
    login_expired: "The login took too long or was started in another tab.",
    try_again: "Log in again",
    signup_heading: "Get a digital mailbox",
    signup_intro: "You have no digital mailbox here yet. Read the terms and sign with e-ID \
        to get one.",
    agreement_heading: "Terms",
    sign_button: "Sign with e-ID",
    signing_cancelled: "The signing was cancelled. You have no digital mailbox here yet.",
    signing_failed: "The signature could not be accepted. Try again.",
    registration_failed: "The registry could not register your profile. Try again later.",
    already_registered: "You already have a digital mailbox here.",
    settings_heading: "Settings",
    notification_heading: "Notification",
    notification_intro: "We send a notification when you have received a letter. The \
        notification never contains the message.",
    email_label: "E-mail address",
    mobile_label: "Mobile number",
    mobile_hint: "With country code, for example +46701234567.",
    save: "Save",
    remove: "Remove",
    confirmed: "Confirmed",
    not_confirmed: "Not confirmed",
    no_address: "None given.",
    invalid_email: "The e-mail address is not valid.",
    invalid_mobile: "The mobile number must start with + and have 8 to 15 digits.",
    saved: "Saved.",
    failures_heading: "Notifications that failed",
    failures_none: "All notifications have arrived.",
    failure_about: "About a letter from",
};

/// The texts of `language`.
pub(super) fn texts(language: Language) -> &'static Texts {
    match language {
        Language::Swedish => &SWEDISH,
        Language::English => &ENGLISH,
    }
}

/// Remembers a `?lang=` choice in the `lang` cookie (read by the `Language` extractor), so
/// links and form posts need not carry it. Secure when the inbox is served over https, like
/// the session cookie.
pub(super) async fn remember_language(
    State(state): State<InboxState>,
    request: Request,
    next: Next,
) -> Response {
    let chosen = request.uri().query().and_then(|query| {
        query.split('&').find_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            (name == LANGUAGE_PARAMETER).then(|| Language::from_code(value))?
        })
    });
    let mut response = next.run(request).await;
    if let Some(language) = chosen {
        let attributes = CookieAttributes {
            path: "/",
            is_secure: state.shared.settings.is_tls(),
            is_http_only: false,
        };
        let max_age = Some(LANGUAGE_COOKIE_MAX_AGE);
        let cookie = attributes.set_cookie(LANGUAGE_PARAMETER, language.code(), max_age);
        append_set_cookie(&mut response, cookie);
    }
    response
}
