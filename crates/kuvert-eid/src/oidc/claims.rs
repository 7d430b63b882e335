//! The Swedish OIDC profile claim and the openidconnect client types that carry it.
//!
//! The "Swedish OpenID Connect Profile" (id.oidc.se) names a person by the claim
//! `https://id.oidc.se/claim/personalIdentityNumber`, requested through the scope
//! `https://id.oidc.se/scope/naturalPersonNumber`. openidconnect parses extra claims through an
//! `AdditionalClaims` type, so the client, token and userinfo types are spelled out here once.

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreRevocableToken,
    CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, Client, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet,
    IdTokenFields, StandardErrorResponse, StandardTokenResponse, UserInfoClaims,
};
use serde::{Deserialize, Serialize};

/// The claim that carries the personnummer (Swedish OIDC profile, section 3.1).
pub const PERSONAL_IDENTITY_NUMBER_CLAIM: &str = "https://id.oidc.se/claim/personalIdentityNumber";

/// The scope that asks the provider for [`PERSONAL_IDENTITY_NUMBER_CLAIM`].
pub const NATURAL_PERSON_NUMBER_SCOPE: &str = "https://id.oidc.se/scope/naturalPersonNumber";

/// The Swedish claims Kuvert reads besides the standard ones.
///
/// The value stays a string here: it is parsed into `PersonalIdentityNumber` by the caller,
/// so a malformed value gives a specific error instead of a generic JSON failure.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub(crate) struct SwedishClaims {
    #[serde(
        rename = "https://id.oidc.se/claim/personalIdentityNumber",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) personal_identity_number: Option<String>,
}

impl AdditionalClaims for SwedishClaims {}

pub(crate) type SwedishTokenResponse = StandardTokenResponse<
    IdTokenFields<
        SwedishClaims,
        EmptyExtraTokenFields,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >,
    CoreTokenType,
>;

pub(crate) type SwedishIdToken = openidconnect::IdToken<
    SwedishClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

pub(crate) type SwedishUserInfoClaims = UserInfoClaims<SwedishClaims, CoreGenderClaim>;

/// The client as built from discovery: authorisation endpoint set, token and userinfo
/// endpoints present when the provider announced them.
pub(crate) type SwedishClient = Client<
    SwedishClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    SwedishTokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;
