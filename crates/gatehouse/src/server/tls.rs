//! TLS with rustls: the certificate chain and key from PEM files, read at start and
//! again on SIGHUP. A reload that fails (missing file, key not matching) keeps the
//! configuration in force and says why in the log; new connections use the new
//! certificate, open ones keep theirs.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use anyhow::Context;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

/// The TLS configuration in force and where it is read from.
pub struct Tls {
    cert: PathBuf,
    key: PathBuf,
    current: RwLock<TlsAcceptor>,
}

impl Tls {
    /// Reads the certificate chain and key; fails naming the file at fault.
    pub fn load(cert: &Path, key: &Path) -> anyhow::Result<Self> {
        let acceptor = acceptor(cert, key)?;
        Ok(Self {
            cert: cert.to_owned(),
            key: key.to_owned(),
            current: RwLock::new(acceptor),
        })
    }

    /// The acceptor for a new connection.
    pub fn acceptor(&self) -> Option<TlsAcceptor> {
        self.current.read().ok().map(|acceptor| acceptor.clone())
    }

    /// Reads the files again and uses them for new connections.
    pub fn reload(&self) -> anyhow::Result<()> {
        let fresh = acceptor(&self.cert, &self.key)?;
        if let Ok(mut current) = self.current.write() {
            *current = fresh;
        }
        Ok(())
    }
}

fn acceptor(cert: &Path, key: &Path) -> anyhow::Result<TlsAcceptor> {
    let chain = CertificateDer::pem_file_iter(cert)
        .with_context(|| format!("--tls-cert: reading {}", cert.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| {
            format!(
                "--tls-cert: {} is not a PEM certificate chain",
                cert.display()
            )
        })?;
    if chain.is_empty() {
        anyhow::bail!("--tls-cert: {} holds no certificate", cert.display());
    }
    let private = PrivateKeyDer::from_pem_file(key)
        .with_context(|| format!("--tls-key: {} holds no PEM private key", key.display()))?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .context("--tls-cert/--tls-key: the key does not match the certificate")?;
    // HTTP/2 first when the client offers it, as AWS's endpoints do.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Reloads the certificate and key on every SIGHUP until the process ends.
pub async fn reload_on_sighup(tls: Arc<Tls>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let Ok(mut hangups) = signal(SignalKind::hangup()) else {
            tracing::warn!("cannot listen for SIGHUP: TLS certificates will not be reloaded");
            return;
        };
        while hangups.recv().await.is_some() {
            match tls.reload() {
                Ok(()) => tracing::info!("TLS certificate and key reloaded"),
                Err(error) => {
                    tracing::error!(error = %format!("{error:#}"), "TLS reload failed; keeping the previous certificate");
                }
            }
        }
    }
    #[cfg(not(unix))]
    let _ = tls;
}
