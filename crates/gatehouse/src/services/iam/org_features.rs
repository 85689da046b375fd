//! IAM's organization features: centralized root access for member accounts
//! (`RootCredentialsManagement`, `RootSessions`), switched on and off by the management
//! account (or IAM's delegated administrator) of an organization with all features and
//! trusted access for `iam.amazonaws.com`, and listed with `ListOrganizationsFeatures`.

use wire::iam::{errors, FeatureType};
use wire::ServiceError;

use crate::store::{OrganizationRecord, Tx};

use crate::request::RequestContext;

/// IAM's service principal, as trusted access and delegated administrators name it.
const IAM_PRINCIPAL: &str = "iam.amazonaws.com";

/// The organization the caller may manage these features for, or AWS's refusal.
async fn managed_organization(
    tx: &mut Tx,
    context: &RequestContext,
) -> Result<OrganizationRecord, ServiceError> {
    let account = context.principal.account.to_string();
    let org = tx.organization_of_account(&account).await?.ok_or_else(|| {
        errors::organization_not_found_exception(
            "The request failed because AWS Organizations is not enabled for this account.",
        )
    })?;
    if org.management_account_id != account {
        let delegated = tx
            .delegated_admins(&org.org_id)
            .await?
            .iter()
            .any(|(admin, principal, _)| *admin == account && principal == IAM_PRINCIPAL);
        if !delegated {
            return Err(errors::account_not_management_or_delegated_administrator_exception(
                "The request was rejected because the account is not the management account or a delegated administrator for IAM.",
            ));
        }
    }
    if org.feature_set != "ALL" {
        return Err(errors::organization_not_in_all_features_mode_exception(
            "The request failed because the organization does not have all features enabled.",
        ));
    }
    let trusted = tx
        .service_access(&org.org_id)
        .await?
        .iter()
        .any(|(principal, _)| principal == IAM_PRINCIPAL);
    if !trusted {
        return Err(errors::service_access_not_enabled_exception(
            "The request failed because trusted access for IAM is not enabled in AWS Organizations.",
        ));
    }
    Ok(org)
}

/// Turns `feature` on or off; the organization and its features as they now stand.
pub(super) async fn handle_set(
    tx: &mut Tx,
    context: &RequestContext,
    feature: FeatureType,
    enabled: bool,
) -> Result<(String, Vec<FeatureType>), ServiceError> {
    let org = managed_organization(tx, context).await?;
    tx.set_iam_org_feature(&org.org_id, feature.as_str(), enabled)
        .await?;
    listed(tx, org).await
}

/// `ListOrganizationsFeatures`.
pub(super) async fn handle_list(
    tx: &mut Tx,
    context: &RequestContext,
) -> Result<(String, Vec<FeatureType>), ServiceError> {
    let org = managed_organization(tx, context).await?;
    listed(tx, org).await
}

async fn listed(
    tx: &mut Tx,
    org: OrganizationRecord,
) -> Result<(String, Vec<FeatureType>), ServiceError> {
    let features = tx
        .iam_org_features(&org.org_id)
        .await?
        .iter()
        .map(|name| FeatureType::from(name.as_str()))
        .collect();
    Ok((org.org_id, features))
}
