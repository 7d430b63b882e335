//! The words of a notification (*avisering*, TERMS.md): "you have a new letter from X, in your
//! digital mailbox at this operator; log in with e-ID here". Swedish first, then English.
//! Never the letter's subject or content: the notification is built only from the senders'
//! names, the operator's name and the inbox address. Several letters within an hour become one
//! summary naming the senders ([`Senders`]). The e-mails end with the three main messages of
//! `TERMS.md` in each language, an SMS with their one line when it fits (issue 13 §6). The
//! confirmation code messages are here too.

use kuvert_core::limits::{
    CONFIRMATION_CODE_MINUTES_MAX, NOTIFICATION_SENDERS_NAMED_MAX, SMS_TEXT_CHARS_MAX,
};
use kuvert_web::i18n::Language;
use kuvert_web::main_messages::{SWEDISH_LINE, footer};

/// What one notification e-mail says in one language, inside the frame every one of them
/// shares ([`NotificationText::email`]): one letter and a summary differ only in these words.
struct EmailWords {
    /// The news: who sent how many letters.
    news: String,
    /// Where the letters are, up to "in your digital mailbox" ("De finns", "It is").
    place: &'static str,
    /// The letters as the object of "to read".
    it: &'static str,
    /// The letters as what the notification does not contain.
    letter: &'static str,
}

/// What every notification of one operator names besides the sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationText {
    /// The operator's name ("Demobrevlådan").
    pub operator_name: String,
    /// The web inbox's public URL.
    pub inbox_url: String,
}

impl NotificationText {
    /// The e-mail subject.
    #[must_use]
    pub fn email_subject(&self, sender_name: &str) -> String {
        format!("Du har fått ett nytt brev från {sender_name}")
    }

    /// The e-mail body, Swedish then English, in short lines (so it can travel as 8-bit
    /// text that every mail program shows as written).
    #[must_use]
    pub fn email_body(&self, sender_name: &str) -> String {
        self.email(
            EmailWords {
                news: format!("Du har fått ett nytt brev från {sender_name}."),
                place: "Det finns",
                it: "det",
                letter: "brevet",
            },
            EmailWords {
                news: format!("You have a new letter from {sender_name}."),
                place: "It is",
                it: "it",
                letter: "the letter",
            },
        )
    }

    /// The SMS text, at most `SMS_TEXT_CHARS_MAX` characters: the sender's name is cut
    /// when the whole would be longer.
    #[must_use]
    pub fn sms(&self, sender_name: &str) -> String {
        let compose = |name: &str| {
            format!(
                "Nytt brev från {name} i din digitala brevlåda hos {}. \
                 Logga in med e-legitimation: {}",
                self.operator_name, self.inbox_url
            )
        };
        let full = compose(sender_name);
        if let Some(with_line) = with_main_messages(&full) {
            return with_line;
        }
        let excess = full.chars().count().saturating_sub(SMS_TEXT_CHARS_MAX);
        if excess == 0 {
            return full;
        }
        let kept = sender_name.chars().count().saturating_sub(excess + 1);
        let short_name: String = sender_name.chars().take(kept).chain(['…']).collect();
        compose(&short_name)
            .chars()
            .take(SMS_TEXT_CHARS_MAX)
            .collect()
    }

    /// The subject of a summary of several letters.
    #[must_use]
    pub fn summary_email_subject(&self, senders: &Senders) -> String {
        format!("Du har fått {} nya brev", senders.letters)
    }

    /// The body of a summary: how many letters, from whom, where; Swedish then English.
    #[must_use]
    pub fn summary_email_body(&self, senders: &Senders) -> String {
        let letters = senders.letters;
        self.email(
            EmailWords {
                news: format!("Du har fått {letters} nya brev från {}.", senders.swedish()),
                place: "De finns",
                it: "dem",
                letter: "breven",
            },
            EmailWords {
                news: format!("You have {letters} new letters from {}.", senders.english()),
                place: "They are",
                it: "them",
                letter: "the letters",
            },
        )
    }

    /// A summary SMS, at most `SMS_TEXT_CHARS_MAX` characters: fewer senders are named
    /// ("och N till") until it fits, or none when not even one fits.
    #[must_use]
    pub fn summary_sms(&self, senders: &Senders) -> String {
        let compose = |names: &str| {
            format!(
                "{} nya brev från {names} i din digitala brevlåda hos {}. \
                 Logga in med e-legitimation: {}",
                senders.letters, self.operator_name, self.inbox_url
            )
        };
        for named in (1..=senders.names.len()).rev() {
            let text = compose(&senders.swedish_naming(named));
            if text.chars().count() <= SMS_TEXT_CHARS_MAX {
                return with_main_messages(&text).unwrap_or(text);
            }
        }
        let unnamed = format!(
            "{} nya brev i din digitala brevlåda hos {}. \
             Logga in med e-legitimation: {}",
            senders.letters, self.operator_name, self.inbox_url
        );
        unnamed.chars().take(SMS_TEXT_CHARS_MAX).collect()
    }

    /// The e-mail carrying a confirmation code: subject and body, Swedish then English.
    #[must_use]
    pub fn code_email(&self, code: &str) -> (String, String) {
        let operator = &self.operator_name;
        let minutes = CONFIRMATION_CODE_MINUTES_MAX;
        let subject = format!("Din kod för avisering från {operator}");
        let body = format!(
            "Hej!\n\n\
             Din kod är {code}\n\n\
             Skriv in den under Inställningar i din digitala\n\
             brevlåda hos {operator} inom {minutes} minuter.\n\
             Då får du en avisering hit när du har fått ett brev.\n\
             Har du inte bett om koden kan du bortse från det här.\n\n\
             ---\n\n\
             Hello,\n\n\
             Your code is {code}\n\n\
             Enter it under Settings in your digital mailbox\n\
             at {operator} within {minutes} minutes.\n\
             Then you get a notification here when you have a letter.\n\
             If you did not ask for the code, you can ignore this.\n"
        );
        (subject, body)
    }

    /// The SMS carrying a confirmation code.
    #[must_use]
    pub fn code_sms(&self, code: &str) -> String {
        let text = format!(
            "Din kod för avisering från {}: {code}. Skriv in den under Inställningar inom {} \
             minuter.",
            self.operator_name, CONFIRMATION_CODE_MINUTES_MAX
        );
        text.chars().take(SMS_TEXT_CHARS_MAX).collect()
    }

    /// An e-mail body, Swedish then English, in short lines (so it can travel as 8-bit text
    /// that every mail program shows as written), each language ending with its main
    /// messages.
    fn email(&self, swedish: EmailWords, english: EmailWords) -> String {
        let operator = &self.operator_name;
        let url = &self.inbox_url;
        format!(
            "Hej!\n\n\
             {sv_news}\n\
             {sv_place} i din digitala brevlåda hos {operator}.\n\
             Logga in med e-legitimation på {url}\n\
             för att läsa {sv_it}.\n\n\
             Den här aviseringen innehåller inte {sv_letter}.\n\n\
             {sv_footer}\n\
             ---\n\n\
             Hello,\n\n\
             {en_news}\n\
             {en_place} in your digital mailbox at {operator}.\n\
             Log in with e-ID at {url}\n\
             to read {en_it}.\n\n\
             This notification does not contain {en_letter}.\n\n\
             {en_footer}",
            sv_news = swedish.news,
            sv_place = swedish.place,
            sv_it = swedish.it,
            sv_letter = swedish.letter,
            sv_footer = footer(Language::Swedish),
            en_news = english.news,
            en_place = english.place,
            en_it = english.it,
            en_letter = english.letter,
            en_footer = footer(Language::English),
        )
    }
}

/// The senders of the letters one summary announces: distinct names in order of arrival, at
/// most `NOTIFICATION_SENDERS_NAMED_MAX` of them named, the rest counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Senders {
    names: Vec<String>,
    unnamed: usize,
    letters: usize,
}

impl Senders {
    /// The senders of the letters, one name per letter, in order of arrival.
    #[must_use]
    pub fn new<'a>(sender_names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut distinct: Vec<&str> = Vec::new();
        let mut letters = 0;
        for name in sender_names {
            letters += 1;
            if !distinct.contains(&name) {
                distinct.push(name);
            }
        }
        let named = distinct.len().min(NOTIFICATION_SENDERS_NAMED_MAX);
        Self {
            names: distinct
                .iter()
                .take(named)
                .map(|name| (*name).to_owned())
                .collect(),
            unnamed: distinct.len() - named,
            letters,
        }
    }

    /// How many letters.
    #[must_use]
    pub fn letters(&self) -> usize {
        self.letters
    }

    /// "A, B och C" or "A, B och 3 till".
    #[must_use]
    pub fn swedish(&self) -> String {
        self.swedish_naming(self.names.len())
    }

    /// "A, B and C" or "A, B and 3 more".
    #[must_use]
    pub fn english(&self) -> String {
        self.naming(self.names.len(), "and", "more")
    }

    fn swedish_naming(&self, named: usize) -> String {
        self.naming(named, "och", "till")
    }

    /// The first `named` names joined with commas and `and`, the rest counted.
    fn naming(&self, named: usize, and: &str, more: &str) -> String {
        let named = named.clamp(1, self.names.len().max(1));
        let shown: Vec<&str> = self.names.iter().take(named).map(String::as_str).collect();
        let rest = self.names.len().saturating_sub(named) + self.unnamed;
        match (shown.as_slice(), rest) {
            ([], _) => String::new(),
            ([first], 0) => (*first).to_owned(),
            (all, 0) => {
                let (last, before) = all.split_last().unwrap_or((&"", &[]));
                format!("{} {and} {last}", before.join(", "))
            }
            (all, rest) => format!("{} {and} {rest} {more}", all.join(", ")),
        }
    }
}

/// `text` followed by the main messages' line ("Säkert, praktiskt, miljövänligt och
/// billigt.") when both fit in one SMS; `None` when they do not, so the sender's name is
/// never cut for the line's sake.
fn with_main_messages(text: &str) -> Option<String> {
    let with_line = format!("{text} {SWEDISH_LINE}");
    (with_line.chars().count() <= SMS_TEXT_CHARS_MAX).then_some(with_line)
}
