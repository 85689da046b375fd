//! Schema versions: a table records which migrations ran; each runs once, in order,
//! inside its own transaction.

use super::{column, postgres, sqlite, Backend, Store, StoreError};

/// Applies every migration the database has not seen yet.
pub(super) async fn run(store: &Store) -> Result<(), StoreError> {
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS gatehouse_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )
    .execute(store.pool())
    .await?;
    let migrations = match store.backend() {
        Backend::Sqlite => sqlite::MIGRATIONS,
        Backend::Postgres => postgres::MIGRATIONS,
    };
    let applied = current_version(store).await?;
    for (index, sql) in migrations.iter().enumerate() {
        let version = i64::try_from(index).unwrap_or(i64::MAX) + 1;
        if version <= applied {
            continue;
        }
        let mut tx = store.begin().await?;
        sqlx::raw_sql(sql).execute(tx.conn()).await?;
        sqlx::query("INSERT INTO gatehouse_migrations (version, applied_at) VALUES ($1, $2)")
            .bind(version)
            .bind(super::now_millis())
            .execute(tx.conn())
            .await?;
        tx.commit().await?;
    }
    Ok(())
}

/// The highest migration applied, 0 for a new database.
pub async fn current_version(store: &Store) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM gatehouse_migrations")
        .fetch_one(store.pool())
        .await?;
    column::<i64>(&row, "v")
}

/// The number of migrations this build knows for the store's backend.
pub fn latest_version(store: &Store) -> i64 {
    let count = match store.backend() {
        Backend::Sqlite => sqlite::MIGRATIONS.len(),
        Backend::Postgres => postgres::MIGRATIONS.len(),
    };
    i64::try_from(count).unwrap_or(i64::MAX)
}
