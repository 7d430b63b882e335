//! `demo.json`: every endpoint, certificate and key path, and the demo identities, so other
//! programs (`kuvert send --demo DIR`, a sender system under test) can connect.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use kuvert_core::operator::ServiceDomain;
use serde::{Deserialize, Serialize};

use super::roles::{self, Plan};
use super::sender_side::{self, ClientFiles};
use super::{DemoOptions, files};
use crate::seed::{self, SeedOrganisation};

/// File name of the manifest in the data directory.
pub const FILE_NAME: &str = "demo.json";

/// The demo federation as other programs see it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// The data directory.
    pub data_dir: PathBuf,
    /// Where the operators' notification e-mails are written (one folder per operator).
    pub mail_dir: PathBuf,
    /// The registry's base URL (mutual TLS): `/ec/Recipient/v3`, `/ec/Authority`,
    /// `/api/v1/…`, `/openapi.json` below it.
    pub registry_url: String,
    /// The test e-ID's issuer URL (OpenID discovery below it).
    pub eid_issuer: String,
    /// The portal's start page.
    pub portal_url: String,
    /// The mailbox operators.
    pub operators: Vec<ManifestOperator>,
    /// The senders.
    pub senders: Vec<ManifestOrganisation>,
    /// The intermediary delivering for both senders.
    pub intermediary: ManifestOrganisation,
    /// The registry's own identity.
    pub registry: ManifestOrganisation,
    /// The people.
    pub persons: Vec<ManifestPerson>,
    /// The people with the portal's communicator role (`/kommunikator`).
    #[serde(default)]
    pub communicators: Vec<ManifestCommunicator>,
    /// The portal's configuration file, for `kuvert portal communicator --config FILE` and
    /// `kuvert portal serve --config FILE`.
    #[serde(default)]
    pub portal_config: PathBuf,
    /// The registry's configuration file (`kuvert registry serve|admin --config FILE`).
    #[serde(default)]
    pub registry_config: PathBuf,
    /// The sender toolkit's configuration file (`kuvert send|mailing --config FILE`).
    #[serde(default)]
    pub sender_config: PathBuf,
    /// The registry's admin listener (`/healthz`, `/readyz`, `/metrics`, plain HTTP on
    /// 127.0.0.1); `None` where each node has its own (`kuvert cluster` lists them).
    #[serde(default)]
    pub registry_admin_url: Option<String>,
    /// The portal's admin listener, as [`Manifest::registry_admin_url`].
    #[serde(default)]
    pub portal_admin_url: Option<String>,
    /// The sender service (`kuvert sender serve`) and the demo's client of it; `None` where
    /// it does not run (`kuvert cluster`).
    #[serde(default)]
    pub sender_service: Option<ManifestSenderService>,
    /// The intermediary's Message v3 service (`kuvert intermediary serve`); `None` where it
    /// does not run.
    #[serde(default)]
    pub intermediary_service: Option<ManifestIntermediaryService>,
    /// The organisation CA (trust anchor of every TLS peer and organisation signature).
    pub organisation_ca: PathBuf,
    /// The e-ID CA (trust anchor of person signatures).
    pub eid_ca: PathBuf,
}

/// An organisation and its credential files.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestOrganisation {
    /// Key in [`crate::seed`] and file stem of its credential.
    pub key: String,
    /// Name.
    pub name: String,
    /// Organisation number, 10 digits.
    pub number: String,
    /// Certificate (PEM).
    pub certificate: PathBuf,
    /// Private key (PEM, PKCS#8).
    pub key_file: PathBuf,
}

/// The sender service as its callers see it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestSenderService {
    /// `https://127.0.0.1:PORT/api/v1/` on the mutual-TLS listener (client certificates).
    pub api_url: String,
    /// `https://127.0.0.1:PORT/api/v1/` on the TLS listener (OAuth 2 bearer tokens).
    pub oauth_api_url: String,
    /// `https://127.0.0.1:PORT/oauth/token` (client credentials).
    pub token_url: String,
    /// Its admin listener, as [`Manifest::registry_admin_url`].
    pub admin_url: String,
    /// The demo sender system, its one client.
    pub client: ManifestSenderClient,
}

/// The demo's sender system at the sender service.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestSenderClient {
    /// Its client id (also the OAuth 2 `client_id`).
    pub id: String,
    /// Its TLS client certificate (PEM), issued by the organisation CA.
    pub certificate: PathBuf,
    /// Its private key (PEM, PKCS#8).
    pub key_file: PathBuf,
    /// The file holding its OAuth 2 client secret.
    pub secret_file: PathBuf,
    /// Organisation numbers of the senders it may send for.
    pub senders: Vec<String>,
}

/// The intermediary's Message v3 service as sender systems see it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestIntermediaryService {
    /// `https://127.0.0.1:PORT/Message/v3` (mutual TLS): `distributeSecure`,
    /// `checkDistributionStatus`.
    pub message_url: String,
    /// Its admin listener, as [`Manifest::registry_admin_url`].
    pub admin_url: String,
    /// Its configuration file (`kuvert intermediary serve --config FILE`).
    pub config: PathBuf,
}

/// A mailbox operator's endpoints.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestOperator {
    /// Identity and credential.
    pub organisation: ManifestOrganisation,
    /// The `ServiceSupplier` domain.
    pub domain: ServiceDomain,
    /// `deliverSecure` endpoint (mutual TLS).
    pub service_address: String,
    /// The web inbox.
    pub inbox_url: String,
    /// Folder of its notification e-mails when no SMTP server is configured.
    pub mail_dir: PathBuf,
    /// Its configuration file (`kuvert operator serve --config FILE`).
    #[serde(default)]
    pub config: PathBuf,
    /// Its admin listener, as [`Manifest::registry_admin_url`].
    #[serde(default)]
    pub admin_url: Option<String>,
}

/// A demo person.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestPerson {
    /// Key in [`crate::seed`].
    pub key: String,
    /// Full name.
    pub name: String,
    /// Personnummer, 12 digits (made up, Luhn-valid).
    pub personal_identity_number: String,
    /// Key of the operator holding the mailbox, if any.
    pub operator: Option<String>,
    /// Keys of the senders deselected.
    pub deselected_senders: Vec<String>,
    /// The confirmed notification e-mail address the demo gave them, if any.
    #[serde(default)]
    pub notification_email: Option<String>,
}

/// A person who logs in at the portal's communicators' pages with the test e-ID.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestCommunicator {
    /// Key of the person in [`crate::seed`].
    pub person: String,
    /// Full name, as the test e-ID lists them.
    pub name: String,
    /// Personnummer, 12 digits.
    pub personal_identity_number: String,
    /// Organisation numbers of the senders whose campaigns they work with.
    pub senders: Vec<String>,
    /// May also work for every sender and enter the annual targets.
    pub is_admin: bool,
    /// Where they log in: the portal's `/kommunikator`.
    pub url: String,
}

impl Manifest {
    pub(super) fn new(options: &DemoOptions, plan: &Plan, client: &ClientFiles) -> Self {
        let organisation = |seed: SeedOrganisation| ManifestOrganisation {
            key: seed.key.to_owned(),
            name: seed.name.to_owned(),
            number: seed.number.to_owned(),
            certificate: roles::certificate_path(&plan.pki_dir, seed.key),
            key_file: roles::key_path(&plan.pki_dir, seed.key),
        };
        let operators = plan
            .operators
            .iter()
            .map(|operator| ManifestOperator {
                organisation: organisation(operator.seed),
                domain: operator.seed.service_domain(),
                service_address: operator.service_address.to_string(),
                inbox_url: operator.web_url.to_string(),
                mail_dir: plan.mail_dir.join(operator.seed.key),
                config: options
                    .data_dir
                    .join(files::operator_config_file(operator.seed.key)),
                admin_url: Some(admin_url(operator.admin)),
            })
            .collect();
        let persons = seed::PERSONS
            .iter()
            .map(|person| ManifestPerson {
                key: person.key.to_owned(),
                name: person.name(),
                personal_identity_number: person.number.to_owned(),
                operator: person.operator.map(str::to_owned),
                deselected_senders: person
                    .deselected_senders
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect(),
                notification_email: (person.key == seed::NOTIFIED.person)
                    .then(|| seed::NOTIFIED.email.to_owned()),
            })
            .collect();
        Self {
            communicators: vec![communicator(plan)],
            portal_config: options.data_dir.join(files::PORTAL_CONFIG_FILE),
            registry_config: options.data_dir.join(files::REGISTRY_CONFIG_FILE),
            sender_config: options.data_dir.join(files::SENDER_CONFIG_FILE),
            data_dir: options.data_dir.clone(),
            mail_dir: plan.mail_dir.clone(),
            registry_url: plan.registry_url.to_string(),
            eid_issuer: plan.eid_issuer.to_string(),
            portal_url: plan.portal_url.to_string(),
            operators,
            senders: seed::SENDERS.into_iter().map(organisation).collect(),
            intermediary: organisation(seed::INTERMEDIARY),
            registry: organisation(seed::REGISTRY),
            persons,
            registry_admin_url: Some(admin_url(plan.registry_admin)),
            portal_admin_url: Some(admin_url(plan.portal_admin)),
            sender_service: Some(sender_service(plan, client)),
            intermediary_service: Some(ManifestIntermediaryService {
                message_url: plan.sender_side.intermediary_url.to_string(),
                admin_url: admin_url(plan.sender_side.intermediary_admin),
                config: options.data_dir.join(sender_side::INTERMEDIARY_CONFIG_FILE),
            }),
            organisation_ca: roles::ca_path(&plan.pki_dir, kuvert_pki::files::ORGANISATION_CA_STEM),
            eid_ca: roles::ca_path(&plan.pki_dir, kuvert_pki::files::EID_CA_STEM),
        }
    }

    /// Writes the manifest as pretty JSON.
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn write(&self, path: &Path) -> anyhow::Result<()> {
        let text = serde_json::to_string_pretty(self).context("serialising demo.json")?;
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
    }

    /// Reads `DIR/demo.json`.
    ///
    /// # Errors
    /// When the file is missing or not a manifest.
    pub fn read(data_dir: &Path) -> anyhow::Result<Self> {
        let path = data_dir.join(FILE_NAME);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {} (is `kuvert demo` running?)", path.display()))?;
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
    }

    /// The URLs people open, as `(what, URL)` lines for the console.
    #[must_use]
    pub fn urls(&self) -> Vec<(String, String)> {
        let mut lines = vec![("Portalen".to_owned(), self.portal_url.clone())];
        for communicator in &self.communicators {
            let role = if communicator.is_admin { ", admin" } else { "" };
            lines.push((
                format!("Kommunikatör ({}{role})", communicator.name),
                communicator.url.clone(),
            ));
        }
        for operator in &self.operators {
            lines.push((
                format!("{} (brevlåda)", operator.organisation.name),
                operator.inbox_url.clone(),
            ));
        }
        lines.push(("Test-e-legitimation".to_owned(), self.eid_issuer.clone()));
        let registry = self.registry_url.trim_end_matches('/');
        lines.push((
            "Registry SOAP (mTLS)".to_owned(),
            format!("{registry}/ec/Recipient/v3"),
        ));
        lines.push((
            "Registry Authority (mTLS)".to_owned(),
            format!("{registry}/ec/Authority"),
        ));
        lines.push((
            "Registry REST (mTLS)".to_owned(),
            format!("{registry}/api/v1/"),
        ));
        lines.push(("OpenAPI".to_owned(), format!("{registry}/openapi.json")));
        for operator in &self.operators {
            let name = &operator.organisation.name;
            lines.push((
                format!("{name} deliverSecure (mTLS)"),
                operator.service_address.clone(),
            ));
        }
        lines.extend(self.sender_side_urls());
        let admin = std::iter::once(("registry", &self.registry_admin_url))
            .chain(std::iter::once(("portal", &self.portal_admin_url)))
            .chain(
                self.operators
                    .iter()
                    .map(|operator| (operator.organisation.name.as_str(), &operator.admin_url)),
            );
        let sender_side_admin = [
            (
                "intermediary",
                self.intermediary_service.as_ref().map(|s| &s.admin_url),
            ),
            (
                "sender service",
                self.sender_service.as_ref().map(|s| &s.admin_url),
            ),
        ];
        let admin = admin
            .map(|(role, url)| (role, url.as_ref()))
            .chain(sender_side_admin);
        for (role, url) in admin {
            if let Some(url) = url {
                lines.push((format!("Admin {role} (metrics)"), format!("{url}metrics")));
            }
        }
        lines
    }

    /// The intermediary's and the sender service's addresses, Swedish first.
    fn sender_side_urls(&self) -> Vec<(String, String)> {
        let mut lines = Vec::new();
        if let Some(intermediary) = &self.intermediary_service {
            lines.push((
                "Förmedlare/intermediary (mTLS)".to_owned(),
                intermediary.message_url.clone(),
            ));
        }
        if let Some(service) = &self.sender_service {
            lines.push((
                "Avsändartjänst/sender API (mTLS)".to_owned(),
                service.api_url.clone(),
            ));
            lines.push((
                "Avsändartjänst/sender OAuth 2".to_owned(),
                service.token_url.clone(),
            ));
        }
        lines
    }

    /// A `curl` command, ready to paste, that posts a letter from Exempelkommun to Tolvan to
    /// the sender service with the demo sender system's client certificate (`None` where the
    /// sender service does not run). `Idempotency-Key` is the time in seconds, so each paste
    /// is a new letter.
    #[must_use]
    pub fn send_letter_example(&self) -> Option<String> {
        let service = self.sender_service.as_ref()?;
        let tolvan = seed::person(seed::NOTIFIED.person)?;
        let content = format!(
            "Hej {}! Det här brevet kom via avsändartjänsten.",
            tolvan.given_name
        );
        let letter = serde_json::json!({
            "sender": seed::SENDER_SYSTEM.senders[0].number,
            "recipient": tolvan.number,
            "subject": "Hej från avsändartjänsten",
            "body": {
                "content_type": "text/plain",
                "content": content,
            },
        });
        Some(format!(
            "curl --cacert {ca} --cert {certificate} --key {key} \\\n    \
             -H 'Content-Type: application/json' -H \"Idempotency-Key: $(date +%s)\" \\\n    \
             -d {letter} \\\n    {url}letters",
            ca = shell_quoted(&self.organisation_ca.display().to_string()),
            certificate = shell_quoted(&service.client.certificate.display().to_string()),
            key = shell_quoted(&service.client.key_file.display().to_string()),
            letter = shell_quoted(&letter.to_string()),
            url = service.api_url,
        ))
    }

    /// Forgets the admin addresses, for a federation whose nodes each have their own.
    pub fn clear_admin_urls(&mut self) {
        self.registry_admin_url = None;
        self.portal_admin_url = None;
        for operator in &mut self.operators {
            operator.admin_url = None;
        }
    }

    /// The credential files of every organisation, by key.
    #[must_use]
    pub fn credentials(&self) -> BTreeMap<String, ManifestOrganisation> {
        self.operators
            .iter()
            .map(|operator| operator.organisation.clone())
            .chain(self.senders.iter().cloned())
            .chain([self.intermediary.clone(), self.registry.clone()])
            .map(|organisation| (organisation.key.clone(), organisation))
            .collect()
    }
}

/// The sender service's addresses and its demo client.
fn sender_service(plan: &Plan, client: &ClientFiles) -> ManifestSenderService {
    let sender_side = &plan.sender_side;
    let below = |base: &url::Url, path: &str| {
        base.join(path)
            .map_or_else(|_| base.to_string(), |url| url.to_string())
    };
    let system = seed::SENDER_SYSTEM;
    ManifestSenderService {
        api_url: below(&sender_side.service_url, "api/v1/"),
        oauth_api_url: below(&sender_side.service_oauth_url, "api/v1/"),
        token_url: below(&sender_side.service_oauth_url, "oauth/token"),
        admin_url: admin_url(sender_side.service_admin),
        client: ManifestSenderClient {
            id: system.key.to_owned(),
            certificate: client.certificate.clone(),
            key_file: client.key.clone(),
            secret_file: client.secret.clone(),
            senders: system
                .senders
                .map(|sender| sender.number.to_owned())
                .to_vec(),
        },
    }
}

/// `text` as one word for `sh`: in single quotes, each `'` written `'\''`.
fn shell_quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// The base URL of an admin listener: `/healthz`, `/readyz` and `/metrics` below it.
fn admin_url(address: std::net::SocketAddr) -> String {
    format!("http://{address}/")
}

/// The demo's communicator ([`super::COMMUNICATOR`]) as other programs see it.
fn communicator(plan: &Plan) -> ManifestCommunicator {
    let seeded = super::COMMUNICATOR;
    let person = seeded.seed_person();
    let url = plan
        .portal_url
        .join("kommunikator")
        .map_or_else(|_| plan.portal_url.to_string(), |url| url.to_string());
    ManifestCommunicator {
        person: person.key.to_owned(),
        name: person.name(),
        personal_identity_number: person.number.to_owned(),
        senders: seeded
            .sender_numbers()
            .iter()
            .map(ToString::to_string)
            .collect(),
        is_admin: seeded.is_admin,
        url,
    }
}
