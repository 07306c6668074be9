//! TLS on every listener (`--tlsCert`, `--tlsKey`), with client
//! certificates required on the call port and the TCP listener
//! (`--tlsClientCa`).
//!
//! The files are read at start-up, then looked at every second: once they
//! change and load again, new connections get the new certificate, while
//! those already open go on with the old one. A change that does not load
//! (a key not yet matching its certificate, half-written) keeps the old one
//! and is tried again at the next look.

mod listen;

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use anyhow::Context as _;
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use tokio_rustls::TlsAcceptor;

use crate::cli::Cli;

pub use listen::{Listener, listen};

/// How often the certificate files are looked at.
const POLL: Duration = Duration::from_secs(1);

/// How long a client has to finish its TLS handshake.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Which listener a connection came to: each has its own rules.
#[derive(Debug, Clone, Copy)]
pub enum Side {
    /// `--port`: HTTP calls, client certificates with `--tlsClientCa`.
    Calls,
    /// `--httpPort`: Vision, the index, `/status`; no client certificate.
    Web,
    /// `--tcpPort`: Graft's binary protocol, client certificates with `--tlsClientCa`.
    Tcp,
}

/// The files given on the command line.
#[derive(Debug, Clone)]
struct Files {
    cert: PathBuf,
    key: PathBuf,
    client_ca: Option<PathBuf>,
}

/// Each side's rustls configuration, as last loaded.
struct Configs {
    calls: Arc<ServerConfig>,
    web: Arc<ServerConfig>,
    tcp: Arc<ServerConfig>,
}

/// The gateway's TLS: the current configurations, replaced when the files change.
pub struct Tls {
    files: Files,
    current: RwLock<Configs>,
}

impl Tls {
    /// The TLS the command line asks for, if any, loaded and watched.
    pub fn from_cli(cli: &Cli) -> anyhow::Result<Option<Arc<Tls>>> {
        let files = match (&cli.tls_cert, &cli.tls_key) {
            (Some(cert), Some(key)) => Files {
                cert: cert.clone(),
                key: key.clone(),
                client_ca: cli.tls_client_ca.clone(),
            },
            (None, None) if cli.tls_client_ca.is_none() => return Ok(None),
            (None, None) => anyhow::bail!("--tlsClientCa needs --tlsCert and --tlsKey"),
            _ => anyhow::bail!("--tlsCert and --tlsKey go together: give both"),
        };
        let tls = Arc::new(Tls {
            current: RwLock::new(load(&files)?),
            files,
        });
        tokio::spawn(watch(Arc::downgrade(&tls), stamps(&tls.files)));
        Ok(Some(tls))
    }

    /// An acceptor for a new connection on `side`, with the certificate loaded last.
    pub fn acceptor(&self, side: Side) -> TlsAcceptor {
        let configs = self.current.read().unwrap_or_else(|e| e.into_inner());
        let config = match side {
            Side::Calls => &configs.calls,
            Side::Web => &configs.web,
            Side::Tcp => &configs.tcp,
        };
        TlsAcceptor::from(Arc::clone(config))
    }

    /// The TLS handshake before each TCP connection's hello.
    pub fn upgrade(self: &Arc<Self>) -> graft_wire::Upgrade {
        let tls = Arc::clone(self);
        graft_wire::Upgrade::new(move |stream| {
            let accepting = tls.acceptor(Side::Tcp).accept(stream);
            Box::pin(async move {
                let stream = accepting.await?;
                Ok(Box::new(stream) as Box<dyn graft_wire::Io>)
            })
        })
    }
}

/// Reads the files and builds each side's configuration.
fn load(files: &Files) -> anyhow::Result<Configs> {
    let chain = CertificateDer::pem_file_iter(&files.cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .with_context(|| format!("cannot read --tlsCert {}", files.cert.display()))?;
    anyhow::ensure!(
        !chain.is_empty(),
        "--tlsCert {} holds no certificate",
        files.cert.display()
    );
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .with_context(|| format!("cannot read --tlsKey {}", files.key.display()))?;
    let verifier = match &files.client_ca {
        Some(ca) => Some(client_verifier(ca)?),
        None => None,
    };
    let build = |verifier: Option<Arc<dyn rustls::server::danger::ClientCertVerifier>>, alpn| {
        let builder = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()?;
        let builder = match verifier {
            Some(verifier) => builder.with_client_cert_verifier(verifier),
            None => builder.with_no_client_auth(),
        };
        let mut config = builder
            .with_single_cert(chain.clone(), key.clone_key())
            .with_context(|| format!("--tlsKey {} does not fit --tlsCert", files.key.display()))?;
        config.alpn_protocols = alpn;
        anyhow::Ok(Arc::new(config))
    };
    let http = || vec![b"http/1.1".to_vec()];
    Ok(Configs {
        calls: build(
            verifier.clone(),
            [b"h2".to_vec()].into_iter().chain(http()).collect(),
        )?,
        web: build(None, http())?,
        tcp: build(verifier, Vec::new())?,
    })
}

/// Accepts client certificates signed by a CA in `ca` (PEM), and no others.
fn client_verifier(
    ca: &Path,
) -> anyhow::Result<Arc<dyn rustls::server::danger::ClientCertVerifier>> {
    let what = || format!("cannot read --tlsClientCa {}", ca.display());
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca).with_context(what)? {
        roots.add(cert.with_context(what)?).with_context(what)?;
    }
    anyhow::ensure!(
        !roots.is_empty(),
        "--tlsClientCa {} holds no certificate",
        ca.display()
    );
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
        .build()
        .with_context(what)?;
    Ok(verifier)
}

/// *ring*'s provider: rustls 0.23.48 deprecates it for lacking post-quantum
/// key exchange, but aws-lc-rs, the other, needs cmake to build.
#[allow(deprecated)]
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// When each file last changed (None: it cannot be read now).
fn stamps(files: &Files) -> Vec<Option<SystemTime>> {
    let paths = [
        Some(&files.cert),
        Some(&files.key),
        files.client_ca.as_ref(),
    ];
    let modified = |path: &PathBuf| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    paths.into_iter().flatten().map(modified).collect()
}

/// Loads the files again whenever they change, until the gateway's TLS is dropped.
async fn watch(tls: std::sync::Weak<Tls>, mut seen: Vec<Option<SystemTime>>) {
    loop {
        tokio::time::sleep(POLL).await;
        let Some(tls) = tls.upgrade() else { return };
        let now = stamps(&tls.files);
        if now == seen {
            continue;
        }
        match load(&tls.files) {
            Ok(configs) => {
                *tls.current.write().unwrap_or_else(|e| e.into_inner()) = configs;
                seen = now;
                tracing::info!(
                    "TLS: loaded the new certificate from {}",
                    tls.files.cert.display()
                );
            }
            Err(err) => tracing::warn!("TLS: the changed files do not load yet: {err:#}"),
        }
    }
}
