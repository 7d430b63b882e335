//! e-ID for Kuvert: logging people in, checking their signatures, and a test e-ID provider.
//!
//! * [`OidcClient`] is the OpenID Connect relying party that operators and the portal use to
//!   log a person in (authorisation code + PKCE + nonce) and learn their personnummer from the
//!   Swedish OIDC profile claim, as an [`AuthenticatedPerson`].
//! * [`signature`] holds [`SignatureData`], the person's e-ID signature that confirms a profile
//!   change in the registry (PROTOCOL.md §5.1, §7, §8), with [`sign_text`] and
//!   [`verify_signature_data`] (certificate chain to the e-ID CA, then the RSA signature).
//! * [`TestEidProvider`] is an axum router that plays BankID in the demo and in tests: an
//!   OpenID provider with made-up persons and a signing service. It is only ever enabled when
//!   configured, and every page says it is for testing only.
//!
//! **Invariants:** a person's identity comes only from a verified id_token or userinfo
//! response of the configured provider, or from a certificate that chains to a trusted e-ID
//! CA; the pieces of a login attempt (state, PKCE verifier, nonce) never reach the browser.

pub mod oidc;
pub mod provider;
pub mod signature;

pub use oidc::{
    AuthenticatedPerson, AuthorizationResponse, EidError, JwksRefresh, LoginFailure, LoginStart,
    OidcClient, PendingLogin, RelyingParty, RelyingPartyConfig,
};
pub use provider::{TestEidConfig, TestEidProvider};
pub use signature::{
    EidSignatureError, EidSigner, SignatureData, sign_text, verify_signature_data,
};

use base64::Engine as _;

/// 32 random bytes, base64url without padding: codes, tokens and nonces.
fn random_token() -> String {
    let mut bytes = [0_u8; 32];
    // The system random source failing means the platform cannot make secrets at all; no
    // token may be issued then.
    aws_lc_rs::rand::fill(&mut bytes).expect("system random source must work");
    base64url(&bytes)
}

fn base64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
