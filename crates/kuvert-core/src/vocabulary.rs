//! The TERMS.md vocabulary check (`../shared/TERMS.md`): words people commonly use instead of
//! a TERMS.md word, and the word to use. One table serves the tidy test (templates and UI
//! source) and the portal's check of what communicators submit (issue 13 §3).

/// A word people commonly use instead of a TERMS.md word, and the word to use.
#[derive(Debug)]
pub struct Synonym {
    /// Lower-case text that must not start a word in UI text.
    pub wrong: &'static str,
    /// The TERMS.md word (table row named in the comment) to write instead.
    pub right: &'static str,
    /// Text right before `wrong` that makes it a different, allowed word.
    pub allowed_after: &'static [&'static str],
}

/// Synonyms of the TERMS.md table, kept conservative: each is only ever a second name for a
/// TERMS.md concept, never a word with another meaning. A match must start a word (the text
/// before it is not a letter), so inflected forms (`postlådan`, `kvittot`) are caught too.
pub const SYNONYMS: &[Synonym] = &[
    // digital brevlåda. `e-postlåda` is an e-mail inbox, a different thing (avisering).
    Synonym {
        wrong: "postlåd",
        right: "brevlåda (digital brevlåda)",
        allowed_after: &["e-"],
    },
    Synonym {
        wrong: "e-brevlåd",
        right: "digital brevlåda",
        allowed_after: &[],
    },
    Synonym {
        wrong: "digitalbrevlåd",
        right: "digital brevlåda",
        allowed_after: &[],
    },
    Synonym {
        wrong: "digital-brevlåd",
        right: "digital brevlåda",
        allowed_after: &[],
    },
    Synonym {
        wrong: "elektronisk brevlåd",
        right: "digital brevlåda",
        allowed_after: &[],
    },
    // brevlådeoperatör.
    Synonym {
        wrong: "brevlådeleverantör",
        right: "brevlådeoperatör",
        allowed_after: &[],
    },
    Synonym {
        wrong: "brevlådeförmedlare",
        right: "brevlådeoperatör",
        allowed_after: &[],
    },
    // mottagare, brevlådeinnehavare.
    Synonym {
        wrong: "brevlådeägare",
        right: "brevlådeinnehavare",
        allowed_after: &[],
    },
    // mottagningsregler.
    Synonym {
        wrong: "mottagarregler",
        right: "mottagningsregler",
        allowed_after: &[],
    },
    // byta brevlåda.
    Synonym {
        wrong: "flytta brevlåd",
        right: "byta brevlåda",
        allowed_after: &[],
    },
    Synonym {
        wrong: "flytta din brevlåd",
        right: "byta brevlåda",
        allowed_after: &[],
    },
    // avregistrera.
    Synonym {
        wrong: "avsluta brevlåd",
        right: "avregistrera",
        allowed_after: &[],
    },
    Synonym {
        wrong: "avsluta din brevlåd",
        right: "avregistrera",
        allowed_after: &[],
    },
    Synonym {
        wrong: "säga upp brevlåd",
        right: "avregistrera",
        allowed_after: &[],
    },
    // skaffa digital brevlåda.
    Synonym {
        wrong: "skapa brevlåd",
        right: "skaffa digital brevlåda",
        allowed_after: &[],
    },
    Synonym {
        wrong: "skapa en brevlåd",
        right: "skaffa digital brevlåda",
        allowed_after: &[],
    },
    Synonym {
        wrong: "skapa digital brevlåd",
        right: "skaffa digital brevlåda",
        allowed_after: &[],
    },
    Synonym {
        wrong: "skapa en digital brevlåd",
        right: "skaffa digital brevlåda",
        allowed_after: &[],
    },
    // kvittens.
    Synonym {
        wrong: "kvitto",
        right: "kvittens",
        allowed_after: &[],
    },
    // avisering.
    Synonym {
        wrong: "notis",
        right: "avisering",
        allowed_after: &[],
    },
    Synonym {
        wrong: "notifiering",
        right: "avisering",
        allowed_after: &[],
    },
    Synonym {
        wrong: "notifikation",
        right: "avisering",
        allowed_after: &[],
    },
    // bilaga.
    Synonym {
        wrong: "bifogad fil",
        right: "bilaga",
        allowed_after: &[],
    },
    Synonym {
        wrong: "bifogade filer",
        right: "bilagor",
        allowed_after: &[],
    },
    // e-legitimation.
    Synonym {
        wrong: "e-legitimering",
        right: "e-legitimation",
        allowed_after: &[],
    },
    Synonym {
        wrong: "elegitimation",
        right: "e-legitimation",
        allowed_after: &[],
    },
    Synonym {
        wrong: "elektronisk legitimation",
        right: "e-legitimation",
        allowed_after: &[],
    },
    // personnummer, organisationsnummer.
    Synonym {
        wrong: "personnr",
        right: "personnummer",
        allowed_after: &[],
    },
    Synonym {
        wrong: "organisationsnr",
        right: "organisationsnummer",
        allowed_after: &[],
    },
    Synonym {
        wrong: "orgnr",
        right: "organisationsnummer",
        allowed_after: &[],
    },
    // English column: mailbox operator, e-ID.
    Synonym {
        wrong: "mailbox provider",
        right: "mailbox operator",
        allowed_after: &[],
    },
    Synonym {
        wrong: "mailbox supplier",
        right: "mailbox operator",
        allowed_after: &[],
    },
    Synonym {
        wrong: "electronic identification",
        right: "e-ID",
        allowed_after: &[],
    },
];

/// Every [`SYNONYMS`] entry that starts a word in `text` (case-insensitive), once per
/// occurrence, in table order.
#[must_use]
pub fn synonyms_in(text: &str) -> Vec<&'static Synonym> {
    let lower = text.to_lowercase();
    let mut found = Vec::new();
    for synonym in SYNONYMS {
        for (at, _) in lower.match_indices(synonym.wrong) {
            let before = &lower[..at];
            let is_word_start = !before
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric);
            let is_other_word = synonym
                .allowed_after
                .iter()
                .any(|prefix| before.ends_with(prefix));
            if is_word_start && !is_other_word {
                found.push(synonym);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::synonyms_in;

    #[test]
    fn synonyms_are_found_at_word_start_only() {
        assert_eq!(synonyms_in("Din Postlåda hos oss").len(), 1);
        assert_eq!(synonyms_in("skicka till din e-postlåda").len(), 0);
        assert_eq!(synonyms_in("ett sms-kvitto, ett kvitto").len(), 2);
        assert_eq!(synonyms_in("Du får en avisering").len(), 0);
        assert_eq!(
            synonyms_in("en notis").first().map(|s| s.right),
            Some("avisering")
        );
    }
}
