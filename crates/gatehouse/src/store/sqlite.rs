//! SQLite specifics: a single pooled connection in WAL mode with `synchronous=FULL`, so
//! an acknowledged commit survives `kill -9` and power loss, and writers never race for
//! the lock (SQLite serialises writers anyway; one connection avoids upgrade deadlocks).

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};

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

/// The schema, in order; each entry is applied once.
pub(super) const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE gatehouse_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE accounts (
    account_id   TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    email        TEXT NOT NULL,
    status       TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE TABLE users (
    account_id   TEXT NOT NULL REFERENCES accounts(account_id),
    user_key     TEXT NOT NULL,
    user_name    TEXT NOT NULL,
    user_id      TEXT NOT NULL UNIQUE,
    path         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    permissions_boundary TEXT,
    tags         TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (account_id, user_key)
);
CREATE TABLE access_keys (
    access_key_id TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts(account_id),
    user_key      TEXT,
    secret_sealed BLOB NOT NULL,
    status        TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER,
    last_used_service TEXT,
    last_used_region  TEXT
);
CREATE INDEX access_keys_by_owner ON access_keys(account_id, user_key);
"#];
