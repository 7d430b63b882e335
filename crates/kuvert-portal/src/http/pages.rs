//! The portal's main page models (start, chooser, not found) and the chrome every page
//! shares: each picks its texts by language and hands them to a template.
//! The Swedish and English texts use the words of `TERMS.md` only.

use askama::Template;
use kuvert_web::i18n::Language;
use kuvert_web::main_messages::{MainMessage, main_messages};

use crate::config::PortalOperator;
use crate::domain::deep_link::DeepLink;

/// Texts shared by every page: the header, the language switch, the navigation and the
/// footer.
pub(crate) struct Chrome {
    pub(crate) language: &'static str,
    pub(crate) skip_to_content: &'static str,
    pub(crate) site_name: &'static str,
    pub(crate) other_language_label: &'static str,
    pub(crate) other_language_code: &'static str,
    pub(crate) other_language_name: &'static str,
    /// The same page in the other language, keeping the page's own parameters.
    pub(crate) other_language_href: String,
    /// `""` or `"?lang=en"`, appended to the site's own links.
    pub(crate) lang_query: &'static str,
    pub(crate) navigation_label: &'static str,
    pub(crate) navigation: [NavigationLink; 4],
    /// "Hittade du det du sökte?" on public pages (issue 13 §5), `None` elsewhere.
    pub(crate) feedback: Option<super::feedback::FeedbackForm>,
}

/// One link of the site navigation in the footer.
pub(crate) struct NavigationLink {
    pub(crate) path: &'static str,
    pub(crate) label: &'static str,
}

impl Chrome {
    /// The chrome of a page whose own parameters (without `lang`) are `page_parameters`.
    pub(crate) fn new(language: Language, page_parameters: &[(&str, String)]) -> Self {
        let other = match language {
            Language::Swedish => Language::English,
            Language::English => Language::Swedish,
        };
        let mut href = url::form_urlencoded::Serializer::for_suffix(String::from("?"), 1);
        for (name, value) in page_parameters {
            href.append_pair(name, value);
        }
        href.append_pair(kuvert_web::i18n::LANGUAGE_PARAMETER, other.code());
        let other_language_href = href.finish();
        let feedback = super::feedback::FeedbackForm::current(language);
        match language {
            Language::Swedish => Self {
                language: "sv",
                skip_to_content: "Hoppa till innehållet",
                site_name: "Digital brevlåda",
                other_language_label: "In English",
                other_language_code: "en",
                other_language_name: "English",
                other_language_href,
                lang_query: "",
                navigation_label: "Om digital brevlåda",
                navigation: navigation(language),
                feedback,
            },
            Language::English => Self {
                language: "en",
                skip_to_content: "Skip to content",
                site_name: "Digital mailbox",
                other_language_label: "På svenska",
                other_language_code: "sv",
                other_language_name: "Svenska",
                other_language_href,
                lang_query: "?lang=en",
                navigation_label: "About the digital mailbox",
                navigation: navigation(language),
                feedback,
            },
        }
    }
}

/// The footer's site navigation in `language`.
fn navigation(language: Language) -> [NavigationLink; 4] {
    let labels = match language {
        Language::Swedish => [
            "Skaffa digital brevlåda",
            "Avsändare",
            "Frågor och svar",
            "Tillgänglighet",
        ],
        Language::English => [
            "Get a digital mailbox",
            "Senders",
            "Questions and answers",
            "Accessibility",
        ],
    };
    let paths = ["/skaffa", "/avsandare", "/fragor", "/tillganglighet"];
    std::array::from_fn(|index| NavigationLink {
        path: paths[index],
        label: labels[index],
    })
}

/// The start page: the three main messages and one call to action.
#[derive(Template)]
#[template(path = "start.html")]
pub(crate) struct StartPage {
    pub(crate) chrome: Chrome,
    pub(crate) title: &'static str,
    pub(crate) lead: &'static str,
    /// The three main messages (huvudbudskap) of `TERMS.md`.
    pub(crate) messages: &'static [MainMessage; 3],
    pub(crate) call_to_action: &'static str,
    /// The deep link's parameters and the language, carried on to the chooser.
    pub(crate) query: String,
}

impl StartPage {
    /// The start page; a deep link that landed here is carried on by the call to action.
    pub(crate) fn new(language: Language, deep_link: &DeepLink) -> Self {
        let query = deep_link.query_string(language);
        let chrome = Chrome::new(language, &deep_link.parameters(Language::Swedish));
        match language {
            Language::Swedish => Self {
                chrome,
                title: "Få din post från det offentliga digitalt",
                lead: "Med en digital brevlåda får du brev från myndigheter, kommuner och \
                       regioner direkt i mobilen eller datorn, i stället för på papper.",
                messages: main_messages(language),
                call_to_action: "Skaffa digital brevlåda",
                query,
            },
            Language::English => Self {
                chrome,
                title: "Get your mail from the public sector digitally",
                lead: "With a digital mailbox you get letters from agencies, municipalities \
                       and regions on your phone or computer instead of on paper.",
                messages: main_messages(language),
                call_to_action: "Get a digital mailbox",
                query,
            },
        }
    }
}

/// The operator chooser: each operator leads through `/skaffa/{slug}` (where the choice is
/// counted) straight into its own sign-up, carrying the deep link.
#[derive(Template)]
#[template(path = "chooser.html")]
pub(crate) struct ChooserPage<'a> {
    pub(crate) chrome: Chrome,
    pub(crate) title: &'static str,
    pub(crate) lead: &'static str,
    /// "Exempelkommun skickar sin post digitalt …" when a deep link named a known sender.
    pub(crate) sender_lead: Option<String>,
    pub(crate) choose_prefix: &'static str,
    pub(crate) operators: Vec<OperatorChoice<'a>>,
    /// The sender's brand first, for a deep link naming a connected sender (issue 13 §1).
    pub(crate) brand: Option<super::brand::BrandView>,
    /// `(href, label)` of the campaign's survey, for a deep link naming a campaign while the
    /// network has questions (issue 13 §5).
    pub(crate) survey: Option<(String, &'static str)>,
}

/// One operator in the chooser, in the page's language.
pub(crate) struct OperatorChoice<'a> {
    pub(crate) name: &'a str,
    pub(crate) description: &'a str,
    /// `/skaffa/{slug}` with the deep link's parameters and the language.
    pub(crate) choice_href: String,
}

impl<'a> ChooserPage<'a> {
    pub(crate) fn new(
        language: Language,
        operators: &'a [PortalOperator],
        deep_link: &DeepLink,
        sender_name: Option<&str>,
    ) -> Self {
        let query = deep_link.query_string(language);
        let sender_lead = sender_name.map(|name| match language {
            Language::Swedish => {
                format!("{name} skickar sin post digitalt. Välj var du vill ta emot den.")
            }
            Language::English => {
                format!("{name} sends its mail digitally. Choose where you want to receive it.")
            }
        });
        let operators = operators
            .iter()
            .map(|operator| OperatorChoice {
                name: &operator.name,
                description: match language {
                    Language::Swedish => &operator.description_sv,
                    Language::English => &operator.description_en,
                },
                choice_href: format!("/skaffa/{}{query}", operator.slug),
            })
            .collect();
        let chrome = Chrome::new(language, &deep_link.parameters(Language::Swedish));
        match language {
            Language::Swedish => Self {
                chrome,
                title: "Välj brevlådeoperatör",
                lead: "Alla brevlådeoperatörer är anslutna till Mina meddelanden och tar emot \
                       samma post. Du kan byta brevlåda när du vill.",
                sender_lead,
                choose_prefix: "Skaffa digital brevlåda hos",
                operators,
                brand: None,
                survey: None,
            },
            Language::English => Self {
                chrome,
                title: "Choose a mailbox operator",
                lead: "Every mailbox operator is connected to Mina meddelanden and receives the \
                       same mail. You can change mailbox whenever you like.",
                sender_lead,
                choose_prefix: "Get a digital mailbox at",
                operators,
                brand: None,
                survey: None,
            },
        }
    }
}

/// The page for an address the portal does not have.
#[derive(Template)]
#[template(path = "not_found.html")]
pub(crate) struct NotFoundPage {
    pub(crate) chrome: Chrome,
    pub(crate) title: &'static str,
    pub(crate) text: &'static str,
    pub(crate) start_label: &'static str,
}

impl NotFoundPage {
    pub(crate) fn new(language: Language) -> Self {
        match language {
            Language::Swedish => Self {
                chrome: Chrome::new(language, &[]),
                title: "Sidan finns inte",
                text: "Adressen leder inte till någon sida. Kontrollera att den är rätt \
                       skriven, eller börja på startsidan.",
                start_label: "Till startsidan",
            },
            Language::English => Self {
                chrome: Chrome::new(language, &[]),
                title: "Page not found",
                text: "The address leads to no page. Check that it is spelt correctly, or \
                       start on the front page.",
                start_label: "To the front page",
            },
        }
    }
}
