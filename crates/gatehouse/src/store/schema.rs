//! The schema, written once for both backends. [`MIGRATIONS`] holds every schema change
//! in version order as SQL that SQLite and PostgreSQL both accept, except for the column
//! types whose names differ between them: those are written as placeholders (`{int64}`,
//! `{bytes}`, `{float64}`; see [`ColumnType`]) and [`render`] replaces them with the
//! backend's name for the type, which `sqlite::column_type` and `postgres::column_type`
//! give. Nothing here connects or runs SQL: `migrations` applies what this module
//! renders, and the tests below check that both engines build the same tables from it.
//!
//! A released migration never changes. A database records only the versions it applied,
//! so editing one would leave databases created before and after the edit with different
//! schemas; a change is a new entry with the next version.
//!
//! SQLite quirks the shared text must respect: a `{int64} PRIMARY KEY` column alone
//! becomes SQLite's rowid (filled in when NULL is inserted), and any other key column
//! accepts NULL there unless it is declared `NOT NULL` (PostgreSQL refuses NULL in every
//! key column). New tables write `NOT NULL` on their key columns; the tables of versions
//! 1 to 19 predate this rule, and the schema test lists their exceptions.

#[cfg(test)]
mod catalog;

use super::{postgres, sqlite, Backend};

/// The table recording which versions ran. It stands apart from [`MIGRATIONS`] because
/// the runner needs it before it can tell which of them to apply; `BIGINT` is valid on
/// both backends (SQLite gives it integer affinity).
pub(super) const VERSIONS_TABLE: &str = "CREATE TABLE IF NOT EXISTS gatehouse_migrations \
     (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)";

/// One schema change, applied once per database.
pub(super) struct Migration {
    /// The number `gatehouse_migrations` records: consecutive from 1, never reused.
    pub(super) version: i64,
    /// The statements, with [`ColumnType`] placeholders still in them.
    pub(super) sql: &'static str,
}

/// A column type whose name differs between the backends, written in [`MIGRATIONS`] as
/// its placeholder. `TEXT` is the same on both and is written as itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ColumnType {
    /// A 64-bit signed integer: timestamps in milliseconds, counts, and flags (0 or 1).
    Int64,
    /// Raw bytes: sealed secrets and audit segments.
    Bytes,
    /// A double-precision float: quota values.
    Float64,
}

impl ColumnType {
    const ALL: [Self; 3] = [Self::Int64, Self::Bytes, Self::Float64];

    /// How [`MIGRATIONS`] spells the type. Braces never occur in the schema's SQL
    /// otherwise, so a placeholder cannot be mistaken for a name or a literal.
    fn placeholder(self) -> &'static str {
        match self {
            Self::Int64 => "{int64}",
            Self::Bytes => "{bytes}",
            Self::Float64 => "{float64}",
        }
    }
}

/// A migration's SQL for `backend`, every placeholder replaced by the backend's type name.
pub(super) fn render(sql: &str, backend: Backend) -> String {
    ColumnType::ALL
        .into_iter()
        .fold(sql.to_owned(), |sql, column| {
            let name = match backend {
                Backend::Sqlite => sqlite::column_type(column),
                Backend::Postgres => postgres::column_type(column),
            };
            sql.replace(column.placeholder(), name)
        })
}

/// The highest version this build knows, the same for both backends.
pub(super) fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |migration| migration.version)
}

/// Every schema change, in the order the versions say.
pub(super) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        // The store's metadata, accounts, IAM users and access keys.
        sql: r#"
CREATE TABLE gatehouse_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE accounts (
    account_id   TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    email        TEXT NOT NULL,
    status       TEXT NOT NULL,
    created_at   {int64} NOT NULL
);
CREATE TABLE users (
    account_id   TEXT NOT NULL REFERENCES accounts(account_id),
    user_key     TEXT NOT NULL,
    user_name    TEXT NOT NULL,
    user_id      TEXT NOT NULL UNIQUE,
    path         TEXT NOT NULL,
    created_at   {int64} NOT NULL,
    permissions_boundary TEXT,
    tags         TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (account_id, user_key)
);
CREATE TABLE access_keys (
    access_key_id TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts(account_id),
    user_key      TEXT,
    secret_sealed {bytes} NOT NULL,
    status        TEXT NOT NULL,
    created_at    {int64} NOT NULL,
    last_used_at  {int64},
    last_used_service TEXT,
    last_used_region  TEXT
);
CREATE INDEX access_keys_by_owner ON access_keys(account_id, user_key);
"#,
    },
    Migration {
        version: 2,
        // IAM policies (managed, versions, inline, attachments) and groups.
        sql: r#"
CREATE TABLE managed_policies (
    account_id   TEXT NOT NULL REFERENCES accounts(account_id),
    policy_key   TEXT NOT NULL,
    policy_name  TEXT NOT NULL,
    policy_id    TEXT NOT NULL UNIQUE,
    path         TEXT NOT NULL,
    description  TEXT,
    default_version {int64} NOT NULL,
    next_version {int64} NOT NULL,
    created_at   {int64} NOT NULL,
    updated_at   {int64} NOT NULL,
    tags         TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (account_id, policy_key)
);
CREATE TABLE policy_versions (
    account_id   TEXT NOT NULL,
    policy_key   TEXT NOT NULL,
    version      {int64} NOT NULL,
    document     TEXT NOT NULL,
    created_at   {int64} NOT NULL,
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
    created_at   {int64} NOT NULL,
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
    },
    Migration {
        version: 3,
        // IAM roles.
        sql: r#"
CREATE TABLE iam_roles (
    account_id   TEXT NOT NULL REFERENCES accounts(account_id),
    role_key     TEXT NOT NULL,
    role_name    TEXT NOT NULL,
    role_id      TEXT NOT NULL UNIQUE,
    path         TEXT NOT NULL,
    trust_policy TEXT NOT NULL,
    description  TEXT,
    max_session_duration {int64} NOT NULL,
    permissions_boundary TEXT,
    tags         TEXT NOT NULL DEFAULT '[]',
    created_at   {int64} NOT NULL,
    PRIMARY KEY (account_id, role_key)
);
"#,
    },
    Migration {
        version: 4,
        // Organizations and Service Quotas.
        sql: r#"
CREATE TABLE organizations (
    org_id        TEXT PRIMARY KEY,
    management_account_id TEXT NOT NULL UNIQUE REFERENCES accounts(account_id),
    feature_set   TEXT NOT NULL,
    root_id       TEXT NOT NULL UNIQUE,
    created_at    {int64} NOT NULL
);
CREATE TABLE org_units (
    org_id        TEXT NOT NULL REFERENCES organizations(org_id),
    unit_id       TEXT NOT NULL,
    parent_id     TEXT,
    name          TEXT NOT NULL,
    name_key      TEXT NOT NULL,
    depth         {int64} NOT NULL,
    created_at    {int64} NOT NULL,
    PRIMARY KEY (org_id, unit_id)
);
CREATE UNIQUE INDEX org_units_by_name ON org_units(org_id, parent_id, name_key);
CREATE TABLE org_accounts (
    org_id        TEXT NOT NULL REFERENCES organizations(org_id),
    account_id    TEXT NOT NULL UNIQUE REFERENCES accounts(account_id),
    parent_id     TEXT NOT NULL,
    joined_method TEXT NOT NULL,
    joined_at     {int64} NOT NULL,
    access_role_name TEXT,
    PRIMARY KEY (org_id, account_id)
);
CREATE INDEX org_accounts_by_parent ON org_accounts(org_id, parent_id);
CREATE TABLE org_create_account_requests (
    org_id        TEXT NOT NULL REFERENCES organizations(org_id),
    request_id    TEXT NOT NULL,
    account_name  TEXT NOT NULL,
    state         TEXT NOT NULL,
    failure_reason TEXT,
    account_id    TEXT,
    requested_at  {int64} NOT NULL,
    completed_at  {int64},
    PRIMARY KEY (org_id, request_id)
);
CREATE TABLE org_policies (
    org_id        TEXT NOT NULL REFERENCES organizations(org_id),
    policy_id     TEXT NOT NULL,
    policy_type   TEXT NOT NULL,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL,
    content       TEXT NOT NULL,
    aws_managed   {int64} NOT NULL,
    created_at    {int64} NOT NULL,
    PRIMARY KEY (org_id, policy_id)
);
CREATE UNIQUE INDEX org_policies_by_name ON org_policies(org_id, policy_type, name);
CREATE TABLE org_policy_types (
    org_id        TEXT NOT NULL REFERENCES organizations(org_id),
    policy_type   TEXT NOT NULL,
    PRIMARY KEY (org_id, policy_type)
);
CREATE TABLE org_policy_attachments (
    org_id        TEXT NOT NULL REFERENCES organizations(org_id),
    policy_id     TEXT NOT NULL,
    target_id     TEXT NOT NULL,
    policy_type   TEXT NOT NULL,
    PRIMARY KEY (org_id, policy_id, target_id)
);
CREATE INDEX org_policy_attachments_by_target ON org_policy_attachments(org_id, target_id);
CREATE TABLE org_tags (
    org_id        TEXT NOT NULL REFERENCES organizations(org_id),
    resource_id   TEXT NOT NULL,
    tag_key       TEXT NOT NULL,
    tag_value     TEXT NOT NULL,
    PRIMARY KEY (org_id, resource_id, tag_key)
);
CREATE TABLE org_handshakes (
    handshake_id  TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organizations(org_id),
    target_type   TEXT NOT NULL,
    target_value  TEXT NOT NULL,
    state         TEXT NOT NULL,
    notes         TEXT,
    requested_at  {int64} NOT NULL,
    expires_at    {int64} NOT NULL
);
CREATE INDEX org_handshakes_by_org ON org_handshakes(org_id);
CREATE INDEX org_handshakes_by_target ON org_handshakes(target_value);
CREATE TABLE org_service_access (
    org_id        TEXT NOT NULL REFERENCES organizations(org_id),
    service_principal TEXT NOT NULL,
    enabled_at    {int64} NOT NULL,
    PRIMARY KEY (org_id, service_principal)
);
CREATE TABLE org_delegated_admins (
    org_id        TEXT NOT NULL REFERENCES organizations(org_id),
    account_id    TEXT NOT NULL,
    service_principal TEXT NOT NULL,
    registered_at {int64} NOT NULL,
    PRIMARY KEY (org_id, account_id, service_principal)
);
CREATE TABLE quota_values (
    account_id    TEXT NOT NULL REFERENCES accounts(account_id),
    service_code  TEXT NOT NULL,
    quota_code    TEXT NOT NULL,
    value         {float64} NOT NULL,
    PRIMARY KEY (account_id, service_code, quota_code)
);
CREATE TABLE quota_requests (
    request_id    TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts(account_id),
    service_code  TEXT NOT NULL,
    quota_code    TEXT NOT NULL,
    desired_value {float64} NOT NULL,
    status        TEXT NOT NULL,
    requester     TEXT NOT NULL,
    created_at    {int64} NOT NULL,
    updated_at    {int64} NOT NULL
);
CREATE INDEX quota_requests_by_account ON quota_requests(account_id, created_at);
"#,
    },
    Migration {
        version: 5,
        // Handshakes of every action (invitations, and the all-features migration).
        sql: r#"
ALTER TABLE org_handshakes ADD COLUMN action TEXT NOT NULL DEFAULT 'INVITE';
"#,
    },
    Migration {
        version: 6,
        // The organization's resource-based delegation policy.
        sql: r#"
CREATE TABLE org_resource_policies (
    org_id        TEXT PRIMARY KEY REFERENCES organizations(org_id),
    policy_id     TEXT NOT NULL,
    content       TEXT NOT NULL,
    updated_at    {int64} NOT NULL
);
"#,
    },
    Migration {
        version: 7,
        // Audit events (one per API call, allowed or denied; see `store/audit.rs`).
        sql: r#"
CREATE TABLE audit_events (
    event_id      TEXT PRIMARY KEY,
    event_time    {int64} NOT NULL,
    account_id    TEXT,
    principal_arn TEXT,
    access_key_id TEXT,
    service       TEXT NOT NULL,
    operation     TEXT NOT NULL,
    action        TEXT,
    resource      TEXT,
    source_ip     TEXT NOT NULL,
    user_agent    TEXT,
    region        TEXT,
    read_only     {int64} NOT NULL,
    decision      TEXT,
    decided_by    TEXT,
    status        {int64} NOT NULL,
    error_code    TEXT
);
CREATE INDEX audit_events_by_time ON audit_events(event_time);
CREATE INDEX audit_events_by_account ON audit_events(account_id, event_time);
"#,
    },
    Migration {
        version: 8,
        // IAM login profiles, password policy, virtual MFA devices, instance profiles,
        // account aliases, service-linked role deletions, credential reports, OIDC and SAML
        // providers.
        sql: r#"
CREATE TABLE login_profiles (
    account_id   TEXT NOT NULL REFERENCES accounts(account_id),
    user_key     TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    reset_required {int64} NOT NULL,
    history      TEXT NOT NULL DEFAULT '[]',
    created_at   {int64} NOT NULL,
    changed_at   {int64} NOT NULL,
    PRIMARY KEY (account_id, user_key)
);
CREATE TABLE password_policies (
    account_id   TEXT PRIMARY KEY REFERENCES accounts(account_id),
    policy       TEXT NOT NULL
);
CREATE TABLE mfa_devices (
    account_id   TEXT NOT NULL REFERENCES accounts(account_id),
    serial_number TEXT NOT NULL,
    device_key   TEXT NOT NULL,
    path         TEXT NOT NULL,
    seed_sealed  {bytes} NOT NULL,
    user_key     TEXT,
    enabled_at   {int64},
    last_step    {int64} NOT NULL,
    tags         TEXT NOT NULL DEFAULT '[]',
    created_at   {int64} NOT NULL,
    PRIMARY KEY (account_id, serial_number)
);
CREATE UNIQUE INDEX mfa_devices_by_name ON mfa_devices(account_id, device_key);
CREATE INDEX mfa_devices_by_user ON mfa_devices(account_id, user_key);
CREATE TABLE instance_profiles (
    account_id   TEXT NOT NULL REFERENCES accounts(account_id),
    profile_key  TEXT NOT NULL,
    profile_name TEXT NOT NULL,
    profile_id   TEXT NOT NULL UNIQUE,
    path         TEXT NOT NULL,
    role_key     TEXT,
    tags         TEXT NOT NULL DEFAULT '[]',
    created_at   {int64} NOT NULL,
    PRIMARY KEY (account_id, profile_key)
);
CREATE INDEX instance_profiles_by_role ON instance_profiles(account_id, role_key);
CREATE TABLE account_aliases (
    account_alias TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL UNIQUE REFERENCES accounts(account_id)
);
CREATE TABLE slr_deletion_tasks (
    account_id   TEXT NOT NULL REFERENCES accounts(account_id),
    task_id      TEXT NOT NULL,
    status       TEXT NOT NULL,
    created_at   {int64} NOT NULL,
    PRIMARY KEY (account_id, task_id)
);
CREATE TABLE credential_reports (
    account_id   TEXT PRIMARY KEY REFERENCES accounts(account_id),
    content      TEXT NOT NULL,
    generated_at {int64} NOT NULL
);
CREATE TABLE oidc_providers (
    account_id   TEXT NOT NULL REFERENCES accounts(account_id),
    provider_key TEXT NOT NULL,
    url          TEXT NOT NULL,
    client_ids   TEXT NOT NULL,
    thumbprints  TEXT NOT NULL,
    tags         TEXT NOT NULL DEFAULT '[]',
    created_at   {int64} NOT NULL,
    PRIMARY KEY (account_id, provider_key)
);
CREATE TABLE saml_providers (
    account_id   TEXT NOT NULL REFERENCES accounts(account_id),
    provider_name TEXT NOT NULL,
    provider_uuid TEXT NOT NULL,
    metadata     TEXT NOT NULL,
    certificates TEXT NOT NULL,
    valid_until  {int64} NOT NULL,
    tags         TEXT NOT NULL DEFAULT '[]',
    created_at   {int64} NOT NULL,
    PRIMARY KEY (account_id, provider_name)
);
"#,
    },
    Migration {
        version: 9,
        // Signing keys (a JWKS document) configured for an OIDC provider by the operator.
        sql: r#"
ALTER TABLE oidc_providers ADD COLUMN jwks TEXT;
"#,
    },
    Migration {
        version: 10,
        // IAM's organization features (centralized root access).
        sql: r#"
CREATE TABLE iam_org_features (
    org_id        TEXT NOT NULL REFERENCES organizations(org_id),
    feature       TEXT NOT NULL,
    enabled_at    {int64} NOT NULL,
    PRIMARY KEY (org_id, feature)
);
"#,
    },
    Migration {
        version: 11,
        // Per-account settings (STS's global endpoint token version).
        sql: r#"
CREATE TABLE account_settings (
    account_id    TEXT PRIMARY KEY REFERENCES accounts(account_id),
    sts_token_version {int64} NOT NULL
);
"#,
    },
    Migration {
        version: 12,
        // Server certificates (the private key sealed under the master key).
        sql: r#"
CREATE TABLE server_certificates (
    account_id   TEXT NOT NULL REFERENCES accounts(account_id),
    cert_key     TEXT NOT NULL,
    cert_name    TEXT NOT NULL,
    cert_id      TEXT NOT NULL UNIQUE,
    path         TEXT NOT NULL,
    body         TEXT NOT NULL,
    chain        TEXT,
    private_key_sealed {bytes} NOT NULL,
    expires_at   {int64} NOT NULL,
    tags         TEXT NOT NULL DEFAULT '[]',
    created_at   {int64} NOT NULL,
    PRIMARY KEY (account_id, cert_key)
);
"#,
    },
    Migration {
        version: 13,
        // SSH public keys of users.
        sql: r#"
CREATE TABLE ssh_public_keys (
    account_id   TEXT NOT NULL REFERENCES accounts(account_id),
    user_key     TEXT NOT NULL,
    key_id       TEXT NOT NULL,
    body         TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    status       TEXT NOT NULL,
    created_at   {int64} NOT NULL,
    PRIMARY KEY (account_id, key_id)
);
CREATE UNIQUE INDEX ssh_public_keys_by_user ON ssh_public_keys(account_id, user_key, fingerprint);
"#,
    },
    Migration {
        version: 14,
        // X.509 signing certificates of users and of the root user (user_key NULL).
        sql: r#"
CREATE TABLE signing_certificates (
    account_id   TEXT NOT NULL REFERENCES accounts(account_id),
    user_key     TEXT,
    cert_id      TEXT NOT NULL,
    body         TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    status       TEXT NOT NULL,
    created_at   {int64} NOT NULL,
    PRIMARY KEY (account_id, cert_id)
);
CREATE UNIQUE INDEX signing_certificates_by_fingerprint ON signing_certificates(account_id, fingerprint);
CREATE INDEX signing_certificates_by_user ON signing_certificates(account_id, user_key);
"#,
    },
    Migration {
        version: 15,
        // Service-specific credentials of users (only a hash of the secret).
        sql: r#"
CREATE TABLE service_credentials (
    account_id   TEXT NOT NULL REFERENCES accounts(account_id),
    user_key     TEXT NOT NULL,
    credential_id TEXT NOT NULL,
    service_name TEXT NOT NULL,
    service_user_name TEXT,
    alias        TEXT,
    secret_hash  TEXT NOT NULL,
    status       TEXT NOT NULL,
    expires_at   {int64},
    created_at   {int64} NOT NULL,
    PRIMARY KEY (account_id, credential_id)
);
CREATE INDEX service_credentials_by_user ON service_credentials(account_id, user_key, service_name);
"#,
    },
    Migration {
        version: 16,
        // "Last accessed" data: when a role was last used, report jobs, and an index
        // of audit events by principal for the reports (see `store/access_reports.rs`).
        sql: r#"
ALTER TABLE iam_roles ADD COLUMN last_used_at {int64};
ALTER TABLE iam_roles ADD COLUMN last_used_region TEXT;
CREATE TABLE access_reports (
    account_id    TEXT NOT NULL REFERENCES accounts(account_id),
    job_id        TEXT NOT NULL,
    kind          TEXT NOT NULL,
    requester     TEXT NOT NULL,
    created_at    {int64} NOT NULL,
    completed_at  {int64} NOT NULL,
    content       TEXT NOT NULL,
    PRIMARY KEY (account_id, job_id)
);
CREATE INDEX audit_events_by_principal ON audit_events(account_id, principal_arn, event_time);
"#,
    },
    Migration {
        version: 17,
        // Responsibility (billing) transfers between organizations, and the parent of a
        // handshake (an `APPROVE_ALL_FEATURES` handshake's `ENABLE_ALL_FEATURES`).
        sql: r#"
ALTER TABLE org_handshakes ADD COLUMN parent_handshake_id TEXT;
CREATE TABLE org_responsibility_transfers (
    transfer_id         TEXT PRIMARY KEY,
    transfer_type       TEXT NOT NULL,
    name                TEXT NOT NULL,
    handshake_id        TEXT NOT NULL,
    inbound_org_id      TEXT NOT NULL,
    inbound_account_id  TEXT NOT NULL,
    party_type          TEXT NOT NULL,
    party_value         TEXT NOT NULL,
    outbound_org_id     TEXT,
    outbound_account_id TEXT,
    status              TEXT NOT NULL,
    start_at            {int64} NOT NULL,
    end_at              {int64},
    created_at          {int64} NOT NULL
);
CREATE INDEX org_transfers_by_inbound ON org_responsibility_transfers(inbound_org_id);
CREATE INDEX org_transfers_by_outbound ON org_responsibility_transfers(outbound_org_id);
CREATE INDEX org_transfers_by_party ON org_responsibility_transfers(party_value);
"#,
    },
    Migration {
        version: 18,
        // Outbound web identity federation (the account's switch and its JWT signing keys,
        // private halves sealed) and delegation requests with the notifications they send.
        sql: r#"
CREATE TABLE outbound_federation (
    account_id    TEXT PRIMARY KEY REFERENCES accounts(account_id),
    enabled       {int64} NOT NULL,
    updated_at    {int64} NOT NULL
);
CREATE TABLE outbound_signing_keys (
    account_id    TEXT NOT NULL REFERENCES accounts(account_id),
    key_id        TEXT NOT NULL,
    algorithm     TEXT NOT NULL,
    public_jwk    TEXT NOT NULL,
    private_key_sealed {bytes} NOT NULL,
    created_at    {int64} NOT NULL,
    PRIMARY KEY (account_id, key_id)
);
CREATE TABLE delegation_requests (
    request_id    TEXT PRIMARY KEY,
    requestor_account TEXT NOT NULL REFERENCES accounts(account_id),
    requestor_name TEXT,
    owner_account TEXT,
    owner_arn     TEXT,
    approver_arn  TEXT,
    approver      TEXT,
    state         TEXT NOT NULL,
    description   TEXT NOT NULL,
    request_message TEXT,
    workflow_id   TEXT NOT NULL,
    redirect_url  TEXT,
    notification_channel TEXT NOT NULL,
    session_duration {int64} NOT NULL,
    only_send_by_owner {int64} NOT NULL,
    template_arn  TEXT NOT NULL,
    parameters    TEXT NOT NULL,
    permission_policy TEXT NOT NULL,
    notes         TEXT,
    rejection_reason TEXT,
    created_at    {int64} NOT NULL,
    updated_at    {int64} NOT NULL,
    expires_at    {int64} NOT NULL,
    finalized_at  {int64},
    UNIQUE (requestor_account, workflow_id)
);
CREATE INDEX delegation_requests_by_owner ON delegation_requests(owner_account, owner_arn);
CREATE TABLE delegation_notifications (
    requestor_account TEXT NOT NULL REFERENCES accounts(account_id),
    request_id    TEXT NOT NULL,
    sequence      {int64} NOT NULL,
    channel       TEXT NOT NULL,
    message       TEXT NOT NULL,
    created_at    {int64} NOT NULL,
    PRIMARY KEY (request_id, sequence)
);
CREATE INDEX delegation_notifications_by_account ON delegation_notifications(requestor_account, created_at);
"#,
    },
    Migration {
        version: 19,
        // Batched audit events stored as compact segments (`store/audit_segment.rs`)
        // instead of a row each, and the latest use of each operation by each principal kept
        // as its own summary (what access reports read), carried over from the events so far.
        sql: r#"
CREATE TABLE audit_segments (
    segment_id    TEXT PRIMARY KEY,
    first_time    {int64} NOT NULL,
    last_time     {int64} NOT NULL,
    event_count   {int64} NOT NULL,
    events        {bytes} NOT NULL
);
CREATE INDEX audit_segments_by_time ON audit_segments(last_time);
CREATE TABLE access_activity (
    account_id    TEXT NOT NULL,
    principal_arn TEXT NOT NULL,
    service       TEXT NOT NULL,
    operation     TEXT NOT NULL,
    region        TEXT NOT NULL,
    last_at       {int64} NOT NULL,
    PRIMARY KEY (account_id, principal_arn, service, operation, region)
);
INSERT INTO access_activity (account_id, principal_arn, service, operation, region, last_at)
SELECT account_id, principal_arn, service, operation, COALESCE(region, ''), MAX(event_time)
FROM audit_events WHERE account_id IS NOT NULL AND principal_arn IS NOT NULL
GROUP BY account_id, principal_arn, service, operation, COALESCE(region, '');
DROP INDEX audit_events_by_principal;
"#,
    },
];

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::catalog::{self, Kind, Schema};
    use super::*;
    use crate::store::Store;

    /// Key columns SQLite lets hold NULL while PostgreSQL does not: the tables of versions
    /// 1 to 19 declare them `TEXT PRIMARY KEY` (the versions table `BIGINT PRIMARY KEY`)
    /// without `NOT NULL`, and SQLite, for compatibility with its early releases, only
    /// makes an `INTEGER PRIMARY KEY` NOT NULL by itself. Declaring them NOT NULL on
    /// SQLite means rebuilding each table, and `accounts`, which most tables reference,
    /// cannot be dropped and rebuilt inside the migrations' transaction while foreign
    /// keys are enforced. The store never writes a NULL key (each insert binds these
    /// columns from a string, never an `Option`), so the difference is tolerated: here,
    /// by name, and nowhere else.
    const SQLITE_NULLABLE_KEYS: &[(&str, &str)] = &[
        ("access_keys", "access_key_id"),
        ("account_aliases", "account_alias"),
        ("account_settings", "account_id"),
        ("accounts", "account_id"),
        ("audit_events", "event_id"),
        ("audit_segments", "segment_id"),
        ("credential_reports", "account_id"),
        ("delegation_requests", "request_id"),
        ("gatehouse_meta", "key"),
        ("gatehouse_migrations", "version"),
        ("org_handshakes", "handshake_id"),
        ("org_resource_policies", "org_id"),
        ("org_responsibility_transfers", "transfer_id"),
        ("organizations", "org_id"),
        ("outbound_federation", "account_id"),
        ("password_policies", "account_id"),
        ("quota_requests", "request_id"),
    ];

    #[test]
    fn versions_count_up_from_one() {
        let versions: Vec<i64> = MIGRATIONS.iter().map(|m| m.version).collect();
        let expected: Vec<i64> = (1..=19).collect();
        // Versions 1 to 19 are what databases in use have recorded; later ones follow on.
        assert_eq!(versions.get(..19), Some(expected.as_slice()));
        for (index, version) in versions.iter().enumerate() {
            assert_eq!(*version, i64::try_from(index).unwrap() + 1);
        }
        assert_eq!(latest_version(), *versions.last().unwrap());
    }

    #[test]
    fn every_placeholder_is_replaced() {
        for migration in MIGRATIONS {
            for backend in [Backend::Sqlite, Backend::Postgres] {
                let sql = render(migration.sql, backend);
                assert!(
                    !sql.contains(['{', '}']),
                    "version {} keeps a placeholder on {backend:?}:\n{sql}",
                    migration.version
                );
            }
        }
    }

    /// Each backend's name for a type is one the schema comparison maps to that type, so
    /// a change of mapping cannot slip past the comparison as an unknown type.
    #[test]
    fn type_names_mean_the_same_on_both_backends() {
        for (column, kind) in [
            (ColumnType::Int64, Kind::Int64),
            (ColumnType::Bytes, Kind::Bytes),
            (ColumnType::Float64, Kind::Float64),
        ] {
            assert_eq!(catalog::sqlite_kind(sqlite::column_type(column)), kind);
            let postgres = postgres::column_type(column).to_lowercase();
            assert_eq!(catalog::postgres_kind(&postgres), kind);
        }
    }

    /// The comparison notices each kind of difference it is meant to.
    #[test]
    fn differences_name_what_differs() {
        let schema = sqlite_schema_blocking();
        let check = |change: &dyn Fn(&mut Schema), expected: &str| {
            let mut changed = schema.clone();
            change(&mut changed);
            let found = catalog::differences(("sqlite", &schema), ("changed", &changed));
            assert!(
                found.iter().any(|line| line.contains(expected)),
                "expected a difference mentioning {expected:?}, found {found:?}"
            );
        };
        assert!(catalog::differences(("a", &schema), ("b", &schema)).is_empty());
        check(
            &|s| {
                s.remove("users");
            },
            "table `users` exists on sqlite only",
        );
        check(
            &|s| s.get_mut("users").unwrap().columns[0].kind = Kind::Unknown("integer".into()),
            "`users.account_id`",
        );
        check(
            &|s| s.get_mut("users").unwrap().columns[6].nullable = false,
            "`users.permissions_boundary`",
        );
        check(
            &|s| s.get_mut("users").unwrap().columns[7].default = None,
            "`users.tags`",
        );
        check(
            &|s| s.get_mut("users").unwrap().columns.swap(0, 1),
            "different order",
        );
        check(
            &|s| {
                s.get_mut("users").unwrap().primary_key.pop();
            },
            "primary key",
        );
        check(
            &|s| s.get_mut("users").unwrap().foreign_keys.clear(),
            "foreign key on sqlite only",
        );
        check(
            &|s| s.get_mut("users").unwrap().unique.clear(),
            "UNIQUE [\"user_id\"] on sqlite only",
        );
        check(
            &|s| {
                let indexes = &mut s.get_mut("access_keys").unwrap().indexes;
                indexes.get_mut("access_keys_by_owner").unwrap().unique = true;
            },
            "index `access_keys_by_owner`",
        );
    }

    /// SQLite and PostgreSQL build the same tables from [`MIGRATIONS`]: same columns
    /// (types mapped to one set), nullability, defaults, keys, UNIQUE constraints and
    /// indexes. SQLite's half always runs; PostgreSQL's when `GATEHOUSE_TEST_POSTGRES_URL`
    /// names a server, in a schema of its own dropped afterwards.
    #[tokio::test]
    async fn sqlite_and_postgres_build_the_same_schema() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("schema.db").display());
        let store = Store::open(&url).await.unwrap();
        let mut sqlite = catalog::read(&store).await.unwrap();
        tolerate_nullable_keys(&mut sqlite);
        let Some(postgres) = postgres_schema().await else {
            return;
        };
        let found = catalog::differences(("SQLite", &sqlite), ("PostgreSQL", &postgres));
        assert!(
            found.is_empty(),
            "the backends' schemas differ:\n{}",
            found.join("\n")
        );
    }

    /// A database any earlier build created ends, once opened, with the schema a new one
    /// gets: each migration applies on top of the ones before it, whatever the start.
    #[tokio::test]
    async fn upgrading_from_any_version_ends_at_the_current_schema() {
        let dir = tempfile::tempdir().unwrap();
        let fresh = Store::open("sqlite::memory:").await.unwrap();
        let fresh = catalog::read(&fresh).await.unwrap();
        for stop in 1..latest_version() {
            let url = format!(
                "sqlite://{}",
                dir.path().join(format!("{stop}.db")).display()
            );
            // What a build knowing versions 1 to `stop` left behind.
            let pool = sqlite::connect(&url).await.unwrap();
            sqlx::raw_sql(VERSIONS_TABLE).execute(&pool).await.unwrap();
            for migration in MIGRATIONS.iter().filter(|m| m.version <= stop) {
                let sql = render(migration.sql, Backend::Sqlite);
                sqlx::raw_sql(&sql).execute(&pool).await.unwrap();
                sqlx::query("INSERT INTO gatehouse_migrations VALUES ($1, 0)")
                    .bind(migration.version)
                    .execute(&pool)
                    .await
                    .unwrap();
            }
            pool.close().await;

            let store = Store::open(&url).await.unwrap();
            let upgraded = catalog::read(&store).await.unwrap();
            let found = catalog::differences(("new", &fresh), ("upgraded", &upgraded));
            assert!(
                found.is_empty(),
                "from version {stop}:\n{}",
                found.join("\n")
            );
        }
    }

    /// Checks what SQLite's schema must be on its own, then marks the listed nullable
    /// key columns NOT NULL, as PostgreSQL has them.
    fn tolerate_nullable_keys(sqlite: &mut Schema) {
        assert!(sqlite.len() > 40, "tables: {:?}", sqlite.keys());
        let mut nullable_keys = BTreeSet::new();
        for (name, table) in sqlite.iter() {
            for column in &table.columns {
                assert!(
                    !matches!(column.kind, Kind::Unknown(_)),
                    "`{name}.{}` has a type the schema does not use: {:?}",
                    column.name,
                    column.kind
                );
                if column.nullable && table.primary_key.contains(&column.name) {
                    nullable_keys.insert((name.as_str(), column.name.as_str()));
                }
            }
        }
        let listed = SQLITE_NULLABLE_KEYS
            .iter()
            .copied()
            .collect::<BTreeSet<_>>();
        assert_eq!(
            nullable_keys, listed,
            "key columns must be declared NOT NULL (SQLite would accept NULL in them)"
        );
        for (table, name) in SQLITE_NULLABLE_KEYS {
            let table = sqlite.get_mut(*table).unwrap();
            let column = table.columns.iter_mut().find(|c| c.name == *name).unwrap();
            column.nullable = false;
        }
    }

    /// The schema the migrations build on SQLite, for tests without a runtime of their own.
    fn sqlite_schema_blocking() -> Schema {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let store = Store::open("sqlite::memory:").await.unwrap();
            catalog::read(&store).await.unwrap()
        })
    }

    /// The schema the migrations build on the server `GATEHOUSE_TEST_POSTGRES_URL` names,
    /// in a new schema dropped once read; `None`, after a loud notice, when it is unset.
    async fn postgres_schema() -> Option<Schema> {
        let Ok(base) = std::env::var("GATEHOUSE_TEST_POSTGRES_URL") else {
            eprintln!(
                "SKIPPED: PostgreSQL half of the schema comparison; only SQLite's schema \
                 was checked (set GATEHOUSE_TEST_POSTGRES_URL to run it)"
            );
            return None;
        };
        use sqlx::{Connection, Executor};
        let mut admin = sqlx::PgConnection::connect(&base).await.unwrap();
        let name = format!("gatehouse_schema_{}", uuid::Uuid::new_v4().simple());
        admin
            .execute(format!("CREATE SCHEMA {name}").as_str())
            .await
            .unwrap();
        let separator = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{separator}options[search_path]={name}");
        // Read before asserting anything, so the schema is dropped even when this fails.
        let read = async {
            let store = Store::open(&url).await?;
            let row = sqlx::query("SELECT current_schema()::text AS s")
                .fetch_one(store.pool())
                .await?;
            let current = crate::store::column::<String>(&row, "s")?;
            let schema = catalog::read(&store).await;
            store.pool().close().await;
            Ok::<_, crate::store::StoreError>((current, schema?))
        }
        .await;
        admin
            .execute(format!("DROP SCHEMA {name} CASCADE").as_str())
            .await
            .unwrap();
        let (current, schema) = read.unwrap();
        assert_eq!(current, name, "the store ignored the search path");
        Some(schema)
    }
}
