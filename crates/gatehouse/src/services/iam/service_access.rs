//! `ListPoliciesGrantingServiceAccess`: for a user, group or role, the identity-based
//! policies (its own, and a user's groups') whose `Allow` statements grant some action of
//! each service namespace asked about. Managed policies come with their ARN, inline ones
//! with the entity they belong to.

use wire::iam::{
    errors, ListPoliciesGrantingServiceAccessEntry, ListPoliciesGrantingServiceAccessRequest,
    ListPoliciesGrantingServiceAccessResponse, PolicyGrantingServiceAccess, PolicyOwnerEntityType,
    PolicyType,
};
use wire::ServiceError;

use crate::auth::identity::{identity_sources, SourceKind};
use crate::model::arn;
use crate::store::{OwnerKind, Tx};

use crate::request::RequestContext;

/// AWS accepts at most this many namespaces per call.
const MAX_NAMESPACES: usize = 10;

pub(super) async fn handle(
    tx: &mut Tx,
    context: &RequestContext,
    input: ListPoliciesGrantingServiceAccessRequest,
) -> Result<ListPoliciesGrantingServiceAccessResponse, ServiceError> {
    if input.service_namespaces.is_empty() || input.service_namespaces.len() > MAX_NAMESPACES {
        return Err(errors::invalid_input(format!(
            "ServiceNamespaces must name between 1 and {MAX_NAMESPACES} services."
        )));
    }
    let account = context.principal.account.to_string();
    let (owner, name) = [
        ("user", OwnerKind::User),
        ("group", OwnerKind::Group),
        ("role", OwnerKind::Role),
    ]
    .into_iter()
    .find_map(|(kind, owner)| {
        arn::parse_iam_resource(&input.arn, kind)
            .filter(|(arn_account, _, _)| *arn_account == account)
            .map(|(_, _, name)| (owner, name.to_owned()))
    })
    .ok_or_else(|| errors::invalid_input(format!("ARN {} is not valid.", input.arn)))?;
    let sources = identity_sources(tx, &account, owner, &name)
        .await?
        .ok_or_else(|| {
            errors::no_such_entity(format!("The entity {} cannot be found.", input.arn))
        })?;
    let mut documents = Vec::with_capacity(sources.policies.len());
    for source in &sources.policies {
        // Stored documents were validated when written; one that no longer parses grants
        // nothing.
        if let Ok(document) =
            policy::PolicyDocument::parse(&source.document, policy::PolicyKind::Identity)
        {
            documents.push((source, document));
        }
    }
    let entries = input
        .service_namespaces
        .iter()
        .map(|namespace| ListPoliciesGrantingServiceAccessEntry {
            service_namespace: Some(namespace.clone()),
            policies: Some(
                documents
                    .iter()
                    .filter(|(_, document)| policy::grants_service(document, namespace))
                    .map(|(source, _)| granting(source))
                    .collect(),
            ),
        })
        .collect();
    Ok(ListPoliciesGrantingServiceAccessResponse {
        policies_granting_service_access: entries,
        is_truncated: Some(false),
        marker: None,
    })
}

/// One policy as the response names it: managed ones by ARN, inline ones by owner.
fn granting(source: &crate::auth::identity::PolicySource) -> PolicyGrantingServiceAccess {
    match source.kind {
        SourceKind::Inline(owner) => {
            // Inline ids are `<kind>/<owner name>/<policy name>`.
            let owner_name = source.id.split('/').nth(1).map(str::to_owned);
            PolicyGrantingServiceAccess {
                policy_name: source.name.clone(),
                policy_type: PolicyType::Inline,
                policy_arn: None,
                entity_type: Some(match owner {
                    OwnerKind::User => PolicyOwnerEntityType::User,
                    OwnerKind::Group => PolicyOwnerEntityType::Group,
                    OwnerKind::Role => PolicyOwnerEntityType::Role,
                }),
                entity_name: owner_name,
            }
        }
        SourceKind::AwsManaged | SourceKind::CustomerManaged => PolicyGrantingServiceAccess {
            policy_name: source.name.clone(),
            policy_type: PolicyType::Managed,
            policy_arn: Some(source.id.clone()),
            entity_type: None,
            entity_name: None,
        },
    }
}
