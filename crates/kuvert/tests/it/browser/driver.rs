//! The Rust side of `tools/node/browser/run.mjs`: walks are written here as JSON steps, one
//! node process (one Chromium) runs them all, and its JSON result is read back into types the
//! tests assert on. The step shapes and result fields are documented at the top of `run.mjs`.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Value, json};

/// The driver script, from the repository root.
const RUN_MJS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tools/node/browser/run.mjs"
);

/// Chromium and the node modules the driver needs (`KUVERT_TEST_CHROMIUM`,
/// `KUVERT_TEST_NODE_MODULES`).
pub(crate) struct Chromium {
    executable: String,
    node_modules: String,
}

impl Chromium {
    /// Both variables, or `None` after `kuvert_testenv::external` said why the test skips.
    pub(crate) fn from_env(purpose: &str) -> Option<Self> {
        let executable = kuvert_testenv::external("CHROMIUM", purpose)?;
        let node_modules = kuvert_testenv::external("NODE_MODULES", purpose)?;
        Some(Self {
            executable,
            node_modules,
        })
    }

    /// Runs `walks` in one Chromium; returns one result per walk, in order.
    pub(crate) async fn run(&self, walks: Vec<Walk>) -> Vec<WalkResult> {
        let dir = tempfile::tempdir().unwrap();
        let scenario_path = dir.path().join("scenario.json");
        let result_path = dir.path().join("result.json");
        let scenario = json!({ "timeout_ms": 20_000, "walks": walks });
        std::fs::write(
            &scenario_path,
            serde_json::to_vec_pretty(&scenario).unwrap(),
        )
        .unwrap();
        let executable = self.executable.clone();
        let node_modules = self.node_modules.clone();
        let paths = (scenario_path, result_path.clone());
        let output = tokio::task::spawn_blocking(move || node(&executable, &node_modules, &paths))
            .await
            .unwrap();
        assert!(
            output.status.success(),
            "the browser driver failed: {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let result: DriverResult =
            serde_json::from_slice(&std::fs::read(&result_path).unwrap()).unwrap();
        assert_eq!(result.walks.len(), walks.len(), "one result per walk");
        result.walks
    }
}

fn node(executable: &str, node_modules: &str, paths: &(PathBuf, PathBuf)) -> std::process::Output {
    let (scenario, result) = paths;
    std::process::Command::new("node")
        .arg(Path::new(RUN_MJS))
        .arg(scenario)
        .arg(result)
        .env("KUVERT_TEST_CHROMIUM", executable)
        .env("KUVERT_TEST_NODE_MODULES", node_modules)
        .output()
        .expect("node runs (Node.js 20 or later on PATH)")
}

/// One walk: a fresh browser (no cookies) doing `steps` in order.
#[derive(Debug, serde::Serialize)]
pub(crate) struct Walk {
    pub(crate) name: String,
    pub(crate) steps: Vec<Value>,
}

impl Walk {
    pub(crate) fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            steps: Vec::new(),
        }
    }

    /// Adds `step` (built by the functions below).
    pub(crate) fn then(mut self, step: Value) -> Self {
        self.steps.push(step);
        self
    }

    /// Adds every step of `steps`.
    pub(crate) fn then_all(mut self, steps: impl IntoIterator<Item = Value>) -> Self {
        self.steps.extend(steps);
        self
    }
}

/// Opens `url`.
pub(crate) fn goto(url: &str) -> Value {
    json!({ "goto": url })
}

/// Clicks the link (not a button) named `name`.
pub(crate) fn link(name: &str) -> Value {
    json!({ "click": name, "role": "link" })
}

/// Clicks the link named `name` within the first element matching the CSS `selector`
/// (`header` for the menu, `main` for the page's own links).
pub(crate) fn link_in(selector: &str, name: &str) -> Value {
    json!({ "click": name, "role": "link", "in": selector })
}

/// Clicks the button (not a link) named `name`.
pub(crate) fn button(name: &str) -> Value {
    json!({ "click": name, "role": "button" })
}

/// Types `value` into the field labelled `label`.
pub(crate) fn fill(label: &str, value: &str) -> Value {
    json!({ "fill": label, "value": value })
}

/// Fills the one form field (text, date, number) whose label starts with `label_start`: for
/// labels that also hold a hint or a problem, and for date fields (not text boxes).
pub(crate) fn fill_field(label_start: &str, value: &str) -> Value {
    json!({ "fill_field": label_start, "value": value })
}

/// Ticks the checkbox or radio button whose label contains `label`.
pub(crate) fn check(label: &str) -> Value {
    json!({ "check": label })
}

/// Chooses the option shown as `option` in the list labelled `label`.
pub(crate) fn select(label: &str, option: &str) -> Value {
    json!({ "select": label, "option": option })
}

/// Types `text` into the focused element, key by key.
pub(crate) fn type_text(text: &str) -> Value {
    json!({ "type": text })
}

/// Presses `key` (Playwright names: `Enter`, `Space`) on a link or button, which opens
/// another page.
pub(crate) fn press_to_page(key: &str) -> Value {
    json!({ "press": key, "navigates": true })
}

/// Presses Tab until the element named `name` has focus.
pub(crate) fn tab_to(name: &str) -> Value {
    json!({ "tab_to": name })
}

/// Presses the down arrow until the element named `name` has focus (within a radio group,
/// which is one Tab stop).
pub(crate) fn arrow_to(name: &str) -> Value {
    json!({ "arrow_to": name })
}

/// The page shows `text`.
pub(crate) fn expect_text(text: &str) -> Value {
    json!({ "expect_text": text })
}

/// The page's path and query are `path`.
pub(crate) fn expect_path(path: &str) -> Value {
    json!({ "expect_path": path })
}

/// Clicks `name` and expects a download.
pub(crate) fn download(name: &str) -> Value {
    json!({ "download": name })
}

/// Presses `key` on the focused element and expects a download.
pub(crate) fn download_key(key: &str) -> Value {
    json!({ "download_key": key })
}

#[derive(Debug, Deserialize)]
struct DriverResult {
    walks: Vec<WalkResult>,
}

/// What one walk saw.
#[derive(Debug, Deserialize)]
pub(crate) struct WalkResult {
    pub(crate) name: String,
    /// The pages first seen in this walk (a page already checked in an earlier walk is not
    /// checked again).
    pub(crate) pages: Vec<PageResult>,
    /// The cookies the browser held at the end of the walk.
    pub(crate) cookies: Vec<Cookie>,
    /// Every `Set-Cookie` header the browser received.
    pub(crate) set_cookies: Vec<SetCookie>,
    pub(crate) downloads: Vec<Download>,
    pub(crate) focus_stops: Vec<FocusStop>,
    /// What the browser itself complained about (with script off, no page script speaks).
    pub(crate) console: Vec<ConsoleMessage>,
    pub(crate) errors: Vec<StepError>,
    pub(crate) elapsed_ms: u64,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ConsoleMessage {
    pub(crate) url: String,
    pub(crate) text: String,
}

/// One distinct page the walk landed on, checked with axe.
#[derive(Debug, Deserialize)]
pub(crate) struct PageResult {
    pub(crate) url: String,
    pub(crate) method: String,
    pub(crate) status: Option<u16>,
    pub(crate) title: String,
    pub(crate) lang: String,
    pub(crate) csp: Option<String>,
    pub(crate) frame_options: Option<String>,
    pub(crate) inline_scripts: u32,
    pub(crate) inline_styles: u32,
    pub(crate) violations: Vec<Violation>,
}

/// One failed axe rule on a page.
#[derive(Debug, Deserialize)]
pub(crate) struct Violation {
    pub(crate) id: String,
    pub(crate) impact: Option<String>,
    pub(crate) help: String,
    pub(crate) targets: Vec<String>,
    pub(crate) summaries: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Cookie {
    pub(crate) name: String,
    pub(crate) http_only: bool,
    pub(crate) secure: bool,
    pub(crate) same_site: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct SetCookie {
    pub(crate) url: String,
    pub(crate) header: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Download {
    pub(crate) suggested_filename: String,
    pub(crate) content_type: Option<String>,
    pub(crate) content_disposition: Option<String>,
    pub(crate) bytes: u64,
    /// The content as hex, for files up to 64 KiB.
    pub(crate) content_hex: Option<String>,
}

/// Where a Tab press left the focus, and how the focus is drawn there.
#[derive(Debug, Deserialize)]
pub(crate) struct FocusStop {
    pub(crate) url: String,
    pub(crate) name: String,
    pub(crate) tag: String,
    pub(crate) outline_style: String,
    pub(crate) outline_width_px: f64,
}

#[derive(Debug, Deserialize)]
pub(crate) struct StepError {
    pub(crate) step: usize,
    pub(crate) what: String,
    pub(crate) error: String,
}

impl WalkResult {
    /// Every problem of the walk as lines: step errors, axe violations, inline script or
    /// style, pages without `lang`, and focus stops without a visible focus indicator.
    pub(crate) fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for error in &self.errors {
            problems.push(format!(
                "step {} {}: {}",
                error.step, error.what, error.error
            ));
        }
        for page in &self.pages {
            for violation in &page.violations {
                problems.push(format!(
                    "{}: axe {} ({:?}) {}: {:?} {:?}",
                    page.url,
                    violation.id,
                    violation.impact,
                    violation.help,
                    violation.targets,
                    violation.summaries
                ));
            }
            if page.inline_scripts > 0 || page.inline_styles > 0 {
                problems.push(format!(
                    "{}: {} inline scripts, {} inline styles",
                    page.url, page.inline_scripts, page.inline_styles
                ));
            }
            if page.lang.is_empty() {
                problems.push(format!("{}: no lang on <html>", page.url));
            }
        }
        // A refused form, style or script shows only here.
        for message in &self.console {
            if message.text.contains("Content Security Policy") {
                problems.push(format!("{}: {}", message.url, message.text.trim()));
            }
        }
        // Focus on BODY means Tab left the page's last control for the browser's own.
        for stop in self.focus_stops.iter().filter(|stop| stop.tag != "BODY") {
            if stop.outline_style == "none" || stop.outline_width_px < 2.0 {
                problems.push(format!(
                    "{}: focus on {} \"{}\" is not visibly drawn ({} {}px)",
                    stop.url, stop.tag, stop.name, stop.outline_style, stop.outline_width_px
                ));
            }
        }
        problems
    }

    /// The number of axe violations (rule × page) the walk found.
    pub(crate) fn violation_count(&self) -> usize {
        self.pages.iter().map(|page| page.violations.len()).sum()
    }
}
