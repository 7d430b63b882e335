//! The cluster's processes: every role node is the `kuvert` binary serving one role from its
//! configuration file on its own addresses, HAProxy is one more; each writes to a log file of
//! its own. A node counts as up when all its addresses accept connections; one that exits
//! while starting is reported with its log's path.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::Context;
use tokio::process::{Child, Command};

/// How long a node may take to accept on every address (a debug build migrating a fresh
/// PostgreSQL database takes a few seconds).
const START_TIMEOUT: Duration = Duration::from_secs(90);

/// How long a node may take to finish its open requests after SIGTERM before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(15);

/// A process of the cluster, as started and as restarted.
#[derive(Debug, Clone)]
pub struct NodeSpec {
    /// Unique name, e.g. `registry-1` (HAProxy's server name, and the log's file stem).
    pub name: String,
    /// The program.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// Where it must accept connections to count as up.
    pub addresses: Vec<SocketAddr>,
    /// Which of those is its admin listener (`/healthz`, `/readyz`, `/metrics`), if any.
    pub admin: Option<SocketAddr>,
    /// Its standard output and error, appended across restarts.
    pub log: PathBuf,
}

/// A running (or killed) process of the cluster.
#[derive(Debug)]
pub struct Node {
    spec: NodeSpec,
    child: Option<Child>,
}

impl Node {
    /// Starts the process and waits until it accepts on every address.
    ///
    /// # Errors
    /// It cannot be spawned, exits while starting, or is not up within [`START_TIMEOUT`].
    pub async fn start(spec: NodeSpec) -> anyhow::Result<Self> {
        let mut node = Self { spec, child: None };
        node.spawn().await?;
        Ok(node)
    }

    /// Its specification.
    #[must_use]
    pub fn spec(&self) -> &NodeSpec {
        &self.spec
    }

    /// Its process id while it runs.
    #[must_use]
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().and_then(Child::id)
    }

    /// SIGKILL, as a crash would: nothing is flushed, no request is finished.
    ///
    /// # Errors
    /// The signal cannot be sent or the process not reaped.
    pub async fn kill(&mut self) -> anyhow::Result<()> {
        if let Some(mut child) = self.child.take() {
            child
                .kill()
                .await
                .with_context(|| format!("killing {}", self.spec.name))?;
        }
        Ok(())
    }

    /// Starts it again (after [`Node::kill`] or [`Node::stop`]) and waits until it is up.
    ///
    /// # Errors
    /// As [`Node::start`].
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        self.kill().await?;
        self.spawn().await
    }

    /// SIGTERM, then waits for it to finish its open requests; SIGKILL after
    /// [`STOP_TIMEOUT`].
    pub async fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let terminated = child
            .id()
            .and_then(|id| rustix::process::Pid::from_raw(i32::try_from(id).ok()?))
            .map(|pid| rustix::process::kill_process(pid, rustix::process::Signal::TERM));
        if matches!(terminated, Some(Ok(())))
            && tokio::time::timeout(STOP_TIMEOUT, child.wait())
                .await
                .is_ok()
        {
            return;
        }
        if let Err(error) = child.kill().await {
            tracing::warn!(node = %self.spec.name, %error, "could not kill the node");
        }
    }

    async fn spawn(&mut self) -> anyhow::Result<()> {
        let spec = &self.spec;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&spec.log)
            .with_context(|| format!("opening the log {}", spec.log.display()))?;
        let error_log = log.try_clone().context("sharing the log file")?;
        let mut child = Command::new(&spec.program)
            .args(&spec.args)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(error_log)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {} ({})", spec.name, spec.program.display()))?;
        let up = wait_until_up(&mut child, &spec.addresses).await;
        self.child = Some(child);
        up.with_context(|| {
            format!(
                "{} did not start; its log: {}",
                spec.name,
                spec.log.display()
            )
        })
    }
}

/// Polls every address until each accepts, failing at once when the process has exited.
async fn wait_until_up(child: &mut Child, addresses: &[SocketAddr]) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + START_TIMEOUT;
    loop {
        if let Some(status) = child.try_wait().context("checking the process")? {
            anyhow::bail!("it exited ({status})");
        }
        if all_accept(addresses).await {
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            anyhow::bail!(
                "not accepting connections after {} s",
                START_TIMEOUT.as_secs()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn all_accept(addresses: &[SocketAddr]) -> bool {
    for address in addresses {
        let connect = tokio::net::TcpStream::connect(address);
        if !matches!(
            tokio::time::timeout(Duration::from_secs(1), connect).await,
            Ok(Ok(_))
        ) {
            return false;
        }
    }
    true
}

/// A node's log file in the cluster's `logs` folder.
#[must_use]
pub fn log_path(logs: &Path, name: &str) -> PathBuf {
    logs.join(format!("{name}.log"))
}
