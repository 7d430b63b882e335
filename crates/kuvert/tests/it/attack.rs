//! The attack suite (issue 10): hostile deliveries built as an attacker holding the demo
//! intermediary's valid certificate and key would build them, POSTed over mutual TLS to
//! Demobrevlådan's `/service/v3` of one in-process federation. A small table-driven harness:
//! each [`Case`] names its attack, the fault code it must get (or a refused TLS handshake),
//! and nothing may be stored (letters in every mailbox of both operators and blob files).
//! The legitimate controls and the idempotent resend are read back through the inbox and the
//! export and compared byte for byte with what was signed ([`accepted`]). [`property`] checks
//! random mutations: intake accepts exactly when the stored evidence verifies.

mod accepted;
mod algorithms;
mod certificates;
pub(crate) mod forge;
mod input;
mod property;
mod wrapping;

use kuvert::seed::{self, SeedOrganisation};
use kuvert::testkit::Federation;
use kuvert_core::id::RecipientId;
use kuvert_core::message::SecureDelivery;
use kuvert_store::operator::{Folder, MailboxQuery};
use kuvert_wire::fault::FaultCode;
use secrecy::SecretString;
use std::path::Path;

use crate::raw_soap::{self, Answer, fault_code, service_address};
use forge::{Identity, Stages};

/// Who calls over TLS.
pub(crate) enum Caller {
    /// The demo intermediary (the attacker's own valid certificate).
    Intermediary,
    /// Another seeded organisation's real certificate.
    Org(&'static str),
    /// A certificate made for the case.
    Custom(Identity),
}

/// What the operator must answer.
pub(crate) enum Expect {
    /// A SOAP fault with this code.
    Fault(FaultCode),
    /// A refused TLS handshake (no HTTP answer at all).
    Handshake,
    /// `MAX_EXCEEDED`, or the connection closed while the oversized body was still sent.
    TooLarge,
}

/// One hostile delivery.
pub(crate) struct Case {
    pub(crate) name: String,
    pub(crate) caller: Caller,
    pub(crate) expect: Expect,
    pub(crate) body: Vec<u8>,
    /// Text the answer must not contain (what a conflict must not reveal).
    pub(crate) hidden: Vec<String>,
}

impl Case {
    pub(crate) fn new(name: &str, code: FaultCode, body: impl Into<Vec<u8>>) -> Self {
        Self {
            name: name.to_owned(),
            caller: Caller::Intermediary,
            expect: Expect::Fault(code),
            body: body.into(),
            hidden: Vec::new(),
        }
    }

    /// The same case, posted by `caller`.
    pub(crate) fn by(mut self, caller: Caller) -> Self {
        self.caller = caller;
        self
    }
}

/// The federation, the attacker's identities and its client.
pub(crate) struct Arena {
    pub(crate) federation: Federation,
    pub(crate) intermediary: Identity,
    pub(crate) kommun: Identity,
    pub(crate) address: String,
    client: reqwest::Client,
}

impl Arena {
    pub(crate) async fn start() -> Self {
        let federation = Federation::start(Default::default()).await;
        let pki = &federation.demo().pki;
        let identity = |key: &str| Identity::from_credential(pki.organisation(key).unwrap());
        let intermediary = identity(seed::INTERMEDIARY.key);
        let kommun = identity(seed::SENDERS[0].key);
        let address = service_address(&federation, seed::OPERATORS[0]);
        let client = mtls_client(&federation, Some(&intermediary));
        Self {
            federation,
            intermediary,
            kommun,
            address,
            client,
        }
    }

    /// A fresh letter (new message Id) from Exempelkommun to Tolvan, as the toolkit composes it.
    pub(crate) fn delivery(&self, subject: &str) -> SecureDelivery {
        self.delivery_to("tolvan", subject)
    }

    pub(crate) fn delivery_to(&self, person: &str, subject: &str) -> SecureDelivery {
        let person = seed::person(person).unwrap();
        let letter = self
            .federation
            .letter(&seed::SENDERS[0], person, subject, vec![]);
        self.federation.toolkit().compose(&letter).unwrap()
    }

    /// A letter that names `sender` (which the toolkit may not hold) as its sender.
    pub(crate) fn delivery_from(&self, sender: SeedOrganisation, subject: &str) -> SecureDelivery {
        let mut delivery = self.delivery(subject);
        delivery.header.sender.id = sender.organisation_number();
        delivery
    }

    /// The profile stages of a fresh letter: signed by Exempelkommun, sealed by the attacker.
    pub(crate) fn stages(&self, subject: &str) -> Stages {
        Stages::new(self.delivery(subject), &self.kommun, &self.intermediary)
    }

    /// The forged letter an attacker wants the recipient to read, as an unsigned
    /// `SignedDelivery`.
    pub(crate) fn forged_unsigned(&self) -> String {
        let mut delivery = self.delivery("Betala 9999 kr");
        let body = kuvert_core::message::Body::new(
            kuvert_core::message::BodyContentType::TextPlain,
            b"Betala 9999 kr till bankgiro 999-9999 i dag.".to_vec(),
        )
        .unwrap();
        let message = &delivery.message;
        delivery.message = kuvert_core::message::SecureMessage::new(
            message.header().clone(),
            body,
            message.attachments().to_vec(),
        )
        .unwrap();
        kuvert_wire::delivery::unsigned_signed_delivery(&delivery)
    }

    /// POSTs `body` as `caller` to Demobrevlådan's `/service/v3`.
    pub(crate) async fn post(&self, caller: &Caller, body: Vec<u8>) -> Answer {
        let client = match caller {
            Caller::Intermediary => self.client.clone(),
            Caller::Org(key) => {
                let pki = &self.federation.demo().pki;
                let identity = Identity::from_credential(pki.organisation(key).unwrap());
                mtls_client(&self.federation, Some(&identity))
            }
            Caller::Custom(identity) => mtls_client(&self.federation, Some(identity)),
        };
        raw_soap::post(&client, &self.address, body).await
    }

    /// Letters in every seeded mailbox at both operators, and blob files on disk.
    pub(crate) async fn stored(&self) -> (u64, usize) {
        let mut letters = 0;
        for operator in seed::OPERATORS {
            let store = self.federation.operator(&operator).store();
            for person in seed::PERSONS {
                for folder in [Folder::Inbox, Folder::Archive] {
                    let query = MailboxQuery {
                        recipient: RecipientId::Person(person.personal_identity_number()),
                        folder,
                        sender: None,
                        search: None,
                        page: 0,
                        page_size: 1,
                    };
                    letters += store.letters(&query).await.unwrap().total;
                }
            }
        }
        let data_dir = &self.federation.manifest().data_dir;
        let blobs = seed::OPERATORS
            .iter()
            .map(|operator| count_files(&data_dir.join(format!("{}-letters", operator.key))))
            .sum();
        (letters, blobs)
    }

    /// Posts `case`, checks the answer and that nothing was stored; the failures, if any.
    pub(crate) async fn run(&self, case: Case) -> Option<String> {
        let before = self.stored().await;
        let answer = self.post(&case.caller, case.body).await;
        let after = self.stored().await;
        let mut problems = Vec::new();
        if let Err(problem) = judge(&answer, &case.expect) {
            problems.push(problem);
        }
        if let Answer::Http(_, text) = &answer {
            for hidden in case
                .hidden
                .iter()
                .filter(|hidden| text.contains(hidden.as_str()))
            {
                problems.push(format!("the answer reveals {hidden}"));
            }
        }
        if after != before {
            problems.push(format!("stored something: {before:?} -> {after:?}"));
        }
        (!problems.is_empty()).then(|| format!("{}: {}", case.name, problems.join("; ")))
    }
}

/// Whether `answer` is what `expect` asks for.
fn judge(answer: &Answer, expect: &Expect) -> Result<(), String> {
    match (expect, answer) {
        (Expect::Fault(code), Answer::Http(status, text)) => match fault_code(text) {
            Some(found) if found == *code && *status == 500 => Ok(()),
            found => Err(format!(
                "expected fault {code}, got HTTP {status} fault {found:?}: {}",
                excerpt(text)
            )),
        },
        (Expect::TooLarge, Answer::Http(..)) => {
            judge(answer, &Expect::Fault(FaultCode::MAX_EXCEEDED))
        }
        (Expect::TooLarge | Expect::Handshake, Answer::Failed(_)) => Ok(()),
        (Expect::Handshake, Answer::Http(status, text)) => Err(format!(
            "expected a refused handshake, got HTTP {status}: {}",
            excerpt(text)
        )),
        (Expect::Fault(code), Answer::Failed(error)) => Err(format!(
            "expected fault {code}, the request failed: {error:?}"
        )),
    }
}

fn excerpt(text: &str) -> String {
    text.chars().take(400).collect()
}

fn count_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|entry| {
            let path = entry.path();
            if path.is_dir() { count_files(&path) } else { 1 }
        })
        .sum()
}

/// A client presenting `identity`'s certificate, when given.
pub(crate) fn mtls_client(federation: &Federation, identity: Option<&Identity>) -> reqwest::Client {
    let identity = identity.map(|identity| {
        let key_pem = SecretString::from(identity.key_pem.clone());
        (identity.certificate_pem.clone(), key_pem)
    });
    raw_soap::mtls_client(federation, identity)
}

/// Every hostile case of the suite.
fn hostile_cases(arena: &Arena) -> Vec<Case> {
    let mut cases = wrapping::cases(arena);
    cases.extend(algorithms::cases(arena));
    cases.extend(certificates::cases(arena));
    cases.extend(input::cases(arena));
    cases
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_deliveries_get_their_fault_store_nothing_and_accepted_ones_read_back_exactly() {
    let arena = Arena::start().await;
    let mut accepted = accepted::Accepted::default();
    // Controls first: they prove the harness builds deliveries the operator accepts.
    accepted.controls(&arena).await;
    let cases = hostile_cases(&arena);
    let mut idempotency = accepted.idempotency_cases(&arena).await;
    let total = cases.len() + idempotency.len();
    let mut failures = Vec::new();
    for case in cases.into_iter().chain(idempotency.drain(..)) {
        failures.extend(arena.run(case).await);
    }
    failures.extend(accepted.resends(&arena).await);
    assert!(total >= 60, "only {total} hostile cases");
    failures.extend(accepted.read_back(&arena).await);
    assert!(
        failures.is_empty(),
        "{} of {total} hostile cases (and read-backs) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
