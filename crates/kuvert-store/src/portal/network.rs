//! `NetworkStore`: what the communicators' network keeps on the portal (issue 13) — each
//! sender's brand (message and logo), the page feedback, and A/B tests of a sender's message.
//!
//! **Invariant:** nothing here names a person. Feedback is stored as its day, page, answer and
//! a [`MaskedComment`]; a visitor's A/B variant is kept for the current day only, under a
//! SHA-256 of the portal's daily visitor hash and the test, deleted by
//! [`NetworkStore::forget_ab_visitors_before`] at the day's end, like the visit counter's keys.

mod ab_tests;
mod brands;
mod feedback;

use async_trait::async_trait;
use kuvert_core::brand::LogoMediaType;
use kuvert_core::feedback::MaskedComment;
use kuvert_core::id::OrganisationNumber;
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
}
