//! Issue 16: `/metrics`, `/healthz` and `/readyz` live on each role's admin listener only,
//! never on the public web and SOAP listeners, and `/readyz` really asks the role's
//! dependencies: an operator whose letter folder or database is gone answers 503 there while
//! `/healthz` still says it runs.

use std::time::Duration;

use kuvert::seed;
use kuvert::testkit::{Federation, FederationOptions};
use secrecy::SecretString;
use sqlx::{Connection as _, Executor as _};

const PROBES: [&str; 3] = ["/metrics", "/healthz", "/readyz"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probes_and_metrics_answer_on_the_admin_listeners_only() {
    let federation = Federation::start(FederationOptions::default()).await;
    let manifest = federation.manifest();
    let plain = client(&federation, false);
    let mutual = client(&federation, true);
    let mut public = vec![
        (&plain, manifest.portal_url.clone()),
        (&mutual, manifest.registry_url.clone()),
    ];
    for operator in &manifest.operators {
        public.push((&plain, operator.inbox_url.clone()));
        let service = operator.service_address.replace("/service/v3", "/");
        public.push((&mutual, service));
    }
    for (client, base) in public {
        for probe in PROBES {
            let url = format!("{}{probe}", base.trim_end_matches('/'));
            let status = client.get(&url).send().await.unwrap().status();
            assert_eq!(status.as_u16(), 404, "{url} is not on a public listener");
        }
    }
    let admin = admin_urls(&federation);
    assert_eq!(admin.len(), 2 + seed::OPERATORS.len(), "every role has one");
    for base in admin {
        for probe in PROBES {
            let (status, text) = get(&plain, &format!("{base}{}", &probe[1..])).await;
            assert_eq!(status, 200, "{base}{probe}: {text}");
        }
        let (_, metrics) = get(&plain, &format!("{base}metrics")).await;
        assert!(metrics.contains("# TYPE kuvert_"), "{base}: {metrics}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_answers_503_while_the_letters_or_the_database_are_gone() {
    let federation = Federation::start(FederationOptions {
        local_letters: true,
        ..FederationOptions::default()
    })
    .await;
    let plain = client(&federation, false);
    let operator = &federation.manifest().operators[0];
    let admin = operator.admin_url.clone().unwrap();
    let (readyz, healthz) = (format!("{admin}readyz"), format!("{admin}healthz"));
    assert_eq!(get(&plain, &readyz).await.0, 200);

    let config: toml::Table =
        toml::from_str(&std::fs::read_to_string(&operator.config).unwrap()).unwrap();
    let letters = std::path::PathBuf::from(config["blob_dir"].as_str().unwrap());
    let moved = letters.with_extension("away");
    std::fs::rename(&letters, &moved).unwrap();
    let (status, text) = get(&plain, &readyz).await;
    assert_eq!(status, 503, "{text}");
    assert!(text.contains("blob store"), "{text}");
    assert_eq!(get(&plain, &healthz).await.0, 200, "alive all the same");
    std::fs::rename(&moved, &letters).unwrap();
    assert_eq!(get(&plain, &readyz).await.0, 200, "ready again");

    // A database that can go away needs a server: the SQLite file stays open however it is
    // removed (the store's own test closes a SQLite pool instead).
    let Some(admin_url) = kuvert_testenv::external("PG_URL", "readyz without its database") else {
        return;
    };
    let database_url = url::Url::parse(config["database_url"].as_str().unwrap()).unwrap();
    let name = database_url.path().trim_start_matches('/').to_owned();
    let mut server = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    let statement = format!("DROP DATABASE {name} WITH (FORCE)");
    server
        .execute(sqlx::AssertSqlSafe(statement))
        .await
        .unwrap();
    drop(server.close().await);
    let (status, text) = get(&plain, &readyz).await;
    assert_eq!(status, 503, "{text}");
    assert!(text.contains("database"), "{text}");
    assert_eq!(get(&plain, &healthz).await.0, 200, "alive all the same");
}

/// The admin base URLs (`http://127.0.0.1:PORT/`) of the registry, the portal and each
/// operator.
fn admin_urls(federation: &Federation) -> Vec<String> {
    let manifest = federation.manifest();
    let roles = [&manifest.registry_admin_url, &manifest.portal_admin_url];
    let operators = manifest
        .operators
        .iter()
        .map(|operator| &operator.admin_url);
    roles
        .into_iter()
        .chain(operators)
        .map(|url| url.clone().unwrap())
        .collect()
}

/// A client trusting the demo's CA; with the intermediary's certificate when `mutual`.
fn client(federation: &Federation, mutual: bool) -> reqwest::Client {
    let pki = &federation.demo().pki;
    let identity = mutual.then(|| {
        let credential = pki.organisation(seed::INTERMEDIARY.key).unwrap();
        (
            credential.certificate_pem().to_owned(),
            SecretString::from(credential.key_pem().clone()),
        )
    });
    kuvert_web::http_client(&kuvert_web::ClientConfig {
        ca_pem: pki.organisation_ca_pem().to_owned(),
        identity,
        connect_timeout: Duration::from_secs(5),
        request_timeout: Duration::from_secs(30),
    })
    .unwrap()
}

async fn get(client: &reqwest::Client, url: &str) -> (u16, String) {
    let response = client.get(url).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}
