//! `GetAccountSummary`: the account's entity counts and IAM quotas, under the key names
//! AWS's `SummaryMap` uses.

use std::collections::BTreeMap;

use wire::iam::GetAccountSummaryResponse;
use wire::ServiceError;

use crate::store::Tx;

use crate::request::RequestContext;

/// AWS's quota of customer managed policies per account.
const POLICIES_PER_ACCOUNT: i64 = 1500;
/// AWS's quota of attached policy versions per account.
const POLICY_VERSIONS_IN_USE: i64 = 10_000;

fn int<T: TryInto<i64>>(value: T) -> i64 {
    value.try_into().unwrap_or(i64::MAX)
}

pub(super) async fn handle(
    tx: &mut Tx,
    context: &RequestContext,
) -> Result<GetAccountSummaryResponse, ServiceError> {
    let account = context.principal.account.to_string();
    let token_version = tx.sts_token_version(&account).await?.unwrap_or(1);
    let counts = tx.iam_counts(&account).await?;
    let entries: [(&str, i64); 34] = [
        ("Users", counts.users),
        ("UsersQuota", int(super::users::USERS_PER_ACCOUNT)),
        ("Groups", counts.groups),
        ("GroupsQuota", super::groups::GROUPS_PER_ACCOUNT),
        ("ServerCertificates", counts.server_certificates),
        (
            "ServerCertificatesQuota",
            super::server_certificates::SERVER_CERTIFICATES_PER_ACCOUNT,
        ),
        (
            "UserPolicySizeQuota",
            int(policy::USER_INLINE_AGGREGATE_MAX_CHARS),
        ),
        (
            "GroupPolicySizeQuota",
            int(policy::GROUP_INLINE_AGGREGATE_MAX_CHARS),
        ),
        ("GroupsPerUserQuota", int(super::groups::GROUPS_PER_USER)),
        (
            "SigningCertificatesPerUserQuota",
            int(super::signing_certificates::CERTIFICATES_PER_USER),
        ),
        (
            "AccessKeysPerUserQuota",
            int(super::access_keys::KEYS_PER_USER),
        ),
        ("MFADevices", counts.mfa_devices),
        ("MFADevicesInUse", counts.mfa_devices_in_use),
        // The root user signs in with keys only: no root MFA device or password.
        ("AccountMFAEnabled", 0),
        (
            "AccountAccessKeysPresent",
            i64::from(counts.root_access_keys > 0),
        ),
        ("AccountPasswordPresent", 0),
        (
            "AccountSigningCertificatesPresent",
            i64::from(counts.root_signing_certificates > 0),
        ),
        (
            "AttachedPoliciesPerGroupQuota",
            int(super::policies::ATTACHED_PER_IDENTITY),
        ),
        (
            "AttachedPoliciesPerRoleQuota",
            int(super::policies::ATTACHED_PER_IDENTITY),
        ),
        (
            "AttachedPoliciesPerUserQuota",
            int(super::policies::ATTACHED_PER_IDENTITY),
        ),
        ("Policies", counts.policies),
        ("PoliciesQuota", POLICIES_PER_ACCOUNT),
        ("PolicySizeQuota", int(policy::MANAGED_POLICY_MAX_CHARS)),
        ("PolicyVersionsInUse", counts.attachments),
        ("PolicyVersionsInUseQuota", POLICY_VERSIONS_IN_USE),
        (
            "VersionsPerPolicyQuota",
            int(super::policies::VERSIONS_PER_POLICY),
        ),
        ("GlobalEndpointTokenVersion", token_version),
        (
            "AssumeRolePolicySizeQuota",
            int(policy::TRUST_POLICY_DEFAULT_MAX_CHARS),
        ),
        ("InstanceProfiles", counts.instance_profiles),
        (
            "InstanceProfilesQuota",
            super::instance_profiles::PROFILES_PER_ACCOUNT,
        ),
        ("Providers", counts.providers),
        (
            "RolePolicySizeQuota",
            int(policy::ROLE_INLINE_AGGREGATE_MAX_CHARS),
        ),
        ("Roles", counts.roles),
        ("RolesQuota", super::roles::ROLES_PER_ACCOUNT),
    ];
    let summary: BTreeMap<String, i32> = entries
        .iter()
        .map(|(key, value)| ((*key).to_owned(), i32::try_from(*value).unwrap_or(i32::MAX)))
        .collect();
    Ok(GetAccountSummaryResponse {
        summary_map: Some(summary),
    })
}
