//! `/installningar`: where notifications (*avisering*) go, and the notifications that failed
//! for good. Only confirmed addresses get notifications; since the code cannot be delivered
//! from here yet (the notification sender owns SMTP and SMS), an address the logged-in holder
//! enters is confirmed with its own code at once.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use kuvert_core::message::EmailAddress;
use kuvert_store::operator::{
    ConfirmationCode, MobileNumber, NotificationAddress, NotificationChannel, NotificationStatus,
};
use serde::Deserialize;
use time::OffsetDateTime;

use super::InboxState;
use super::auth::Holder;
use super::pages::{
    AddressView, ChannelView, Failure, FailureView, SettingsPage, date, render, see_other,
};

/// Recent notifications read to find failures.
const NOTIFICATIONS_SHOWN_MAX: u32 = 50;

/// `?sparat=1` after a change.
#[derive(Debug, Default, Deserialize)]
pub(super) struct SettingsQuery {
    sparat: Option<String>,
}

/// `POST /installningar/adress` and `/ta-bort`.
#[derive(Debug, Deserialize)]
pub(super) struct AddressForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    address: String,
}

/// `/installningar`.
pub(super) async fn page(
    State(state): State<InboxState>,
    holder: Holder,
    Query(query): Query<SettingsQuery>,
) -> Response {
    let notice = query.sparat.map(|_| holder.layout().t.saved);
    show(&state, &holder, notice, None, StatusCode::OK).await
}

/// `POST /installningar/adress`: sets the e-mail address or mobile number.
pub(super) async fn set_address(
    State(state): State<InboxState>,
    holder: Holder,
    Form(form): Form<AddressForm>,
) -> Response {
    if let Err(failure) = holder.check_csrf(&state, &form.csrf_token) {
        return failure.page(holder.layout());
    }
    let t = holder.layout().t;
    let text = form.address.trim();
    let address = match form.channel.as_str() {
        "email" => EmailAddress::parse(text)
            .map(NotificationAddress::Email)
            .map_err(|_| t.invalid_email),
        "sms" => MobileNumber::parse(text)
            .map(NotificationAddress::Sms)
            .map_err(|_| t.invalid_mobile),
        _ => return Failure::BadForm.page(holder.layout()),
    };
    let address = match address {
        Ok(address) => address,
        Err(problem) => {
            return show(
                &state,
                &holder,
                None,
                Some(problem),
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
    };
    match save(&state, &holder, address).await {
        Ok(()) => see_other("/installningar?sparat=1"),
        Err(failure) => failure.page(holder.layout()),
    }
}

/// `POST /installningar/ta-bort`: removes the address on one channel.
pub(super) async fn remove(
    State(state): State<InboxState>,
    holder: Holder,
    Form(form): Form<AddressForm>,
) -> Response {
    if let Err(failure) = holder.check_csrf(&state, &form.csrf_token) {
        return failure.page(holder.layout());
    }
    let channel = match form.channel.as_str() {
        "email" => NotificationChannel::Email,
        "sms" => NotificationChannel::Sms,
        _ => return Failure::BadForm.page(holder.layout()),
    };
    let store = &state.shared.store;
    match store
        .remove_notification_address(&holder.mailbox(), channel)
        .await
    {
        Ok(()) => see_other("/installningar?sparat=1"),
        Err(error) => Failure::from(error).page(holder.layout()),
    }
}

async fn save(
    state: &InboxState,
    holder: &Holder,
    address: NotificationAddress,
) -> Result<(), Failure> {
    let store = &state.shared.store;
    let mailbox = holder.mailbox();
    let channel = address.channel();
    let code = new_code()?;
    let now = OffsetDateTime::now_utc();
    store
        .set_notification_address(&mailbox, address, code.clone(), now)
        .await?;
    store
        .confirm_notification_address(&mailbox, channel, &code, now)
        .await?;
    Ok(())
}

async fn show(
    state: &InboxState,
    holder: &Holder,
    notice: Option<&'static str>,
    problem: Option<&'static str>,
    status: StatusCode,
) -> Response {
    let store = &state.shared.store;
    let mailbox = holder.mailbox();
    let loaded = async {
        let settings = store.notification_settings(&mailbox).await?;
        let notifications = store
            .notifications(&mailbox, NOTIFICATIONS_SHOWN_MAX)
            .await?;
        Ok::<_, kuvert_store::StoreError>((settings, notifications))
    }
    .await;
    let (settings, notifications) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return Failure::from(error).page(holder.layout()),
    };
    let t = holder.layout().t;
    let current = |channel: NotificationChannel| {
        settings
            .iter()
            .find(|setting| setting.address.channel() == channel)
            .map(|setting| AddressView {
                address: setting.address.as_str().to_owned(),
                is_confirmed: setting.is_confirmed,
            })
    };
    let channels = vec![
        ChannelView {
            label: t.email_label,
            hint: "",
            channel: "email",
            input_type: "email",
            autocomplete: "email",
            current: current(NotificationChannel::Email),
        },
        ChannelView {
            label: t.mobile_label,
            hint: t.mobile_hint,
            channel: "sms",
            input_type: "tel",
            autocomplete: "tel",
            current: current(NotificationChannel::Sms),
        },
    ];
    let failures = notifications
        .iter()
        .filter(|notification| notification.status == NotificationStatus::Failed)
        .map(|notification| FailureView {
            sender: notification.sender_name.as_str().to_owned(),
            address: notification.address.as_str().to_owned(),
            date: date(notification.created_at),
        })
        .collect();
    let page = SettingsPage {
        layout: holder.layout(),
        channels,
        failures,
        notice,
        problem,
    };
    render(status, &page)
}

/// Eight random digits from the operating system's generator (a v4 UUID).
fn new_code() -> Result<ConfirmationCode, Failure> {
    let digits = format!("{:08}", uuid::Uuid::new_v4().as_u128() % 100_000_000);
    ConfirmationCode::parse(&digits).map_err(Failure::internal)
}
