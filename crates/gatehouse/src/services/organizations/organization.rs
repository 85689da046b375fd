//! The organization itself: create, describe, delete, leave, and its root.

use wire::organizations::{
    errors, CreateOrganizationRequest, CreateOrganizationResponse, DescribeOrganizationResponse,
    ListRootsRequest, ListRootsResponse, Organization, OrganizationFeatureSet, PolicyType,
    PolicyTypeStatus, PolicyTypeSummary, Root,
};
use wire::ServiceError;

use crate::app::App;
use crate::model::organizations as ids;
use crate::request::RequestContext;
use crate::store::{now_millis, OrgPolicyRecord, OrganizationRecord, Tx};

use super::{pagination, OrgScope};

pub(super) async fn handle_create_organization(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    input: CreateOrganizationRequest,
) -> Result<CreateOrganizationResponse, ServiceError> {
    let feature_set = match input.feature_set.unwrap_or(OrganizationFeatureSet::All) {
        OrganizationFeatureSet::Unknown(_) => {
            return Err(super::invalid_input(
                "INVALID_ENUM",
                "You specified an invalid value.",
            ))
        }
        known => known,
    };
    let account = context.principal.account.to_string();
    let now = now_millis();
    let org = OrganizationRecord {
        org_id: ids::organization_id(),
        management_account_id: account,
        feature_set: feature_set.as_str().to_owned(),
        root_id: ids::root_id(),
        created_at: now,
    };
    tx.insert_organization(&org).await?;
    tx.insert_org_policy(&OrgPolicyRecord {
        org_id: org.org_id.clone(),
        policy_id: ids::FULL_AWS_ACCESS_ID.to_owned(),
        policy_type: "SERVICE_CONTROL_POLICY".to_owned(),
        name: "FullAWSAccess".to_owned(),
        description: "Allows access to every operation".to_owned(),
        content: ids::FULL_AWS_ACCESS_CONTENT.to_owned(),
        aws_managed: true,
        created_at: now,
    })
    .await?;
    tx.insert_org_policy(&rcp_full_aws_access(&org.org_id, now))
        .await?;
    let scope = OrgScope {
        app,
        context,
        org: &org,
    };
    Ok(CreateOrganizationResponse {
        organization: Some(organization_to_wire(&scope, tx).await?),
    })
}

pub(super) async fn handle_describe_organization(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
) -> Result<DescribeOrganizationResponse, ServiceError> {
    Ok(DescribeOrganizationResponse {
        organization: Some(organization_to_wire(scope, tx).await?),
    })
}

pub(super) async fn handle_delete_organization(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
) -> Result<(), ServiceError> {
    let members = tx.members(scope.org_id(), None).await?;
    if members
        .iter()
        .any(|(member, _)| member.account_id != scope.management())
    {
        return Err(errors::organization_not_empty_exception(
            "To delete an organization you must first remove all member accounts (except the management account).",
        ));
    }
    super::transfers::refuse_while_active(scope, tx).await?;
    tx.delete_organization(scope.org_id())
        .await
        .map_err(Into::into)
}

pub(super) async fn handle_leave_organization(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
) -> Result<(), ServiceError> {
    let account = scope.context.principal.account.to_string();
    if account == scope.management() {
        return Err(errors::master_cannot_leave_organization_exception(
            "You can't remove a management account from an organization. If you want the management account to become a member account in another organization, you must first delete the current organization of the management account.",
        ));
    }
    tx.delete_member(scope.org_id(), &account)
        .await
        .map_err(Into::into)
}

pub(super) async fn handle_list_roots(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: ListRootsRequest,
) -> Result<ListRootsResponse, ServiceError> {
    let root = root_to_wire(scope, tx).await?;
    let (roots, next_token) =
        pagination::page(vec![root], input.next_token.as_deref(), input.max_results)?;
    Ok(ListRootsResponse {
        roots: Some(roots),
        next_token,
    })
}

/// The organization as `DescribeOrganization` reports it.
pub(super) async fn organization_to_wire(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
) -> Result<Organization, ServiceError> {
    let management = tx.account(scope.management()).await?;
    Ok(Organization {
        id: Some(scope.org_id().to_owned()),
        arn: Some(ids::organization_arn(
            scope.partition(),
            scope.management(),
            scope.org_id(),
        )),
        feature_set: Some(OrganizationFeatureSet::from(scope.org.feature_set.as_str())),
        master_account_arn: Some(scope.target_arn(scope.management())),
        master_account_id: Some(scope.management().to_owned()),
        master_account_email: management.map(|account| account.email),
        // Deprecated in AWS's model, which always reports SCPs as available here.
        available_policy_types: Some(vec![PolicyTypeSummary {
            type_: Some(PolicyType::ServiceControlPolicy),
            status: Some(PolicyTypeStatus::Enabled),
        }]),
    })
}

/// The organization's root with the policy types enabled on it.
pub(super) async fn root_to_wire(scope: &OrgScope<'_>, tx: &mut Tx) -> Result<Root, ServiceError> {
    let enabled = tx.enabled_policy_types(scope.org_id()).await?;
    let root_id = &scope.org.root_id;
    Ok(Root {
        id: Some(root_id.clone()),
        arn: Some(scope.target_arn(root_id)),
        name: Some("Root".to_owned()),
        policy_types: Some(
            enabled
                .iter()
                .map(|policy_type| PolicyTypeSummary {
                    type_: Some(PolicyType::from(policy_type.as_str())),
                    status: Some(PolicyTypeStatus::Enabled),
                })
                .collect(),
        ),
    })
}

/// How many accounts the organization may hold (management account included).
pub(super) async fn account_limit(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
) -> Result<usize, ServiceError> {
    crate::services::quotas::account_quota(scope.app, tx, scope.management()).await
}

/// The AWS-managed `RCPFullAWSAccess` of an organization: attached to every root, OU and
/// account while RCPs are enabled, and never detachable.
pub(super) fn rcp_full_aws_access(org_id: &str, now: i64) -> OrgPolicyRecord {
    OrgPolicyRecord {
        org_id: org_id.to_owned(),
        policy_id: ids::RCP_FULL_AWS_ACCESS_ID.to_owned(),
        policy_type: "RESOURCE_CONTROL_POLICY".to_owned(),
        name: "RCPFullAWSAccess".to_owned(),
        description: "Allows access to every resource".to_owned(),
        content: ids::RCP_FULL_AWS_ACCESS_CONTENT.to_owned(),
        aws_managed: true,
        created_at: now,
    }
}
