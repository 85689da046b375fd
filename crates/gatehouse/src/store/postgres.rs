//! PostgreSQL specifics: the DDL (same tables and columns as SQLite, Postgres types).

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
    created_at   BIGINT NOT NULL
);
CREATE TABLE users (
    account_id   TEXT NOT NULL REFERENCES accounts(account_id),
    user_key     TEXT NOT NULL,
    user_name    TEXT NOT NULL,
    user_id      TEXT NOT NULL UNIQUE,
    path         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    permissions_boundary TEXT,
    tags         TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (account_id, user_key)
);
CREATE TABLE access_keys (
    access_key_id TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts(account_id),
    user_key      TEXT,
    secret_sealed BYTEA NOT NULL,
    status        TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    last_used_service TEXT,
    last_used_region  TEXT
);
CREATE INDEX access_keys_by_owner ON access_keys(account_id, user_key);
"#];
