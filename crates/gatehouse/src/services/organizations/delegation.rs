//! The organization's resource-based delegation policy (`PutResourcePolicy`,
//! `DescribeResourcePolicy`, `DeleteResourcePolicy`): it lets member accounts' principals
//! run Organizations' read operations and policy management, as AWS's delegated
//! administrators for Organizations do. A delegated call needs both the member's own
//! identity-based policies and this policy to allow it (a cross-account request).

use policy::{CompiledPolicy, PolicyKind};
use wire::organizations::{
    errors, DescribeResourcePolicyResponse, Operation, PutResourcePolicyRequest,
    PutResourcePolicyResponse, ResourcePolicy, ResourcePolicySummary,
};
use wire::ServiceError;

use crate::model::organizations as ids;
use crate::store::{OrganizationRecord, StoreError, Tx};

use super::{constraint, OrgScope};

/// AWS's limit on the delegation policy's size, in characters.
const MAX_CHARS: usize = 40_000;

/// Operations a member account may run when the delegation policy allows them: the
/// read-only ones and the management of policies.
pub(super) fn delegable(operation: &Operation) -> bool {
    let name = operation.name();
    // Handshakes and responsibility transfers stay with the management account.
    let read_only = operation.is_read_only()
        && !name.contains("Handshake")
        && !name.contains("ResponsibilityTransfer");
    read_only
        || matches!(
            operation,
            Operation::CreatePolicy(_)
                | Operation::UpdatePolicy(_)
                | Operation::DeletePolicy(_)
                | Operation::AttachPolicy(_)
                | Operation::DetachPolicy(_)
                | Operation::TagResource(_)
                | Operation::UntagResource(_)
        )
}

/// The organization's delegation policy, compiled; `None` when it has none.
pub(super) async fn compiled(
    tx: &mut Tx,
    org: &OrganizationRecord,
) -> Result<Option<CompiledPolicy>, StoreError> {
    let Some((id, content)) = tx.org_resource_policy(&org.org_id).await? else {
        return Ok(None);
    };
    // Stored documents were validated; one that no longer compiles delegates nothing.
    Ok(CompiledPolicy::parse(id, &content, PolicyKind::Resource).ok())
}

fn to_wire(scope: &OrgScope<'_>, id: String, content: String) -> ResourcePolicy {
    ResourcePolicy {
        resource_policy_summary: Some(ResourcePolicySummary {
            arn: Some(format!(
                "arn:{}:organizations::{}:resourcepolicy/{}/{id}",
                scope.partition(),
                scope.management(),
                scope.org_id()
            )),
            id: Some(id),
        }),
        content: Some(content),
    }
}

pub(super) async fn handle_put(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: PutResourcePolicyRequest,
) -> Result<PutResourcePolicyResponse, ServiceError> {
    if input.content.chars().count() > MAX_CHARS {
        return Err(constraint(
            "POLICY_CONTENT_LIMIT_EXCEEDED",
            "You attempted to create a policy larger than the maximum size.",
        ));
    }
    policy::PolicyDocument::parse(&input.content, PolicyKind::Resource).map_err(|problems| {
        errors::malformed_policy_document_exception(format!(
            "The provided policy document does not meet the requirements of the specified policy type: {problems}"
        ))
    })?;
    let existing = tx.org_resource_policy(scope.org_id()).await?;
    let tags = super::tags_from_wire(input.tags)?;
    let id =
        match existing {
            Some(_) if !tags.is_empty() => return Err(constraint(
                "UPDATE_EXISTING_RESOURCE_POLICY_WITH_TAGS_NOT_SUPPORTED",
                "You can't add tags while updating an existing resource policy; use TagResource.",
            )),
            Some((id, _)) => id,
            None => ids::resource_policy_id(),
        };
    tx.put_org_resource_policy(scope.org_id(), &id, &input.content)
        .await?;
    if !tags.is_empty() {
        tx.put_org_tags(scope.org_id(), &id, &tags).await?;
    }
    Ok(PutResourcePolicyResponse {
        resource_policy: Some(to_wire(scope, id, input.content)),
    })
}

pub(super) async fn handle_describe(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
) -> Result<DescribeResourcePolicyResponse, ServiceError> {
    let (id, content) = tx
        .org_resource_policy(scope.org_id())
        .await?
        .ok_or_else(not_found)?;
    Ok(DescribeResourcePolicyResponse {
        resource_policy: Some(to_wire(scope, id, content)),
    })
}

pub(super) async fn handle_delete(scope: &OrgScope<'_>, tx: &mut Tx) -> Result<(), ServiceError> {
    let existing = tx
        .org_resource_policy(scope.org_id())
        .await?
        .ok_or_else(not_found)?;
    tx.delete_org_resource_policy(scope.org_id()).await?;
    let keys: Vec<String> = tx
        .org_tags(scope.org_id(), &existing.0)
        .await?
        .into_iter()
        .map(|(key, _)| key)
        .collect();
    tx.remove_org_tags(scope.org_id(), &existing.0, &keys)
        .await
        .map_err(Into::into)
}

fn not_found() -> ServiceError {
    errors::resource_policy_not_found_exception(
        "We can't find a resource policy request with the parameter that you specified.",
    )
}
