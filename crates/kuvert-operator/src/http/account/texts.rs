//! The account pages' words in Swedish and English (TERMS.md words only), kept beside the
//! pages rather than in the shared `texts.rs`, whose other fields belong to other pages.

use kuvert_core::plural::Plural;
use kuvert_web::i18n::Language;

/// Every fixed text of the account pages in one language.
pub(in crate::http) struct AccountTexts {
    pub(in crate::http) rules_heading: &'static str,
    pub(in crate::http) rules_intro: &'static str,
    pub(in crate::http) rules_legend: &'static str,
    pub(in crate::http) rules_none: &'static str,
    pub(in crate::http) sign_and_save: &'static str,
    pub(in crate::http) saved: &'static str,
    pub(in crate::http) move_heading: &'static str,
    pub(in crate::http) move_intro: &'static str,
    pub(in crate::http) move_legend: &'static str,
    pub(in crate::http) move_button: &'static str,
    pub(in crate::http) move_none: &'static str,
    pub(in crate::http) move_here_heading: &'static str,
    pub(in crate::http) move_here_intro: &'static str,
    pub(in crate::http) moved_notice: &'static str,
    pub(in crate::http) old_letters_notice: &'static str,
    pub(in crate::http) no_mailbox_notice: &'static str,
    pub(in crate::http) deregister_heading: &'static str,
    pub(in crate::http) deregister_intro: &'static str,
    pub(in crate::http) deregister_paper: &'static str,
    pub(in crate::http) deregister_letters: &'static str,
    pub(in crate::http) deregister_button: &'static str,
    pub(in crate::http) deregistered: &'static str,
    pub(in crate::http) not_registered_here: &'static str,
    pub(in crate::http) registry_refused: &'static str,
    pub(in crate::http) signature_refused: &'static str,
    pub(in crate::http) registry_unavailable: &'static str,
    pub(in crate::http) signing_cancelled: &'static str,
    pub(in crate::http) company_heading: &'static str,
    pub(in crate::http) company_intro: &'static str,
    pub(in crate::http) company_number_label: &'static str,
    pub(in crate::http) company_number_hint: &'static str,
    pub(in crate::http) company_continue: &'static str,
    pub(in crate::http) company_invalid_number: &'static str,
    pub(in crate::http) company_unknown: &'static str,
    pub(in crate::http) company_not_signatory: &'static str,
    pub(in crate::http) company_rule_label: &'static str,
    pub(in crate::http) company_signatories_heading: &'static str,
    pub(in crate::http) company_has_signed: &'static str,
    pub(in crate::http) company_has_not_signed: &'static str,
    pub(in crate::http) company_state_none: &'static str,
    pub(in crate::http) company_state_pending: &'static str,
    pub(in crate::http) company_signatures_done: Plural,
    pub(in crate::http) company_of: &'static str,
    pub(in crate::http) company_more_needed: &'static str,
    pub(in crate::http) company_state_active: &'static str,
    pub(in crate::http) company_state_elsewhere: &'static str,
    pub(in crate::http) company_pending_elsewhere: &'static str,
    pub(in crate::http) company_sign_button: &'static str,
    pub(in crate::http) company_you_signed: &'static str,
    pub(in crate::http) company_open: &'static str,
    pub(in crate::http) company_link: &'static str,
    pub(in crate::http) back_to_settings: &'static str,
    pub(in crate::http) try_again: &'static str,
}

pub(in crate::http) const SWEDISH: AccountTexts = AccountTexts {
    rules_heading: "Mottagningsregler",
    rules_intro: "Här väljer du vilka avsändare du vill få digital post från. Post från en \
        avsändare som du väljer bort kommer som pappersutskick. Du signerar ändringen med \
        e-legitimation.",
    rules_legend: "Avsändare som du tar emot digital post från",
    rules_none: "Inga avsändare är anslutna just nu.",
    sign_and_save: "Signera med e-legitimation och spara",
    saved: "Sparat. Dina mottagningsregler är ändrade.",
    move_heading: "Byt brevlåda",
    move_intro: "Du kan flytta din digitala brevlåda till en annan brevlådeoperatör. Du \
        signerar flytten med e-legitimation hos den nya brevlådeoperatören. Dina gamla brev \
        finns kvar här och du kan fortfarande läsa och ladda ner dem.",
    move_legend: "Välj brevlådeoperatör",
    move_button: "Fortsätt till den nya brevlådeoperatören",
    move_none: "Det finns ingen annan brevlådeoperatör att byta till.",
    move_here_heading: "Byt brevlåda hit",
    move_here_intro: "Du har en digital brevlåda hos en annan brevlådeoperatör. Signera med \
        e-legitimation för att byta brevlåda hit.",
    moved_notice: "Din digitala brevlåda finns nu hos",
    old_letters_notice: "här kan du fortfarande läsa och ladda ner dina gamla brev.",
    no_mailbox_notice: "Du har ingen digital brevlåda just nu. Post från avsändare kommer \
        som pappersutskick. Här kan du fortfarande läsa och ladda ner dina gamla brev.",
    deregister_heading: "Avregistrera",
    deregister_intro: "Om du avregistrerar dig tas din profil bort från \
        Förmedlingsadressregistret och du har inte längre någon digital brevlåda.",
    deregister_paper: "All post från avsändare kommer då som pappersutskick.",
    deregister_letters: "Dina gamla brev finns kvar här. Du kan fortfarande logga in och \
        läsa och ladda ner dem.",
    deregister_button: "Signera med e-legitimation och avregistrera",
    deregistered: "Du är avregistrerad. Post från avsändare kommer nu som pappersutskick. \
        Dina gamla brev finns kvar här.",
    not_registered_here: "Du har ingen digital brevlåda hos oss, så det finns inget att \
        ändra här.",
    registry_refused: "Förmedlingsadressregistret godtog inte ändringen. Ingenting har \
        ändrats. Försök igen.",
    signature_refused: "Förmedlingsadressregistret godtog inte signaturen. Ingenting har \
        ändrats. Börja om och signera med din egen e-legitimation: en signatur gäller bara för \
        den här ändringen, en gång och i tio minuter.",
    registry_unavailable: "Förmedlingsadressregistret kunde inte nås. Ingenting har \
        ändrats. Försök igen senare.",
    signing_cancelled: "Signeringen avbröts. Ingenting har ändrats.",
    company_heading: "Företagets digitala brevlåda",
    company_intro: "Är du firmatecknare för ett aktiebolag, handelsbolag, kommanditbolag, \
        en ekonomisk förening eller en bostadsrättsförening kan du skaffa en digital \
        brevlåda åt företaget. När tillräckligt många firmatecknare har signerat med \
        e-legitimation öppnas brevlådan.",
    company_number_label: "Organisationsnummer",
    company_number_hint: "Tio siffror, till exempel 556677-8899.",
    company_continue: "Fortsätt",
    company_invalid_number: "Organisationsnumret är inte giltigt.",
    company_unknown: "Förmedlingsadressregistret känner inte till företagets firmatecknare, \
        eller så kan företagsformen inte ha en digital brevlåda.",
    company_not_signatory: "Du är inte firmatecknare för företaget.",
    company_rule_label: "Firmateckning",
    company_signatories_heading: "Firmatecknare",
    company_has_signed: "har signerat",
    company_has_not_signed: "har inte signerat",
    company_state_none: "Företaget har ingen digital brevlåda.",
    company_state_pending: "Registreringen väntar på fler firmatecknare.",
    company_signatures_done: Plural::new("signatur klar", "signaturer klara"),
    company_of: "av",
    company_more_needed: "Antal firmatecknare som ännu behöver signera:",
    company_state_active: "Företagets digitala brevlåda är öppnad här.",
    company_state_elsewhere: "Företaget har en digital brevlåda hos en annan \
        brevlådeoperatör.",
    company_pending_elsewhere: "Registreringen gäller en annan brevlådeoperatör.",
    company_sign_button: "Signera med e-legitimation",
    company_you_signed: "Du har signerat.",
    company_open: "Öppna företagets brevlåda",
    company_link: "Företagets digitala brevlåda",
    back_to_settings: "Tillbaka till inställningar",
    try_again: "Försök igen",
};

pub(in crate::http) const ENGLISH: AccountTexts = AccountTexts {
    rules_heading: "Reception rules",
    rules_intro: "Here you choose which senders you receive digital mail from. Mail from a \
        sender you deselect comes as paper mail. You sign the change with e-ID.",
    rules_legend: "Senders you receive digital mail from",
    rules_none: "No senders are connected at the moment.",
    sign_and_save: "Sign with e-ID and save",
    saved: "Saved. Your reception rules have changed.",
    move_heading: "Change mailbox",
    move_intro: "You can move your digital mailbox to another mailbox operator. You sign the \
        move with e-ID at the new mailbox operator. Your old letters stay here and you can \
        still read and download them.",
    move_legend: "Choose a mailbox operator",
    move_button: "Continue to the new mailbox operator",
    move_none: "There is no other mailbox operator to change to.",
    move_here_heading: "Change mailbox to us",
    move_here_intro: "You have a digital mailbox at another mailbox operator. Sign with e-ID \
        to change mailbox to us.",
    moved_notice: "Your digital mailbox is now at",
    old_letters_notice: "here you can still read and download your old letters.",
    no_mailbox_notice: "You have no digital mailbox at the moment. Mail from senders comes \
        as paper mail. Here you can still read and download your old letters.",
    deregister_heading: "Deregister",
    deregister_intro: "If you deregister, your profile is removed from the registry \
        (Förmedlingsadressregistret) and you no longer have a digital mailbox.",
    deregister_paper: "All mail from senders then comes as paper mail.",
    deregister_letters: "Your old letters stay here. You can still log in and read and \
        download them.",
    deregister_button: "Sign with e-ID and deregister",
    deregistered: "You are deregistered. Mail from senders now comes as paper mail. Your \
        old letters stay here.",
    not_registered_here: "You have no digital mailbox with us, so there is nothing to change \
        here.",
    registry_refused: "The registry did not accept the change. Nothing has changed. Try \
        again.",
    signature_refused: "The registry did not accept the signature. Nothing has changed. \
        Start again and sign with your own e-ID: a signature is valid only for this change, \
        once, and for ten minutes.",
    registry_unavailable: "The registry could not be reached. Nothing has changed. Try again \
        later.",
    signing_cancelled: "The signing was cancelled. Nothing has changed.",
    company_heading: "The company's digital mailbox",
    company_intro: "If you are an authorised signatory of a limited company, trading \
        partnership, limited partnership, economic association or housing cooperative, you \
        can get a digital mailbox for the company. It opens when enough authorised \
        signatories have signed with e-ID.",
    company_number_label: "Organisation number",
    company_number_hint: "Ten digits, for example 556677-8899.",
    company_continue: "Continue",
    company_invalid_number: "The organisation number is not valid.",
    company_unknown: "The registry does not know the company's authorised signatories, or \
        the company's form cannot have a digital mailbox.",
    company_not_signatory: "You are not an authorised signatory of the company.",
    company_rule_label: "Signatory rule",
    company_signatories_heading: "Authorised signatories",
    company_has_signed: "has signed",
    company_has_not_signed: "has not signed",
    company_state_none: "The company has no digital mailbox.",
    company_state_pending: "The registration is waiting for more authorised signatories.",
    company_signatures_done: Plural::new("signature done", "signatures done"),
    company_of: "of",
    company_more_needed: "Authorised signatories who still need to sign:",
    company_state_active: "The company's digital mailbox is open here.",
    company_state_elsewhere: "The company has a digital mailbox at another mailbox operator.",
    company_pending_elsewhere: "The registration is for another mailbox operator.",
    company_sign_button: "Sign with e-ID",
    company_you_signed: "You have signed.",
    company_open: "Open the company's mailbox",
    company_link: "The company's digital mailbox",
    back_to_settings: "Back to settings",
    try_again: "Try again",
};

/// The account texts of `language`.
pub(in crate::http) fn account_texts(language: Language) -> &'static AccountTexts {
    match language {
        Language::Swedish => &SWEDISH,
        Language::English => &ENGLISH,
    }
}
