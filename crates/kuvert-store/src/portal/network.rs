//! `NetworkStore`: what the communicators' network keeps on the portal (issue 13) — each
//! sender's brand (message and logo), the page feedback, A/B tests of a sender's message (and
//! the source codes of registrations that came through both a campaign and a variant), and
//! the standard campaign questions with their answers (migration 0013).
//!
//! **Invariant:** nothing here names a person. Feedback is stored as its day, page, answer and
//! a [`MaskedComment`]; a visitor's A/B variant is kept for the current day only, under a
//! SHA-256 of the portal's daily visitor hash and the test, deleted by
//! [`NetworkStore::forget_ab_visitors_before`] at the day's end, like the visit counter's keys.
//! A survey answer is its day, campaign, question and answer, free text as a [`MaskedComment`].

mod ab_tests;
mod brands;
mod feedback;
mod surveys;

use async_trait::async_trait;
use kuvert_core::brand::LogoMediaType;
use kuvert_core::campaign::CampaignCode;
use kuvert_core::feedback::MaskedComment;
use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber};
use sqlx::AnyPool;
use time::{Date, OffsetDateTime};

use super::VisitorHash;
use crate::StoreError;
use crate::database::Backend;

/// The network's storage. Held as `Arc<dyn NetworkStore>` by `kuvert-portal`.
#[async_trait]
pub trait NetworkStore: Send + Sync + std::fmt::Debug {
    /// Sets (replaces) a sender's brand. `OutOfBounds` for a text or logo beyond its limit.
    async fn set_brand(&self, brand: &SenderBrand) -> Result<(), StoreError>;
    /// A sender's brand, if its communicator entered one.
    async fn brand(&self, sender: &OrganisationNumber) -> Result<Option<SenderBrand>, StoreError>;
    /// The senders that have a brand, by organisation number.
    async fn branded_senders(&self) -> Result<Vec<OrganisationNumber>, StoreError>;

    /// Stores one answer to "Hittade du det du sökte?". `OutOfBounds` for a page name beyond
    /// `limits::PORTAL_PAGE_CHARS_MAX`.
    async fn record_feedback(&self, feedback: &Feedback) -> Result<(), StoreError>;
    /// Answers per page of `from..=to` (range as `PortalStore::visit_counts`).
    async fn feedback_counts(&self, from: Date, to: Date)
    -> Result<Vec<FeedbackCount>, StoreError>;
    /// The newest comments of `from..=to`, at most `limits::FEEDBACK_COMMENTS_SHOWN_MAX`.
    async fn feedback_comments(&self, from: Date, to: Date) -> Result<Vec<Feedback>, StoreError>;

    /// Starts an A/B test. `Conflict { what: "running A/B test" }` when the sender has one
    /// running; `OutOfBounds` for a text beyond its limit or more than `limits::AB_TESTS_MAX`.
    async fn create_ab_test(&self, test: &NewAbTest) -> Result<AbTest, StoreError>;
    /// Every A/B test of the senders given (all when `None`), newest first.
    async fn ab_tests(
        &self,
        senders: Option<&[OrganisationNumber]>,
    ) -> Result<Vec<AbTest>, StoreError>;
    /// The sender's running A/B test, if any.
    async fn running_ab_test(
        &self,
        sender: &OrganisationNumber,
    ) -> Result<Option<AbTest>, StoreError>;
    /// Ends a test; returns whether it was running.
    async fn end_ab_test(&self, test_id: &str) -> Result<bool, StoreError>;
    /// The visitor's variant of `test` today, assigning one on the first view: the variant
    /// with fewer visitors so far (A on a tie), so the split stays even. Counts the view.
    async fn assign_ab_variant(
        &self,
        test: &AbTest,
        day: Date,
        visitor: &VisitorHash,
    ) -> Result<Variant, StoreError>;
    /// Counts the visitor's operator choice for their variant of `test` today, once per
    /// visitor and day; `None` when the visitor saw no variant today.
    async fn record_ab_choice(
        &self,
        test: &AbTest,
        day: Date,
        visitor: &VisitorHash,
    ) -> Result<Option<Variant>, StoreError>;
    /// The test's totals per variant, `[A, B]`.
    async fn ab_counts(&self, test_id: &str) -> Result<[VariantCounts; 2], StoreError>;
    /// Deletes the visitors' variants of every day before `day`; returns how many.
    async fn forget_ab_visitors_before(&self, day: Date) -> Result<u64, StoreError>;
    /// Keeps the meaning of a source code that stands for a campaign and a variant at once
    /// (kept once; the same code again changes nothing).
    async fn record_ab_campaign_code(&self, code: &AbCampaignCode) -> Result<(), StoreError>;
    /// The codes recorded for a campaign or for a test.
    async fn ab_campaign_codes(&self, of: AbCodesOf<'_>)
    -> Result<Vec<AbCampaignCode>, StoreError>;

    /// Adds a standard campaign question after the others. `OutOfBounds` for a text beyond
    /// `limits::SURVEY_QUESTION_CHARS_MAX` or more than `limits::SURVEY_QUESTIONS_MAX`.
    async fn add_survey_question(
        &self,
        question: &QuestionText,
        editor: &PersonalIdentityNumber,
    ) -> Result<SurveyQuestion, StoreError>;
    /// Rewords a question; `NotFound` for an unknown id, `OutOfBounds` as when adding.
    async fn edit_survey_question(
        &self,
        id: &str,
        question: &QuestionText,
        editor: &PersonalIdentityNumber,
    ) -> Result<(), StoreError>;
    /// Moves a question one place earlier (`is_up`) or later; returns whether it moved.
    /// `NotFound` for an unknown id.
    async fn move_survey_question(&self, id: &str, is_up: bool) -> Result<bool, StoreError>;
    /// The questions in the order they are asked.
    async fn survey_questions(&self) -> Result<Vec<SurveyQuestion>, StoreError>;
    /// Stores one visitor's answers. `NotFound` for an answer to an unknown question,
    /// `OutOfBounds` for no answer, a question answered twice or a masked free text beyond
    /// `limits::FEEDBACK_COMMENT_CHARS_MAX` (masking may lengthen a text the portal bounded
    /// by `limits::SURVEY_ANSWER_CHARS_MAX`).
    async fn record_survey_response(&self, response: &SurveyResponse) -> Result<(), StoreError>;
    /// A campaign's answers per question, in the questions' order.
    async fn survey_results(&self, campaign: &CampaignCode) -> Result<SurveyResults, StoreError>;
    /// The number of answered surveys per campaign, by code.
    async fn survey_response_counts(&self) -> Result<Vec<(CampaignCode, u64)>, StoreError>;
}

/// A sender's brand as its communicator entered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderBrand {
    /// The sender.
    pub sender: OrganisationNumber,
    /// The one-line message, Swedish (at most `limits::BRAND_MESSAGE_CHARS_MAX` characters).
    pub message_sv: String,
    /// The one-line message, English.
    pub message_en: String,
    /// The logo, already checked (sanitised SVG or a PNG within bounds).
    pub logo: Option<Logo>,
}

/// A sender's logo: checked bytes and the alt text in both languages.
#[derive(Clone, PartialEq, Eq)]
pub struct Logo {
    /// `image/svg+xml` or `image/png`.
    pub media_type: LogoMediaType,
    /// The image (at most `limits::LOGO_BYTES_MAX`).
    pub bytes: Vec<u8>,
    /// Alt text, Swedish (required, at most `limits::LOGO_ALT_CHARS_MAX` characters).
    pub alt_sv: String,
    /// Alt text, English.
    pub alt_en: String,
}

impl std::fmt::Debug for Logo {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Logo")
            .field("media_type", &self.media_type)
            .field("bytes", &self.bytes.len())
            .field("alt_sv", &self.alt_sv)
            .finish_non_exhaustive()
    }
}

/// One answer to "Hittade du det du sökte?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    /// The Swedish calendar day it was given (no time of day is kept).
    pub day: Date,
    /// The page, by route.
    pub page: String,
    /// Whether the person found what they looked for.
    pub found: bool,
    /// The comment, masked; empty when none was written.
    pub comment: MaskedComment,
}

/// Answers for one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackCount {
    /// The page, by route.
    pub page: String,
    /// "Ja" answers.
    pub found: u64,
    /// "Nej" answers.
    pub not_found: u64,
}

/// One variant of an A/B test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Variant {
    /// The first variant.
    A,
    /// The second variant.
    B,
}

impl Variant {
    /// `"A"` or `"B"`, as stored and shown.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::A => "A",
            Self::B => "B",
        }
    }
}

/// A message in both languages: what one variant shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariantTexts {
    /// Swedish (at most `limits::BRAND_MESSAGE_CHARS_MAX` characters).
    pub sv: String,
    /// English.
    pub en: String,
}

/// An A/B test to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAbTest {
    /// What the communicator calls it (at most `limits::CAMPAIGN_NAME_CHARS_MAX`).
    pub name: String,
    /// The sender whose deep-link landing shows the variants.
    pub sender: OrganisationNumber,
    /// Variants A and B.
    pub variants: [VariantTexts; 2],
}

/// A stored A/B test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbTest {
    /// Its id (UUIDv7 text).
    pub id: String,
    /// As entered.
    pub name: String,
    /// The sender.
    pub sender: OrganisationNumber,
    /// Variants A and B.
    pub variants: [VariantTexts; 2],
    /// Whether visitors are still assigned.
    pub is_running: bool,
    /// When it was started.
    pub created_at: OffsetDateTime,
}

impl AbTest {
    /// The texts of `variant`.
    #[must_use]
    pub fn texts(&self, variant: Variant) -> &VariantTexts {
        match variant {
            Variant::A => &self.variants[0],
            Variant::B => &self.variants[1],
        }
    }
}

/// One variant's totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct VariantCounts {
    /// Distinct visitors assigned (per day).
    pub visitors: u64,
    /// Page views.
    pub visits: u64,
    /// Visitors who then chose an operator (once per visitor and day).
    pub operator_choices: u64,
}

/// A source code standing for a campaign and an A/B test's variant at once: what a sign-up
/// carries when the link named a campaign and the sender's test showed a variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AbCampaignCode {
    /// The code the registry counts the registration under.
    pub code: CampaignCode,
    /// The test.
    pub test_id: String,
    /// The variant the visitor saw.
    pub variant: Variant,
    /// The campaign the link named.
    pub campaign: CampaignCode,
}

/// Whose combined codes to read.
#[derive(Debug, Clone, Copy)]
pub enum AbCodesOf<'a> {
    /// A campaign's.
    Campaign(&'a CampaignCode),
    /// An A/B test's, by id.
    Test(&'a str),
}

/// What a standard campaign question asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuestionKind {
    /// Ja or Nej.
    YesNo,
    /// A free text, masked before it is stored.
    Text,
}

impl QuestionKind {
    /// As stored and posted: `yes_no` or `text`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::YesNo => "yes_no",
            Self::Text => "text",
        }
    }

    /// From [`Self::as_str`]'s text.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "yes_no" => Some(Self::YesNo),
            "text" => Some(Self::Text),
            _ => None,
        }
    }
}

/// A question's kind and wording in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionText {
    /// What it asks for.
    pub kind: QuestionKind,
    /// Swedish (at most `limits::SURVEY_QUESTION_CHARS_MAX` characters).
    pub sv: String,
    /// English.
    pub en: String,
}

/// A stored standard campaign question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyQuestion {
    /// Its id (UUIDv7 text).
    pub id: String,
    /// Kind and wording.
    pub text: QuestionText,
    /// The editor who wrote its current wording, and when.
    pub updated: (PersonalIdentityNumber, OffsetDateTime),
}

/// One answer on a campaign's survey page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SurveyAnswer {
    /// Ja (`true`) or Nej.
    YesNo(bool),
    /// A free text, masked.
    Text(MaskedComment),
}

/// One visitor's answers to a campaign's survey: no time of day, address or visitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyResponse {
    /// The Swedish calendar day.
    pub day: Date,
    /// The campaign whose landing linked to the survey.
    pub campaign: CampaignCode,
    /// `(question id, answer)`; unanswered questions are left out.
    pub answers: Vec<(String, SurveyAnswer)>,
}

/// A campaign's answers to one question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionResult {
    /// The question.
    pub question: SurveyQuestion,
    /// "Ja" answers.
    pub yes: u64,
    /// "Nej" answers.
    pub no: u64,
    /// Free-text answers.
    pub texts: u64,
    /// The newest free texts, at most `limits::SURVEY_TEXT_ANSWERS_SHOWN_MAX`.
    pub newest_texts: Vec<MaskedComment>,
}

/// A campaign's survey answers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SurveyResults {
    /// Surveys answered.
    pub responses: u64,
    /// Per question, in the questions' order.
    pub questions: Vec<QuestionResult>,
}

/// The network's tables in a SQLite or PostgreSQL database.
#[derive(Debug, Clone)]
pub(crate) struct SqlNetworkStore {
    pool: AnyPool,
    backend: Backend,
}

impl SqlNetworkStore {
    pub(crate) fn new(pool: AnyPool, backend: Backend) -> Self {
        Self { pool, backend }
    }
}

#[async_trait]
impl NetworkStore for SqlNetworkStore {
    async fn set_brand(&self, brand: &SenderBrand) -> Result<(), StoreError> {
        brands::set_brand(&self.pool, brand).await
    }

    async fn brand(&self, sender: &OrganisationNumber) -> Result<Option<SenderBrand>, StoreError> {
        brands::brand(&self.pool, sender).await
    }

    async fn branded_senders(&self) -> Result<Vec<OrganisationNumber>, StoreError> {
        brands::branded_senders(&self.pool).await
    }

    async fn record_feedback(&self, feedback: &Feedback) -> Result<(), StoreError> {
        feedback::record(&self.pool, feedback).await
    }

    async fn feedback_counts(
        &self,
        from: Date,
        to: Date,
    ) -> Result<Vec<FeedbackCount>, StoreError> {
        feedback::counts(&self.pool, from, to).await
    }

    async fn feedback_comments(&self, from: Date, to: Date) -> Result<Vec<Feedback>, StoreError> {
        feedback::comments(&self.pool, from, to).await
    }

    async fn create_ab_test(&self, test: &NewAbTest) -> Result<AbTest, StoreError> {
        ab_tests::create(&self.pool, self.backend, test).await
    }

    async fn ab_tests(
        &self,
        senders: Option<&[OrganisationNumber]>,
    ) -> Result<Vec<AbTest>, StoreError> {
        ab_tests::tests(&self.pool, senders).await
    }

    async fn running_ab_test(
        &self,
        sender: &OrganisationNumber,
    ) -> Result<Option<AbTest>, StoreError> {
        ab_tests::running(&self.pool, sender).await
    }

    async fn end_ab_test(&self, test_id: &str) -> Result<bool, StoreError> {
        ab_tests::end(&self.pool, test_id).await
    }

    async fn assign_ab_variant(
        &self,
        test: &AbTest,
        day: Date,
        visitor: &VisitorHash,
    ) -> Result<Variant, StoreError> {
        ab_tests::assign(&self.pool, self.backend, test, day, visitor).await
    }

    async fn record_ab_choice(
        &self,
        test: &AbTest,
        day: Date,
        visitor: &VisitorHash,
    ) -> Result<Option<Variant>, StoreError> {
        ab_tests::record_choice(&self.pool, self.backend, test, day, visitor).await
    }

    async fn ab_counts(&self, test_id: &str) -> Result<[VariantCounts; 2], StoreError> {
        ab_tests::counts(&self.pool, test_id).await
    }

    async fn forget_ab_visitors_before(&self, day: Date) -> Result<u64, StoreError> {
        ab_tests::forget_visitors_before(&self.pool, day).await
    }

    async fn record_ab_campaign_code(&self, code: &AbCampaignCode) -> Result<(), StoreError> {
        ab_tests::record_campaign_code(&self.pool, code).await
    }

    async fn ab_campaign_codes(
        &self,
        of: AbCodesOf<'_>,
    ) -> Result<Vec<AbCampaignCode>, StoreError> {
        ab_tests::campaign_codes(&self.pool, of).await
    }

    async fn add_survey_question(
        &self,
        question: &QuestionText,
        editor: &PersonalIdentityNumber,
    ) -> Result<SurveyQuestion, StoreError> {
        surveys::add_question(&self.pool, self.backend, question, editor).await
    }

    async fn edit_survey_question(
        &self,
        id: &str,
        question: &QuestionText,
        editor: &PersonalIdentityNumber,
    ) -> Result<(), StoreError> {
        surveys::edit_question(&self.pool, id, question, editor).await
    }

    async fn move_survey_question(&self, id: &str, is_up: bool) -> Result<bool, StoreError> {
        surveys::move_question(&self.pool, self.backend, id, is_up).await
    }

    async fn survey_questions(&self) -> Result<Vec<SurveyQuestion>, StoreError> {
        surveys::questions(&self.pool).await
    }

    async fn record_survey_response(&self, response: &SurveyResponse) -> Result<(), StoreError> {
        surveys::record_response(&self.pool, self.backend, response).await
    }

    async fn survey_results(&self, campaign: &CampaignCode) -> Result<SurveyResults, StoreError> {
        surveys::results(&self.pool, campaign).await
    }

    async fn survey_response_counts(&self) -> Result<Vec<(CampaignCode, u64)>, StoreError> {
        surveys::response_counts(&self.pool).await
    }
}
