//! The informational pages: questions and answers (`/fragor`) and the accessibility statement
//! (`/tillganglighet`, after the model statement of the Swedish law on accessibility to
//! digital public services, lag (2018:1937), with Digg as supervisory authority).

use askama::Template;
use kuvert_web::i18n::Language;

use super::pages::Chrome;

/// One heading with its paragraphs and, optionally, a link after them.
pub(crate) struct Section {
    pub(crate) heading: &'static str,
    pub(crate) paragraphs: Vec<String>,
    pub(crate) link: Option<Link>,
}

/// A link at the end of a [`Section`].
pub(crate) struct Link {
    pub(crate) href: String,
    pub(crate) label: String,
}

/// Questions and answers: what it is, cost, security, e-ID, change and deregister,
/// companies, paper.
#[derive(Template)]
#[template(path = "info.html")]
pub(crate) struct QuestionsPage {
    pub(crate) chrome: Chrome,
    pub(crate) title: &'static str,
    pub(crate) lead: String,
    pub(crate) sections: Vec<Section>,
    /// The FAQ entries the editor published, after the portal's own.
    pub(crate) published: Vec<super::news::NewsItem>,
}

/// The accessibility statement (tillgänglighetsredogörelse).
#[derive(Template)]
#[template(path = "info.html")]
pub(crate) struct AccessibilityPage {
    pub(crate) chrome: Chrome,
    pub(crate) title: &'static str,
    pub(crate) lead: String,
    pub(crate) sections: Vec<Section>,
    /// Always empty: the statement is the portal's own text.
    pub(crate) published: Vec<super::news::NewsItem>,
}

/// Who publishes the portal and answers about it (configured).
pub(crate) struct Publisher<'a> {
    pub(crate) name: &'a str,
    pub(crate) contact_email: &'a str,
}

/// When the accessibility statement was last reviewed against the pages.
const STATEMENT_UPDATED_ON: &str = "2026-11-29";

/// Digg's form for complaints about accessibility.
const DIGG_COMPLAINT_URL: &str = "https://www.digg.se/tdosanmalan";

fn section(heading: &'static str, paragraphs: &[&str]) -> Section {
    Section {
        heading,
        paragraphs: paragraphs.iter().map(|text| (*text).to_owned()).collect(),
        link: None,
    }
}

impl Section {
    fn with_paragraph(mut self, paragraph: String) -> Self {
        self.paragraphs.push(paragraph);
        self
    }
}

impl QuestionsPage {
    pub(crate) fn new(language: Language, published: Vec<super::news::NewsItem>) -> Self {
        let chrome = Chrome::new(language, &[]);
        let signup = Link {
            href: format!("/skaffa{}", chrome.lang_query),
            label: match language {
                Language::Swedish => "Skaffa digital brevlåda".to_owned(),
                Language::English => "Get a digital mailbox".to_owned(),
            },
        };
        let (title, (lead, mut sections)) = match language {
            Language::Swedish => ("Frågor och svar", swedish_questions()),
            Language::English => ("Questions and answers", english_questions()),
        };
        if let Some(first) = sections.first_mut() {
            first.link = Some(signup);
        }
        Self {
            chrome,
            title,
            lead,
            sections,
            published,
        }
    }
}

fn swedish_questions() -> (String, Vec<Section>) {
    let lead = "Svar på det som många undrar över om digital brevlåda.".to_owned();
    let sections = vec![
        section(
            "Vad är en digital brevlåda?",
            &[
                "En digital brevlåda är där du får brev från myndigheter, kommuner och regioner \
             digitalt i stället för på papper. Alla digitala brevlådor är anslutna till Mina \
             meddelanden, så du får samma post oavsett vilken brevlådeoperatör du väljer.",
            ],
        ),
        section(
            "Vad kostar det?",
            &[
                "Det kostar ingenting att skaffa digital brevlåda och få post från det offentliga. \
             Tillsammans sparar vi på miljön och på tryck- och portokostnader.",
            ],
        ),
        section(
            "Är det säkert?",
            &[
                "Ingen annan kommer åt din post. Du loggar in med e-legitimation. Brev kan inte \
             komma bort: varje brev är signerat av avsändaren och förseglat, och avsändaren \
             får en kvittens när brevet har kommit fram till din digitala brevlåda.",
                "Du får en avisering via e-post eller sms när du har fått ett brev. Aviseringen \
             säger bara att du har fått ett brev och från vem, aldrig vad brevet innehåller.",
            ],
        ),
        section(
            "Vilken e-legitimation behöver jag?",
            &[
                "Du loggar in med BankID, Freja eID+ eller en annan svensk e-legitimation som \
             godkänts för inloggning hos myndigheter.",
            ],
        ),
        section(
            "Kan jag byta brevlåda eller avregistrera mig?",
            &[
                "Ja. Du kan byta brevlåda till en annan brevlådeoperatör när du vill; dina \
             mottagningsregler följer med. Du kan också avregistrera dig, och då kommer \
             posten på papper igen. Båda gör du i inställningarna hos din brevlådeoperatör.",
                "Med mottagningsregler väljer du själv vilka avsändare du vill få digital post \
             från. Från de avsändare du väljer bort kommer posten på papper.",
            ],
        ),
        section(
            "Kan ett företag få en digital brevlåda?",
            &[
                "Ja. Ett företag, en förening eller en annan organisation med organisationsnummer \
             kan skaffa digital brevlåda. Den registreras av företagets firmatecknare med \
             e-legitimation; krävs flera firmatecknare i förening blir den klar när alla har \
             signerat. Har du enskild firma får du företagets post i din egen digitala \
             brevlåda.",
            ],
        ),
        section(
            "Får jag fortfarande post på papper?",
            &[
                "Från avsändare som är anslutna till Mina meddelanden får du posten digitalt. \
             Avsändare som ännu inte är anslutna, och de du har valt bort, skickar som \
             pappersutskick precis som i dag.",
            ],
        ),
    ];
    (lead, sections)
}

fn english_questions() -> (String, Vec<Section>) {
    let lead = "Answers to what people most often ask about the digital mailbox.".to_owned();
    let sections = vec![
        section(
            "What is a digital mailbox?",
            &[
                "A digital mailbox is where you receive letters from agencies, municipalities and \
             regions digitally instead of on paper. Every digital mailbox is connected to Mina \
             meddelanden, so you get the same mail whichever mailbox operator you choose.",
            ],
        ),
        section(
            "What does it cost?",
            &[
                "Getting a digital mailbox and receiving mail from the public sector costs \
             nothing. Together we save the environment and printing and postage costs.",
            ],
        ),
        section(
            "Is it secure?",
            &[
                "Nobody else can reach your mail. You log in with e-ID. Letters cannot get lost: \
             every letter is signed by the sender and sealed, and the sender gets a receipt \
             once the letter has reached your digital mailbox.",
                "You get a notification by e-mail or SMS when a letter has arrived. The \
             notification only says that a letter has arrived and from whom, never what it \
             says.",
            ],
        ),
        section(
            "Which e-ID do I need?",
            &[
                "You log in with BankID, Freja eID+ or another Swedish e-ID approved for logging \
             in to public services.",
            ],
        ),
        section(
            "Can I change mailbox or deregister?",
            &[
                "Yes. You can change mailbox to another mailbox operator whenever you like; your \
             reception rules come along. You can also deregister, and your mail then comes on \
             paper again. You do both in the settings at your mailbox operator.",
                "With reception rules you choose which senders you get digital mail from. Senders \
             you deselect send on paper.",
            ],
        ),
        section(
            "Can a company get a digital mailbox?",
            &[
                "Yes. A company, an association or another organisation with an organisation \
             number can get a digital mailbox. It is registered by the company's authorised \
             signatories with e-ID; when several must sign together, it is ready once all \
             have signed. A sole trader gets the business's mail in their own digital mailbox.",
            ],
        ),
        section(
            "Will I still get paper mail?",
            &[
                "Senders connected to Mina meddelanden send your mail digitally. Senders that are \
             not connected yet, and those you have deselected, send paper mail as today.",
            ],
        ),
    ];
    (lead, sections)
}

impl AccessibilityPage {
    pub(crate) fn new(language: Language, publisher: &Publisher<'_>) -> Self {
        let chrome = Chrome::new(language, &[]);
        let (title, (lead, sections)) = match language {
            Language::Swedish => ("Tillgänglighetsredogörelse", swedish_statement(publisher)),
            Language::English => ("Accessibility statement", english_statement(publisher)),
        };
        Self {
            chrome,
            title,
            lead,
            sections,
            published: Vec::new(),
        }
    }
}

fn contact_link(publisher: &Publisher<'_>) -> Link {
    Link {
        href: format!("mailto:{}", publisher.contact_email),
        label: publisher.contact_email.to_owned(),
    }
}

fn digg_link(label: &str) -> Link {
    Link {
        href: DIGG_COMPLAINT_URL.to_owned(),
        label: label.to_owned(),
    }
}

fn swedish_statement(publisher: &Publisher<'_>) -> (String, Vec<Section>) {
    let lead = format!(
        "{} står bakom den här webbplatsen. Vi vill att så många som möjligt ska kunna \
         använda den. Här beskriver vi hur webbplatsen uppfyller lagen om tillgänglighet till \
         digital offentlig service, kända brister och hur du kan rapportera brister till oss \
         så att vi kan åtgärda dem.",
        publisher.name
    );
    let mut contact = section(
        "Vad kan du göra om du inte kan använda delar av webbplatsen?",
        &[
            "Om du behöver innehållet i ett annat format, eller inte kan använda en del av \
         webbplatsen, kan du kontakta oss med e-post. Vi svarar så snart vi kan.",
        ],
    );
    contact.link = Some(contact_link(publisher));
    let mut supervision = section(
        "Tillsyn",
        &[
            "Myndigheten för digital förvaltning (Digg) har ansvaret för tillsyn över lagen om \
         tillgänglighet till digital offentlig service. Om du inte är nöjd med hur vi \
         hanterar dina synpunkter kan du kontakta Digg och påtala det.",
        ],
    );
    supervision.link = Some(digg_link("Anmäl till Digg"));
    let sections =
        vec![
        section("Hur tillgänglig är webbplatsen?", &[
            "Vi bedömer att webbplatsen är helt förenlig med lagen om tillgänglighet till \
             digital offentlig service. Vi känner inte till några brister.",
        ]),
        contact,
        section("Rapportera brister i webbplatsens tillgänglighet", &[
            "Vi strävar hela tiden efter att förbättra webbplatsens tillgänglighet. Om du \
             upptäcker problem som inte beskrivs här, eller om du anser att vi inte uppfyller \
             lagens krav, meddela oss via e-postadressen ovan så att vi får veta att problemet \
             finns.",
        ]),
        supervision,
        section("Teknisk information om webbplatsens tillgänglighet", &[
            "Webbplatsen är helt förenlig med Web Content Accessibility Guidelines (WCAG) \
             version 2.1, nivå AA.",
        ]),
        section("Hur vi testat webbplatsen", &[
            "Varje sida testas automatiskt med verktyget axe-core mot WCAG 2.1 nivå A och AA \
             i webbläsaren Chromium, vid varje ändring av webbplatsen. Sidorna är vanlig HTML \
             som fungerar utan JavaScript, med en länk förbi sidhuvudet, rubriker i ordning, \
             textalternativ till bilder och färger med tillräcklig kontrast. Webbplatsen \
             sätter inga kakor.",
        ])
        .with_paragraph(format!(
            "Redogörelsen uppdaterades senast den {STATEMENT_UPDATED_ON}."
        )),
    ];
    (lead, sections)
}

fn english_statement(publisher: &Publisher<'_>) -> (String, Vec<Section>) {
    let lead = format!(
        "{} is responsible for this website. We want as many people as possible to be able to \
         use it. Here we describe how the website meets the Swedish law on accessibility to \
         digital public services, known shortcomings and how you can report shortcomings to us \
         so that we can fix them.",
        publisher.name
    );
    let mut contact = section(
        "What can you do if you cannot use parts of the website?",
        &[
            "If you need the content in another format, or cannot use part of the website, you \
         can contact us by e-mail. We answer as soon as we can.",
        ],
    );
    contact.link = Some(contact_link(publisher));
    let mut supervision = section(
        "Supervision",
        &[
            "The Agency for Digital Government (Digg) supervises the law on accessibility to \
         digital public services. If you are not satisfied with how we handle your comments, \
         you can contact Digg and tell them.",
        ],
    );
    supervision.link = Some(digg_link("Report to Digg"));
    let sections =
        vec![
        section("How accessible is the website?", &[
            "We consider the website fully compliant with the law on accessibility to digital \
             public services. We know of no shortcomings.",
        ]),
        contact,
        section("Report shortcomings in the website's accessibility", &[
            "We keep working to improve the website's accessibility. If you find problems not \
             described here, or think we do not meet the law's requirements, tell us at the \
             e-mail address above so that we know about the problem.",
        ]),
        supervision,
        section("Technical information about the website's accessibility", &[
            "The website is fully compliant with the Web Content Accessibility Guidelines \
             (WCAG) version 2.1, level AA.",
        ]),
        section("How we tested the website", &[
            "Every page is tested automatically with the axe-core tool against WCAG 2.1 levels \
             A and AA in the Chromium browser, on every change to the website. The pages are \
             plain HTML that works without JavaScript, with a link past the page header, \
             headings in order, text alternatives for images and colours with enough \
             contrast. The website sets no cookies.",
        ])
        .with_paragraph(format!(
            "This statement was last updated on {STATEMENT_UPDATED_ON}."
        )),
    ];
    (lead, sections)
}
