//! One line for an error and all its sources, for the single log record or message that
//! reports a failure (STYLE.md §6: logged once, with its source chain).

/// The error and its sources joined with `: `, outermost first:
/// `token exchange failed: connection refused`. A source whose text its parent already
/// shows (many library errors print their source inside their own message) is said once.
#[must_use]
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let causes = std::iter::successors(error.source(), |cause| cause.source());
    join_causes(std::iter::once(error.to_string()).chain(causes.map(ToString::to_string)))
}

/// Joins error messages, outermost first, with `: `, leaving out a message the one before it
/// already contains, so "X: X" never reaches a person.
#[must_use]
pub fn join_causes(messages: impl IntoIterator<Item = String>) -> String {
    let mut text = String::new();
    let mut previous = String::new();
    for message in messages {
        if !previous.is_empty() && previous.contains(message.as_str()) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&message);
        previous = message;
    }
    text
}

#[cfg(test)]
mod tests {
    use super::{error_chain, join_causes};

    #[derive(Debug, thiserror::Error)]
    #[error("outer failed")]
    struct Outer(#[source] Inner);

    #[derive(Debug, thiserror::Error)]
    #[error("inner failed")]
    struct Inner;

    #[test]
    fn error_chain_joins_every_source_outermost_first() {
        assert_eq!(error_chain(&Outer(Inner)), "outer failed: inner failed");
        assert_eq!(error_chain(&Inner), "inner failed");
    }

    #[test]
    fn join_causes_says_a_cause_once_when_its_parent_already_shows_it() {
        // sqlx: "error returned from database: (code: 14) unable to open database file",
        // whose source is "(code: 14) unable to open database file".
        let messages = [
            "opening the registry database",
            "error returned from database: (code: 14) unable to open database file",
            "(code: 14) unable to open database file",
        ];
        assert_eq!(
            join_causes(messages.map(String::from)),
            "opening the registry database: error returned from database: (code: 14) unable \
             to open database file"
        );
        assert_eq!(join_causes(["a", "b", "a"].map(String::from)), "a: b: a");
        assert_eq!(join_causes(Vec::new()), "");
    }
}
