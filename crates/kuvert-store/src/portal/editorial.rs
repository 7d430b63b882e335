//! `EditorialStore`: the editor workflow of the communicators' network (issue 13 §3) — the
//! editor (huvudredaktör) role and the news, FAQ entries and pages communicators submit.
//!
//! **Invariant:** no version is ever changed or deleted. Each step (submitted, revised,
//! edited, returned, published) adds a version holding the whole text as it then stood, who
//! took the step and when; the submission's status moves only along [`Step::next_status`].

mod sql;

use async_trait::async_trait;
use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber};
use time::OffsetDateTime;

use crate::StoreError;

pub(crate) use sql::SqlEditorialStore;

/// The editorial storage. Held as `Arc<dyn EditorialStore>` by `kuvert-portal`.
#[async_trait]
pub trait EditorialStore: Send + Sync + std::fmt::Debug {
    /// Gives or takes the editor role; returns whether the person had it before.
    async fn set_editor(
        &self,
        person: &PersonalIdentityNumber,
        is_editor: bool,
    ) -> Result<bool, StoreError>;
    /// Whether the person has the editor role.
    async fn is_editor(&self, person: &PersonalIdentityNumber) -> Result<bool, StoreError>;
    /// Every editor, by personal identity number.
    async fn editors(&self) -> Result<Vec<PersonalIdentityNumber>, StoreError>;

    /// Stores a new submission with its first version. `OutOfBounds` for a text beyond its
    /// limit or more than `limits::SUBMISSIONS_MAX` submissions.
    async fn submit(&self, submission: &NewSubmission) -> Result<Submission, StoreError>;
    /// Adds a version by the step's rules. `NotFound` for an unknown id, `Conflict {
    /// what: "submission status" }` when the step is not allowed from the current status,
    /// `OutOfBounds` for a text beyond its limit or more than
    /// `limits::SUBMISSION_VERSIONS_MAX` versions.
    async fn add_version(&self, id: &str, version: &NewVersion) -> Result<Submission, StoreError>;
    /// One submission with every version, oldest first.
    async fn submission(&self, id: &str) -> Result<Option<Submission>, StoreError>;
    /// The submissions of the senders given (all when `None`), newest first.
    async fn submissions(
        &self,
        senders: Option<&[OrganisationNumber]>,
    ) -> Result<Vec<Submission>, StoreError>;
    /// Published submissions of `kind`, newest publication first, at most `limit`.
    async fn published(&self, kind: Kind, limit: usize) -> Result<Vec<Submission>, StoreError>;
}

/// What a submission is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A news item (`/nyheter`).
    News,
    /// A question and answer.
    Faq,
    /// A page of information.
    Page,
}

impl Kind {
    /// `"news"`, `"faq"` or `"page"`, as stored.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::News => "news",
            Self::Faq => "faq",
            Self::Page => "page",
        }
    }

    /// The kind from its stored name.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        [Self::News, Self::Faq, Self::Page]
            .into_iter()
            .find(|kind| kind.as_str() == text)
    }
}

/// Where a submission stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Waiting for the editor.
    Submitted,
    /// Returned to the communicator with a comment.
    Returned,
    /// On the portal.
    Published,
}

impl Status {
    /// `"submitted"`, `"returned"` or `"published"`, as stored.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Returned => "returned",
            Self::Published => "published",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [Self::Submitted, Self::Returned, Self::Published]
            .into_iter()
            .find(|status| status.as_str() == text)
    }
}

/// One step of the workflow; each adds a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// The communicator's first text.
    Submitted,
    /// The communicator's new text after a return (or before the editor acted).
    Revised,
    /// The editor's edit of the text; the status stays.
    Edited,
    /// The editor returns it to the communicator with a comment.
    Returned,
    /// The editor publishes it.
    Published,
}

impl Step {
    /// As stored.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Revised => "revised",
            Self::Edited => "edited",
            Self::Returned => "returned",
            Self::Published => "published",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [
            Self::Submitted,
            Self::Revised,
            Self::Edited,
            Self::Returned,
            Self::Published,
        ]
        .into_iter()
        .find(|step| step.as_str() == text)
    }

    /// The status after this step from `current`; `None` when the step is not allowed then.
    /// Nothing follows publication; only a waiting submission can be returned or published.
    #[must_use]
    pub fn next_status(self, current: Status) -> Option<Status> {
        match (self, current) {
            (Self::Revised, Status::Submitted | Status::Returned) => Some(Status::Submitted),
            (Self::Edited, Status::Submitted | Status::Returned) => Some(current),
            (Self::Returned, Status::Submitted) => Some(Status::Returned),
            (Self::Published, Status::Submitted) => Some(Status::Published),
            _ => None,
        }
    }
}

/// The text of one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// The title (at most `limits::SUBMISSION_TITLE_CHARS_MAX` characters).
    pub title: String,
    /// Markdown (at most `limits::SUBMISSION_BODY_CHARS_MAX` characters), sanitised only when
    /// rendered.
    pub body: String,
}

/// A submission to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubmission {
    /// What it is.
    pub kind: Kind,
    /// The sender it speaks for.
    pub sender: OrganisationNumber,
    /// The communicator submitting it.
    pub author: PersonalIdentityNumber,
    /// The first text.
    pub text: Text,
}

/// A version to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVersion {
    /// The step.
    pub step: Step,
    /// The text after the step (for a return, the text returned).
    pub text: Text,
    /// The comment (at most `limits::EDITOR_COMMENT_CHARS_MAX` characters; may be empty).
    pub comment: String,
    /// Who takes the step.
    pub author: PersonalIdentityNumber,
}

/// One stored version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// 1, 2, … in order.
    pub number: u64,
    /// The step that made it.
    pub step: Step,
    /// The text after the step.
    pub text: Text,
    /// The comment.
    pub comment: String,
    /// Who took the step.
    pub author: PersonalIdentityNumber,
    /// When.
    pub at: OffsetDateTime,
}

/// A stored submission with every version, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// Its id (a UUID).
    pub id: String,
    /// What it is.
    pub kind: Kind,
    /// The sender it speaks for.
    pub sender: OrganisationNumber,
    /// The communicator who submitted it.
    pub author: PersonalIdentityNumber,
    /// Where it stands.
    pub status: Status,
    /// When it was submitted.
    pub created_at: OffsetDateTime,
    /// When it was published, if it was.
    pub published_at: Option<OffsetDateTime>,
    /// Every version, oldest first (never empty).
    pub versions: Vec<Version>,
}

impl Submission {
    /// The newest version.
    #[must_use]
    pub fn latest(&self) -> Option<&Version> {
        self.versions.last()
    }
}
