//! The command line: one binary, a subcommand per role and task.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::telemetry::LogFormat;

/// Kuvert: secure digital mail from public senders (Mina meddelanden).
#[derive(Debug, Parser)]
#[command(name = "kuvert", version, about)]
pub struct Cli {
    /// How log lines are written (to standard error).
    #[arg(long, value_enum, default_value = "text", global = true)]
    pub log_format: LogFormat,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Test PKI: organisation and e-ID certificates for the demo and tests.
    Pki {
        /// What to do with the PKI.
        #[command(subcommand)]
        command: PkiCommand,
    },
    /// Förmedlingsadressregistret (FaR).
    Registry {
        /// What to do.
        #[command(subcommand)]
        command: RegistryCommand,
    },
    /// A mailbox operator (brevlådeoperatör).
    Operator {
        /// What to do.
        #[command(subcommand)]
        command: OperatorCommand,
    },
    /// The public portal.
    Portal {
        /// What to do.
        #[command(subcommand)]
        command: PortalCommand,
    },
    /// The whole federation in one process on 127.0.0.1, with seeded demo data.
    Demo(DemoArgs),
    /// The federation as it runs for real: every role a process on PostgreSQL, two nodes of
    /// the registry and of each operator behind HAProxy, the portal and the test e-ID.
    Cluster(ClusterArgs),
    /// The sender service: REST for sender systems in front of the sender toolkit.
    Sender {
        /// What to do.
        #[command(subcommand)]
        command: SenderCommand,
    },
    /// Send one letter through the sender toolkit (or put it on the paper-mail list).
    Send(SendArgs),
    /// Mass mailing from a CSV or JSON manifest: resumable, bounded per operator, with a report and
    /// the paper-mail list of the unreachable.
    Mailing(MailingArgs),
    /// Check a mailing manifest (CSV or JSON) or one letter file (body or PDF attachment)
    /// before anything is sent: every problem with its row, file and rule.
    Check(CheckArgs),
    /// Check exported letters offline: who signed, who sealed, when received.
    Verify(VerifyArgs),
    /// Copy a role's database (and an operator's letters) into one archive (`kuvert-backup-1`).
    Backup(BackupArgs),
    /// Fill a role's new, empty database (and letter store) from a backup archive.
    Restore(RestoreArgs),
    /// The intermediary's Message v3 service for sender systems (`distributeSecure`).
    Intermediary {
        /// What to do.
        #[command(subcommand)]
        command: crate::intermediary_command::IntermediaryCommand,
    },
}

/// `kuvert sender …`
#[derive(Debug, Subcommand)]
pub enum SenderCommand {
    /// Serve the REST API (mutual TLS and, for OAuth 2 clients, TLS) and drain its queue.
    Serve {
        /// TOML configuration file of the sender toolkit with its `[service]` section (then
        /// `KUVERT_SENDER__<KEY>` environment variables).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Address of the mutual-TLS listener (callers by client certificate).
        #[arg(long, default_value = "127.0.0.1:8643")]
        listen: SocketAddr,
        /// Address of the TLS listener for callers with OAuth 2 tokens; none when not given.
        #[arg(long)]
        oauth_listen: Option<SocketAddr>,
        /// Address of the admin listener (`/healthz`, `/readyz`, `/metrics`); none when not
        /// given.
        #[arg(long)]
        admin_listen: Option<SocketAddr>,
    },
    /// Read a client secret from standard input and print its Argon2id hash, for a client's
    /// `secret_hash`.
    HashSecret,
}

/// `kuvert backup`
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Whose data: the role the configuration file belongs to.
    #[arg(long, value_enum)]
    pub role: crate::backup_command::BackupRole,
    /// The role's configuration file (as for `serve`).
    #[arg(long)]
    pub config: PathBuf,
    /// The archive to write (zip); written beside it first and renamed when complete.
    #[arg(long)]
    pub out: PathBuf,
}

/// `kuvert restore`
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// Whose data: the role the configuration file belongs to.
    #[arg(long, value_enum)]
    pub role: crate::backup_command::BackupRole,
    /// The role's configuration file; its database must be new and empty.
    #[arg(long)]
    pub config: PathBuf,
    /// The archive `kuvert backup` wrote.
    pub file: PathBuf,
}

/// `kuvert check`
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A manifest (`.csv`, `.json`) or a letter file (`.html`/`.htm` or text body, `.pdf`).
    pub file: PathBuf,
}

/// `kuvert verify`
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A mailbox export (zip), or one sealed delivery (XML) with `--receipt`.
    pub file: PathBuf,
    /// The receipt (XML) of a single sealed delivery.
    #[arg(long)]
    pub receipt: Option<PathBuf>,
    /// Trust anchors (PEM): the certificates must chain to them.
    #[arg(long)]
    pub ca: Option<PathBuf>,
}

/// `kuvert send`
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["demo", "config"])))]
pub struct SendArgs {
    /// The sender: a demo key (`exempelkommun`, `exempelmyndigheten`) or its organisation
    /// number (NNNNNN-NNNN, NNNNNNNNNN or 16NNNNNNNNNN).
    #[arg(long = "as")]
    pub sender: String,
    /// The recipient: a personnummer or samordningsnummer (YYYYMMDDNNNN, YYYYMMDD-NNNN,
    /// YYMMDD-NNNN, YYMMDDNNNN, or YYMMDD+NNNN for 100 years or older) or an organisation
    /// number (NNNNNN-NNNN, NNNNNNNNNN or 16NNNNNNNNNN).
    #[arg(long)]
    pub to: String,
    /// The subject line.
    #[arg(long)]
    pub subject: String,
    /// File with the body (`.html` is sent as HTML, anything else as plain text).
    #[arg(long)]
    pub body: PathBuf,
    /// A PDF file to attach (repeat for more).
    #[arg(long = "attach")]
    pub attachments: Vec<PathBuf>,
    /// Data directory of a running `kuvert demo` (reads its `demo.json`).
    #[arg(long)]
    pub demo: Option<PathBuf>,
    /// The toolkit's TOML configuration (then `KUVERT_SENDER__…` variables).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// `kuvert mailing`
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["demo", "config"])))]
pub struct MailingArgs {
    /// The sender: a demo key (`exempelkommun`, `exempelmyndigheten`) or its organisation
    /// number (NNNNNN-NNNN, NNNNNNNNNN or 16NNNNNNNNNN).
    #[arg(long = "as")]
    pub sender: String,
    /// The manifest: CSV with the columns recipient, subject, body or body_file, and
    /// optionally attachments (PDF files separated by `;`) and reference; or, for a `.json`
    /// file, an array of objects with those members (attachments an array of file names).
    pub manifest: PathBuf,
    /// The journal that makes a stopped mailing resumable (default `MANIFEST.journal`).
    #[arg(long)]
    pub journal: Option<PathBuf>,
    /// Letters in flight to one operator at a time.
    #[arg(long, default_value_t = kuvert_core::limits::MAILING_CONCURRENCY_PER_OPERATOR_DEFAULT)]
    pub concurrency: usize,
    /// Send at most this many rows now (run again for the rest).
    #[arg(long)]
    pub max_rows: Option<usize>,
    /// Data directory of a running `kuvert demo` (reads its `demo.json`).
    #[arg(long)]
    pub demo: Option<PathBuf>,
    /// The toolkit's TOML configuration (then `KUVERT_SENDER__…` variables).
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// `kuvert pki ...`
#[derive(Debug, Subcommand)]
pub enum PkiCommand {
    /// Make a CA, organisation certificates and e-ID person certificates in DIR.
    Init {
        /// Directory for the PEM files (created if missing).
        dir: PathBuf,
        /// Replace an existing PKI in DIR.
        #[arg(long)]
        force: bool,
    },
    /// Revoke the organisation certificate KEY of the PKI in DIR: add it to the CRL
    /// `DIR/org-ca.crl.pem`, which a running demo reloads within seconds.
    Revoke {
        /// Directory of the PKI (the demo's is `DATA_DIR/pki`).
        dir: PathBuf,
        /// The certificate's key (file stem), for example `exempelposten`.
        key: String,
    },
}

/// Where a server's configuration comes from and where it listens.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// TOML configuration file (then `KUVERT_<ROLE>__<KEY>` environment variables).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8443")]
    pub listen: SocketAddr,
    /// Address of the admin listener (`/healthz`, `/readyz`, `/metrics`); default: the
    /// configuration's `admin`.
    #[arg(long)]
    pub admin_listen: Option<SocketAddr>,
}

/// `kuvert registry ...`
#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// Serve the registry's SOAP and REST APIs over mutual TLS.
    Serve(ServeArgs),
    /// Add or list operators, senders and intermediaries.
    Admin {
        /// TOML configuration file of the registry (for its database).
        #[arg(long)]
        config: Option<PathBuf>,
        /// What to do.
        #[command(subcommand)]
        command: AdminCommand,
    },
}

/// `kuvert registry admin ...`
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Add a mailbox operator, or replace its name, domain and addresses (moving its service
    /// needs --yes).
    AddOperator {
        /// Organisation number.
        #[arg(long)]
        number: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Internet domain (the `ServiceSupplier` value).
        #[arg(long)]
        domain: String,
        /// Where deliveries go: `https://…/service/v3`.
        #[arg(long)]
        service_address: String,
        /// The web inbox.
        #[arg(long)]
        ui_address: Option<String>,
        /// Move an existing operator's service to the new address.
        #[arg(long)]
        yes: bool,
    },
    /// Add a sender (avsändare), or rename it.
    AddSender {
        /// Organisation number.
        #[arg(long)]
        number: String,
        /// Display name.
        #[arg(long)]
        name: String,
    },
    /// Add an intermediary (förmedlare) with the senders it may deliver for, or replace them
    /// (withdrawing an approval needs --yes).
    AddIntermediary {
        /// Organisation number.
        #[arg(long)]
        number: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Organisation number of a sender it delivers for (repeat for more). For an
        /// existing intermediary this is the whole list: senders left out lose the approval.
        #[arg(long = "sender")]
        senders: Vec<String>,
        /// Withdraw the approval of senders an existing intermediary had and the list leaves out.
        #[arg(long)]
        yes: bool,
    },
    /// List operators, senders and intermediaries.
    List,
}

/// `kuvert operator ...`
#[derive(Debug, Subcommand)]
pub enum OperatorCommand {
    /// Serve the delivery service (mutual TLS) and the web inbox.
    Serve {
        /// TOML configuration file (then `KUVERT_OPERATOR__<KEY>` environment variables).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Address of the delivery service (`/service/v3`, mutual TLS).
        #[arg(long, default_value = "127.0.0.1:8443")]
        service_listen: SocketAddr,
        /// Address of the web inbox (plain HTTP; put a TLS proxy in front).
        #[arg(long, default_value = "127.0.0.1:8080")]
        web_listen: SocketAddr,
        /// Address of the admin listener (`/healthz`, `/readyz`, `/metrics`); default: the
        /// configuration's `admin`.
        #[arg(long)]
        admin_listen: Option<SocketAddr>,
    },
}

/// `kuvert portal ...`
#[derive(Debug, Subcommand)]
pub enum PortalCommand {
    /// Serve the portal (plain HTTP, or TLS behind no proxy when configured).
    Serve(ServeArgs),
    /// Manage the communicators who log in at `/kommunikator`.
    Communicator {
        /// TOML configuration file of the portal (for its database).
        #[arg(long)]
        config: Option<PathBuf>,
        /// What to do.
        #[command(subcommand)]
        command: CommunicatorCommand,
    },
}

/// `kuvert portal communicator ...`
#[derive(Debug, Subcommand)]
pub enum CommunicatorCommand {
    /// Give a person the communicator role for one or more senders (replacing the senders
    /// they had).
    Add {
        /// The person's personnummer or samordningsnummer.
        person: String,
        /// Organisation number of a sender the person communicates for (repeat for more).
        #[arg(long = "sender", required = true)]
        senders: Vec<String>,
        /// May also enter the annual targets.
        #[arg(long)]
        admin: bool,
        /// Is also the network's editor-in-chief (huvudredaktör): edits, returns and
        /// publishes what communicators submit. Without it the editor role is taken away.
        #[arg(long)]
        editor: bool,
    },
    /// List every communicator: personnummer, senders, admin, editor.
    List,
    /// Take the communicator role away from a person.
    Remove {
        /// The person's personnummer or samordningsnummer.
        person: String,
    },
}

/// `kuvert cluster`
#[derive(Debug, Args)]
pub struct ClusterArgs {
    /// Where the PKI, configuration files, letters, e-mail preview and node logs are kept.
    #[arg(long, default_value = "./kuvert-cluster")]
    pub data_dir: PathBuf,
    /// PostgreSQL server URL whose user may create databases (one `PREFIX_<role>` database
    /// per role is made when missing).
    #[arg(long, env = "KUVERT_CLUSTER_POSTGRES_URL")]
    pub postgres: String,
    /// Prefix of the roles' database names.
    #[arg(long, default_value = crate::cluster::DATABASE_PREFIX_DEFAULT)]
    pub database_prefix: String,
    /// First public port (registry, test e-ID, portal, then each operator's service and web
    /// inbox); the nodes' own ports start 20 above it, their admin listeners after those.
    #[arg(long, default_value_t = crate::cluster::FIRST_PORT_DEFAULT)]
    pub first_port: u16,
    /// Nodes of the registry and of each operator.
    #[arg(long, default_value_t = crate::cluster::NODES_DEFAULT)]
    pub nodes: u16,
    /// The HAProxy program (Debian's `haproxy`).
    #[arg(long, default_value = "haproxy")]
    pub haproxy: PathBuf,
    /// Keep the operators' letters in S3 at this endpoint (`http://127.0.0.1:3900` for a local
    /// Garage) instead of in `DATA_DIR/blobs`; needs a build with `--features s3`.
    #[arg(
        long,
        env = "KUVERT_CLUSTER_S3_ENDPOINT",
        requires_all = ["s3_bucket", "s3_access_key_id", "s3_secret_access_key"]
    )]
    pub s3_endpoint: Option<String>,
    /// The bucket (it must exist); each operator keeps its letters under its own prefix.
    #[arg(long, env = "KUVERT_CLUSTER_S3_BUCKET")]
    pub s3_bucket: Option<String>,
    /// The region requests are signed for.
    #[arg(long, env = "KUVERT_CLUSTER_S3_REGION", default_value = "garage")]
    pub s3_region: String,
    /// The access key id.
    #[arg(long, env = "KUVERT_CLUSTER_S3_ACCESS_KEY_ID")]
    pub s3_access_key_id: Option<String>,
    /// The secret access key (better from the environment than on the command line).
    #[arg(
        long,
        env = "KUVERT_CLUSTER_S3_SECRET_ACCESS_KEY",
        hide_env_values = true
    )]
    pub s3_secret_access_key: Option<String>,
}

/// `kuvert demo`
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where the PKI, databases, letters, e-mail and `demo.json` are kept.
    #[arg(long, default_value = "./kuvert-data")]
    pub data_dir: PathBuf,
    /// First of the consecutive ports (registry, test e-ID, portal, each operator's service
    /// and web port, the admin listeners, then the intermediary and the sender service); a
    /// taken port falls back to a free one.
    #[arg(long, default_value_t = crate::demo::FIRST_PORT_DEFAULT)]
    pub first_port: u16,
}
