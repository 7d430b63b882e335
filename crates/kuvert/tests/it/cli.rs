//! The `kuvert` command line as a deployment uses it: configuration from a TOML file with
//! `KUVERT_<ROLE>__<KEY>` environment variables over it, the registry's admin commands, and
//! `kuvert check` before a mailing.

use std::path::Path;
use std::process::{Command, Output};

use kuvert::seed;
use kuvert::testkit::Federation;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registry_admin_reads_file_then_environment_and_names_a_bad_key() {
    let federation = Federation::start(Default::default()).await;
    let data_dir = federation.manifest().data_dir.clone();
    let config = data_dir.join("registry.toml");
    let toml = format!(
        "database_url = \"sqlite:///nonexistent/registry.db\"\neid_ca_path = \"{}\"\n",
        data_dir.join("pki").join("eid-ca.pem").display()
    );
    std::fs::write(&config, toml).unwrap();
    let database = federation.registry_database_url();

    // The environment overrides the file's database.
    let good = [("KUVERT_REGISTRY__DATABASE_URL", database.as_str())];
    let added = admin(
        &config,
        &good,
        &["add-sender", "--number", "2021000084", "--name", "Nyby"],
    );
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let listed = admin(&config, &good, &["list"]);
    let text = String::from_utf8_lossy(&listed.stdout);
    assert!(text.contains(seed::OPERATORS[0].name), "{text}");
    assert!(text.contains("2021000084  Nyby"), "{text}");

    // A misspelt key is refused, by name and origin.
    let misspelt = [("KUVERT_REGISTRY__DATABSE_URL", database.as_str())];
    let refused = admin(&config, &misspelt, &["list"]);
    let error = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        error.contains("databse_url") && error.contains("KUVERT_REGISTRY__"),
        "{error}"
    );

    // An invalid organisation number is refused before anything is written.
    let args = ["add-sender", "--number", "2021000085", "--name", "Fel"];
    let refused = admin(&config, &good, &args);
    let error = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(error.contains("--number"), "{error}");
    let listed = admin(&config, &good, &["list"]);
    assert!(!String::from_utf8_lossy(&listed.stdout).contains("2021000085"));
}

fn admin(config: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kuvert"))
        .args(["registry", "admin", "--config"])
        .arg(config)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

/// The demo's communicator logs in at the portal through the test e-ID and sees the
/// overview with the admin's link to the annual targets; a person without the role logs in
/// too but is told they are not a communicator.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_communicator_logs_in_at_the_portal_and_others_have_no_role() {
    let federation = Federation::start(Default::default()).await;
    let communicator = kuvert::demo::COMMUNICATOR.seed_person();
    let manifest = federation.manifest();
    assert_eq!(
        manifest.communicators[0].personal_identity_number,
        communicator.number
    );
    let browser = federation.login_communicator(communicator).await;
    assert!(browser.cookies().contains_key("kuvert_kommunikator"));
    let overview = federation.portal_url().join("kommunikator").unwrap();
    let page = browser.get(overview.as_str()).await;
    assert_eq!(page.status(), reqwest::StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Kampanjer och resultat"), "{html}");
    assert!(html.contains("Årliga mål för anslutningstakten"), "{html}");
    assert!(html.contains(seed::SENDERS[0].name), "{html}");

    let tolvan = seed::person("tolvan").unwrap();
    let stranger = federation.login_communicator(tolvan).await;
    let page = stranger.get(overview.as_str()).await;
    assert_eq!(page.status(), reqwest::StatusCode::FORBIDDEN);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Du är inte kommunikatör")
    );
}

/// `kuvert portal communicator add` on the demo's own portal configuration gives the role
/// (the store says so, and the person's login then reaches the communicators' pages), and
/// refuses bad input with a clear message and a non-zero exit, writing nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_communicator_add_grants_the_role_and_refuses_bad_input() {
    let federation = Federation::start(Default::default()).await;
    let config = federation.portal_config_path();
    #[cfg(unix)]
    {
        // It holds the portal's client secret at the e-ID.
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&config).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{mode:o}");
    }
    let tolvan = seed::person("tolvan").unwrap();
    let sender = seed::SENDERS[1];
    let overview = federation.portal_url().join("kommunikator").unwrap();
    let before = federation.login_communicator(tolvan).await;
    let refused = before.get(overview.as_str()).await;
    assert_eq!(refused.status(), reqwest::StatusCode::FORBIDDEN);

    let added = communicator(
        Some(&config),
        &["add", tolvan.number, "--sender", sender.number],
    );
    assert!(added.status.success(), "{}", stderr(&added));
    let said = String::from_utf8_lossy(&added.stdout);
    assert_eq!(said.trim(), "role saved: communicator for 1 sender");
    let store = federation.demo().portal.store();
    let role = store
        .communicator(&tolvan.personal_identity_number())
        .await
        .unwrap()
        .expect("the role is stored");
    assert!(!role.is_admin);
    let senders: Vec<_> = role.senders.into_iter().collect();
    assert_eq!(senders, [sender.organisation_number()]);
    // The role is read on every request: the same session now sees the overview.
    let page = before.get(overview.as_str()).await;
    assert_eq!(page.status(), reqwest::StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains(sender.name), "{html}");
    assert!(!html.contains("Årliga mål för anslutningstakten"), "{html}");

    let cases: [(Option<&Path>, &[&str], &str); 4] = [
        (
            Some(&config),
            &["add", "191212121213", "--sender", sender.number],
            "write a personnummer or samordningsnummer as",
        ),
        (
            Some(&config),
            &["add", "198505152341", "--sender", "2120000158"],
            "--sender \"2120000158\": check digit",
        ),
        (
            Some(&config),
            &["add", "198505152341", "--sender", sender.number, "--boss"],
            "--boss",
        ),
        (
            Some(Path::new("/nonexistent/portal.toml")),
            &["add", "198505152341", "--sender", sender.number],
            "/nonexistent/portal.toml",
        ),
    ];
    for (file, args, message) in cases {
        let output = communicator(file, args);
        assert!(!output.status.success(), "{args:?}");
        assert!(
            stderr(&output).contains(message),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    // Without a configuration the command names what is missing.
    let output = communicator(None, &["add", "198505152341", "--sender", sender.number]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("public_url"),
        "{}",
        stderr(&output)
    );
    let cecilia = seed::person("cecilia").unwrap().personal_identity_number();
    assert!(store.communicator(&cecilia).await.unwrap().is_none());
}

/// `kuvert portal communicator [--config FILE] ARGS…`, with no `KUVERT_PORTAL__` variable.
fn communicator(config: Option<&Path>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kuvert"));
    command.args(["portal", "communicator"]);
    if let Some(config) = config {
        command.arg("--config").arg(config);
    }
    command.args(args);
    for (name, _) in std::env::vars() {
        if name.starts_with("KUVERT_PORTAL__") {
            command.env_remove(name);
        }
    }
    command.output().unwrap()
}

#[test]
fn check_prints_every_problem_with_its_rule_and_fails_only_when_there_is_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("brev.html"),
        "<p>Hej</p><script>x()</script>",
    )
    .unwrap();
    std::fs::write(dir.path().join("trasig.pdf"), "%PDF-1.4\nno pdf\n").unwrap();
    let manifest = dir.path().join("utskick.csv");
    std::fs::write(
        &manifest,
        "recipient,subject,body_file,attachments\n\
         191212121213,Beslut,brev.html,trasig.pdf\n",
    )
    .unwrap();
    let check = |path: &Path| {
        Command::new(env!("CARGO_BIN_EXE_kuvert"))
            .arg("check")
            .arg(path)
            .output()
            .unwrap()
    };
    let output = check(&manifest);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "{stdout}");
    for rule in ["[recipient]", "[html]", "[pdf]"] {
        assert!(stdout.contains(rule), "{rule} not in {stdout}");
    }
    assert!(stdout.contains("line 2: "), "{stdout}");
    assert!(stdout.contains("(1 row): 3 problems"), "{stdout}");
    assert!(
        stderr(&output).contains("3 problems in"),
        "{}",
        stderr(&output)
    );

    std::fs::write(dir.path().join("brev.html"), "<p>Hej</p>").unwrap();
    let output = check(&dir.path().join("brev.html"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.ends_with("brev.html: no problems\n"), "{stdout}");
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
