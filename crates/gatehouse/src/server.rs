//! The HTTP server: shared state, the router and the listener. The request pipeline
//! itself lives in `server/pipeline.rs`; dev mode's admin endpoints in `server/admin.rs`.

mod admin;
mod key_usage;
mod pipeline;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use axum::routing::{get, post};
use axum::Router;
use wire::ServiceError;

use crate::auth::identity::PolicyCache;
use crate::auth::{CredentialCache, DevAuth};
use crate::config::ServeConfig;
use crate::model::AccountId;
use crate::secrets::MasterKey;
use crate::store::Store;

pub use key_usage::KeyUsage;

/// Everything a request needs, shared by all of them.
#[derive(Clone)]
pub struct App {
    inner: Arc<AppInner>,
}

struct AppInner {
    store: Store,
    master_key: MasterKey,
    credentials: CredentialCache,
    policies: PolicyCache,
    signing_keys: sigv4::SigningKeyCache,
    key_usage: KeyUsage,
    config: ServeConfig,
    management_account: AccountId,
    dev: Option<DevAuth>,
}

impl App {
    /// Assembles the state from its parts.
    pub fn new(
        store: Store,
        master_key: MasterKey,
        config: ServeConfig,
        management_account: AccountId,
    ) -> Self {
        let dev = config.dev.then(|| DevAuth::new(config.dev_account_id));
        Self {
            inner: Arc::new(AppInner {
                store,
                master_key,
                credentials: CredentialCache::default(),
                policies: PolicyCache::default(),
                signing_keys: sigv4::SigningKeyCache::new(sigv4::DEFAULT_CAPACITY),
                key_usage: KeyUsage::default(),
                config,
                management_account,
                dev,
            }),
        }
    }

    /// The database.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The key sealing secrets at rest.
    pub fn master_key(&self) -> &MasterKey {
        &self.inner.master_key
    }

    /// Cached credentials by access key id.
    pub fn credentials(&self) -> &CredentialCache {
        &self.inner.credentials
    }

    /// Cached authorization views of principals.
    pub fn policies(&self) -> &PolicyCache {
        &self.inner.policies
    }

    /// Cached SigV4 signing keys.
    pub fn signing_keys(&self) -> &sigv4::SigningKeyCache {
        &self.inner.signing_keys
    }

    /// Access-key last-use records waiting to be written.
    pub fn key_usage(&self) -> &KeyUsage {
        &self.inner.key_usage
    }

    /// The settings in force.
    pub fn config(&self) -> &ServeConfig {
        &self.inner.config
    }

    /// The management account's id.
    pub fn management_account(&self) -> AccountId {
        self.inner.management_account
    }

    /// Dev mode's state, when dev mode is on.
    pub fn dev(&self) -> Option<&DevAuth> {
        self.inner.dev.as_ref()
    }

    /// Logs an internal failure and returns the client-safe 500 error.
    pub fn internal(&self, error: impl std::fmt::Display) -> ServiceError {
        tracing::error!(%error, "internal failure");
        ServiceError::internal()
    }
}

/// The router: health, dev admin endpoints, and every AWS request on any other path.
pub fn router(app: App) -> Router {
    Router::new()
        .route("/health", get(admin::live))
        .route("/health/live", get(admin::live))
        .route("/health/ready", get(admin::ready))
        .route("/moto-api/reset", post(admin::reset))
        .route("/moto-api/reset-auth", post(admin::reset_auth))
        .route("/_gatehouse/reset", post(admin::reset))
        .fallback(pipeline::handle)
        .with_state(app)
}

/// Binds the listener and serves until SIGTERM or Ctrl-C.
pub async fn serve(app: App) -> anyhow::Result<()> {
    let listen = app.config().listen;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    let local = listener.local_addr()?;
    tracing::info!(address = %local, dev = app.dev().is_some(), "gatehouse listening");
    println!("gatehouse listening on http://{local}");
    let flusher = tokio::spawn(key_usage::flush_forever(app.clone()));
    axum::serve(
        listener,
        router(app.clone()).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    flusher.abort();
    key_usage::flush(&app).await;
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}
