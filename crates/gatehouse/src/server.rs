//! The HTTP server: shared state, the routers and the listeners. The request pipeline
//! itself lives in `server/pipeline.rs`; health, metrics and dev mode's endpoints in
//! `server/admin.rs`; TLS in `server/tls.rs`; connections and shutdown in
//! `server/listener.rs`.

mod admin;
pub mod audit;
pub mod discovery;
mod last_used;
mod listener;
mod pipeline;
mod tls;

use std::sync::atomic::AtomicUsize;
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

pub use last_used::LastUsed;

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
    last_used: LastUsed,
    audit: audit::AuditLog,
    in_flight: AtomicUsize,
    config: ServeConfig,
    management_account: AccountId,
    dev: Option<DevAuth>,
    /// The URL the API is reached at, known once the listener is bound.
    public_url: std::sync::OnceLock<String>,
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
                last_used: LastUsed::default(),
                audit: audit::AuditLog::new(config.audit),
                in_flight: AtomicUsize::new(0),
                config,
                management_account,
                dev,
                public_url: std::sync::OnceLock::new(),
            }),
        }
    }

    /// The URL clients reach the API at: `--public-url`, else the scheme and address it
    /// listens on.
    pub fn public_url(&self) -> String {
        if let Some(url) = &self.inner.config.public_url {
            return url.clone();
        }
        match self.inner.public_url.get() {
            Some(url) => url.clone(),
            None => format!("http://{}", self.inner.config.listen),
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

    /// Last-use records of access keys and roles waiting to be written.
    pub fn last_used(&self) -> &LastUsed {
        &self.inner.last_used
    }

    /// Audit events waiting to be written.
    pub fn audit(&self) -> &audit::AuditLog {
        &self.inner.audit
    }

    /// Requests being served now.
    pub fn in_flight(&self) -> &AtomicUsize {
        &self.inner.in_flight
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

/// The API router: dev admin endpoints and every AWS request on any other path; with
/// `admin` also health and metrics (when no `--admin-listen` takes them elsewhere).
pub fn router(app: App, admin: bool) -> Router {
    let mut router = Router::new()
        .route("/moto-api/reset", post(admin::reset))
        .route("/moto-api/reset-auth", post(admin::reset_auth))
        .route("/_gatehouse/reset", post(admin::reset))
        .route(
            "/oidc/{account}/.well-known/openid-configuration",
            get(discovery::openid_configuration),
        )
        .route(
            "/oidc/{account}/.well-known/jwks.json",
            get(discovery::jwks),
        );
    if admin {
        router = admin_routes(router);
    }
    router.fallback(pipeline::handle).with_state(app)
}

/// The router of `--admin-listen`: health and metrics only.
pub fn admin_router(app: App) -> Router {
    admin_routes(Router::new()).with_state(app)
}

fn admin_routes(router: Router<App>) -> Router<App> {
    router
        .route("/health", get(admin::live))
        .route("/health/live", get(admin::live))
        .route("/health/ready", get(admin::ready))
        .route("/metrics", get(admin::metrics))
}

/// Binds the listeners and serves until SIGTERM or Ctrl-C, then lets in-flight requests
/// finish (for at most `--shutdown-timeout-secs`) and writes what is still queued.
pub async fn serve(app: App) -> anyhow::Result<()> {
    let config = app.config();
    let tls = match (&config.tls_cert, &config.tls_key) {
        (Some(cert), Some(key)) => Some(Arc::new(tls::Tls::load(cert, key)?)),
        _ => None,
    };
    let listen = config.listen;
    let api = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding --listen {listen}"))?;
    let admin = match config.admin_listen {
        Some(address) => Some(
            tokio::net::TcpListener::bind(address)
                .await
                .with_context(|| format!("binding --admin-listen {address}"))?,
        ),
        None => None,
    };
    let local = api.local_addr()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    tracing::info!(address = %local, tls = tls.is_some(), dev = app.dev().is_some(), "gatehouse listening");
    println!("gatehouse listening on {scheme}://{local}");
    let _ = app.inner.public_url.set(format!("{scheme}://{local}"));
    if let Some(admin) = &admin {
        let address = admin.local_addr()?;
        tracing::info!(address = %address, "admin endpoints listening");
        println!("gatehouse admin listening on http://{address}");
    }
    if let Some(tls) = &tls {
        tokio::spawn(tls::reload_on_sighup(tls.clone()));
    }
    let key_flusher = tokio::spawn(last_used::flush_forever(app.clone()));
    let audit_flusher = tokio::spawn(audit::flush_forever(app.clone()));
    let api_router = router(app.clone(), admin.is_none());
    let admin_router = admin.as_ref().map(|_| admin_router(app.clone()));
    listener::run(
        &app,
        listener::Listeners {
            api,
            api_router,
            tls,
            admin: admin.zip(admin_router),
        },
        shutdown_signal(),
    )
    .await;
    key_flusher.abort();
    audit_flusher.abort();
    last_used::flush(&app).await;
    audit::flush(&app).await;
    tracing::info!("stopped");
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
