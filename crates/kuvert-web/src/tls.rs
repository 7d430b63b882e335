//! rustls set-up: the process-wide crypto provider and server configurations built from PEM.
//!
//! rustls panics when a TLS object is built without a provider installed, so every entry point
//! that makes one calls [`install_crypto_provider`] first.

use std::io::BufReader;
use std::sync::Arc;

use rustls::RootCertStore;
use rustls::crypto::CryptoProvider;
use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use secrecy::{ExposeSecret, SecretString};

use kuvert_xmldsig::revocation::CrlSet;

use crate::WebError;
use crate::client_verifier::CheckedClientVerifier;

/// Installs aws-lc-rs as the process's rustls crypto provider. Calling it again, or after
/// another part installed the same provider, does nothing.
pub fn install_crypto_provider() {
    // `install_default` fails only when a provider is already installed, which is the state
    // this function exists to reach.
    let _already_installed = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

/// The provider all Kuvert TLS configurations use.
pub(crate) fn provider() -> Arc<CryptoProvider> {
    install_crypto_provider();
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// A server configuration presenting `chain_pem`, asking for a client certificate issued by
/// `client_ca_pem` when that is given, in the profile's usage and not revoked by `crls`
/// ([`CheckedClientVerifier`]). ALPN offers HTTP/2 and HTTP/1.1.
pub(crate) fn server_config(
    chain_pem: &str,
    key_pem: &SecretString,
    client_ca_pem: Option<&str>,
    crls: Option<CrlSet>,
) -> Result<rustls::ServerConfig, WebError> {
    let chain = certificates(chain_pem, "listener certificate chain")?;
    let key = private_key(key_pem)?;
    let builder = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(WebError::Tls)?;
    let builder = match client_ca_pem {
        None => builder.with_no_client_auth(),
        Some(client_ca_pem) => {
            let roots = root_store(client_ca_pem, "client CA")?;
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
                .build()
                .map_err(WebError::ClientVerifier)?;
            builder.with_client_cert_verifier(Arc::new(CheckedClientVerifier::new(verifier, crls)))
        }
    };
    let mut config = builder
        .with_single_cert(chain, key)
        .map_err(WebError::Tls)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// Every `CERTIFICATE` block of `pem`; at least one.
pub(crate) fn certificates(
    pem: &str,
    what: &'static str,
) -> Result<Vec<CertificateDer<'static>>, WebError> {
    let certificates = rustls_pemfile::certs(&mut BufReader::new(pem.as_bytes()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| WebError::Pem {
            what,
            reason: error.to_string(),
        })?;
    if certificates.is_empty() {
        return Err(WebError::Pem {
            what,
            reason: "no CERTIFICATE block".to_owned(),
        });
    }
    Ok(certificates)
}

fn root_store(pem: &str, what: &'static str) -> Result<RootCertStore, WebError> {
    let mut roots = RootCertStore::empty();
    for certificate in certificates(pem, what)? {
        roots.add(certificate).map_err(WebError::Tls)?;
    }
    Ok(roots)
}

fn private_key(pem: &SecretString) -> Result<PrivateKeyDer<'static>, WebError> {
    let what = "listener private key";
    rustls_pemfile::private_key(&mut BufReader::new(pem.expose_secret().as_bytes()))
        .map_err(|error| WebError::Pem {
            what,
            reason: error.to_string(),
        })?
        .ok_or(WebError::Pem {
            what,
            reason: "no PRIVATE KEY block".to_owned(),
        })
}
