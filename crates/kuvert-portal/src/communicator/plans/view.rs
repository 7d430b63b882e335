//! The plans pages' models and their Swedish and English texts (TERMS.md words): the year's
//! plans with the form to add an activity, a campaign's review, and the yearly meeting's CSV.

use askama::Template;
use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::OrganisationNumber;
use kuvert_store::portal::Campaign;
use kuvert_store::portal::plans::{Activity, CampaignReview, PlanOwner};
use kuvert_web::i18n::Language;

use super::super::auth::{Signed, lang_query};
use super::super::form::FormFields;
use super::review_for;
use crate::dashboard::dataset::{Dataset, Row, Value};
use crate::dashboard::figures::CampaignResult;
use crate::dashboard::http::today;
use crate::domain::markdown::Replace;
use crate::http::pages::Chrome;

/// The pages' words in one language.
pub(in crate::communicator) struct Texts {
    pub(in crate::communicator) title: &'static str,
    back: &'static str,
    intro: &'static str,
    export: &'static str,
    previous: &'static str,
    next: &'static str,
    common: &'static str,
    none: &'static str,
    message: &'static str,
    target_group: &'static str,
    channel: &'static str,
    period: &'static str,
    campaign: &'static str,
    create_campaign: &'static str,
    change: &'static str,
    add_heading: &'static str,
    plan: &'static str,
    start: &'static str,
    end: &'static str,
    add: &'static str,
    fix: &'static str,
    replace_heading: &'static str,
    replace_with: &'static str,
    review_heading: &'static str,
    checked_by: &'static str,
    not_checked: &'static str,
    started_unchecked: &'static str,
    from_activity: &'static str,
    mark: &'static str,
    logout: &'static str,
}

const SWEDISH: Texts = Texts {
    title: "Årsplaner",
    back: "Tillbaka till kampanjerna",
    intro: "Alla kommunikatörer i nätverket ser alla planer. Du lägger till aktiviteter i \
            dina avsändares planer; huvudredaktören i den gemensamma planen.",
    export: "Planer, kampanjer och resultat för nätverksträffen (CSV)",
    previous: "Föregående år",
    next: "Nästa år",
    common: "Gemensam plan",
    none: "Inga aktiviteter är planerade detta år.",
    message: "Budskap",
    target_group: "Målgrupp",
    channel: "Kanal",
    period: "Period",
    campaign: "Kampanj",
    create_campaign: "Skapa kampanj",
    change: "Ändra",
    add_heading: "Lägg till en aktivitet",
    plan: "Plan",
    start: "Startdatum",
    end: "Slutdatum",
    add: "Lägg till i planen",
    fix: "Rätta uppgifterna i formuläret och försök igen: alla fält krävs och slutdatum \
          får inte vara före startdatum.",
    replace_heading: "Ord att byta ut",
    replace_with: "skriv i stället",
    review_heading: "Granskning av huvudredaktören",
    checked_by: "Budskap och termer granskade av",
    not_checked: "Inte granskad ännu. Huvudredaktören granskar budskap och termer före \
                  startdatum",
    started_unchecked: "Kampanjen startade utan granskning.",
    from_activity: "Skapad från den planerade aktiviteten",
    mark: "Markera som granskad",
    logout: "Logga ut",
};

const ENGLISH: Texts = Texts {
    title: "Annual plans",
    back: "Back to the campaigns",
    intro: "Every communicator in the network sees every plan. You add activities to your \
            senders' plans; the editor-in-chief to the common plan.",
    export: "Plans, campaigns and results for the network meeting (CSV)",
    previous: "Previous year",
    next: "Next year",
    common: "Common plan",
    none: "No activities are planned this year.",
    message: "Message",
    target_group: "Target group",
    channel: "Channel",
    period: "Period",
    campaign: "Campaign",
    create_campaign: "Create a campaign",
    change: "Change",
    add_heading: "Add an activity",
    plan: "Plan",
    start: "Start date",
    end: "End date",
    add: "Add to the plan",
    fix: "Correct the form and try again: every field is required and the end date may not \
          be before the start date.",
    replace_heading: "Words to replace",
    replace_with: "write instead",
    review_heading: "Review by the editor-in-chief",
    checked_by: "Messages and terms checked by",
    not_checked: "Not checked yet. The editor-in-chief checks messages and terms before the \
                  start date",
    started_unchecked: "The campaign started without a review.",
    from_activity: "Created from the planned activity",
    mark: "Mark as checked",
    logout: "Log out",
};

pub(in crate::communicator) fn texts(language: Language) -> &'static Texts {
    match language {
        Language::Swedish => &SWEDISH,
        Language::English => &ENGLISH,
    }
}

/// What the plans page shows.
pub(in crate::communicator) struct Plans<'a> {
    pub(in crate::communicator) year: i32,
    pub(in crate::communicator) is_editor: bool,
    pub(in crate::communicator) activities: &'a [Activity],
    pub(in crate::communicator) reviews: &'a [CampaignReview],
    pub(in crate::communicator) names: &'a [(OrganisationNumber, String)],
}

/// A refused activity: the fields as entered and the words to replace, if that was why.
pub(in crate::communicator) struct Refused {
    fields: FormFields,
    pub(in crate::communicator) words: Vec<Replace>,
}

impl Refused {
    pub(in crate::communicator) fn new(fields: &FormFields) -> Self {
        Self {
            fields: fields.clone(),
            words: Vec::new(),
        }
    }
}

/// One activity's row.
struct ActivityRow {
    message: String,
    target_group: String,
    channel: String,
    period: String,
    /// Campaigns made from it, by code.
    campaigns: Vec<String>,
    /// The link that makes a campaign from it, when the person may.
    create_link: Option<String>,
    /// The link to change or delete it, when the person keeps its plan.
    edit_link: Option<String>,
}

impl ActivityRow {
    /// The activity's row, with the links the person may follow.
    fn new(activity: &Activity, plans: &Plans<'_>, signed: &Signed) -> Self {
        let owner = &activity.planned.owner;
        let may_create = match owner {
            PlanOwner::Common => !signed.communicator.senders.is_empty(),
            PlanOwner::Sender(sender) => signed.speaks_for(sender),
        };
        let may_keep = match owner {
            PlanOwner::Common => plans.is_editor,
            PlanOwner::Sender(sender) => signed.speaks_for(sender),
        };
        let campaigns = plans
            .reviews
            .iter()
            .filter(|review| review.activity_id.as_deref() == Some(activity.id.as_str()))
            .map(|review| review.code.as_str().to_owned())
            .collect();
        let lang = lang_query(signed.language);
        let planned = &activity.planned;
        Self {
            message: planned.message.clone(),
            target_group: planned.target_group.clone(),
            channel: planned.channel.clone(),
            period: format!("{} – {}", planned.starts_on, planned.ends_on),
            campaigns,
            create_link: may_create.then(|| {
                let query = lang.replace('?', "&");
                format!(
                    "/kommunikator/kampanjer/ny?aktivitet={}{query}",
                    activity.id
                )
            }),
            edit_link: may_keep
                .then(|| format!("/kommunikator/planer/aktivitet/{}{lang}", activity.id)),
        }
    }
}

/// One plan with its activities.
struct PlanView {
    id: String,
    name: String,
    rows: Vec<ActivityRow>,
}

/// `/kommunikator/planer`.
#[derive(Template)]
#[template(path = "communicator_plans.html")]
pub(in crate::communicator) struct PlansPage {
    chrome: Chrome,
    t: &'static Texts,
    csrf: String,
    lang_query: &'static str,
    year: i32,
    plans: Vec<PlanView>,
    /// `(value, name)` of the plans the person may add to.
    choices: Vec<(String, String)>,
    refused: Option<Refused>,
}

fn name_of(names: &[(OrganisationNumber, String)], owner: &PlanOwner, t: &Texts) -> String {
    match owner {
        PlanOwner::Common => t.common.to_owned(),
        PlanOwner::Sender(sender) => names.iter().find(|(known, _)| known == sender).map_or_else(
            || sender.as_str().to_owned(),
            |(_, name)| format!("{name} ({})", sender.as_str()),
        ),
    }
}

impl PlansPage {
    pub(in crate::communicator) fn new(
        signed: &Signed,
        plans: Plans<'_>,
        refused: Option<Refused>,
    ) -> Self {
        let t = texts(signed.language);
        let mut views: Vec<PlanView> = Vec::new();
        for activity in plans.activities {
            let owner = &activity.planned.owner;
            let id = match owner {
                PlanOwner::Common => "plan-gemensam".to_owned(),
                PlanOwner::Sender(sender) => format!("plan-{}", sender.as_str()),
            };
            if views.last().is_none_or(|view| view.id != id) {
                let name = name_of(plans.names, owner, t);
                views.push(PlanView {
                    id,
                    name,
                    rows: Vec::new(),
                });
            }
            if let Some(view) = views.last_mut() {
                view.rows.push(ActivityRow::new(activity, &plans, signed));
            }
        }
        let mut choices: Vec<(String, String)> = signed
            .communicator
            .senders
            .iter()
            .map(|sender| {
                let owner = PlanOwner::Sender(sender.clone());
                (sender.as_str().to_owned(), name_of(plans.names, &owner, t))
            })
            .collect();
        if plans.is_editor {
            choices.insert(0, ("gemensam".to_owned(), t.common.to_owned()));
        }
        Self {
            chrome: Chrome::new(signed.language, &[]),
            t,
            csrf: signed.csrf.clone(),
            lang_query: lang_query(signed.language),
            year: plans.year,
            plans: views,
            choices,
            refused,
        }
    }

    /// The field's value as entered in a refused form, else empty.
    fn entered(&self, name: &str) -> &str {
        self.refused
            .as_ref()
            .map_or("", |refused| refused.fields.value(name))
    }
}

/// A campaign's review on its page.
#[derive(Template)]
#[template(path = "communicator_review.html")]
pub(in crate::communicator) struct ReviewView {
    t: &'static Texts,
    csrf: String,
    lang_query: &'static str,
    code: String,
    checked: Option<String>,
    activity: Option<String>,
    deadline: String,
    has_started: bool,
    words: Vec<Replace>,
    pub(in crate::communicator) may_check: bool,
}

impl ReviewView {
    pub(in crate::communicator) fn new(
        signed: &Signed,
        campaign: &Campaign,
        review: Option<&CampaignReview>,
        activity: Option<&Activity>,
        words: Vec<Replace>,
        is_editor: bool,
    ) -> Self {
        let checked = review
            .and_then(|review| review.checked.as_ref())
            .map(|(who, at)| {
                let day = kuvert_core::calendar::stockholm_day(*at);
                format!("{} ({day})", who.as_str())
            });
        let has_started = campaign.starts_on < today();
        Self {
            t: texts(signed.language),
            csrf: signed.csrf.clone(),
            lang_query: lang_query(signed.language),
            code: campaign.code.as_str().to_owned(),
            may_check: is_editor && checked.is_none() && !has_started && words.is_empty(),
            checked,
            activity: activity.map(|activity| activity.planned.message.clone()),
            deadline: campaign.starts_on.to_string(),
            has_started,
            words,
        }
    }
}

/// What the yearly meeting's CSV holds.
pub(in crate::communicator) struct Meeting<'a> {
    pub(in crate::communicator) activities: &'a [Activity],
    pub(in crate::communicator) reviews: &'a [CampaignReview],
    pub(in crate::communicator) campaigns: &'a [Campaign],
    pub(in crate::communicator) results: &'a [CampaignResult],
    /// Surveys answered per campaign.
    pub(in crate::communicator) surveys: &'a [(CampaignCode, u64)],
    pub(in crate::communicator) names: &'a [(OrganisationNumber, String)],
}

/// `arsmote.csv`: one row per activity (with the campaigns made from it) and one per
/// campaign made outside the plans, with the campaign's review and result.
pub(in crate::communicator) fn meeting_dataset(
    language: Language,
    meeting: &Meeting<'_>,
) -> Dataset {
    let t = texts(language);
    let (sv_en, checked) = match language {
        Language::Swedish => (
            ["År", "Registreringar", "Mål", "Besvarade enkäter"],
            "Granskad av",
        ),
        Language::English => (
            ["Year", "Registrations", "Goal", "Surveys answered"],
            "Checked by",
        ),
    };
    let columns = [
        t.plan,
        sv_en[0],
        t.message,
        t.target_group,
        t.channel,
        t.period,
        t.campaign,
        checked,
        "Besök / Visits",
        "Val av brevlådeoperatör / Mailbox operators chosen",
        sv_en[1],
        sv_en[2],
        sv_en[3],
    ];
    Dataset {
        slug: "arsmote",
        title: t.export.to_owned(),
        description: t.intro.to_owned(),
        columns: columns.iter().map(|column| (*column).to_owned()).collect(),
        rows: meeting.rows(t),
        chart: None,
    }
}

fn text(value: &str) -> Value {
    Value::Text(value.to_owned())
}

impl Meeting<'_> {
    /// Every activity's rows, then the campaigns made outside the plans.
    fn rows(&self, t: &Texts) -> Vec<Row> {
        let mut rows = Vec::new();
        for activity in self.activities {
            let planned = &activity.planned;
            let plan_values = [
                text(&activity.year.to_string()),
                text(&planned.message),
                text(&planned.target_group),
                text(&planned.channel),
                text(&format!("{} – {}", planned.starts_on, planned.ends_on)),
            ];
            let made = self.campaigns_of(Some(&activity.id));
            let made = if made.is_empty() {
                vec![None]
            } else {
                made.into_iter().map(Some).collect()
            };
            for campaign in made {
                rows.push(Row {
                    label: name_of(self.names, &planned.owner, t),
                    values: [plan_values.to_vec(), self.campaign_values(campaign)].concat(),
                });
            }
        }
        for campaign in self.campaigns_of(None) {
            let plan_values = vec![
                text(&campaign.starts_on.year().to_string()),
                text(""),
                text(""),
                text(&campaign.channel),
                text(&format!("{} – {}", campaign.starts_on, campaign.ends_on)),
            ];
            rows.push(Row {
                label: String::new(),
                values: [plan_values, self.campaign_values(Some(campaign))].concat(),
            });
        }
        rows
    }

    /// The campaigns made from the activity (`None`: from no activity).
    fn campaigns_of(&self, activity_id: Option<&str>) -> Vec<&Campaign> {
        self.campaigns
            .iter()
            .filter(|campaign| {
                review_for(self.reviews, &campaign.code)
                    .and_then(|review| review.activity_id.as_deref())
                    == activity_id
            })
            .collect()
    }

    /// A campaign's name, reviewer and totals against its goal; empty cells for none.
    fn campaign_values(&self, campaign: Option<&Campaign>) -> Vec<Value> {
        let Some(campaign) = campaign else {
            return vec![text(""); 7];
        };
        let code = campaign.code.as_str();
        let checked_by = review_for(self.reviews, &campaign.code)
            .and_then(|review| review.checked.as_ref())
            .map_or_else(String::new, |(who, _)| who.as_str().to_owned());
        let total = self
            .results
            .iter()
            .find(|result| result.code == code)
            .map(|result| result.funnel.total)
            .unwrap_or_default();
        let surveys = self
            .surveys
            .iter()
            .find(|(answered, _)| answered == &campaign.code)
            .map_or(0, |(_, count)| *count);
        vec![
            text(&format!("{} ({code})", campaign.name)),
            Value::Text(checked_by),
            Value::Count(total.visits),
            Value::Count(total.operator_choices),
            Value::Count(total.registrations),
            Value::Count(campaign.goal_registrations),
            Value::Count(surveys),
        ]
    }
}
