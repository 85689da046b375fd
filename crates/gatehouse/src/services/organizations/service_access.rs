//! Trusted access for AWS services and delegated administrators: which services may act
//! in the organization, and which member accounts administer them.

use wire::organizations::{
    errors, DelegatedAdministrator, DelegatedService, DeregisterDelegatedAdministratorRequest,
    DisableAWSServiceAccessRequest, EnableAWSServiceAccessRequest, EnabledServicePrincipal,
    ListAWSServiceAccessForOrganizationRequest, ListAWSServiceAccessForOrganizationResponse,
    ListDelegatedAdministratorsRequest, ListDelegatedAdministratorsResponse,
    ListDelegatedServicesForAccountRequest, ListDelegatedServicesForAccountResponse,
    RegisterDelegatedAdministratorRequest,
};
use wire::ServiceError;

use crate::store::{from_millis, now_millis, StoreError, Tx};

use super::{accounts, constraint, pagination, OrgScope};

pub(super) async fn handle_enable(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: EnableAWSServiceAccessRequest,
) -> Result<(), ServiceError> {
    if scope.org.feature_set != "ALL" {
        return Err(constraint(
            "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE",
            "You attempted to perform an operation that requires the organization to be configured to support all features.",
        ));
    }
    tx.enable_service_access(scope.org_id(), &input.service_principal, now_millis())
        .await
        .map_err(Into::into)
}

pub(super) async fn handle_disable(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: DisableAWSServiceAccessRequest,
) -> Result<(), ServiceError> {
    tx.disable_service_access(scope.org_id(), &input.service_principal)
        .await
        .map_err(Into::into)
}

pub(super) async fn handle_list_access(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: ListAWSServiceAccessForOrganizationRequest,
) -> Result<ListAWSServiceAccessForOrganizationResponse, ServiceError> {
    let enabled = tx.service_access(scope.org_id()).await?;
    let (page, next_token) =
        pagination::page(enabled, input.next_token.as_deref(), input.max_results)?;
    Ok(ListAWSServiceAccessForOrganizationResponse {
        enabled_service_principals: Some(
            page.into_iter()
                .map(|(principal, at)| EnabledServicePrincipal {
                    service_principal: Some(principal),
                    date_enabled: Some(from_millis(at)),
                })
                .collect(),
        ),
        next_token,
    })
}

pub(super) async fn handle_register(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: RegisterDelegatedAdministratorRequest,
) -> Result<(), ServiceError> {
    let (_, account) = accounts::find_member(scope, tx, &input.account_id).await?;
    if input.account_id == scope.management() {
        return Err(constraint(
            "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR",
            "You can't register the management account of your organization as a delegated administrator for an AWS service.",
        ));
    }
    if account.status != "ACTIVE" {
        return Err(constraint(
            "CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR",
            "You can't register a suspended account as a delegated administrator.",
        ));
    }
    let enabled = tx.service_access(scope.org_id()).await?;
    if !enabled
        .iter()
        .any(|(principal, _)| *principal == input.service_principal)
    {
        return Err(constraint(
            "SERVICE_ACCESS_NOT_ENABLED",
            "You attempted to register a delegated administrator for a service that hasn't enabled trusted access.",
        ));
    }
    match tx
        .register_delegated_admin(
            scope.org_id(),
            &input.account_id,
            &input.service_principal,
            now_millis(),
        )
        .await
    {
        Ok(()) => Ok(()),
        Err(StoreError::Duplicate) => Err(errors::account_already_registered_exception(
            "The provided account is already a delegated administrator for your organization.",
        )),
        Err(err) => Err(err.into()),
    }
}

pub(super) async fn handle_deregister(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: DeregisterDelegatedAdministratorRequest,
) -> Result<(), ServiceError> {
    accounts::find_member(scope, tx, &input.account_id).await?;
    let removed = tx
        .deregister_delegated_admin(scope.org_id(), &input.account_id, &input.service_principal)
        .await?;
    if removed {
        Ok(())
    } else {
        Err(not_registered())
    }
}

pub(super) async fn handle_list_admins(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: ListDelegatedAdministratorsRequest,
) -> Result<ListDelegatedAdministratorsResponse, ServiceError> {
    let registrations = tx.delegated_admins(scope.org_id()).await?;
    // One entry per account, dated by its first registration for the services asked about.
    let mut admins: Vec<(String, i64)> = Vec::new();
    for (account, principal, at) in registrations {
        if input
            .service_principal
            .as_ref()
            .is_some_and(|wanted| *wanted != principal)
        {
            continue;
        }
        match admins.iter_mut().find(|(seen, _)| *seen == account) {
            Some((_, first)) => *first = (*first).min(at),
            None => admins.push((account, at)),
        }
    }
    let (page, next_token) =
        pagination::page(admins, input.next_token.as_deref(), input.max_results)?;
    let mut delegated = Vec::with_capacity(page.len());
    for (account_id, since) in page {
        let (member, account) = accounts::find_member(scope, tx, &account_id).await?;
        let listed = accounts::account_to_wire(scope, &member, &account);
        delegated.push(DelegatedAdministrator {
            id: listed.id,
            arn: listed.arn,
            email: listed.email,
            name: listed.name,
            status: listed.status,
            state: listed.state,
            joined_method: listed.joined_method,
            joined_timestamp: listed.joined_timestamp,
            delegation_enabled_date: Some(from_millis(since)),
        });
    }
    Ok(ListDelegatedAdministratorsResponse {
        delegated_administrators: Some(delegated),
        next_token,
    })
}

pub(super) async fn handle_list_services(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: ListDelegatedServicesForAccountRequest,
) -> Result<ListDelegatedServicesForAccountResponse, ServiceError> {
    accounts::find_member(scope, tx, &input.account_id).await?;
    let services: Vec<(String, i64)> = tx
        .delegated_admins(scope.org_id())
        .await?
        .into_iter()
        .filter(|(account, _, _)| *account == input.account_id)
        .map(|(_, principal, at)| (principal, at))
        .collect();
    if services.is_empty() {
        return Err(not_registered());
    }
    let (page, next_token) =
        pagination::page(services, input.next_token.as_deref(), input.max_results)?;
    Ok(ListDelegatedServicesForAccountResponse {
        delegated_services: Some(
            page.into_iter()
                .map(|(principal, at)| DelegatedService {
                    service_principal: Some(principal),
                    delegation_enabled_date: Some(from_millis(at)),
                })
                .collect(),
        ),
        next_token,
    })
}

fn not_registered() -> ServiceError {
    errors::account_not_registered_exception(
        "The provided account is not a registered delegated administrator for your organization.",
    )
}
