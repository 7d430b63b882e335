//! Issue 15: the demo runs the sender side. Its sender service takes a letter posted with the
//! demo sender system's own files (client certificate and key from the data directory, as
//! `demo.json` names them) and delivers it to the recipient's mailbox, the OAuth 2 client
//! of the same files reads it back, and the banner's `curl` command posts a letter as
//! printed; its intermediary delivers a sender system's signed delivery (`distributeSecure`).

use std::time::{Duration, Instant};

use kuvert::demo::ManifestSenderService;
use kuvert::seed;
use kuvert::testkit::Federation;
use kuvert_wire::message::{DistributionState, DistributionType};
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::intermediary::{client_as, distribute, distribute_request, letters_with, status_of};
use crate::raw_soap::mtls_client;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_sender_service_delivers_a_letter_posted_with_the_demo_client_certificate() {
    let federation = Federation::start(Default::default()).await;
    let service = federation
        .manifest()
        .sender_service
        .clone()
        .expect("the demo runs the sender service");
    let certificate = std::fs::read_to_string(&service.client.certificate).unwrap();
    let key = std::fs::read_to_string(&service.client.key_file).unwrap();
    let client = mtls_client(&federation, Some((certificate, SecretString::from(key))));
    let tolvan = seed::person("tolvan").unwrap();
    let subject = "Brev via demons avsändartjänst";
    let letter = json!({
        "sender": seed::SENDER_SYSTEM.senders[1].number,
        "recipient": tolvan.number,
        "subject": subject,
        "body": { "content_type": "text/plain", "content": "Hej Tolvan! Ett brev från demon." },
    });
    let answer = post_letter(&client, &service, "demo-brev-1", &letter).await;
    assert_eq!(answer.status(), 202);
    let accepted: Value = answer.json().await.unwrap();
    let id = accepted["id"].as_str().unwrap().to_owned();
    let status = final_status(&client, &service.api_url, &id).await;
    assert_eq!(status["state"], "delivered", "{status}");
    assert_eq!(letters_with(&federation, tolvan, subject).await, 1);

    // Exempelkommun's own certificate is no client of the sender service: it may not send as
    // Exempelmyndigheten (the demo client's certificate names an organisation of its own).
    let kommun = client_as(&federation, &seed::SENDERS[0]);
    let refused = post_letter(&kommun, &service, "demo-brev-kommun", &letter).await;
    assert_eq!(refused.status(), 401, "not a client: nothing queued");

    // The OAuth 2 client: the secret file's secret matches the hash in sender.toml.
    let secret = std::fs::read_to_string(&service.client.secret_file).unwrap();
    let token = access_token(&federation, &service, secret.trim()).await;
    let read_back = mtls_client(&federation, None)
        .get(format!("{}letters/{id}", service.oauth_api_url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(read_back.status(), 200);
    let read_back: Value = read_back.json().await.unwrap();
    assert_eq!(read_back["state"], "delivered", "{read_back}");

    banner_curl_command_posts_a_letter(&federation, &client, &service).await;
}

/// The banner's `curl` command, run by `sh` as a person pastes it, queues a letter that is
/// then delivered to Tolvan.
async fn banner_curl_command_posts_a_letter(
    federation: &Federation,
    client: &reqwest::Client,
    service: &ManifestSenderService,
) {
    let command = federation.manifest().send_letter_example().unwrap();
    let has_curl = std::process::Command::new("curl")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if !has_curl {
        kuvert_testenv::skip("no curl on PATH: the banner's command is not run");
        assert!(
            !kuvert_testenv::is_required(),
            "KUVERT_REQUIRE_ALL=1 needs curl"
        );
        return;
    }
    let output = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{command} --silent --show-error --fail-with-body"))
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{command}\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let accepted: Value = serde_json::from_str(&stdout).unwrap();
    let id = accepted["id"].as_str().unwrap();
    let status = final_status(client, &service.api_url, id).await;
    assert_eq!(status["state"], "delivered", "{status}");
    let tolvan = seed::person("tolvan").unwrap();
    assert_eq!(
        letters_with(federation, tolvan, "Hej från avsändartjänsten").await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_intermediary_delivers_a_sender_systems_signed_delivery() {
    let federation = Federation::start(Default::default()).await;
    let url = federation
        .manifest()
        .intermediary_service
        .as_ref()
        .expect("the demo runs the intermediary")
        .message_url
        .clone();
    let kommun = seed::SENDERS[0];
    let client = client_as(&federation, &kommun);
    let bertil = seed::person("bertil").unwrap();
    let subject = "Förmedlat av demons förmedlare";
    let request = distribute_request(&federation, &kommun, &kommun, bertil, subject);
    let distribution_id = distribute(&client, &url, request).await;
    let delivered = (
        DistributionType::Digital,
        Some(DistributionState::Delivered),
    );
    assert_eq!(
        status_of(&client, &url, &kommun, &distribution_id).await,
        delivered
    );
    assert_eq!(letters_with(&federation, bertil, subject).await, 1);
}

/// Posts `letter` to the sender service's REST API under `key` as `client`.
async fn post_letter(
    client: &reqwest::Client,
    service: &ManifestSenderService,
    key: &str,
    letter: &Value,
) -> reqwest::Response {
    client
        .post(format!("{}letters", service.api_url))
        .header("Idempotency-Key", key)
        .json(letter)
        .send()
        .await
        .unwrap()
}

/// Polls the letter until its state is final; its status JSON.
async fn final_status(client: &reqwest::Client, api_url: &str, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let answer = client
            .get(format!("{api_url}letters/{id}"))
            .send()
            .await
            .unwrap();
        let status: Value = answer.json().await.unwrap();
        if ["delivered", "paper", "failed"].contains(&status["state"].as_str().unwrap_or("")) {
            return status;
        }
        assert!(Instant::now() < deadline, "letter {id} not done: {status}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// An access token for the demo sender system (client credentials in the form).
async fn access_token(
    federation: &Federation,
    service: &ManifestSenderService,
    secret: &str,
) -> String {
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", service.client.id.as_str()),
        ("client_secret", secret),
    ];
    let answer = mtls_client(federation, None)
        .post(&service.token_url)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let answer: Value = answer.json().await.unwrap();
    answer["access_token"].as_str().unwrap().to_owned()
}
