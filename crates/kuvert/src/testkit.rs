//! The one test harness (STYLE.md §10): [`Federation::start`] runs the same start-up as
//! `kuvert demo` — registry, both operators, the portal, the test e-ID, the sender service
//! and the intermediary's Message v3 service, in-process, each on `127.0.0.1:0` — in a fresh
//! temporary directory, with the PKI made once per test binary.
//! Typed helpers send letters through the real sender toolkit, log people in through the
//! test e-ID's forms over HTTP (at their inbox, or at the portal's `/kommunikator` as a
//! communicator) and drive the notification workers.
//!
//! It is a test harness: failures to start panic with what failed, and everything stops when
//! the [`Federation`] is dropped.
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

pub mod browser;

use std::sync::OnceLock;

use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber, RecipientId};
use kuvert_core::message::{Attachment, Body, Subject, SupportInfo, SupportText};
use kuvert_pki::TestPki;
use kuvert_sender::{Letter, Outcome, SendError, Toolkit};
use kuvert_store::portal::Communicator;
use kuvert_testenv::FederationLayout;
use url::Url;

/// The one shared test browser (cookies, forms, redirects by hand).
pub use kuvert_testenv::browser::Browser;

use crate::demo::{self, Databases, Demo, DemoOptions, Manifest, Ports};
use crate::seed::{self, SeedOrganisation, SeedPerson};

/// How to start a federation for a test.
#[derive(Debug, Clone, Default)]
pub struct FederationOptions {
    /// SMTP `host:port` for the operators' notification e-mail (the real SMTP test server);
    /// `None` writes `.eml` files under the data directory.
    pub smtp_address: Option<String>,
    /// An outside OpenID provider (npm `oidc-provider`) for the operators' web login, each
    /// operator registering its client there dynamically; `None` uses the test e-ID.
    pub oidc_issuer: Option<url::Url>,
    /// The portal's dashboard cache in seconds; `None` keeps its default (0 for the
    /// statistics benchmark: [`DemoOptions::portal_statistics_cache_secs`]).
    pub portal_statistics_cache_secs: Option<u64>,
    /// The operators' letters in this S3 bucket (each under `key_prefix/<operator key>`);
    /// `None` keeps them in folders under the data directory.
    pub blob_s3: Option<kuvert_operator::config::S3BlobConfig>,
    /// Every role on SQLite files even when `KUVERT_TEST_PG_URL` is set, for a benchmark that
    /// measures both databases in one run.
    pub sqlite_only: bool,
    /// The letters in local folders even under `KUVERT_TEST_FEDERATION=postgres-s3`, for tests
    /// that take the folder away (a lost disk, an unreadable store): `kuvert backup` copies
    /// folders, while a bucket is kept by its own service.
    pub local_letters: bool,
}

/// A running federation in a temporary directory.
pub struct Federation {
    demo: Demo,
    options: FederationOptions,
    databases: Databases,
    toolkit: Toolkit,
    // Declared last: removed after the servers were told to stop.
    dir: tempfile::TempDir,
}

impl std::fmt::Debug for Federation {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Federation")
            .field("dir", &self.dir.path())
            .finish_non_exhaustive()
    }
}

/// A pause longer than any test, so the background notification workers never race one.
const NOTIFICATION_POLL_MS_IDLE: u64 = 3_600_000;

/// The demo PKI, generated once per test binary (RSA key generation is the slow part); tests
/// that start the `kuvert` binary write it into the data directory first
/// ([`TestPki::write_to`] on `DIR/pki`), so the demo loads it instead of making its own.
pub fn shared_pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| TestPki::generate(&seed::pki_spec()).expect("generating the test PKI"))
}

impl Federation {
    /// Starts everything on `127.0.0.1:0` with the demo seed, a SQLite file per role, or a
    /// fresh PostgreSQL database per role when `KUVERT_TEST_PG_URL` is set (and
    /// [`FederationOptions::sqlite_only`] is not).
    pub async fn start(options: FederationOptions) -> Self {
        init_telemetry();
        let dir = tempfile::tempdir().expect("temporary directory");
        let pki = tokio::task::spawn_blocking(shared_pki)
            .await
            .unwrap()
            .clone();
        pki.write_to(&dir.path().join("pki"))
            .expect("writing the PKI");
        let layout = kuvert_testenv::federation_layout();
        let databases = if options.sqlite_only || layout == FederationLayout::Sqlite {
            Databases::Sqlite
        } else {
            postgres::databases().await
        };
        let mut options = options;
        if layout == FederationLayout::PostgresS3
            && options.blob_s3.is_none()
            && !options.local_letters
        {
            let bucket = kuvert_testenv::s3_bucket("the federation's letters in S3")
                .expect("KUVERT_TEST_FEDERATION=postgres-s3 needs KUVERT_TEST_S3_ENDPOINT");
            let prefix = format!("federation-{}", uuid::Uuid::new_v4().simple());
            options.blob_s3 = Some(s3_blob_config(&bucket, prefix));
        }
        let demo = start_demo(dir.path(), databases.clone(), &options, pki).await;
        let config = crate::send_command::demo_sender_config(dir.path()).unwrap();
        let toolkit = Toolkit::build(&config).expect("building the sender toolkit");
        Self {
            demo,
            options,
            databases,
            toolkit,
            dir,
        }
    }

    /// Stops every server and starts them again on the same data (new ports), as a
    /// restarted `kuvert demo` would: the seed runs again and must add nothing.
    pub async fn restart(&mut self) {
        self.restart_with(async |_| {}).await;
    }

    /// [`Federation::restart`], running `between` while every server is stopped (on the data
    /// directory), e.g. to wipe and restore a role's storage.
    pub async fn restart_with(&mut self, between: impl AsyncFnOnce(&std::path::Path)) {
        self.demo.shutdown().trigger();
        self.demo
            .stopped()
            .await
            .expect("the federation stops cleanly");
        between(self.dir.path()).await;
        let pki = self.demo.pki.clone();
        let databases = self.databases.clone();
        self.demo = start_demo(self.dir.path(), databases, &self.options, pki).await;
        let config = crate::send_command::demo_sender_config(self.dir.path()).unwrap();
        self.toolkit = Toolkit::build(&config).expect("building the sender toolkit");
    }

    /// Every endpoint, file and identity.
    #[must_use]
    pub fn manifest(&self) -> &Manifest {
        &self.demo.manifest
    }

    /// The running roles (registry and operator services, for their stores).
    #[must_use]
    pub fn demo(&self) -> &Demo {
        &self.demo
    }

    /// The operator service of a seeded operator.
    #[must_use]
    pub fn operator(&self, operator: &SeedOrganisation) -> &kuvert_operator::Service {
        let index = seed::OPERATORS
            .iter()
            .position(|o| o.key == operator.key)
            .unwrap();
        &self.demo.operators[index]
    }

    /// The registry's database URL: its SQLite file, or its PostgreSQL database when
    /// `KUVERT_TEST_PG_URL` is set (for tests that run `kuvert registry admin` on it).
    #[must_use]
    pub fn registry_database_url(&self) -> String {
        match &self.databases {
            Databases::Sqlite => format!(
                "sqlite://{}?mode=rwc",
                self.dir.path().join("registry.db").display()
            ),
            Databases::Postgres(urls) => urls[0].clone(),
        }
    }

    /// The portal's start page (`http://127.0.0.1:PORT/`); `/kommunikator` is below it.
    #[must_use]
    pub fn portal_url(&self) -> Url {
        Url::parse(&self.manifest().portal_url).unwrap()
    }

    /// The portal's configuration file as the demo wrote it (`DIR/portal.toml`), for
    /// `kuvert portal communicator --config FILE`.
    #[must_use]
    pub fn portal_config_path(&self) -> std::path::PathBuf {
        self.manifest().portal_config.clone()
    }

    /// Where the portal writes its e-mails to the editor as files when no SMTP relay was
    /// given (`DIR/mail/portal`).
    #[must_use]
    pub fn editor_mail_dir(&self) -> std::path::PathBuf {
        let config = self.portal_config_path();
        let dir = config.parent().unwrap_or(std::path::Path::new("."));
        dir.join("mail").join("portal")
    }

    /// Gives `person` the communicator role for `senders` (replacing the senders they had),
    /// as `kuvert portal communicator add` does. The demo already seeded one communicator,
    /// [`demo::COMMUNICATOR`].
    pub async fn grant_communicator(
        &self,
        person: &PersonalIdentityNumber,
        senders: &[OrganisationNumber],
        is_admin: bool,
    ) -> Communicator {
        self.demo
            .portal
            .store()
            .grant_communicator(person, senders, is_admin)
            .await
            .unwrap()
    }

    /// Logs `person` in at the portal's communicators' pages through the test e-ID's forms
    /// over HTTP, and returns the browser holding the portal's session cookie. The login
    /// itself needs no role; the pages then answer by the role in the portal's store
    /// ([`Federation::grant_communicator`]).
    pub async fn login_communicator(&self, person: &SeedPerson) -> Browser {
        self.login_communicator_at(person, "kommunikator/logga-in")
            .await
            .0
    }

    /// [`Federation::login_communicator`] started at `login_path` of the portal (e.g. with
    /// `?lang=en`); also answers where the portal sent the browser after the login.
    pub async fn login_communicator_at(
        &self,
        person: &SeedPerson,
        login_path: &str,
    ) -> (Browser, String) {
        let browser = Browser::new(&self.pki_ca_pem());
        let login = self.portal_url().join(login_path).unwrap();
        let landing = browser::log_in_at(&browser, &login, person_index(person)).await;
        (browser, landing)
    }

    /// Revokes the organisation certificate `key` as `kuvert pki revoke` does (adding it to
    /// the federation's CRL file), then has the registry and every operator reload their
    /// CRLs now instead of within `pki_command::DEMO_CRL_REFRESH_SECS`.
    pub async fn revoke(&self, key: &str) {
        crate::pki_command::revoke(&self.dir.path().join("pki"), key).unwrap();
        let registry = self
            .demo
            .registry
            .crls()
            .expect("the demo registry checks CRLs");
        assert!(
            registry.refresh().await.is_empty(),
            "the registry reloads the CRL"
        );
        for operator in &self.demo.operators {
            let crls = operator.crls().expect("the demo operators check CRLs");
            assert!(
                crls.refresh().await.is_empty(),
                "the operator reloads the CRL"
            );
        }
    }

    /// The sender toolkit of the demo's intermediary, signing for both senders.
    #[must_use]
    pub fn toolkit(&self) -> &Toolkit {
        &self.toolkit
    }

    /// Sends `letter` through the real toolkit: registry lookup, sign, seal, deliver.
    pub async fn send(&self, letter: &Letter) -> Result<Outcome, SendError> {
        self.toolkit.send(letter).await
    }

    /// A plain-text letter from a seeded sender to a seeded person.
    #[must_use]
    pub fn letter(
        &self,
        sender: &SeedOrganisation,
        person: &SeedPerson,
        subject: &str,
        attachments: Vec<Attachment>,
    ) -> Letter {
        letter(sender, person, subject, attachments)
    }

    /// Logs `person` in at their operator's web inbox through the test e-ID's forms over
    /// HTTP, and returns the browser holding the session cookie.
    pub async fn login_as(&self, person: &SeedPerson) -> Browser {
        let operator = person.operator.unwrap_or(seed::OPERATORS[0].key);
        let inbox = &self
            .manifest()
            .operators
            .iter()
            .find(|o| o.organisation.key == operator)
            .unwrap()
            .inbox_url;
        let browser = Browser::new(&self.pki_ca_pem());
        let login = Url::parse(inbox).unwrap().join("logga-in").unwrap();
        browser::log_in_at(&browser, &login, person_index(person)).await;
        browser
    }

    /// Runs every operator's notification worker until its outbox has nothing due; returns
    /// how many notifications were sent.
    pub async fn drain_notifications(&self) -> usize {
        let mut sent = 0;
        for operator in &self.demo.operators {
            loop {
                let round = operator.notifications().run_once().await.unwrap();
                sent += round.sent;
                if round.claimed == 0 {
                    break;
                }
            }
        }
        sent
    }

    fn pki_ca_pem(&self) -> String {
        self.demo.pki.organisation_ca_pem().to_owned()
    }
}

/// The person's place in the test e-ID's person picker (the order of [`seed::PERSONS`]).
fn person_index(person: &SeedPerson) -> usize {
    seed::PERSONS
        .iter()
        .position(|p| p.key == person.key)
        .unwrap()
}

async fn start_demo(
    dir: &std::path::Path,
    databases: Databases,
    options: &FederationOptions,
    pki: TestPki,
) -> Demo {
    let demo_options = DemoOptions {
        data_dir: dir.to_path_buf(),
        ports: Ports::Any,
        databases,
        smtp_address: options.smtp_address.clone(),
        // The background workers stay idle; tests drive them with `drain_notifications`.
        notification_poll_ms: NOTIFICATION_POLL_MS_IDLE,
        oidc_issuer: options.oidc_issuer.clone(),
        portal_statistics_cache_secs: options.portal_statistics_cache_secs,
        blob_s3: options.blob_s3.clone(),
    };
    demo::start_with_pki(demo_options, pki)
        .await
        .expect("starting the federation")
}

impl Drop for Federation {
    fn drop(&mut self) {
        self.demo.shutdown().trigger();
    }
}

/// A fresh PostgreSQL database per role when `KUVERT_TEST_PG_URL` is set. Creating a
/// database is the harness's only SQL: the store's migrations make everything inside it.
mod postgres {
    use sqlx::{Connection as _, Executor as _};

    use super::Databases;

    pub(super) async fn databases() -> Databases {
        // Unset, the federation runs on SQLite and the message says PostgreSQL went unchecked.
        match kuvert_testenv::external("PG_URL", "the federation on PostgreSQL") {
            Some(admin_url) => Databases::Postgres(create(&admin_url).await),
            None => Databases::Sqlite,
        }
    }

    async fn create(admin_url: &str) -> Vec<String> {
        let mut admin = sqlx::PgConnection::connect(admin_url)
            .await
            .expect("PostgreSQL");
        let mut urls = Vec::new();
        // The registry, each operator, the portal, the sender service and the intermediary
        // (`Databases::Postgres`).
        for _ in 0..crate::seed::OPERATORS.len() + 4 {
            let name = format!("kuvert_{}", uuid::Uuid::new_v4().simple());
            let statement =
                kuvert_store::create_database_sql(&name).expect("a generated database name");
            admin
                .execute(sqlx::AssertSqlSafe(statement))
                .await
                .expect("CREATE DATABASE");
            let mut url = url::Url::parse(admin_url).expect("KUVERT_TEST_PG_URL is a URL");
            url.set_path(&name);
            urls.push(url.to_string());
        }
        drop(admin.close().await);
        urls
    }
}

/// The operators' blob configuration for the test S3 `bucket`, every key under `key_prefix`
/// so runs and tests sharing the bucket never meet.
#[must_use]
pub fn s3_blob_config(
    bucket: &kuvert_testenv::S3Bucket,
    key_prefix: String,
) -> kuvert_operator::config::S3BlobConfig {
    kuvert_operator::config::S3BlobConfig {
        endpoint: Some(bucket.endpoint.clone()),
        bucket: bucket.bucket.clone(),
        region: bucket.region.clone(),
        access_key_id: bucket.access_key.clone(),
        secret_access_key: bucket.secret_key.clone().into(),
        key_prefix: Some(key_prefix),
        allow_http: true,
        ca_path: None,
        connect_timeout_ms: 5_000,
        request_timeout_ms: 20_000,
    }
}

/// The subscriber of a test binary: installed once, silent unless `KUVERT_TEST_LOG=1`.
fn init_telemetry() {
    if kuvert_testenv::is_logging() {
        crate::telemetry::init(crate::telemetry::LogFormat::Text);
    }
}

/// A plain-text letter from `sender` to `person` with `subject` (a federation is not needed:
/// `kuvert cluster` tests send the same letters).
#[must_use]
pub fn letter(
    sender: &SeedOrganisation,
    person: &SeedPerson,
    subject: &str,
    attachments: Vec<Attachment>,
) -> Letter {
    let support = format!("Frågor besvarar {}.", sender.name);
    Letter {
        sender: sender.organisation_number(),
        recipient: RecipientId::Person(person.personal_identity_number()),
        subject: Subject::parse(subject).unwrap(),
        body: Body::new(
            kuvert_core::message::BodyContentType::TextPlain,
            format!("Hej {}! {subject}", person.given_name).into_bytes(),
        )
        .unwrap(),
        attachments,
        support_info: SupportInfo {
            text: SupportText::parse(&support).unwrap(),
            url: None,
            phone: None,
            email: None,
        },
        message_id: None,
        reference: None,
    }
}
