//! [`MaskedComment`]: a free-text comment from the portal's page feedback ("Hittade du det du
//! sökte?") with what could identify a person masked, so that it may be stored (issue 13 §5).
//!
//! Masked are personal identity and coordination numbers (10 or 12 digits, with or without
//! `-`/`+`, and any other run of 10 or more digits such as a phone number), replaced by
//! `[nummer]`, and e-mail addresses (a word with `@` and a dot after it), replaced by
//! `[e-post]`. Masking errs on the side of removing: a long order number goes too.

use crate::limits::{FEEDBACK_COMMENT_CHARS_MAX, FEEDBACK_DIGITS_MASKED_MIN};

/// A comment with identity numbers and e-mail addresses masked, trimmed and bounded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MaskedComment(String);

/// Why a comment was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommentError {
    /// Longer than [`FEEDBACK_COMMENT_CHARS_MAX`] characters.
    #[error("comment has {length} characters, more than {max}")]
    TooLong {
        /// Characters in the comment.
        length: usize,
        /// The bound.
        max: usize,
    },
}

/// What replaces a masked number.
pub const MASKED_NUMBER: &str = "[nummer]";
/// What replaces a masked e-mail address.
pub const MASKED_EMAIL: &str = "[e-post]";

impl MaskedComment {
    /// Masks `text` (trimmed; control characters other than line breaks dropped).
    ///
    /// # Errors
    /// [`CommentError::TooLong`] above [`FEEDBACK_COMMENT_CHARS_MAX`] characters.
    pub fn mask(text: &str) -> Result<Self, CommentError> {
        let text = text.trim();
        let length = text.chars().count();
        if length > FEEDBACK_COMMENT_CHARS_MAX {
            return Err(CommentError::TooLong {
                length,
                max: FEEDBACK_COMMENT_CHARS_MAX,
            });
        }
        let clean: String = text
            .chars()
            .filter(|character| !character.is_control() || *character == '\n')
            .collect();
        let words: Vec<String> = clean
            .split(' ')
            .map(|word| {
                if is_email(word) {
                    MASKED_EMAIL.to_owned()
                } else {
                    word.to_owned()
                }
            })
            .collect();
        Ok(Self(mask_numbers(&words.join(" "))))
    }

    /// Reads a comment that was masked before it was stored.
    #[must_use]
    pub fn from_stored(text: String) -> Self {
        Self(text)
    }

    /// The masked text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether nothing was written.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn is_email(word: &str) -> bool {
    let Some((local, domain)) = word.split_once('@') else {
        return false;
    };
    !local.is_empty() && domain.trim_end_matches(['.', ',', ')']).contains('.')
}

/// Replaces every run of digits (with `-`, `+` or single spaces between them) holding at
/// least [`FEEDBACK_DIGITS_MASKED_MIN`] digits by [`MASKED_NUMBER`].
fn mask_numbers(text: &str) -> String {
    let characters: Vec<char> = text.chars().collect();
    let mut masked = String::with_capacity(text.len());
    let mut index = 0;
    while index < characters.len() {
        if !characters[index].is_ascii_digit() {
            masked.push(characters[index]);
            index += 1;
            continue;
        }
        let (end, digits) = digit_run(&characters, index);
        if digits >= FEEDBACK_DIGITS_MASKED_MIN {
            masked.push_str(MASKED_NUMBER);
        } else {
            masked.extend(&characters[index..end]);
        }
        index = end;
    }
    masked
}

/// The end of the digit run starting at `start` (a separator counts only between digits) and
/// how many digits it holds.
fn digit_run(characters: &[char], start: usize) -> (usize, usize) {
    let mut end = start;
    let mut digits = 0;
    while end < characters.len() {
        if characters[end].is_ascii_digit() {
            digits += 1;
            end += 1;
        } else if matches!(characters[end], '-' | '+' | ' ')
            && characters.get(end + 1).is_some_and(char::is_ascii_digit)
        {
            end += 1;
        } else {
            break;
        }
    }
    (end, digits)
}

#[cfg(test)]
mod tests;
