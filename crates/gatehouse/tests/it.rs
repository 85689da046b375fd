//! Integration tests: the real `gatehouse` binary on loopback, driven by real clients
//! (the AWS SDK for Rust, raw signed requests, the AWS CLI).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod it {
    pub mod cli;
    pub mod condition_keys;
    pub mod dev_mode;
    pub mod errors;
    pub mod iam_account_reports;
    pub mod iam_credentials;
    pub mod iam_delegation;
    pub mod iam_instance_profiles;
    pub mod iam_last_accessed;
    pub mod iam_login_mfa;
    pub mod iam_model;
    pub mod iam_policies;
    pub mod iam_providers;
    pub mod iam_reports;
    pub mod iam_roles;
    pub mod iam_simulate;
    pub mod iam_users;
    pub mod operability;
    pub mod org_conditions;
    pub mod org_features;
    pub mod org_model;
    pub mod org_transfers;
    pub mod organizations;
    pub mod policy_cli;
    pub mod quotas;
    pub mod secret_hygiene;
    pub mod sigv4_integrity;
    pub mod source_layout;
    pub mod storage;
    pub mod sts_assume_root;
    pub mod sts_authorization_messages;
    pub mod sts_outbound_tokens;
    pub mod sts_saml;
    pub mod sts_sessions;
    pub mod sts_tokens;
    pub mod sts_web_identity;
    pub mod support;
}
