//! Binding, configuring and spawning each role of the demo federation.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use anyhow::Context;
use kuvert_eid::provider::{PersonCredential, RegisteredClient, TestEidConfig, TestPerson};
use kuvert_pki::TestPki;
use kuvert_web::{Listener, ListenerTls, Shutdown};
use secrecy::SecretString;
use tokio::task::JoinSet;
use url::Url;

use super::sender_side::{self, SenderSideListeners, SenderSidePlan};
use super::{Databases, DemoOptions, files};
use crate::seed::{self, SeedOrganisation};

/// Which ports the demo listens on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ports {
    /// Consecutive ports from this one: registry, test e-ID, portal, each operator's service
    /// and web port, the admin listeners of the registry, the portal and each operator, then
    /// the sender side ([`super::sender_side`]). A taken port falls back to one the system
    /// chooses.
    From(u16),
    /// Every port chosen by the system (tests).
    Any,
}

pub(super) type Tasks = JoinSet<(&'static str, std::io::Result<()>)>;

/// Every listener, bound before anything is built.
pub(super) struct BoundListeners {
    pub(super) registry: Listener,
    pub(super) eid: Listener,
    pub(super) portal: Listener,
    pub(super) operators: Vec<(Listener, Listener)>,
    /// The admin listeners (`/healthz`, `/readyz`, `/metrics`) of the registry, the portal
    /// and each operator, on the ports after the public ones.
    pub(super) admin: AdminListeners,
    /// The intermediary's and the sender service's, on the ports after the admin ones.
    pub(super) sender_side: SenderSideListeners,
}

/// The admin listener of each role.
pub(super) struct AdminListeners {
    pub(super) registry: Listener,
    pub(super) portal: Listener,
    pub(super) operators: Vec<Listener>,
}

/// What each role is told about the others: addresses, files and secrets.
#[derive(Debug)]
pub(super) struct Plan {
    pub(super) pki_dir: PathBuf,
    pub(super) mail_dir: PathBuf,
    pub(super) registry_url: Url,
    pub(super) eid_issuer: Url,
    pub(super) portal_url: Url,
    /// The portal's OIDC client secret at the test e-ID, for the communicators' login
    /// (fresh per start).
    pub(super) portal_client_secret: String,
    pub(super) operators: Vec<OperatorPlan>,
    /// The registry's admin listener (`/healthz`, `/readyz`, `/metrics`).
    pub(super) registry_admin: SocketAddr,
    /// The portal's admin listener.
    pub(super) portal_admin: SocketAddr,
    /// The intermediary's and the sender service's addresses.
    pub(super) sender_side: SenderSidePlan,
}

/// One operator's place in the federation.
#[derive(Debug)]
pub(super) struct OperatorPlan {
    pub(super) seed: SeedOrganisation,
    /// `https://127.0.0.1:PORT/service/v3`.
    pub(super) service_address: Url,
    /// The web inbox, `http://127.0.0.1:PORT/`.
    pub(super) web_url: Url,
    /// The operator's OIDC client secret at the test e-ID (fresh per start).
    pub(super) client_secret: String,
    /// Its admin listener (`/healthz`, `/readyz`, `/metrics`).
    pub(super) admin: SocketAddr,
}

/// Binds the listeners: mutual TLS for the registry and the operators' services (the
/// organisation CA identifies callers), plain HTTP for the browser-facing ones and the
/// admin listeners, all on 127.0.0.1.
pub(super) async fn bind_all(
    options: &DemoOptions,
    pki: &TestPki,
) -> anyhow::Result<BoundListeners> {
    let mut next = port_sequence(options.ports);
    let registry = bind(next(), || mutual_tls(pki, seed::REGISTRY.key)).await?;
    let eid = bind(next(), || Ok(ListenerTls::Plain)).await?;
    let portal = bind(next(), || Ok(ListenerTls::Plain)).await?;
    let mut operators = Vec::new();
    for operator in seed::OPERATORS {
        let service = bind(next(), || mutual_tls(pki, operator.key)).await?;
        let web = bind(next(), || Ok(ListenerTls::Plain)).await?;
        operators.push((service, web));
    }
    let plain = || Ok(ListenerTls::Plain);
    let admin = AdminListeners {
        registry: bind(next(), plain).await?,
        portal: bind(next(), plain).await?,
        operators: {
            let mut admin = Vec::new();
            for _ in seed::OPERATORS {
                admin.push(bind(next(), plain).await?);
            }
            admin
        },
    };
    let sender_side = sender_side::bind_all(&mut next, pki).await?;
    Ok(BoundListeners {
        registry,
        eid,
        portal,
        operators,
        admin,
        sender_side,
    })
}

fn port_sequence(ports: Ports) -> impl FnMut() -> u16 {
    let mut offset = 0_u16;
    move || {
        let port = match ports {
            Ports::From(first) => first.saturating_add(offset),
            Ports::Any => 0,
        };
        offset = offset.saturating_add(1);
        port
    }
}

/// Binds 127.0.0.1:`port`, or a free port when that one is taken.
pub(super) async fn bind(
    port: u16,
    tls: impl Fn() -> anyhow::Result<ListenerTls>,
) -> anyhow::Result<Listener> {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    match Listener::bind(address, tls()?).await {
        Ok(listener) => Ok(listener),
        Err(error) if port != 0 => {
            tracing::warn!(%error, port, "port taken; using a free one");
            let any = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
            Listener::bind(any, tls()?)
                .await
                .context("binding a free port")
        }
        Err(error) => Err(error).context("binding a free port"),
    }
}

pub(super) fn mutual_tls(pki: &TestPki, key: &str) -> anyhow::Result<ListenerTls> {
    let credential = pki
        .organisation(key)
        .with_context(|| format!("no certificate for {key}"))?;
    Ok(ListenerTls::MutualTls {
        cert_chain_pem: credential.certificate_pem().to_owned(),
        key_pem: credential.key_pem().clone(),
        client_ca_pem: pki.organisation_ca_pem().to_owned(),
    })
}

/// The addresses each role is given, from the bound listeners.
pub(super) fn plan(options: &DemoOptions, listeners: &BoundListeners) -> anyhow::Result<Plan> {
    let url = |scheme: &str, listener: &Listener, path: &str| -> anyhow::Result<Url> {
        let address = listener.local_addr()?;
        Url::parse(&format!("{scheme}://{address}{path}")).context("demo URL")
    };
    let mut operators = Vec::new();
    let admin = listeners.admin.operators.iter();
    for ((seed, (service, web)), admin) in seed::OPERATORS
        .into_iter()
        .zip(&listeners.operators)
        .zip(admin)
    {
        operators.push(OperatorPlan {
            seed,
            service_address: url("https", service, "/service/v3")?,
            web_url: url("http", web, "/")?,
            client_secret: uuid::Uuid::new_v4().simple().to_string(),
            admin: admin.local_addr()?,
        });
    }
    Ok(Plan {
        pki_dir: options.data_dir.join("pki"),
        mail_dir: options.data_dir.join("mail"),
        registry_url: url("https", &listeners.registry, "/")?,
        eid_issuer: url("http", &listeners.eid, "/")?,
        portal_url: url("http", &listeners.portal, "/")?,
        portal_client_secret: uuid::Uuid::new_v4().simple().to_string(),
        operators,
        registry_admin: listeners.admin.registry.local_addr()?,
        portal_admin: listeners.admin.portal.local_addr()?,
        sender_side: sender_side::plan(&listeners.sender_side)?,
    })
}

/// The file of a PKI credential (`kuvert_pki::files` names).
pub(super) fn certificate_path(pki_dir: &Path, key: &str) -> PathBuf {
    pki_dir.join(format!("{key}{}", kuvert_pki::files::CERTIFICATE_SUFFIX))
}

/// The private key file of a PKI credential.
pub(super) fn key_path(pki_dir: &Path, key: &str) -> PathBuf {
    pki_dir.join(format!("{key}{}", kuvert_pki::files::KEY_SUFFIX))
}

/// The `crl` table of the registry and the operators: the organisation CA's CRL that the
/// demo writes at start and `kuvert pki revoke` extends, reloaded every few seconds.
pub(super) fn crl_config(pki_dir: &Path) -> serde_json::Value {
    serde_json::json!({
        "files": [pki_dir.join(kuvert_pki::ORGANISATION_CRL_FILE)],
        "refresh_secs": crate::pki_command::DEMO_CRL_REFRESH_SECS,
        "stale_crl": "refuse",
    })
}

/// A CA certificate file.
pub(super) fn ca_path(pki_dir: &Path, stem: &str) -> PathBuf {
    pki_dir.join(format!(
        "{stem}{}",
        kuvert_pki::files::CA_CERTIFICATE_SUFFIX
    ))
}

pub(super) fn database_url(
    options: &DemoOptions,
    index: usize,
    name: &str,
) -> anyhow::Result<String> {
    match &options.databases {
        Databases::Sqlite => Ok(format!(
            "sqlite://{}?mode=rwc",
            options.data_dir.join(format!("{name}.db")).display()
        )),
        Databases::Postgres(urls) => urls
            .get(index)
            .cloned()
            .with_context(|| format!("no PostgreSQL URL for {name}")),
    }
}

pub(super) async fn start_registry(
    options: &DemoOptions,
    plan: &Plan,
    listeners: kuvert_registry::Listeners,
    shutdown: &Shutdown,
    tasks: &mut Tasks,
) -> anyhow::Result<kuvert_registry::Service> {
    let config = files::registry_config(options, plan)?.write_and_parse("the registry")?;
    let service = kuvert_registry::build(config)
        .await
        .context("starting the registry")?;
    let (serving, stop) = (service.clone(), shutdown.clone());
    tasks.spawn(async move { ("registry", serving.serve(listeners, stop).await) });
    Ok(service)
}

pub(super) fn start_eid(
    plan: &Plan,
    pki: &TestPki,
    listener: Listener,
    shutdown: &Shutdown,
    tasks: &mut Tasks,
) -> anyhow::Result<()> {
    let provider = eid_provider(plan, pki)?;
    let stop = shutdown.clone();
    tasks.spawn(async move {
        (
            "test e-ID",
            kuvert_web::serve(listener, provider.router(), stop).await,
        )
    });
    Ok(())
}

/// The test e-ID of this plan: the operators' and the portal's clients with their secrets,
/// and the demo people. `kuvert cluster` serves it again after the demo's own servers stop.
pub(super) fn eid_provider(
    plan: &Plan,
    pki: &TestPki,
) -> anyhow::Result<kuvert_eid::TestEidProvider> {
    let mut clients = plan
        .operators
        .iter()
        .map(|operator| {
            Ok(RegisteredClient {
                client_id: operator.seed.key.to_owned(),
                client_secret: SecretString::from(operator.client_secret.clone()),
                redirect_uris: OPERATOR_REDIRECT_PATHS
                    .iter()
                    .map(|path| operator.web_url.join(path))
                    .collect::<Result<_, _>>()?,
            })
        })
        .collect::<Result<Vec<_>, url::ParseError>>()?;
    // The portal's communicators log in with the same test e-ID as the people.
    clients.push(RegisteredClient {
        client_id: PORTAL_CLIENT_ID.to_owned(),
        client_secret: SecretString::from(plan.portal_client_secret.clone()),
        redirect_uris: vec![plan.portal_url.join(PORTAL_REDIRECT_PATH)?],
    });
    let mut persons = Vec::new();
    for person in seed::PERSONS {
        let credential = pki
            .person(person.key)
            .with_context(|| format!("no e-ID for {}", person.key))?;
        let signing =
            PersonCredential::from_pem(credential.key_pem(), credential.certificate_pem())
                .with_context(|| format!("e-ID credential of {}", person.key))?;
        persons.push(TestPerson {
            personal_identity_number: person.personal_identity_number(),
            given_name: person.given_name.to_owned(),
            surname: person.surname.to_owned(),
            signing: Some(signing),
        });
    }
    let config = TestEidConfig {
        issuer: plan.eid_issuer.clone(),
        clients,
        persons,
        claims_only_at_userinfo: false,
    };
    // The e-ID CA's key signs the id_tokens: it is the test e-ID's own authority, and the
    // relying parties fetch the public key from /jwks anyway.
    kuvert_eid::TestEidProvider::new(config, pki.eid_ca().key_pem())
        .context("starting the test e-ID")
}

/// Where the operators' web inbox receives the e-ID's answers: the login response and the
/// signed agreement of "skaffa digital brevlåda" (`kuvert_operator::config::WebConfig`).
const OPERATOR_REDIRECT_PATHS: [&str; 2] = ["inloggad", "skaffa/signerad"];

/// The portal's client id at the test e-ID (its communicators' login).
const PORTAL_CLIENT_ID: &str = seed::PORTAL.key;

/// Where the portal receives the e-ID's answer to a communicator's login
/// (`kuvert_portal::CommunicatorConfig`).
const PORTAL_REDIRECT_PATH: &str = "kommunikator/inloggad";

/// Where the portal sends a person who chose an operator: its sign-up.
const OPERATOR_SIGNUP_PATH: &str = "skaffa";

pub(super) async fn start_portal(
    options: &DemoOptions,
    plan: &Plan,
    listeners: kuvert_portal::Listeners,
    shutdown: &Shutdown,
    tasks: &mut Tasks,
) -> anyhow::Result<kuvert_portal::Service> {
    let config = files::Config {
        path: options.data_dir.join(files::PORTAL_CONFIG_FILE),
        value: portal_config(options, plan)?,
    }
    .write_and_parse("the portal")?;
    let service = kuvert_portal::build(config)
        .await
        .context("starting the portal")?;
    let (serving, stop) = (service.clone(), shutdown.clone());
    tasks.spawn(async move { ("portal", serving.serve(listeners, stop).await) });
    Ok(service)
}

/// The portal's configuration, written as the TOML file a deployment would have (through
/// serde, so the demo cannot drift from what `kuvert portal serve` accepts). The portal
/// talks to the registry with its own organisation certificate ([`seed::PORTAL`]); its
/// communicators log in with the test e-ID (also with an outside provider for the
/// operators: that one has no portal client).
fn portal_config(options: &DemoOptions, plan: &Plan) -> anyhow::Result<serde_json::Value> {
    let mut operators = Vec::new();
    for operator in &plan.operators {
        let name = operator.seed.name;
        operators.push(serde_json::json!({
            "slug": operator.seed.key,
            "name": name,
            "description_sv": format!(
                "{name} är en av demons brevlådeoperatörer. Du loggar in med test-e-legitimation."
            ),
            "description_en": format!(
                "{name} is one of the demo's mailbox operators. You log in with a test e-ID."
            ),
            "signup_url": operator.web_url.join(OPERATOR_SIGNUP_PATH)?.as_str(),
        }));
    }
    let pki = &plan.pki_dir;
    let key = seed::PORTAL.key;
    let mut value = serde_json::json!({
        "public_url": plan.portal_url.as_str(),
        "admin": plan.portal_admin.to_string(),
        "database_url": optional_database_url(options, seed::OPERATORS.len() + 1, "portal")?,
        "registry_url": plan.registry_url.as_str().trim_end_matches('/'),
        "tls": {
            "certificate_path": certificate_path(pki, key),
            "key_path": key_path(pki, key),
            "organisation_ca_path": ca_path(pki, kuvert_pki::files::ORGANISATION_CA_STEM),
        },
        "publisher_name": seed::PORTAL.name,
        "contact_email": format!("tillganglighet@{}", seed::PORTAL.domain),
        "operators": operators,
        "communicators": {
            "oidc_issuer": plan.eid_issuer.as_str(),
            "oidc_client_id": PORTAL_CLIENT_ID,
            "oidc_client_secret": plan.portal_client_secret,
            "cookie_key_file": files::web_key_file(&options.data_dir, "portal-cookie")?,
            "csrf_key_file": files::web_key_file(&options.data_dir, "portal-csrf")?,
        },
    });
    // The editor is told of submissions and campaigns by e-mail, like the operators'
    // notifications: through the SMTP relay when one is given, else as files.
    let mut editor_mail = serde_json::json!({
        "to": format!("redaktion@{}", seed::PORTAL.domain),
        "from": format!("kommunikatorer@{}", seed::PORTAL.domain),
    });
    match &options.smtp_address {
        Some(address) => editor_mail["smtp_address"] = address.clone().into(),
        None => {
            let folder = plan.mail_dir.join("portal");
            editor_mail["mail_dir"] = folder.display().to_string().into();
        }
    }
    value["communicators"]["editor_mail"] = editor_mail;
    if let Some(cache_secs) = options.portal_statistics_cache_secs {
        value["statistics"] = serde_json::json!({ "cache_secs": cache_secs });
    }
    Ok(value)
}

/// The database of a role that may keep a SQLite file beside PostgreSQL ones: the
/// PostgreSQL URL at `index` when one is given, else `DIR/NAME.db` (the portal's, the sender
/// service's and the intermediary's, after the registry's and the operators').
pub(super) fn optional_database_url(
    options: &DemoOptions,
    index: usize,
    name: &str,
) -> anyhow::Result<String> {
    match &options.databases {
        Databases::Postgres(urls) if urls.len() > index => database_url(options, index, name),
        Databases::Postgres(_) | Databases::Sqlite => Ok(format!(
            "sqlite://{}?mode=rwc",
            options.data_dir.join(format!("{name}.db")).display()
        )),
    }
}

pub(super) async fn start_operators(
    options: &DemoOptions,
    plan: &Plan,
    listeners: Vec<kuvert_operator::Listeners>,
    shutdown: &Shutdown,
    tasks: &mut Tasks,
) -> anyhow::Result<Vec<kuvert_operator::Service>> {
    let mut services = Vec::new();
    for (index, (operator, listeners)) in plan.operators.iter().zip(listeners).enumerate() {
        let client = oidc_client(options, plan, operator).await?;
        let config = operator_config(options, plan, operator, index + 1, client)?
            .write_and_parse(operator.seed.name)?;
        let built = kuvert_operator::build(config)
            .await
            .with_context(|| format!("starting the operator {}", operator.seed.name))?;
        let stop = shutdown.clone();
        services.push(built.clone());
        tasks.spawn(async move { ("operator", built.serve(listeners, stop).await) });
    }
    Ok(services)
}

/// The operator's OIDC client id and secret: at the test e-ID (registered there by
/// [`start_eid`]), or registered dynamically at `options.oidc_issuer` for the operator's
/// `inloggad` redirect URI.
async fn oidc_client(
    options: &DemoOptions,
    plan: &Plan,
    operator: &OperatorPlan,
) -> anyhow::Result<(String, String)> {
    let Some(issuer) = &options.oidc_issuer else {
        return Ok((operator.seed.key.to_owned(), operator.client_secret.clone()));
    };
    let redirect_uri = operator.web_url.join(OPERATOR_REDIRECT_PATHS[0])?;
    let ca_pem = std::fs::read_to_string(ca_path(
        &plan.pki_dir,
        kuvert_pki::files::ORGANISATION_CA_STEM,
    ))
    .context("reading the organisation CA")?;
    let http = kuvert_web::http_client(&kuvert_web::ClientConfig {
        ca_pem,
        identity: None,
        connect_timeout: std::time::Duration::from_secs(5),
        request_timeout: std::time::Duration::from_secs(30),
    })
    .context("the OIDC registration client")?;
    let client = kuvert_eid::OidcClient::register_dynamic(issuer.clone(), redirect_uri, http)
        .await
        .with_context(|| format!("registering {} at {issuer}", operator.seed.name))?;
    let secret = client
        .client_secret()
        .map(|secret| secrecy::ExposeSecret::expose_secret(secret).to_owned())
        .with_context(|| format!("{issuer} gave {} no client secret", operator.seed.name))?;
    Ok((client.client_id().to_owned(), secret))
}

/// The operator's configuration, written as the TOML file a deployment would have (through
/// serde, so the demo cannot drift from what `kuvert operator serve` accepts).
fn operator_config(
    options: &DemoOptions,
    plan: &Plan,
    operator: &OperatorPlan,
    index: usize,
    client: (String, String),
) -> anyhow::Result<files::Config> {
    let (client_id, client_secret) = client;
    let issuer = options.oidc_issuer.as_ref().unwrap_or(&plan.eid_issuer);
    let key = operator.seed.key;
    let pki = &plan.pki_dir;
    let mut notification = serde_json::json!({
        "email_from": format!("no-reply@{}", operator.seed.domain),
        "poll_interval_ms": options.notification_poll_ms,
        // The demo previews every notification at once, whatever the hour; a real operator
        // keeps the default (07:00-21:00 Swedish time, one summary an hour).
        "keeps_sending_hours": false,
    });
    match &options.smtp_address {
        Some(address) => notification["smtp_address"] = address.clone().into(),
        None => notification["mail_dir"] = plan.mail_dir.join(key).display().to_string().into(),
    }
    let value = serde_json::json!({
        "organisation_number": operator.seed.number,
        "name": operator.seed.name,
        "domain": operator.seed.domain,
        "tls": {
            "certificate_path": certificate_path(pki, key),
            "key_path": key_path(pki, key),
            "organisation_ca_path": ca_path(pki, kuvert_pki::files::ORGANISATION_CA_STEM),
            "crl": crl_config(pki),
        },
        "registry_url": plan.registry_url.as_str().trim_end_matches('/'),
        "admin": operator.admin.to_string(),
        "database_url": database_url(options, index, key)?,
        "notification": notification,
        "web": {
            "public_url": operator.web_url.as_str(),
            "oidc_issuer": issuer.as_str(),
            "oidc_client_id": client_id,
            "oidc_client_secret": client_secret,
            "signing_service_url": plan.eid_issuer.join("sign")?.as_str(),
            "cookie_key_file": files::web_key_file(&options.data_dir, &format!("{key}-cookie"))?,
            "csrf_key_file": files::web_key_file(&options.data_dir, &format!("{key}-csrf"))?,
        },
    });
    let mut value = value;
    match &options.blob_s3 {
        Some(s3) => value["blob_s3"] = s3_blob_config(s3, key),
        None => {
            let letters = options.data_dir.join(format!("{key}-letters"));
            value["blob_dir"] = letters.display().to_string().into();
        }
    }
    Ok(files::Config {
        path: options.data_dir.join(files::operator_config_file(key)),
        value,
    })
}

/// The operator's `blob_s3` table: the shared bucket, under its own key prefix.
fn s3_blob_config(s3: &kuvert_operator::config::S3BlobConfig, key: &str) -> serde_json::Value {
    let key_prefix = match &s3.key_prefix {
        Some(prefix) => format!("{prefix}/{key}"),
        None => key.to_owned(),
    };
    let mut table = serde_json::json!({
        "bucket": s3.bucket,
        "region": s3.region,
        "access_key_id": s3.access_key_id,
        "secret_access_key": secrecy::ExposeSecret::expose_secret(&s3.secret_access_key),
        "key_prefix": key_prefix,
        "allow_http": s3.allow_http,
        "connect_timeout_ms": s3.connect_timeout_ms,
        "request_timeout_ms": s3.request_timeout_ms,
    });
    // TOML has no null: unset keys stay out.
    if let Some(endpoint) = &s3.endpoint {
        table["endpoint"] = endpoint.clone().into();
    }
    if let Some(ca_path) = &s3.ca_path {
        table["ca_path"] = ca_path.display().to_string().into();
    }
    table
}
