//! Integration tests of kuvert-eid: logins over real HTTP against the test provider (and npm
//! `oidc-provider` when available), the provider's `/token` checks, and e-ID signatures.
#![allow(clippy::unwrap_used)]

mod harness;
mod key_rotation;
mod login;
mod oidc_provider_npm;
mod pki;
mod relying_party;
mod signatures;
mod token_endpoint;
mod with_kuvert_pki;
