//! Role tests of the registry: every request goes over real mutual TLS on 127.0.0.1:0 with
//! certificates from `kuvert-pki`, so the caller is always the organisation of a verified
//! client certificate (`kuvert_web::PeerCertificate` can only be inserted by `serve`).
//! Requests without a certificate go through `Service::router()` with `oneshot`.
#![allow(clippy::unwrap_used)]

mod authority;
mod faults;
mod harness;
mod recipient;
mod replay;
mod rest;
mod start;
mod statistics;
