//! PostgreSQL specifics: the DDL (same tables and columns as SQLite, Postgres types).

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
    default_version BIGINT NOT NULL,
    next_version BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    tags         TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (account_id, policy_key)
);
CREATE TABLE policy_versions (
    account_id   TEXT NOT NULL,
    policy_key   TEXT NOT NULL,
    version      BIGINT NOT NULL,
    document     TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
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
    created_at   BIGINT NOT NULL,
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
    max_session_duration BIGINT NOT NULL,
    permissions_boundary TEXT,
    tags         TEXT NOT NULL DEFAULT '[]',
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (account_id, role_key)
);
"#,
];
