//! The statistics and communicator tests' world: the portal served on 127.0.0.1 with its
//! store, a registry stand-in serving the statistics feed and the senders over mutual TLS
//! (the portal's real registry client talks to it), the test e-ID with two persons, and a
//! browser without JavaScript that keeps cookies and follows no redirects.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber};
use kuvert_eid::provider::{RegisteredClient, TestEidConfig, TestEidProvider, TestPerson};
use kuvert_pki::{OrganisationSpec, PkiSpec, TestPki};
use kuvert_testenv::html_form::{form_action, hidden_fields};
use kuvert_web::{Listener, ListenerTls, Shutdown};
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

/// The sender the communicator works for.
pub(crate) const SENDER: &str = "2120000829";
/// A sender nobody here communicates for.
pub(crate) const OTHER_SENDER: &str = "2120001355";
pub(crate) const OPERATOR: &str = "5566778899";
/// Test persons: the communicator, and someone without the role.
pub(crate) const COMMUNICATOR: &str = "191212121212";
pub(crate) const STRANGER: &str = "199008252398";
const CLIENT_ID: &str = "portal";
const CLIENT_SECRET: &str = "portal test secret";

pub(crate) fn org(number: &str) -> OrganisationNumber {
    OrganisationNumber::parse(number).unwrap()
}

pub(crate) fn person(number: &str) -> PersonalIdentityNumber {
    PersonalIdentityNumber::parse(number).unwrap()
}

fn pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| {
        let organisation = |key: &str, name: &str, number: &str| OrganisationSpec {
            key: key.to_owned(),
            name: name.to_owned(),
            number: org(number),
            host_names: vec!["localhost".to_owned()],
        };
        TestPki::generate(&PkiSpec {
            organisations: vec![
                organisation(
                    "registry",
                    "Förmedlingsadressregistret (test)",
                    "2021005489",
                ),
                organisation("portal", "Portalen (test)", "2021004516"),
            ],
            persons: Vec::new(),
        })
        .unwrap()
    })
}

/// The feed the registry stand-in answers, and the ranges it was asked for.
#[derive(Default)]
struct Feed {
    json: serde_json::Value,
    asked: Vec<(String, String)>,
}

/// A running portal with its registry stand-in and test e-ID.
pub(crate) struct World {
    pub(crate) base: Url,
    pub(crate) store: Arc<dyn kuvert_store::portal::PortalStore>,
    feed: Arc<Mutex<Feed>>,
    shutdown: Shutdown,
    _dir: tempfile::TempDir,
}

impl Drop for World {
    fn drop(&mut self) {
        self.shutdown.trigger();
    }
}

impl World {
    /// Starts everything; the registry answers `feed` to every statistics request.
    pub(crate) async fn start(feed: serde_json::Value) -> Self {
        Self::start_with(feed, |_| {}).await
    }

    /// Like [`Self::start`], with the portal's configuration changed by `change`.
    pub(crate) async fn start_with(
        feed: serde_json::Value,
        change: impl FnOnce(&mut kuvert_portal::Config),
    ) -> Self {
        let feed = Arc::new(Mutex::new(Feed {
            json: feed,
            asked: Vec::new(),
        }));
        let statistics = Router::new()
            .route("/api/v1/statistics", get(statistics))
            .with_state(Arc::clone(&feed));
        let mut world = Self::start_with_statistics(statistics, change).await;
        world.feed = feed;
        world
    }

    /// Like [`Self::start_with`], the registry answering statistics with `statistics` (a
    /// router serving `/api/v1/statistics`).
    pub(crate) async fn start_with_statistics(
        statistics: Router,
        change: impl FnOnce(&mut kuvert_portal::Config),
    ) -> Self {
        let feed = Arc::new(Mutex::new(Feed::default()));
        let shutdown = Shutdown::new();
        let registry_url = start_registry(statistics, shutdown.clone()).await;
        let localhost: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let listener = Listener::bind(localhost, ListenerTls::Plain).await.unwrap();
        let base = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
        let issuer = start_eid(&base).await;
        let dir = tempfile::tempdir().unwrap();
        let mut config = crate::support::config(dir.path());
        config.public_url = base.clone();
        config.registry_url = Url::parse(&registry_url).unwrap();
        config.tls = write_identity(dir.path());
        config.communicators = Some(kuvert_portal::CommunicatorConfig {
            oidc_issuer: issuer,
            oidc_client_id: CLIENT_ID.to_owned(),
            oidc_client_secret: SecretString::from(CLIENT_SECRET),
            eid_ca_path: None,
            session_idle_minutes: 30,
        });
        change(&mut config);
        let service = kuvert_portal::build(config).await.unwrap();
        let store = service.store();
        tokio::spawn(service.serve(listener, shutdown.clone()));
        Self {
            base,
            store,
            feed,
            shutdown,
            _dir: dir,
        }
    }

    /// The `(from, to)` of every statistics request so far.
    pub(crate) fn asked(&self) -> Vec<(String, String)> {
        self.feed.lock().unwrap().asked.clone()
    }

    pub(crate) fn url(&self, path: &str) -> String {
        self.base
            .join(path.trim_start_matches('/'))
            .unwrap()
            .to_string()
    }
}

async fn start_registry(statistics: Router, shutdown: Shutdown) -> String {
    let credential = pki().organisation("registry").unwrap();
    let tls = ListenerTls::MutualTls {
        cert_chain_pem: credential.certificate_pem().to_owned(),
        key_pem: credential.key_pem().clone(),
        client_ca_pem: pki().organisation_ca_pem().to_owned(),
    };
    let listener = Listener::bind("127.0.0.1:0".parse().unwrap(), tls)
        .await
        .unwrap();
    let url = format!(
        "https://localhost:{}",
        listener.local_addr().unwrap().port()
    );
    let router = statistics.route("/api/v1/senders", get(senders));
    tokio::spawn(kuvert_web::serve(listener, router, shutdown));
    url
}

async fn statistics(
    State(feed): State<Arc<Mutex<Feed>>>,
    Query(range): Query<HashMap<String, String>>,
) -> axum::Json<serde_json::Value> {
    let mut feed = feed.lock().unwrap();
    feed.asked
        .push((range["from"].clone(), range["to"].clone()));
    axum::Json(feed.json.clone())
}

async fn senders() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!([
        {"id": SENDER, "name": "Exempelkommun"},
        {"id": OTHER_SENDER, "name": "Andra kommunen"},
    ]))
}

fn write_identity(dir: &std::path::Path) -> kuvert_portal::TlsConfig {
    let credential = pki().organisation("portal").unwrap();
    let certificate_path = dir.join("portal.pem");
    let key_path = dir.join("portal.key");
    let organisation_ca_path = dir.join("organisation-ca.pem");
    std::fs::write(&certificate_path, credential.certificate_pem()).unwrap();
    std::fs::write(&key_path, credential.key_pem().expose_secret()).unwrap();
    std::fs::write(&organisation_ca_path, pki().organisation_ca_pem()).unwrap();
    kuvert_portal::TlsConfig {
        certificate_path,
        key_path,
        organisation_ca_path,
    }
}

/// The test e-ID on its own port, with the portal's callback registered.
async fn start_eid(portal: &Url) -> Url {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
    let persons = [
        (COMMUNICATOR, "Karin", "Kommunikatör"),
        (STRANGER, "Nils", "Ny"),
    ]
    .iter()
    .map(|(number, given_name, surname)| TestPerson {
        personal_identity_number: person(number),
        given_name: (*given_name).to_owned(),
        surname: (*surname).to_owned(),
        signing: None,
    })
    .collect();
    let config = TestEidConfig {
        issuer: issuer.clone(),
        clients: vec![RegisteredClient {
            client_id: CLIENT_ID.to_owned(),
            client_secret: SecretString::from(CLIENT_SECRET),
            redirect_uris: vec![portal.join("kommunikator/inloggad").unwrap()],
        }],
        persons,
        claims_only_at_userinfo: false,
    };
    let id_token_key = pki().organisation("registry").unwrap().key_pem().clone();
    let provider = TestEidProvider::new(config, &id_token_key).unwrap();
    tokio::spawn(async move { axum::serve(listener, provider.router()).await });
    issuer
}

/// A browser without JavaScript: keeps cookies, never follows redirects by itself.
pub(crate) struct Browser {
    client: reqwest::Client,
    pub(crate) cookies: HashMap<String, String>,
    /// Every `Set-Cookie` header seen.
    pub(crate) set_cookies: Vec<String>,
}

impl Browser {
    pub(crate) fn new() -> Self {
        let client = kuvert_web::http_client(&kuvert_web::ClientConfig {
            ca_pem: pki().organisation_ca_pem().to_owned(),
            identity: None,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
        })
        .unwrap();
        Self {
            client,
            cookies: HashMap::new(),
            set_cookies: Vec::new(),
        }
    }

    pub(crate) async fn get(&mut self, url: &str) -> reqwest::Response {
        let request = self.client.get(url);
        self.send(request).await
    }

    pub(crate) async fn post(&mut self, url: &str, form: &[(String, String)]) -> reqwest::Response {
        let request = self.client.post(url).form(form);
        self.send(request).await
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> reqwest::Response {
        let cookie = self
            .cookies
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ");
        let request = if cookie.is_empty() {
            request
        } else {
            request.header("cookie", cookie)
        };
        let response = request.send().await.unwrap();
        for value in response.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap();
            self.set_cookies.push(text.to_owned());
            let (pair, attributes) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        response
    }

    /// Logs in at the portal as test person `person_idx` (0 = communicator); returns the
    /// callback's response.
    pub(crate) async fn log_in(&mut self, world: &World, person_idx: usize) -> reqwest::Response {
        let start = self.get(&world.url("/kommunikator/logga-in")).await;
        assert_eq!(start.status(), StatusCode::SEE_OTHER);
        let page = self.get(&location(&start)).await.text().await.unwrap();
        let mut fields = hidden_fields(&page);
        fields.push(("person".to_owned(), person_idx.to_string()));
        fields.push(("action".to_owned(), "login".to_owned()));
        let choice = self.post(&form_action(&page), &fields).await;
        assert_eq!(choice.status(), StatusCode::SEE_OTHER);
        let callback = location(&choice);
        assert!(
            callback.starts_with(&world.url("/kommunikator/inloggad")),
            "{callback}"
        );
        self.get(&callback).await
    }
}

pub(crate) fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// The hidden fields of the first form on `html`.
pub(crate) fn csrf_field(html: &str) -> (String, String) {
    hidden_fields(html)
        .into_iter()
        .find(|(name, _)| name == "csrf_token")
        .unwrap()
}

/// The first statistics range the registry was asked for.
pub(crate) fn asked_from(world: &World) -> (String, String) {
    world.asked().first().cloned().unwrap()
}
