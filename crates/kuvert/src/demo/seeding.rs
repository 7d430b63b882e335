//! Seeds the registry with the demo identities of [`crate::seed`], idempotently: operators,
//! senders, the intermediary and the companies' signatory rules are upserted (so a restart
//! on new ports updates the addresses), and each person is registered with their own test
//! e-ID signature only when they have no profile yet, so a restart adds nothing twice.
//! The portal gets its one communicator ([`COMMUNICATOR`]), whose role is given again on
//! each start (the same role: granting replaces).

use std::collections::BTreeSet;

use anyhow::Context;
use kuvert_core::id::RecipientId;
use kuvert_core::registry::{CompanySignatoryRule, Signatory};
use kuvert_eid::signature::{BoundAction, EidSigningKey, SigningBinding};
use kuvert_pki::TestPki;
use kuvert_registry::admin::{self, NewOperator};
use kuvert_registry::registry::{Registry, SignedChange};

use super::roles::Plan;
use crate::seed::{self, SeedPerson};

/// A person with the portal's communicator role (`/kommunikator`).
#[derive(Debug, Clone, Copy)]
pub struct SeedCommunicator {
    /// Key of the seeded person ([`crate::seed::PERSONS`]) who logs in with the test e-ID.
    pub person: &'static str,
    /// Keys of the senders ([`crate::seed::SENDERS`]) whose campaigns the person works with.
    pub senders: &'static [&'static str],
    /// May also work for every sender and enter the annual targets.
    pub is_admin: bool,
}

/// The demo's communicator: David Dahl, for Exempelkommun, and an admin, so one login shows
/// every communicator page, the annual targets included.
pub const COMMUNICATOR: SeedCommunicator = SeedCommunicator {
    person: "david",
    senders: &["exempelkommun"],
    is_admin: true,
};

impl SeedCommunicator {
    /// The seeded person.
    #[must_use]
    pub fn seed_person(&self) -> &'static SeedPerson {
        seed::person(self.person).expect("the communicator is a seeded person")
    }

    /// The organisation numbers of its senders.
    #[must_use]
    pub fn sender_numbers(&self) -> Vec<kuvert_core::id::OrganisationNumber> {
        self.senders
            .iter()
            .filter_map(|key| seed::organisation(key))
            .map(|sender| sender.organisation_number())
            .collect()
    }
}

/// Gives [`COMMUNICATOR`] the role in the portal's store.
pub(super) async fn seed_portal(portal: &kuvert_portal::Service) -> anyhow::Result<()> {
    let person = COMMUNICATOR.seed_person().personal_identity_number();
    portal
        .store()
        .grant_communicator(
            &person,
            &COMMUNICATOR.sender_numbers(),
            COMMUNICATOR.is_admin,
        )
        .await
        .context("giving the demo's communicator the role")?;
    Ok(())
}

/// Gives [`seed::NOTIFIED`] a confirmed notification e-mail address at their operator, only
/// when they have no address yet: a restart keeps what the person changed in the inbox.
/// The address is confirmed as the inbox's flow would, with a code issued and entered at once.
pub(super) async fn seed_notifications(
    operators: &[kuvert_operator::Service],
) -> anyhow::Result<()> {
    use kuvert_core::message::EmailAddress;
    use kuvert_store::operator::{
        CodeCheck, CodeIssue, ConfirmationCode, NotificationAddress, NotificationChannel,
    };

    let person = seed::person(seed::NOTIFIED.person).context("the notified person is seeded")?;
    let Some(index) = seed::OPERATORS
        .iter()
        .position(|operator| Some(operator.key) == person.operator)
    else {
        return Ok(());
    };
    let store = operators
        .get(index)
        .context("every seeded operator is started")?
        .store();
    let recipient = RecipientId::Person(person.personal_identity_number());
    if !store.notification_settings(&recipient).await?.is_empty() {
        return Ok(());
    }
    let email = EmailAddress::parse(seed::NOTIFIED.email).context("the seeded e-mail address")?;
    let code = uuid::Uuid::new_v4().simple().to_string();
    let code = ConfirmationCode::parse(&code[..8]).context("a confirmation code")?;
    let now = time::OffsetDateTime::now_utc();
    let context = || format!("confirming {}'s notification address", person.key);
    store
        .issue_confirmation_code(&recipient, &NotificationAddress::Email(email), &code, now)
        .await
        .and_then(CodeIssue::into_issued)
        .with_context(context)?;
    store
        .check_confirmation_code(&recipient, NotificationChannel::Email, &code, now)
        .await
        .and_then(CodeCheck::into_confirmed)
        .with_context(context)?;
    Ok(())
}

pub(super) async fn seed(registry: &Registry, pki: &TestPki, plan: &Plan) -> anyhow::Result<()> {
    for operator in &plan.operators {
        let record = NewOperator {
            id: operator.seed.organisation_number(),
            name: operator.seed.name.to_owned(),
            domain: operator.seed.service_domain(),
            service_address: operator.service_address.to_string(),
            ui_address: Some(operator.web_url.to_string()),
        };
        admin::add_operator(registry, record)
            .await
            .context(operator.seed.key)?;
    }
    for sender in seed::SENDERS {
        admin::add_sender(registry, sender.organisation_number(), sender.name)
            .await
            .context(sender.key)?;
    }
    let senders: BTreeSet<_> = seed::SENDERS
        .iter()
        .map(|s| s.organisation_number())
        .collect();
    let intermediary = seed::INTERMEDIARY;
    admin::add_intermediary(
        registry,
        intermediary.organisation_number(),
        intermediary.name,
        senders,
    )
    .await
    .context(intermediary.key)?;
    for company in &seed::COMPANIES {
        admin::add_company_rule(registry, company_rule(company))
            .await
            .context(company.key)?;
    }
    for person in seed::PERSONS
        .iter()
        .filter(|person| person.operator.is_some())
    {
        register(registry, pki, person)
            .await
            .with_context(|| format!("registering {}", person.key))?;
    }
    Ok(())
}

/// Registers `person` at their operator, then stores their deselected senders, both signed
/// with the person's test e-ID as the operator's UI would have them sign.
async fn register(registry: &Registry, pki: &TestPki, person: &SeedPerson) -> anyhow::Result<()> {
    let Some(operator) = person.operator.and_then(seed::organisation) else {
        return Ok(());
    };
    let recipient = RecipientId::Person(person.personal_identity_number());
    let agreement = format!("Jag vill ha en digital brevlåda hos {}.", operator.name);
    let domain = operator.service_domain();
    let text =
        SigningBinding::now(BoundAction::Register, recipient.clone(), &domain).bind(&agreement);
    let change = signed_change(pki, person, &recipient, text)?;
    let caller = operator.organisation_number();
    match registry.register(&caller, &domain, change, None).await {
        Ok(_) => {}
        // Registered at an earlier start: keep the profile and its rules as they are.
        Err(kuvert_registry::Error::AlreadyExists(_)) => return Ok(()),
        Err(error) => return Err(error.into()),
    }
    if person.deselected_senders.is_empty() {
        return Ok(());
    }
    let accepted: Vec<RecipientId> = seed::SENDERS
        .iter()
        .filter(|sender| !person.deselected_senders.contains(&sender.key))
        .map(|sender| RecipientId::Organisation(sender.organisation_number()))
        .collect();
    let agreement = "Jag vill bara få digital post från de avsändare jag har valt.";
    let text = SigningBinding::now(BoundAction::ReceptionRules, recipient.clone(), &domain)
        .bind(agreement);
    let change = signed_change(pki, person, &recipient, text)?;
    registry
        .store_reception_rules(&caller, &accepted, change)
        .await?;
    Ok(())
}

/// A seeded company's signatory rule, its signatories named as the seed names them.
fn company_rule(company: &seed::SeedCompany) -> CompanySignatoryRule {
    CompanySignatoryRule {
        company: company.organisation_number(),
        company_name: company.name.to_owned(),
        rule_text: company.rule_text.to_owned(),
        signatures_required: company.signatures_required,
        signatories: company
            .signatory_persons()
            .map(|person| Signatory {
                id: person.personal_identity_number(),
                name: person.name(),
            })
            .collect(),
    }
}

fn signed_change(
    pki: &TestPki,
    person: &SeedPerson,
    recipient: &RecipientId,
    agreement_text: String,
) -> anyhow::Result<SignedChange> {
    use secrecy::ExposeSecret as _;
    let credential = pki
        .person(person.key)
        .with_context(|| format!("no e-ID for {}", person.key))?;
    let key = EidSigningKey::from_pkcs8_pem(credential.key_pem().expose_secret())
        .context("the person's e-ID key")?;
    let nonce = kuvert_eid::signature::new_nonce();
    let signature =
        kuvert_eid::sign_text(&key, credential.certificate_der(), &agreement_text, &nonce)
            .context("signing with the test e-ID")?;
    Ok(SignedChange {
        recipient: recipient.clone(),
        user: Some(person.personal_identity_number()),
        agreement_text,
        signatures: vec![signature],
    })
}
