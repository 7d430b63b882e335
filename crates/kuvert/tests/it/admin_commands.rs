//! The admin commands that change the directory, run as the real binary against the role
//! files the demo writes: nothing is withdrawn or moved without `--yes`, service addresses
//! are `https://`, and a communicator's senders must exist.

use std::path::Path;
use std::process::{Command, Output};

use kuvert::seed;
use kuvert::testkit::Federation;

/// Runs the binary off the async workers, so the federation in this process can answer it.
async fn run(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_kuvert"))
            .args(&args)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

async fn registry_admin(config: &Path, args: &[&str]) -> Output {
    let mut all = vec![
        "registry".to_owned(),
        "admin".to_owned(),
        "--config".to_owned(),
    ];
    all.push(config.display().to_string());
    all.extend(args.iter().map(|arg| (*arg).to_owned()));
    run(all).await
}

async fn communicator(config: &Path, args: &[&str]) -> Output {
    let mut all = vec![
        "portal".to_owned(),
        "communicator".to_owned(),
        "--config".to_owned(),
    ];
    all.push(config.display().to_string());
    all.extend(args.iter().map(|arg| (*arg).to_owned()));
    run(all).await
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replacing_an_intermediarys_senders_asks_for_yes_and_says_what_is_withdrawn() {
    let federation = Federation::start(Default::default()).await;
    let config = federation.manifest().registry_config.clone();
    let intermediary = seed::INTERMEDIARY;
    let [kommun, myndigheten] = seed::SENDERS.map(|sender| sender.number);

    // Without --sender it would withdraw both approvals: refused, naming them.
    let base = [
        "add-intermediary",
        "--number",
        intermediary.number,
        "--name",
        intermediary.name,
    ];
    let refused = registry_admin(&config, &base).await;
    let error = text(&refused.stderr);
    assert!(!refused.status.success(), "{error}");
    assert!(
        error.contains(kommun) && error.contains(myndigheten),
        "{error}"
    );
    assert!(error.contains("--yes"), "{error}");
    let listed = text(&registry_admin(&config, &["list"]).await.stdout);
    let both = format!("for {myndigheten}, {kommun}");
    assert!(listed.contains(&both), "nothing changed: {listed}");

    // Keeping both is no withdrawal: saved without --yes.
    let keep = [&base[..], &["--sender", kommun, "--sender", myndigheten]].concat();
    let kept = registry_admin(&config, &keep).await;
    assert!(kept.status.success(), "{}", text(&kept.stderr));
    assert!(
        text(&kept.stdout).contains("approved for 2 senders"),
        "{}",
        text(&kept.stdout)
    );

    // With --yes the withdrawal happens and is reported.
    let narrow = [&base[..], &["--sender", kommun, "--yes"]].concat();
    let withdrawn = registry_admin(&config, &narrow).await;
    let out = text(&withdrawn.stdout);
    assert!(withdrawn.status.success(), "{}", text(&withdrawn.stderr));
    assert!(out.contains("approved for 1 sender\n"), "{out}");
    assert!(
        out.contains(&format!("approval withdrawn for {myndigheten}")),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_need_an_https_service_address_and_moving_one_needs_yes() {
    let federation = Federation::start(Default::default()).await;
    let config = federation.manifest().registry_config.clone();
    let new = [
        "add-operator",
        "--number",
        "5590000013",
        "--name",
        "Nyposten",
        "--domain",
        "nyposten.example",
    ];
    let plain = [
        &new[..],
        &["--service-address", "http://nyposten.example/service/v3"],
    ]
    .concat();
    let refused = registry_admin(&config, &plain).await;
    let error = text(&refused.stderr);
    assert!(!refused.status.success(), "{error}");
    assert!(error.contains("https://"), "{error}");
    let listed = text(&registry_admin(&config, &["list"]).await.stdout);
    assert!(!listed.contains("5590000013"), "{listed}");

    let https = [
        &new[..],
        &["--service-address", "https://nyposten.example/service/v3"],
    ]
    .concat();
    let added = registry_admin(&config, &https).await;
    assert!(added.status.success(), "{}", text(&added.stderr));

    // Moving the service of an existing operator says where from and asks for --yes.
    let moved = [
        &new[..],
        &[
            "--service-address",
            "https://ny.nyposten.example/service/v3",
        ],
    ]
    .concat();
    let refused = registry_admin(&config, &moved).await;
    let error = text(&refused.stderr);
    assert!(!refused.status.success(), "{error}");
    assert!(
        error.contains("https://nyposten.example/service/v3"),
        "{error}"
    );
    assert!(error.contains("--yes"), "{error}");
    let confirmed = registry_admin(&config, &[&moved[..], &["--yes"]].concat()).await;
    assert!(confirmed.status.success(), "{}", text(&confirmed.stderr));
    assert!(
        text(&confirmed.stdout).contains("service moved from"),
        "{}",
        text(&confirmed.stdout)
    );
    let listed = text(&registry_admin(&config, &["list"]).await.stdout);
    assert!(
        listed.contains("https://ny.nyposten.example/service/v3"),
        "{listed}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn communicators_are_added_for_known_senders_only_listed_and_removed() {
    let federation = Federation::start(Default::default()).await;
    let config = federation.portal_config_path();
    let person = seed::PERSONS[1].number;
    // A valid organisation number that is no sender in the registry.
    let refused = communicator(&config, &["add", person, "--sender", "2021000084"]).await;
    let error = text(&refused.stderr);
    assert!(!refused.status.success(), "{error}");
    assert!(
        error.contains("2021000084") && error.contains("no such sender"),
        "{error}"
    );
    let listed = text(&communicator(&config, &["list"]).await.stdout);
    assert!(!listed.contains(person), "{listed}");

    let sender = seed::SENDERS[0].number;
    let added = communicator(&config, &["add", person, "--sender", sender]).await;
    assert!(added.status.success(), "{}", text(&added.stderr));
    assert!(
        text(&added.stdout).contains("communicator for 1 sender\n"),
        "{}",
        text(&added.stdout)
    );
    let listed = text(&communicator(&config, &["list"]).await.stdout);
    assert!(listed.contains(&format!("{person}  {sender}")), "{listed}");
    // The demo's own communicator is listed as admin.
    let demo = kuvert::demo::COMMUNICATOR.seed_person().number;
    assert!(
        listed
            .lines()
            .any(|line| line.starts_with(demo) && line.ends_with("admin")),
        "{listed}"
    );

    // Issue 11: every documented written form, and a refusal that names them.
    let dashed = format!("{}-{}", &person[..8], &person[8..]);
    let short_sender = format!("{}-{}", &sender[..6], &sender[6..]);
    let written = communicator(&config, &["add", &dashed, "--sender", &short_sender]).await;
    assert!(written.status.success(), "{}", text(&written.stderr));
    for (person_text, sender_text, forms) in [
        ("nosuch", sender, "YYYYMMDD-NNNN"),
        (person, "12345", "NNNNNN-NNNN"),
    ] {
        let refused = communicator(&config, &["add", person_text, "--sender", sender_text]).await;
        let error = text(&refused.stderr);
        assert!(!refused.status.success(), "{error}");
        assert!(error.contains(forms), "{error}");
    }

    let removed = communicator(&config, &["remove", person]).await;
    assert!(removed.status.success(), "{}", text(&removed.stderr));
    let listed = text(&communicator(&config, &["list"]).await.stdout);
    assert!(!listed.contains(person), "{listed}");
    let again = communicator(&config, &["remove", person]).await;
    assert!(!again.status.success());
    assert!(
        text(&again.stderr).contains("no communicator role"),
        "{}",
        text(&again.stderr)
    );
}
