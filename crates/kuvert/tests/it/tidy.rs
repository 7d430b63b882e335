//! Architecture rules as tests (STYLE.md §10 "tidy"): crate layers, `//!` on every file, file,
//! function ([`functions`]) and line sizes, no debugging macros, bounds only in
//! `kuvert_core::limits`, pure `domain/` modules, and the TERMS.md words in user-facing text.
//!
//! These read the repository with plain std, so they fail with the file, line and rule that
//! was broken. Exceptions live in the allow-lists below, each with the reason it is allowed;
//! entries marked "to fix" are debts the lead has to review, not permanent exceptions.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

mod functions;

/// Layer of each crate (STYLE.md §1). A crate's normal dependencies must sit on a strictly
/// lower layer.
const LAYERS: &[(&str, u32)] = &[
    ("kuvert-core", 0),
    ("kuvert-xmldsig", 1),
    ("kuvert-pki", 1),
    ("kuvert-wire", 2),
    ("kuvert-store", 3),
    ("kuvert-eid", 3),
    ("kuvert-web", 3),
    ("kuvert-registry", 4),
    ("kuvert-operator", 4),
    ("kuvert-sender", 4),
    ("kuvert-portal", 4),
    ("kuvert", 5),
];

/// The four role crates: they never depend on each other, not even for tests.
const ROLES: &[&str] = &[
    "kuvert-registry",
    "kuvert-operator",
    "kuvert-sender",
    "kuvert-portal",
];

/// Edges inside one layer, as `(from, to, why)`: the lower crate of the pair depends on
/// neither the other nor anything of its layer, so the pair cannot form a cycle.
const SAME_LAYER_ALLOWED: &[(&str, &str, &str)] = &[
    (
        "kuvert-eid",
        "kuvert-web",
        "the OIDC client reads responses with kuvert_web::read_body, the one bounded reader",
    ),
    (
        "kuvert-web",
        "kuvert-store",
        "web sessions are rows behind kuvert_store::web_session (issue 16); the store depends \
         on no crate of its layer",
    ),
];

/// Crates that may only ever be dev-dependencies, or optional ones that only the package's
/// [`TESTKIT_FEATURE`] turns on (so a normal build never has them).
const TEST_ONLY: &[&str] = &["kuvert-testenv"];

/// The feature that holds a package's test harness (`kuvert::testkit`); only dev-dependencies
/// may turn it on.
const TESTKIT_FEATURE: &str = "testkit";

/// Normal dependency edges that break a rule above, as `(from, to, why)`.
const DEPENDENCY_ALLOWED: &[(&str, &str, &str)] = &[];

/// Hard bound on a file's length, counted up to its `#[cfg(test)]` module. STYLE.md §3 asks
/// for about 600 lines; past 900 a file has outgrown its seam for sure.
const FILE_LINES_MAX: usize = 900;

/// Files allowed past [`FILE_LINES_MAX`], as `(path from repo root, lines max, why)`.
const FILE_LINES_ALLOWED: &[(&str, usize, &str)] = &[];

/// STYLE.md §3.
const LINE_COLUMNS_MAX: usize = 100;

/// Lines allowed past [`LINE_COLUMNS_MAX`], as `(path from repo root, line text prefix, why)`.
const LONG_LINES_ALLOWED: &[(&str, &str, &str)] = &[];

/// Files allowed to open without a `//!` doc, as `(path from repo root, why)`.
const MODULE_DOC_ALLOWED: &[(&str, &str)] = &[];

#[test]
fn tidy_crates_depend_only_on_lower_layers() {
    let layers: BTreeMap<&str, u32> = LAYERS.iter().copied().collect();
    let mut problems = Vec::new();
    for (krate, manifest) in manifests() {
        for (table, dependency) in kuvert_dependencies(&manifest) {
            let is_dev = table == "dev-dependencies";
            let is_role_edge =
                ROLES.contains(&krate.as_str()) && ROLES.contains(&dependency.as_str());
            let problem = if is_role_edge {
                Some("role crates never depend on each other".to_owned())
            } else if is_dev {
                None
            } else if TEST_ONLY.contains(&dependency.as_str()) {
                (!is_behind_testkit(&manifest, &dependency)).then(|| {
                    format!(
                        "{dependency} may only be a dev-dependency, or optional and turned on \
                         only by the `{TESTKIT_FEATURE}` feature"
                    )
                })
            } else if wants_testkit(&manifest, &table, &dependency) {
                Some(format!(
                    "only dev-dependencies may turn on the `{TESTKIT_FEATURE}` feature"
                ))
            } else {
                match (layers.get(krate.as_str()), layers.get(dependency.as_str())) {
                    (Some(from), Some(to)) if to < from => None,
                    (Some(from), Some(to))
                        if to == from
                            && SAME_LAYER_ALLOWED.iter().any(
                                |(allowed_from, allowed_to, _)| {
                                    *allowed_from == krate && *allowed_to == dependency
                                },
                            ) =>
                    {
                        None
                    }
                    (Some(from), Some(to)) => Some(format!(
                        "layer {from} may only depend on layers below, not {to}"
                    )),
                    _ => Some("crate has no layer in tidy.rs LAYERS".to_owned()),
                }
            };
            let is_allowed = DEPENDENCY_ALLOWED
                .iter()
                .any(|(from, to, _)| *from == krate && *to == dependency);
            if let Some(problem) = problem.filter(|_| !is_allowed) {
                problems.push(format!(
                    "crates/{krate}/Cargo.toml [{table}] {dependency}: {problem}"
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "dependency rules broken:\n{}",
        problems.join("\n")
    );
}

#[test]
fn tidy_every_rust_file_opens_with_a_module_doc() {
    let mut problems = Vec::new();
    for (path, text) in rust_files() {
        let first = text
            .lines()
            .find(|line| !line.trim().is_empty())
            .unwrap_or("");
        let is_allowed = MODULE_DOC_ALLOWED
            .iter()
            .any(|(allowed, _)| *allowed == path);
        if !first.starts_with("//!") && !is_allowed {
            problems.push(format!("{path}:1: first line is not a `//!` doc: {first}"));
        }
    }
    assert!(
        problems.is_empty(),
        "files without a module doc:\n{}",
        problems.join("\n")
    );
}

#[test]
fn tidy_files_and_lines_stay_within_their_size() {
    let mut problems = Vec::new();
    for (path, text) in rust_files() {
        let lines_max = FILE_LINES_ALLOWED
            .iter()
            .find(|(allowed, _, _)| *allowed == path)
            .map_or(FILE_LINES_MAX, |(_, max, _)| *max);
        let n_lines = lines_before_test_module(&text);
        if n_lines > lines_max {
            problems.push(format!(
                "{path}: {n_lines} lines before tests, max {lines_max}: split it at a seam"
            ));
        }
        for (line_idx, line) in text.lines().enumerate() {
            let n_columns = line.chars().count();
            let is_allowed = LONG_LINES_ALLOWED
                .iter()
                .any(|(allowed, prefix, _)| *allowed == path && line.trim().starts_with(prefix));
            if n_columns > LINE_COLUMNS_MAX && !is_allowed {
                problems.push(format!(
                    "{path}:{}: {n_columns} columns, max {LINE_COLUMNS_MAX}",
                    line_idx + 1
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "size limits broken:\n{}",
        problems.join("\n")
    );
}

/// `mod.rs` files allowed, as `(path from repo root, why)`.
const MOD_RS_ALLOWED: &[(&str, &str)] = &[(
    "crates/kuvert/benches/support/mod.rs",
    "cargo takes every `benches/*.rs` for a bench target, so a module shared by benches lives \
     in `benches/support/mod.rs`",
)];

/// One module style (issue 12 §5): a module with children is `foo.rs` beside a `foo/` folder,
/// never `foo/mod.rs`, so a file's name always says which module it is.
#[test]
fn tidy_modules_are_files_beside_their_folder_never_mod_rs() {
    let problems: Vec<String> = rust_files()
        .into_iter()
        .map(|(path, _)| path)
        .filter(|path| path.ends_with("/mod.rs"))
        .filter(|path| !MOD_RS_ALLOWED.iter().any(|(allowed, _)| allowed == path))
        .map(|path| {
            let module = path.trim_end_matches("/mod.rs");
            format!("{path}: move it to {module}.rs (one module style)")
        })
        .collect();
    assert!(
        problems.is_empty(),
        "mod.rs files:\n{}",
        problems.join("\n")
    );
}

#[test]
fn tidy_no_debugging_or_placeholder_macros() {
    // Built from pieces so this file does not match itself.
    let banned = [
        concat!("todo", "!("),
        concat!("unimplemented", "!("),
        concat!("dbg", "!("),
    ];
    let mut problems = Vec::new();
    for (path, text) in rust_files() {
        for (line_idx, line) in text.lines().enumerate() {
            for macro_call in banned
                .iter()
                .filter(|macro_call| line.contains(*macro_call))
            {
                problems.push(format!(
                    "{path}:{}: `{macro_call}` is not allowed",
                    line_idx + 1
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "banned macros:\n{}",
        problems.join("\n")
    );
}

/// The one reader of sealed deliveries (issue 10): `kuvert_wire::delivery` (its `verified`
/// and `strict` modules) finds the `SignedDelivery` on its one path and reads it from the
/// verified tree; `kuvert-xmldsig`'s verifier checks it. No other source looks for one on its
/// own (by name, or with the wire's node-level readers or the bare verifier call), because a
/// second search is how an unsigned `SignedDelivery` in `soap:Header` once reached the inbox.
const DELIVERY_READERS: &[&str] = &[
    "crates/kuvert-wire/src/delivery.rs",
    "crates/kuvert-wire/src/delivery/",
    "crates/kuvert-xmldsig/src/verify.rs",
    // `distributeSecure/signedDelivery`: the sender → intermediary request, written and read
    // by name; its signature is verified by whoever receives it before reading.
    "crates/kuvert-wire/src/message.rs",
];

#[test]
fn tidy_only_the_one_reader_looks_for_signed_delivery() {
    // Built from pieces so this file does not match itself.
    let needles = [
        concat!("\"Signed", "Delivery\""),
        concat!("\"signed", "Delivery\""),
        concat!("read_secure_", "delivery("),
        concat!("signed_delivery", "_of("),
        concat!("verify_sealed_", "delivery("),
    ];
    let mut problems = Vec::new();
    for (path, text) in rust_files() {
        let is_reader = DELIVERY_READERS
            .iter()
            .any(|reader| path.starts_with(reader));
        let is_test = path.contains("/tests/") || path.ends_with("/tests.rs");
        if is_reader || is_test || !path.contains("/src/") {
            continue;
        }
        let code = &text[..text.find("\n#[cfg(test)]").unwrap_or(text.len())];
        for (line_idx, line) in code.lines().enumerate() {
            let trimmed = line.trim_start();
            if trimmed.starts_with("//") {
                continue;
            }
            for needle in needles.iter().filter(|needle| line.contains(*needle)) {
                problems.push(format!(
                    "{path}:{}: `{needle}`: read letters only through \
                     kuvert_wire::delivery::read_verified / SealedDocument",
                    line_idx + 1
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "a second reader of SignedDelivery:\n{}",
        problems.join("\n")
    );
}

/// The one file where `_MAX`/`_MIN` bounds are declared (STYLE.md §7).
const LIMITS_FILE: &str = "crates/kuvert-core/src/limits.rs";

/// Bounds allowed outside [`LIMITS_FILE`] in library and binary sources, as
/// `(path from repo root, constant, why)`. Tests (`tests/`, `tests.rs`, `#[cfg(test)]`
/// modules) may name their own bounds and are not checked.
const BOUNDS_ALLOWED: &[(&str, &str, &str)] = &[(
    "crates/kuvert-testenv/src/browser.rs",
    "REDIRECTS_MAX",
    "the test browser's own redirect bound; kuvert-testenv is a dev-only crate that never \
     ships, so its bounds are not Kuvert's limits",
)];

/// Issue 12: every bound is declared once, in `kuvert_core::limits`, so a reader finds them
/// all in one place with their sources (STYLE.md §7).
#[test]
fn tidy_bounds_are_declared_only_in_kuvert_core_limits() {
    let mut problems = Vec::new();
    for (path, text) in rust_files() {
        let is_test = path.contains("/tests/") || path.ends_with("/tests.rs");
        if path == LIMITS_FILE || is_test || !path.contains("/src/") {
            continue;
        }
        let code = &text[..text.find("\n#[cfg(test)]").unwrap_or(text.len())];
        for (line_idx, line) in code.lines().enumerate() {
            let Some(name) = bound_declared(line) else {
                continue;
            };
            let is_allowed = BOUNDS_ALLOWED
                .iter()
                .any(|(file, constant, _)| *file == path && *constant == name);
            if !is_allowed {
                problems.push(format!(
                    "{path}:{}: `const {name}`: declare bounds in {LIMITS_FILE}",
                    line_idx + 1
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "bounds outside kuvert_core::limits:\n{}",
        problems.join("\n")
    );
}

#[test]
fn tidy_bound_check_finds_const_declarations_only() {
    assert_eq!(
        bound_declared("const PAGES_MAX: u32 = 5;"),
        Some("PAGES_MAX")
    );
    assert_eq!(
        bound_declared("    pub(crate) const SIDE_MIN: u32 = 5;"),
        Some("SIDE_MIN")
    );
    assert_eq!(bound_declared("pub const MAXIMUM: u32 = 5;"), None);
    assert_eq!(bound_declared("let pages_max = PAGES_MAX;"), None);
    assert_eq!(bound_declared("// const PAGES_MAX: u32 = 5;"), None);
}

/// Crates a role's pure rules (`src/domain/`) never name: storage, HTTP and SQL stay in the
/// role's handlers and the store (STYLE.md §1, §12).
const DOMAIN_FORBIDDEN: &[&str] = &["kuvert_store", "axum", "sqlx"];

/// Domain files allowed to name one of [`DOMAIN_FORBIDDEN`], as `(path from repo root, why)`.
const DOMAIN_IMPORTS_ALLOWED: &[(&str, &str)] = &[];

/// Issue 12: the pure rules read domain values from `kuvert-core`, never the store's records,
/// so they can be tested and read without a database.
#[test]
fn tidy_role_domains_import_no_store_and_no_http() {
    let mut problems = Vec::new();
    for (path, text) in rust_files() {
        let is_domain = path.contains("/src/domain/") || path.ends_with("/src/domain.rs");
        let is_allowed = DOMAIN_IMPORTS_ALLOWED.iter().any(|(file, _)| *file == path);
        if !is_domain || is_allowed {
            continue;
        }
        for (line_idx, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for name in DOMAIN_FORBIDDEN {
                let is_named = code.match_indices(name).any(|(at, _)| {
                    let before = code[..at].chars().next_back();
                    let after = code[at + name.len()..].chars().next();
                    !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
                        && after.is_some_and(|c| c == ':')
                });
                if is_named {
                    problems.push(format!("{path}:{}: `{name}` in pure rules", line_idx + 1));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "a role's domain/ names storage or HTTP:\n{}",
        problems.join("\n")
    );
}

/// Files allowed to name a path outside the repository, as `(path from repo root, why)`.
const OUTSIDE_PATHS_ALLOWED: &[(&str, &str)] = &[
    (
        "crates/kuvert-testenv/src/lib.rs",
        "the one default of KUVERT_TEST_MM_SCHEMAS, used only when that folder exists",
    ),
    (
        "fuzz/fuzz_targets/verify.rs",
        "the fuzz anchor's default folder; tools/fuzz.sh sets KUVERT_TEST_MM_SCHEMAS",
    ),
];

/// Issue 11 item 7: a clone of the repository alone compiles and passes, so no test names a
/// file outside it (`include_str!` of one does not even compile); the real MM contracts and
/// samples come from `kuvert_testenv::mm_schemas`, which skips when they are absent.
#[test]
fn tidy_no_test_reads_outside_the_repository() {
    let mut files = rust_files();
    files.extend(files_under("fuzz", &|path| {
        path.extension().is_some_and(|ext| ext == "rs")
    }));
    // Built from pieces so this file does not match itself.
    let outside = [concat!("../../", "../"), concat!("shared/", "mm-schemas")];
    let mut problems = Vec::new();
    for (path, text) in files {
        if OUTSIDE_PATHS_ALLOWED
            .iter()
            .any(|(allowed, _)| *allowed == path)
        {
            continue;
        }
        for (line_number, literal) in string_literals(&text) {
            if outside.iter().any(|pattern| literal.contains(pattern)) {
                problems.push(format!(
                    "{path}:{line_number}: \"{literal}\" is outside the repository; use \
                     kuvert_testenv::mm_schemas"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn tidy_ui_text_uses_the_words_of_terms_md() {
    let mut problems = Vec::new();
    for (path, text) in templates() {
        for (line_idx, line) in text.lines().enumerate() {
            check_words(&mut problems, &path, line_idx + 1, line);
        }
    }
    for (path, text) in rust_files()
        .into_iter()
        .filter(|(path, _)| is_ui_source(path))
    {
        for (line_number, literal) in string_literals(&text) {
            check_words(&mut problems, &path, line_number, &literal);
        }
    }
    assert!(
        problems.is_empty(),
        "words that TERMS.md replaces:\n{}",
        problems.join("\n")
    );
}

#[test]
fn tidy_synonym_check_finds_words_at_word_start_only() {
    let found = |text: &str| {
        let mut problems = Vec::new();
        check_words(&mut problems, "x.html", 1, text);
        problems.len()
    };
    assert_eq!(found("Din Postlåda hos oss"), 1);
    assert_eq!(found("skicka till din e-postlåda"), 0);
    assert_eq!(found("ett sms-kvitto"), 1);
    assert_eq!(found("Du får en avisering"), 0);
    assert_eq!(found("{{ layout.t.notification_heading }}"), 0);
    let literals =
        string_literals("let a = 'x'; let b: &'static str = \"kvitto\\\"\"; // \"orgnr\"");
    assert_eq!(literals, vec![(1, "kvitto\\\"".to_owned())]);
    assert!(is_ui_source("crates/kuvert-portal/src/domain/visitor.rs"));
    assert!(is_ui_source("crates/kuvert-web/src/deep_link.rs"));
    assert!(!is_ui_source("crates/kuvert-portal/src/dashboard/tests.rs"));
    assert!(!is_ui_source("crates/kuvert-web/src/client.rs"));
    let literals = string_literals("r#\"a \"q\" b\"#\n\"x\\\ny\" br\"z\"");
    let expected = [(1, "a \"q\" b"), (2, "x\\\ny"), (3, "z")];
    assert_eq!(
        literals,
        expected.map(|(line, text)| (line, text.to_owned()))
    );
}

/// The repository root, two levels above this crate.
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Each crate's name (its folder, STYLE.md §1) and parsed `Cargo.toml`.
fn manifests() -> Vec<(String, toml::Table)> {
    let crates_dir = repo_root().join("crates");
    let mut manifests = Vec::new();
    for entry in fs::read_dir(&crates_dir).unwrap() {
        let manifest_path = entry.unwrap().path().join("Cargo.toml");
        let Ok(text) = fs::read_to_string(&manifest_path) else {
            continue;
        };
        let manifest: toml::Table = text.parse().unwrap();
        let name = manifest["package"]["name"].as_str().unwrap().to_owned();
        manifests.push((name, manifest));
    }
    assert!(
        manifests.len() >= LAYERS.len(),
        "found only {} crates",
        manifests.len()
    );
    manifests
}

/// `(table, crate)` for every `kuvert*` dependency in the normal, dev and build tables.
fn kuvert_dependencies(manifest: &toml::Table) -> Vec<(String, String)> {
    let mut dependencies = Vec::new();
    for table in ["dependencies", "dev-dependencies", "build-dependencies"] {
        let Some(entries) = manifest.get(table).and_then(toml::Value::as_table) else {
            continue;
        };
        for name in entries.keys().filter(|name| name.starts_with("kuvert")) {
            dependencies.push((table.to_owned(), name.clone()));
        }
    }
    dependencies
}

/// Whether `dependency` is an optional normal dependency that only [`TESTKIT_FEATURE`] names.
fn is_behind_testkit(manifest: &toml::Table, dependency: &str) -> bool {
    let is_optional = manifest
        .get("dependencies")
        .and_then(|table| table.get(dependency))
        .and_then(|entry| entry.get("optional"))
        .and_then(toml::Value::as_bool)
        .unwrap_or(false);
    let enabling = format!("dep:{dependency}");
    let features = manifest.get("features").and_then(toml::Value::as_table);
    let is_named_elsewhere = features.into_iter().flatten().any(|(feature, enabled)| {
        feature != TESTKIT_FEATURE
            && enabled.as_array().into_iter().flatten().any(|item| {
                item.as_str()
                    .is_some_and(|item| item == enabling || item == dependency)
            })
    });
    is_optional && !is_named_elsewhere
}

/// Whether a normal or build dependency entry turns on [`TESTKIT_FEATURE`].
fn wants_testkit(manifest: &toml::Table, table: &str, dependency: &str) -> bool {
    table != "dev-dependencies"
        && manifest
            .get(table)
            .and_then(|entries| entries.get(dependency))
            .and_then(|entry| entry.get("features"))
            .and_then(toml::Value::as_array)
            .into_iter()
            .flatten()
            .any(|feature| feature.as_str() == Some(TESTKIT_FEATURE))
}

/// Every `.rs` file under `crates/` as `(path from repo root, text)`, skipping build output.
fn rust_files() -> Vec<(String, String)> {
    files_under("crates", &|path| {
        path.extension().is_some_and(|ext| ext == "rs")
    })
}

/// Every template, `crates/*/templates/**/*.html`.
fn templates() -> Vec<(String, String)> {
    files_under("crates", &|path| {
        path.extension().is_some_and(|ext| ext == "html")
            && path
                .components()
                .any(|part| part.as_os_str() == "templates")
    })
}

fn files_under(dir: &str, wanted: &dyn Fn(&Path) -> bool) -> Vec<(String, String)> {
    let root = repo_root();
    let mut pending = vec![root.join(dir)];
    let mut files = Vec::new();
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap_or_default();
            if path.is_dir() && name != "target" && !name.to_string_lossy().starts_with('.') {
                pending.push(path);
            } else if path.is_file() && wanted(&path) {
                let relative = path
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                files.push((relative, fs::read_to_string(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

/// Crates whose every source file speaks to people: the public portal's pages, figures,
/// chart labels and messages live in its `domain`, `dashboard` and `communicator` modules
/// as well as in `http` (issue 5 §6: one vocabulary on every portal page and message).
const UI_CRATES: &[&str] = &["crates/kuvert-portal/"];

/// Single files outside `http` whose literals are UI text: the paper-letter notice printed by
/// the portal and the sender toolkit's paper-mail list, and the sender toolkit's print-ready
/// paper letters.
const UI_FILES: &[&str] = &[
    "crates/kuvert-web/src/deep_link.rs",
    "crates/kuvert-sender/src/paper_letter.rs",
    "crates/kuvert-sender/src/paper_letter/layout.rs",
];

/// Sources whose string literals are UI text: `src/**/http/**`, `src/**/http.rs`,
/// `src/**/pages*.rs`, all of [`UI_CRATES`] and [`UI_FILES`], without unit tests (they may
/// name a banned word to assert its absence).
fn is_ui_source(path: &str) -> bool {
    let Some((crate_dir, in_src)) = path.split_once("/src/") else {
        return false;
    };
    let file_name = in_src.rsplit('/').next().unwrap_or(in_src);
    let is_test = file_name == "tests.rs" || in_src.contains("/tests/");
    let is_ui = in_src.contains("http/")
        || file_name == "http.rs"
        || (file_name.starts_with("pages") && file_name.ends_with(".rs"))
        || UI_CRATES.contains(&format!("{crate_dir}/").as_str())
        || UI_FILES.contains(&path);
    is_ui && !is_test
}

/// The name of the `_MAX`/`_MIN` constant `line` declares, if it declares one.
fn bound_declared(line: &str) -> Option<&str> {
    let declaration = line.trim_start();
    let declaration = ["pub(crate) ", "pub(super) ", "pub "]
        .iter()
        .find_map(|visibility| declaration.strip_prefix(visibility))
        .unwrap_or(declaration);
    let name = declaration
        .strip_prefix("const ")?
        .split(':')
        .next()?
        .trim();
    (name.ends_with("_MAX") || name.ends_with("_MIN")).then_some(name)
}

/// Lines up to the first top-level `#[cfg(test)]` (the test module the limit does not count).
fn lines_before_test_module(text: &str) -> usize {
    text.lines()
        .take_while(|line| !line.starts_with("#[cfg(test)]"))
        .count()
}

/// Records every TERMS.md synonym (`kuvert_core::vocabulary`) that starts a word in `text`.
fn check_words(problems: &mut Vec<String>, path: &str, line_number: usize, text: &str) {
    for found in kuvert_core::vocabulary::synonyms_in(text) {
        problems.push(format!(
            "{path}:{line_number}: \"{}…\" — TERMS.md says \"{}\"",
            found.wrong, found.right
        ));
    }
}

/// The string literals of Rust source (plain and raw) with the line each starts on, skipping
/// comments and char literals. Escapes are kept as written; no banned word contains one.
fn string_literals(source: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = source.chars().collect();
    let mut literals = Vec::new();
    let mut line_number = 1;
    let mut idx = 0;
    while idx < chars.len() {
        let rest = &chars[idx..];
        match rest {
            ['/', '/', ..] => {
                while idx < chars.len() && chars[idx] != '\n' {
                    idx += 1;
                }
            }
            ['/', '*', ..] => {
                idx += 2;
                while idx < chars.len() && !(chars[idx] == '*' && chars.get(idx + 1) == Some(&'/'))
                {
                    line_number += usize::from(chars[idx] == '\n');
                    idx += 1;
                }
                idx += 2;
            }
            ['\'', '\\', ..] => {
                idx += 2;
                while idx < chars.len() && chars[idx] != '\'' {
                    idx += 1;
                }
                idx += 1;
            }
            ['\'', _, '\'', ..] => idx += 3,
            ['r', '#', ..] | ['r', '"', ..]
                if idx == 0 || !chars[idx - 1].is_alphanumeric() && chars[idx - 1] != '_' =>
            {
                let n_hashes = rest[1..].iter().take_while(|c| **c == '#').count();
                if rest.get(1 + n_hashes) != Some(&'"') {
                    idx += 1;
                    continue;
                }
                let (literal, n_used) = read_literal(&rest[2 + n_hashes..], Some(n_hashes));
                idx += 2 + n_hashes + n_used;
                let n_newlines = literal.matches('\n').count();
                literals.push((line_number, literal));
                line_number += n_newlines;
            }
            ['"', ..] => {
                let (literal, n_used) = read_literal(&rest[1..], None);
                idx += 1 + n_used;
                let n_newlines = literal.matches('\n').count();
                literals.push((line_number, literal));
                line_number += n_newlines;
            }
            _ => {
                line_number += usize::from(chars[idx] == '\n');
                idx += 1;
            }
        }
    }
    literals
}

/// Reads a string literal's text from `body` (what follows its opening quote) as written,
/// escapes included, and how many chars it used with the closing quote. `raw_hashes` is the
/// number of `#` of a raw string, `None` for a plain one.
fn read_literal(body: &[char], raw_hashes: Option<usize>) -> (String, usize) {
    let mut literal = String::new();
    let mut idx = 0;
    while idx < body.len() {
        let closes = body[idx] == '"'
            && (1..=raw_hashes.unwrap_or(0)).all(|offset| body.get(idx + offset) == Some(&'#'));
        if closes {
            return (literal, idx + 1 + raw_hashes.unwrap_or(0));
        }
        if raw_hashes.is_none() && body[idx] == '\\' && idx + 1 < body.len() {
            literal.push(body[idx]);
            idx += 1;
        }
        literal.push(body[idx]);
        idx += 1;
    }
    (literal, idx)
}
