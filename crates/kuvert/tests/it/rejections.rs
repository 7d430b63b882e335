//! Bad input to an operator's `deliverSecure` changes nothing and gets its specific MM fault,
//! each case over real mutual TLS against the real registry's directory.

use kuvert::seed::{self, SeedOrganisation};
use kuvert::send_command::demo_sender_config;
use kuvert::testkit::Federation;
use kuvert_core::id::RecipientId;
use kuvert_sender::{Destination, SendError, SenderIdentityConfig, Toolkit};
use kuvert_store::operator::{Folder, MailboxQuery};
use kuvert_wire::fault::FaultCode;

use crate::raw_soap::{self, Answer, fault_code, service_address};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliver_secure_rejects_bad_input_with_its_fault_and_stores_nothing() {
    let federation = Federation::start(Default::default()).await;
    let demobrevladan = seed::OPERATORS[0];
    let (kommun, agency) = (seed::SENDERS[0], seed::SENDERS[1]);
    let tolvan = seed::person("tolvan").unwrap();

    // A sender the registry does not know, signed and sealed by the real intermediary.
    let toolkit = toolkit_with(&federation, seed::INTERMEDIARY, &[seed::PORTAL]);
    let letter = federation.letter(&seed::PORTAL, tolvan, "Okänd avsändare", vec![]);
    check(
        deliver(&federation, &toolkit, &letter, demobrevladan).await,
        FaultCode::UNKNOWN_SENDER,
    );

    // An organisation that is no intermediary seals (and presents its TLS certificate).
    let toolkit = toolkit_with(&federation, seed::PORTAL, &[kommun]);
    let letter = federation.letter(&kommun, tolvan, "Fel förmedlare", vec![]);
    let result = deliver(&federation, &toolkit, &letter, demobrevladan).await;
    check(result, FaultCode::DISPATCHER_NOT_APPROVED);

    // Bertil's mailbox is at Exempelposten, not Demobrevlådan.
    let toolkit = federation.toolkit();
    let bertil = seed::person("bertil").unwrap();
    let letter = federation.letter(&kommun, bertil, "Fel operatör", vec![]);
    check(
        deliver(&federation, toolkit, &letter, demobrevladan).await,
        FaultCode::OBJECT_NOT_FOUND,
    );

    // Anna has deselected the agency.
    let anna = seed::person("anna").unwrap();
    let letter = federation.letter(&agency, anna, "Bortvald avsändare", vec![]);
    check(
        deliver(&federation, toolkit, &letter, demobrevladan).await,
        FaultCode::ACCESS_DENIED,
    );

    check_raw_envelopes(&federation).await;

    assert_no_letters(&federation).await;
}

/// Envelopes no toolkit would send, posted as they are over mutual TLS.
async fn check_raw_envelopes(federation: &Federation) {
    let (demobrevladan, kommun) = (seed::OPERATORS[0], seed::SENDERS[0]);
    let tolvan = seed::person("tolvan").unwrap();
    let toolkit = federation.toolkit();
    let address = service_address(federation, demobrevladan);
    let client = mtls_client(federation, Some(seed::INTERMEDIARY));
    // One byte of the signed subject changed after signing.
    let letter = federation.letter(&kommun, tolvan, "Manipulerat brev", vec![]);
    let sealed = toolkit
        .seal(toolkit.sign(&toolkit.compose(&letter).unwrap()).unwrap())
        .unwrap();
    let tampered = sealed.xml().replace("Manipulerat brev", "Manipulerat bref");
    let envelope = kuvert_wire::service::deliver_secure_request(&tampered).unwrap();
    check_raw(&client, &address, envelope, FaultCode::SIGNATURE_ERROR).await;

    // Larger than the operator's envelope bound (2 MiB by default).
    // On its own client: the operator answers before reading the whole body and then closes
    // the connection, which the shared client's pool could reuse for the next request (seen
    // as hyper's `IncompleteMessage` under load).
    let oversized = format!("<x>{}</x>", "a".repeat(3 * 1024 * 1024));
    let one_off = mtls_client(federation, Some(seed::INTERMEDIARY));
    check_oversized(&one_off, &address, oversized).await;
    check_raw(
        &client,
        &address,
        "<soap:Envelope".to_owned(),
        FaultCode::INVALID_INPUT,
    )
    .await;

    // A personnummer failing the Luhn check, in a delivery that is correctly signed.
    let envelope = signed_with_recipient(federation, &letter, "191212121213");
    check_raw(&client, &address, envelope, FaultCode::INVALID_INPUT).await;

    // No client certificate: the TLS handshake or the route refuses the caller.
    let anonymous = mtls_client(federation, None);
    let envelope = kuvert_wire::service::deliver_secure_request(sealed.xml()).unwrap();
    match anonymous.post(&address).body(envelope).send().await {
        Ok(response) => assert!(response.status().is_client_error(), "{}", response.status()),
        Err(error) => assert!(error.is_connect() || error.is_request(), "{error}"),
    }
}

#[track_caller]
fn check(result: Result<kuvert_core::message::Receipt, SendError>, expected: FaultCode) {
    match result {
        Err(SendError::Fault { code, .. }) => assert_eq!(code, expected),
        other => panic!("expected fault {expected}, got {other:?}"),
    }
}

async fn check_raw(client: &reqwest::Client, address: &str, body: String, expected: FaultCode) {
    match raw_soap::post(client, address, body.into_bytes()).await {
        Answer::Http(status, text) => {
            assert_eq!(status, 500, "a SOAP fault: {text}");
            assert_eq!(fault_code(&text), Some(expected), "{text}");
        }
        Answer::Failed(error) => panic!("expected fault {expected}, the request failed: {error:?}"),
    }
}

/// The operator answers `MAX_EXCEEDED` without reading past its bound and closes the
/// connection; the client may then fail writing the rest of the body (broken pipe or reset)
/// before it reads that answer. Either way the delivery was refused, and `assert_no_letters`
/// afterwards checks nothing was stored.
async fn check_oversized(client: &reqwest::Client, address: &str, body: String) {
    match raw_soap::post(client, address, body.into_bytes()).await {
        Answer::Http(status, text) => {
            assert_eq!(status, 500, "a SOAP fault: {text}");
            assert_eq!(fault_code(&text), Some(FaultCode::MAX_EXCEEDED), "{text}");
        }
        Answer::Failed(error) => assert!(error.is_request() || error.is_body(), "{error:?}"),
    }
}

/// Delivers straight to `operator`'s service address, skipping the registry lookup (which
/// would send the letter to paper instead).
async fn deliver(
    federation: &Federation,
    toolkit: &Toolkit,
    letter: &kuvert_sender::Letter,
    operator: SeedOrganisation,
) -> Result<kuvert_core::message::Receipt, SendError> {
    let sealed = toolkit
        .seal(toolkit.sign(&toolkit.compose(letter).unwrap()).unwrap())
        .unwrap();
    let destination = Destination {
        operator_id: operator.organisation_number(),
        operator_name: operator.name.to_owned(),
        service_address: url::Url::parse(&service_address(federation, operator)).unwrap(),
    };
    toolkit
        .deliver(&sealed, &destination, kuvert_core::lane::Lane::Single)
        .await
}

fn pki_file(federation: &Federation, key: &str, suffix: &str) -> std::path::PathBuf {
    federation
        .manifest()
        .data_dir
        .join("pki")
        .join(format!("{key}{suffix}"))
}

/// A toolkit whose intermediary is `intermediary` and which signs for `senders`.
fn toolkit_with(
    federation: &Federation,
    intermediary: SeedOrganisation,
    senders: &[SeedOrganisation],
) -> Toolkit {
    let mut config = demo_sender_config(&federation.manifest().data_dir).unwrap();
    config.intermediary.organisation_number = intermediary.organisation_number();
    config.intermediary.certificate_path = pki_file(
        federation,
        intermediary.key,
        kuvert_pki::files::CERTIFICATE_SUFFIX,
    );
    config.intermediary.key_path =
        pki_file(federation, intermediary.key, kuvert_pki::files::KEY_SUFFIX);
    config.senders = senders
        .iter()
        .map(|sender| SenderIdentityConfig {
            organisation_number: sender.organisation_number(),
            name: sender.name.to_owned(),
            certificate_path: pki_file(
                federation,
                sender.key,
                kuvert_pki::files::CERTIFICATE_SUFFIX,
            ),
            key_path: pki_file(federation, sender.key, kuvert_pki::files::KEY_SUFFIX),
        })
        .collect();
    config.retry.attempts = 1;
    Toolkit::build(&config).unwrap()
}

/// A client presenting `identity`'s demo certificate, when given.
fn mtls_client(federation: &Federation, identity: Option<SeedOrganisation>) -> reqwest::Client {
    let pki = &federation.demo().pki;
    let identity = identity.map(|organisation| {
        let credential = pki.organisation(organisation.key).unwrap();
        let key_pem = credential.key_pem().clone();
        (credential.certificate_pem().to_owned(), key_pem)
    });
    raw_soap::mtls_client(federation, identity)
}

/// `letter` signed by its sender and sealed by the intermediary, but addressed to `number`,
/// which no typed value would hold: only the operator's own check can refuse it.
fn signed_with_recipient(
    federation: &Federation,
    letter: &kuvert_sender::Letter,
    number: &str,
) -> String {
    use secrecy::ExposeSecret as _;
    let pki = &federation.demo().pki;
    let delivery = federation.toolkit().compose(letter).unwrap();
    let RecipientId::Person(person) = &letter.recipient else {
        panic!("a person")
    };
    let unsigned =
        kuvert_wire::delivery::unsigned_signed_delivery(&delivery).replace(person.as_str(), number);
    let signer = |key: &str| {
        let credential = pki.organisation(key).unwrap();
        kuvert_xmldsig::Signer::from_pkcs8_pem(
            credential.key_pem().expose_secret(),
            credential.certificate_pem(),
        )
        .unwrap()
    };
    let algorithm = kuvert_xmldsig::SignatureAlgorithm::RsaSha256;
    let signed = signer(seed::SENDERS[0].key)
        .sign(&unsigned, algorithm)
        .unwrap();
    let today = time::OffsetDateTime::now_utc().date();
    let seal = kuvert_core::message::Seal {
        received_date: kuvert_core::message::SealDate::new(today, None),
        signatures_ok: true,
    };
    let unsealed = kuvert_wire::delivery::unsigned_sealed_delivery(&signed, &seal);
    let sealed = signer(seed::INTERMEDIARY.key)
        .sign(&unsealed, algorithm)
        .unwrap();
    kuvert_wire::service::deliver_secure_request(&sealed).unwrap()
}

async fn assert_no_letters(federation: &Federation) {
    for operator in seed::OPERATORS {
        let store = federation.operator(&operator).store();
        for person in seed::PERSONS {
            let query = MailboxQuery {
                recipient: RecipientId::Person(person.personal_identity_number()),
                folder: Folder::Inbox,
                sender: None,
                search: None,
                page: 0,
                page_size: 10,
            };
            let page = store.letters(&query).await.unwrap();
            assert_eq!(
                page.total, 0,
                "{} has a letter at {}",
                person.key, operator.key
            );
        }
    }
}
