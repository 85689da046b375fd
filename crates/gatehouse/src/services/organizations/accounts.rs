//! Member accounts: `CreateAccount` and its status, describing and listing accounts,
//! moving, removing and closing them.
//!
//! `CreateAccount` is asynchronous in AWS. Gatehouse does the work inside the request's
//! transaction and records the outcome, but answers `IN_PROGRESS` the way AWS does; the
//! next `DescribeCreateAccountStatus` reports `SUCCEEDED` (or `FAILED` with its reason).

use wire::organizations::{
    errors, Account, AccountJoinedMethod, AccountState, AccountStatus, CloseAccountRequest,
    CreateAccountFailureReason, CreateAccountRequest, CreateAccountResponse, CreateAccountState,
    CreateAccountStatus, CreateGovCloudAccountRequest, CreateGovCloudAccountResponse,
    DescribeAccountRequest, DescribeAccountResponse, DescribeCreateAccountStatusRequest,
    DescribeCreateAccountStatusResponse, ListAccountsForParentRequest,
    ListAccountsForParentResponse, ListAccountsRequest, ListAccountsResponse,
    ListCreateAccountStatusRequest, ListCreateAccountStatusResponse, MoveAccountRequest,
    RemoveAccountFromOrganizationRequest,
};
use wire::ServiceError;

use crate::model::AccountId;
use crate::store::{
    from_millis, now_millis, AccountRecord, CreateAccountRequestRecord, MemberRecord, OwnerKind,
    RoleRecord, StoreError, Tx,
};

use super::{constraint, organization, pagination, policies, tags_from_wire, OrgScope};

/// The role `CreateAccount` creates in a new account when `RoleName` is omitted.
const DEFAULT_ACCESS_ROLE: &str = "OrganizationAccountAccessRole";

pub(super) async fn handle_create_account(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: CreateAccountRequest,
) -> Result<CreateAccountResponse, ServiceError> {
    let tags = tags_from_wire(input.tags)?;
    let now = now_millis();
    let mut request = CreateAccountRequestRecord {
        org_id: scope.org_id().to_owned(),
        request_id: crate::model::organizations::create_account_request_id(),
        account_name: input.account_name.clone(),
        state: "SUCCEEDED".to_owned(),
        failure_reason: None,
        account_id: None,
        requested_at: now,
        completed_at: Some(now),
    };
    let members = tx.members(scope.org_id(), None).await?;
    let limit = organization::account_limit(scope, tx).await?;
    let taken = tx.account_by_email(&input.email).await?;
    if taken.is_some() {
        request.state = "FAILED".to_owned();
        request.failure_reason = Some("EMAIL_ALREADY_EXISTS".to_owned());
    } else if members.len() >= limit {
        request.state = "FAILED".to_owned();
        request.failure_reason = Some("ACCOUNT_LIMIT_EXCEEDED".to_owned());
    } else {
        let account_id =
            insert_new_account(scope, tx, &input.account_name, &input.email, now).await?;
        let role_name = input
            .role_name
            .clone()
            .unwrap_or_else(|| DEFAULT_ACCESS_ROLE.to_owned());
        create_access_role(scope, tx, &account_id, &role_name, now).await?;
        tx.insert_member(&MemberRecord {
            org_id: scope.org_id().to_owned(),
            account_id: account_id.clone(),
            parent_id: scope.org.root_id.clone(),
            joined_method: "CREATED".to_owned(),
            joined_at: now,
            access_role_name: Some(
                input
                    .role_name
                    .clone()
                    .unwrap_or_else(|| DEFAULT_ACCESS_ROLE.to_owned()),
            ),
        })
        .await?;
        if !tags.is_empty() {
            tx.put_org_tags(scope.org_id(), &account_id, &tags).await?;
        }
        policies::attach_defaults(scope, tx, &account_id).await?;
        request.account_id = Some(account_id);
    }
    tx.insert_create_account_request(&request).await?;
    // AWS answers before the work is done: the caller sees the request in progress.
    Ok(CreateAccountResponse {
        create_account_status: Some(CreateAccountStatus {
            id: Some(request.request_id),
            account_name: Some(request.account_name),
            state: Some(CreateAccountState::InProgress),
            requested_timestamp: Some(from_millis(now)),
            ..CreateAccountStatus::default()
        }),
    })
}

/// `CreateGovCloudAccount`: AWS creates a pair, a member account here and a standalone
/// account in the `aws-us-gov` partition, and only for a management account that already
/// has an associated GovCloud account. Gatehouse keeps no such association (no account
/// of a deployment is paired with an account of another partition), so once the input
/// is valid the request is refused as AWS refuses an unpaired management account; in a
/// partition other than `aws` the operation does not exist, as in AWS's GovCloud and
/// China Regions. Nothing is created either way.
pub(super) fn handle_create_gov_cloud_account(
    scope: &OrgScope<'_>,
    input: CreateGovCloudAccountRequest,
) -> Result<CreateGovCloudAccountResponse, ServiceError> {
    tags_from_wire(input.tags)?;
    if input
        .role_name
        .as_deref()
        .is_some_and(|name| name.starts_with("AWSServiceRoleFor"))
    {
        return Err(super::invalid_input(
            "INVALID_ROLE_NAME",
            "You provided a role name that isn't valid. A role name can't begin with the reserved prefix AWSServiceRoleFor.",
        ));
    }
    if let Some(wire::organizations::IAMUserAccessToBilling::Unknown(_)) =
        &input.iam_user_access_to_billing
    {
        return Err(super::invalid_input(
            "INVALID_ENUM",
            "You specified an invalid value.",
        ));
    }
    if scope.partition() != crate::model::Partition::AWS {
        return Err(errors::unsupported_api_endpoint_exception(
            "This action isn't available in the current Region.",
        ));
    }
    // The management account has no associated GovCloud account, and cannot get one.
    Err(constraint(
        "MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED",
        "To complete this operation, the management account must have an associated account in the AWS GovCloud (US-West) Region.",
    ))
}

/// Creates the role the management account uses to administer a new member account, as
/// AWS does: trusted by the management account, with `AdministratorAccess` attached.
async fn create_access_role(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    account_id: &str,
    role_name: &str,
    now: i64,
) -> Result<(), ServiceError> {
    let partition = scope.partition();
    let management = &scope.org.management_account_id;
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:{partition}:iam::{management}:root"}},"Action":"sts:AssumeRole"}}]}}"#
    );
    tx.insert_role(&RoleRecord {
        account_id: account_id.to_owned(),
        role_name: role_name.to_owned(),
        role_id: crate::model::ids::unique_id(crate::model::IdPrefix::Role),
        path: "/".to_owned(),
        trust_policy: trust,
        description: None,
        max_session_duration: 3600,
        permissions_boundary: None,
        tags: Vec::new(),
        created_at: now,
    })
    .await?;
    let admin = crate::model::aws_managed::ALL
        .iter()
        .find(|policy| policy.name == "AdministratorAccess")
        .map(|policy| policy.arn(partition))
        .unwrap_or_default();
    tx.attach_policy(account_id, OwnerKind::Role, role_name, &admin)
        .await
        .map_err(Into::into)
}

/// Inserts an account row with a fresh id (retrying the rare collision).
async fn insert_new_account(
    _scope: &OrgScope<'_>,
    tx: &mut Tx,
    name: &str,
    email: &str,
    now: i64,
) -> Result<String, ServiceError> {
    for _ in 0..8 {
        let record = AccountRecord {
            account_id: AccountId::random().to_string(),
            name: name.to_owned(),
            email: email.to_owned(),
            status: "ACTIVE".to_owned(),
            created_at: now,
        };
        match tx.account(&record.account_id).await {
            Ok(Some(_)) => continue,
            Ok(None) => {}
            Err(err) => return Err(err.into()),
        }
        match tx.insert_account(&record).await {
            Ok(()) => return Ok(record.account_id),
            Err(StoreError::Duplicate) => continue,
            Err(err) => return Err(err.into()),
        }
    }
    Err(crate::app::internal(
        "no free account id after eight attempts",
    ))
}

pub(super) async fn handle_describe_create_account_status(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: DescribeCreateAccountStatusRequest,
) -> Result<DescribeCreateAccountStatusResponse, ServiceError> {
    let request = tx
        .create_account_request(scope.org_id(), &input.create_account_request_id)
        .await?
        .ok_or_else(|| {
            errors::create_account_status_not_found_exception(
                "We can't find an create account request with the CreateAccountRequestId that you specified.",
            )
        })?;
    Ok(DescribeCreateAccountStatusResponse {
        create_account_status: Some(status_to_wire(&request)),
    })
}

pub(super) async fn handle_list_create_account_status(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: ListCreateAccountStatusRequest,
) -> Result<ListCreateAccountStatusResponse, ServiceError> {
    let states = input.states.unwrap_or_default();
    let requests: Vec<_> = tx
        .create_account_requests(scope.org_id())
        .await?
        .into_iter()
        .filter(|request| {
            states.is_empty() || states.iter().any(|state| state.as_str() == request.state)
        })
        .collect();
    let (page, next_token) =
        pagination::page(requests, input.next_token.as_deref(), input.max_results)?;
    Ok(ListCreateAccountStatusResponse {
        create_account_statuses: Some(page.iter().map(status_to_wire).collect()),
        next_token,
    })
}

pub(super) async fn handle_describe_account(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: DescribeAccountRequest,
) -> Result<DescribeAccountResponse, ServiceError> {
    let (member, account) = find_member(scope, tx, &input.account_id).await?;
    Ok(DescribeAccountResponse {
        account: Some(account_to_wire(scope, &member, &account)),
    })
}

pub(super) async fn handle_list_accounts(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: ListAccountsRequest,
) -> Result<ListAccountsResponse, ServiceError> {
    let members = tx.members(scope.org_id(), None).await?;
    let (page, next_token) =
        pagination::page(members, input.next_token.as_deref(), input.max_results)?;
    Ok(ListAccountsResponse {
        accounts: Some(
            page.iter()
                .map(|(member, account)| account_to_wire(scope, member, account))
                .collect(),
        ),
        next_token,
    })
}

pub(super) async fn handle_list_accounts_for_parent(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: ListAccountsForParentRequest,
) -> Result<ListAccountsForParentResponse, ServiceError> {
    super::units::find_parent(scope, tx, &input.parent_id).await?;
    let members = tx.members(scope.org_id(), Some(&input.parent_id)).await?;
    let (page, next_token) =
        pagination::page(members, input.next_token.as_deref(), input.max_results)?;
    Ok(ListAccountsForParentResponse {
        accounts: Some(
            page.iter()
                .map(|(member, account)| account_to_wire(scope, member, account))
                .collect(),
        ),
        next_token,
    })
}

pub(super) async fn handle_move_account(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: MoveAccountRequest,
) -> Result<(), ServiceError> {
    let (member, _) = find_member(scope, tx, &input.account_id).await?;
    let source = tx.unit(scope.org_id(), &input.source_parent_id).await?;
    if source.is_none() {
        return Err(errors::source_parent_not_found_exception(
            "We can't find a source root or OU with the ParentId that you specified.",
        ));
    }
    let destination = tx
        .unit(scope.org_id(), &input.destination_parent_id)
        .await?;
    if destination.is_none() {
        return Err(errors::destination_parent_not_found_exception(
            "We can't find a destination root or OU with the ParentId that you specified.",
        ));
    }
    if member.parent_id == input.destination_parent_id {
        return Err(errors::duplicate_account_exception(
            "That account is already present in the specified destination.",
        ));
    }
    if member.parent_id != input.source_parent_id {
        return Err(errors::source_parent_not_found_exception(
            "We can't find a source root or OU with the ParentId that you specified.",
        ));
    }
    tx.move_member(
        scope.org_id(),
        &input.account_id,
        &input.destination_parent_id,
    )
    .await
    .map_err(Into::into)
}

pub(super) async fn handle_remove_account(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: RemoveAccountFromOrganizationRequest,
) -> Result<(), ServiceError> {
    find_member(scope, tx, &input.account_id).await?;
    if input.account_id == scope.management() {
        return Err(errors::master_cannot_leave_organization_exception(
            "You can't remove a management account from an organization. If you want the management account to become a member account in another organization, you must first delete the current organization of the management account.",
        ));
    }
    tx.delete_member(scope.org_id(), &input.account_id)
        .await
        .map_err(Into::into)
}

pub(super) async fn handle_close_account(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: CloseAccountRequest,
) -> Result<(), ServiceError> {
    let (_, account) = find_member(scope, tx, &input.account_id).await?;
    if input.account_id == scope.management() {
        return Err(constraint(
            "CANNOT_CLOSE_MANAGEMENT_ACCOUNT",
            "You can't close the management account with this operation.",
        ));
    }
    if account.status != "ACTIVE" {
        return Err(errors::account_already_closed_exception(
            "You provided an account that is already closed.",
        ));
    }
    tx.set_account_status(&input.account_id, "SUSPENDED")
        .await
        .map_err(Into::into)
}

/// A member of the caller's organization, or AWS's `AccountNotFoundException`.
pub(super) async fn find_member(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    account_id: &str,
) -> Result<(MemberRecord, AccountRecord), ServiceError> {
    tx.member(scope.org_id(), account_id).await?.ok_or_else(|| {
        errors::account_not_found_exception("You specified an account that doesn't exist.")
    })
}

/// An account as Organizations reports it.
pub(super) fn account_to_wire(
    scope: &OrgScope<'_>,
    member: &MemberRecord,
    account: &AccountRecord,
) -> Account {
    Account {
        id: Some(account.account_id.clone()),
        arn: Some(scope.target_arn(&account.account_id)),
        email: Some(account.email.clone()),
        name: Some(account.name.clone()),
        status: Some(AccountStatus::from(account.status.as_str())),
        state: Some(AccountState::from(account.status.as_str())),
        paths: None,
        joined_method: Some(AccountJoinedMethod::from(member.joined_method.as_str())),
        joined_timestamp: Some(from_millis(member.joined_at)),
    }
}

fn status_to_wire(request: &CreateAccountRequestRecord) -> CreateAccountStatus {
    CreateAccountStatus {
        id: Some(request.request_id.clone()),
        account_name: Some(request.account_name.clone()),
        state: Some(CreateAccountState::from(request.state.as_str())),
        requested_timestamp: Some(from_millis(request.requested_at)),
        completed_timestamp: request.completed_at.map(from_millis),
        account_id: request.account_id.clone(),
        gov_cloud_account_id: None,
        failure_reason: request
            .failure_reason
            .as_deref()
            .map(CreateAccountFailureReason::from),
    }
}
