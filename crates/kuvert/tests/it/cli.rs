//! The `kuvert` command line as a deployment uses it: configuration from a TOML file with
//! `KUVERT_<ROLE>__<KEY>` environment variables over it, and the registry's admin commands.

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
