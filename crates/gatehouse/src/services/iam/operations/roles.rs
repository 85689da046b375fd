//! Which handler runs each IAM operation on roles, instance profiles and service-linked roles.

use wire::iam::*;
use wire::ServiceError;

use super::super::{
    documents, inline_policies, instance_profiles, last_accessed, policies, roles,
    service_linked_roles, tags,
};
use super::Routed;
use crate::app::App;
use crate::request::RequestContext;
use crate::store::{OwnerKind, Tx};

/// Runs the operation when it is one of this topic's; hands it back otherwise.
pub(super) async fn dispatch(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    operation: Operation,
) -> Result<Routed, ServiceError> {
    let role = OwnerKind::Role;
    Ok(Routed::Done(match operation {
        Operation::CreateRole(input) => {
            Output::CreateRole(roles::handle_create_role(tx, context, input).await?)
        }
        Operation::GetRole(input) => {
            let found = roles::find_role(tx, context, &input.role_name).await?;
            let mut role = roles::to_wire(context, &found);
            role.role_last_used = Some(last_accessed::role_last_used(app, tx, &found).await?);
            Output::GetRole(GetRoleResponse { role })
        }
        Operation::ListRoles(input) => {
            Output::ListRoles(roles::handle_list_roles(tx, context, input).await?)
        }
        Operation::DeleteRole(input) => {
            roles::handle_delete_role(tx, context, &input.role_name).await?;
            Output::DeleteRole
        }
        Operation::UpdateRole(input) => {
            roles::update(tx, context, &input.role_name, |record| {
                if let Some(description) = input.description {
                    record.description = Some(description);
                }
                if let Some(seconds) = input.max_session_duration {
                    record.max_session_duration = i64::from(seconds);
                }
                Ok(())
            })
            .await?;
            Output::UpdateRole(UpdateRoleResponse {})
        }
        Operation::UpdateRoleDescription(input) => {
            let updated = roles::update(tx, context, &input.role_name, |record| {
                record.description = Some(input.description);
                Ok(())
            })
            .await?;
            Output::UpdateRoleDescription(UpdateRoleDescriptionResponse {
                role: Some(roles::to_wire(context, &updated)),
            })
        }
        Operation::UpdateAssumeRolePolicy(input) => {
            documents::validate(&input.policy_document, policy::PolicyKind::Trust)?;
            roles::update(tx, context, &input.role_name, |record| {
                service_linked_roles::check_modifiable(record)?;
                record.trust_policy = input.policy_document;
                Ok(())
            })
            .await?;
            Output::UpdateAssumeRolePolicy
        }
        Operation::DeleteRolePermissionsBoundary(input) => {
            roles::update(tx, context, &input.role_name, |record| {
                service_linked_roles::check_modifiable(record)?;
                record.permissions_boundary = None;
                Ok(())
            })
            .await?;
            Output::DeleteRolePermissionsBoundary
        }
        Operation::TagRole(input) => {
            roles::update(tx, context, &input.role_name, |record| {
                tags::merge_tags(&mut record.tags, input.tags)
            })
            .await?;
            Output::TagRole
        }
        Operation::UntagRole(input) => {
            roles::update(tx, context, &input.role_name, |record| {
                record
                    .tags
                    .retain(|(key, _)| !input.tag_keys.iter().any(|k| k.eq_ignore_ascii_case(key)));
                Ok(())
            })
            .await?;
            Output::UntagRole
        }
        Operation::ListRoleTags(input) => {
            let found = roles::find_role(tx, context, &input.role_name).await?;
            let (tags, truncated, marker) =
                tags::page(&found.tags, input.marker.as_deref(), input.max_items)?;
            Output::ListRoleTags(ListRoleTagsResponse {
                tags,
                is_truncated: Some(truncated),
                marker,
            })
        }
        Operation::AttachRolePolicy(input) => {
            let found = roles::find_role(tx, context, &input.role_name).await?;
            service_linked_roles::check_modifiable(&found)?;
            policies::attach(tx, context, role, &found.role_name, &input.policy_arn).await?;
            Output::AttachRolePolicy
        }
        Operation::DetachRolePolicy(input) => {
            let found = roles::find_role(tx, context, &input.role_name).await?;
            service_linked_roles::check_modifiable(&found)?;
            policies::detach(tx, context, role, &found.role_name, &input.policy_arn).await?;
            Output::DetachRolePolicy
        }
        Operation::ListAttachedRolePolicies(input) => {
            let found = roles::find_role(tx, context, &input.role_name).await?;
            let (attached, truncated, marker) = policies::attached_page(
                tx,
                context,
                (role, &found.role_name),
                input.path_prefix.as_deref(),
                (input.max_items, input.marker.as_deref()),
            )
            .await?;
            Output::ListAttachedRolePolicies(ListAttachedRolePoliciesResponse {
                attached_policies: Some(attached),
                is_truncated: Some(truncated),
                marker,
            })
        }
        Operation::PutRolePolicy(input) => {
            let found = roles::find_role(tx, context, &input.role_name).await?;
            service_linked_roles::check_modifiable(&found)?;
            inline_policies::put(
                tx,
                context,
                role,
                &found.role_name,
                &input.policy_name,
                &input.policy_document,
            )
            .await?;
            Output::PutRolePolicy
        }
        Operation::GetRolePolicy(input) => {
            let found = roles::find_role(tx, context, &input.role_name).await?;
            let document =
                inline_policies::get(tx, context, role, &found.role_name, &input.policy_name)
                    .await?;
            Output::GetRolePolicy(GetRolePolicyResponse {
                role_name: found.role_name,
                policy_name: input.policy_name,
                policy_document: document,
            })
        }
        Operation::ListRolePolicies(input) => {
            let found = roles::find_role(tx, context, &input.role_name).await?;
            let (policy_names, truncated, marker) = inline_policies::list(
                tx,
                context,
                (role, &found.role_name),
                input.max_items,
                input.marker.as_deref(),
            )
            .await?;
            Output::ListRolePolicies(ListRolePoliciesResponse {
                policy_names,
                is_truncated: Some(truncated),
                marker,
            })
        }
        Operation::DeleteRolePolicy(input) => {
            let found = roles::find_role(tx, context, &input.role_name).await?;
            service_linked_roles::check_modifiable(&found)?;
            inline_policies::delete(tx, context, role, &found.role_name, &input.policy_name)
                .await?;
            Output::DeleteRolePolicy
        }
        // Console passwords and the account password policy.
        Operation::CreateInstanceProfile(input) => {
            Output::CreateInstanceProfile(CreateInstanceProfileResponse {
                instance_profile: instance_profiles::handle_create(tx, context, input).await?,
            })
        }
        Operation::GetInstanceProfile(input) => {
            Output::GetInstanceProfile(GetInstanceProfileResponse {
                instance_profile: instance_profiles::handle_get(
                    tx,
                    context,
                    &input.instance_profile_name,
                )
                .await?,
            })
        }
        Operation::DeleteInstanceProfile(input) => {
            instance_profiles::handle_delete(tx, context, &input.instance_profile_name).await?;
            Output::DeleteInstanceProfile
        }
        Operation::ListInstanceProfiles(input) => {
            let (instance_profiles, truncated, marker) =
                instance_profiles::handle_list(tx, context, input).await?;
            Output::ListInstanceProfiles(ListInstanceProfilesResponse {
                instance_profiles,
                is_truncated: Some(truncated),
                marker,
            })
        }
        Operation::ListInstanceProfilesForRole(input) => {
            let (instance_profiles, truncated, marker) =
                instance_profiles::handle_list_for_role(tx, context, input).await?;
            Output::ListInstanceProfilesForRole(ListInstanceProfilesForRoleResponse {
                instance_profiles,
                is_truncated: Some(truncated),
                marker,
            })
        }
        Operation::AddRoleToInstanceProfile(input) => {
            instance_profiles::handle_add_role(
                tx,
                context,
                &input.instance_profile_name,
                &input.role_name,
            )
            .await?;
            Output::AddRoleToInstanceProfile
        }
        Operation::RemoveRoleFromInstanceProfile(input) => {
            instance_profiles::handle_remove_role(
                tx,
                context,
                &input.instance_profile_name,
                &input.role_name,
            )
            .await?;
            Output::RemoveRoleFromInstanceProfile
        }
        Operation::TagInstanceProfile(input) => {
            instance_profiles::update_tags(tx, context, &input.instance_profile_name, |tags| {
                tags::merge_tags(tags, input.tags)
            })
            .await?;
            Output::TagInstanceProfile
        }
        Operation::UntagInstanceProfile(input) => {
            instance_profiles::update_tags(tx, context, &input.instance_profile_name, |tags| {
                tags::remove_tags(tags, &input.tag_keys);
                Ok(())
            })
            .await?;
            Output::UntagInstanceProfile
        }
        Operation::ListInstanceProfileTags(input) => {
            let found =
                instance_profiles::find_profile(tx, context, &input.instance_profile_name).await?;
            let (tags, truncated, marker) =
                tags::page(&found.tags, input.marker.as_deref(), input.max_items)?;
            Output::ListInstanceProfileTags(ListInstanceProfileTagsResponse {
                tags,
                is_truncated: Some(truncated),
                marker,
            })
        }
        // Service-linked roles.
        Operation::CreateServiceLinkedRole(input) => Output::CreateServiceLinkedRole(
            service_linked_roles::handle_create(tx, context, input).await?,
        ),
        Operation::DeleteServiceLinkedRole(input) => {
            Output::DeleteServiceLinkedRole(DeleteServiceLinkedRoleResponse {
                deletion_task_id: service_linked_roles::handle_delete(
                    tx,
                    context,
                    &input.role_name,
                )
                .await?,
            })
        }
        Operation::GetServiceLinkedRoleDeletionStatus(input) => {
            Output::GetServiceLinkedRoleDeletionStatus(
                service_linked_roles::handle_deletion_status(tx, context, &input.deletion_task_id)
                    .await?,
            )
        }
        // Account-wide reports.
        other => return Ok(Routed::Next(other)),
    }))
}
