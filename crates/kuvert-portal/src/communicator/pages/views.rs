//! The communicators' page models and their Swedish and English texts (TERMS.md words).

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use kuvert_core::id::OrganisationNumber;
use kuvert_core::plural::Plural;
use kuvert_store::portal::{AnnualTarget, Campaign};
use kuvert_web::i18n::Language;

use super::super::auth::Signed;
use super::super::form::{FormFields, Problem};
use crate::dashboard::dataset::TableView;
use crate::dashboard::feed::format_day;
use crate::dashboard::figures::CampaignResult;
use crate::dashboard::model::FunnelDay;
use crate::dashboard::number;
use crate::http::pages::Chrome;

/// The words of the communicators' pages in one language.
pub(in crate::communicator) struct Texts {
    pub(crate) overview_title: &'static str,
    pub(crate) senders_intro: &'static str,
    pub(crate) logout: &'static str,
    pub(crate) new_campaign: &'static str,
    pub(crate) targets_link: &'static str,
    pub(crate) campaigns_heading: &'static str,
    pub(crate) no_campaigns: &'static str,
    pub(crate) code: &'static str,
    pub(crate) name: &'static str,
    pub(crate) owners: &'static str,
    pub(crate) channel: &'static str,
    pub(crate) channel_hint: &'static str,
    pub(crate) period: &'static str,
    pub(crate) starts_on: &'static str,
    pub(crate) ends_on: &'static str,
    pub(crate) date_hint: &'static str,
    pub(crate) goal: &'static str,
    pub(crate) goal_hint: &'static str,
    pub(crate) code_hint: &'static str,
    pub(crate) create: &'static str,
    pub(crate) deep_link: &'static str,
    pub(crate) back: &'static str,
    pub(crate) fix_heading: &'static str,
    pub(crate) csv_label: &'static str,
    pub(crate) svg_label: &'static str,
    pub(crate) show_table: &'static str,
    pub(crate) targets_title: &'static str,
    pub(crate) targets_intro: &'static str,
    pub(crate) year: &'static str,
    pub(crate) target_percent: &'static str,
    pub(crate) save: &'static str,
    pub(crate) no_targets: &'static str,
}

const SWEDISH: Texts = Texts {
    overview_title: "Kampanjer och resultat",
    senders_intro: "Du är kommunikatör för",
    logout: "Logga ut",
    new_campaign: "Skapa kampanj",
    targets_link: "Årliga mål för anslutningstakten",
    campaigns_heading: "Dina kampanjer",
    no_campaigns: "Det finns inga kampanjer ännu.",
    code: "Kampanjkod",
    name: "Namn",
    owners: "Avsändare",
    channel: "Kanal",
    channel_hint: "Till exempel brev, webbplats, annons eller sociala medier.",
    period: "Period",
    starts_on: "Startdatum",
    ends_on: "Slutdatum",
    date_hint: "ÅÅÅÅ-MM-DD",
    goal: "Mål (antal registreringar)",
    goal_hint: "Hur många som ska skaffa digital brevlåda genom kampanjen.",
    code_hint: "1–32 tecken: bokstäver a–z, siffror, - och _. Används i direktlänken.",
    create: "Skapa kampanj",
    deep_link: "Direktlänk",
    back: "Tillbaka till kampanjerna",
    fix_heading: "Rätta följande",
    csv_label: "Ladda ner tabellen som CSV",
    svg_label: "Öppna diagrammet som bild (SVG)",
    show_table: "Visa tabellen",
    targets_title: "Årliga mål för anslutningstakten",
    targets_intro: "Målet är andelen av befolkningen med digital brevlåda vid årets slut, \
                    enligt den årliga kommunikationsplanen.",
    year: "År",
    target_percent: "Mål (procent av befolkningen)",
    save: "Spara målet",
    no_targets: "Inga mål är inlagda ännu.",
};

const ENGLISH: Texts = Texts {
    overview_title: "Campaigns and results",
    senders_intro: "You are a communicator for",
    logout: "Log out",
    new_campaign: "Create a campaign",
    targets_link: "Annual targets for the connection rate",
    campaigns_heading: "Your campaigns",
    no_campaigns: "There are no campaigns yet.",
    code: "Campaign code",
    name: "Name",
    owners: "Senders",
    channel: "Channel",
    channel_hint: "For example letter, website, advertisement or social media.",
    period: "Period",
    starts_on: "Start date",
    ends_on: "End date",
    date_hint: "YYYY-MM-DD",
    goal: "Goal (number of registrations)",
    goal_hint: "How many people should get a digital mailbox through the campaign.",
    code_hint: "1–32 characters: letters a–z, digits, - and _. Used in the deep link.",
    create: "Create the campaign",
    deep_link: "Deep link",
    back: "Back to the campaigns",
    fix_heading: "Please correct the following",
    csv_label: "Download the table as CSV",
    svg_label: "Open the chart as an image (SVG)",
    show_table: "Show the table",
    targets_title: "Annual targets for the connection rate",
    targets_intro: "The target is the share of the population with a digital mailbox at the \
                    end of the year, from the annual communication plan.",
    year: "Year",
    target_percent: "Target (per cent of the population)",
    save: "Save the target",
    no_targets: "No targets have been entered yet.",
};

fn texts(language: Language) -> &'static Texts {
    match language {
        Language::Swedish => &SWEDISH,
        Language::English => &ENGLISH,
    }
}

/// Why a communicator page shows a message instead of its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::communicator) enum MessageKind {
    LogIn,
    NoRole,
    AdminOnly,
    NotFound,
    BadForm,
    LoginExpired,
    LoginCancelled,
    LoginFailed,
    /// A plan or the survey questions the person may not change (403).
    NotYours,
    Unavailable,
}

#[derive(Template)]
#[template(path = "communicator_message.html")]
struct MessagePage {
    chrome: Chrome,
    heading: &'static str,
    text: &'static str,
    link: Option<(&'static str, &'static str)>,
}

/// One message: heading and text in Swedish and English, and whether it offers to log in.
struct Message {
    kind: MessageKind,
    heading: [&'static str; 2],
    text: [&'static str; 2],
    offers_login: bool,
}

const MESSAGES: [Message; 10] = [
    Message {
        kind: MessageKind::LogIn,
        heading: ["Logga in som kommunikatör", "Log in as a communicator"],
        text: [
            "Kommunikatörer hos anslutna avsändare loggar in med e-legitimation för att skapa \
             kampanjer och följa resultaten.",
            "Communicators of connected senders log in with e-ID to create campaigns and \
             follow their results.",
        ],
        offers_login: true,
    },
    Message {
        kind: MessageKind::NoRole,
        heading: ["Du är inte kommunikatör", "You are not a communicator"],
        text: [
            "Din e-legitimation är inte kopplad till någon avsändare. Be den som förvaltar \
             portalen att ge dig rollen som kommunikatör.",
            "Your e-ID is not linked to any sender. Ask whoever runs the portal to give you \
             the communicator role.",
        ],
        offers_login: false,
    },
    Message {
        kind: MessageKind::AdminOnly,
        heading: ["Endast för administratörer", "For administrators only"],
        text: [
            "Årliga mål läggs in av en administratör.",
            "Annual targets are entered by an administrator.",
        ],
        offers_login: false,
    },
    Message {
        kind: MessageKind::NotFound,
        heading: ["Sidan finns inte", "Page not found"],
        text: [
            "Kampanjen finns inte eller hör inte till dina avsändare.",
            "The campaign does not exist or does not belong to your senders.",
        ],
        offers_login: false,
    },
    Message {
        kind: MessageKind::BadForm,
        heading: [
            "Formuläret kunde inte tas emot",
            "The form could not be accepted",
        ],
        text: [
            "Sidan var för gammal. Gå tillbaka, ladda om sidan och försök igen.",
            "The page was too old. Go back, reload the page and try again.",
        ],
        offers_login: false,
    },
    Message {
        kind: MessageKind::LoginExpired,
        heading: ["Inloggningen tog för lång tid", "The login took too long"],
        text: ["Försök logga in igen.", "Please log in again."],
        offers_login: true,
    },
    Message {
        kind: MessageKind::LoginCancelled,
        heading: ["Inloggningen avbröts", "The login was cancelled"],
        text: [
            "Du avbröt inloggningen med e-legitimation.",
            "You cancelled the login with e-ID.",
        ],
        offers_login: true,
    },
    Message {
        kind: MessageKind::LoginFailed,
        heading: ["Inloggningen misslyckades", "The login failed"],
        text: [
            "Inloggningen med e-legitimation gick inte igenom.",
            "The login with e-ID did not go through.",
        ],
        offers_login: true,
    },
    Message {
        kind: MessageKind::NotYours,
        heading: ["Du får inte ändra detta", "You may not change this"],
        text: [
            "Du ändrar dina avsändares planer. Den gemensamma planen och kampanjfrågorna \
             ändras av huvudredaktören.",
            "You change your senders' plans. The common plan and the campaign questions are \
             changed by the editor-in-chief.",
        ],
        offers_login: false,
    },
    Message {
        kind: MessageKind::Unavailable,
        heading: [
            "Tjänsten är inte tillgänglig just nu",
            "The service is not available right now",
        ],
        text: ["Försök igen om en stund.", "Please try again in a while."],
        offers_login: false,
    },
];

/// A page with one message and, where it helps, one link onwards.
pub(in crate::communicator) fn message_page(
    language: Language,
    kind: MessageKind,
    status: StatusCode,
) -> Response {
    let index = usize::from(matches!(language, Language::English));
    let message = MESSAGES.iter().find(|message| message.kind == kind);
    // Every kind has its entry (checked by a unit test); fall back to "unavailable".
    let message = message.unwrap_or(&MESSAGES[MESSAGES.len() - 1]);
    let login = ["/kommunikator/logga-in", "/kommunikator/logga-in?lang=en"];
    let login_label = ["Logga in med e-legitimation", "Log in with e-ID"];
    let page = MessagePage {
        chrome: Chrome::new(language, &[]),
        heading: message.heading[index],
        text: message.text[index],
        link: message
            .offers_login
            .then_some((login[index], login_label[index])),
    };
    let mut response = match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internt fel / Internal error",
        )
            .into_response(),
    };
    *response.status_mut() = status;
    response
}

/// One row of the campaigns list.
pub(in crate::communicator) struct CampaignRow {
    code: String,
    name: String,
    channel: String,
    period: String,
    goal: String,
}

#[derive(Template)]
#[template(path = "communicator.html")]
pub(in crate::communicator) struct OverviewPage {
    chrome: Chrome,
    t: &'static Texts,
    csrf: String,
    senders: String,
    is_admin: bool,
    campaigns: Vec<CampaignRow>,
    figure: TableView,
    file_base: String,
    csv_label: &'static str,
    svg_label: &'static str,
    show_table: &'static str,
}

impl OverviewPage {
    pub(in crate::communicator) fn new(
        signed: &Signed,
        campaigns: &[Campaign],
        figure: TableView,
        names: &[(OrganisationNumber, String)],
    ) -> Self {
        let language = signed.language;
        let t = texts(language);
        let senders = signed
            .communicator
            .senders
            .iter()
            .map(|sender| {
                names.iter().find(|(known, _)| known == sender).map_or_else(
                    || sender.as_str().to_owned(),
                    |(_, name)| format!("{name} ({})", sender.as_str()),
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        Self {
            chrome: Chrome::new(language, &[]),
            t,
            csrf: signed.csrf.clone(),
            senders,
            is_admin: signed.communicator.is_admin,
            campaigns: campaigns
                .iter()
                .map(|campaign| campaign_row(campaign, language))
                .collect(),
            figure,
            file_base: "/kommunikator/resultat".to_owned(),
            csv_label: t.csv_label,
            svg_label: t.svg_label,
            show_table: t.show_table,
        }
    }
}

fn campaign_row(campaign: &Campaign, language: Language) -> CampaignRow {
    CampaignRow {
        code: campaign.code.as_str().to_owned(),
        name: campaign.name.clone(),
        channel: campaign.channel.clone(),
        period: format!(
            "{} – {}",
            format_day(campaign.starts_on),
            format_day(campaign.ends_on)
        ),
        goal: number::count(campaign.goal_registrations, language),
    }
}

#[derive(Template)]
#[template(path = "communicator_campaign.html")]
pub(in crate::communicator) struct CampaignPage {
    chrome: Chrome,
    t: &'static Texts,
    csrf: String,
    campaign: CampaignRow,
    owners: String,
    deep_link: String,
    result: String,
    figure: TableView,
    file_base: String,
    csv_label: &'static str,
    svg_label: &'static str,
    show_table: &'static str,
    /// The editor's review (`plans::view::ReviewView`), rendered.
    pub(in crate::communicator) review: String,
    /// The campaign's survey answers (`surveys::view::ResultsView`), rendered.
    pub(in crate::communicator) survey: String,
}

/// "1 besök, 2 val av brevlådeoperatör och 1 registrering av målet 10 (10 %)." in the
/// page's language, each phrase agreeing with its count (issue 11).
fn funnel_text(language: Language, total: &FunnelDay, goal: u64, share: &str) -> String {
    let [visits, choices, registrations] = match language {
        Language::Swedish => [
            Plural::new("besök", "besök"),
            Plural::new("val av brevlådeoperatör", "val av brevlådeoperatör"),
            Plural::new("registrering", "registreringar"),
        ],
        Language::English => [
            Plural::new("visit", "visits"),
            Plural::new("mailbox operator chosen", "mailbox operators chosen"),
            Plural::new("registration", "registrations"),
        ],
    };
    let counted = |value: u64, phrase: Plural| {
        format!("{} {}", number::count(value, language), phrase.form(value))
    };
    let (and, of_goal) = match language {
        Language::Swedish => ("och", "av målet"),
        Language::English => ("and", "of the goal"),
    };
    format!(
        "{}, {} {and} {} {of_goal} {}{share}.",
        counted(total.visits, visits),
        counted(total.operator_choices, choices),
        counted(total.registrations, registrations),
        number::count(goal, language),
    )
}

impl CampaignPage {
    pub(in crate::communicator) fn new(
        signed: &Signed,
        campaign: &Campaign,
        result: &CampaignResult,
        figure: TableView,
    ) -> Self {
        let language = signed.language;
        let t = texts(language);
        let share = result
            .funnel
            .percent_of_goal
            .map_or_else(String::new, |share| {
                format!(" ({})", number::percent(share, language))
            });
        let result_text = funnel_text(
            language,
            &result.funnel.total,
            campaign.goal_registrations,
            &share,
        );
        let owners: Vec<&str> = campaign
            .owners
            .iter()
            .map(OrganisationNumber::as_str)
            .collect();
        let first_owner = owners.first().copied().unwrap_or_default();
        Self {
            chrome: Chrome::new(language, &[]),
            t,
            csrf: signed.csrf.clone(),
            deep_link: format!(
                "/skaffa?avsandare={first_owner}&kampanj={}",
                campaign.code.as_str()
            ),
            owners: owners.join(", "),
            campaign: campaign_row(campaign, language),
            result: result_text,
            figure,
            file_base: format!("/kommunikator/kampanjer/{}", campaign.code.as_str()),
            csv_label: t.csv_label,
            svg_label: t.svg_label,
            show_table: t.show_table,
            review: String::new(),
            survey: String::new(),
        }
    }
}

/// One sender a campaign may name, and whether the form has it ticked.
pub(in crate::communicator) struct OwnerChoice {
    number: String,
    name: String,
    is_checked: bool,
}

#[derive(Template)]
#[template(path = "communicator_form.html")]
pub(in crate::communicator) struct FormPage {
    chrome: Chrome,
    t: &'static Texts,
    csrf: String,
    owners: Vec<OwnerChoice>,
    values: [String; 6],
    problems: Vec<(&'static str, &'static str)>,
    /// The planned activity the campaign is made from, if any.
    activity: String,
}

/// The form's fields in the order of [`FormPage::values`].
const CAMPAIGN_FIELDS: [&str; 6] = ["kod", "namn", "kanal", "start", "slut", "mal"];

impl FormPage {
    pub(in crate::communicator) fn new(
        signed: &Signed,
        owners: Vec<(OrganisationNumber, String)>,
        fields: &FormFields,
        problems: &[Problem],
    ) -> Self {
        let language = signed.language;
        let ticked: Vec<&str> = fields.values("avsandare").collect();
        Self {
            chrome: Chrome::new(language, &[]),
            t: texts(language),
            csrf: signed.csrf.clone(),
            owners: owners
                .into_iter()
                .map(|(number, name)| OwnerChoice {
                    is_checked: ticked.contains(&number.as_str()),
                    number: number.as_str().to_owned(),
                    name,
                })
                .collect(),
            values: CAMPAIGN_FIELDS.map(|field| fields.value(field).to_owned()),
            problems: problem_texts(problems, language),
            activity: fields.value("aktivitet").to_owned(),
        }
    }

    /// The problem text of `field`, if any.
    fn problem(&self, field: &str) -> Option<&'static str> {
        problem_of(&self.problems, field)
    }
}

#[derive(Template)]
#[template(path = "communicator_targets.html")]
pub(in crate::communicator) struct TargetsPage {
    chrome: Chrome,
    t: &'static Texts,
    csrf: String,
    targets: Vec<(i32, String)>,
    year: String,
    percent: String,
    problems: Vec<(&'static str, &'static str)>,
}

impl TargetsPage {
    pub(in crate::communicator) fn new(
        signed: &Signed,
        targets: &[AnnualTarget],
        fields: &FormFields,
        problems: &[Problem],
    ) -> Self {
        let language = signed.language;
        Self {
            chrome: Chrome::new(language, &[]),
            t: texts(language),
            csrf: signed.csrf.clone(),
            targets: targets
                .iter()
                .map(|target| {
                    (
                        target.year,
                        number::percent(target.target_percent_persons, language),
                    )
                })
                .collect(),
            year: fields.value("ar").to_owned(),
            percent: fields.value("mal").to_owned(),
            problems: problem_texts(problems, language),
        }
    }

    /// The problem text of `field`, if any.
    fn problem(&self, field: &str) -> Option<&'static str> {
        problem_of(&self.problems, field)
    }
}

/// Each problem of a form as its field and its text in `language`, as the forms show them.
fn problem_texts(problems: &[Problem], language: Language) -> Vec<(&'static str, &'static str)> {
    problems
        .iter()
        .map(|problem| (problem.field, problem.kind.text(language)))
        .collect()
}

/// The text of the first problem of `field` among `problems`, if any.
fn problem_of(problems: &[(&'static str, &'static str)], field: &str) -> Option<&'static str> {
    problems
        .iter()
        .find(|(name, _)| *name == field)
        .map(|(_, text)| *text)
}

#[cfg(test)]
mod tests;
