//! `/installningar`: where notifications (*avisering*) go, each address confirmed with a code
//! sent to it before it is used; the notifications that failed, in plain words, with whether
//! they will be retried; and the links of "Ditt konto".
//!
//! Entering an address (`POST adress`) stores a new code's hash and sends the code at once by
//! that very channel; `POST bekrafta` checks the entered code; `POST ny-kod` sends a new one
//! to the waiting address; `POST ta-bort` removes an address. A problem is shown beside the
//! field it is about (`aria-describedby`), in words, with the page answering 4xx/5xx.

mod texts;
mod view;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use kuvert_core::limits::{EMAIL_ADDRESS_CHARS_MAX, INBOX_NOTIFICATIONS_SHOWN_MAX};
use kuvert_core::message::EmailAddress;
use kuvert_store::operator::{
    CodeCheck, CodeIssue, ConfirmationCode, MobileNumber, NotificationAddress, NotificationChannel,
    NotificationSetting,
};
use serde::Deserialize;
use time::OffsetDateTime;

use super::InboxState;
use super::auth::Holder;
use super::pages::{Failure, render, see_other};
use crate::notification::confirmation::new_code;
use texts::settings_texts;
use view::{Field, FieldProblem, SettingsPage};

/// `?sparat=1`, `?skickad=1` or `?bekraftad=1` after a change.
#[derive(Debug, Default, Deserialize)]
pub(super) struct SettingsQuery {
    sparat: Option<String>,
    skickad: Option<String>,
    bekraftad: Option<String>,
}

/// `POST /installningar/adress`, `/ny-kod`, `/bekrafta` and `/ta-bort`.
#[derive(Debug, Deserialize)]
pub(super) struct AddressForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    code: String,
}

/// `/installningar`.
pub(super) async fn page(
    State(state): State<InboxState>,
    holder: Holder,
    Query(query): Query<SettingsQuery>,
) -> Result<Response, Failure> {
    let layout = holder.layout();
    let s = settings_texts(layout.lang);
    let notice = if query.bekraftad.is_some() {
        Some(s.confirmed_now)
    } else if query.skickad.is_some() {
        Some(s.code_sent)
    } else {
        query.sparat.map(|_| layout.t.saved)
    };
    show(&state, &holder, notice, None, StatusCode::OK).await
}

/// `POST /installningar/adress`: stores the address unconfirmed and sends it a code (unless it
/// is the confirmed address already).
pub(super) async fn set_address(
    State(state): State<InboxState>,
    holder: Holder,
    Form(form): Form<AddressForm>,
) -> Result<Response, Failure> {
    let (channel, settings) = channel_and_settings(&state, &holder, &form).await?;
    let t = holder.layout().t;
    let text = form.address.trim();
    let parsed = match channel {
        NotificationChannel::Email => EmailAddress::parse(text)
            .map(NotificationAddress::Email)
            .map_err(|_| t.invalid_email),
        NotificationChannel::Sms => MobileNumber::parse(text)
            .map(NotificationAddress::Sms)
            .map_err(|_| t.invalid_mobile),
    };
    let address = match parsed {
        Ok(address) => address,
        Err(text) => {
            let problem = problem(channel, Field::Address, text, &form.address);
            return show_problem(&state, &holder, problem, StatusCode::BAD_REQUEST).await;
        }
    };
    let is_in_use = settings
        .iter()
        .any(|setting| setting.is_confirmed && setting.address == address);
    if is_in_use {
        // Already in use: nothing to confirm, and no code to send.
        return Ok(see_other("/installningar?sparat=1"));
    }
    send_code(&state, &holder, &address, &form.address).await
}

/// `POST /installningar/ny-kod`: a new code to the address waiting for confirmation.
pub(super) async fn resend_code(
    State(state): State<InboxState>,
    holder: Holder,
    Form(form): Form<AddressForm>,
) -> Result<Response, Failure> {
    let (channel, settings) = channel_and_settings(&state, &holder, &form).await?;
    let waiting = settings
        .into_iter()
        .find(|setting| setting.address.channel() == channel && !setting.is_confirmed);
    match waiting {
        Some(setting) => {
            let entered = setting.address.as_str().to_owned();
            send_code(&state, &holder, &setting.address, &entered).await
        }
        None => {
            let text = settings_texts(holder.layout().lang).code_missing;
            let problem = problem(channel, Field::Code, text, "");
            show_problem(&state, &holder, problem, StatusCode::CONFLICT).await
        }
    }
}

/// `POST /installningar/bekrafta`: checks the entered code.
pub(super) async fn confirm(
    State(state): State<InboxState>,
    holder: Holder,
    Form(form): Form<AddressForm>,
) -> Result<Response, Failure> {
    let channel = checked_channel(&state, &holder, &form)?;
    let s = settings_texts(holder.layout().lang);
    let digits: String = form.code.chars().filter(|c| !c.is_whitespace()).collect();
    let is_six_digits = digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit());
    let code = match ConfirmationCode::parse(&digits) {
        Ok(code) if is_six_digits => code,
        _ => {
            let problem = problem(channel, Field::Code, s.code_invalid, "");
            return show_problem(&state, &holder, problem, StatusCode::BAD_REQUEST).await;
        }
    };
    let now = OffsetDateTime::now_utc();
    let store = &state.shared.store;
    let checked = store
        .check_confirmation_code(&holder.mailbox(), channel, &code, now)
        .await;
    let text = match checked? {
        CodeCheck::Confirmed(_) => return Ok(see_other("/installningar?bekraftad=1")),
        CodeCheck::Wrong { tries_left: 0 } => s.code_wrong_last,
        CodeCheck::Wrong { .. } => s.code_wrong,
        CodeCheck::Expired => s.code_expired,
        CodeCheck::TriesUsedUp => s.code_used_up,
        CodeCheck::NoCode => s.code_missing,
    };
    let problem = problem(channel, Field::Code, text, "");
    show_problem(&state, &holder, problem, StatusCode::BAD_REQUEST).await
}

/// `POST /installningar/ta-bort`: removes the address on one channel.
pub(super) async fn remove(
    State(state): State<InboxState>,
    holder: Holder,
    Form(form): Form<AddressForm>,
) -> Result<Response, Failure> {
    let channel = checked_channel(&state, &holder, &form)?;
    let store = &state.shared.store;
    store
        .remove_notification_address(&holder.mailbox(), channel)
        .await?;
    Ok(see_other("/installningar?sparat=1"))
}

/// The CSRF check and the posted channel.
fn checked_channel(
    state: &InboxState,
    holder: &Holder,
    form: &AddressForm,
) -> Result<NotificationChannel, Failure> {
    holder.check_csrf(state, &form.csrf_token)?;
    match form.channel.as_str() {
        "email" => Ok(NotificationChannel::Email),
        "sms" => Ok(NotificationChannel::Sms),
        _ => Err(Failure::BadForm),
    }
}

/// The CSRF check, the posted channel and the mailbox's addresses as they are now: what
/// entering an address and asking for a new code both start from.
async fn channel_and_settings(
    state: &InboxState,
    holder: &Holder,
    form: &AddressForm,
) -> Result<(NotificationChannel, Vec<NotificationSetting>), Failure> {
    let channel = checked_channel(state, holder, form)?;
    let store = &state.shared.store;
    let settings = store.notification_settings(&holder.mailbox()).await?;
    Ok((channel, settings))
}

/// Stores a new code's hash for `address` and sends the code there.
async fn send_code(
    state: &InboxState,
    holder: &Holder,
    address: &NotificationAddress,
    entered: &str,
) -> Result<Response, Failure> {
    let s = settings_texts(holder.layout().lang);
    let channel = address.channel();
    let code = new_code();
    let now = OffsetDateTime::now_utc();
    let store = &state.shared.store;
    let issued = store
        .issue_confirmation_code(&holder.mailbox(), address, &code, now)
        .await;
    match issued? {
        CodeIssue::Issued(_) => {}
        CodeIssue::DailyLimitReached { .. } => {
            let problem = problem(channel, Field::Address, s.codes_per_day, entered);
            let status = StatusCode::TOO_MANY_REQUESTS;
            return show_problem(state, holder, problem, status).await;
        }
    }
    match state.shared.codes.send(address, &code).await {
        Ok(()) => Ok(see_other("/installningar?skickad=1")),
        Err(error) => {
            tracing::warn!(error = %error, "confirmation code not sent");
            let problem = problem(channel, Field::Address, s.code_not_sent, entered);
            let status = StatusCode::SERVICE_UNAVAILABLE;
            show_problem(state, holder, problem, status).await
        }
    }
}

/// The settings page again with `problem` shown at its field, answered with `status`: how
/// every refused entry on this page is answered.
async fn show_problem(
    state: &InboxState,
    holder: &Holder,
    problem: FieldProblem,
    status: StatusCode,
) -> Result<Response, Failure> {
    show(state, holder, None, Some(problem), status).await
}

fn problem(
    channel: NotificationChannel,
    field: Field,
    text: &'static str,
    entered: &str,
) -> FieldProblem {
    FieldProblem {
        channel,
        field,
        text,
        entered: entered.chars().take(EMAIL_ADDRESS_CHARS_MAX).collect(),
    }
}

async fn show(
    state: &InboxState,
    holder: &Holder,
    notice: Option<&'static str>,
    problem: Option<FieldProblem>,
    status: StatusCode,
) -> Result<Response, Failure> {
    let store = &state.shared.store;
    let mailbox = holder.mailbox();
    let settings = store.notification_settings(&mailbox).await?;
    let notifications = store
        .notifications(&mailbox, INBOX_NOTIFICATIONS_SHOWN_MAX)
        .await?;
    let page = SettingsPage::new(
        holder.layout(),
        &settings,
        &notifications,
        notice,
        problem.as_ref(),
    );
    Ok(render(status, &page))
}
