//! Managed policies: customer managed policies with up to five versions, the AWS managed
//! policies every account sees, and attaching either to users and groups.

use policy::PolicyKind;
use wire::iam::{
    errors, AttachedPolicy, CreatePolicyRequest, CreatePolicyResponse, CreatePolicyVersionRequest,
    CreatePolicyVersionResponse, GetPolicyRequest, GetPolicyResponse, GetPolicyVersionRequest,
    GetPolicyVersionResponse, ListPoliciesRequest, ListPoliciesResponse, ListPolicyVersionsRequest,
    ListPolicyVersionsResponse, Policy, PolicyScopeType, PolicyUsageType, PolicyVersion, Tag,
};
use wire::ServiceError;

use crate::auth::identity::{managed_document, parse_policy_arn};
use crate::model::{arn, aws_managed, ids, IdPrefix};
use crate::store::{from_millis, ManagedPolicyRecord, OwnerKind, StoreError, Tx};

use super::{documents, pagination};
use crate::request::RequestContext;

/// AWS's quota of versions per managed policy.
pub(super) const VERSIONS_PER_POLICY: usize = 5;
/// AWS's quota of managed policies attached to one user, group or role.
pub const ATTACHED_PER_IDENTITY: usize = 10;

/// The ARN of a customer managed policy.
pub fn policy_arn(context: &RequestContext, path: &str, name: &str) -> String {
    let principal = &context.principal;
    let path = path.strip_prefix('/').unwrap_or(path);
    format!(
        "arn:{}:iam::{}:policy/{path}{name}",
        principal.partition, principal.account
    )
}

fn version_id(version: i64) -> String {
    format!("v{version}")
}

fn parse_version_id(text: &str) -> Option<i64> {
    text.strip_prefix('v')?.parse().ok().filter(|n| *n > 0)
}

fn no_such_policy(arn: &str) -> ServiceError {
    errors::no_such_entity(format!("Policy {arn} does not exist or is not attachable."))
}

/// The customer managed policy an ARN names in the caller's account.
pub(super) async fn find(
    tx: &mut Tx,
    context: &RequestContext,
    arn: &str,
) -> Result<ManagedPolicyRecord, ServiceError> {
    let account = context.principal.account.to_string();
    let Some((owner, path, name)) = parse_policy_arn(arn) else {
        return Err(errors::invalid_input(format!("ARN {arn} is not valid.")));
    };
    if owner != account {
        return Err(no_such_policy(arn));
    }
    tx.managed_policy(&account, name)
        .await?
        .filter(|policy| policy.path == path)
        .ok_or_else(|| no_such_policy(arn))
}

/// How many identities of the account have the policy attached, and how many users and
/// roles have it as their permissions boundary.
pub(super) async fn usage_counts(
    tx: &mut Tx,
    account: &str,
    arn: &str,
) -> Result<(i64, i64), ServiceError> {
    let attached = tx.attachment_count(account, arn).await?;
    let boundaries = tx.boundary_users(account, arn).await?.len();
    Ok((attached, i64::try_from(boundaries).unwrap_or(i64::MAX)))
}

/// A count as the wire's 32-bit integer.
pub(super) fn wire_count(n: i64) -> Option<i32> {
    Some(i32::try_from(n).unwrap_or(i32::MAX))
}

async fn to_wire(
    tx: &mut Tx,
    context: &RequestContext,
    record: &ManagedPolicyRecord,
) -> Result<Policy, ServiceError> {
    let arn = policy_arn(context, &record.path, &record.policy_name);
    let (attachments, boundaries) = usage_counts(tx, &record.account_id, &arn).await?;
    Ok(Policy {
        policy_name: Some(record.policy_name.clone()),
        policy_id: Some(record.policy_id.clone()),
        arn: Some(arn),
        path: Some(record.path.clone()),
        default_version_id: Some(version_id(record.default_version)),
        attachment_count: wire_count(attachments),
        permissions_boundary_usage_count: wire_count(boundaries),
        is_attachable: Some(true),
        description: record.description.clone(),
        create_date: Some(from_millis(record.created_at)),
        update_date: Some(from_millis(record.updated_at)),
        tags: (!record.tags.is_empty()).then(|| {
            record
                .tags
                .iter()
                .map(|(key, value)| Tag {
                    key: key.clone(),
                    value: value.clone(),
                })
                .collect()
        }),
    })
}

fn aws_to_wire(
    context: &RequestContext,
    policy: &aws_managed::AwsManagedPolicy,
    (attachments, boundaries): (i64, i64),
) -> Policy {
    // AWS managed policies predate every account; a fixed date keeps answers stable.
    let created = from_millis(1_423_000_000_000);
    Policy {
        policy_name: Some(policy.name.to_owned()),
        policy_id: Some(policy.id.to_owned()),
        arn: Some(policy.arn(context.principal.partition)),
        path: Some(policy.path.to_owned()),
        default_version_id: Some("v1".to_owned()),
        attachment_count: wire_count(attachments),
        permissions_boundary_usage_count: wire_count(boundaries),
        is_attachable: Some(true),
        description: Some(policy.description.to_owned()),
        create_date: Some(created),
        update_date: Some(created),
        tags: None,
    }
}

pub(super) async fn handle_create_policy(
    tx: &mut Tx,
    context: &RequestContext,
    input: CreatePolicyRequest,
) -> Result<CreatePolicyResponse, ServiceError> {
    documents::validate(&input.policy_document, PolicyKind::Identity)?;
    let now = crate::store::now_millis();
    let record = ManagedPolicyRecord {
        account_id: context.principal.account.to_string(),
        policy_name: input.policy_name,
        policy_id: ids::unique_id(IdPrefix::Policy),
        path: input.path.unwrap_or_else(|| "/".to_owned()),
        description: input.description,
        default_version: 1,
        next_version: 2,
        created_at: now,
        updated_at: now,
        tags: input
            .tags
            .unwrap_or_default()
            .into_iter()
            .map(|tag| (tag.key, tag.value))
            .collect(),
    };
    match tx
        .insert_managed_policy(&record, &input.policy_document)
        .await
    {
        Ok(()) => {}
        Err(StoreError::Duplicate) => {
            return Err(errors::entity_already_exists(format!(
                "A policy called {} already exists. Duplicate names are not allowed.",
                record.policy_name
            )))
        }
        Err(err) => return Err(err.into()),
    }
    Ok(CreatePolicyResponse {
        policy: Some(to_wire(tx, context, &record).await?),
    })
}

pub(super) async fn handle_get_policy(
    tx: &mut Tx,
    context: &RequestContext,
    input: GetPolicyRequest,
) -> Result<GetPolicyResponse, ServiceError> {
    if let Some(policy) = aws_managed::by_arn(&input.policy_arn) {
        let account = context.principal.account.to_string();
        let usage = usage_counts(tx, &account, &input.policy_arn).await?;
        return Ok(GetPolicyResponse {
            policy: Some(aws_to_wire(context, policy, usage)),
        });
    }
    let record = find(tx, context, &input.policy_arn).await?;
    Ok(GetPolicyResponse {
        policy: Some(to_wire(tx, context, &record).await?),
    })
}

pub(super) async fn handle_list_policies(
    tx: &mut Tx,
    context: &RequestContext,
    input: ListPoliciesRequest,
) -> Result<ListPoliciesResponse, ServiceError> {
    let account = context.principal.account.to_string();
    let prefix = input.path_prefix.clone().unwrap_or_else(|| "/".to_owned());
    let only_attached = input.only_attached.unwrap_or(false);
    let scope = input.scope.unwrap_or(PolicyScopeType::All);
    let (with_aws, with_local) = match scope {
        PolicyScopeType::Aws => (true, false),
        PolicyScopeType::Local => (false, true),
        _ => (true, true),
    };
    // One ordering across both kinds: AWS managed first (sort key `0…`), then local.
    let mut all: Vec<(String, Policy)> = Vec::new();
    if with_aws {
        for policy in aws_managed::ALL
            .iter()
            .filter(|p| p.path.starts_with(&prefix))
        {
            let arn = policy.arn(context.principal.partition);
            let usage = usage_counts(tx, &account, &arn).await?;
            all.push((
                format!("0{}", policy.name.to_lowercase()),
                aws_to_wire(context, policy, usage),
            ));
        }
    }
    if with_local {
        let records = tx
            .list_managed_policies(&account, &prefix, None, i64::MAX)
            .await?;
        for record in &records {
            all.push((
                format!("1{}", record.policy_name.to_lowercase()),
                to_wire(tx, context, record).await?,
            ));
        }
    }
    if only_attached {
        // Attached as a permissions policy, or (PolicyUsageFilter=PermissionsBoundary)
        // in use as a permissions boundary.
        let boundary = input.policy_usage_filter == Some(PolicyUsageType::PermissionsBoundary);
        all.retain(|(_, policy)| {
            let used = if boundary {
                policy.permissions_boundary_usage_count
            } else {
                policy.attachment_count
            };
            used.unwrap_or(0) > 0
        });
    }
    all.sort_by(|a, b| a.0.cmp(&b.0));
    let after = pagination::decode_marker(input.marker.as_deref())?;
    let limit = usize::try_from(pagination::page_size(input.max_items)).unwrap_or(100);
    let rest: Vec<(String, Policy)> = all
        .into_iter()
        .filter(|(key, _)| after.as_deref().is_none_or(|after| key.as_str() > after))
        .collect();
    let truncated = rest.len() > limit;
    let page: Vec<(String, Policy)> = rest.into_iter().take(limit).collect();
    let marker = truncated
        .then(|| page.last().map(|(key, _)| pagination::encode_marker(key)))
        .flatten();
    Ok(ListPoliciesResponse {
        policies: Some(page.into_iter().map(|(_, policy)| policy).collect()),
        is_truncated: Some(truncated),
        marker,
    })
}

pub(super) async fn handle_delete_policy(
    tx: &mut Tx,
    context: &RequestContext,
    arn: &str,
) -> Result<(), ServiceError> {
    let record = find(tx, context, arn).await?;
    let count = tx.attachment_count(&record.account_id, arn).await?;
    if count > 0 {
        return Err(errors::delete_conflict(
            "Cannot delete a policy attached to entities.",
        ));
    }
    let versions = tx
        .policy_versions(&record.account_id, &record.policy_name)
        .await?;
    if versions.len() > 1 {
        return Err(errors::delete_conflict(
            "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
        ));
    }
    tx.delete_managed_policy(&record.account_id, &record.policy_name)
        .await?;
    Ok(())
}

pub(super) async fn handle_create_policy_version(
    tx: &mut Tx,
    context: &RequestContext,
    input: CreatePolicyVersionRequest,
) -> Result<CreatePolicyVersionResponse, ServiceError> {
    documents::validate(&input.policy_document, PolicyKind::Identity)?;
    let record = find(tx, context, &input.policy_arn).await?;
    let versions = tx
        .policy_versions(&record.account_id, &record.policy_name)
        .await?;
    if versions.len() >= VERSIONS_PER_POLICY {
        return Err(errors::limit_exceeded(format!(
            "A managed policy can have up to {VERSIONS_PER_POLICY} versions. Before you create a new version, you must delete an existing version."
        )));
    }
    let now = crate::store::now_millis();
    let version = record.next_version;
    tx.insert_policy_version(
        &record.account_id,
        &record.policy_name,
        version,
        &input.policy_document,
        now,
    )
    .await?;
    let set_default = input.set_as_default.unwrap_or(false);
    let default_version = if set_default {
        version
    } else {
        record.default_version
    };
    let updated = if set_default { now } else { record.updated_at };
    tx.update_policy_versions(
        &record.account_id,
        &record.policy_name,
        default_version,
        version + 1,
        updated,
    )
    .await?;
    Ok(CreatePolicyVersionResponse {
        policy_version: Some(PolicyVersion {
            document: None,
            version_id: Some(version_id(version)),
            is_default_version: Some(set_default),
            create_date: Some(from_millis(now)),
        }),
    })
}

pub(super) async fn handle_get_policy_version(
    tx: &mut Tx,
    context: &RequestContext,
    input: GetPolicyVersionRequest,
) -> Result<GetPolicyVersionResponse, ServiceError> {
    let missing = || {
        errors::no_such_entity(format!(
            "Policy {} version {} does not exist or is not attachable.",
            input.policy_arn, input.version_id
        ))
    };
    if let Some(policy) = aws_managed::by_arn(&input.policy_arn) {
        if input.version_id != "v1" {
            return Err(missing());
        }
        return Ok(GetPolicyVersionResponse {
            policy_version: Some(PolicyVersion {
                document: Some(documents::encode(policy.document)),
                version_id: Some("v1".to_owned()),
                is_default_version: Some(true),
                create_date: Some(from_millis(1_423_000_000_000)),
            }),
        });
    }
    let record = find(tx, context, &input.policy_arn).await?;
    let wanted = parse_version_id(&input.version_id).ok_or_else(missing)?;
    let versions = tx
        .policy_versions(&record.account_id, &record.policy_name)
        .await?;
    let version = versions
        .into_iter()
        .find(|v| v.version == wanted)
        .ok_or_else(missing)?;
    Ok(GetPolicyVersionResponse {
        policy_version: Some(PolicyVersion {
            document: Some(documents::encode(&version.document)),
            version_id: Some(version_id(version.version)),
            is_default_version: Some(version.version == record.default_version),
            create_date: Some(from_millis(version.created_at)),
        }),
    })
}

pub(super) async fn handle_list_policy_versions(
    tx: &mut Tx,
    context: &RequestContext,
    input: ListPolicyVersionsRequest,
) -> Result<ListPolicyVersionsResponse, ServiceError> {
    let record = find(tx, context, &input.policy_arn).await?;
    let versions = tx
        .policy_versions(&record.account_id, &record.policy_name)
        .await?;
    // Newest first, as IAM lists them: the page key counts down from the newest.
    let (page, truncated, marker) =
        pagination::page(versions, input.max_items, input.marker.as_deref(), |v| {
            format!("{:020}", i64::MAX.saturating_sub(v.version))
        })?;
    Ok(ListPolicyVersionsResponse {
        versions: Some(
            page.iter()
                .map(|v| PolicyVersion {
                    document: None,
                    version_id: Some(version_id(v.version)),
                    is_default_version: Some(v.version == record.default_version),
                    create_date: Some(from_millis(v.created_at)),
                })
                .collect(),
        ),
        is_truncated: Some(truncated),
        marker,
    })
}

pub(super) async fn handle_delete_policy_version(
    tx: &mut Tx,
    context: &RequestContext,
    policy_arn: &str,
    version: &str,
) -> Result<(), ServiceError> {
    let record = find(tx, context, policy_arn).await?;
    let missing = || {
        errors::no_such_entity(format!(
            "Policy {policy_arn} version {version} does not exist or is not attachable."
        ))
    };
    let wanted = parse_version_id(version).ok_or_else(missing)?;
    if wanted == record.default_version {
        return Err(errors::delete_conflict(
            "Cannot delete the default version of a policy.",
        ));
    }
    let deleted = tx
        .delete_policy_version(&record.account_id, &record.policy_name, wanted)
        .await?;
    if deleted {
        Ok(())
    } else {
        Err(missing())
    }
}

pub(super) async fn handle_set_default_policy_version(
    tx: &mut Tx,
    context: &RequestContext,
    policy_arn: &str,
    version: &str,
) -> Result<(), ServiceError> {
    let record = find(tx, context, policy_arn).await?;
    let missing = || {
        errors::no_such_entity(format!(
            "Policy {policy_arn} version {version} does not exist or is not attachable."
        ))
    };
    let wanted = parse_version_id(version).ok_or_else(missing)?;
    let versions = tx
        .policy_versions(&record.account_id, &record.policy_name)
        .await?;
    if !versions.iter().any(|v| v.version == wanted) {
        return Err(missing());
    }
    tx.update_policy_versions(
        &record.account_id,
        &record.policy_name,
        wanted,
        record.next_version,
        crate::store::now_millis(),
    )
    .await
    .map_err(Into::into)
}

/// Attaches a managed policy to a user or group after checking it exists and the quota.
pub(super) async fn attach(
    tx: &mut Tx,
    context: &RequestContext,
    owner: OwnerKind,
    owner_name: &str,
    policy_arn: &str,
) -> Result<(), ServiceError> {
    let account = context.principal.account.to_string();
    let exists = managed_document(tx, &account, policy_arn).await?.is_some();
    if !exists {
        return Err(no_such_policy(policy_arn));
    }
    let attached = tx.attached_policies(&account, owner, owner_name).await?;
    if !attached.iter().any(|arn| arn == policy_arn) && attached.len() >= ATTACHED_PER_IDENTITY {
        return Err(errors::limit_exceeded(format!(
            "Cannot exceed quota for PoliciesPerUser: {ATTACHED_PER_IDENTITY}"
        )));
    }
    tx.attach_policy(&account, owner, owner_name, policy_arn)
        .await
        .map_err(Into::into)
}

/// Detaches a managed policy, or `NoSuchEntity` when it was not attached.
pub(super) async fn detach(
    tx: &mut Tx,
    context: &RequestContext,
    owner: OwnerKind,
    owner_name: &str,
    policy_arn: &str,
) -> Result<(), ServiceError> {
    let account = context.principal.account.to_string();
    let detached = tx
        .detach_policy(&account, owner, owner_name, policy_arn)
        .await?;
    if detached {
        Ok(())
    } else {
        Err(errors::no_such_entity(format!(
            "Policy {policy_arn} was not found."
        )))
    }
}

/// One page of the attached policies of one identity under a path prefix, by ARN: the
/// items, whether more follow, and the marker to continue from.
pub(super) async fn attached_page(
    tx: &mut Tx,
    context: &RequestContext,
    owner: (OwnerKind, &str),
    path_prefix: Option<&str>,
    (max_items, marker): (Option<i32>, Option<&str>),
) -> Result<(Vec<AttachedPolicy>, bool, Option<String>), ServiceError> {
    let all = attached(tx, context, owner.0, owner.1, path_prefix).await?;
    pagination::page(all, max_items, marker, |policy| {
        policy.policy_arn.clone().unwrap_or_default()
    })
}

/// The attached policies of one identity under a path prefix, as `AttachedPolicy` items.
pub(super) async fn attached(
    tx: &mut Tx,
    context: &RequestContext,
    owner: OwnerKind,
    owner_name: &str,
    path_prefix: Option<&str>,
) -> Result<Vec<AttachedPolicy>, ServiceError> {
    let account = context.principal.account.to_string();
    let arns = tx.attached_policies(&account, owner, owner_name).await?;
    let prefix = path_prefix.unwrap_or("/");
    Ok(arns
        .into_iter()
        .filter_map(|policy_arn| {
            let (path, name) = match aws_managed::by_arn(&policy_arn) {
                Some(policy) => (policy.path.to_owned(), policy.name.to_owned()),
                None => {
                    let (_, path, name) = parse_policy_arn(&policy_arn)?;
                    (path, name.to_owned())
                }
            };
            path.starts_with(prefix).then_some(AttachedPolicy {
                policy_name: Some(name),
                policy_arn: Some(policy_arn),
            })
        })
        .collect())
}

/// The ARN a user's or group's resource has (for authorization and responses).
pub fn entity_arn(context: &RequestContext, kind: &str, path: &str, name: &str) -> String {
    arn::iam_entity(
        context.principal.partition,
        context.principal.account,
        kind,
        path,
        name,
    )
}
