//! Each bad `[[service.webhooks]]` value is refused at start, naming its key and endpoint.

use std::collections::HashSet;

use kuvert_core::id::OrganisationNumber;
use kuvert_store::sender::ClientId;
use kuvert_web::StartError;
use serde_json::{Value, json};

use super::{Known, WebhookConfig, check};

const SENDER: &str = "2120000159";

/// A valid endpoint with `changes` (a JSON object) over it, read as serde reads the file.
fn config(changes: Value) -> WebhookConfig {
    let mut value = json!({
        "id": "arende",
        "url": "https://arende.example/kuvert",
        "secret_path": "/etc/kuvert/webhook.key",
        "clients": ["ekonomi"],
    });
    if let (Some(object), Value::Object(changes)) = (value.as_object_mut(), changes) {
        object.extend(changes);
    }
    serde_json::from_value(value).unwrap()
}

#[track_caller]
fn check_one(configs: &[WebhookConfig], expected: Result<(), (&str, &str)>) {
    let clients: HashSet<ClientId> = [ClientId::parse("ekonomi").unwrap()].into();
    let signs_for = |sender: &OrganisationNumber| sender.as_str() == SENDER;
    let known = Known {
        clients: &clients,
        signs_for: &signs_for,
        lease_secs: 60,
    };
    match (check(configs, &known), expected) {
        (Ok(_), Ok(())) => {}
        (Err(StartError::Config { key, reason }), Err((want_key, want_reason))) => {
            assert_eq!(key, want_key, "{reason}");
            assert!(reason.contains(want_reason), "{key}: {reason}");
        }
        (answer, expected) => panic!("{answer:?}, expected {expected:?}"),
    }
}

#[test]
fn webhook_config_refuses_each_bad_value_naming_its_key() {
    check_one(&[config(json!({}))], Ok(()));
    check_one(
        &[config(json!({"url": "http://127.0.0.1:9000/hook"}))],
        Ok(()),
    );
    check_one(
        &[config(json!({"clients": [], "senders": [SENDER]}))],
        Ok(()),
    );
    let mutual = json!({"client_certificate_path": "/etc/c.pem", "client_key_path": "/etc/k.pem"});
    check_one(&[config(mutual)], Ok(()));
    check_one(
        &[config(json!({"client_certificate_path": "/etc/c.pem"}))],
        Err(("service.webhooks.client_key_path", "together")),
    );
    check_one(
        &[config(json!({"client_key_path": "/etc/k.pem"}))],
        Err(("service.webhooks.client_key_path", "together")),
    );
    assert_eq!(config(json!({})).start, super::WebhookStart::Beginning);
    assert_eq!(
        config(json!({"start": "now"})).start,
        super::WebhookStart::Now
    );
    let later: Result<WebhookConfig, _> = serde_json::from_value(json!({
        "id": "a", "url": "https://a.example/", "secret_path": "/k", "clients": ["ekonomi"],
        "start": "later",
    }));
    assert!(later.is_err(), "an unknown start is refused");
    let url = (
        "service.webhooks.url",
        "plain http only to a loopback address",
    );
    check_one(
        &[config(json!({"url": "http://arende.example/hook"}))],
        Err(url),
    );
    let scheme = ("service.webhooks.url", "must be an https URL");
    check_one(
        &[config(json!({"url": "ftp://arende.example/hook"}))],
        Err(scheme),
    );
    let none = ("service.webhooks.senders", "name the senders or clients");
    check_one(&[config(json!({"clients": []}))], Err(none));
    let unknown = (
        "service.webhooks.clients",
        "okand is not a configured client",
    );
    check_one(&[config(json!({"clients": ["okand"]}))], Err(unknown));
    let unsigned = (
        "service.webhooks.senders",
        "no signing identity for 2021999996",
    );
    check_one(&[config(json!({"senders": ["2021999996"]}))], Err(unsigned));
    let attempts = ("service.webhooks.attempts", "must be 1..=50");
    check_one(&[config(json!({"attempts": 0}))], Err(attempts));
    check_one(&[config(json!({"attempts": 51}))], Err(attempts));
    let backoff = ("service.webhooks.backoff_initial_ms", "must be 10..=");
    check_one(&[config(json!({"backoff_initial_ms": 5}))], Err(backoff));
    let longest = (
        "service.webhooks.backoff_max_ms",
        "must be backoff_initial_ms..=",
    );
    let shorter = json!({"backoff_initial_ms": 2000, "backoff_max_ms": 1000});
    check_one(&[config(shorter)], Err(longest));
    let timeout = (
        "service.webhooks.request_timeout_ms",
        "below service.lease_secs",
    );
    check_one(
        &[config(json!({"request_timeout_ms": 60000}))],
        Err(timeout),
    );
    check_one(&[config(json!({"request_timeout_ms": 0}))], Err(timeout));
    let id = ("service.webhooks.id", "must be 1 to 64 characters");
    check_one(&[config(json!({"id": "två ord"}))], Err(id));
    let twice = ("service.webhooks.id", "arende twice");
    check_one(&[config(json!({})), config(json!({}))], Err(twice));
}

#[test]
fn webhook_config_refuses_unknown_keys() {
    let mut value = json!({"id": "a", "url": "https://a.example/", "secret_path": "k"});
    value["secret"] = json!("x");
    let read = serde_json::from_value::<WebhookConfig>(value);
    assert!(read.is_err(), "a secret in the file itself");
}
