//! `kuvert cluster`: the federation as it runs for real, on one machine. Every role is a
//! process of its own on PostgreSQL: two nodes (`--nodes`) of the registry and of each
//! operator behind HAProxy ([`haproxy`]), the portal, and the test e-ID in this process.
//!
//! It starts in two steps. First the demo's one start-up path ([`crate::demo`]) runs once on
//! the cluster's public ports, on one PostgreSQL database per role (made when missing): it
//! makes or loads the PKI, migrates and seeds the databases and writes every role's
//! configuration file naming those public addresses. Its servers then stop, and each node is
//! started as `kuvert ROLE serve --config FILE` on a port of its own ([`nodes`]), with HAProxy
//! taking the public ports. So the nodes run from exactly the files a deployment would have,
//! and share nothing but the database, the blob folder and the files.

pub mod haproxy;
pub mod nodes;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use anyhow::Context;
use kuvert_web::{Listener, ListenerTls, Shutdown};

use crate::demo::{self, DataDirLock, Databases, DemoOptions, Manifest, Ports};
use crate::seed;
use haproxy::{Frontend, Mode, Server};
use nodes::{Node, NodeSpec};

/// The first public port: registry, test e-ID, portal, then each operator's service and web
/// inbox, as in the demo but clear of its ports so both can run side by side.
pub const FIRST_PORT_DEFAULT: u16 = 8540;

/// The cluster's databases are `kuvert_cluster_registry`, `kuvert_cluster_<operator>` and
/// `kuvert_cluster_portal`.
pub const DATABASE_PREFIX_DEFAULT: &str = "kuvert_cluster";

/// Nodes of the registry and of each operator.
pub const NODES_DEFAULT: u16 = 2;

/// The nodes' own ports start this far above the first public port.
const NODE_PORTS_OFFSET: u16 = 20;

/// How to start the cluster.
#[derive(Debug, Clone)]
pub struct ClusterOptions {
    /// PKI, configuration files, blobs, e-mail preview and logs.
    pub data_dir: PathBuf,
    /// See [`FIRST_PORT_DEFAULT`].
    pub first_port: u16,
    /// A PostgreSQL server URL whose user may create databases; each role gets
    /// `<database_prefix>_<role>` on it.
    pub postgres_url: String,
    /// See [`DATABASE_PREFIX_DEFAULT`]; another prefix gives another, separate cluster on
    /// the same server (the tests make one each).
    pub database_prefix: String,
    /// Nodes of the registry and of each operator (at least 1).
    pub nodes: u16,
    /// The `kuvert` binary the nodes run.
    pub kuvert: PathBuf,
    /// The HAProxy binary.
    pub haproxy: PathBuf,
    /// The operators' letters in this S3 bucket (each under `key_prefix/<operator key>`), so
    /// the nodes keep no state of their own; `None` keeps them in `DATA_DIR/blobs`, shared by
    /// the nodes of this machine only.
    pub blob_s3: Option<kuvert_operator::config::S3BlobConfig>,
}

/// A running cluster; [`Cluster::stop`] ends it (dropping it kills every process).
#[derive(Debug)]
pub struct Cluster {
    /// Every public address and identity (also in `DIR/demo.json`).
    pub manifest: Manifest,
    nodes: Vec<Node>,
    eid_shutdown: Shutdown,
    eid: tokio::task::JoinHandle<std::io::Result<()>>,
    _lock: DataDirLock,
}

impl Cluster {
    /// Prepares the databases and files, then starts the test e-ID, every node and HAProxy.
    ///
    /// # Errors
    /// The data directory is in use, a public or node port is taken, PostgreSQL refuses, a
    /// node does not come up (naming its log), or HAProxy refuses its configuration.
    pub async fn start(options: ClusterOptions) -> anyhow::Result<Self> {
        anyhow::ensure!(options.nodes >= 1, "--nodes must be at least 1");
        std::fs::create_dir_all(&options.data_dir)
            .with_context(|| format!("creating {}", options.data_dir.display()))?;
        let data_dir = std::fs::canonicalize(&options.data_dir)?;
        let lock = DataDirLock::acquire(&data_dir)?;
        let layout = Layout::new(options.first_port, options.nodes)?;
        layout.check_free().await?;
        let (mut manifest, eid) = prepare(&options, &data_dir, &layout).await?;
        // Each node has an admin listener of its own (listed with the nodes), not the
        // preparing demo's.
        manifest.clear_admin_urls();
        // The cluster runs neither the sender service nor the intermediary's service (their
        // files are written; each starts by hand from its file).
        manifest.sender_service = None;
        manifest.intermediary_service = None;
        manifest.write(&data_dir.join(demo::FILE_NAME))?;
        let eid_shutdown = Shutdown::new();
        let listener = Listener::bind(layout.public(EID), ListenerTls::Plain)
            .await
            .context("binding the test e-ID again")?;
        let stop = eid_shutdown.clone();
        let eid = tokio::spawn(kuvert_web::serve(listener, eid.router(), stop));
        let logs = data_dir.join("logs");
        std::fs::create_dir_all(&logs).context("creating the logs folder")?;
        let mut cluster = Self {
            manifest,
            nodes: Vec::new(),
            eid_shutdown,
            eid,
            _lock: lock,
        };
        for spec in layout.node_specs(&options, &cluster.manifest, &logs) {
            cluster.nodes.push(Node::start(spec).await?);
        }
        let config = data_dir.join("haproxy.cfg");
        std::fs::write(&config, haproxy::config(&layout.frontends()))
            .with_context(|| format!("writing {}", config.display()))?;
        cluster
            .nodes
            .push(Node::start(haproxy_spec(&options, &layout, &config, &logs)).await?);
        Ok(cluster)
    }

    /// Every process: the role nodes, then HAProxy.
    pub fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.nodes.iter()
    }

    /// The process named `name` (e.g. `demobrevladan-2`), to kill or restart it.
    pub fn node_mut(&mut self, name: &str) -> Option<&mut Node> {
        self.nodes.iter_mut().find(|node| node.spec().name == name)
    }

    /// Stops HAProxy first (no new connections), then every node (SIGTERM, letting open
    /// requests finish), then the test e-ID.
    pub async fn stop(mut self) {
        for node in self.nodes.iter_mut().rev() {
            node.stop().await;
        }
        self.eid_shutdown.trigger();
        if let Ok(Err(error)) = (&mut self.eid).await {
            tracing::warn!(%error, "the test e-ID stopped with an error");
        }
    }
}

/// Runs the demo once on the public ports and PostgreSQL, then stops its servers, keeping
/// the manifest and the test e-ID (whose clients' secrets the configuration files hold).
async fn prepare(
    options: &ClusterOptions,
    data_dir: &std::path::Path,
    layout: &Layout,
) -> anyhow::Result<(Manifest, kuvert_eid::TestEidProvider)> {
    let mut urls = Vec::new();
    let roles = std::iter::once(seed::REGISTRY.key)
        .chain(seed::OPERATORS.iter().map(|operator| operator.key))
        .chain(std::iter::once(seed::PORTAL.key));
    for role in roles {
        let name = format!("{}_{role}", options.database_prefix);
        let url = kuvert_store::ensure_postgres_database(&options.postgres_url, &name)
            .await
            .with_context(|| format!("the database {name}"))?;
        urls.push(url);
    }
    let pki_dir = data_dir.join("pki");
    let pki = tokio::task::spawn_blocking(move || crate::pki_command::load_or_init(&pki_dir))
        .await
        .context("PKI task")??;
    let mut running = demo::start_with_pki(
        DemoOptions {
            data_dir: data_dir.to_path_buf(),
            ports: Ports::From(layout.first_port),
            databases: Databases::Postgres(urls),
            smtp_address: None,
            notification_poll_ms: demo::NOTIFICATION_POLL_MS_DEFAULT,
            oidc_issuer: None,
            portal_statistics_cache_secs: None,
            blob_s3: options.blob_s3.clone(),
        },
        pki,
    )
    .await
    .context("preparing the databases and configuration files")?;
    let eid = running.test_eid()?;
    let manifest = running.manifest.clone();
    running.shutdown().trigger();
    running.stopped().await?;
    layout.check_manifest(&manifest)?;
    Ok((manifest, eid))
}

/// Position of the test e-ID among the public ports.
const EID: usize = 1;

/// Position of the portal among the public ports.
const PORTAL: usize = 2;

/// Which port serves what.
#[derive(Debug)]
struct Layout {
    first_port: u16,
    nodes: u16,
}

impl Layout {
    fn new(first_port: u16, nodes: u16) -> anyhow::Result<Self> {
        let layout = Self { first_port, nodes };
        let last =
            layout.node_ports_needed() + layout.admin_ports_needed() + u32::from(NODE_PORTS_OFFSET);
        anyhow::ensure!(
            u32::from(first_port) + last <= u32::from(u16::MAX) && first_port != 0,
            "--first-port {first_port} leaves no room for {nodes} nodes per role"
        );
        Ok(layout)
    }

    fn public_count() -> usize {
        3 + 2 * seed::OPERATORS.len()
    }

    fn node_ports_needed(&self) -> u32 {
        let per_operator = 2 * u32::from(self.nodes);
        u32::from(self.nodes) + per_operator * u32::try_from(seed::OPERATORS.len()).unwrap_or(0)
    }

    fn public(&self, position: usize) -> SocketAddr {
        let offset = u16::try_from(position).unwrap_or(u16::MAX);
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.first_port + offset))
    }

    /// The registry's public port, then each operator's service and web port, by position.
    fn operator_public(&self, operator: usize) -> (SocketAddr, SocketAddr) {
        (self.public(3 + 2 * operator), self.public(4 + 2 * operator))
    }

    /// One admin listener per node: the registry's, each operator's, and the portal's.
    fn admin_ports_needed(&self) -> u32 {
        let operators = u32::try_from(seed::OPERATORS.len()).unwrap_or(0);
        u32::from(self.nodes) * (1 + operators) + 1
    }

    /// The n-th admin port, after every node port: the registry's nodes, each operator's,
    /// then the portal.
    fn admin_port(&self, index: u32) -> SocketAddr {
        self.node_port(self.node_ports_needed() + index)
    }

    /// The admin address of the registry's node `node` (from 1).
    fn registry_admin(&self, node: u16) -> SocketAddr {
        self.admin_port(u32::from(node) - 1)
    }

    /// The admin address of operator `operator`'s node `node` (from 1).
    fn operator_admin(&self, operator: usize, node: u16) -> SocketAddr {
        let nodes = u32::from(self.nodes);
        let block = nodes * (1 + u32::try_from(operator).unwrap_or(0));
        self.admin_port(block + u32::from(node) - 1)
    }

    /// The portal's admin address: the last one.
    fn portal_admin(&self) -> SocketAddr {
        self.admin_port(self.admin_ports_needed() - 1)
    }

    /// The n-th node port.
    fn node_port(&self, index: u32) -> SocketAddr {
        let port = u32::from(self.first_port) + u32::from(NODE_PORTS_OFFSET) + index;
        SocketAddr::from((Ipv4Addr::LOCALHOST, u16::try_from(port).unwrap_or(0)))
    }

    /// The registry's node `node` (from 1): the first block of node ports.
    fn registry_node(&self, node: u16) -> SocketAddr {
        self.node_port(u32::from(node) - 1)
    }

    /// Operator `operator`'s node `node` (from 1): its service and web ports, side by side,
    /// in the operator's block after the registry's.
    fn operator_node(&self, operator: usize, node: u16) -> (SocketAddr, SocketAddr) {
        let nodes = u32::from(self.nodes);
        let block = nodes + 2 * nodes * u32::try_from(operator).unwrap_or(0);
        let service = block + 2 * (u32::from(node) - 1);
        (self.node_port(service), self.node_port(service + 1))
    }

    /// Every public and node port must be free before anything is written.
    async fn check_free(&self) -> anyhow::Result<()> {
        let public = (0..Self::public_count()).map(|position| self.public(position));
        let node = (0..self.node_ports_needed() + self.admin_ports_needed())
            .map(|index| self.node_port(index));
        for address in public.chain(node) {
            tokio::net::TcpListener::bind(address)
                .await
                .with_context(|| {
                    format!(
                        "port {} is taken: stop what uses it or choose --first-port",
                        address.port()
                    )
                })?;
        }
        Ok(())
    }

    /// The demo falls back to a free port when one is taken; the cluster cannot.
    fn check_manifest(&self, manifest: &Manifest) -> anyhow::Result<()> {
        let mut expected = vec![
            (manifest.registry_url.clone(), self.public(0)),
            (manifest.eid_issuer.clone(), self.public(EID)),
            (manifest.portal_url.clone(), self.public(PORTAL)),
        ];
        for (index, operator) in manifest.operators.iter().enumerate() {
            let (service, web) = self.operator_public(index);
            expected.push((operator.service_address.clone(), service));
            expected.push((operator.inbox_url.clone(), web));
        }
        for (url, address) in expected {
            let port = url::Url::parse(&url).ok().and_then(|url| url.port());
            anyhow::ensure!(
                port == Some(address.port()),
                "{url} is not on port {} (was the port taken while preparing?)",
                address.port()
            );
        }
        Ok(())
    }

    /// The registry's nodes, each operator's nodes, then the one portal node (on the
    /// portal's public port: it runs alone); each with its own admin listener.
    fn node_specs(
        &self,
        options: &ClusterOptions,
        manifest: &Manifest,
        logs: &std::path::Path,
    ) -> Vec<NodeSpec> {
        let spec = |name: String, args: Vec<String>, addresses: Vec<SocketAddr>| NodeSpec {
            log: nodes::log_path(logs, &name),
            name,
            program: options.kuvert.clone(),
            // Each node's admin listener comes last among its addresses.
            admin: addresses.last().copied(),
            args,
            addresses,
        };
        let mut specs = Vec::new();
        for node in 1..=self.nodes {
            let (listen, admin) = (self.registry_node(node), self.registry_admin(node));
            let listens = [("--listen", listen), ("--admin-listen", admin)];
            let args = serve_args("registry", &manifest.registry_config, &listens);
            specs.push(spec(format!("registry-{node}"), args, vec![listen, admin]));
        }
        for (index, operator) in manifest.operators.iter().enumerate() {
            for node in 1..=self.nodes {
                let (service, web) = self.operator_node(index, node);
                let admin = self.operator_admin(index, node);
                let listens = [
                    ("--service-listen", service),
                    ("--web-listen", web),
                    ("--admin-listen", admin),
                ];
                let args = serve_args("operator", &operator.config, &listens);
                let name = format!("{}-{node}", operator.organisation.key);
                specs.push(spec(name, args, vec![service, web, admin]));
            }
        }
        let (portal, admin) = (self.public(PORTAL), self.portal_admin());
        let listens = [("--listen", portal), ("--admin-listen", admin)];
        let args = serve_args("portal", &manifest.portal_config, &listens);
        specs.push(spec("portal-1".to_owned(), args, vec![portal, admin]));
        specs
    }

    /// HAProxy's frontends: the registry's and each operator's public ports, each with its
    /// nodes' ports and the admin address HAProxy checks them on.
    fn frontends(&self) -> Vec<Frontend> {
        let nodes = || 1..=self.nodes;
        let mut frontends = vec![Frontend {
            name: "registry".to_owned(),
            mode: Mode::Tcp,
            bind: self.public(0),
            servers: nodes()
                .map(|node| Server {
                    name: format!("registry-{node}"),
                    address: self.registry_node(node),
                    admin: self.registry_admin(node),
                })
                .collect(),
        }];
        for (index, operator) in seed::OPERATORS.iter().enumerate() {
            let (service, web) = self.operator_public(index);
            let server = |node: u16, pick: fn((SocketAddr, SocketAddr)) -> SocketAddr| Server {
                name: format!("{}-{node}", operator.key),
                address: pick(self.operator_node(index, node)),
                admin: self.operator_admin(index, node),
            };
            frontends.push(Frontend {
                name: format!("{}-service", operator.key),
                mode: Mode::Tcp,
                bind: service,
                servers: nodes()
                    .map(|node| server(node, |(service, _)| service))
                    .collect(),
            });
            frontends.push(Frontend {
                name: format!("{}-web", operator.key),
                mode: Mode::Http,
                bind: web,
                servers: nodes().map(|node| server(node, |(_, web)| web)).collect(),
            });
        }
        frontends
    }
}

/// `ROLE serve --config FILE` and the listen flags.
fn serve_args(role: &str, config: &std::path::Path, listens: &[(&str, SocketAddr)]) -> Vec<String> {
    let mut args = vec![
        role.to_owned(),
        "serve".to_owned(),
        "--config".to_owned(),
        config.display().to_string(),
    ];
    for (flag, address) in listens {
        args.push((*flag).to_owned());
        args.push(address.to_string());
    }
    args
}

/// HAProxy in the foreground (`-db`), up when every public balanced port accepts.
fn haproxy_spec(
    options: &ClusterOptions,
    layout: &Layout,
    config: &std::path::Path,
    logs: &std::path::Path,
) -> NodeSpec {
    NodeSpec {
        name: "haproxy".to_owned(),
        program: options.haproxy.clone(),
        args: vec![
            "-db".to_owned(),
            "-f".to_owned(),
            config.display().to_string(),
        ],
        addresses: layout
            .frontends()
            .iter()
            .map(|frontend| frontend.bind)
            .collect(),
        log: nodes::log_path(logs, "haproxy"),
        admin: None,
    }
}

#[cfg(test)]
mod tests {
    use super::Layout;

    #[test]
    fn frontends_and_node_specs_agree_on_every_node_port() {
        let layout = Layout::new(9000, 2).unwrap_or_else(|error| panic!("{error}"));
        let frontends = layout.frontends();
        let mut balanced: Vec<_> = frontends
            .iter()
            .flat_map(|frontend| frontend.servers.iter().map(|server| server.address.port()))
            .collect();
        balanced.sort_unstable();
        let expected: Vec<u16> = (0..layout.node_ports_needed())
            .map(|index| layout.node_port(index).port())
            .collect();
        assert_eq!(
            balanced, expected,
            "each node port behind exactly one frontend"
        );
        assert_eq!(frontends.len(), 1 + 2 * crate::seed::OPERATORS.len());
    }

    #[test]
    fn every_node_has_its_own_admin_port_after_the_node_ports() {
        let layout = Layout::new(9000, 2).unwrap_or_else(|error| panic!("{error}"));
        let mut admin: Vec<u16> = (1..=2)
            .map(|node| layout.registry_admin(node).port())
            .collect();
        for operator in 0..crate::seed::OPERATORS.len() {
            admin.extend((1..=2).map(|node| layout.operator_admin(operator, node).port()));
        }
        admin.push(layout.portal_admin().port());
        let first = layout.node_port(layout.node_ports_needed()).port();
        let expected: Vec<u16> = (first..).take(admin.len()).collect();
        assert_eq!(admin, expected, "one admin port per node, none shared");
        let checked: Vec<u16> = (layout.frontends().iter())
            .flat_map(|frontend| frontend.servers.iter().map(|server| server.admin.port()))
            .collect();
        assert!(
            checked.iter().all(|port| admin.contains(port)),
            "{checked:?}"
        );
    }
}
