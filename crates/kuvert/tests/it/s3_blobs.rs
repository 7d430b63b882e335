//! The operators on S3 blobs (a real S3 server, Garage in CI): a letter sent through the
//! toolkit is stored as an object in the bucket, read back in the inbox with its attachment
//! byte for byte, and still there after a restart.

use std::time::Duration;

use kuvert::seed;
use kuvert::testkit::{Federation, FederationOptions};
use kuvert_core::id::RecipientId;
use kuvert_sender::Outcome;
use kuvert_store::blob::s3::{S3BlobStore, S3Settings};
use kuvert_store::blob::{BlobKey, BlobStore};
use kuvert_store::operator::{Folder, MailboxQuery};

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn letter_is_stored_in_the_bucket_and_read_back_when_blobs_are_on_s3() {
    let Some(bucket) = kuvert_testenv::s3_bucket("an operator delivering to S3 blobs") else {
        return;
    };
    let prefix = format!("federation-{}", uuid::Uuid::new_v4().simple());
    let config = kuvert::testkit::s3_blob_config(&bucket, prefix.clone());
    let mut federation = Federation::start(FederationOptions {
        blob_s3: Some(config),
        ..FederationOptions::default()
    })
    .await;
    let person = seed::person("tolvan").unwrap();
    let operator = seed::organisation(person.operator.unwrap()).unwrap();
    let attachment = kuvert_sender::pdf_attachment("beslut.pdf", PDF.to_vec()).unwrap();
    let subject = "Beslut i molnet";
    let letter = federation.letter(&seed::SENDERS[0], person, subject, vec![attachment]);
    let outcome = federation.send(&letter).await.unwrap();
    assert!(matches!(outcome, Outcome::Delivered { .. }), "{outcome:?}");

    // The sealed delivery is an object under the operator's own prefix in the bucket.
    let objects = S3BlobStore::connect(&S3Settings {
        endpoint: Some(url::Url::parse(&bucket.endpoint).unwrap()),
        bucket: bucket.bucket.clone(),
        region: bucket.region.clone(),
        access_key_id: bucket.access_key.clone(),
        secret_access_key: bucket.secret_key.clone().into(),
        key_prefix: Some(BlobKey::parse(&format!("{prefix}/{}", operator.key)).unwrap()),
        is_http_allowed: true,
        root_ca_pem: None,
        connect_timeout: Duration::from_secs(5),
        request_timeout: Duration::from_secs(20),
    })
    .unwrap();
    let deliveries = BlobKey::parse("deliveries").unwrap();
    assert_eq!(objects.list(&deliveries, None, 10).await.unwrap().len(), 1);

    federation.restart().await;
    let inbox_url = federation
        .manifest()
        .operators
        .iter()
        .find(|o| o.organisation.key == operator.key)
        .map(|o| url::Url::parse(&o.inbox_url).unwrap())
        .unwrap();
    let mailbox = RecipientId::Person(person.personal_identity_number());
    let store = federation.operator(&operator).store();
    let query = MailboxQuery {
        recipient: mailbox.clone(),
        folder: Folder::Inbox,
        sender: None,
        search: None,
        page: 0,
        page_size: 50,
    };
    let page = store.letters(&query).await.unwrap();
    let summary = page
        .letters
        .iter()
        .find(|l| l.subject.as_str() == subject)
        .unwrap();
    let browser = federation.login_as(person).await;
    let read = browser
        .get(
            inbox_url
                .join(&format!("brev/{}", summary.id))
                .unwrap()
                .as_str(),
        )
        .await;
    assert_eq!(read.status(), 200);
    let page = read.text().await.unwrap();
    assert!(
        page.contains(subject),
        "the letter is shown from the bucket"
    );
    let href = page
        .split("href=\"")
        .filter_map(|rest| rest.split('"').next())
        .find(|href| href.contains("/bilaga/"))
        .expect("the attachment is linked")
        .to_owned();
    let download = browser.get(inbox_url.join(&href).unwrap().as_str()).await;
    assert_eq!(download.status(), 200);
    assert_eq!(download.bytes().await.unwrap().as_ref(), PDF);
}
