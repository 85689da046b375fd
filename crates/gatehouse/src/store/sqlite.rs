//! SQLite specifics: connection setup and SQLite's names for the column types of the
//! shared schema (`schema.rs`; no DDL lives here). The pool holds a single connection in
//! WAL mode with `synchronous=FULL`, so an acknowledged commit survives `kill -9` and
//! power loss, and writers never race for the lock (SQLite serialises writers anyway;
//! one connection avoids upgrade deadlocks).

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};

use super::schema::ColumnType;

/// Opens the database file, creating it if absent.
pub(super) async fn connect(url: &str) -> Result<AnyPool, sqlx::Error> {
    let url = if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    };
    AnyPoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                conn.execute(
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; \
                     PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;",
                )
                .await?;
                Ok(())
            })
        })
        .connect(&url)
        .await
}

/// SQLite's name for `column`. These are the names the tables were created with since
/// version 1; a different spelling of the same affinity would change no behaviour but
/// would make new databases' `sqlite_master` differ from old ones'.
pub(super) fn column_type(column: ColumnType) -> &'static str {
    match column {
        ColumnType::Int64 => "INTEGER",
        ColumnType::Bytes => "BLOB",
        ColumnType::Float64 => "REAL",
    }
}
