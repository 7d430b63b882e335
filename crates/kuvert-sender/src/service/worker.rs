//! The worker that drains the sender service's queue: claim due letters under a lease (renewed
//! while they are worked on), then for each: read it back → reachability → sign and seal (on
//! the toolkit's CPU pool) → evidence archive → `sealed` → deliver → `delivered` with the
//! receipt; or, unreachable, the print-ready PDF, the paper-mail list and `paper`. Each letter
//! is signed, sealed and delivered in its lane: a single letter in `Single`, a batch's or a
//! mailing's in `Bulk` (and the queue hands out single letters first).
//!
//! Sending twice is avoided the way `kuvert mailing` avoids it: the message id is fixed at
//! acceptance and the sealed delivery is archived before its first attempt, so a letter taken
//! over after a crash is resent as the same sealed bytes and the operator answers with the
//! original receipt. A letter sealed before but unreachable now fails instead of going on
//! paper (it may have been delivered). Registry or operator out of reach: the round is
//! counted and the letter retried with back-off, failed after `SENDER_SERVICE_ROUNDS_MAX`.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use kuvert_core::calendar::stockholm_day;
use kuvert_core::limits::{SENDER_SERVICE_CLAIM_LETTERS_MAX, SENDER_SERVICE_ROUNDS_MAX};
use kuvert_core::message::DeliveryKey;
use kuvert_core::postal::PostalAddress;
use kuvert_core::report::error_chain;
use kuvert_store::sender::{ClaimedLetter, LeaseHolder, LetterState, Progress, TimelineEvent};
use kuvert_web::Shutdown;
use time::{Duration, OffsetDateTime};

use super::Inner;
use super::intake::{read_address, read_letter};
use super::model::LetterRequest;
use crate::archive::{PaperMailEntry, write_durably};
use crate::error::SendError;
use crate::letter::Letter;
use crate::paper_letter::{PaperLetter, body_text, render};
use crate::reachability::{Destination, PaperReason, Reachability};

/// How long an idle worker waits before looking again (a posted letter wakes it at once; a
/// letter whose lease ran out after a crash is found within this).
const IDLE_POLL: StdDuration = StdDuration::from_millis(500);

/// What became of one letter's round, when it did not end in an event.
enum Setback {
    /// The registry, operator or disk could not be used now: try again later.
    Transient(String),
    /// Nothing more can be done: fail the letter with this reason.
    Final(String),
    /// Another worker took the letter over (this one's lease ran out): leave it to that one.
    LeaseLost,
}

/// Runs until `shutdown`: claims, works and records letters.
pub(crate) async fn run(inner: Arc<Inner>, shutdown: Shutdown) {
    let holder = LeaseHolder::new_random();
    let limit = inner.concurrency.min(SENDER_SERVICE_CLAIM_LETTERS_MAX);
    while !shutdown.is_triggered() {
        let claimed = inner
            .queue
            .claim_letters(&holder, OffsetDateTime::now_utc(), limit, inner.lease)
            .await;
        let claimed = match claimed {
            Ok(claimed) => claimed,
            Err(error) => {
                tracing::warn!(error = %error_chain(&error), "cannot claim letters");
                Vec::new()
            }
        };
        if claimed.is_empty() {
            tokio::select! {
                () = inner.wake.notified() => {}
                () = tokio::time::sleep(IDLE_POLL) => {}
                () = shutdown.wait() => {}
            }
            continue;
        }
        round(&inner, &holder, claimed).await;
    }
}

/// Works `claimed` at once, renewing their lease every third of it until all are done.
async fn round(inner: &Arc<Inner>, holder: &LeaseHolder, claimed: Vec<ClaimedLetter>) {
    let ids: Vec<_> = claimed.iter().map(|letter| letter.record.id).collect();
    let mut tasks = tokio::task::JoinSet::new();
    for letter in claimed {
        let (inner, holder) = (Arc::clone(inner), holder.clone());
        tasks.spawn(async move { work(&inner, &holder, letter).await });
    }
    let third: Duration = inner.lease / 3;
    let renew_every = third.unsigned_abs().max(StdDuration::from_millis(100));
    let mut ticker = tokio::time::interval(renew_every);
    ticker.tick().await;
    loop {
        tokio::select! {
            joined = tasks.join_next() => match joined {
                Some(Err(error)) => tracing::error!(%error, "letter task failed"),
                Some(Ok(())) => {}
                None => break,
            },
            _ = ticker.tick() => {
                let until = OffsetDateTime::now_utc() + inner.lease;
                if let Err(error) = inner.queue.renew_letter_leases(&ids, holder, until).await {
                    tracing::warn!(error = %error_chain(&error), "cannot renew letter leases");
                }
            }
        }
    }
}

/// One letter's round, its outcome recorded.
async fn work(inner: &Inner, holder: &LeaseHolder, claimed: ClaimedLetter) {
    let id = claimed.record.id;
    let event = match deliver_or_paper(inner, holder, &claimed).await {
        Ok(event) => event,
        Err(Setback::Transient(reason))
            if claimed.record.rounds + 1 < SENDER_SERVICE_ROUNDS_MAX =>
        {
            let wait_secs = 1_i64 << claimed.record.rounds.min(8);
            let retry_at = OffsetDateTime::now_utc() + Duration::seconds(wait_secs);
            tracing::warn!(letter = %id, %reason, "letter postponed");
            if let Err(error) = inner
                .queue
                .postpone_letter(id, holder, &reason, retry_at)
                .await
            {
                tracing::warn!(letter = %id, error = %error_chain(&error), "cannot postpone");
            }
            return;
        }
        Err(Setback::LeaseLost) => {
            tracing::warn!(letter = %id, "lease lost: another worker has the letter");
            return;
        }
        Err(Setback::Transient(reason) | Setback::Final(reason)) => {
            tracing::warn!(letter = %id, %reason, "letter failed");
            TimelineEvent::Failed { reason }
        }
    };
    record(inner, holder, id, event).await;
}

async fn record(
    inner: &Inner,
    holder: &LeaseHolder,
    id: kuvert_store::sender::LetterId,
    event: TimelineEvent,
) {
    let progress = Progress {
        id,
        holder,
        event,
        at: OffsetDateTime::now_utc(),
    };
    if let Err(error) = inner.queue.record_progress(progress).await {
        tracing::warn!(letter = %id, error = %error_chain(&error), "cannot record progress");
    }
}

/// Reachability, then the operator or paper; the final event to record.
async fn deliver_or_paper(
    inner: &Inner,
    holder: &LeaseHolder,
    claimed: &ClaimedLetter,
) -> Result<TimelineEvent, Setback> {
    let record = &claimed.record;
    let request: LetterRequest = serde_json::from_str(&claimed.letter_json)
        .map_err(|error| Setback::Final(format!("the stored letter is unreadable: {error}")))?;
    let letter = read_letter(&inner.toolkit, &request, 0, record.message_id.clone()).map_err(
        |problems| {
            let details: Vec<_> = problems
                .iter()
                .map(|problem| problem.detail.as_str())
                .collect();
            Setback::Final(format!(
                "the stored letter is no longer valid: {}",
                details.join("; ")
            ))
        },
    )?;
    let key = DeliveryKey {
        sender: letter.sender.clone(),
        message_id: record.message_id.clone(),
    };
    let archived = inner
        .toolkit
        .archive()
        .read_sealed(&key, &letter.recipient)
        .map_err(setback)?;
    let answer = inner
        .toolkit
        .reachability(&letter.sender, std::slice::from_ref(&letter.recipient))
        .await
        .map_err(setback)?;
    match (answer.into_iter().next(), archived) {
        (Some(Reachability::Reachable(destination)), archived) => {
            deliver(inner, holder, claimed, &letter, &destination, archived).await
        }
        (Some(Reachability::Unreachable(reason)), Some(_)) => Err(Setback::Final(format!(
            "not reachable now ({}), but the letter was sealed before and may have been \
             delivered (message id {}): ask the operator before sending it on paper",
            reason.as_str(),
            record.message_id.as_str()
        ))),
        (Some(Reachability::Unreachable(reason)), None) => {
            let address = read_address(&request)
                .map_err(|detail| Setback::Final(format!("the stored address: {detail}")))?;
            paper(inner, claimed, &letter, address.as_ref(), reason).await
        }
        (None, _) => Err(Setback::Transient(
            "the registry answered no status".to_owned(),
        )),
    }
}

/// Seals (or takes the archived sealed delivery), records `sealed`, delivers.
async fn deliver(
    inner: &Inner,
    holder: &LeaseHolder,
    claimed: &ClaimedLetter,
    letter: &Letter,
    destination: &Destination,
    archived: Option<crate::SealedDelivery>,
) -> Result<TimelineEvent, Setback> {
    let toolkit = &inner.toolkit;
    let sealed = match archived {
        Some(sealed) => sealed,
        None => {
            let delivery = toolkit.compose(letter).map_err(setback)?;
            let sealed = toolkit
                .sign_and_seal(delivery, claimed.record.lane)
                .await
                .map_err(setback)?;
            let (archive, to_archive) = (toolkit.archive().clone(), sealed.clone());
            tokio::task::spawn_blocking(move || archive.write_sealed(&to_archive))
                .await
                .map_err(|error| Setback::Transient(error.to_string()))?
                .map_err(setback)?;
            sealed
        }
    };
    if claimed.record.state == LetterState::Accepted {
        let progress = Progress {
            id: claimed.record.id,
            holder,
            event: TimelineEvent::Sealed,
            at: OffsetDateTime::now_utc(),
        };
        inner
            .queue
            .record_progress(progress)
            .await
            .map_err(|error| match error {
                kuvert_store::StoreError::Conflict { .. } => Setback::LeaseLost,
                other => Setback::Transient(error_chain(&other)),
            })?;
    }
    let receipt = toolkit
        .deliver(&sealed, destination, claimed.record.lane)
        .await
        .map_err(setback)?;
    Ok(TimelineEvent::Delivered {
        trans_id: receipt.trans_id.as_str().to_owned(),
        operator: destination.operator_name.clone(),
    })
}

/// Writes the print-ready letter (with the letter's postal address, when it gives one) and
/// the paper-mail row (once), then `paper`.
async fn paper(
    inner: &Inner,
    claimed: &ClaimedLetter,
    letter: &Letter,
    address: Option<&PostalAddress>,
    reason: PaperReason,
) -> Result<TimelineEvent, Setback> {
    let sender_name = inner
        .toolkit
        .sender_name(&letter.sender)
        .map_err(setback)?
        .clone();
    let deep_link = inner
        .portal_url
        .as_ref()
        .and_then(|portal| kuvert_web::deep_link::deep_link(portal, &letter.sender, None).ok());
    let attachments: Vec<String> = letter
        .attachments
        .iter()
        .map(|attachment| attachment.filename().as_str().to_owned())
        .collect();
    let text = body_text(letter.body.content_type(), letter.body.content());
    let pdf = render(&PaperLetter {
        sender_name: &sender_name,
        sender: &letter.sender,
        address,
        date: stockholm_day(OffsetDateTime::now_utc()),
        subject: &letter.subject,
        reference: letter.reference.as_ref(),
        text: &text,
        attachments: &attachments,
        deep_link: deep_link.as_ref(),
    })
    .map_err(|error| Setback::Final(format!("cannot render the paper letter: {error}")))?;
    let path = inner
        .paper_letter_dir
        .join(format!("{}.pdf", claimed.record.id));
    let syncs = Arc::clone(&inner.paper_syncs);
    tokio::task::spawn_blocking(move || write_durably(&syncs, &path, &pdf))
        .await
        .map_err(|error| Setback::Transient(error.to_string()))?
        .map_err(setback)?;
    let message_id = claimed.record.message_id.as_str();
    let paper_mail = inner.toolkit.paper_mail();
    let is_listed = claimed.claims_before > 0
        && std::fs::read_to_string(paper_mail.path()).is_ok_and(|list| list.contains(message_id));
    if !is_listed {
        paper_mail
            .append(&PaperMailEntry {
                sender: &letter.sender,
                recipient: &letter.recipient,
                reason,
                message_id: Some(message_id),
                manifest_row: None,
                reference: letter.reference.as_ref(),
                subject: &letter.subject,
            })
            .map_err(setback)?;
    }
    Ok(TimelineEvent::Paper {
        reason: reason.as_str().to_owned(),
    })
}

/// Whether a toolkit error is worth another round.
fn setback(error: SendError) -> Setback {
    let reason = error_chain(&error);
    match error {
        SendError::RegistryUnreachable { .. }
        | SendError::OperatorUnreachable { .. }
        | SendError::Archive { .. }
        | SendError::Internal(_) => Setback::Transient(reason),
        _ => Setback::Final(reason),
    }
}
