//! The portal suite's one configuration builder and its requests through the router: a
//! portal built from files in a temporary folder, whose registry is a closed port (nothing
//! here needs the registry; what does is tested in the federation, `crates/kuvert/tests`).

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use kuvert_portal::Config;
use tower::ServiceExt;

/// A configuration whose files live in `dir`: a self-signed certificate as the portal's
/// identity and as its trusted CA, and a registry at a closed port (a registry that is down
/// is a real condition: the senders list and the statistics then say they cannot be shown).
pub(crate) fn config(dir: &std::path::Path) -> Config {
    let certified = rcgen::generate_simple_self_signed(vec!["portal.example".to_owned()]).unwrap();
    let certificate_path = dir.join("portal.crt.pem");
    let key_path = dir.join("portal.key.pem");
    std::fs::write(&certificate_path, certified.cert.pem()).unwrap();
    std::fs::write(&key_path, certified.signing_key.serialize_pem()).unwrap();
    let operator = |slug: &str, name: &str, url: &str| {
        serde_json::json!({
            "slug": slug,
            "name": name,
            "description_sv": format!("{name} är en brevlådeoperatör."),
            "description_en": format!("{name} is a mailbox operator."),
            "signup_url": url,
        })
    };
    // Through serde, as the binary loads it: every key not named here takes its default.
    serde_json::from_value(serde_json::json!({
        "public_url": "https://brevlada.example/",
        "database_url": format!("sqlite://{}?mode=rwc", dir.join("portal.db").display()),
        "registry_url": format!("https://127.0.0.1:{}", closed_port()),
        "tls": {
            "certificate_path": certificate_path,
            "key_path": key_path,
            "organisation_ca_path": certificate_path,
        },
        "publisher_name": "Exempelmyndigheten",
        "contact_email": "tillganglighet@brevlada.example",
        "operators": [
            operator("demobrevladan", "Demobrevlådan", "http://127.0.0.1:9001/skaffa"),
            operator("exempelposten", "Exempelposten", "http://127.0.0.1:9002/skaffa"),
        ],
    }))
    .unwrap()
}

/// A port on 127.0.0.1 nobody listens at: bound by the system, then released.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A built portal and the folder its files live in.
pub(crate) struct Portal {
    pub(crate) service: kuvert_portal::Service,
    _dir: tempfile::TempDir,
}

/// Who asks: the TCP peer and the headers a browser sends.
#[derive(Clone, Copy)]
pub(crate) struct Visitor<'a> {
    pub(crate) address: [u8; 4],
    pub(crate) user_agent: &'a str,
    pub(crate) referrer: Option<&'a str>,
    pub(crate) forwarded_for: Option<&'a str>,
}

impl Default for Visitor<'_> {
    fn default() -> Self {
        Self {
            address: [192, 0, 2, 1],
            user_agent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
            referrer: None,
            forwarded_for: None,
        }
    }
}

impl Portal {
    pub(crate) async fn start(change: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut config = config(dir.path());
        change(&mut config);
        let service = kuvert_portal::build(config).await.unwrap();
        Self { service, _dir: dir }
    }

    /// `GET uri` as the default visitor, with the body as text.
    pub(crate) async fn page(&self, uri: &str) -> (StatusCode, HeaderMap, String) {
        self.page_as(uri, Visitor::default()).await
    }

    /// `GET uri` as `visitor`, without the body.
    pub(crate) async fn get(&self, uri: &str, visitor: Visitor<'_>) -> (StatusCode, HeaderMap) {
        let (status, headers, _) = self.page_as(uri, visitor).await;
        (status, headers)
    }

    /// `GET uri` as `visitor`, with the body as text.
    async fn page_as(&self, uri: &str, visitor: Visitor<'_>) -> (StatusCode, HeaderMap, String) {
        let mut request = Request::get(uri).header("user-agent", visitor.user_agent);
        if let Some(referrer) = visitor.referrer {
            request = request.header("referer", referrer);
        }
        if let Some(forwarded_for) = visitor.forwarded_for {
            request = request.header("x-forwarded-for", forwarded_for);
        }
        let mut request = request.body(Body::empty()).unwrap();
        let peer = SocketAddr::from((visitor.address, 50_000));
        request.extensions_mut().insert(ConnectInfo(peer));
        let response = self.service.router().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, headers, String::from_utf8(body.to_vec()).unwrap())
    }
}

/// Today in Stockholm, the day visits are counted on.
pub(crate) fn today() -> time::Date {
    kuvert_core::calendar::stockholm_day(time::OffsetDateTime::now_utc())
}
