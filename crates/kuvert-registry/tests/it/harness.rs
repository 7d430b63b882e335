//! One registry per test on 127.0.0.1:0 (mutual TLS, fresh SQLite file), the test PKI made
//! once per binary, seed data through the admin functions, and typed helpers to call it.

use std::collections::BTreeSet;
use std::sync::OnceLock;
use std::time::Duration;

use base64::Engine as _;
use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber, RecipientId};
use kuvert_core::operator::ServiceDomain;
use kuvert_core::registry::{CompanySignatoryRule, Signatory};
pub(crate) use kuvert_eid::signature::{BoundAction, SigningBinding};
use kuvert_pki::{OrganisationSpec, PersonSpec, PkiSpec, TestPki};
use kuvert_registry::admin::{self, Directory, NewIntermediary, NewOperator};
use kuvert_registry::{Config, Service};
use kuvert_web::{ClientConfig, Listener, ListenerTls, Shutdown};
use kuvert_wire::envelope::{self, BodyElement};
use kuvert_wire::error::WireError;
use kuvert_wire::fault::Fault;
use kuvert_wire::types::SignatureData;
use secrecy::ExposeSecret;

pub(crate) const REGISTRY: &str = "2120000142";
pub(crate) const OPERATOR_A: &str = "5567000012";
pub(crate) const OPERATOR_B: &str = "5567000020";
pub(crate) const DOMAIN_A: &str = "demobrevladan.example";
pub(crate) const DOMAIN_B: &str = "exempelposten.example";
pub(crate) const MUNICIPALITY: &str = "2120000134";
pub(crate) const AGENCY: &str = "2321000008";
pub(crate) const INTERMEDIARY: &str = "2120000159";
pub(crate) const STRANGER: &str = "5567000004";
pub(crate) const COMPANY: &str = "5568000003";
pub(crate) const ANNA: &str = "198112189876";
pub(crate) const BERTIL: &str = "199001010009";
pub(crate) const CECILIA: &str = "198505051238";
pub(crate) const AGREEMENT: &str = "Jag godkänner användarvillkoren för Mina meddelanden.";

/// Organisation keys of the PKI, in `(key, name, number)` form.
const ORGANISATIONS: [(&str, &str, &str); 7] = [
    (
        "registry",
        "Kuvert Förmedlingsadressregistret (test)",
        REGISTRY,
    ),
    ("operator-a", "Demobrevlådan", OPERATOR_A),
    ("operator-b", "Exempelposten", OPERATOR_B),
    ("municipality", "Exempelkommun", MUNICIPALITY),
    ("agency", "Exempelmyndigheten", AGENCY),
    ("intermediary", "Exempelförmedlaren", INTERMEDIARY),
    ("stranger", "Okänd AB", STRANGER),
];

pub(crate) fn org(text: &str) -> OrganisationNumber {
    OrganisationNumber::parse(text).unwrap()
}

pub(crate) fn person(text: &str) -> RecipientId {
    RecipientId::Person(PersonalIdentityNumber::parse(text).unwrap())
}

pub(crate) fn pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| {
        let organisations = ORGANISATIONS
            .iter()
            .map(|(key, name, number)| OrganisationSpec {
                key: (*key).to_owned(),
                name: (*name).to_owned(),
                number: org(number),
                host_names: vec!["localhost".to_owned()],
            })
            .collect();
        let persons = [("anna", ANNA), ("bertil", BERTIL), ("cecilia", CECILIA)]
            .iter()
            .map(|(key, number)| PersonSpec {
                key: (*key).to_owned(),
                given_name: (*key).to_owned(),
                surname: "Testsson".to_owned(),
                number: PersonalIdentityNumber::parse(number).unwrap(),
            })
            .collect();
        TestPki::generate(&PkiSpec {
            organisations,
            persons,
        })
        .unwrap()
    })
}

/// A running registry with seed data, stopped when dropped.
pub(crate) struct Registry {
    pub(crate) service: Service,
    pub(crate) base_url: String,
    shutdown: Shutdown,
    _dir: tempfile::TempDir,
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.shutdown.trigger();
    }
}

impl Registry {
    pub(crate) async fn start() -> Self {
        kuvert_web::tls::install_crypto_provider();
        let pki = pki();
        let dir = tempfile::tempdir().unwrap();
        let eid_ca_path = dir.path().join("eid-ca.pem");
        std::fs::write(&eid_ca_path, pki.eid_ca_pem()).unwrap();
        let database_url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("registry.db").display()
        );
        let credential = pki.organisation("registry").unwrap();
        let mut config = Config::new(database_url, eid_ca_path);
        let files = [
            ("registry.pem", credential.certificate_pem()),
            ("registry-key.pem", credential.key_pem().expose_secret()),
            ("org-ca.pem", pki.organisation_ca_pem()),
        ];
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        config.tls_certificate_path = Some(dir.path().join("registry.pem"));
        config.tls_key_path = Some(dir.path().join("registry-key.pem"));
        config.client_ca_path = Some(dir.path().join("org-ca.pem"));
        let service = kuvert_registry::build(config).await.unwrap();
        seed(&service).await;
        let tls = service.listener_tls().unwrap();
        let listener = Listener::bind("127.0.0.1:0".parse().unwrap(), tls)
            .await
            .unwrap();
        let base_url = format!(
            "https://localhost:{}",
            listener.local_addr().unwrap().port()
        );
        let shutdown = Shutdown::new();
        let admin = Listener::bind("127.0.0.1:0".parse().unwrap(), ListenerTls::Plain)
            .await
            .unwrap();
        let listeners = kuvert_registry::Listeners {
            service: listener,
            admin,
        };
        tokio::spawn(service.clone().serve(listeners, shutdown.clone()));
        Self {
            service,
            base_url,
            shutdown,
            _dir: dir,
        }
    }

    /// An HTTP client presenting the certificate of organisation `key`.
    pub(crate) fn client(&self, key: &str) -> reqwest::Client {
        let credential = pki().organisation(key).unwrap();
        let config = ClientConfig {
            ca_pem: pki().organisation_ca_pem().to_owned(),
            identity: Some((
                credential.certificate_pem().to_owned(),
                credential.key_pem().clone(),
            )),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
        };
        kuvert_web::http_client(&config).unwrap()
    }

    /// POSTs a SOAP envelope as organisation `key`; returns the status and body.
    pub(crate) async fn post(&self, key: &str, path: &str, envelope: String) -> (u16, String) {
        let response = self
            .client(key)
            .post(format!("{}{path}", self.base_url))
            .header("content-type", "text/xml; charset=utf-8")
            .body(envelope)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// Calls a Recipient v3 operation and reads its typed response or fault.
    pub(crate) async fn recipient<T: BodyElement>(
        &self,
        key: &str,
        request: &impl BodyElement,
    ) -> Result<T, Fault> {
        self.call("/ec/Recipient/v3", key, request.to_envelope())
            .await
    }

    /// Calls an Authority operation and reads its typed response or fault.
    pub(crate) async fn authority<T: BodyElement>(
        &self,
        key: &str,
        request: &impl BodyElement,
    ) -> Result<T, Fault> {
        self.call("/ec/Authority", key, request.to_envelope()).await
    }

    pub(crate) async fn call<T: BodyElement>(
        &self,
        path: &str,
        key: &str,
        envelope_text: String,
    ) -> Result<T, Fault> {
        let (status, body) = self.post(key, path, envelope_text).await;
        let document = envelope::parse(&body).unwrap();
        match T::from_envelope(&document) {
            Ok(response) => {
                assert_eq!(status, 200);
                Ok(response)
            }
            Err(WireError::Fault(fault)) => {
                assert_eq!(status, 500, "SOAP 1.1 faults travel with 500");
                Err(*fault)
            }
            Err(other) => panic!("neither a response nor an MM fault: {other}"),
        }
    }
}

async fn seed(service: &Service) {
    let operators = [
        (OPERATOR_A, "Demobrevlådan", DOMAIN_A, 1),
        (OPERATOR_B, "Exempelposten", DOMAIN_B, 2),
    ]
    .iter()
    .map(|(id, name, domain, port)| NewOperator {
        id: org(id),
        name: (*name).to_owned(),
        domain: service_domain(domain),
        service_address: format!("https://127.0.0.1:{port}/service/v3"),
        ui_address: Some(format!("https://{domain}/")),
    })
    .collect();
    let signatories = [
        (ANNA, "Anna Testsson"),
        (BERTIL, "Bertil Testsson"),
        (CECILIA, "Cecilia"),
    ]
    .iter()
    .map(|(id, name)| Signatory {
        id: PersonalIdentityNumber::parse(id).unwrap(),
        name: (*name).to_owned(),
    })
    .collect();
    let directory = Directory {
        operators,
        senders: vec![
            (org(MUNICIPALITY), "Exempelkommun".to_owned()),
            (org(AGENCY), "Exempelmyndigheten".to_owned()),
        ],
        intermediaries: vec![NewIntermediary {
            id: org(INTERMEDIARY),
            name: "Exempelförmedlaren".to_owned(),
            senders: BTreeSet::from([org(MUNICIPALITY)]),
        }],
        company_rules: vec![CompanySignatoryRule {
            company: org(COMPANY),
            company_name: "Exempel AB".to_owned(),
            rule_text: "Två i förening".to_owned(),
            signatures_required: 2,
            signatories,
        }],
    };
    admin::seed(service.registry(), directory.clone())
        .await
        .unwrap();
    // Seeding is an upsert: a second run leaves the same directory.
    admin::seed(service.registry(), directory).await.unwrap();
    assert_eq!(
        admin::list_operators(service.registry())
            .await
            .unwrap()
            .len(),
        2
    );
}

/// [`AGREEMENT`] bound to one change signed now: the text an operator has a person sign.
pub(crate) fn bound(action: BoundAction, recipient: &RecipientId, domain: &str) -> String {
    SigningBinding::now(action, recipient.clone(), &service_domain(domain)).bind(AGREEMENT)
}

/// `text` as a service domain (the tests' domains are valid).
pub(crate) fn service_domain(text: &str) -> ServiceDomain {
    ServiceDomain::parse(text).unwrap()
}

/// `person_key`'s e-ID signature of `text`, in wire form.
pub(crate) fn sign(person_key: &str, text: &str) -> SignatureData {
    let credential = pki().person(person_key).unwrap();
    let key =
        kuvert_eid::signature::EidSigningKey::from_pkcs8_pem(credential.key_pem().expose_secret())
            .unwrap();
    let nonce = kuvert_eid::signature::new_nonce();
    let data = kuvert_eid::sign_text(&key, credential.certificate_der(), text, &nonce).unwrap();
    let fields = data.to_fields();
    SignatureData {
        signature: base64::engine::general_purpose::STANDARD
            .decode(fields.signature)
            .unwrap(),
        certificate: fields.certificate,
        nonce: fields.nonce,
        encoding_of_signed_text: fields.encoding_of_signed_text,
    }
}
