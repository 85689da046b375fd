//! Schema versions: a table records which migrations ran; each runs once, in order. The
//! migrations themselves live in `schema.rs`, written once for both backends and
//! rendered here for the store's engine. All pending migrations run in one transaction:
//! a start commits (and, on SQLite, syncs) once, not once per migration, and a failure
//! leaves the schema as it was. On PostgreSQL the transaction first takes an advisory
//! lock, so nodes starting together migrate one after the other and the later ones find
//! nothing left to do.

use super::schema::{self, MIGRATIONS};
use super::{column, Backend, Store, StoreError};

/// The advisory lock key nodes take while migrating (any fixed number; "gh-migr").
const MIGRATION_LOCK: i64 = 0x0067_682d_6d69_6772;

/// Applies every migration the database has not seen yet.
pub(super) async fn run(store: &Store) -> Result<(), StoreError> {
    // A current schema is the common case: one read, no write.
    if has_versions_table(store).await? && current_version(store).await? >= schema::latest_version()
    {
        return Ok(());
    }
    let mut tx = store.begin().await?;
    if store.backend() == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(MIGRATION_LOCK)
            .execute(tx.conn())
            .await?;
    }
    sqlx::raw_sql(schema::VERSIONS_TABLE)
        .execute(tx.conn())
        .await?;
    let row = sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM gatehouse_migrations")
        .fetch_one(tx.conn())
        .await?;
    let applied = column::<i64>(&row, "v")?;
    for migration in MIGRATIONS {
        if migration.version <= applied {
            continue;
        }
        let sql = schema::render(migration.sql, store.backend());
        sqlx::raw_sql(&sql).execute(tx.conn()).await?;
        sqlx::query("INSERT INTO gatehouse_migrations (version, applied_at) VALUES ($1, $2)")
            .bind(migration.version)
            .bind(super::now_millis())
            .execute(tx.conn())
            .await?;
    }
    tx.commit().await
}

/// Whether the versions table exists (a new database has none).
async fn has_versions_table(store: &Store) -> Result<bool, StoreError> {
    let sql = match store.backend() {
        Backend::Sqlite => {
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'gatehouse_migrations'"
        }
        Backend::Postgres => {
            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'gatehouse_migrations'"
        }
    };
    let row = sqlx::query(sql).fetch_one(store.pool()).await?;
    Ok(column::<i64>(&row, "n")? > 0)
}

/// The highest migration applied, 0 for a new database.
pub async fn current_version(store: &Store) -> Result<i64, StoreError> {
    if !has_versions_table(store).await? {
        return Ok(0);
    }
    let row = sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM gatehouse_migrations")
        .fetch_one(store.pool())
        .await?;
    column::<i64>(&row, "v")
}

/// The highest migration this build knows. Both backends share one list, so the store
/// does not matter; the parameter keeps callers independent of that.
pub fn latest_version(_store: &Store) -> i64 {
    schema::latest_version()
}
