//! Shared HTTP plumbing: TLS and mutual TLS listeners, peer certificate identity, layout, i18n, sessions, CSRF, security headers, metrics, health
