//! The words of a notification (*avisering*, TERMS.md): "you have a new letter from X, in your
//! digital mailbox at this operator; log in with e-ID here". Swedish first, then English.
//! Never the letter's subject or content: the notification is built only from the sender's
//! name, the operator's name and the inbox address.

use kuvert_core::limits::SMS_TEXT_CHARS_MAX;

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
        let operator = &self.operator_name;
        let url = &self.inbox_url;
        format!(
            "Hej!\n\n\
             Du har fått ett nytt brev från {sender_name}.\n\
             Det finns i din digitala brevlåda hos {operator}.\n\
             Logga in med e-legitimation på {url}\n\
             för att läsa det.\n\n\
             Den här aviseringen innehåller inte brevet.\n\n\
             ---\n\n\
             Hello,\n\n\
             You have a new letter from {sender_name}.\n\
             It is in your digital mailbox at {operator}.\n\
             Log in with e-ID at {url}\n\
             to read it.\n\n\
             This notification does not contain the letter.\n"
        )
    }

    /// The SMS text, at most `SMS_TEXT_CHARS_MAX` characters: the sender's name is cut
    /// when the whole would be longer.
    #[must_use]
    pub fn sms(&self, sender_name: &str) -> String {
        let compose = |name: &str| {
            format!(
                "Du har fått ett nytt brev från {name} i din digitala brevlåda hos {}. \
                 Logga in med e-legitimation: {}",
                self.operator_name, self.inbox_url
            )
        };
        let full = compose(sender_name);
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
}
