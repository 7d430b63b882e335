//! e-ID: OIDC relying party, e-ID signature checks, and the test e-ID provider
