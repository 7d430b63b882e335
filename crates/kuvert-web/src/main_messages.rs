//! The three main messages (*huvudbudskap*, `TERMS.md`), in their order and their words, for
//! every place the service is explained: the portal's start page, the operators' start and
//! sign-up pages, the notification e-mail and SMS, and the paper-letter text. One table, so
//! the words cannot drift apart between the places people meet them.

use crate::i18n::Language;

/// One main message: its heading ("Säkert") and what it promises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MainMessage {
    /// The heading, as `TERMS.md` writes it.
    pub heading: &'static str,
    /// The sentences after the heading.
    pub text: &'static str,
}

/// The messages in Swedish, in `TERMS.md`'s order.
pub const SWEDISH: [MainMessage; 3] = [
    MainMessage {
        heading: "Säkert",
        text: "Ingen annan kommer åt din post. Du loggar in med e-legitimation. Brev kan inte \
               komma bort.",
    },
    MainMessage {
        heading: "Praktiskt",
        text: "Breven finns kvar på ett ställe och du kan läsa dem var du än är. Du får en \
               avisering via e-post eller sms när du har fått ett brev.",
    },
    MainMessage {
        heading: "Miljövänligt och billigt",
        text: "Tillsammans sparar vi på miljön och på tryck- och portokostnader.",
    },
];

/// The messages in English, in `TERMS.md`'s order.
pub const ENGLISH: [MainMessage; 3] = [
    MainMessage {
        heading: "Secure",
        text: "Nobody else can reach your mail. You log in with e-ID. Letters cannot get lost.",
    },
    MainMessage {
        heading: "Practical",
        text: "Your letters stay in one place and you can read them wherever you are. You get \
               a notification by e-mail or SMS.",
    },
    MainMessage {
        heading: "Green and cheap",
        text: "Together we save the environment and printing and postage costs.",
    },
];

/// The three headings as one line, for where only a line fits (an SMS, a paper letter):
/// "Säkert, praktiskt, miljövänligt och billigt."
pub const SWEDISH_LINE: &str = "Säkert, praktiskt, miljövänligt och billigt.";

/// [`SWEDISH_LINE`] in English.
pub const ENGLISH_LINE: &str = "Secure, practical, green and cheap.";

/// The messages in `language`.
#[must_use]
pub fn main_messages(language: Language) -> &'static [MainMessage; 3] {
    match language {
        Language::Swedish => &SWEDISH,
        Language::English => &ENGLISH,
    }
}

/// The headings as one line in `language`.
#[must_use]
pub fn one_line(language: Language) -> &'static str {
    match language {
        Language::Swedish => SWEDISH_LINE,
        Language::English => ENGLISH_LINE,
    }
}

/// The messages as a plain-text footer ("Säkert – Ingen annan …"), one paragraph per message
/// in lines of at most [`FOOTER_LINE_BYTES`] bytes, for an e-mail that travels as 8-bit text.
#[must_use]
pub fn footer(language: Language) -> String {
    main_messages(language)
        .iter()
        .map(|message| wrap(&format!("{} – {}", message.heading, message.text)))
        .collect()
}

/// The longest line [`footer`] writes, in bytes (mail lines stay under 78 characters).
pub const FOOTER_LINE_BYTES: usize = 72;

/// `text` broken at spaces into lines of at most [`FOOTER_LINE_BYTES`] bytes (a longer word
/// keeps its own line), each ending in `\n`.
fn wrap(text: &str) -> String {
    let mut wrapped = String::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.len() + 1 + word.len() > FOOTER_LINE_BYTES {
            wrapped.push_str(&line);
            wrapped.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    wrapped.push_str(&line);
    wrapped.push('\n');
    wrapped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_names_each_heading_in_order() {
        for language in [Language::Swedish, Language::English] {
            let line = one_line(language).to_lowercase();
            let mut from = 0;
            for message in main_messages(language) {
                let at = line[from..].find(&message.heading.to_lowercase()).unwrap();
                from += at + message.heading.len();
            }
        }
    }

    #[test]
    fn footer_says_every_message_in_short_lines() {
        for language in [Language::Swedish, Language::English] {
            let footer = footer(language);
            assert!(footer.lines().all(|line| line.len() <= FOOTER_LINE_BYTES));
            let joined = footer.replace('\n', " ");
            for message in main_messages(language) {
                let paragraph = format!("{} – {}", message.heading, message.text);
                assert!(joined.contains(&paragraph), "{footer}");
            }
        }
        assert!(footer(Language::Swedish).starts_with("Säkert – Ingen annan kommer åt din post."));
    }
}
