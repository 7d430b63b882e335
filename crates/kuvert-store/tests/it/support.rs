//! Test databases (SQLite always, PostgreSQL when configured) and valid sample values.

use std::sync::Arc;

use bytes::Bytes;
use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber, RecipientId};
use kuvert_core::message::{
    AttachmentContentType, ContentDigest, DeliveryKey, Filename, MessageId, SenderName, Subject,
    TransId,
};
use kuvert_store::Database;
use kuvert_store::blob::LocalBlobStore;
use kuvert_store::operator::{AttachmentInfo, NewDelivery, OperatorStore};
use sqlx::{Connection, Executor};
use time::OffsetDateTime;

/// One database under test, with its temp dir and, for PostgreSQL, what to drop afterwards.
pub(crate) struct TestDatabase {
    pub(crate) database: Database,
    pub(crate) dir: tempfile::TempDir,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    /// SQLite, plus PostgreSQL when `KUVERT_TEST_PG_URL` is set.
    pub(crate) async fn all() -> Vec<Self> {
        let mut databases = vec![Self::sqlite().await];
        if let Some(admin_url) = kuvert_testenv::external("PG_URL", "the store's SQL on PostgreSQL")
        {
            databases.push(Self::postgres(&admin_url).await);
        }
        databases
    }

    async fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/kuvert.db?mode=rwc", dir.path().display());
        let database = Database::connect(&url).await.unwrap();
        Self {
            database,
            dir,
            postgres: None,
        }
    }

    async fn postgres(admin_url: &str) -> Self {
        let name = format!("kuvert_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(admin_url).await.unwrap();
        admin
            .execute(sqlx::AssertSqlSafe(
                kuvert_store::create_database_sql(&name).unwrap(),
            ))
            .await
            .unwrap();
        admin.close().await.unwrap();
        let mut url = url::Url::parse(admin_url).unwrap();
        url.set_path(&name);
        let database = Database::connect(url.as_str()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        Self {
            database,
            dir,
            postgres: Some((admin_url.to_owned(), name)),
        }
    }

    /// The operator store with blobs under this database's temp dir.
    pub(crate) fn operator(&self) -> Arc<dyn OperatorStore> {
        self.database.operator(Arc::new(self.blobs()))
    }

    pub(crate) fn blobs(&self) -> LocalBlobStore {
        LocalBlobStore::open(self.dir.path().join("blobs")).unwrap()
    }

    /// Closes the pool and drops a PostgreSQL database.
    pub(crate) async fn finish(self) {
        self.database.close().await;
        if let Some((admin_url, name)) = self.postgres {
            let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
            let drop = format!("DROP DATABASE {name} WITH (FORCE)");
            admin.execute(sqlx::AssertSqlSafe(drop)).await.unwrap();
        }
    }
}

/// The Luhn check digit of nine digits (PROTOCOL.md §4).
fn luhn(nine: &str) -> u32 {
    let sum: u32 = nine
        .chars()
        .enumerate()
        .map(|(index, c)| {
            let value = c.to_digit(10).unwrap() * if index % 2 == 0 { 2 } else { 1 };
            if value > 9 { value - 9 } else { value }
        })
        .sum();
    (10 - sum % 10) % 10
}

/// A valid personnummer, distinct for each `n` below 28 000.
pub(crate) fn person_number(n: u32) -> PersonalIdentityNumber {
    let day = 1 + (n / 1000) % 28;
    let serial = n % 1000;
    let short = format!("8001{day:02}{serial:03}");
    PersonalIdentityNumber::parse(&format!("19{short}{}", luhn(&short))).unwrap()
}

/// A person as a recipient.
pub(crate) fn person(n: u32) -> RecipientId {
    RecipientId::Person(person_number(n))
}

/// A valid organisationsnummer, distinct for each `n` below 1000.
pub(crate) fn organisation(n: u32) -> OrganisationNumber {
    let nine = format!("556000{n:03}");
    OrganisationNumber::parse(&format!("{nine}{}", luhn(&nine))).unwrap()
}

/// Now, to the millisecond, as the store keeps it.
pub(crate) fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(now.millisecond() as u32 * 1_000_000)
        .unwrap()
}

/// A stand-in content digest that depends only on the message id, so a retry of the same
/// message id is the same content.
pub(crate) fn content_digest(message_id: &str) -> ContentDigest {
    let mut bytes = [0_u8; 32];
    for (idx, byte) in message_id.bytes().enumerate() {
        bytes[idx % 32] ^= byte;
    }
    ContentDigest::from_bytes(bytes)
}

/// A delivery of `message_id` from `sender` to `recipient`, with one attachment.
pub(crate) fn delivery(
    sender: &OrganisationNumber,
    message_id: &str,
    recipient: &RecipientId,
    subject: &str,
    received_at: OffsetDateTime,
) -> NewDelivery {
    NewDelivery {
        key: DeliveryKey {
            sender: sender.clone(),
            message_id: MessageId::parse(message_id).unwrap(),
        },
        content_digest: content_digest(message_id),
        recipient: recipient.clone(),
        trans_id: TransId::parse(&uuid::Uuid::new_v4().to_string()).unwrap(),
        received_at,
        sealed_delivery: Bytes::from(format!("<SealedDelivery id=\"{message_id}\"/>")),
        receipt_xml: format!("<DeliveryResult>{message_id}</DeliveryResult>"),
        subject: Subject::parse(subject).unwrap(),
        sender_name: SenderName::parse("Skatteverket").unwrap(),
        attachments: vec![AttachmentInfo {
            filename: Filename::parse("beslut.pdf").unwrap(),
            content_type: AttachmentContentType::Pdf,
            size_bytes: 1234,
        }],
    }
}
