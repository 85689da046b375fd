//! Organizations: the organization, its OU tree, member accounts and policies. `call`
//! checks the caller's place in an organization (AWS answers member accounts calling
//! management-only operations with `AccessDeniedException`), authorizes, then dispatches
//! to the handlers, grouped by topic in one file each. One store transaction per call.

mod accounts;
mod all_features;
mod delegation;
mod effective;
mod handshakes;
mod organization;
mod pagination;
mod policies;
mod service_access;
mod tags;
mod transfers;
mod units;

use wire::organizations::{errors, Operation, Output};
use wire::ServiceError;

use super::{Api, Needs};
use crate::app::App;
use crate::auth::authorize::{Access, Denied};
use crate::model::organizations as ids;
use crate::model::Partition;
use crate::request::RequestContext;
use crate::store::{LazyTx, OrganizationRecord, Tx};

/// Organizations as the pipeline runs it.
pub(crate) struct Organizations;

impl Api for Organizations {
    type Operation = Operation;
    type Output = Output;
    /// The caller's organization, when it has one.
    type Plan = Option<OrganizationRecord>;

    /// Where the caller stands first (no organization: `AWSOrganizationsNotInUseException`;
    /// a member account calling a management-only operation: `AccessDeniedException`,
    /// unless the delegation policy can open it), then the accesses.
    async fn needs(
        _app: &App,
        tx: &mut LazyTx<'_>,
        context: &RequestContext,
        operation: &Operation,
    ) -> Result<(Needs, Self::Plan), ServiceError> {
        let tx = tx.get().await?;
        let account = context.principal.account.to_string();
        let org = tx.organization_of_account(&account).await?;
        let mut delegated = None;
        let org = match (standing(operation), org) {
            (Standing::Nothing, org) => org,
            (Standing::Organization, None) | (Standing::Management, None) => {
                return Err(not_in_use());
            }
            (Standing::Organization, Some(org)) => Some(org),
            (Standing::Management, Some(org)) => {
                if org.management_account_id != account {
                    // A member account gets in only through the delegation policy, and
                    // only for the operations it can delegate.
                    if !delegation::delegable(operation) {
                        return Err(access_denied());
                    }
                    delegated = delegation::compiled(tx, &org).await?;
                    if delegated.is_none() {
                        return Err(access_denied());
                    }
                }
                Some(org)
            }
        };
        let mut accesses = access(tx, context, org.as_ref(), operation).await?;
        if let (Some(_), Some(org)) = (&delegated, &org) {
            // A delegated call acts on the management account's organization: resources
            // without an ARN of their own are the organization itself, which makes the
            // request cross-account (both the caller's policies and the delegation decide).
            let organization = ids::organization_arn(
                context.principal.partition,
                &org.management_account_id,
                &org.org_id,
            );
            for access in &mut accesses {
                if access.resource == "*" {
                    access.resource = organization.clone();
                }
            }
        }
        Ok((
            Needs {
                accesses,
                resource_policy: delegated,
            },
            org,
        ))
    }

    /// The authorizer speaks IAM's `AccessDenied`; Organizations calls it
    /// `AccessDeniedException`.
    fn refusal(denied: Denied) -> ServiceError {
        as_access_denied_exception(denied.into())
    }

    async fn dispatch(
        app: &App,
        tx: &mut LazyTx<'_>,
        context: &RequestContext,
        org: Self::Plan,
        operation: Operation,
    ) -> Result<Output, ServiceError> {
        let tx = tx.get().await?;
        match (operation, org) {
            // The invited side of a handshake need not belong to an organization.
            (Operation::AcceptHandshake(input), org) => {
                handshakes::handle_accept(app, tx, context, org.as_ref(), input)
                    .await
                    .map(Output::AcceptHandshake)
            }
            (Operation::DeclineHandshake(input), _) => {
                handshakes::handle_decline(tx, context, input)
                    .await
                    .map(Output::DeclineHandshake)
            }
            (Operation::DescribeHandshake(input), org) => {
                handshakes::handle_describe(tx, context, org.as_ref(), input)
                    .await
                    .map(Output::DescribeHandshake)
            }
            (Operation::ListHandshakesForAccount(input), _) => {
                handshakes::handle_list_for_account(tx, context, input)
                    .await
                    .map(Output::ListHandshakesForAccount)
            }
            (operation, None) => match operation {
                Operation::CreateOrganization(input) => {
                    organization::handle_create_organization(app, tx, context, input)
                        .await
                        .map(Output::CreateOrganization)
                }
                other => Err(ServiceError::not_implemented(other.name())),
            },
            (operation, Some(org)) => {
                let scope = OrgScope {
                    app,
                    context,
                    org: &org,
                };
                dispatch(&scope, tx, operation).await
            }
        }
    }

    /// Organizations changes can change any member account's SCPs and organization
    /// keys: every cached view goes. Account status changes (`CloseAccount`) decide
    /// whether keys authenticate at all: cached credentials go too.
    fn changed(app: &App, _context: &RequestContext) {
        app.policies().clear();
        app.credentials().clear();
    }
}

/// Authorizes and runs one Organizations operation.
pub async fn call(
    app: &App,
    context: &RequestContext,
    operation: Operation,
) -> Result<Output, ServiceError> {
    super::call::<Organizations>(app, context, operation).await
}

/// What a handler of an organization's operation needs: the app, the request and the
/// caller's organization.
pub(crate) struct OrgScope<'a> {
    app: &'a App,
    context: &'a RequestContext,
    org: &'a OrganizationRecord,
}

impl OrgScope<'_> {
    fn partition(&self) -> Partition {
        self.context.principal.partition
    }

    fn management(&self) -> &str {
        &self.org.management_account_id
    }

    fn org_id(&self) -> &str {
        &self.org.org_id
    }

    /// The ARN of a root, OU or account of this organization.
    fn target_arn(&self, id: &str) -> String {
        ids::target_arn(self.partition(), self.management(), self.org_id(), id)
    }
}

async fn dispatch(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    operation: Operation,
) -> Result<Output, ServiceError> {
    use Operation as Op;
    match operation {
        Op::CreateOrganization(_) => Err(errors::already_in_organization_exception(
            "The AWS account is already a member of an organization.",
        )),
        Op::DescribeOrganization => organization::handle_describe_organization(scope, tx)
            .await
            .map(Output::DescribeOrganization),
        Op::DeleteOrganization => organization::handle_delete_organization(scope, tx)
            .await
            .map(|()| Output::DeleteOrganization),
        Op::LeaveOrganization => organization::handle_leave_organization(scope, tx)
            .await
            .map(|()| Output::LeaveOrganization),
        Op::ListRoots(input) => organization::handle_list_roots(scope, tx, input)
            .await
            .map(Output::ListRoots),
        Op::CreateAccount(input) => accounts::handle_create_account(scope, tx, input)
            .await
            .map(Output::CreateAccount),
        Op::DescribeCreateAccountStatus(input) => {
            accounts::handle_describe_create_account_status(scope, tx, input)
                .await
                .map(Output::DescribeCreateAccountStatus)
        }
        Op::ListCreateAccountStatus(input) => {
            accounts::handle_list_create_account_status(scope, tx, input)
                .await
                .map(Output::ListCreateAccountStatus)
        }
        Op::DescribeAccount(input) => accounts::handle_describe_account(scope, tx, input)
            .await
            .map(Output::DescribeAccount),
        Op::ListAccounts(input) => accounts::handle_list_accounts(scope, tx, input)
            .await
            .map(Output::ListAccounts),
        Op::ListAccountsForParent(input) => {
            accounts::handle_list_accounts_for_parent(scope, tx, input)
                .await
                .map(Output::ListAccountsForParent)
        }
        Op::MoveAccount(input) => accounts::handle_move_account(scope, tx, input)
            .await
            .map(|()| Output::MoveAccount),
        Op::RemoveAccountFromOrganization(input) => {
            accounts::handle_remove_account(scope, tx, input)
                .await
                .map(|()| Output::RemoveAccountFromOrganization)
        }
        Op::CloseAccount(input) => accounts::handle_close_account(scope, tx, input)
            .await
            .map(|()| Output::CloseAccount),
        Op::CreateOrganizationalUnit(input) => units::handle_create_unit(scope, tx, input)
            .await
            .map(Output::CreateOrganizationalUnit),
        Op::DescribeOrganizationalUnit(input) => units::handle_describe_unit(scope, tx, input)
            .await
            .map(Output::DescribeOrganizationalUnit),
        Op::UpdateOrganizationalUnit(input) => units::handle_update_unit(scope, tx, input)
            .await
            .map(Output::UpdateOrganizationalUnit),
        Op::DeleteOrganizationalUnit(input) => units::handle_delete_unit(scope, tx, input)
            .await
            .map(|()| Output::DeleteOrganizationalUnit),
        Op::ListOrganizationalUnitsForParent(input) => {
            units::handle_list_units_for_parent(scope, tx, input)
                .await
                .map(Output::ListOrganizationalUnitsForParent)
        }
        Op::ListChildren(input) => units::handle_list_children(scope, tx, input)
            .await
            .map(Output::ListChildren),
        Op::ListParents(input) => units::handle_list_parents(scope, tx, input)
            .await
            .map(Output::ListParents),
        Op::CreatePolicy(input) => policies::handle_create_policy(scope, tx, input)
            .await
            .map(Output::CreatePolicy),
        Op::DescribePolicy(input) => policies::handle_describe_policy(scope, tx, input)
            .await
            .map(Output::DescribePolicy),
        Op::UpdatePolicy(input) => policies::handle_update_policy(scope, tx, input)
            .await
            .map(Output::UpdatePolicy),
        Op::DeletePolicy(input) => policies::handle_delete_policy(scope, tx, input)
            .await
            .map(|()| Output::DeletePolicy),
        Op::ListPolicies(input) => policies::handle_list_policies(scope, tx, input)
            .await
            .map(Output::ListPolicies),
        Op::AttachPolicy(input) => policies::handle_attach_policy(scope, tx, input)
            .await
            .map(|()| Output::AttachPolicy),
        Op::DetachPolicy(input) => policies::handle_detach_policy(scope, tx, input)
            .await
            .map(|()| Output::DetachPolicy),
        Op::EnablePolicyType(input) => policies::handle_enable_policy_type(scope, tx, input)
            .await
            .map(Output::EnablePolicyType),
        Op::DisablePolicyType(input) => policies::handle_disable_policy_type(scope, tx, input)
            .await
            .map(Output::DisablePolicyType),
        Op::ListPoliciesForTarget(input) => {
            policies::handle_list_policies_for_target(scope, tx, input)
                .await
                .map(Output::ListPoliciesForTarget)
        }
        Op::ListTargetsForPolicy(input) => {
            policies::handle_list_targets_for_policy(scope, tx, input)
                .await
                .map(Output::ListTargetsForPolicy)
        }
        Op::InviteAccountToOrganization(input) => handshakes::handle_invite(scope, tx, input)
            .await
            .map(Output::InviteAccountToOrganization),
        Op::CancelHandshake(input) => handshakes::handle_cancel(scope, tx, input)
            .await
            .map(Output::CancelHandshake),
        Op::ListHandshakesForOrganization(input) => {
            handshakes::handle_list_for_organization(scope, tx, input)
                .await
                .map(Output::ListHandshakesForOrganization)
        }
        Op::EnableAWSServiceAccess(input) => service_access::handle_enable(scope, tx, input)
            .await
            .map(|()| Output::EnableAWSServiceAccess),
        Op::DisableAWSServiceAccess(input) => service_access::handle_disable(scope, tx, input)
            .await
            .map(|()| Output::DisableAWSServiceAccess),
        Op::ListAWSServiceAccessForOrganization(input) => {
            service_access::handle_list_access(scope, tx, input)
                .await
                .map(Output::ListAWSServiceAccessForOrganization)
        }
        Op::RegisterDelegatedAdministrator(input) => {
            service_access::handle_register(scope, tx, input)
                .await
                .map(|()| Output::RegisterDelegatedAdministrator)
        }
        Op::DeregisterDelegatedAdministrator(input) => {
            service_access::handle_deregister(scope, tx, input)
                .await
                .map(|()| Output::DeregisterDelegatedAdministrator)
        }
        Op::ListDelegatedAdministrators(input) => {
            service_access::handle_list_admins(scope, tx, input)
                .await
                .map(Output::ListDelegatedAdministrators)
        }
        Op::ListDelegatedServicesForAccount(input) => {
            service_access::handle_list_services(scope, tx, input)
                .await
                .map(Output::ListDelegatedServicesForAccount)
        }
        Op::PutResourcePolicy(input) => delegation::handle_put(scope, tx, input)
            .await
            .map(Output::PutResourcePolicy),
        Op::DescribeResourcePolicy => delegation::handle_describe(scope, tx)
            .await
            .map(Output::DescribeResourcePolicy),
        Op::DeleteResourcePolicy => delegation::handle_delete(scope, tx)
            .await
            .map(|()| Output::DeleteResourcePolicy),
        Op::EnableAllFeatures(_) => all_features::handle_enable_all_features(scope, tx)
            .await
            .map(Output::EnableAllFeatures),
        Op::DescribeEffectivePolicy(input) => {
            effective::handle_describe_effective_policy(scope, tx, input)
                .await
                .map(Output::DescribeEffectivePolicy)
        }
        Op::CreateGovCloudAccount(input) => accounts::handle_create_gov_cloud_account(scope, input)
            .map(Output::CreateGovCloudAccount),
        Op::ListAccountsWithInvalidEffectivePolicy(input) => {
            effective::handle_list_accounts_with_invalid_effective_policy(scope, tx, input)
                .await
                .map(Output::ListAccountsWithInvalidEffectivePolicy)
        }
        Op::ListEffectivePolicyValidationErrors(input) => {
            effective::handle_list_effective_policy_validation_errors(scope, tx, input)
                .await
                .map(Output::ListEffectivePolicyValidationErrors)
        }
        Op::InviteOrganizationToTransferResponsibility(input) => {
            transfers::handle_invite(scope, tx, input)
                .await
                .map(Output::InviteOrganizationToTransferResponsibility)
        }
        Op::DescribeResponsibilityTransfer(input) => transfers::handle_describe(scope, tx, input)
            .await
            .map(Output::DescribeResponsibilityTransfer),
        Op::ListInboundResponsibilityTransfers(input) => {
            transfers::handle_list_inbound(scope, tx, input)
                .await
                .map(Output::ListInboundResponsibilityTransfers)
        }
        Op::ListOutboundResponsibilityTransfers(input) => {
            transfers::handle_list_outbound(scope, tx, input)
                .await
                .map(Output::ListOutboundResponsibilityTransfers)
        }
        Op::UpdateResponsibilityTransfer(input) => transfers::handle_update(scope, tx, input)
            .await
            .map(Output::UpdateResponsibilityTransfer),
        Op::TerminateResponsibilityTransfer(input) => transfers::handle_terminate(scope, tx, input)
            .await
            .map(Output::TerminateResponsibilityTransfer),
        Op::TagResource(input) => tags::handle_tag_resource(scope, tx, input)
            .await
            .map(|()| Output::TagResource),
        Op::UntagResource(input) => tags::handle_untag_resource(scope, tx, input)
            .await
            .map(|()| Output::UntagResource),
        Op::ListTagsForResource(input) => tags::handle_list_tags_for_resource(scope, tx, input)
            .await
            .map(Output::ListTagsForResource),
        // Served before an organization is looked for (see `call`).
        other @ (Op::AcceptHandshake(_)
        | Op::DeclineHandshake(_)
        | Op::DescribeHandshake(_)
        | Op::ListHandshakesForAccount(_)) => Err(ServiceError::not_implemented(other.name())),
    }
}

/// Where the caller must stand for an operation to make sense.
enum Standing {
    /// Any account (creating an organization; refused later if it has one).
    Nothing,
    /// Any account of an organization.
    Organization,
    /// The organization's management account.
    Management,
}

fn standing(operation: &Operation) -> Standing {
    match operation {
        Operation::CreateOrganization(_)
        | Operation::AcceptHandshake(_)
        | Operation::DeclineHandshake(_)
        | Operation::DescribeHandshake(_)
        | Operation::ListHandshakesForAccount(_) => Standing::Nothing,
        Operation::DescribeOrganization
        | Operation::LeaveOrganization
        | Operation::DescribeEffectivePolicy(_) => Standing::Organization,
        _ => Standing::Management,
    }
}

/// The actions and resources an operation needs, as AWS's Service Authorization
/// Reference lists them; `*` where it names no resource type.
async fn access(
    tx: &mut Tx,
    context: &RequestContext,
    org: Option<&OrganizationRecord>,
    operation: &Operation,
) -> Result<Vec<Access>, ServiceError> {
    let action = operation.action();
    let Some(org) = org else {
        return Ok(vec![Access::new(action, "*")]);
    };
    let partition = context.principal.partition;
    let (mgmt, org_id) = (org.management_account_id.as_str(), org.org_id.as_str());
    let target = |id: &str| ids::target_arn(partition, mgmt, org_id, id);
    // The policy an operation names, if any, decides the policy ARN (it carries the type).
    let policy_id = match operation {
        Operation::DescribePolicy(input) => Some(&input.policy_id),
        Operation::UpdatePolicy(input) => Some(&input.policy_id),
        Operation::DeletePolicy(input) => Some(&input.policy_id),
        Operation::ListTargetsForPolicy(input) => Some(&input.policy_id),
        Operation::AttachPolicy(input) => Some(&input.policy_id),
        Operation::DetachPolicy(input) => Some(&input.policy_id),
        Operation::TagResource(input) => Some(&input.resource_id),
        Operation::UntagResource(input) => Some(&input.resource_id),
        Operation::ListTagsForResource(input) => Some(&input.resource_id),
        _ => None,
    }
    .filter(|id| id.starts_with("p-"));
    let policy = match policy_id {
        Some(id) => {
            let found = tx.org_policy(org_id, id).await?;
            match found {
                // FIXME: AWS-managed policies live in the `aws` account
                // (`arn:aws:organizations::aws:policy/…`); today's authorizer treats that
                // as another account's resource, so they are authorized as `*` until the
                // policy engine knows better.
                Some(record) if record.aws_managed => "*".to_owned(),
                Some(record) => {
                    ids::policy_arn(partition, mgmt, org_id, &record.policy_type, id, false)
                }
                None => {
                    ids::policy_arn(partition, mgmt, org_id, "SERVICE_CONTROL_POLICY", id, false)
                }
            }
        }
        None => "*".to_owned(),
    };
    // A responsibility transfer the operation names, as the caller's side sees it.
    let transfer_id = match operation {
        Operation::DescribeResponsibilityTransfer(input) => Some(&input.id),
        Operation::UpdateResponsibilityTransfer(input) => Some(&input.id),
        Operation::TerminateResponsibilityTransfer(input) => Some(&input.id),
        Operation::TagResource(input) => Some(&input.resource_id),
        Operation::UntagResource(input) => Some(&input.resource_id),
        Operation::ListTagsForResource(input) => Some(&input.resource_id),
        _ => None,
    }
    .filter(|id| id.starts_with("rt-"));
    let transfer = match transfer_id {
        Some(id) => transfers::arn_for(tx, partition, org, id)
            .await?
            .unwrap_or_else(|| "*".to_owned()),
        None => "*".to_owned(),
    };
    let tagged = |id: &str| {
        if id.starts_with("p-") {
            policy.clone()
        } else if id.starts_with("rt-") {
            transfer.clone()
        } else {
            target(id)
        }
    };
    let resources: Vec<String> = match operation {
        Operation::DescribeAccount(input) => vec![target(&input.account_id)],
        Operation::CloseAccount(input) => vec![target(&input.account_id)],
        Operation::RemoveAccountFromOrganization(input) => vec![target(&input.account_id)],
        Operation::RegisterDelegatedAdministrator(input) => vec![target(&input.account_id)],
        Operation::DeregisterDelegatedAdministrator(input) => vec![target(&input.account_id)],
        Operation::ListDelegatedServicesForAccount(input) => vec![target(&input.account_id)],
        Operation::MoveAccount(input) => vec![
            target(&input.account_id),
            target(&input.source_parent_id),
            target(&input.destination_parent_id),
        ],
        Operation::CreateOrganizationalUnit(input) => vec![target(&input.parent_id)],
        Operation::DescribeOrganizationalUnit(input) => {
            vec![target(&input.organizational_unit_id)]
        }
        Operation::UpdateOrganizationalUnit(input) => vec![target(&input.organizational_unit_id)],
        Operation::DeleteOrganizationalUnit(input) => vec![target(&input.organizational_unit_id)],
        Operation::ListOrganizationalUnitsForParent(input) => vec![target(&input.parent_id)],
        Operation::ListAccountsForParent(input) => vec![target(&input.parent_id)],
        Operation::ListChildren(input) => vec![target(&input.parent_id)],
        Operation::ListParents(input) => vec![target(&input.child_id)],
        Operation::ListPoliciesForTarget(input) => vec![target(&input.target_id)],
        // An account asking about itself acts on its own account ('*', as for
        // DescribeOrganization): the account's ARN belongs to the management account.
        Operation::DescribeEffectivePolicy(input) => match input.target_id.as_deref() {
            Some(id) if id != context.principal.account.to_string() => vec![target(id)],
            _ => vec!["*".to_owned()],
        },
        Operation::EnablePolicyType(input) => vec![target(&input.root_id)],
        Operation::DisablePolicyType(input) => vec![target(&input.root_id)],
        Operation::DescribePolicy(_)
        | Operation::UpdatePolicy(_)
        | Operation::DeletePolicy(_)
        | Operation::ListTargetsForPolicy(_) => vec![policy.clone()],
        Operation::AttachPolicy(input) => vec![policy.clone(), target(&input.target_id)],
        Operation::DetachPolicy(input) => vec![policy.clone(), target(&input.target_id)],
        Operation::TagResource(input) => vec![tagged(&input.resource_id)],
        Operation::UntagResource(input) => vec![tagged(&input.resource_id)],
        Operation::ListTagsForResource(input) => vec![tagged(&input.resource_id)],
        Operation::ListEffectivePolicyValidationErrors(input) => vec![target(&input.account_id)],
        Operation::DescribeResponsibilityTransfer(_)
        | Operation::UpdateResponsibilityTransfer(_)
        | Operation::TerminateResponsibilityTransfer(_) => vec![transfer.clone()],
        _ => vec!["*".to_owned()],
    };
    let mut needed: Vec<Access> = resources
        .into_iter()
        .map(|resource| Access::new(action, resource))
        .collect();
    // Tags given at creation need the right to tag as well.
    if let Operation::CreateGovCloudAccount(input) = operation {
        if input.tags.as_ref().is_some_and(|tags| !tags.is_empty()) {
            needed.push(Access::new("organizations:TagResource", "*"));
        }
    }
    Ok(needed)
}

/// `AWSOrganizationsNotInUseException`: the caller's account belongs to no organization.
fn not_in_use() -> ServiceError {
    errors::aws_organizations_not_in_use_exception(
        "Your account is not a member of an organization.",
    )
}

/// AWS's answer to a member account calling a management-only operation.
fn access_denied() -> ServiceError {
    errors::access_denied_exception("You don't have permissions to access this resource.")
}

/// The authorizer speaks IAM's `AccessDenied`; Organizations calls it `AccessDeniedException`.
fn as_access_denied_exception(error: ServiceError) -> ServiceError {
    if error.code == "AccessDenied" {
        errors::access_denied_exception(error.message)
    } else {
        error
    }
}

/// `ConstraintViolationException` with its `Reason`.
fn constraint(reason: &'static str, message: &str) -> ServiceError {
    errors::constraint_violation_exception(message).with_member("Reason", reason)
}

/// `InvalidInputException` with its `Reason`.
fn invalid_input(reason: &'static str, message: &str) -> ServiceError {
    errors::invalid_input_exception(message).with_member("Reason", reason)
}

/// Tags from the wire, refusing duplicate keys and more than AWS's 50.
fn tags_from_wire(
    tags: Option<Vec<wire::organizations::Tag>>,
) -> Result<Vec<(String, String)>, ServiceError> {
    let tags = tags.unwrap_or_default();
    let mut seen = std::collections::HashSet::new();
    for tag in &tags {
        if !seen.insert(tag.key.as_str()) {
            return Err(invalid_input(
                "DUPLICATE_TAG_KEY",
                "You can't have duplicate keys in your tags.",
            ));
        }
    }
    if tags.len() > tags::MAX_TAGS {
        return Err(constraint(
            "MAX_TAG_LIMIT_EXCEEDED",
            "You have exceeded the maximum number of tags allowed on this resource.",
        ));
    }
    Ok(tags.into_iter().map(|tag| (tag.key, tag.value)).collect())
}
