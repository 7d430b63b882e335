//! A sender's brand on the portal (issue 13 §1): the formats its logo may have. A domain value,
//! so the portal's pure logo check and the store share it without the rules naming the store.

/// The two logo formats the portal serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoMediaType {
    /// `image/svg+xml`, sanitised.
    Svg,
    /// `image/png`.
    Png,
}

impl LogoMediaType {
    /// The media type as sent in `Content-Type`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Svg => "image/svg+xml",
            Self::Png => "image/png",
        }
    }
}
