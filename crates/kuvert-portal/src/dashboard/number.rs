//! Numbers as people read them on the dashboards: Swedish groups thousands with a no-break
//! space and writes a decimal comma, English groups with a comma and writes a point. The
//! CSV files use neither (plain digits and a point), so programs can read them.

use kuvert_web::i18n::Language;

/// A count with thousands grouped: `10 587 710` (sv), `10,587,710` (en).
pub(crate) fn count(value: u64, language: Language) -> String {
    group(&value.to_string(), language)
}

/// A decimal with `decimals` places: `12,5` (sv), `12.5` (en).
pub(crate) fn decimal(value: f64, decimals: usize, language: Language) -> String {
    let text = format!("{value:.decimals$}");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let (sign, digits) = whole
        .strip_prefix('-')
        .map_or(("", whole), |rest| ("-", rest));
    let grouped = group(digits, language);
    if fraction.is_empty() {
        return format!("{sign}{grouped}");
    }
    let point = match language {
        Language::Swedish => ',',
        Language::English => '.',
    };
    format!("{sign}{grouped}{point}{fraction}")
}

/// A percentage with one decimal: `12,5 %` (sv), `12.5%` (en).
pub(crate) fn percent(value: f64, language: Language) -> String {
    match language {
        Language::Swedish => format!("{}\u{a0}%", decimal(value, 1, language)),
        Language::English => format!("{}%", decimal(value, 1, language)),
    }
}

/// A decimal for CSV: plain digits and a point, trailing zeros kept to `decimals` places.
pub(crate) fn machine(value: f64, decimals: usize) -> String {
    format!("{value:.decimals$}")
}

fn group(digits: &str, language: Language) -> String {
    let separator = match language {
        Language::Swedish => '\u{a0}',
        Language::English => ',',
    };
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 * 2);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(separator);
        }
        grouped.push(digit);
    }
    grouped
}
