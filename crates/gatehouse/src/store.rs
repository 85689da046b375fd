//! Durable state. One SQL implementation runs on both backends through sqlx's `Any`
//! driver; `schema` holds the DDL, written once, and `sqlite` and `postgres` the
//! connection setup and their type names. Every mutation happens inside one [`Tx`],
//! committed before the client hears of success. Queries are scoped by account (or
//! organization) id; ARCHITECTURE.md lists the few that look things up by id alone.

mod access_keys;
mod access_reports;
mod account_aliases;
mod accounts;
mod audit;
mod audit_segment;
mod delegation_requests;
mod groups;
mod instance_profiles;
mod login_profiles;
mod meta;
mod mfa_devices;
pub mod migrations;
mod organizations;
mod outbound_federation;
mod policies;
mod postgres;
mod providers;
mod quotas;
mod reports;
mod roles;
mod schema;
mod server_certificates;
mod service_credentials;
mod signing_certificates;
mod sqlite;
mod ssh_public_keys;
mod tags;
mod users;

#[cfg(test)]
mod behaviour;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Transaction};

pub use access_keys::{AccessKeyRecord, KeyOwner};
pub use access_reports::{AccessReportRecord, AccessSummary};
pub use accounts::AccountRecord;
pub use audit::{AuditFilter, AuditRecord};
pub use audit_segment::{AccessUse, EventView, SealedSegment, SegmentBuilder};
pub use delegation_requests::DelegationRequestRecord;
pub use groups::GroupRecord;
pub use instance_profiles::InstanceProfileRecord;
pub use login_profiles::{LoginProfileRecord, PasswordPolicyRecord};
pub use mfa_devices::MfaDeviceRecord;
pub use organizations::{
    CreateAccountRequestRecord, HandshakeRecord, MemberRecord, OrgPolicyRecord, OrgPosition,
    OrganizationRecord, TransferRecord, UnitRecord,
};
pub use outbound_federation::OutboundKeyRecord;
pub use policies::{ManagedPolicyRecord, OwnerKind};
pub use providers::{OidcProviderRecord, SamlProviderRecord};
pub use quotas::QuotaRequestRecord;
pub use roles::RoleRecord;
pub use server_certificates::ServerCertificateRecord;
pub use service_credentials::ServiceCredentialRecord;
pub use signing_certificates::SigningCertificateRecord;
pub use ssh_public_keys::SshPublicKeyRecord;
pub use tags::TaggedTable;
pub use users::UserRecord;

/// Failures of the store. `?` turns them into the client's `InternalFailure`.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed a statement.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A row violates a uniqueness rule (for example a second user of the same name).
    #[error("a row with the same key exists")]
    Duplicate,
    /// The URL names no backend Gatehouse supports.
    #[error("unsupported database url `{0}`: use sqlite://… or postgres://…")]
    UnsupportedUrl(String),
    /// A stored value does not decode (corruption or a newer schema).
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
}

impl From<StoreError> for wire::ServiceError {
    /// A store failure reaches the client only as `InternalFailure` (500); the detail
    /// goes to the log here, and the pipeline logs the 500 with its request id.
    fn from(error: StoreError) -> Self {
        tracing::error!(%error, "internal failure");
        wire::ServiceError::internal()
    }
}

/// Which database engine is behind the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite (the default).
    Sqlite,
    /// PostgreSQL, for several Gatehouse nodes sharing one deployment.
    Postgres,
}

/// A handle on the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

/// One database transaction. Dropping it without [`Tx::commit`] rolls it back.
pub struct Tx {
    inner: Transaction<'static, Any>,
}

/// A transaction opened on first use. The request path holds one for every operation;
/// those that read nothing (`GetCallerIdentity`) never open it.
pub struct LazyTx<'a> {
    store: &'a Store,
    tx: Option<Tx>,
}

impl<'a> LazyTx<'a> {
    /// No transaction yet; [`LazyTx::get`] opens one on `store`.
    pub fn new(store: &'a Store) -> Self {
        Self { store, tx: None }
    }

    /// The transaction, opened now if it was not yet.
    pub async fn get(&mut self) -> Result<&mut Tx, StoreError> {
        let tx = match self.tx.take() {
            Some(tx) => tx,
            None => self.store.begin().await?,
        };
        Ok(self.tx.insert(tx))
    }

    /// The transaction, if one was opened.
    pub fn into_inner(self) -> Option<Tx> {
        self.tx
    }
}

impl Store {
    /// Opens (creating if needed) the database at `url` and brings its schema up to date.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        let pool = match backend {
            Backend::Sqlite => sqlite::connect(url).await?,
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(16)
                    .connect(url)
                    .await?
            }
        };
        let store = Self { pool, backend };
        migrations::run(&store).await?;
        Ok(store)
    }

    /// The engine behind this store.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts a transaction.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let started = std::time::Instant::now();
        let inner = self.pool.begin().await?;
        crate::metrics::store("begin", started.elapsed());
        Ok(Tx { inner })
    }

    /// Connections the pool holds, and how many of them are idle.
    pub fn pool_use(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// Deletes every row of every table except the management account, its root
    /// credentials and the store's own metadata (dev mode's reset).
    pub async fn reset(&self, keep_account: &str) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        for table in [
            "audit_events",
            "audit_segments",
            "access_activity",
            "access_reports",
            "delegation_notifications",
            "delegation_requests",
            "outbound_signing_keys",
            "outbound_federation",
            "login_profiles",
            "password_policies",
            "mfa_devices",
            "server_certificates",
            "ssh_public_keys",
            "signing_certificates",
            "service_credentials",
            "instance_profiles",
            "account_aliases",
            "slr_deletion_tasks",
            "credential_reports",
            "oidc_providers",
            "saml_providers",
            "group_members",
            "iam_groups",
            "policy_attachments",
            "inline_policies",
            "policy_versions",
            "managed_policies",
            "iam_roles",
            "account_settings",
            "iam_org_features",
            "org_resource_policies",
            "org_delegated_admins",
            "org_service_access",
            "org_responsibility_transfers",
            "org_handshakes",
            "org_tags",
            "org_policy_attachments",
            "org_policy_types",
            "org_policies",
            "org_create_account_requests",
            "org_accounts",
            "org_units",
            "organizations",
            "quota_requests",
            "quota_values",
            "users",
        ] {
            tx.exec(&format!("DELETE FROM {table}"), &[]).await?;
        }
        tx.exec(
            "DELETE FROM access_keys WHERE NOT (account_id = $1 AND user_key IS NULL)",
            &[keep_account],
        )
        .await?;
        tx.exec(
            "DELETE FROM accounts WHERE account_id <> $1",
            &[keep_account],
        )
        .await?;
        tx.commit().await
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

impl Tx {
    /// Makes every change of this transaction durable.
    pub async fn commit(self) -> Result<(), StoreError> {
        let started = std::time::Instant::now();
        self.inner.commit().await.map_err(StoreError::from)?;
        crate::metrics::store("commit", started.elapsed());
        Ok(())
    }

    /// Runs a statement with text parameters and returns the number of rows it touched.
    pub(crate) async fn exec(&mut self, sql: &str, args: &[&str]) -> Result<u64, StoreError> {
        let mut query = sqlx::query(sql);
        for arg in args {
            query = query.bind(*arg);
        }
        let done = query.execute(&mut *self.inner).await.map_err(map_error)?;
        Ok(done.rows_affected())
    }

    pub(crate) fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.inner
    }
}

/// Maps a unique-constraint violation to [`StoreError::Duplicate`].
pub(crate) fn map_error(error: sqlx::Error) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate,
        _ => StoreError::Database(error),
    }
}

/// Reads a column, naming it in the error when the type does not match.
pub(crate) fn column<'r, T>(row: &'r AnyRow, name: &str) -> Result<T, StoreError>
where
    T: sqlx::Decode<'r, Any> + sqlx::Type<Any>,
{
    use sqlx::Row;
    row.try_get(name)
        .map_err(|error| StoreError::Corrupt(format!("column `{name}`: {error}")))
}

/// The case-insensitive key of an IAM name: users, groups, roles and policies are
/// unique per account regardless of case, and keep the case they were created with.
pub(crate) fn name_key(name: &str) -> String {
    name.to_lowercase()
}

/// Milliseconds since the Unix epoch, the unit of every stored timestamp.
pub fn now_millis() -> i64 {
    let now = time::OffsetDateTime::now_utc();
    i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// Converts stored milliseconds back to a timestamp.
pub fn from_millis(millis: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}
