//! Test-only access to the real outside programs that `.ci/run` installs and starts.
//!
//! Tests that need a real PostgreSQL, SMTP server, OIDC provider, browser or an independent
//! XML-DSig oracle ask for it here by the name of its `KUVERT_TEST_<NAME>` variable. When the
//! variable is unset the test prints why it skips and returns early; under
//! `KUVERT_REQUIRE_ALL=1` (set by `.ci/run`) a missing variable fails the test instead, so a
//! green CI can never hide a skipped check.
//!
//! The variables `.ci/run` exports (see `.ci/services.sh`):
//!
//! | variable | what it points at |
//! |---|---|
//! | `KUVERT_TEST_PYTHON` | a venv Python with the oracles (see below) |
//! | `KUVERT_TEST_XMLSEC1` | the Debian `xmlsec1` command |
//! | `KUVERT_TEST_PG_URL` | a PostgreSQL server URL whose user may create databases |
//! | `KUVERT_TEST_SMTP` | `host:port` of a real SMTP server (aiosmtpd) |
//! | `KUVERT_TEST_SMTP_MAILDIR` | the Maildir that SMTP server delivers into |
//! | `KUVERT_TEST_OIDC_ISSUER` | issuer URL of npm `oidc-provider` (dynamic registration on) |
//! | `KUVERT_TEST_CHROMIUM` | the Chromium executable |
//! | `KUVERT_TEST_NODE_MODULES` | a `node_modules` with `playwright-core` and `axe-core` |
//!
//! The Python venv holds `lxml`, `signxml`, `xmlsec`, `xmlschema`, `zeep` and `aiosmtpd`.
//!
//! It also holds what every web suite needs to walk pages as a browser without JavaScript
//! would: [`browser::Browser`] (cookies, forms, redirects, the test e-ID's person picker) and
//! [`html_form`] (a page's form action and hidden fields).

use std::path::PathBuf;

pub mod browser;
pub mod html_form;

/// The value of `KUVERT_TEST_<name>`, or `None` after printing why the calling test skips.
///
/// `purpose` says in a few words what the test would have checked, for the skip message.
///
/// # Panics
/// When the variable is unset and `KUVERT_REQUIRE_ALL=1`: a required check must not skip.
#[must_use]
pub fn external(name: &str, purpose: &str) -> Option<String> {
    let variable = format!("KUVERT_TEST_{name}");
    match read_env(&variable) {
        Some(value) if !value.is_empty() => Some(value),
        _ if is_required() => {
            panic!("{variable} is not set but KUVERT_REQUIRE_ALL=1: cannot check {purpose}")
        }
        _ => {
            eprintln!("skipping: {variable} is not set, so this test cannot check {purpose}");
            None
        }
    }
}

/// Like [`external`], for a variable that names a file or program.
#[must_use]
pub fn external_path(name: &str, purpose: &str) -> Option<PathBuf> {
    external(name, purpose).map(PathBuf::from)
}

/// Whether `KUVERT_REQUIRE_ALL=1`: every external check must run.
#[must_use]
pub fn is_required() -> bool {
    read_env("KUVERT_REQUIRE_ALL").as_deref() == Some("1")
}

/// Whether `KUVERT_TEST_LOG=1`: tests should print their tracing output.
#[must_use]
pub fn is_logging() -> bool {
    read_env("KUVERT_TEST_LOG").as_deref() == Some("1")
}

/// The one place this crate reads the environment.
#[allow(clippy::disallowed_methods)]
fn read_env(variable: &str) -> Option<String> {
    std::env::var(variable).ok()
}
