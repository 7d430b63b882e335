//! Sender toolkit (avsändare, förmedlare): everything an intermediary does for the senders it
//! serves (PROTOCOL.md §11.6, §11.7).
//!
//! [`Toolkit::build`] reads a [`SenderConfig`]: the registry, the one CA to trust, the
//! intermediary's certificate and key (TLS client identity and sealing) and the senders it
//! signs for. Then:
//! - [`Toolkit::reachability`]: `isReachable` in batches of `MAILING_BATCH_IDS_MAX`, each
//!   answer a typed [`Reachability`] (`Reachable(Destination)` or `Unreachable(PaperReason)`);
//! - [`Toolkit::send`] for a [`Letter`]: compose (core `SecureDelivery`, size checked) → sign
//!   ([`SignedDelivery`], sender certificate, RSA-SHA256) → seal ([`SealedDelivery`], today's
//!   date, intermediary certificate) → deliver (`deliverSecure` over mutual TLS, bounded
//!   retries of the same sealed delivery) → [`Outcome`]; each step is also a method;
//! - [`Toolkit::report_letter_counts`]: a sender's digital and paper letters of a month, for
//!   the registry's statistics ([`LetterReport`]);
//! - [`check`]: a manifest or a letter file checked before anything is sent, every problem
//!   named with its row, file and rule;
//! - [`service`]: the sender service (`kuvert sender serve`): REST for sender systems, a
//!   durable queue with each letter's timeline and a feed, callers by mutual TLS or OAuth 2;
//! - [`paper_letter`]: the print-ready PDF of a letter that goes on paper, with the portal's
//!   deep link and its QR code (a mailing writes one per paper row beside its list);
//! - [`intermediary`]: the toolkit as a service for sender systems, the protocol's Message v3
//!   `distributeSecure` / `checkDistributionStatus` over mutual TLS, each distribution
//!   recorded in the database.
//!
//! Invariants: only the configured CA is trusted; a sealed delivery is fsynced into the
//! [`EvidenceArchive`] before it is first sent and its receipt after it arrives; a retry
//! resends the identical sealed delivery (same message id), and an MM fault is never retried;
//! unreachable recipients are appended to the [`PaperMailList`]. `Debug` never shows keys.

mod archive;
pub mod check;
mod config;
mod deliver;
mod error;
pub mod intermediary;
mod letter;
mod letter_report;
pub mod mailing;
pub mod paper_letter;
mod reachability;
mod sealing;
pub mod service;
mod setup;
mod toolkit;
mod transport;

pub use archive::{
    EvidenceArchive, PAPER_MAIL_HEADER, PaperMailEntry, PaperMailList, ReceiptBatch, ReceiptRecord,
};
pub use config::{IdentityConfig, RetryConfig, SenderConfig, SenderIdentityConfig};
pub use error::{Peer, SendError};
pub use letter::{Letter, compose, pdf_attachment};
pub use letter_report::LetterReport;
pub use letter_report::reporter::ReportRound;
pub use reachability::{Destination, PaperReason, Reachability, classify};
pub use sealing::{SealedDelivery, SignedDelivery};
pub use toolkit::{Outcome, Toolkit};
