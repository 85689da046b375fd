//! Organization policies of every type: create, describe, update, delete, list; policy
//! types enabled per root; attachments to the root, OUs and accounts. Service and
//! resource control policies are validated by the `policy` crate; the other types are
//! JSON documents checked for syntax and size.
//!
//! As in AWS, enabling SCPs attaches the AWS-managed `FullAWSAccess` to the root and to
//! every OU and account, and every OU or account created later gets it too.

use wire::organizations::{
    errors, AttachPolicyRequest, CreatePolicyRequest, CreatePolicyResponse, DeletePolicyRequest,
    DescribePolicyRequest, DescribePolicyResponse, DetachPolicyRequest, DisablePolicyTypeRequest,
    DisablePolicyTypeResponse, EnablePolicyTypeRequest, EnablePolicyTypeResponse,
    ListPoliciesForTargetRequest, ListPoliciesForTargetResponse, ListPoliciesRequest,
    ListPoliciesResponse, ListTargetsForPolicyRequest, ListTargetsForPolicyResponse, Policy,
    PolicySummary, PolicyTargetSummary, PolicyType, TargetType, UpdatePolicyRequest,
    UpdatePolicyResponse,
};
use wire::ServiceError;

use crate::model::organizations::{self as ids, EntityKind};
use crate::store::{now_millis, OrgPolicyRecord, StoreError, Tx};

use super::{constraint, invalid_input, organization, pagination, tags_from_wire, OrgScope};

const SCP: &str = "SERVICE_CONTROL_POLICY";
const RCP: &str = "RESOURCE_CONTROL_POLICY";
/// AWS's limit on policies of one type attached to one target.
const MAX_ATTACHMENTS_PER_TYPE: usize = 5;
/// AWS's limit on policies of one type per organization.
const MAX_POLICIES_PER_TYPE: usize = 1000;

pub(super) async fn handle_create_policy(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: CreatePolicyRequest,
) -> Result<CreatePolicyResponse, ServiceError> {
    let policy_type = known_type(&input.type_)?;
    validate_content(policy_type, &input.content)?;
    let tags = tags_from_wire(input.tags)?;
    let existing = tx.org_policies(scope.org_id(), policy_type).await?;
    if existing.len() >= MAX_POLICIES_PER_TYPE {
        return Err(constraint(
            "POLICY_NUMBER_LIMIT_EXCEEDED",
            "You have reached the maximum number of policies of this type in your organization.",
        ));
    }
    let record = OrgPolicyRecord {
        org_id: scope.org_id().to_owned(),
        policy_id: ids::policy_id(),
        policy_type: policy_type.to_owned(),
        name: input.name,
        description: input.description,
        content: input.content,
        aws_managed: false,
        created_at: now_millis(),
    };
    match tx.insert_org_policy(&record).await {
        Ok(()) => {}
        Err(StoreError::Duplicate) => return Err(duplicate_policy()),
        Err(err) => return Err(err.into()),
    }
    if !tags.is_empty() {
        tx.put_org_tags(scope.org_id(), &record.policy_id, &tags)
            .await?;
    }
    Ok(CreatePolicyResponse {
        policy: Some(policy_to_wire(scope, &record)),
    })
}

pub(super) async fn handle_describe_policy(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: DescribePolicyRequest,
) -> Result<DescribePolicyResponse, ServiceError> {
    let record = find_policy(scope, tx, &input.policy_id).await?;
    Ok(DescribePolicyResponse {
        policy: Some(policy_to_wire(scope, &record)),
    })
}

pub(super) async fn handle_update_policy(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: UpdatePolicyRequest,
) -> Result<UpdatePolicyResponse, ServiceError> {
    let mut record = find_policy(scope, tx, &input.policy_id).await?;
    if record.aws_managed {
        return Err(immutable_policy());
    }
    if let Some(content) = input.content {
        validate_content(&record.policy_type, &content)?;
        record.content = content;
    }
    if let Some(name) = input.name {
        record.name = name;
    }
    if let Some(description) = input.description {
        record.description = description;
    }
    match tx.update_org_policy(&record).await {
        Ok(()) => {}
        Err(StoreError::Duplicate) => return Err(duplicate_policy()),
        Err(err) => return Err(err.into()),
    }
    Ok(UpdatePolicyResponse {
        policy: Some(policy_to_wire(scope, &record)),
    })
}

pub(super) async fn handle_delete_policy(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: DeletePolicyRequest,
) -> Result<(), ServiceError> {
    let record = find_policy(scope, tx, &input.policy_id).await?;
    if record.aws_managed {
        return Err(immutable_policy());
    }
    let targets = tx
        .targets_of_policy(scope.org_id(), &record.policy_id)
        .await?;
    if !targets.is_empty() {
        return Err(errors::policy_in_use_exception(
            "The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.",
        ));
    }
    tx.delete_org_policy(scope.org_id(), &record.policy_id)
        .await
        .map_err(Into::into)
}

pub(super) async fn handle_list_policies(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: ListPoliciesRequest,
) -> Result<ListPoliciesResponse, ServiceError> {
    let policy_type = known_type(&input.filter)?;
    let policies = tx.org_policies(scope.org_id(), policy_type).await?;
    let (page, next_token) =
        pagination::page(policies, input.next_token.as_deref(), input.max_results)?;
    Ok(ListPoliciesResponse {
        policies: Some(page.iter().map(|p| summary_to_wire(scope, p)).collect()),
        next_token,
    })
}

pub(super) async fn handle_attach_policy(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: AttachPolicyRequest,
) -> Result<(), ServiceError> {
    let record = find_policy(scope, tx, &input.policy_id).await?;
    find_target(scope, tx, &input.target_id).await?;
    require_enabled(scope, tx, &record.policy_type).await?;
    let attached = tx
        .policies_of_target(scope.org_id(), &input.target_id, Some(&record.policy_type))
        .await?;
    if attached.iter().any(|p| p.policy_id == record.policy_id) {
        return Err(duplicate_attachment());
    }
    if attached.len() >= MAX_ATTACHMENTS_PER_TYPE {
        return Err(constraint(
            "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
            "You attempted to exceed the number of policies of a certain type that can be attached to an entity at one time.",
        ));
    }
    match tx
        .attach_org_policy(
            scope.org_id(),
            &record.policy_id,
            &input.target_id,
            &record.policy_type,
        )
        .await
    {
        Ok(()) => Ok(()),
        Err(StoreError::Duplicate) => Err(duplicate_attachment()),
        Err(err) => Err(err.into()),
    }
}

pub(super) async fn handle_detach_policy(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: DetachPolicyRequest,
) -> Result<(), ServiceError> {
    let record = find_policy(scope, tx, &input.policy_id).await?;
    find_target(scope, tx, &input.target_id).await?;
    let attached = tx
        .policies_of_target(scope.org_id(), &input.target_id, Some(&record.policy_type))
        .await?;
    if !attached.iter().any(|p| p.policy_id == record.policy_id) {
        return Err(errors::policy_not_attached_exception(
            "The policy isn't attached to the specified target in the specified root.",
        ));
    }
    if record.policy_id == ids::RCP_FULL_AWS_ACCESS_ID {
        return Err(constraint(
            "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
            "RCPFullAWSAccess can't be detached while resource control policies are enabled.",
        ));
    }
    // Every target keeps at least one SCP while SCPs are enabled.
    if record.policy_type == SCP && attached.len() == 1 {
        return Err(constraint(
            "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
            "You attempted to detach a policy from an entity that would cause the entity to have fewer than the minimum number of policies of a certain type required.",
        ));
    }
    tx.detach_org_policy(scope.org_id(), &record.policy_id, &input.target_id)
        .await
        .map(|_| ())
        .map_err(Into::into)
}

pub(super) async fn handle_enable_policy_type(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: EnablePolicyTypeRequest,
) -> Result<EnablePolicyTypeResponse, ServiceError> {
    find_root(scope, &input.root_id)?;
    let policy_type = known_type(&input.policy_type)?;
    if scope.org.feature_set != "ALL" {
        return Err(errors::policy_type_not_available_for_organization_exception(
            "You can't use the specified policy type with the feature set currently enabled for this organization.",
        ));
    }
    match tx.enable_policy_type(scope.org_id(), policy_type).await {
        Ok(()) => {}
        Err(StoreError::Duplicate) => {
            return Err(errors::policy_type_already_enabled_exception(
                "The specified policy type is already enabled.",
            ))
        }
        Err(err) => return Err(err.into()),
    }
    // SCPs and RCPs start from the AWS-managed full-access policy on every target.
    let default_policy = match policy_type {
        SCP => Some(ids::FULL_AWS_ACCESS_ID),
        RCP => Some(ids::RCP_FULL_AWS_ACCESS_ID),
        _ => None,
    };
    if policy_type == RCP
        && tx
            .org_policy(scope.org_id(), ids::RCP_FULL_AWS_ACCESS_ID)
            .await?
            .is_none()
    {
        // Organizations created before RCPs existed here get it now.
        tx.insert_org_policy(&organization::rcp_full_aws_access(
            scope.org_id(),
            now_millis(),
        ))
        .await?;
    }
    if let Some(default_policy) = default_policy {
        let mut targets = vec![scope.org.root_id.clone()];
        for unit in tx.units(scope.org_id()).await? {
            if unit.parent_id.is_some() {
                targets.push(unit.unit_id);
            }
        }
        for (member, _) in tx.members(scope.org_id(), None).await? {
            targets.push(member.account_id);
        }
        for target in targets {
            tx.attach_org_policy(scope.org_id(), default_policy, &target, policy_type)
                .await?;
        }
    }
    Ok(EnablePolicyTypeResponse {
        root: Some(organization::root_to_wire(scope, tx).await?),
    })
}

pub(super) async fn handle_disable_policy_type(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: DisablePolicyTypeRequest,
) -> Result<DisablePolicyTypeResponse, ServiceError> {
    find_root(scope, &input.root_id)?;
    let policy_type = known_type(&input.policy_type)?;
    let was_enabled = tx.disable_policy_type(scope.org_id(), policy_type).await?;
    if !was_enabled {
        return Err(not_enabled());
    }
    Ok(DisablePolicyTypeResponse {
        root: Some(organization::root_to_wire(scope, tx).await?),
    })
}

pub(super) async fn handle_list_policies_for_target(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: ListPoliciesForTargetRequest,
) -> Result<ListPoliciesForTargetResponse, ServiceError> {
    let policy_type = known_type(&input.filter)?;
    find_target(scope, tx, &input.target_id).await?;
    let policies = tx
        .policies_of_target(scope.org_id(), &input.target_id, Some(policy_type))
        .await?;
    let (page, next_token) =
        pagination::page(policies, input.next_token.as_deref(), input.max_results)?;
    Ok(ListPoliciesForTargetResponse {
        policies: Some(page.iter().map(|p| summary_to_wire(scope, p)).collect()),
        next_token,
    })
}

pub(super) async fn handle_list_targets_for_policy(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: ListTargetsForPolicyRequest,
) -> Result<ListTargetsForPolicyResponse, ServiceError> {
    let record = find_policy(scope, tx, &input.policy_id).await?;
    let target_ids = tx
        .targets_of_policy(scope.org_id(), &record.policy_id)
        .await?;
    let (page, next_token) =
        pagination::page(target_ids, input.next_token.as_deref(), input.max_results)?;
    let mut targets = Vec::with_capacity(page.len());
    for id in page {
        let (name, type_) = find_target(scope, tx, &id).await?;
        targets.push(PolicyTargetSummary {
            arn: Some(scope.target_arn(&id)),
            target_id: Some(id),
            name: Some(name),
            type_: Some(type_),
        });
    }
    Ok(ListTargetsForPolicyResponse {
        targets: Some(targets),
        next_token,
    })
}

/// Attaches what a new OU or account starts with: `FullAWSAccess` when SCPs are enabled,
/// `RCPFullAWSAccess` when RCPs are.
pub(super) async fn attach_defaults(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    target_id: &str,
) -> Result<(), ServiceError> {
    let enabled = tx.enabled_policy_types(scope.org_id()).await?;
    if enabled.iter().any(|t| t == SCP) {
        tx.attach_org_policy(scope.org_id(), ids::FULL_AWS_ACCESS_ID, target_id, SCP)
            .await?;
    }
    if enabled.iter().any(|t| t == RCP) {
        tx.attach_org_policy(scope.org_id(), ids::RCP_FULL_AWS_ACCESS_ID, target_id, RCP)
            .await?;
    }
    Ok(())
}

/// The name and type of a root, OU or account of the organization, or AWS's
/// `TargetNotFoundException`.
pub(super) async fn find_target(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    target_id: &str,
) -> Result<(String, TargetType), ServiceError> {
    let found = match ids::kind_of(target_id) {
        EntityKind::Root | EntityKind::OrganizationalUnit => {
            tx.unit(scope.org_id(), target_id).await?.map(|unit| {
                let type_ = if unit.parent_id.is_none() {
                    TargetType::Root
                } else {
                    TargetType::OrganizationalUnit
                };
                (unit.name, type_)
            })
        }
        EntityKind::Account => tx
            .member(scope.org_id(), target_id)
            .await?
            .map(|(_, account)| (account.name, TargetType::Account)),
        EntityKind::Other => None,
    };
    found.ok_or_else(|| {
        errors::target_not_found_exception(
            "We can't find a root, OU, account, or email address that you specified.",
        )
    })
}

/// A policy of the organization, or AWS's `PolicyNotFoundException`.
pub(super) async fn find_policy(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    policy_id: &str,
) -> Result<OrgPolicyRecord, ServiceError> {
    tx.org_policy(scope.org_id(), policy_id)
        .await?
        .ok_or_else(|| {
            errors::policy_not_found_exception(
                "We can't find a policy with the PolicyId that you specified.",
            )
        })
}

fn find_root(scope: &OrgScope<'_>, root_id: &str) -> Result<(), ServiceError> {
    if root_id == scope.org.root_id {
        Ok(())
    } else {
        Err(errors::root_not_found_exception(
            "We can't find a root with the RootId that you specified.",
        ))
    }
}

async fn require_enabled(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    policy_type: &str,
) -> Result<(), ServiceError> {
    let enabled = tx.enabled_policy_types(scope.org_id()).await?;
    if enabled.iter().any(|t| t == policy_type) {
        Ok(())
    } else {
        Err(not_enabled())
    }
}

/// The policy types Gatehouse serves, by wire name.
fn known_type(policy_type: &PolicyType) -> Result<&'static str, ServiceError> {
    match policy_type {
        PolicyType::ServiceControlPolicy => Ok("SERVICE_CONTROL_POLICY"),
        PolicyType::ResourceControlPolicy => Ok("RESOURCE_CONTROL_POLICY"),
        PolicyType::TagPolicy => Ok("TAG_POLICY"),
        PolicyType::BackupPolicy => Ok("BACKUP_POLICY"),
        PolicyType::AiservicesOptOutPolicy => Ok("AISERVICES_OPT_OUT_POLICY"),
        PolicyType::ChatbotPolicy => Ok("CHATBOT_POLICY"),
        PolicyType::DeclarativePolicyEc2 => Ok("DECLARATIVE_POLICY_EC2"),
        PolicyType::SecurityhubPolicy => Ok("SECURITYHUB_POLICY"),
        PolicyType::InspectorPolicy => Ok("INSPECTOR_POLICY"),
        PolicyType::UpgradeRolloutPolicy => Ok("UPGRADE_ROLLOUT_POLICY"),
        PolicyType::BedrockPolicy => Ok("BEDROCK_POLICY"),
        PolicyType::S3Policy => Ok("S3_POLICY"),
        PolicyType::NetworkSecurityDirectorPolicy => Ok("NETWORK_SECURITY_DIRECTOR_POLICY"),
        PolicyType::Unknown(_) => Err(invalid_input(
            "INVALID_ENUM_POLICY_TYPE",
            "You specified an invalid policy type string.",
        )),
    }
}

/// Checks a document for its type: SCPs and RCPs with the IAM policy language's rules,
/// the rest as JSON objects; each within AWS's size limit for the type.
fn validate_content(policy_type: &str, content: &str) -> Result<(), ServiceError> {
    let max = match policy_type {
        "SERVICE_CONTROL_POLICY" => policy::SCP_MAX_CHARS,
        "RESOURCE_CONTROL_POLICY" => policy::RCP_MAX_CHARS,
        "AISERVICES_OPT_OUT_POLICY" => 2_500,
        _ => 10_000,
    };
    if content.chars().count() > max {
        return Err(constraint(
            "POLICY_CONTENT_LIMIT_EXCEEDED",
            "You attempted to create a policy larger than the maximum size.",
        ));
    }
    let kind = match policy_type {
        "SERVICE_CONTROL_POLICY" => Some(policy::PolicyKind::ServiceControl),
        "RESOURCE_CONTROL_POLICY" => Some(policy::PolicyKind::ResourceControl),
        _ => None,
    };
    let valid = match kind {
        Some(kind) => policy::PolicyDocument::parse(content, kind).is_ok(),
        None => serde_json::from_str::<serde_json::Value>(content)
            .map(|value| value.is_object())
            .unwrap_or(false),
    };
    if valid {
        Ok(())
    } else {
        Err(errors::malformed_policy_document_exception(
            "The provided policy document does not meet the requirements of the specified policy type.",
        ))
    }
}

fn summary_to_wire(scope: &OrgScope<'_>, record: &OrgPolicyRecord) -> PolicySummary {
    PolicySummary {
        id: Some(record.policy_id.clone()),
        arn: Some(ids::policy_arn(
            scope.partition(),
            scope.management(),
            scope.org_id(),
            &record.policy_type,
            &record.policy_id,
            record.aws_managed,
        )),
        name: Some(record.name.clone()),
        description: Some(record.description.clone()),
        type_: Some(PolicyType::from(record.policy_type.as_str())),
        aws_managed: Some(record.aws_managed),
    }
}

fn policy_to_wire(scope: &OrgScope<'_>, record: &OrgPolicyRecord) -> Policy {
    Policy {
        policy_summary: Some(summary_to_wire(scope, record)),
        content: Some(record.content.clone()),
    }
}

fn duplicate_policy() -> ServiceError {
    errors::duplicate_policy_exception("A policy with the same name already exists.")
}

fn duplicate_attachment() -> ServiceError {
    errors::duplicate_policy_attachment_exception(
        "The selected policy is already attached to the specified target.",
    )
}

fn immutable_policy() -> ServiceError {
    invalid_input(
        "IMMUTABLE_POLICY",
        "You specified a policy that is managed by AWS and can't be modified.",
    )
}

fn not_enabled() -> ServiceError {
    errors::policy_type_not_enabled_exception(
        "This operation can be performed only for enabled policy types.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(policy_type: &str, content: &str, expected: Option<&str>) {
        let code = validate_content(policy_type, content)
            .err()
            .map(|error| error.code.to_string());
        assert_eq!(code.as_deref(), expected, "{policy_type}: {content}");
    }

    #[test]
    fn documents_are_checked_for_their_type() {
        let scp = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#;
        check(SCP, scp, None);
        check(SCP, ids::FULL_AWS_ACCESS_CONTENT, None);
        check(SCP, "{", Some("MalformedPolicyDocumentException"));
        check(
            SCP,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#,
            Some("MalformedPolicyDocumentException"),
        );
        check("TAG_POLICY", r#"{"tags":{}}"#, None);
        check(
            "TAG_POLICY",
            "[1]",
            Some("MalformedPolicyDocumentException"),
        );
        let big = format!(r#"{{"x":"{}"}}"#, "a".repeat(6000));
        check(SCP, &big, Some("ConstraintViolationException"));
    }
}
