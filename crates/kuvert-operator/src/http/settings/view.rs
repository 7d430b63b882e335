//! What `/installningar` shows: the page type for `templates/settings.html`, built from the
//! holder's notification addresses, their outstanding codes and the notifications that failed.

use askama::Template;
use kuvert_store::operator::{
    NotificationChannel, NotificationRecord, NotificationSetting, NotificationStatus,
};

use super::super::pages::Layout;
use super::texts::{SettingsTexts, settings_texts};
use crate::notification::FailureReason;
use crate::notification::schedule::swedish_time;

/// `/installningar`.
#[derive(Template)]
#[template(path = "settings.html")]
pub(super) struct SettingsPage {
    pub(super) layout: Layout,
    pub(super) s: &'static SettingsTexts,
    /// E-mail first, then SMS.
    pub(super) channels: Vec<ChannelView>,
    pub(super) failures: Vec<FailureView>,
    pub(super) notice: Option<&'static str>,
}

/// A problem with what was entered in one field, shown beside it.
#[derive(Debug, Clone)]
pub(super) struct FieldProblem {
    pub(super) channel: NotificationChannel,
    pub(super) field: Field,
    pub(super) text: &'static str,
    /// What the person entered, shown again so they can correct it.
    pub(super) entered: String,
}

/// Which field of a channel's forms a problem belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    Address,
    Code,
}

/// One notification channel: the current address, its code form and the address form.
pub(super) struct ChannelView {
    pub(super) label: &'static str,
    pub(super) hint: &'static str,
    /// `email` or `sms`, as the forms post it.
    pub(super) channel: &'static str,
    pub(super) input_type: &'static str,
    pub(super) autocomplete: &'static str,
    pub(super) current: Option<AddressView>,
    pub(super) address_problem: Option<&'static str>,
    pub(super) entered_address: String,
    pub(super) code_problem: Option<&'static str>,
}

/// The address on one channel and where its confirmation stands.
pub(super) struct AddressView {
    pub(super) address: String,
    pub(super) is_confirmed: bool,
    /// A code was sent and can still be entered (the code form is shown).
    pub(super) is_waiting_for_code: bool,
}

/// A notification that failed: retried later, or given up.
pub(super) struct FailureView {
    pub(super) channel: &'static str,
    pub(super) address: String,
    pub(super) sender: String,
    pub(super) at: String,
    pub(super) reason: &'static str,
    /// When the next try is made; `None` when no more tries are made.
    pub(super) retry_at: Option<String>,
}

impl SettingsPage {
    /// The page from the stored settings and recent notifications.
    pub(super) fn new(
        layout: Layout,
        settings: &[NotificationSetting],
        notifications: &[NotificationRecord],
        notice: Option<&'static str>,
        problem: Option<&FieldProblem>,
    ) -> Self {
        let s = settings_texts(layout.lang);
        let t = layout.t;
        let channel = |channel, label, hint, input_type, autocomplete| {
            let current = settings
                .iter()
                .find(|setting| setting.address.channel() == channel)
                .map(|setting| AddressView {
                    address: setting.address.as_str().to_owned(),
                    is_confirmed: setting.is_confirmed,
                    is_waiting_for_code: setting.pending_code.is_some(),
                });
            let problem_in = |field| {
                problem.filter(|problem| problem.channel == channel && problem.field == field)
            };
            ChannelView {
                label,
                hint,
                channel: channel_name(channel),
                input_type,
                autocomplete,
                current,
                address_problem: problem_in(Field::Address).map(|problem| problem.text),
                entered_address: problem_in(Field::Address)
                    .map(|problem| problem.entered.clone())
                    .unwrap_or_default(),
                code_problem: problem_in(Field::Code).map(|problem| problem.text),
            }
        };
        let channels = vec![
            channel(
                NotificationChannel::Email,
                t.email_label,
                "",
                "email",
                "email",
            ),
            channel(
                NotificationChannel::Sms,
                t.mobile_label,
                t.mobile_hint,
                "tel",
                "tel",
            ),
        ];
        let failures = notifications
            .iter()
            .filter(|notification| {
                notification.attempts > 0 && notification.status != NotificationStatus::Sent
            })
            .map(|notification| failure_view(s, notification))
            .collect();
        Self {
            layout,
            s,
            channels,
            failures,
            notice,
        }
    }
}

/// The channel as the forms post it.
pub(super) fn channel_name(channel: NotificationChannel) -> &'static str {
    match channel {
        NotificationChannel::Email => "email",
        NotificationChannel::Sms => "sms",
    }
}

fn failure_view(s: &'static SettingsTexts, notification: &NotificationRecord) -> FailureView {
    let channel = match notification.address.channel() {
        NotificationChannel::Email => s.email_channel,
        NotificationChannel::Sms => s.sms_channel,
    };
    let stored = notification.last_error.as_deref().unwrap_or_default();
    let reason = match FailureReason::of_stored(stored) {
        FailureReason::EmailServerUnreachable => s.reason_email_server,
        FailureReason::EmailRefused => s.reason_email_refused,
        FailureReason::EmailNotBuilt => s.reason_email_address,
        FailureReason::SmsGatewayUnreachable => s.reason_sms_gateway,
        FailureReason::SmsRefused => s.reason_sms_refused,
        FailureReason::NoSmsGateway => s.reason_no_sms,
        FailureReason::Other => s.reason_other,
    };
    let retry_at = (notification.status == NotificationStatus::Pending)
        .then(|| swedish_time(notification.next_attempt_at));
    FailureView {
        channel,
        address: notification.address.as_str().to_owned(),
        sender: notification.sender_name.as_str().to_owned(),
        at: swedish_time(
            notification
                .last_attempt_at
                .unwrap_or(notification.created_at),
        ),
        reason,
        retry_at,
    }
}
