//! The sender's brand first (issue 13 §1): what a deep link's landing shows above the operator
//! chooser — the sender's name, logo and one-line message (or, while the sender runs an A/B
//! test, the visitor's variant of it), the platform named as the service behind the
//! mailboxes, and other connected senders ("Du kan också få post från …") — and the logo
//! itself at `/avsandare/{organisation_number}/logotyp`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kuvert_core::campaign::CampaignCode;
use kuvert_core::id::OrganisationNumber;
use kuvert_core::limits::RELATED_SENDERS_SHOWN_MAX;
use kuvert_store::StoreError;
use kuvert_store::portal::network::{AbCampaignCode, SenderBrand, Variant};
use kuvert_web::i18n::Language;

use super::AppState;
use crate::domain::deep_link::DeepLink;
use crate::registry_client::ConnectedSender;
use crate::visits::VisitFacts;

/// The brand block of a landing, in the page's language.
pub(crate) struct BrandView {
    pub(crate) name: String,
    /// The one-line message (the A/B variant's while a test runs).
    pub(crate) message: Option<String>,
    /// `(src, alt)` of the logo.
    pub(crate) logo: Option<(String, String)>,
    pub(crate) service_line: &'static str,
    pub(crate) related_heading: &'static str,
    /// `(name, href)` of other connected senders.
    pub(crate) related: Vec<(String, String)>,
}

/// The brand block for a deep link naming a sender the registry lists, or `None`. Store
/// trouble costs the brand, never the page.
pub(crate) async fn brand_view(
    state: &AppState,
    deep_link: &DeepLink,
    facts: &VisitFacts,
    language: Language,
) -> Option<BrandView> {
    let sender = deep_link.sender.as_ref()?;
    let senders = state.registry.cached_senders()?;
    let known = senders
        .iter()
        .find(|known| &known.organisation_number == sender)?;
    let brand = state
        .network
        .brand(sender)
        .await
        .unwrap_or_else(|error| logged(&error, None));
    let variant_message = match ab_variant_message(state, sender, facts, language).await {
        Ok(message) => message,
        Err(error) => logged(&error, None),
    };
    let brand_message = brand.as_ref().map(|brand| match language {
        Language::Swedish => brand.message_sv.clone(),
        Language::English => brand.message_en.clone(),
    });
    Some(BrandView {
        name: known.name.clone(),
        message: variant_message.or(brand_message),
        logo: brand.as_ref().and_then(|brand| logo_of(brand, language)),
        service_line: match language {
            Language::Swedish => {
                "Posten kommer till din digitala brevlåda genom Mina meddelanden, den gemensamma \
                 tjänsten bakom de digitala brevlådorna."
            }
            Language::English => {
                "Mail reaches your digital mailbox through Mina meddelanden, the common service \
                 behind the digital mailboxes."
            }
        },
        related_heading: match language {
            Language::Swedish => "Du kan också få post från",
            Language::English => "You can also get mail from",
        },
        related: related_senders(state, sender, &senders, language).await,
    })
}

/// The message of the visitor's variant of the sender's running A/B test (assigning one and
/// counting the view), or `None` when no test runs.
async fn ab_variant_message(
    state: &AppState,
    sender: &OrganisationNumber,
    facts: &VisitFacts,
    language: Language,
) -> Result<Option<String>, StoreError> {
    let Some(test) = state.network.running_ab_test(sender).await? else {
        return Ok(None);
    };
    let (day, visitor) = state.visits.visitor_today(facts).await?;
    let variant: Variant = state
        .network
        .assign_ab_variant(&test, day, &visitor)
        .await?;
    let texts = test.texts(variant);
    Ok(Some(match language {
        Language::Swedish => texts.sv.clone(),
        Language::English => texts.en.clone(),
    }))
}

/// Counts an operator choice for the visitor's variant when the deep link's sender runs an A/B
/// test, and returns the test's id and the variant, for the sign-up's source
/// ([`signup_source`]): so the registration the operator reports is counted per variant as
/// the visit was, without a cookie, from the same daily visitor key. Counting never stands
/// between a person and their sign-up (`None` then).
pub(crate) async fn record_ab_choice(
    state: &AppState,
    deep_link: &DeepLink,
    facts: &VisitFacts,
) -> Option<(String, Variant)> {
    let sender = deep_link.sender.as_ref()?;
    let counted = async {
        let Some(test) = state.network.running_ab_test(sender).await? else {
            return Ok(None);
        };
        let (day, visitor) = state.visits.visitor_today(facts).await?;
        let variant = state.network.record_ab_choice(&test, day, &visitor).await?;
        Ok::<_, StoreError>(variant.map(|variant| (test.id, variant)))
    };
    counted.await.unwrap_or_else(|error| logged(&error, None))
}

/// The campaign code a sign-up carries as its source: the link's campaign without an A/B
/// variant; the variant's code ([`variant_code`]) when the link names no campaign; and when
/// it names a campaign the portal knows and a variant was shown, a code standing for both
/// ([`campaign_variant_code`], recorded in the store), so the registration is counted for the
/// campaign and for the variant alike. A campaign nobody created keeps its own code; store
/// trouble costs the variant's count, never the campaign's.
pub(crate) async fn signup_source(
    state: &AppState,
    campaign: Option<CampaignCode>,
    choice: Option<(String, Variant)>,
) -> Option<CampaignCode> {
    let Some((test_id, variant)) = choice else {
        return campaign;
    };
    let Some(campaign) = campaign else {
        return variant_code(&test_id, variant);
    };
    let combined = async {
        if state.visits.store().campaign(&campaign).await?.is_none() {
            return Ok(None);
        }
        let Some(code) = campaign_variant_code(&test_id, variant, &campaign) else {
            return Ok(None);
        };
        let recorded = AbCampaignCode {
            code,
            test_id: test_id.clone(),
            variant,
            campaign: campaign.clone(),
        };
        state.network.record_ab_campaign_code(&recorded).await?;
        Ok::<_, StoreError>(Some(recorded.code))
    };
    let combined = combined.await.unwrap_or_else(|error| logged(&error, None));
    Some(combined.unwrap_or(campaign))
}

/// The campaign code a variant's registrations are reported under: `AB-` and the last twelve
/// hex digits of the test's id (its random part), `-A` or `-B`; `None` for an id too short.
pub(crate) fn variant_code(test_id: &str, variant: Variant) -> Option<CampaignCode> {
    let hex: String = test_id.chars().filter(char::is_ascii_hexdigit).collect();
    let tail = hex.get(hex.len().checked_sub(12)?..)?;
    CampaignCode::parse(&format!("AB-{tail}-{}", variant.as_str())).ok()
}

/// The code of a registration through both `campaign` and a variant: the variant's code, `-`
/// and the first ten hex digits of SHA-256 over the campaign's code (28 characters, within a
/// campaign code's 32). The store keeps what it stands for.
pub(crate) fn campaign_variant_code(
    test_id: &str,
    variant: Variant,
    campaign: &CampaignCode,
) -> Option<CampaignCode> {
    let of_variant = variant_code(test_id, variant)?;
    let digest =
        aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, campaign.as_str().as_bytes());
    let hex: String = digest.as_ref()[..5]
        .iter()
        .map(|byte| format!("{byte:02X}"))
        .collect();
    CampaignCode::parse(&format!("{}-{hex}", of_variant.as_str())).ok()
}

/// Other connected senders, those with a brand on the portal first (they take part in the
/// network), at most [`RELATED_SENDERS_SHOWN_MAX`].
async fn related_senders(
    state: &AppState,
    sender: &OrganisationNumber,
    senders: &Arc<Vec<ConnectedSender>>,
    language: Language,
) -> Vec<(String, String)> {
    let branded = state
        .network
        .branded_senders()
        .await
        .unwrap_or_else(|error| logged(&error, Vec::new()));
    let mut others: Vec<&ConnectedSender> = senders
        .iter()
        .filter(|other| &other.organisation_number != sender)
        .collect();
    others.sort_by_key(|other| !branded.contains(&other.organisation_number));
    let lang = match language {
        Language::Swedish => "",
        Language::English => "&lang=en",
    };
    others
        .into_iter()
        .take(RELATED_SENDERS_SHOWN_MAX)
        .map(|other| {
            let number = other.organisation_number.as_str();
            (
                other.name.clone(),
                format!("/skaffa?avsandare={number}{lang}"),
            )
        })
        .collect()
}

fn logo_of(brand: &SenderBrand, language: Language) -> Option<(String, String)> {
    let logo = brand.logo.as_ref()?;
    let alt = match language {
        Language::Swedish => &logo.alt_sv,
        Language::English => &logo.alt_en,
    };
    let src = format!("/avsandare/{}/logotyp", brand.sender.as_str());
    Some((src, alt.clone()))
}

/// `/avsandare/{organisation_number}/logotyp`: the stored (checked) logo. An SVG is served
/// with a policy that forbids script and every outside request, besides being sanitised.
pub(super) async fn logo(
    State(state): State<AppState>,
    Path(organisation_number): Path<String>,
) -> Response {
    let Ok(sender) = OrganisationNumber::parse(&organisation_number) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match state.network.brand(&sender).await {
        Ok(Some(SenderBrand {
            logo: Some(logo), ..
        })) => (
            [
                (header::CONTENT_TYPE, logo.media_type.as_str()),
                (
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'none'; style-src 'unsafe-inline'; sandbox",
                ),
                (header::CACHE_CONTROL, "public, max-age=300"),
            ],
            logo.bytes,
        )
            .into_response(),
        Ok(_) => StatusCode::NOT_FOUND.into_response(),
        Err(error) => logged(&error, StatusCode::SERVICE_UNAVAILABLE.into_response()),
    }
}

fn logged<T>(error: &StoreError, fallback: T) -> T {
    tracing::error!(
        error = %kuvert_core::report::error_chain(error),
        "the communicators' network store failed"
    );
    fallback
}

#[cfg(test)]
mod tests;
