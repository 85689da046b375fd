//! Which handler runs each IAM operation on managed policies and their versions, inline policies, tags of users and policies.

use wire::iam::*;
use wire::ServiceError;

use super::super::{entity_tags, policies, tags};
use super::Routed;
use crate::app::App;
use crate::request::RequestContext;
use crate::store::Tx;

/// Runs the operation when it is one of this topic's; hands it back otherwise.
pub(super) async fn dispatch(
    _app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    operation: Operation,
) -> Result<Routed, ServiceError> {
    Ok(Routed::Done(match operation {
        Operation::CreatePolicy(input) => {
            Output::CreatePolicy(policies::handle_create_policy(tx, context, input).await?)
        }
        Operation::GetPolicy(input) => {
            Output::GetPolicy(policies::handle_get_policy(tx, context, input).await?)
        }
        Operation::ListPolicies(input) => {
            Output::ListPolicies(policies::handle_list_policies(tx, context, input).await?)
        }
        Operation::DeletePolicy(input) => {
            policies::handle_delete_policy(tx, context, &input.policy_arn).await?;
            Output::DeletePolicy
        }
        Operation::CreatePolicyVersion(input) => Output::CreatePolicyVersion(
            policies::handle_create_policy_version(tx, context, input).await?,
        ),
        Operation::GetPolicyVersion(input) => {
            Output::GetPolicyVersion(policies::handle_get_policy_version(tx, context, input).await?)
        }
        Operation::ListPolicyVersions(input) => Output::ListPolicyVersions(
            policies::handle_list_policy_versions(tx, context, input).await?,
        ),
        Operation::DeletePolicyVersion(input) => {
            policies::handle_delete_policy_version(
                tx,
                context,
                &input.policy_arn,
                &input.version_id,
            )
            .await?;
            Output::DeletePolicyVersion
        }
        Operation::SetDefaultPolicyVersion(input) => {
            policies::handle_set_default_policy_version(
                tx,
                context,
                &input.policy_arn,
                &input.version_id,
            )
            .await?;
            Output::SetDefaultPolicyVersion
        }
        Operation::TagUser(input) => {
            entity_tags::user(tx, context, &input.user_name, |tags| {
                tags::merge_tags(tags, input.tags)
            })
            .await?;
            Output::TagUser
        }
        Operation::UntagUser(input) => {
            entity_tags::user(tx, context, &input.user_name, |tags| {
                tags::remove_tags(tags, &input.tag_keys);
                Ok(())
            })
            .await?;
            Output::UntagUser
        }
        Operation::ListUserTags(input) => {
            let found = entity_tags::user_tags(tx, context, &input.user_name).await?;
            let (tags, truncated, marker) =
                tags::page(&found, input.marker.as_deref(), input.max_items)?;
            Output::ListUserTags(ListUserTagsResponse {
                tags,
                is_truncated: Some(truncated),
                marker,
            })
        }
        Operation::TagPolicy(input) => {
            entity_tags::policy(tx, context, &input.policy_arn, |tags| {
                tags::merge_tags(tags, input.tags)
            })
            .await?;
            Output::TagPolicy
        }
        Operation::UntagPolicy(input) => {
            entity_tags::policy(tx, context, &input.policy_arn, |tags| {
                tags::remove_tags(tags, &input.tag_keys);
                Ok(())
            })
            .await?;
            Output::UntagPolicy
        }
        Operation::ListPolicyTags(input) => {
            let found = entity_tags::policy_tags(tx, context, &input.policy_arn).await?;
            let (tags, truncated, marker) =
                tags::page(&found, input.marker.as_deref(), input.max_items)?;
            Output::ListPolicyTags(ListPolicyTagsResponse {
                tags,
                is_truncated: Some(truncated),
                marker,
            })
        }
        other => return Ok(Routed::Next(other)),
    }))
}
