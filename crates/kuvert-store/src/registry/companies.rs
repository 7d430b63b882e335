//! Company signatory rules (seed data for firmateckning) and pending company registrations
//! that collect signatures until the registry judges them enough (PROTOCOL.md §11.1 step 7).
//! A completed registration is counted in the daily statistics in its own transaction.

use async_trait::async_trait;
use kuvert_core::id::{OrganisationNumber, PersonalIdentityNumber, RecipientId};
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;

use super::counters::{self, Change};
use super::profiles::{
    campaign_text, insert_signature, profile_in, read_profile, require_operator, signature_from_row,
};
use super::records::DbText;
use super::{
    CompanySignatoryRule, NewCompanyRegistration, PendingCompanyRegistration, ProfileKind,
    ProfileRecord, ProfileStatus, RegistrationSource, Signatory, SignatureRecord, SqlRegistryStore,
};
use crate::database::{
    begin_write, fetch_all_by, get_parsed, get_text, get_time, text_query, to_millis,
};
use crate::error::{SqlContext, StoreError};

/// Company signatory rules and pending company registrations (PROTOCOL.md §11.1 step 7,
/// §11.9). Part of [`RegistryStore`](super::RegistryStore).
#[async_trait]
pub trait CompanyStore: Send + Sync {
    /// Adds or replaces a company's firmateckning rule and its signatories (seed data standing
    /// in for Bolagsverket, PROTOCOL.md §11.9).
    async fn upsert_company_signatory_rule(
        &self,
        rule: &CompanySignatoryRule,
    ) -> Result<(), StoreError>;
    /// A company's signatory rule.
    async fn company_signatory_rule(
        &self,
        company: &OrganisationNumber,
    ) -> Result<Option<CompanySignatoryRule>, StoreError>;
    /// Opens a pending company registration with its first signature. When the company has no
    /// profile yet, a `Pending` one is created (so `isReachable` reports `Pending=true`).
    /// `Conflict` when one is already pending.
    async fn start_company_registration(
        &self,
        request: NewCompanyRegistration,
        signature: SignatureRecord,
    ) -> Result<PendingCompanyRegistration, StoreError>;
    /// Adds a further signatory's signature. `NotFound` without a pending registration,
    /// `Conflict` when this signatory already signed.
    async fn add_company_signature(
        &self,
        company: &OrganisationNumber,
        signature: SignatureRecord,
    ) -> Result<PendingCompanyRegistration, StoreError>;
    /// The pending registration of a company, with its signatures and rule.
    async fn pending_company_registration(
        &self,
        company: &OrganisationNumber,
    ) -> Result<Option<PendingCompanyRegistration>, StoreError>;
    /// Cancels a pending registration (`deletePendingAccountRequest`), removing a `Pending`
    /// profile it created; returns what was cancelled.
    async fn cancel_company_registration(
        &self,
        company: &OrganisationNumber,
    ) -> Result<PendingCompanyRegistration, StoreError>;
    /// Ends a pending registration whose signatures suffice (the registry judges that): the
    /// profile becomes `Active` at the requested operator, in one transaction. A `None` source
    /// keeps the source an existing profile had.
    async fn complete_company_registration(
        &self,
        company: &OrganisationNumber,
        completed_at: OffsetDateTime,
        source: Option<RegistrationSource>,
    ) -> Result<ProfileRecord, StoreError>;
}

#[async_trait]
impl CompanyStore for SqlRegistryStore {
    async fn company_signatory_rule(
        &self,
        company: &OrganisationNumber,
    ) -> Result<Option<CompanySignatoryRule>, StoreError> {
        read_rule(&mut *self.connection().await?, company).await
    }

    async fn pending_company_registration(
        &self,
        company: &OrganisationNumber,
    ) -> Result<Option<PendingCompanyRegistration>, StoreError> {
        read_pending(&mut *self.connection().await?, company).await
    }

    async fn upsert_company_signatory_rule(
        &self,
        rule: &CompanySignatoryRule,
    ) -> Result<(), StoreError> {
        let mut transaction = begin_write(&self.pool, self.backend).await?;
        sqlx::query(
            "INSERT INTO company_signatory_rules (company, company_name, rule_text, \
             signatures_required) VALUES ($1, $2, $3, $4) ON CONFLICT (company) DO UPDATE SET \
             company_name = excluded.company_name, rule_text = excluded.rule_text, \
             signatures_required = excluded.signatures_required",
        )
        .bind(rule.company.as_str())
        .bind(&rule.company_name)
        .bind(&rule.rule_text)
        .bind(i64::from(rule.signatures_required))
        .execute(&mut *transaction)
        .await
        .context("store signatory rule")?;
        sqlx::query("DELETE FROM company_signatories WHERE company = $1")
            .bind(rule.company.as_str())
            .execute(&mut *transaction)
            .await
            .context("clear signatories")?;
        for signatory in &rule.signatories {
            sqlx::query(
                "INSERT INTO company_signatories (company, signatory, name) VALUES ($1, $2, $3)",
            )
            .bind(rule.company.as_str())
            .bind(signatory.id.as_str())
            .bind(&signatory.name)
            .execute(&mut *transaction)
            .await
            .context("store signatory")?;
        }
        transaction.commit().await.context("commit signatory rule")
    }

    async fn start_company_registration(
        &self,
        request: NewCompanyRegistration,
        signature: SignatureRecord,
    ) -> Result<PendingCompanyRegistration, StoreError> {
        let recipient = RecipientId::Organisation(request.company.clone());
        let mut transaction = self.begin_signed(&recipient, &signature).await?;
        require_operator(&mut transaction, &request.operator).await?;
        let inserted = sqlx::query(
            "INSERT INTO pending_company_registrations (company, operator, agreement_text, \
             requested_at) VALUES ($1, $2, $3, $4) ON CONFLICT (company) DO NOTHING",
        )
        .bind(request.company.as_str())
        .bind(request.operator.as_str())
        .bind(&request.agreement_text)
        .bind(to_millis(request.requested_at))
        .execute(&mut *transaction)
        .await
        .context("insert pending registration")?;
        if inserted.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                what: "pending company registration",
            });
        }
        if read_profile(&mut transaction, &recipient).await?.is_none() {
            sqlx::query(
                "INSERT INTO profiles (recipient, operator, kind, status, registered_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(recipient.to_wire())
            .bind(request.operator.as_str())
            .bind(ProfileKind::Company.as_db())
            .bind(ProfileStatus::Pending.as_db())
            .bind(to_millis(request.requested_at))
            .execute(&mut *transaction)
            .await
            .context("insert pending profile")?;
        }
        add_signature_in(&mut transaction, &request.company, &signature).await?;
        let pending = read_pending(&mut transaction, &request.company).await?;
        transaction
            .commit()
            .await
            .context("commit pending registration")?;
        pending.ok_or(StoreError::NotFound {
            what: "pending company registration",
        })
    }

    async fn add_company_signature(
        &self,
        company: &OrganisationNumber,
        signature: SignatureRecord,
    ) -> Result<PendingCompanyRegistration, StoreError> {
        let mut transaction = self
            .begin_signed(&RecipientId::Organisation(company.clone()), &signature)
            .await?;
        let exists =
            sqlx::query("SELECT company FROM pending_company_registrations WHERE company = $1")
                .bind(company.as_str())
                .fetch_optional(&mut *transaction)
                .await
                .context("read pending registration")?;
        if exists.is_none() {
            return Err(StoreError::NotFound {
                what: "pending company registration",
            });
        }
        add_signature_in(&mut transaction, company, &signature).await?;
        transaction
            .commit()
            .await
            .context("commit company signature")?;
        // Read after commit, so of two signatories signing at once the later sees both.
        let mut connection = self.pool.acquire().await.context("acquire connection")?;
        required_pending(&mut connection, company).await
    }

    async fn cancel_company_registration(
        &self,
        company: &OrganisationNumber,
    ) -> Result<PendingCompanyRegistration, StoreError> {
        let mut transaction = begin_write(&self.pool, self.backend).await?;
        let cancelled = required_pending(&mut transaction, company).await?;
        delete_pending(&mut transaction, company).await?;
        sqlx::query("DELETE FROM profiles WHERE recipient = $1 AND status = $2")
            .bind(RecipientId::Organisation(company.clone()).to_wire())
            .bind(ProfileStatus::Pending.as_db())
            .execute(&mut *transaction)
            .await
            .context("delete pending profile")?;
        transaction.commit().await.context("commit cancellation")?;
        Ok(cancelled)
    }

    async fn complete_company_registration(
        &self,
        company: &OrganisationNumber,
        completed_at: OffsetDateTime,
        source: Option<RegistrationSource>,
    ) -> Result<ProfileRecord, StoreError> {
        let recipient = RecipientId::Organisation(company.clone());
        let mut transaction = begin_write(&self.pool, self.backend).await?;
        let request = required_pending(&mut transaction, company).await?;
        delete_pending(&mut transaction, company).await?;
        let before = read_profile(&mut transaction, &recipient).await?;
        sqlx::query(
            "INSERT INTO profiles (recipient, operator, kind, status, registered_at, \
             source_sender, source_campaign) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (recipient) DO UPDATE \
             SET operator = excluded.operator, status = excluded.status, \
             registered_at = excluded.registered_at, \
             source_sender = COALESCE(excluded.source_sender, profiles.source_sender), \
             source_campaign = COALESCE(excluded.source_campaign, profiles.source_campaign)",
        )
        .bind(recipient.to_wire())
        .bind(request.operator.as_str())
        .bind(ProfileKind::Company.as_db())
        .bind(ProfileStatus::Active.as_db())
        .bind(to_millis(completed_at))
        .bind(
            source
                .as_ref()
                .map(|source| source.sender.as_str().to_owned()),
        )
        .bind(campaign_text(source.as_ref()))
        .execute(&mut *transaction)
        .await
        .context("activate company profile")?;
        let stored = profile_in(&mut transaction, &recipient).await?;
        count_completion(&mut transaction, before.as_ref(), &stored, completed_at).await?;
        transaction
            .commit()
            .await
            .context("commit company registration")?;
        Ok(stored)
    }
}

async fn read_rule(
    connection: &mut AnyConnection,
    company: &OrganisationNumber,
) -> Result<Option<CompanySignatoryRule>, StoreError> {
    let key = [company.as_str()];
    let sql = "SELECT company_name, rule_text, signatures_required FROM company_signatory_rules \
         WHERE company = $1";
    let row = text_query(sql, &key).fetch_optional(&mut *connection).await;
    let Some(row) = row.context("read signatory rule")? else {
        return Ok(None);
    };
    let sql =
        "SELECT signatory, name FROM company_signatories WHERE company = $1 ORDER BY signatory";
    let signatory_rows = fetch_all_by(&mut *connection, sql, &key, "read signatories").await?;
    let signatories = signatory_rows
        .iter()
        .map(|row| {
            Ok(Signatory {
                id: get_parsed(row, "signatory", PersonalIdentityNumber::parse)?,
                name: get_text(row, "name")?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    let required: i64 = row
        .try_get("signatures_required")
        .context("read signatory rule")?;
    Ok(Some(CompanySignatoryRule {
        company: company.clone(),
        company_name: get_text(&row, "company_name")?,
        rule_text: get_text(&row, "rule_text")?,
        signatures_required: u32::try_from(required).unwrap_or(u32::MAX),
        signatories,
    }))
}

async fn add_signature_in(
    connection: &mut AnyConnection,
    company: &OrganisationNumber,
    signature: &SignatureRecord,
) -> Result<(), StoreError> {
    insert_signature(connection, signature).await?;
    let inserted = sqlx::query(
        "INSERT INTO pending_company_signatures (company, signatory, signature_id) \
         VALUES ($1, $2, $3) ON CONFLICT (company, signatory) DO NOTHING",
    )
    .bind(company.as_str())
    .bind(signature.signatory.as_str())
    .bind(signature.id.as_uuid().to_string())
    .execute(connection)
    .await
    .context("link company signature")?;
    if inserted.rows_affected() != 1 {
        return Err(StoreError::Conflict {
            what: "company signature",
        });
    }
    Ok(())
}

/// The company's pending registration; `NotFound` when there is none.
async fn required_pending(
    connection: &mut AnyConnection,
    company: &OrganisationNumber,
) -> Result<PendingCompanyRegistration, StoreError> {
    read_pending(connection, company)
        .await?
        .ok_or(StoreError::NotFound {
            what: "pending company registration",
        })
}

async fn read_pending(
    connection: &mut AnyConnection,
    company: &OrganisationNumber,
) -> Result<Option<PendingCompanyRegistration>, StoreError> {
    let key = [company.as_str()];
    let sql = "SELECT operator, agreement_text, requested_at FROM pending_company_registrations \
         WHERE company = $1";
    let row = text_query(sql, &key).fetch_optional(&mut *connection).await;
    let Some(row) = row.context("read pending registration")? else {
        return Ok(None);
    };
    let sql = "SELECT s.id, s.recipient, s.action, s.signatory, s.operator, s.agreement_text, \
         s.signature_base64, s.certificate, s.signed_at FROM pending_company_signatures c \
         JOIN signatures s ON s.id = c.signature_id WHERE c.company = $1 \
         ORDER BY s.signed_at, s.id";
    let context = "read company signatures";
    let signature_rows = fetch_all_by(&mut *connection, sql, &key, context).await?;
    let signatures = signature_rows
        .iter()
        .map(signature_from_row)
        .collect::<Result<_, _>>()?;
    Ok(Some(PendingCompanyRegistration {
        company: company.clone(),
        operator: get_parsed(&row, "operator", OrganisationNumber::parse)?,
        agreement_text: get_text(&row, "agreement_text")?,
        requested_at: get_time(&row, "requested_at")?,
        signatures,
        rule: read_rule(connection, company).await?,
    }))
}

/// A completed registration makes a new mailbox, or moves one the company already had
/// active at another operator.
async fn count_completion(
    connection: &mut AnyConnection,
    before: Option<&ProfileRecord>,
    stored: &ProfileRecord,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    match before {
        Some(before) if before.status == ProfileStatus::Active => {
            counters::count_move(connection, before, &before.operator, &stored.operator, at).await
        }
        _ => counters::count(connection, stored, &stored.operator, Change::Registered, at).await,
    }
}

async fn delete_pending(
    connection: &mut AnyConnection,
    company: &OrganisationNumber,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM pending_company_signatures WHERE company = $1")
        .bind(company.as_str())
        .execute(&mut *connection)
        .await
        .context("delete pending signatures")?;
    sqlx::query("DELETE FROM pending_company_registrations WHERE company = $1")
        .bind(company.as_str())
        .execute(connection)
        .await
        .context("delete pending registration")?;
    Ok(())
}
