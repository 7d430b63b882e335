//! The README's commands, run as written: every ```` ```sh ```` block is split into commands
//! (a line ending in `\` continues), `target/release/kuvert` becomes the binary cargo built
//! for this test, and each command runs with `sh -c` in a temporary folder beside a running
//! `kuvert demo --data-dir ./kuvert-data`. A command that fails, fails the test. The few that
//! are not run are listed in [`NOT_RUN`], each with its reason, and each must still match a
//! command (so the list cannot outlive what it excuses).

use std::path::Path;
use std::process::Command;

use kuvert::seed;
use kuvert::testkit::browser::log_in_at;
use kuvert_testenv::browser::Browser;

use crate::demo_process::{DemoProcess, run_bounded, wait_for_notification};
use crate::verify::download_export;

/// Commands not run, by how they begin, and why.
const NOT_RUN: [(&str, &str); 8] = [
    (
        "cargo ",
        "builds, tests or benchmarks the project: cargo is what runs this test",
    ),
    (
        "target/release/kuvert demo",
        "the demo itself: this test starts it on ./kuvert-data and a free port",
    ),
    (
        "target/release/kuvert registry serve",
        "a server that runs until stopped; demo_process starts it from the demo's file",
    ),
    (
        "target/release/kuvert operator serve",
        "a server that runs until stopped; demo_process starts it from the demo's file",
    ),
    (
        "target/release/kuvert portal serve",
        "a server that runs until stopped; demo_process starts it from the demo's file",
    ),
    (
        "bash ",
        "CI's and the services' set-up (installs packages as root, starts and stops services)",
    ),
    (
        "target/release/kuvert cluster",
        "a cluster that runs until stopped; tests/it/cluster.rs starts one and kills its nodes",
    ),
    (
        "target/release/kuvert sender serve",
        "a server that runs until stopped; the demo runs one from its sender.toml",
    ),
];

/// The command that checks the export a person downloads from the inbox: before it runs, this
/// test logs Tolvan in at Demobrevlådan through the test e-ID and downloads the zip into the
/// folder, as the README tells a person to.
const VERIFY_EXPORT: &str = "target/release/kuvert verify brev-";

/// `source tools/services/env.sh` belongs with the services' set-up in [`NOT_RUN`].
const SOURCE_SERVICES: &str = "source tools/services/";

/// The README's shell commands, in order, continuation lines joined.
fn readme_commands(readme: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut in_block = false;
    let mut pending = String::new();
    for line in readme.lines() {
        let trimmed = line.trim();
        if !in_block {
            in_block = trimmed == "```sh";
            continue;
        }
        if trimmed == "```" {
            in_block = false;
            continue;
        }
        if let Some(head) = trimmed.strip_suffix('\\') {
            pending.push_str(head);
            continue;
        }
        pending.push_str(trimmed);
        let command = std::mem::take(&mut pending);
        if !command.is_empty() && !command.starts_with('#') {
            commands.push(command);
        }
    }
    assert!(!in_block, "an ```sh block is not closed");
    commands
}

/// Which entry of [`NOT_RUN`] excuses a command, if any.
fn not_run_index(command: &str) -> Option<usize> {
    if command.starts_with(SOURCE_SERVICES) {
        return NOT_RUN.iter().position(|(prefix, _)| *prefix == "bash ");
    }
    NOT_RUN
        .iter()
        .position(|(prefix, _)| command.starts_with(prefix))
}

#[test]
fn every_command_of_the_readme_runs_as_written() {
    let readme_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let readme = std::fs::read_to_string(&readme_path).unwrap();
    assert!(
        !readme.contains("cargo run"),
        "the README names the built binary, target/release/kuvert, instead of `cargo run`"
    );
    let commands = readme_commands(&readme);
    let dir = tempfile::tempdir().unwrap();
    let demo = DemoProcess::start(Path::new("kuvert-data"), dir.path());
    let binary = env!("CARGO_BIN_EXE_kuvert");

    let mut ran = Vec::new();
    let mut excused = vec![false; NOT_RUN.len()];
    for command in &commands {
        if let Some(index) = not_run_index(command) {
            excused[index] = true;
            eprintln!("not run ({}): {command}", NOT_RUN[index].1);
            continue;
        }
        if command.starts_with(VERIFY_EXPORT) {
            download_tolvans_export(&dir.path().join("kuvert-data"), dir.path());
        }
        let script = command.replace("target/release/kuvert", binary);
        let output = run_bounded(
            Command::new("sh")
                .arg("-c")
                .arg(&script)
                .current_dir(dir.path()),
        );
        assert!(
            output.status.success(),
            "README command failed: {command}\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        ran.push(command.clone());
    }
    for ((prefix, _), is_used) in NOT_RUN.iter().zip(&excused) {
        assert!(
            is_used,
            "NOT_RUN excuses `{prefix}`, which the README no longer has"
        );
    }
    // What the README promises of those commands: a letter, a mailing, a role, and Tolvan's
    // notification e-mail in the demo's preview folder.
    for expected in [
        "kuvert send --demo",
        "kuvert check utskick.csv",
        "kuvert mailing",
        "communicator --config",
        "send --config",
        "kuvert verify brev-",
    ] {
        assert!(
            ran.iter().any(|command| command.contains(expected)),
            "no README command with `{expected}` ran: {ran:#?}"
        );
    }
    let mail = wait_for_notification(&dir.path().join("kuvert-data"));
    assert!(mail.contains("Exempelkommun"), "{mail}");
    demo.stop();
}

/// Logs Tolvan in at her operator's inbox (from the demo's `demo.json`) and saves her export
/// in `folder` under the name the inbox gives it.
fn download_tolvans_export(data_dir: &Path, folder: &Path) {
    let manifest: kuvert::demo::Manifest =
        serde_json::from_slice(&std::fs::read(data_dir.join("demo.json")).unwrap()).unwrap();
    let tolvan = seed::PERSONS
        .iter()
        .position(|p| p.key == "tolvan")
        .unwrap();
    let operator = seed::PERSONS[tolvan].operator.unwrap();
    let inbox = &manifest
        .operators
        .iter()
        .find(|o| o.organisation.key == operator)
        .unwrap()
        .inbox_url;
    let ca = std::fs::read_to_string(data_dir.join("pki/org-ca.pem")).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (name, zip) = runtime.block_on(async {
        let browser = Browser::new(&ca);
        let login = url::Url::parse(inbox).unwrap().join("logga-in").unwrap();
        log_in_at(&browser, &login, tolvan).await;
        download_export(&browser, inbox).await
    });
    std::fs::write(folder.join(name), zip).unwrap();
}

#[test]
fn readme_commands_join_continuations_and_skip_comments() {
    let text = "x\n```sh\n# a comment\na --b \\\n    --c d\n\ne\n```\n`f`\n";
    assert_eq!(readme_commands(text), ["a --b --c d", "e"]);
    assert_eq!(not_run_index("cargo test --workspace"), Some(0));
    assert_eq!(
        not_run_index("target/release/kuvert operator serve --config x"),
        Some(3)
    );
    assert_eq!(not_run_index("source tools/services/env.sh"), Some(5));
    assert_eq!(not_run_index("target/release/kuvert send --demo x"), None);
}
