//! Which handler runs each IAM operation on the account (alias, password policy, summary, STS preferences), reports, the simulator, organization features, delegation requests and outbound federation.

use wire::iam::*;
use wire::ServiceError;

use super::super::{
    account_alias, account_summary, credential_report, delegation_requests, human_readable_summary,
    last_accessed, org_access_report, org_features, outbound_federation, password_policy, reports,
    service_access, simulator,
};
use super::Routed;
use crate::app::App;
use crate::request::RequestContext;
use crate::store::Tx;

/// Runs the operation when it is one of this topic's; hands it back otherwise.
pub(super) async fn dispatch(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    operation: Operation,
) -> Result<Routed, ServiceError> {
    Ok(Routed::Done(match operation {
        Operation::UpdateAccountPasswordPolicy(input) => {
            password_policy::handle_update(tx, context, &input).await?;
            Output::UpdateAccountPasswordPolicy
        }
        Operation::GetAccountPasswordPolicy => {
            Output::GetAccountPasswordPolicy(password_policy::handle_get(tx, context).await?)
        }
        Operation::DeleteAccountPasswordPolicy => {
            password_policy::handle_delete(tx, context).await?;
            Output::DeleteAccountPasswordPolicy
        }
        // Virtual MFA devices.
        Operation::GetAccountSummary => {
            Output::GetAccountSummary(account_summary::handle(tx, context).await?)
        }
        Operation::GenerateCredentialReport => {
            Output::GenerateCredentialReport(credential_report::handle_generate(tx, context).await?)
        }
        Operation::GetCredentialReport => {
            Output::GetCredentialReport(credential_report::handle_get(tx, context).await?)
        }
        // Identity providers.
        Operation::CreateAccountAlias(input) => {
            account_alias::handle_create(tx, context, &input.account_alias).await?;
            Output::CreateAccountAlias
        }
        Operation::DeleteAccountAlias(input) => {
            account_alias::handle_delete(tx, context, &input.account_alias).await?;
            Output::DeleteAccountAlias
        }
        Operation::ListAccountAliases(_) => {
            Output::ListAccountAliases(account_alias::handle_list(tx, context).await?)
        }
        // Tags on users and customer managed policies.
        Operation::SimulatePrincipalPolicy(input) => Output::SimulatePrincipalPolicy(
            simulator::handle_simulate_principal_policy(app, tx, context, input).await?,
        ),
        Operation::SimulateCustomPolicy(input) => {
            Output::SimulateCustomPolicy(simulator::handle_simulate_custom_policy(context, input)?)
        }
        Operation::GetContextKeysForPrincipalPolicy(input) => {
            Output::GetContextKeysForPrincipalPolicy(
                simulator::handle_get_context_keys_for_principal_policy(tx, context, input).await?,
            )
        }
        Operation::GetContextKeysForCustomPolicy(input) => Output::GetContextKeysForCustomPolicy(
            simulator::handle_get_context_keys_for_custom_policy(input)?,
        ),
        Operation::EnableOrganizationsRootCredentialsManagement(_) => {
            let (id, features) =
                org_features::handle_set(tx, context, FeatureType::RootCredentialsManagement, true)
                    .await?;
            Output::EnableOrganizationsRootCredentialsManagement(
                EnableOrganizationsRootCredentialsManagementResponse {
                    organization_id: Some(id),
                    enabled_features: Some(features),
                },
            )
        }
        Operation::DisableOrganizationsRootCredentialsManagement(_) => {
            let (id, features) = org_features::handle_set(
                tx,
                context,
                FeatureType::RootCredentialsManagement,
                false,
            )
            .await?;
            Output::DisableOrganizationsRootCredentialsManagement(
                DisableOrganizationsRootCredentialsManagementResponse {
                    organization_id: Some(id),
                    enabled_features: Some(features),
                },
            )
        }
        Operation::EnableOrganizationsRootSessions(_) => {
            let (id, features) =
                org_features::handle_set(tx, context, FeatureType::RootSessions, true).await?;
            Output::EnableOrganizationsRootSessions(EnableOrganizationsRootSessionsResponse {
                organization_id: Some(id),
                enabled_features: Some(features),
            })
        }
        Operation::DisableOrganizationsRootSessions(_) => {
            let (id, features) =
                org_features::handle_set(tx, context, FeatureType::RootSessions, false).await?;
            Output::DisableOrganizationsRootSessions(DisableOrganizationsRootSessionsResponse {
                organization_id: Some(id),
                enabled_features: Some(features),
            })
        }
        Operation::SetSecurityTokenServicePreferences(input) => {
            let version = match input.global_endpoint_token_version {
                GlobalEndpointTokenVersion::V1Token => 1,
                GlobalEndpointTokenVersion::V2Token => 2,
                GlobalEndpointTokenVersion::Unknown(other) => {
                    return Err(errors::invalid_input(format!(
                        "GlobalEndpointTokenVersion must be v1Token or v2Token, not {other}."
                    )))
                }
            };
            tx.set_sts_token_version(&context.principal.account.to_string(), version)
                .await?;
            Output::SetSecurityTokenServicePreferences
        }
        Operation::ListOrganizationsFeatures(_) => {
            let (id, features) = org_features::handle_list(tx, context).await?;
            Output::ListOrganizationsFeatures(ListOrganizationsFeaturesResponse {
                organization_id: Some(id),
                enabled_features: Some(features),
            })
        }
        Operation::ListPoliciesGrantingServiceAccess(input) => {
            Output::ListPoliciesGrantingServiceAccess(
                service_access::handle(tx, context, input).await?,
            )
        }
        Operation::ListEntitiesForPolicy(input) => Output::ListEntitiesForPolicy(
            reports::handle_list_entities_for_policy(tx, context, input).await?,
        ),
        Operation::GetAccountAuthorizationDetails(input) => Output::GetAccountAuthorizationDetails(
            reports::handle_get_account_authorization_details(app, tx, context, input).await?,
        ),
        // Server certificates.
        Operation::GenerateServiceLastAccessedDetails(input) => {
            Output::GenerateServiceLastAccessedDetails(
                last_accessed::handle_generate(tx, context, input).await?,
            )
        }
        Operation::GetServiceLastAccessedDetails(input) => Output::GetServiceLastAccessedDetails(
            last_accessed::handle_get(tx, context, input).await?,
        ),
        Operation::GetServiceLastAccessedDetailsWithEntities(input) => {
            Output::GetServiceLastAccessedDetailsWithEntities(
                last_accessed::handle_get_with_entities(tx, context, input).await?,
            )
        }
        Operation::GenerateOrganizationsAccessReport(input) => {
            Output::GenerateOrganizationsAccessReport(
                org_access_report::handle_generate(tx, context, input).await?,
            )
        }
        Operation::GetOrganizationsAccessReport(input) => Output::GetOrganizationsAccessReport(
            org_access_report::handle_get(tx, context, input).await?,
        ),
        // Delegation requests.
        Operation::CreateDelegationRequest(input) => Output::CreateDelegationRequest(
            delegation_requests::handle_create(tx, context, input).await?,
        ),
        Operation::GetDelegationRequest(input) => Output::GetDelegationRequest(
            delegation_requests::handle_get(app, tx, context, input).await?,
        ),
        Operation::ListDelegationRequests(input) => Output::ListDelegationRequests(
            delegation_requests::handle_list(tx, context, input).await?,
        ),
        Operation::AssociateDelegationRequest(input) => {
            delegation_requests::handle_associate(tx, context, &input.delegation_request_id)
                .await?;
            Output::AssociateDelegationRequest
        }
        Operation::UpdateDelegationRequest(input) => {
            delegation_requests::handle_update(
                tx,
                context,
                &input.delegation_request_id,
                input.notes,
            )
            .await?;
            Output::UpdateDelegationRequest
        }
        Operation::AcceptDelegationRequest(input) => {
            delegation_requests::handle_accept(tx, context, &input.delegation_request_id).await?;
            Output::AcceptDelegationRequest
        }
        Operation::RejectDelegationRequest(input) => {
            delegation_requests::handle_reject(
                tx,
                context,
                &input.delegation_request_id,
                input.notes,
            )
            .await?;
            Output::RejectDelegationRequest
        }
        Operation::SendDelegationToken(input) => {
            delegation_requests::handle_send_token(app, tx, context, &input.delegation_request_id)
                .await?;
            Output::SendDelegationToken
        }
        Operation::GetHumanReadableSummary(input) => Output::GetHumanReadableSummary(
            human_readable_summary::handle(tx, context, input).await?,
        ),
        // Outbound web identity federation.
        Operation::EnableOutboundWebIdentityFederation => {
            Output::EnableOutboundWebIdentityFederation(
                outbound_federation::handle_enable(app, tx, context).await?,
            )
        }
        Operation::DisableOutboundWebIdentityFederation => {
            outbound_federation::handle_disable(tx, context).await?;
            Output::DisableOutboundWebIdentityFederation
        }
        Operation::GetOutboundWebIdentityFederationInfo => {
            Output::GetOutboundWebIdentityFederationInfo(
                outbound_federation::handle_get_info(app, tx, context).await?,
            )
        }
        other => return Ok(Routed::Next(other)),
    }))
}
