//! The mailbox: the list of letters (`/brevlada`), the read view (`/brev/{id}`), attachment
//! downloads (`/brev/{id}/bilaga/{n}`) and "Markera som oläst" (`/brev/{id}/olast`).
//!
//! The read view shows what was verified: the sender's signature and the intermediary's seal
//! (names and organisation numbers from their certificates, read through
//! `kuvert_wire::delivery::read_verified`), when the letter was received, and the letter's
//! support information. Every time is Swedish time.
//!
//! Every route reads with the logged-in holder's own mailbox, so another person's letter id
//! is "not found" (404), exactly like an id that does not exist. Opening a letter or an
//! attachment goes through `OperatorStore::open_letter`, which writes the audit event before
//! any content is returned.

use axum::Form;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use kuvert_core::id::OrganisationNumber;
use kuvert_core::limits::{INBOX_LETTERS_PER_PAGE, INBOX_PAGE_NUMBER_MAX};
use kuvert_core::message::{BodyContentType, SupportInfo, SupportUrl};
use kuvert_store::operator::{AuditAction, DeliveryId, Folder, LetterAccess, MailboxQuery};
use kuvert_web::letter_html;
use kuvert_wire::delivery::{Party, read_verified};
use serde::Deserialize;
use time::OffsetDateTime;

use super::InboxState;
use super::account::MailboxPlace;
use super::auth::{CheckedHolder, Holder};
use super::pages::{
    AttachmentView, Failure, InboxPage, LetterBody, LetterPage, LetterRow, MailboxChoice,
    SupportView, date, date_time, render, see_other,
};

/// `?sida=N` (1-based) and `mapp=arkiv` for the archive.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    sida: Option<u32>,
    mapp: Option<String>,
}

/// The `mapp` value of the archive.
const ARCHIVE_FOLDER: &str = "arkiv";

/// `/brevlada`: one page of the inbox (or archive), newest first, with the unread count.
pub(super) async fn list(
    State(state): State<InboxState>,
    holder: Holder,
    Query(query): Query<ListQuery>,
) -> Result<Response, Failure> {
    let page_number = query.sida.unwrap_or(1).clamp(1, INBOX_PAGE_NUMBER_MAX);
    let is_archive = query.mapp.as_deref() == Some(ARCHIVE_FOLDER);
    let (folder, page_href) = if is_archive {
        (Folder::Archive, "/brevlada?mapp=arkiv&sida=")
    } else {
        (Folder::Inbox, "/brevlada?sida=")
    };
    let mailbox_query = MailboxQuery {
        recipient: holder.mailbox(),
        folder,
        sender: None,
        search: None,
        page: page_number - 1,
        page_size: INBOX_LETTERS_PER_PAGE,
    };
    let letters = state.shared.store.letters(&mailbox_query).await?;
    let t = holder.layout().t;
    let rows = letters
        .letters
        .iter()
        .map(|letter| LetterRow {
            href: format!("/brev/{}", letter.id),
            sender: letter.sender_name.as_str().to_owned(),
            subject: letter.subject.as_str().to_owned(),
            date: date(letter.received_at),
            is_read: letter.is_read,
            attachments: (letter.attachment_count > 0).then(|| {
                t.attachment_count
                    .count(letter.attachment_count)
                    .to_string()
            }),
        })
        .collect();
    let mailboxes = mailbox_choices(&state, &holder).await?;
    let (notice, offer_signup) = own_mailbox_notice(&state, &holder, letters.total).await;
    let page = InboxPage {
        layout: holder.layout(),
        mailboxes,
        notice,
        company: holder
            .company
            .as_ref()
            .map(|company| company.as_str().to_owned()),
        is_archive,
        // The count covers the whole mailbox, so it belongs to the inbox, not the archive.
        unread: (!is_archive).then(|| t.unread_count.count(letters.unread).to_string()),
        offer_signup,
        rows,
        page_number,
        previous_href: (page_number > 1).then(|| format!("{page_href}{}", page_number - 1)),
        next_href: (letters.has_more).then(|| format!("{page_href}{}", page_number + 1)),
    };
    Ok(render(StatusCode::OK, &page))
}

/// For the person's own mailbox: the notice of where their digital mailbox is when letters are
/// listed, and whether an empty list may offer "Skaffa digital brevlåda": only to someone the
/// registry says has no mailbox at all (issue 11), never for a company's mailbox.
async fn own_mailbox_notice(
    state: &InboxState,
    holder: &Holder,
    total: u64,
) -> (Option<String>, bool) {
    if holder.company.is_some() {
        return (None, false);
    }
    let place = super::account::mailbox_place(&state.shared, &holder.person.person).await;
    if total == 0 {
        return (None, place == MailboxPlace::Nowhere);
    }
    let notice = super::account::place_notice(&state.shared, &place, holder.language).await;
    (notice, false)
}

/// The mailboxes the person may switch between; empty when they represent no company.
async fn mailbox_choices(
    state: &InboxState,
    holder: &Holder,
) -> Result<Vec<MailboxChoice>, Failure> {
    let person = &holder.person.person;
    let companies = state.shared.store.represented_companies(person).await?;
    if companies.is_empty() {
        return Ok(Vec::new());
    }
    let t = holder.layout().t;
    let own = MailboxChoice {
        value: OWN_MAILBOX.to_owned(),
        label: t.own_mailbox.to_owned(),
        is_current: holder.company.is_none(),
    };
    let companies = companies.into_iter().map(|company| MailboxChoice {
        label: format!("{} {}", t.company_mailbox, company.as_str()),
        is_current: holder.company.as_ref() == Some(&company),
        value: company.as_str().to_owned(),
    });
    Ok(std::iter::once(own).chain(companies).collect())
}

/// The `mailbox` value that chooses the person's own mailbox.
const OWN_MAILBOX: &str = "egen";

/// `POST /brevlada/valj`.
#[derive(Debug, Deserialize)]
pub(super) struct ChooseForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    mailbox: String,
}

/// `POST /brevlada/valj`: act for one's own mailbox or for a company one represents.
pub(super) async fn choose_mailbox(
    State(state): State<InboxState>,
    holder: Holder,
    Form(form): Form<ChooseForm>,
) -> Result<Response, Failure> {
    holder.check_csrf(&state, &form.csrf_token)?;
    let company = if form.mailbox == OWN_MAILBOX {
        None
    } else {
        let company = OrganisationNumber::parse(&form.mailbox).map_err(|_| Failure::BadForm)?;
        let person = &holder.person.person;
        let companies = state.shared.store.represented_companies(person).await?;
        if !companies.contains(&company) {
            return Err(Failure::NotFound);
        }
        Some(company)
    };
    let sessions = &state.shared.sessions;
    sessions
        .update(&holder.session_id, |session| {
            session.company = company.clone();
        })
        .await?;
    Ok(see_other("/brevlada"))
}

/// `/brev/{id}`: opens (audited) and shows a letter, and marks it read.
pub(super) async fn read(
    State(state): State<InboxState>,
    holder: Holder,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let delivery = DeliveryId::parse(&id).map_err(|_| Failure::NotFound)?;
    let now = OffsetDateTime::now_utc();
    let opened = state
        .shared
        .store
        .open_letter(&access(&holder, delivery, AuditAction::OpenedLetter, now))
        .await?;
    let letter = read_verified(&opened.sealed_delivery, &state.shared.verifier)
        .map_err(Failure::internal)?;
    if !opened.letter.summary.is_read {
        let store = &state.shared.store;
        store
            .set_read(&holder.mailbox(), delivery, Some(now))
            .await?;
    }
    let message = &letter.delivery.message;
    let text = String::from_utf8_lossy(message.body().content()).into_owned();
    let body = match message.body().content_type() {
        BodyContentType::TextHtml => LetterBody::Html(letter_html::sanitise(&text)),
        BodyContentType::TextPlain => LetterBody::Text(text),
    };
    let attachments = opened
        .letter
        .attachments
        .iter()
        .enumerate()
        .map(|(position, attachment)| AttachmentView {
            href: format!("/brev/{delivery}/bilaga/{position}"),
            filename: attachment.filename.as_str().to_owned(),
            size: size_text(attachment.size_bytes),
        })
        .collect();
    let summary = &opened.letter.summary;
    let layout = holder.layout();
    let t = layout.t;
    let page = LetterPage {
        sender: letter.delivery.header.sender.name.as_str().to_owned(),
        subject: message.header().subject.as_str().to_owned(),
        received: date_time(summary.received_at),
        signed_by: party_text(&letter.signer, t.organisation_number),
        sealed_by: party_text(&letter.sealer, t.organisation_number),
        support: support_view(&message.header().support_info),
        layout,
        body,
        attachments,
        unread_action: format!("/brev/{delivery}/olast"),
        archive_action: format!("/brev/{delivery}/arkivera"),
        is_archived: summary.is_archived,
    };
    Ok(render(StatusCode::OK, &page))
}

/// `/brev/{id}/bilaga/{n}`: one attachment (zero-based position) as a download.
pub(super) async fn attachment(
    State(state): State<InboxState>,
    holder: Holder,
    Path((id, position)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let delivery = DeliveryId::parse(&id).map_err(|_| Failure::NotFound)?;
    let position: u32 = position.parse().map_err(|_| Failure::NotFound)?;
    // Checked against the listing first, so no audit event names an attachment that does
    // not exist.
    let letter = state
        .shared
        .store
        .letter(&holder.mailbox(), delivery)
        .await?;
    let index = usize::try_from(position).map_err(|_| Failure::NotFound)?;
    if index >= letter.attachments.len() {
        return Err(Failure::NotFound);
    }
    let action = AuditAction::OpenedAttachment { position };
    let now = OffsetDateTime::now_utc();
    let opened = state
        .shared
        .store
        .open_letter(&access(&holder, delivery, action, now))
        .await?;
    let content = read_verified(&opened.sealed_delivery, &state.shared.verifier)
        .map_err(Failure::internal)?;
    let attachment = content
        .delivery
        .message
        .attachments()
        .get(index)
        .ok_or(Failure::NotFound)?;
    let disposition = format!(
        "attachment; filename*=UTF-8''{}",
        percent_encode_attr(attachment.filename().as_str())
    );
    let headers = [
        (
            header::CONTENT_TYPE,
            attachment.content_type().as_str().to_owned(),
        ),
        (header::CONTENT_DISPOSITION, disposition),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        (header::CACHE_CONTROL, "no-store".to_owned()),
    ];
    let mut response = Response::new(Body::from(attachment.content().to_vec()));
    for (name, value) in headers {
        let value = HeaderValue::from_str(&value).map_err(Failure::internal)?;
        response.headers_mut().insert(name, value);
    }
    Ok(response)
}

/// `/brev/{id}/olast` (POST with CSRF token): marks the letter unread, back to the inbox.
pub(super) async fn mark_unread(
    State(state): State<InboxState>,
    Path(id): Path<String>,
    CheckedHolder(holder): CheckedHolder,
) -> Result<Response, Failure> {
    let delivery = DeliveryId::parse(&id).map_err(|_| Failure::NotFound)?;
    let store = &state.shared.store;
    store.set_read(&holder.mailbox(), delivery, None).await?;
    Ok(see_other("/brevlada"))
}

/// `POST /brev/{id}/arkivera`: `arkivera=1` moves to the archive, `0` back to the inbox.
#[derive(Debug, Deserialize)]
pub(super) struct ArchiveForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    arkivera: String,
}

/// `/brev/{id}/arkivera` (POST with CSRF token): archives the letter or brings it back.
pub(super) async fn archive(
    State(state): State<InboxState>,
    holder: Holder,
    Path(id): Path<String>,
    Form(form): Form<ArchiveForm>,
) -> Result<Response, Failure> {
    holder.check_csrf(&state, &form.csrf_token)?;
    let delivery = DeliveryId::parse(&id).map_err(|_| Failure::NotFound)?;
    let (is_archived, next) = match form.arkivera.as_str() {
        "1" => (true, "/brevlada?mapp=arkiv"),
        "0" => (false, "/brevlada"),
        _ => return Err(Failure::BadForm),
    };
    let store = &state.shared.store;
    store
        .set_archived(&holder.mailbox(), delivery, is_archived)
        .await?;
    Ok(see_other(next))
}

fn access(
    holder: &Holder,
    delivery: DeliveryId,
    action: AuditAction,
    at: OffsetDateTime,
) -> LetterAccess {
    LetterAccess {
        mailbox: holder.mailbox(),
        delivery,
        actor: holder.person.person.clone(),
        action,
        at,
    }
}

/// `Kommun A, organisationsnummer 2120000142`, from the verified signing certificate.
fn party_text(party: &Party, number_word: &str) -> String {
    let number = party.organisation_number.as_str();
    match &party.name {
        Some(name) => format!("{name}, {number_word} {number}"),
        None => format!("{number_word} {number}"),
    }
}

/// The support information as shown; a URL becomes a link only with `http` or `https`.
fn support_view(support: &SupportInfo) -> SupportView {
    let url = support.url.as_ref().map(SupportUrl::as_str).filter(|url| {
        let lower = url.trim_start().to_ascii_lowercase();
        lower.starts_with("https://") || lower.starts_with("http://")
    });
    SupportView {
        text: support.text.as_str().to_owned(),
        phone: support
            .phone
            .as_ref()
            .map(|phone| phone.as_str().to_owned()),
        email: support
            .email
            .as_ref()
            .map(|email| email.as_str().to_owned()),
        url: url.map(str::to_owned),
    }
}

/// `1.2 MB`, `34 kB` or `512 B`.
fn size_text(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{} kB", bytes / 1_000),
        _ => format!("{}.{} MB", bytes / 1_000_000, (bytes % 1_000_000) / 100_000),
    }
}

/// RFC 5987 `value-chars`: UTF-8 bytes, `attr-char`s kept, everything else `%XX`.
fn percent_encode_attr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        let is_attr_char = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'!' | b'#' | b'$' | b'&' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~'
            );
        if is_attr_char {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests;
