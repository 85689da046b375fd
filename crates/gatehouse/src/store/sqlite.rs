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
pub(super) const MIGRATIONS: &[&str] = &[
    r#"
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
"#,
    // 2: IAM policies (managed, versions, inline, attachments) and groups.
    r#"
CREATE TABLE managed_policies (
    account_id   TEXT NOT NULL REFERENCES accounts(account_id),
    policy_key   TEXT NOT NULL,
    policy_name  TEXT NOT NULL,
    policy_id    TEXT NOT NULL UNIQUE,
    path         TEXT NOT NULL,
    description  TEXT,
    default_version INTEGER NOT NULL,
    next_version INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    tags         TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (account_id, policy_key)
);
CREATE TABLE policy_versions (
    account_id   TEXT NOT NULL,
    policy_key   TEXT NOT NULL,
    version      INTEGER NOT NULL,
    document     TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (account_id, policy_key, version),
    FOREIGN KEY (account_id, policy_key) REFERENCES managed_policies(account_id, policy_key) ON DELETE CASCADE
);
CREATE TABLE inline_policies (
    account_id   TEXT NOT NULL REFERENCES accounts(account_id),
    owner_kind   TEXT NOT NULL,
    owner_key    TEXT NOT NULL,
    policy_name  TEXT NOT NULL,
    document     TEXT NOT NULL,
    PRIMARY KEY (account_id, owner_kind, owner_key, policy_name)
);
CREATE TABLE policy_attachments (
    account_id   TEXT NOT NULL REFERENCES accounts(account_id),
    owner_kind   TEXT NOT NULL,
    owner_key    TEXT NOT NULL,
    policy_arn   TEXT NOT NULL,
    PRIMARY KEY (account_id, owner_kind, owner_key, policy_arn)
);
CREATE INDEX policy_attachments_by_policy ON policy_attachments(account_id, policy_arn);
CREATE TABLE iam_groups (
    account_id   TEXT NOT NULL REFERENCES accounts(account_id),
    group_key    TEXT NOT NULL,
    group_name   TEXT NOT NULL,
    group_id     TEXT NOT NULL UNIQUE,
    path         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (account_id, group_key)
);
CREATE TABLE group_members (
    account_id   TEXT NOT NULL,
    group_key    TEXT NOT NULL,
    user_key     TEXT NOT NULL,
    PRIMARY KEY (account_id, group_key, user_key)
);
CREATE INDEX group_members_by_user ON group_members(account_id, user_key);
"#,
    // 3: IAM roles.
    r#"
CREATE TABLE iam_roles (
    account_id   TEXT NOT NULL REFERENCES accounts(account_id),
    role_key     TEXT NOT NULL,
    role_name    TEXT NOT NULL,
    role_id      TEXT NOT NULL UNIQUE,
    path         TEXT NOT NULL,
    trust_policy TEXT NOT NULL,
    description  TEXT,
    max_session_duration INTEGER NOT NULL,
    permissions_boundary TEXT,
    tags         TEXT NOT NULL DEFAULT '[]',
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (account_id, role_key)
);
"#,
];
