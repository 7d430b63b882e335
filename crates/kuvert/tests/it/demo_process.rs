//! `kuvert demo` as a person runs it: the real binary in its own process on free ports. One
//! demo per data directory (a second is refused, naming the holder, and the first keeps
//! delivering), and the role files the demo writes start every role by hand.

use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use kuvert::seed;

/// How long the binary may take to start the whole federation (a debug build, a busy machine).
const DEMO_START_MAX: Duration = Duration::from_secs(240);
/// How long a command or a refusal may take.
const COMMAND_MAX: Duration = Duration::from_secs(120);
/// How long a notification e-mail may take to appear (the demo's worker polls each second).
const MAIL_MAX: Duration = Duration::from_secs(60);

/// The `kuvert` binary cargo built for these tests.
pub(crate) fn kuvert() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kuvert"));
    // Never the test runner's filter: the logs must say what the tests look for.
    command.env("RUST_LOG", "info");
    command
}

/// A port free right now: the first of the demo's seven (a taken one falls back to a free
/// one, so a race costs nothing).
pub(crate) fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    listener.local_addr().unwrap().port()
}

/// A running `kuvert demo` process, killed when dropped.
pub(crate) struct DemoProcess {
    child: Child,
    log: PathBuf,
}

impl DemoProcess {
    /// Starts `kuvert demo --data-dir DATA_DIR --first-port FREE` in `cwd` with the test PKI
    /// already in `DATA_DIR/pki`, and waits for `demo.json`.
    pub(crate) fn start(data_dir: &Path, cwd: &Path) -> Self {
        let data_dir = cwd.join(data_dir);
        std::fs::create_dir_all(&data_dir).unwrap();
        let pki_dir = data_dir.join("pki");
        if !pki_dir.exists() {
            kuvert::testkit::shared_pki().write_to(&pki_dir).unwrap();
        }
        let log = data_dir.with_extension("demo.log");
        let child = spawn_logged(
            kuvert()
                .current_dir(cwd)
                .arg("demo")
                .arg("--data-dir")
                .arg(&data_dir)
                .arg("--first-port")
                .arg(free_port().to_string()),
            &log,
        );
        let mut demo = Self { child, log };
        let manifest = data_dir.join(kuvert::demo::FILE_NAME);
        demo.wait_for(|| manifest.exists(), DEMO_START_MAX, "demo.json");
        demo
    }

    /// The demo's process id.
    pub(crate) fn id(&self) -> u32 {
        self.child.id()
    }

    /// Waits until `is_done`, failing with the demo's log when it exits first or time runs out.
    fn wait_for(&mut self, mut is_done: impl FnMut() -> bool, max: Duration, what: &str) {
        let started = Instant::now();
        while !is_done() {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "kuvert demo exited ({status}) before {what}:\n{}",
                    self.log()
                );
            }
            assert!(
                started.elapsed() < max,
                "no {what} after {max:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Stops the demo and waits for it to end.
    pub(crate) fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for DemoProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Spawns `command` with its standard output and error in the file `log` (a file, not a
/// pipe, so a chatty process never blocks on a full pipe).
pub(crate) fn spawn_logged(command: &mut Command, log: &Path) -> Child {
    let file = std::fs::File::create(log).unwrap();
    command
        .stdin(Stdio::null())
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .spawn()
        .unwrap()
}

/// Runs `command` to its end within [`COMMAND_MAX`] (killed and failed past it).
pub(crate) fn run_bounded(command: &mut Command) -> Output {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > COMMAND_MAX {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            panic!(
                "{command:?} still ran after {COMMAND_MAX:?}:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.wait_with_output().unwrap()
}

/// The files in `dir` (none when it does not exist).
pub(crate) fn files_in(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|entry| Some(entry.ok()?.path()))
                .collect()
        })
        .unwrap_or_default()
}

/// Waits until the demo's preview folder of Tolvan's operator holds a notification e-mail to
/// the confirmed address, and returns it.
pub(crate) fn wait_for_notification(data_dir: &Path) -> String {
    let person = seed::person(seed::NOTIFIED.person).unwrap();
    let folder = data_dir.join("mail").join(person.operator.unwrap());
    let started = Instant::now();
    loop {
        let found = files_in(&folder)
            .into_iter()
            .filter_map(|path| std::fs::read_to_string(path).ok())
            .find(|mail| mail.contains(seed::NOTIFIED.email));
        if let Some(mail) = found {
            return mail;
        }
        assert!(
            started.elapsed() < MAIL_MAX,
            "no notification e-mail in {} after {MAIL_MAX:?}",
            folder.display()
        );
        std::thread::sleep(Duration::from_millis(250));
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_second_demo_on_the_same_directory_is_refused_naming_the_holder_and_the_first_delivers() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("kuvert-data");
    let first = DemoProcess::start(&data_dir, dir.path());
    let manifest = std::fs::read(data_dir.join(kuvert::demo::FILE_NAME)).unwrap();

    let second = run_bounded(
        kuvert()
            .arg("demo")
            .arg("--data-dir")
            .arg(&data_dir)
            .arg("--first-port")
            .arg(free_port().to_string()),
    );
    let error = stderr(&second);
    assert!(!second.status.success(), "{error}");
    assert!(
        error.contains(&format!("process {}", first.id())),
        "{error}"
    );
    assert!(error.contains(&data_dir.display().to_string()), "{error}");
    // It stopped before writing anything: the first demo's addresses stand.
    let after = std::fs::read(data_dir.join(kuvert::demo::FILE_NAME)).unwrap();
    assert_eq!(after, manifest, "the second demo rewrote demo.json");

    // The first keeps delivering, and the confirmed person's e-mail shows up at once.
    std::fs::write(
        dir.path().join("brev.txt"),
        "Hej! Ditt bygglov är beviljat.\n",
    )
    .unwrap();
    let sent = run_bounded(kuvert().current_dir(dir.path()).args([
        "send",
        "--demo",
        "kuvert-data",
        "--as",
        "exempelkommun",
        "--to",
        seed::PERSONS[0].number,
        "--subject",
        "Beslut om bygglov",
        "--body",
        "brev.txt",
    ]));
    assert!(sent.status.success(), "{}", stderr(&sent));
    assert!(stdout(&sent).starts_with("delivered"), "{}", stdout(&sent));
    let mail = wait_for_notification(&data_dir);
    assert!(mail.contains(seed::SENDERS[0].name), "{mail}");
    assert!(
        !mail.contains("Beslut om bygglov"),
        "never the subject: {mail}"
    );
    first.stop();
}

#[test]
fn the_demo_writes_its_role_files_and_every_role_starts_from_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("kuvert-data");
    let demo = DemoProcess::start(&data_dir, dir.path());
    let registry = data_dir.join(kuvert::demo::REGISTRY_CONFIG_FILE);
    let portal = data_dir.join(kuvert::demo::PORTAL_CONFIG_FILE);
    let sender = data_dir.join(kuvert::demo::SENDER_CONFIG_FILE);
    let intermediary = data_dir.join(kuvert::demo::INTERMEDIARY_CONFIG_FILE);
    let operators: Vec<PathBuf> = seed::OPERATORS
        .iter()
        .map(|operator| data_dir.join(kuvert::demo::operator_config_file(operator.key)))
        .collect();
    // sender.toml holds the sender system's secret hash, the keys folder the secret itself.
    let secret = data_dir.join("keys").join("sender-client-secret.key");
    let owner_only = [&registry, &portal, &sender, &intermediary, &secret];
    for file in owner_only.into_iter().chain(&operators) {
        assert_owner_only(file);
    }

    // The admin command and the sender toolkit work from the files as the README says.
    let listed = run_bounded(
        kuvert()
            .arg("registry")
            .arg("admin")
            .arg("--config")
            .arg(&registry)
            .arg("list"),
    );
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert!(
        stdout(&listed).contains(seed::OPERATORS[1].name),
        "{}",
        stdout(&listed)
    );
    std::fs::write(dir.path().join("brev.txt"), "Hej Anna!\n").unwrap();
    let sent = run_bounded(
        kuvert()
            .current_dir(dir.path())
            .arg("send")
            .arg("--config")
            .arg(&sender)
            .args([
                "--as",
                "exempelmyndigheten",
                "--to",
                seed::PERSONS[1].number,
                "--subject",
                "Kallelse",
                "--body",
                "brev.txt",
            ]),
    );
    assert!(sent.status.success(), "{}", stderr(&sent));
    assert!(
        stdout(&sent).contains("sender_deselected"),
        "{}",
        stdout(&sent)
    );
    // The demo's sender knows the portal: the paper letter carries its text and deep link.
    let paper =
        std::fs::read_to_string(data_dir.join("sender-archive").join("paper-mail.csv")).unwrap();
    let sender_number = seed::SENDERS[1].number;
    assert!(paper.contains("Skaffa digital brevlåda"), "{paper}");
    assert!(
        paper.contains(&format!("avsandare={sender_number}")),
        "{paper}"
    );

    // With the demo stopped, each server starts by hand from its file.
    demo.stop();
    let listen = "127.0.0.1:0";
    serves(
        kuvert()
            .args([
                "registry",
                "serve",
                "--listen",
                listen,
                "--admin-listen",
                listen,
            ])
            .arg("--config")
            .arg(&registry),
        "registry listening",
        &dir,
    );
    serves(
        kuvert()
            .args([
                "portal",
                "serve",
                "--listen",
                listen,
                "--admin-listen",
                listen,
            ])
            .arg("--config")
            .arg(&portal),
        "portal listening",
        &dir,
    );
    for operator in &operators {
        let args = [
            "operator",
            "serve",
            "--service-listen",
            listen,
            "--web-listen",
            listen,
            "--admin-listen",
            listen,
        ];
        serves(
            kuvert().args(args).arg("--config").arg(operator),
            "operator listening",
            &dir,
        );
    }
}

/// Starts a server and waits for its "listening" log line, then stops it.
fn serves(command: &mut Command, listening: &str, dir: &tempfile::TempDir) {
    let log = dir.path().join("serve.log");
    let mut child = spawn_logged(command, &log);
    let started = Instant::now();
    loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains(listening) {
            // Written to a file: no colour codes in the log.
            assert!(!text.contains('\u{1b}'), "{text}");
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("{command:?} exited ({status}):\n{text}");
        }
        assert!(started.elapsed() < COMMAND_MAX, "{command:?}:\n{text}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(unix)]
fn assert_owner_only(file: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{}", file.display());
}

#[cfg(not(unix))]
fn assert_owner_only(file: &Path) {
    assert!(file.exists(), "{}", file.display());
}

/// A reader that goes away (`kuvert verify x.zip | head`) ends the command quietly: the
/// status of a process ended by SIGPIPE, and no error about the broken pipe.
#[test]
fn output_to_a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = kuvert()
        .args(["pki", "init"])
        .arg(dir.path().join("pki"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the reading end before the command writes its first line.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let error = stderr(&output);
    assert_eq!(output.status.code(), Some(141), "{error}");
    assert!(!error.to_lowercase().contains("pipe"), "{error}");
}
