//! The page language: Swedish first, English second (TERMS.md). Chosen from `?lang=`, then
//! the `lang` cookie, then `Accept-Language`, else Swedish. Message tables live with each
//! role's pages; this module only decides which one to use.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use http::header;
use http::request::Parts;
use kuvert_core::limits::ACCEPT_LANGUAGE_RANGES_MAX;

/// Name of the query parameter and of the cookie that choose a language.
pub const LANGUAGE_PARAMETER: &str = "lang";

/// A language of the user interface.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Language {
    /// Svenska, the default.
    #[default]
    Swedish,
    /// English.
    English,
}

impl Language {
    /// The BCP 47 code, as used in `<html lang>` and the cookie.
    pub fn code(self) -> &'static str {
        match self {
            Self::Swedish => "sv",
            Self::English => "en",
        }
    }

    /// The language for a code or language range (`sv`, `sv-SE`, `en-GB`), if supported.
    pub fn from_code(code: &str) -> Option<Self> {
        let primary = code.trim().split('-').next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("sv") {
            Some(Self::Swedish)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Self::English)
        } else {
            None
        }
    }

    /// The supported language with the highest quality in an `Accept-Language` value (the
    /// first of equal ones), reading at most `ACCEPT_LANGUAGE_RANGES_MAX` ranges.
    pub fn from_accept_language(value: &str) -> Option<Self> {
        let mut best: Option<(Self, u16)> = None;
        for range in value.split(',').take(ACCEPT_LANGUAGE_RANGES_MAX) {
            let mut parts = range.split(';');
            let Some(language) = parts.next().and_then(Self::from_code) else {
                continue;
            };
            let quality = parts
                .find_map(|part| part.trim().strip_prefix("q="))
                .map_or(1000, quality);
            if quality > 0 && best.is_none_or(|(_, best_quality)| quality > best_quality) {
                best = Some((language, quality));
            }
        }
        best.map(|(language, _)| language)
    }

    /// Picks the language from what a request offers, in order of precedence.
    pub fn negotiate(query: Option<&str>, cookie: Option<&str>, accept: Option<&str>) -> Self {
        query
            .and_then(Self::from_code)
            .or_else(|| cookie.and_then(Self::from_code))
            .or_else(|| accept.and_then(Self::from_accept_language))
            .unwrap_or_default()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Language {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        let query = parts.uri.query().and_then(|query| parameter(query, '&'));
        let cookie = parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .find_map(|value| parameter(value, ';'));
        let accept = parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        Ok(Self::negotiate(query, cookie, accept))
    }
}

/// The value of `lang=` in a `separator`-separated list of `name=value` pairs.
fn parameter(list: &str, separator: char) -> Option<&str> {
    list.split(separator).find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == LANGUAGE_PARAMETER).then_some(value)
    })
}

/// An HTTP quality value (`0`, `0.8`, `1.000`) in thousandths; unparsable counts as 0.
fn quality(text: &str) -> u16 {
    let (whole, fraction) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
    let whole: u16 = match whole {
        "0" => 0,
        "1" => 1000,
        _ => return 0,
    };
    if fraction.len() > 3 || !fraction.bytes().all(|byte| byte.is_ascii_digit()) {
        return 0;
    }
    let thousandths = format!("{fraction:0<3}").parse::<u16>().unwrap_or(0);
    (whole + thousandths).min(1000)
}

#[cfg(test)]
mod tests;
