//! The `kuvert` binary: one command line for every role of the federation.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use kuvert::cli::{
    Cli, ClusterArgs, Command, DemoArgs, MailingArgs, OperatorCommand, PkiCommand, PortalCommand,
    RegistryCommand, SendArgs, SenderCommand,
};
use kuvert::demo::{self, Databases, DemoOptions, Ports};

fn main() -> ExitCode {
    let cli = Cli::parse();
    kuvert::telemetry::init(cli.log_format);
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`kuvert verify x.zip | head`): stop quietly, with the status
        // a process ended by SIGPIPE has (128 + 13), as other command-line tools do.
        Err(error) if is_broken_pipe(&error) => ExitCode::from(BROKEN_PIPE_STATUS),
        Err(error) => {
            // The whole context chain on one line, what failed and why, each cause once.
            let chain = kuvert_core::report::join_causes(error.chain().map(ToString::to_string));
            let _ = writeln!(std::io::stderr(), "kuvert: {chain}");
            ExitCode::FAILURE
        }
    }
}

/// The exit status after standard output's reader closed the pipe.
const BROKEN_PIPE_STATUS: u8 = 141;

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Pki {
            command: PkiCommand::Init { dir, force },
        } => {
            let existing = if force {
                kuvert::pki_command::ExistingPki::Replace
            } else {
                kuvert::pki_command::ExistingPki::Refuse
            };
            let pki = kuvert::pki_command::init(&dir, existing)?;
            let mut out = std::io::stdout().lock();
            writeln!(out, "Test PKI written to {}", dir.display())?;
            for (key, _) in pki.organisations().chain(pki.persons()) {
                writeln!(out, "  {key}.cert.pem, {key}.key.pem")?;
            }
            Ok(())
        }
        Command::Pki {
            command: PkiCommand::Revoke { dir, key },
        } => {
            kuvert::pki_command::revoke(&dir, &key)?;
            let crl = dir.join(kuvert_pki::ORGANISATION_CRL_FILE);
            writeln!(std::io::stdout(), "{key} revoked in {}", crl.display())?;
            Ok(())
        }
        Command::Registry { command } => runtime()?.block_on(run_registry(command)),
        Command::Operator {
            command:
                OperatorCommand::Serve {
                    config,
                    service_listen,
                    web_listen,
                    admin_listen,
                },
        } => runtime()?.block_on(kuvert::operator_command::serve(
            config.as_deref(),
            service_listen,
            web_listen,
            admin_listen,
        )),
        Command::Portal {
            command: PortalCommand::Serve(args),
        } => runtime()?.block_on(kuvert::portal_command::serve(
            args.config.as_deref(),
            args.listen,
            args.admin_listen,
        )),
        Command::Portal {
            command: PortalCommand::Communicator { config, command },
        } => runtime()?.block_on(kuvert::portal_command::communicator(
            config.as_deref(),
            command,
        )),
        Command::Demo(args) => runtime()?.block_on(run_demo(args)),
        Command::Cluster(args) => runtime()?.block_on(run_cluster(args)),
        Command::Sender { command } => run_sender(command),
        Command::Send(args) => runtime()?.block_on(run_send(args)),
        Command::Mailing(args) => runtime()?.block_on(run_mailing(args)),
        Command::Check(args) => run_check(&args),
        Command::Verify(args) => run_verify(args),
        Command::Backup(args) => runtime()?.block_on(run_backup(args)),
        Command::Restore(args) => runtime()?.block_on(run_restore(args)),
        Command::Intermediary { command } => {
            runtime()?.block_on(kuvert::intermediary_command::run(command))
        }
    }
}

fn run_sender(command: SenderCommand) -> anyhow::Result<()> {
    match command {
        SenderCommand::Serve {
            config,
            listen,
            oauth_listen,
            admin_listen,
        } => runtime()?.block_on(kuvert::sender_command::serve(
            config.as_deref(),
            listen,
            oauth_listen,
            admin_listen,
        )),
        SenderCommand::HashSecret => kuvert::sender_command::hash_secret(),
    }
}

fn run_check(args: &kuvert::cli::CheckArgs) -> anyhow::Result<()> {
    use kuvert::check_command::{PROBLEMS, check, write_report};
    let report = check(&args.file);
    write_report(&mut std::io::stdout().lock(), &report)?;
    anyhow::ensure!(
        report.is_clean(),
        "{} in {}: nothing was sent",
        PROBLEMS.count(report.problems.len()),
        args.file.display()
    );
    Ok(())
}

fn run_verify(args: kuvert::cli::VerifyArgs) -> anyhow::Result<()> {
    use kuvert::verify_command::{VerifyRequest, verify, write_report};
    let request = VerifyRequest {
        file: args.file,
        receipt: args.receipt,
        ca: args.ca,
    };
    let checks = verify(&request)?;
    write_report(&mut std::io::stdout().lock(), &checks)?;
    let failed = checks.iter().filter(|check| check.outcome.is_err()).count();
    anyhow::ensure!(
        failed == 0,
        "{failed} of {} failed verification",
        kuvert::verify_command::LETTERS.count(checks.len())
    );
    Ok(())
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting tokio")
}

async fn run_registry(command: RegistryCommand) -> anyhow::Result<()> {
    match command {
        RegistryCommand::Serve(args) => {
            let config = args.config.as_deref();
            kuvert::registry_command::serve(config, args.listen, args.admin_listen).await
        }
        RegistryCommand::Admin { config, command } => {
            kuvert::registry_command::admin(config.as_deref(), command).await
        }
    }
}

async fn run_demo(args: DemoArgs) -> anyhow::Result<()> {
    let options = DemoOptions {
        data_dir: args.data_dir,
        ports: Ports::From(args.first_port),
        databases: Databases::Sqlite,
        smtp_address: None,
        notification_poll_ms: demo::NOTIFICATION_POLL_MS_DEFAULT,
        oidc_issuer: None,
        portal_statistics_cache_secs: None,
        blob_s3: None,
    };
    let mut running = demo::start(options).await?;
    print_demo(&running.manifest, "Kuvert demo")?;
    let shutdown = running.shutdown().clone();
    tokio::spawn(kuvert::stop::on_signal(shutdown));
    running.stopped().await
}

/// The operators' S3 bucket from `--s3-*` (clap makes the endpoint require the rest); a
/// plain `http://` endpoint is allowed only on a loopback address.
fn cluster_s3(args: &ClusterArgs) -> Option<kuvert_operator::config::S3BlobConfig> {
    let endpoint = args.s3_endpoint.clone()?;
    let allow_http = url::Url::parse(&endpoint).is_ok_and(|url| {
        url.scheme() == "http"
            && url
                .host_str()
                .is_some_and(|host| host == "localhost" || host.starts_with("127."))
    });
    Some(kuvert_operator::config::S3BlobConfig {
        endpoint: Some(endpoint),
        bucket: args.s3_bucket.clone().unwrap_or_default(),
        region: args.s3_region.clone(),
        access_key_id: args.s3_access_key_id.clone().unwrap_or_default(),
        secret_access_key: args.s3_secret_access_key.clone().unwrap_or_default().into(),
        key_prefix: None,
        allow_http,
        ca_path: None,
        connect_timeout_ms: kuvert_core::limits::BLOB_S3_CONNECT_TIMEOUT_MS_DEFAULT,
        request_timeout_ms: kuvert_core::limits::BLOB_S3_REQUEST_TIMEOUT_MS_DEFAULT,
    })
}

async fn run_cluster(args: ClusterArgs) -> anyhow::Result<()> {
    let blob_s3 = cluster_s3(&args);
    let options = kuvert::cluster::ClusterOptions {
        data_dir: args.data_dir,
        first_port: args.first_port,
        postgres_url: args.postgres,
        database_prefix: args.database_prefix,
        nodes: args.nodes,
        kuvert: std::env::current_exe().context("finding the kuvert binary")?,
        haproxy: args.haproxy,
        blob_s3,
    };
    let cluster = kuvert::cluster::Cluster::start(options).await?;
    print_demo(&cluster.manifest, "Kuvert cluster")?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "\nNodes (logs in {}):",
            cluster.manifest.data_dir.join("logs").display()
        )?;
        for node in cluster.nodes() {
            let spec = node.spec();
            let addresses: Vec<String> = (spec.addresses.iter())
                .filter(|address| Some(**address) != spec.admin)
                .map(ToString::to_string)
                .chain(spec.admin.map(|admin| format!("admin http://{admin}/")))
                .collect();
            let pid = node
                .pid()
                .map_or_else(|| "-".to_owned(), |pid| pid.to_string());
            writeln!(
                out,
                "  {:<20} pid {pid:<8} {}",
                spec.name,
                addresses.join(" ")
            )?;
        }
    }
    let shutdown = kuvert_web::Shutdown::new();
    kuvert::stop::on_signal(shutdown).await;
    cluster.stop().await;
    Ok(())
}

fn print_demo(manifest: &demo::Manifest, what: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{what} is running (Ctrl-C stops it).\n")?;
    for (what, url) in manifest.urls() {
        writeln!(out, "  {what:<34} {url}")?;
    }
    writeln!(
        out,
        "\n  E-mail (local preview)             {}",
        manifest.mail_dir.display()
    )?;
    writeln!(
        out,
        "  Endpoints, certificates, identities {}",
        manifest.data_dir.join("demo.json").display()
    )?;
    if let (Some(example), Some(service)) =
        (manifest.send_letter_example(), &manifest.sender_service)
    {
        writeln!(
            out,
            "\nSkicka ett brev med avsändartjänsten och demosystemets klientcertifikat\n\
             (send a letter through the sender service with the demo system's client \
             certificate):\n\n  {example}\n\n\
             Svaret har brevets id; GET {api}letters/ID visar var brevet är\n\
             (the answer holds the letter's id; GET {api}letters/ID shows where it is).",
            api = service.api_url,
        )?;
    }
    writeln!(out, "\nTest persons (log in with the test e-ID):")?;
    for person in &manifest.persons {
        let at = person.operator.as_deref().unwrap_or("no digital mailbox");
        writeln!(
            out,
            "  {:<20} {}  {at}",
            person.name, person.personal_identity_number
        )?;
    }
    Ok(())
}

async fn run_send(args: SendArgs) -> anyhow::Result<()> {
    use kuvert::send_command::{SendRequest, send, sender_config};
    use kuvert_sender::Outcome;
    let config = sender_config(args.demo.as_deref(), args.config.as_deref())?;
    let request = SendRequest {
        sender: args.sender,
        recipient: args.to,
        subject: args.subject,
        body: args.body,
        attachments: args.attachments,
    };
    let outcome = send(&config, &request).await?;
    let mut out = std::io::stdout().lock();
    match outcome {
        Outcome::Delivered {
            receipt,
            operator,
            message_id,
        } => {
            let at = time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)?;
            writeln!(out, "delivered")?;
            writeln!(out, "  TransId    {}", receipt.trans_id)?;
            writeln!(out, "  operator   {operator}")?;
            writeln!(out, "  message id {message_id}")?;
            writeln!(out, "  recipient  {}", receipt.recipient.to_wire())?;
            writeln!(out, "  time       {at}")?;
        }
        Outcome::Paper { reason } => {
            writeln!(
                out,
                "paper: {} (added to {})",
                reason.as_str(),
                config.paper_mail_path.display()
            )?;
        }
    }
    Ok(())
}

/// The mailing's progress bar: elapsed time, bar, rows, letters per second, estimated time
/// left, then the counts of [`kuvert::mailing_command::progress_line`].
fn mailing_bar_style() -> indicatif::ProgressStyle {
    indicatif::ProgressStyle::with_template(
        "{elapsed_precise} [{wide_bar}] {pos}/{len} ({per_sec}, {eta} left)\n{msg}",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
}

/// Rows between two progress lines on standard error when it is not a terminal.
const MAILING_PROGRESS_EVERY: usize = 100;

async fn run_mailing(args: MailingArgs) -> anyhow::Result<()> {
    use kuvert::mailing_command::{MailingRequest, mailing, progress_line, write_report};
    let config = kuvert::send_command::sender_config(args.demo.as_deref(), args.config.as_deref())?;
    let request = MailingRequest {
        sender: args.sender,
        manifest: args.manifest,
        journal: args.journal,
        concurrency: args.concurrency,
        max_rows: args.max_rows,
    };
    // A bar on a terminal; lines every MAILING_PROGRESS_EVERY rows in a log.
    let bar = std::io::stderr()
        .is_terminal()
        .then(|| indicatif::ProgressBar::new(0).with_style(mailing_bar_style()));
    let mut progress = |progress: &kuvert_sender::mailing::Progress| {
        let ended = progress.ended();
        if let Some(bar) = &bar {
            bar.set_length(progress.rows as u64);
            bar.set_position(ended as u64);
            bar.set_message(progress_line(progress));
        } else if ended.is_multiple_of(MAILING_PROGRESS_EVERY) || ended == progress.rows {
            let _ = writeln!(std::io::stderr(), "{}", progress_line(progress));
        }
    };
    // Ctrl-C drops the run: letters in flight are abandoned, the journal keeps the rest.
    let report = tokio::select! {
        report = mailing(&config, &request, &mut progress) => report?,
        _ = tokio::signal::ctrl_c() => anyhow::bail!(
            "stopped; run the same command again to resume from {}",
            request.journal_path().display()
        ),
    };
    if let Some(bar) = &bar {
        bar.finish();
    }
    write_report(&mut std::io::stdout().lock(), &report)?;
    anyhow::ensure!(
        report.failed.is_empty(),
        "{} failed; run the same command again to retry them",
        kuvert::verify_command::LETTERS.count(report.failed.len())
    );
    Ok(())
}

async fn run_backup(args: kuvert::cli::BackupArgs) -> anyhow::Result<()> {
    let summary = kuvert::backup_command::backup(args.role, &args.config, &args.out).await?;
    report_copy("backed up", &summary, &args.out)
}

async fn run_restore(args: kuvert::cli::RestoreArgs) -> anyhow::Result<()> {
    let summary = kuvert::backup_command::restore(args.role, &args.config, &args.file).await?;
    report_copy("restored", &summary, &args.file)
}

/// One line per table with rows, then the totals.
fn report_copy(
    what: &str,
    summary: &kuvert::backup_command::Summary,
    archive: &std::path::Path,
) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for (table, rows) in summary.rows.iter().filter(|(_, rows)| *rows > 0) {
        writeln!(out, "{table}: {rows}")?;
    }
    let rows: u64 = summary.rows.iter().map(|(_, rows)| rows).sum();
    writeln!(
        out,
        "{what} {rows} rows in {} tables and {} blobs ({})",
        summary.rows.len(),
        summary.blobs,
        archive.display()
    )?;
    Ok(())
}
