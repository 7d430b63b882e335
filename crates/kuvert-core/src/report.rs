//! One line for an error and all its sources, for the single log record or message that
//! reports a failure (STYLE.md §6: logged once, with its source chain).

/// The error and its sources joined with `: `, outermost first:
/// `token exchange failed: connection refused`.
#[must_use]
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::error_chain;

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
}
