//! The words of the export and log pages in Swedish and English (TERMS.md words only), kept
//! beside the pages rather than in the shared `texts.rs`, whose fields belong to other pages.

use kuvert_web::i18n::Language;

/// Every fixed text of the export and log pages in one language.
pub(in crate::http) struct ExportTexts {
    pub(in crate::http) export_heading: &'static str,
    pub(in crate::http) export_intro: &'static str,
    pub(in crate::http) export_contents: &'static str,
    pub(in crate::http) export_check: &'static str,
    pub(in crate::http) export_logged: &'static str,
    pub(in crate::http) export_company: &'static str,
    pub(in crate::http) export_button: &'static str,
    pub(in crate::http) export_too_large: &'static str,
    pub(in crate::http) audit_heading: &'static str,
    pub(in crate::http) audit_intro: &'static str,
    pub(in crate::http) audit_caption: &'static str,
    pub(in crate::http) audit_empty: &'static str,
    pub(in crate::http) column_who: &'static str,
    pub(in crate::http) column_when: &'static str,
    pub(in crate::http) column_what: &'static str,
    pub(in crate::http) column_mailbox: &'static str,
    pub(in crate::http) opened_letter: &'static str,
    pub(in crate::http) opened_attachment: &'static str,
    pub(in crate::http) exported_letter: &'static str,
    pub(in crate::http) from_sender: &'static str,
    pub(in crate::http) own_mailbox: &'static str,
    pub(in crate::http) company_mailbox: &'static str,
    pub(in crate::http) you: &'static str,
    pub(in crate::http) export_link: &'static str,
    pub(in crate::http) audit_link: &'static str,
}

/// Swedish, the first language.
pub(in crate::http) const SWEDISH: ExportTexts = ExportTexts {
    export_heading: "Ladda ner alla brev",
    export_intro: "Du kan ladda ner alla brev i den digitala brevlådan som en zip-fil, till \
        exempel för att spara dem själv eller ta med dem om du byter brevlåda.",
    export_contents: "För varje brev får du den förseglade försändelsen precis som den kom \
        fram, med avsändarens signatur och förmedlarens försegling, och kvittensen som \
        brevlådeoperatören gav. Filen visar vem som skickade brevet och att det inte har \
        ändrats sedan dess.",
    export_check: "Du kan kontrollera breven själv, utan internet, med programmet kuvert: \
        kuvert verify brev.zip. Filen LASMIG.txt i zip-filen förklarar hur.",
    export_logged: "Nedladdningen skrivs i loggen över öppnade brev.",
    export_company: "Du laddar ner brevlådan för företaget",
    export_button: "Ladda ner alla brev (zip)",
    export_too_large: "Brevlådan är för stor för att laddas ner på en gång. Kontakta oss.",
    audit_heading: "Logg över öppnade brev",
    audit_intro: "Här ser du varje gång ett brev eller en bilaga i brevlådan har öppnats \
        eller laddats ner: av vem, när och från vilken brevlåda. Nyast först.",
    audit_caption: "Öppnade brev och bilagor, nyast först",
    audit_empty: "Inget brev i brevlådan har öppnats ännu.",
    column_who: "Vem",
    column_when: "När (svensk tid)",
    column_what: "Vad",
    column_mailbox: "Brevlåda",
    opened_letter: "Öppnade brevet",
    opened_attachment: "Öppnade bilagan",
    exported_letter: "Laddade ner brevet",
    from_sender: "från",
    own_mailbox: "Egen brevlåda",
    company_mailbox: "Som ombud för företaget",
    you: "Du",
    export_link: "Ladda ner alla brev",
    audit_link: "Logg över öppnade brev",
};

/// English, the second language.
pub(in crate::http) const ENGLISH: ExportTexts = ExportTexts {
    export_heading: "Download all letters",
    export_intro: "You can download every letter in the digital mailbox as a zip file, for \
        example to keep them yourself or to take them along when you change mailbox.",
    export_contents: "For each letter you get the sealed delivery exactly as it arrived, with \
        the sender's signature and the intermediary's seal, and the receipt the mailbox \
        operator gave. The file shows who sent the letter and that it has not been changed \
        since.",
    export_check: "You can check the letters yourself, offline, with the kuvert program: \
        kuvert verify brev.zip. The file LASMIG.txt in the zip file explains how.",
    export_logged: "The download is written to the log of opened letters.",
    export_company: "You are downloading the mailbox of the company",
    export_button: "Download all letters (zip)",
    export_too_large: "The mailbox is too large to download at once. Please contact us.",
    audit_heading: "Log of opened letters",
    audit_intro: "Here you see every time a letter or an attachment in the mailbox was \
        opened or downloaded: by whom, when and from which mailbox. Newest first.",
    audit_caption: "Opened letters and attachments, newest first",
    audit_empty: "No letter in the mailbox has been opened yet.",
    column_who: "Who",
    column_when: "When (Swedish time)",
    column_what: "What",
    column_mailbox: "Mailbox",
    opened_letter: "Opened the letter",
    opened_attachment: "Opened the attachment",
    exported_letter: "Downloaded the letter",
    from_sender: "from",
    own_mailbox: "Own mailbox",
    company_mailbox: "As representative of the company",
    you: "You",
    export_link: "Download all letters",
    audit_link: "Log of opened letters",
};

/// The texts of `language`.
pub(in crate::http) fn export_texts(language: Language) -> &'static ExportTexts {
    match language {
        Language::Swedish => &SWEDISH,
        Language::English => &ENGLISH,
    }
}
