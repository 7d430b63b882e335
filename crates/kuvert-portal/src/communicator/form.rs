//! The communicators' forms, read from the raw `application/x-www-form-urlencoded` body (a
//! campaign names several owning senders with the same field name) and checked field by
//! field, so the page can say what to fix next to each field.

use std::collections::BTreeSet;

use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::OrganisationNumber;
use kuvert_core::limits::{CAMPAIGN_CHANNEL_CHARS_MAX, CAMPAIGN_NAME_CHARS_MAX};
use kuvert_store::portal::NewCampaign;

use crate::dashboard::feed::parse_day;

/// The submitted fields in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FormFields(Vec<(String, String)>);

/// A field that must be fixed; `field` is the form field's name (also its element id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Problem {
    pub(crate) field: &'static str,
    pub(crate) kind: ProblemKind,
}

/// What is wrong with a field; the page words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProblemKind {
    CampaignCode,
    /// Another campaign already has the code.
    CodeTaken,
    Name,
    Owners,
    Channel,
    Day,
    EndBeforeStart,
    Goal,
    Year,
    Percent,
}

/// An annual target as entered.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TargetEntry {
    pub(crate) year: i32,
    pub(crate) percent_persons: f64,
}

impl FormFields {
    /// Reads a form body.
    pub(crate) fn parse(body: &[u8]) -> Self {
        Self(url::form_urlencoded::parse(body).into_owned().collect())
    }

    /// Fields given by name and value (a form filled in for the person).
    pub(crate) fn from_pairs(pairs: Vec<(&str, String)>) -> Self {
        Self(
            pairs
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value))
                .collect(),
        )
    }

    /// The first value of `name`, trimmed ("" when absent).
    pub(crate) fn value(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map_or("", |(_, value)| value.trim())
    }

    /// Every value of `name`.
    pub(crate) fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> {
        self.0
            .iter()
            .filter(move |(key, _)| key == name)
            .map(|(_, value)| value.trim())
    }
}

/// Checks a new campaign. Its owners must be among `allowed_senders`: the senders the
/// communicator acts for (an admin may name any of them too, but never a sender nobody
/// granted, so a typo cannot create an orphan campaign).
pub(crate) fn campaign(
    fields: &FormFields,
    allowed_senders: &BTreeSet<OrganisationNumber>,
) -> Result<NewCampaign, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut problem = |field, kind| problems.push(Problem { field, kind });
    let code = CampaignCode::parse(fields.value("kod")).ok();
    if code.is_none() {
        problem("kod", ProblemKind::CampaignCode);
    }
    let name = fields.value("namn");
    if name.is_empty() || name.chars().count() > CAMPAIGN_NAME_CHARS_MAX {
        problem("namn", ProblemKind::Name);
    }
    let owners: Vec<OrganisationNumber> = fields
        .values("avsandare")
        .filter_map(|text| OrganisationNumber::parse(text).ok())
        .filter(|sender| allowed_senders.contains(sender))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if owners.is_empty() || owners.len() != fields.values("avsandare").count() {
        problem("avsandare", ProblemKind::Owners);
    }
    let channel = fields.value("kanal");
    if channel.is_empty() || channel.chars().count() > CAMPAIGN_CHANNEL_CHARS_MAX {
        problem("kanal", ProblemKind::Channel);
    }
    let starts_on = parse_day(fields.value("start"));
    if starts_on.is_none() {
        problem("start", ProblemKind::Day);
    }
    let ends_on = parse_day(fields.value("slut"));
    match (starts_on, ends_on) {
        (_, None) => problem("slut", ProblemKind::Day),
        (Some(start), Some(end)) if end < start => problem("slut", ProblemKind::EndBeforeStart),
        _ => {}
    }
    let goal = fields
        .value("mal")
        .parse::<u64>()
        .ok()
        .filter(|goal| *goal > 0);
    if goal.is_none() {
        problem("mal", ProblemKind::Goal);
    }
    match (code, starts_on, ends_on, goal) {
        (Some(code), Some(starts_on), Some(ends_on), Some(goal)) if problems.is_empty() => {
            Ok(NewCampaign {
                code,
                name: name.to_owned(),
                owners,
                channel: channel.to_owned(),
                starts_on,
                ends_on,
                goal_registrations: goal,
            })
        }
        _ => Err(problems),
    }
}

/// Checks an annual target: a year 2000–2100 and a percentage 0–100 (comma or point).
pub(crate) fn target(fields: &FormFields) -> Result<TargetEntry, Vec<Problem>> {
    let mut problems = Vec::new();
    let year = fields
        .value("ar")
        .parse::<i32>()
        .ok()
        .filter(|year| (2000..=2100).contains(year));
    if year.is_none() {
        problems.push(Problem {
            field: "ar",
            kind: ProblemKind::Year,
        });
    }
    let percent = fields
        .value("mal")
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|percent| percent.is_finite() && (0.0..=100.0).contains(percent));
    if percent.is_none() {
        problems.push(Problem {
            field: "mal",
            kind: ProblemKind::Percent,
        });
    }
    match (year, percent) {
        (Some(year), Some(percent_persons)) => Ok(TargetEntry {
            year,
            percent_persons,
        }),
        _ => Err(problems),
    }
}

impl ProblemKind {
    /// What to fix, in the page's language.
    pub(crate) fn text(self, language: kuvert_web::i18n::Language) -> &'static str {
        let swedish = matches!(language, kuvert_web::i18n::Language::Swedish);
        let (sv, en) = match self {
            Self::CampaignCode => (
                "Ange en kampanjkod med 1–32 tecken: bokstäver a–z, siffror, - och _.",
                "Enter a campaign code of 1–32 characters: letters a–z, digits, - and _.",
            ),
            Self::CodeTaken => (
                "Kampanjkoden används redan. Välj en annan kod.",
                "The campaign code is already in use. Choose another code.",
            ),
            Self::Name => (
                "Ange ett namn på högst 100 tecken.",
                "Enter a name of at most 100 characters.",
            ),
            Self::Owners => (
                "Välj minst en avsändare som du är kommunikatör för.",
                "Choose at least one sender you are a communicator for.",
            ),
            Self::Channel => (
                "Ange en kanal på högst 60 tecken.",
                "Enter a channel of at most 60 characters.",
            ),
            Self::Day => (
                "Ange ett datum som ÅÅÅÅ-MM-DD.",
                "Enter a date as YYYY-MM-DD.",
            ),
            Self::EndBeforeStart => (
                "Slutdatumet kan inte vara före startdatumet.",
                "The end date cannot be before the start date.",
            ),
            Self::Goal => (
                "Ange målet som ett antal registreringar, minst 1.",
                "Enter the goal as a number of registrations, at least 1.",
            ),
            Self::Year => (
                "Ange ett år mellan 2000 och 2100.",
                "Enter a year between 2000 and 2100.",
            ),
            Self::Percent => (
                "Ange målet i procent, mellan 0 och 100.",
                "Enter the target in per cent, between 0 and 100.",
            ),
        };
        if swedish { sv } else { en }
    }
}

#[cfg(test)]
mod tests;
