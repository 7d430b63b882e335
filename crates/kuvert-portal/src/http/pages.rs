//! The portal's page models: each picks its texts by language and hands them to a template.
//! The Swedish and English texts use the words of `TERMS.md` only.

use askama::Template;
use kuvert_web::i18n::Language;

use crate::config::PortalOperator;

/// Texts shared by every page: the header, the language switch and the footer.
pub(crate) struct Chrome {
    pub(crate) language: &'static str,
    pub(crate) skip_to_content: &'static str,
    pub(crate) site_name: &'static str,
    pub(crate) other_language_label: &'static str,
    pub(crate) other_language_code: &'static str,
    pub(crate) other_language_name: &'static str,
}

impl Chrome {
    fn new(language: Language) -> Self {
        match language {
            Language::Swedish => Self {
                language: "sv",
                skip_to_content: "Hoppa till innehållet",
                site_name: "Digital brevlåda",
                other_language_label: "In English",
                other_language_code: "en",
                other_language_name: "English",
            },
            Language::English => Self {
                language: "en",
                skip_to_content: "Skip to content",
                site_name: "Digital mailbox",
                other_language_label: "På svenska",
                other_language_code: "sv",
                other_language_name: "Svenska",
            },
        }
    }
}

/// One of the three main messages (huvudbudskap) of `TERMS.md`.
pub(crate) struct MainMessage {
    pub(crate) heading: &'static str,
    pub(crate) text: &'static str,
}

/// The start page: the three main messages and one call to action.
#[derive(Template)]
#[template(path = "start.html")]
pub(crate) struct StartPage {
    pub(crate) chrome: Chrome,
    pub(crate) title: &'static str,
    pub(crate) lead: &'static str,
    pub(crate) messages: [MainMessage; 3],
    pub(crate) call_to_action: &'static str,
    pub(crate) query: &'static str,
}

impl StartPage {
    pub(crate) fn new(language: Language) -> Self {
        match language {
            Language::Swedish => Self {
                chrome: Chrome::new(language),
                title: "Få din post från det offentliga digitalt",
                lead: "Med en digital brevlåda får du brev från myndigheter, kommuner och \
                       regioner direkt i mobilen eller datorn, i stället för på papper.",
                messages: [
                    MainMessage {
                        heading: "Säkert",
                        text: "Ingen annan kommer åt din post. Du loggar in med \
                               e-legitimation. Brev kan inte komma bort.",
                    },
                    MainMessage {
                        heading: "Praktiskt",
                        text: "Breven finns kvar på ett ställe och du kan läsa dem var du än \
                               är. Du får en avisering via e-post eller sms när du har fått \
                               ett brev.",
                    },
                    MainMessage {
                        heading: "Miljövänligt och billigt",
                        text: "Tillsammans sparar vi på miljön och på tryck- och \
                               portokostnader.",
                    },
                ],
                call_to_action: "Skaffa digital brevlåda",
                query: "",
            },
            Language::English => Self {
                chrome: Chrome::new(language),
                title: "Get your mail from the public sector digitally",
                lead: "With a digital mailbox you get letters from agencies, municipalities \
                       and regions on your phone or computer instead of on paper.",
                messages: [
                    MainMessage {
                        heading: "Secure",
                        text: "Nobody else can reach your mail. You log in with e-ID. \
                               Letters cannot get lost.",
                    },
                    MainMessage {
                        heading: "Practical",
                        text: "Your letters stay in one place and you can read them wherever \
                               you are. You get a notification by e-mail or SMS.",
                    },
                    MainMessage {
                        heading: "Green and cheap",
                        text: "Together we save the environment and printing and postage \
                               costs.",
                    },
                ],
                call_to_action: "Get a digital mailbox",
                query: "?lang=en",
            },
        }
    }
}

/// The operator chooser: each operator leads straight into its own sign-up.
#[derive(Template)]
#[template(path = "chooser.html")]
pub(crate) struct ChooserPage<'a> {
    pub(crate) chrome: Chrome,
    pub(crate) title: &'static str,
    pub(crate) lead: &'static str,
    pub(crate) choose_prefix: &'static str,
    pub(crate) operators: Vec<OperatorChoice<'a>>,
}

/// One operator in the chooser, in the page's language.
pub(crate) struct OperatorChoice<'a> {
    pub(crate) name: &'a str,
    pub(crate) description: &'a str,
    pub(crate) signup_url: &'a str,
}

impl<'a> ChooserPage<'a> {
    pub(crate) fn new(language: Language, operators: &'a [PortalOperator]) -> Self {
        let operators = operators
            .iter()
            .map(|operator| OperatorChoice {
                name: &operator.name,
                description: match language {
                    Language::Swedish => &operator.description_sv,
                    Language::English => &operator.description_en,
                },
                signup_url: operator.signup_url.as_str(),
            })
            .collect();
        match language {
            Language::Swedish => Self {
                chrome: Chrome::new(language),
                title: "Välj brevlådeoperatör",
                lead: "Alla brevlådeoperatörer är anslutna till Mina meddelanden och tar emot \
                       samma post. Du kan byta brevlåda när du vill.",
                choose_prefix: "Skaffa digital brevlåda hos",
                operators,
            },
            Language::English => Self {
                chrome: Chrome::new(language),
                title: "Choose a mailbox operator",
                lead: "Every mailbox operator is connected to Mina meddelanden and receives the \
                       same mail. You can change mailbox whenever you like.",
                choose_prefix: "Get a digital mailbox at",
                operators,
            },
        }
    }
}
