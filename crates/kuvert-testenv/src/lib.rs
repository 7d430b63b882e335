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
//! | `KUVERT_TEST_SMTP_TLS` | `host:port` of an SMTP server that requires STARTTLS (same Maildir) |
//! | `KUVERT_TEST_SMTP_TLS_CA` | the PEM CA of that server's certificate (made at each start) |
//! | `KUVERT_TEST_OIDC_ISSUER` | issuer URL of npm `oidc-provider` (dynamic registration on) |
//! | `KUVERT_TEST_CHROMIUM` | the Chromium executable |
//! | `KUVERT_TEST_NODE_MODULES` | a `node_modules` with `playwright-core` and `axe-core` |
//! | `KUVERT_TEST_MM_SCHEMAS` | the real Mina meddelanden contracts and samples (see below) |
//! | `KUVERT_TEST_S3_ENDPOINT` | a real S3 server (Garage; [`s3_bucket`]) |
//! | `KUVERT_TEST_S3_BUCKET`, `_REGION` | a bucket there and its region |
//! | `KUVERT_TEST_S3_ACCESS_KEY`, `_SECRET_KEY` | a key that may read and write the bucket |
//! | `KUVERT_TEST_PG_TLS_URL` | the PostgreSQL server with `sslmode=verify-full&sslrootcert=…` |
//! | `KUVERT_TEST_PG_ROOT_CERT` | the CA that signed its TLS certificate |
//! | `KUVERT_TEST_PDFTOTEXT`, `_PDFTOPPM` | poppler-utils: a PDF's text, its pages as PNG |
//! | `KUVERT_TEST_ZBARIMG` | Debian's zbar-tools: the QR codes in an image |
//! | `KUVERT_TEST_FEDERATION` | where the test federation keeps its state ([`federation_layout`]) |
//!
//! The contracts (WSDL, XSD) and real signed samples are not part of the repository (their
//! origins are in `PROVENANCE.md` beside them). [`mm_schemas`] finds them: the folder
//! `KUVERT_TEST_MM_SCHEMAS` names, or else `../shared/mm-schemas` beside the workspace when it
//! exists. A clone of the repository alone therefore compiles and passes, and says which
//! checks it skipped for want of them.
//!
//! Skip notes go straight to the process's standard error, past the test harness's output
//! capture, so that a plain `cargo test` lists every check it skipped.
//!
//! The Python venv holds `lxml`, `signxml`, `xmlsec`, `xmlschema`, `zeep` and `aiosmtpd`.
//!
//! It also holds what every web suite needs to walk pages as a browser without JavaScript
//! would: [`browser::Browser`] (cookies, forms, redirects, the test e-ID's person picker) and
//! [`html_form`] (a page's form action and hidden fields).

use std::io::Write;
use std::path::{Path, PathBuf};

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
            skip(&format!(
                "{variable} is not set, so this test cannot check {purpose}"
            ));
            None
        }
    }
}

/// A real S3 server's bucket and key, from the `KUVERT_TEST_S3_*` variables.
#[derive(Debug, Clone)]
pub struct S3Bucket {
    /// `KUVERT_TEST_S3_ENDPOINT`: the server's URL (plain HTTP on loopback in CI).
    pub endpoint: String,
    /// `KUVERT_TEST_S3_BUCKET`.
    pub bucket: String,
    /// `KUVERT_TEST_S3_REGION`.
    pub region: String,
    /// `KUVERT_TEST_S3_ACCESS_KEY`.
    pub access_key: String,
    /// `KUVERT_TEST_S3_SECRET_KEY`.
    pub secret_key: String,
}

/// The test S3 bucket, or `None` after printing why the calling test skips (the same rule as
/// [`external`], on `KUVERT_TEST_S3_ENDPOINT`; the other four must then be set too).
///
/// # Panics
/// When the endpoint is unset and `KUVERT_REQUIRE_ALL=1`, or it is set without the others.
#[must_use]
pub fn s3_bucket(purpose: &str) -> Option<S3Bucket> {
    let endpoint = external("S3_ENDPOINT", purpose)?;
    let part = |name: &str| {
        let variable = format!("KUVERT_TEST_S3_{name}");
        read_env(&variable)
            .filter(|value| !value.is_empty())
            .unwrap_or_else(|| panic!("KUVERT_TEST_S3_ENDPOINT is set but {variable} is not"))
    };
    Some(S3Bucket {
        endpoint,
        bucket: part("BUCKET"),
        region: part("REGION"),
        access_key: part("ACCESS_KEY"),
        secret_key: part("SECRET_KEY"),
    })
}

/// The variable naming the folder of the real Mina meddelanden contracts and samples.
pub const MM_SCHEMAS_VARIABLE: &str = "KUVERT_TEST_MM_SCHEMAS";

/// Where the contracts and samples are looked for when [`MM_SCHEMAS_VARIABLE`] is unset:
/// `../shared/mm-schemas` beside the workspace root.
#[must_use]
pub fn default_mm_schemas() -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    // crates/kuvert-testenv -> crates -> the workspace -> the folder that holds it.
    let beside_workspace = crate_dir.ancestors().nth(3).unwrap_or(crate_dir);
    beside_workspace.join("shared/mm-schemas")
}

/// The folder of the real Mina meddelanden contracts and samples, or `None` after printing
/// why the calling test skips.
///
/// The folder is `KUVERT_TEST_MM_SCHEMAS` when set, else [`default_mm_schemas`] when that
/// exists. `purpose` says in a few words what the test would have checked.
///
/// # Panics
/// When `KUVERT_TEST_MM_SCHEMAS` names something that is not a folder (a mistake to report,
/// not a reason to skip), or when no folder is found and `KUVERT_REQUIRE_ALL=1`.
#[must_use]
pub fn mm_schemas(purpose: &str) -> Option<PathBuf> {
    let found = find_mm_schemas(read_env(MM_SCHEMAS_VARIABLE), &default_mm_schemas());
    match found {
        Ok(folder) => Some(folder),
        Err(MmSchemasMissing::NotAFolder(folder)) => panic!(
            "{MM_SCHEMAS_VARIABLE}={} is not a folder: cannot check {purpose}",
            folder.display()
        ),
        Err(MmSchemasMissing::Unset(default)) => {
            let why = format!(
                "{MM_SCHEMAS_VARIABLE} is not set and {} does not exist, so this test cannot \
                 check {purpose} against the real Mina meddelanden samples",
                default.display()
            );
            if is_required() {
                panic!("{why}, but KUVERT_REQUIRE_ALL=1");
            }
            skip(&why);
            None
        }
    }
}

/// The folder of the MM v3 WSDLs and their XSDs (eduID's copy) inside the contracts' folder,
/// or `None` after printing why the calling test skips; see [`mm_schemas`].
#[must_use]
pub fn mm_wsdl(purpose: &str) -> Option<PathBuf> {
    mm_schemas(purpose).map(|folder| folder.join(MM_WSDL_DIR))
}

/// Where the v3 WSDLs and XSDs lie in the contracts' folder.
pub const MM_WSDL_DIR: &str = "SUNET-eduid-mm-service/src/main/resources/META-INF/wsdl";

/// Why [`find_mm_schemas`] found no folder.
#[derive(Debug, PartialEq, Eq)]
enum MmSchemasMissing {
    /// The variable names this path, which is not a folder.
    NotAFolder(PathBuf),
    /// The variable is unset and this default folder does not exist.
    Unset(PathBuf),
}

/// The contracts' folder from the variable's `value` or else `default`.
fn find_mm_schemas(value: Option<String>, default: &Path) -> Result<PathBuf, MmSchemasMissing> {
    match value.filter(|value| !value.is_empty()) {
        Some(value) if Path::new(&value).is_dir() => Ok(PathBuf::from(value)),
        Some(value) => Err(MmSchemasMissing::NotAFolder(PathBuf::from(value))),
        None if default.is_dir() => Ok(default.to_path_buf()),
        None => Err(MmSchemasMissing::Unset(default.to_path_buf())),
    }
}

/// Tells the person running the tests that the current test skips a check, and why.
///
/// Written to the process's standard error directly, not through `eprintln!`, which the test
/// harness captures and shows only for failing tests: a skip must be seen in a passing run.
pub fn skip(why: &str) {
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("a test");
    let line = format!("skipping {test}: {why}\n");
    // A note that cannot be written changes nothing the test checks.
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
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

/// A test's size from `KUVERT_TEST_<name>` (e.g. more letters for a longer local run), or
/// `default` when unset.
///
/// # Panics
/// When the variable is set but is not a whole number: a mistyped size must not pass as the
/// default.
#[must_use]
pub fn size(name: &str, default: usize) -> usize {
    let variable = format!("KUVERT_TEST_{name}");
    read_env(&variable).map_or(default, |value| {
        value
            .parse()
            .unwrap_or_else(|_| panic!("{variable}={value:?} is not a whole number"))
    })
}

/// Where the test federation keeps its state (`KUVERT_TEST_FEDERATION`), so one suite can run
/// on each: `sqlite` (SQLite files and local folders, whatever else is set), `postgres-s3`
/// (PostgreSQL and the S3 bucket, both then required), unset for the default (PostgreSQL
/// when `KUVERT_TEST_PG_URL` is set, else SQLite; local folders).
///
/// # Panics
/// On any other value: a typo must not quietly test the default.
#[must_use]
pub fn federation_layout() -> FederationLayout {
    match read_env("KUVERT_TEST_FEDERATION").as_deref() {
        None | Some("") => FederationLayout::Default,
        Some("sqlite") => FederationLayout::Sqlite,
        Some("postgres-s3") => FederationLayout::PostgresS3,
        Some(other) => {
            panic!("KUVERT_TEST_FEDERATION={other}: expected sqlite or postgres-s3")
        }
    }
}

/// See [`federation_layout`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FederationLayout {
    /// PostgreSQL when `KUVERT_TEST_PG_URL` is set, else SQLite; letters in local folders.
    Default,
    /// SQLite files and local folders.
    Sqlite,
    /// PostgreSQL and the S3 bucket of `KUVERT_TEST_S3_*`.
    PostgresS3,
}

/// The one place this crate reads the environment.
#[allow(clippy::disallowed_methods)]
fn read_env(variable: &str) -> Option<String> {
    std::env::var(variable).ok()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{MmSchemasMissing, find_mm_schemas};

    #[test]
    fn mm_schemas_come_from_the_variable_then_the_default_folder() {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let nowhere = here.join("no-such-folder");
        let variable = Some(here.display().to_string());
        assert_eq!(find_mm_schemas(variable, &nowhere), Ok(here.to_path_buf()));
        assert_eq!(find_mm_schemas(None, here), Ok(here.to_path_buf()));
        assert_eq!(
            find_mm_schemas(Some(String::new()), here),
            Ok(here.to_path_buf())
        );
        assert_eq!(
            find_mm_schemas(None, &nowhere),
            Err(MmSchemasMissing::Unset(nowhere.clone()))
        );
        let file = here.join("Cargo.toml");
        assert_eq!(
            find_mm_schemas(Some(file.display().to_string()), here),
            Err(MmSchemasMissing::NotAFolder(file))
        );
    }
}
