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
    // 4: Organizations and Service Quotas.
    r#"
CREATE TABLE organizations (
    org_id        TEXT PRIMARY KEY,
    management_account_id TEXT NOT NULL UNIQUE REFERENCES accounts(account_id),
    feature_set   TEXT NOT NULL,
    root_id       TEXT NOT NULL UNIQUE,
    created_at    BIGINT NOT NULL
);
CREATE TABLE org_units (
    org_id        TEXT NOT NULL REFERENCES organizations(org_id),
    unit_id       TEXT NOT NULL,
    parent_id     TEXT,
    name          TEXT NOT NULL,
    name_key      TEXT NOT NULL,
    depth         BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (org_id, unit_id)
);
CREATE UNIQUE INDEX org_units_by_name ON org_units(org_id, parent_id, name_key);
CREATE TABLE org_accounts (
    org_id        TEXT NOT NULL REFERENCES organizations(org_id),
    account_id    TEXT NOT NULL UNIQUE REFERENCES accounts(account_id),
    parent_id     TEXT NOT NULL,
    joined_method TEXT NOT NULL,
    joined_at     BIGINT NOT NULL,
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
    requested_at  BIGINT NOT NULL,
    completed_at  BIGINT,
    PRIMARY KEY (org_id, request_id)
);
CREATE TABLE org_policies (
    org_id        TEXT NOT NULL REFERENCES organizations(org_id),
    policy_id     TEXT NOT NULL,
    policy_type   TEXT NOT NULL,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL,
    content       TEXT NOT NULL,
    aws_managed   BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
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
    requested_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX org_handshakes_by_org ON org_handshakes(org_id);
CREATE INDEX org_handshakes_by_target ON org_handshakes(target_value);
CREATE TABLE org_service_access (
    org_id        TEXT NOT NULL REFERENCES organizations(org_id),
    service_principal TEXT NOT NULL,
    enabled_at    BIGINT NOT NULL,
    PRIMARY KEY (org_id, service_principal)
);
CREATE TABLE org_delegated_admins (
    org_id        TEXT NOT NULL REFERENCES organizations(org_id),
    account_id    TEXT NOT NULL,
    service_principal TEXT NOT NULL,
    registered_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, account_id, service_principal)
);
CREATE TABLE quota_values (
    account_id    TEXT NOT NULL REFERENCES accounts(account_id),
    service_code  TEXT NOT NULL,
    quota_code    TEXT NOT NULL,
    value         DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (account_id, service_code, quota_code)
);
CREATE TABLE quota_requests (
    request_id    TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts(account_id),
    service_code  TEXT NOT NULL,
    quota_code    TEXT NOT NULL,
    desired_value DOUBLE PRECISION NOT NULL,
    status        TEXT NOT NULL,
    requester     TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX quota_requests_by_account ON quota_requests(account_id, created_at);
"#,
    // 5: handshakes of every action (invitations, and the all-features migration).
    r#"
ALTER TABLE org_handshakes ADD COLUMN action TEXT NOT NULL DEFAULT 'INVITE';
"#,
    // 6: the organization's resource-based delegation policy.
    r#"
CREATE TABLE org_resource_policies (
    org_id        TEXT PRIMARY KEY REFERENCES organizations(org_id),
    policy_id     TEXT NOT NULL,
    content       TEXT NOT NULL,
    updated_at    BIGINT NOT NULL
);
"#,
    // 7: audit events (one per API call, allowed or denied; see `store/audit.rs`).
    r#"
CREATE TABLE audit_events (
    event_id      TEXT PRIMARY KEY,
    event_time    BIGINT NOT NULL,
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
    read_only     BIGINT NOT NULL,
    decision      TEXT,
    decided_by    TEXT,
    status        BIGINT NOT NULL,
    error_code    TEXT
);
CREATE INDEX audit_events_by_time ON audit_events(event_time);
CREATE INDEX audit_events_by_account ON audit_events(account_id, event_time);
"#,
    // 8: IAM login profiles, password policy, virtual MFA devices, instance profiles,
    // account aliases, service-linked role deletions, credential reports, OIDC and SAML
    // providers.
    r#"
CREATE TABLE login_profiles (
    account_id   TEXT NOT NULL REFERENCES accounts(account_id),
    user_key     TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    reset_required BIGINT NOT NULL,
    history      TEXT NOT NULL DEFAULT '[]',
    created_at   BIGINT NOT NULL,
    changed_at   BIGINT NOT NULL,
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
    seed_sealed  BYTEA NOT NULL,
    user_key     TEXT,
    enabled_at   BIGINT,
    last_step    BIGINT NOT NULL,
    tags         TEXT NOT NULL DEFAULT '[]',
    created_at   BIGINT NOT NULL,
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
    created_at   BIGINT NOT NULL,
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
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (account_id, task_id)
);
CREATE TABLE credential_reports (
    account_id   TEXT PRIMARY KEY REFERENCES accounts(account_id),
    content      TEXT NOT NULL,
    generated_at BIGINT NOT NULL
);
CREATE TABLE oidc_providers (
    account_id   TEXT NOT NULL REFERENCES accounts(account_id),
    provider_key TEXT NOT NULL,
    url          TEXT NOT NULL,
    client_ids   TEXT NOT NULL,
    thumbprints  TEXT NOT NULL,
    tags         TEXT NOT NULL DEFAULT '[]',
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (account_id, provider_key)
);
CREATE TABLE saml_providers (
    account_id   TEXT NOT NULL REFERENCES accounts(account_id),
    provider_name TEXT NOT NULL,
    provider_uuid TEXT NOT NULL,
    metadata     TEXT NOT NULL,
    certificates TEXT NOT NULL,
    valid_until  BIGINT NOT NULL,
    tags         TEXT NOT NULL DEFAULT '[]',
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (account_id, provider_name)
);
"#,
    // 9: signing keys (a JWKS document) configured for an OIDC provider by the operator.
    r#"
ALTER TABLE oidc_providers ADD COLUMN jwks TEXT;
"#,
    // 10: IAM's organization features (centralized root access).
    r#"
CREATE TABLE iam_org_features (
    org_id        TEXT NOT NULL REFERENCES organizations(org_id),
    feature       TEXT NOT NULL,
    enabled_at    BIGINT NOT NULL,
    PRIMARY KEY (org_id, feature)
);
"#,
    // 11: per-account settings (STS's global endpoint token version).
    r#"
CREATE TABLE account_settings (
    account_id    TEXT PRIMARY KEY REFERENCES accounts(account_id),
    sts_token_version BIGINT NOT NULL
);
"#,
    // 12: server certificates (the private key sealed under the master key).
    r#"
CREATE TABLE server_certificates (
    account_id   TEXT NOT NULL REFERENCES accounts(account_id),
    cert_key     TEXT NOT NULL,
    cert_name    TEXT NOT NULL,
    cert_id      TEXT NOT NULL UNIQUE,
    path         TEXT NOT NULL,
    body         TEXT NOT NULL,
    chain        TEXT,
    private_key_sealed BYTEA NOT NULL,
    expires_at   BIGINT NOT NULL,
    tags         TEXT NOT NULL DEFAULT '[]',
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (account_id, cert_key)
);
"#,
    // 13: SSH public keys of users.
    r#"
CREATE TABLE ssh_public_keys (
    account_id   TEXT NOT NULL REFERENCES accounts(account_id),
    user_key     TEXT NOT NULL,
    key_id       TEXT NOT NULL,
    body         TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    status       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (account_id, key_id)
);
CREATE UNIQUE INDEX ssh_public_keys_by_user ON ssh_public_keys(account_id, user_key, fingerprint);
"#,
    // 14: X.509 signing certificates of users and of the root user (user_key NULL).
    r#"
CREATE TABLE signing_certificates (
    account_id   TEXT NOT NULL REFERENCES accounts(account_id),
    user_key     TEXT,
    cert_id      TEXT NOT NULL,
    body         TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    status       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (account_id, cert_id)
);
CREATE UNIQUE INDEX signing_certificates_by_fingerprint ON signing_certificates(account_id, fingerprint);
CREATE INDEX signing_certificates_by_user ON signing_certificates(account_id, user_key);
"#,
    // 15: service-specific credentials of users (only a hash of the secret).
    r#"
CREATE TABLE service_credentials (
    account_id   TEXT NOT NULL REFERENCES accounts(account_id),
    user_key     TEXT NOT NULL,
    credential_id TEXT NOT NULL,
    service_name TEXT NOT NULL,
    service_user_name TEXT,
    alias        TEXT,
    secret_hash  TEXT NOT NULL,
    status       TEXT NOT NULL,
    expires_at   BIGINT,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (account_id, credential_id)
);
CREATE INDEX service_credentials_by_user ON service_credentials(account_id, user_key, service_name);
"#,
    // 16: "last accessed" data: when a role was last used, report jobs, and an index
    // of audit events by principal for the reports (see `store/access_reports.rs`).
    r#"
ALTER TABLE iam_roles ADD COLUMN last_used_at BIGINT;
ALTER TABLE iam_roles ADD COLUMN last_used_region TEXT;
CREATE TABLE access_reports (
    account_id    TEXT NOT NULL REFERENCES accounts(account_id),
    job_id        TEXT NOT NULL,
    kind          TEXT NOT NULL,
    requester     TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    completed_at  BIGINT NOT NULL,
    content       TEXT NOT NULL,
    PRIMARY KEY (account_id, job_id)
);
CREATE INDEX audit_events_by_principal ON audit_events(account_id, principal_arn, event_time);
"#,
    // 17: responsibility (billing) transfers between organizations, and the parent of a
    // handshake (an `APPROVE_ALL_FEATURES` handshake's `ENABLE_ALL_FEATURES`).
    r#"
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
    start_at            BIGINT NOT NULL,
    end_at              BIGINT,
    created_at          BIGINT NOT NULL
);
CREATE INDEX org_transfers_by_inbound ON org_responsibility_transfers(inbound_org_id);
CREATE INDEX org_transfers_by_outbound ON org_responsibility_transfers(outbound_org_id);
CREATE INDEX org_transfers_by_party ON org_responsibility_transfers(party_value);
"#,
    // 18: outbound web identity federation (the account's switch and its JWT signing keys,
    // private halves sealed) and delegation requests with the notifications they send.
    r#"
CREATE TABLE outbound_federation (
    account_id    TEXT PRIMARY KEY REFERENCES accounts(account_id),
    enabled       BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE TABLE outbound_signing_keys (
    account_id    TEXT NOT NULL REFERENCES accounts(account_id),
    key_id        TEXT NOT NULL,
    algorithm     TEXT NOT NULL,
    public_jwk    TEXT NOT NULL,
    private_key_sealed BYTEA NOT NULL,
    created_at    BIGINT NOT NULL,
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
    session_duration BIGINT NOT NULL,
    only_send_by_owner BIGINT NOT NULL,
    template_arn  TEXT NOT NULL,
    parameters    TEXT NOT NULL,
    permission_policy TEXT NOT NULL,
    notes         TEXT,
    rejection_reason TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    finalized_at  BIGINT,
    UNIQUE (requestor_account, workflow_id)
);
CREATE INDEX delegation_requests_by_owner ON delegation_requests(owner_account, owner_arn);
CREATE TABLE delegation_notifications (
    requestor_account TEXT NOT NULL REFERENCES accounts(account_id),
    request_id    TEXT NOT NULL,
    sequence      BIGINT NOT NULL,
    channel       TEXT NOT NULL,
    message       TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (request_id, sequence)
);
CREATE INDEX delegation_notifications_by_account ON delegation_notifications(requestor_account, created_at);
"#,
    // 19: batched audit events stored as compact segments (`store/audit_segment.rs`)
    // instead of a row each, and the latest use of each operation by each principal kept
    // as its own summary (what access reports read), carried over from the events so far.
    r#"
CREATE TABLE audit_segments (
    segment_id    TEXT PRIMARY KEY,
    first_time    BIGINT NOT NULL,
    last_time     BIGINT NOT NULL,
    event_count   BIGINT NOT NULL,
    events        BYTEA NOT NULL
);
CREATE INDEX audit_segments_by_time ON audit_segments(last_time);
CREATE TABLE access_activity (
    account_id    TEXT NOT NULL,
    principal_arn TEXT NOT NULL,
    service       TEXT NOT NULL,
    operation     TEXT NOT NULL,
    region        TEXT NOT NULL,
    last_at       BIGINT NOT NULL,
    PRIMARY KEY (account_id, principal_arn, service, operation, region)
);
INSERT INTO access_activity (account_id, principal_arn, service, operation, region, last_at)
SELECT account_id, principal_arn, service, operation, COALESCE(region, ''), MAX(event_time)
FROM audit_events WHERE account_id IS NOT NULL AND principal_arn IS NOT NULL
GROUP BY account_id, principal_arn, service, operation, COALESCE(region, '');
DROP INDEX audit_events_by_principal;
"#,
];
