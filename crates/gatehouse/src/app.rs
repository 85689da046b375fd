//! The shared state every request and every background task reads: the store, the master
//! key, the caches in front of the store, the queues written behind requests and the
//! settings in force. It holds parts; it decides nothing. Everything above it (requests,
//! services, the HTTP server, the CLI) may use it; nothing it is made of imports it.

use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::audit::{self, AuditLog};
use crate::auth::identity::PolicyCache;
use crate::auth::{Authenticator, CredentialCache, DevAuth, LastUsed};
use crate::config::ServeConfig;
use crate::model::AccountId;
use crate::secrets::MasterKey;
use crate::store::Store;

/// Everything a request needs, shared by all of them; cheap to clone.
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
    audit: AuditLog,
    in_flight: AtomicUsize,
    config: ServeConfig,
    management_account: AccountId,
    dev: Option<DevAuth>,
    /// The URL the API is reached at, known once the listener is bound.
    public_url: OnceLock<String>,
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
                audit: AuditLog::new(config.audit),
                in_flight: AtomicUsize::new(0),
                config,
                management_account,
                dev,
                public_url: OnceLock::new(),
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

    /// Notes the URL the listener was bound to (the first call wins).
    pub fn set_listening_url(&self, url: String) {
        let _ = self.inner.public_url.set(url);
    }

    /// The issuer identifier of an account's outbound web identity tokens.
    pub fn issuer(&self, account: &str) -> String {
        format!("{}/oidc/{account}", self.public_url())
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

    /// Last-use records of access keys and roles waiting to be written.
    pub fn last_used(&self) -> &LastUsed {
        &self.inner.last_used
    }

    /// Audit events waiting to be written.
    pub fn audit(&self) -> &AuditLog {
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

    /// What authentication reads: the store and the caches in front of it.
    pub fn authenticator(&self) -> Authenticator<'_> {
        let inner = &*self.inner;
        Authenticator {
            store: &inner.store,
            master_key: &inner.master_key,
            credentials: &inner.credentials,
            signing_keys: &inner.signing_keys,
            last_used: &inner.last_used,
            dev: inner.dev.as_ref(),
            allowed_regions: inner.config.allowed_regions.as_deref(),
        }
    }

    /// Writes what waits behind requests: last uses of keys and roles, audit events.
    pub async fn flush(&self) {
        crate::auth::last_used::flush(self.store(), self.last_used()).await;
        audit::flush(self.store(), self.audit()).await;
    }

    /// Flushes every second until the task is aborted.
    pub async fn flush_every_second(self) {
        let mut ticker = tokio::time::interval(Duration::from_secs(1));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            self.flush().await;
        }
    }
}

/// Logs an internal failure that is not the store's and returns the client-safe 500
/// (store failures convert with `?`).
pub fn internal(error: impl std::fmt::Display) -> wire::ServiceError {
    tracing::error!(%error, "internal failure");
    wire::ServiceError::internal()
}
