//! Which handler runs each IAM operation on users, their groups, access keys, console passwords and MFA devices.

use wire::iam::*;
use wire::ServiceError;

use super::super::{
    access_keys, groups, inline_policies, login_profiles, mfa, policies, roles,
    service_linked_roles, tags, users,
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
    let user = OwnerKind::User;
    let group = OwnerKind::Group;
    Ok(Routed::Done(match operation {
        Operation::CreateUser(input) => {
            Output::CreateUser(users::handle_create_user(tx, context, input).await?)
        }
        Operation::GetUser(input) => {
            Output::GetUser(users::handle_get_user(tx, context, input).await?)
        }
        Operation::ListUsers(input) => {
            Output::ListUsers(users::handle_list_users(tx, context, input).await?)
        }
        Operation::DeleteUser(input) => {
            users::handle_delete_user(tx, context, input).await?;
            Output::DeleteUser
        }
        Operation::PutUserPermissionsBoundary(input) => {
            users::handle_put_user_permissions_boundary(
                tx,
                context,
                &input.user_name,
                &input.permissions_boundary,
            )
            .await?;
            Output::PutUserPermissionsBoundary
        }
        Operation::DeleteUserPermissionsBoundary(input) => {
            users::handle_delete_user_permissions_boundary(tx, context, &input.user_name).await?;
            Output::DeleteUserPermissionsBoundary
        }
        Operation::CreateAccessKey(input) => Output::CreateAccessKey(
            access_keys::handle_create_access_key(app, tx, context, input).await?,
        ),
        Operation::ListAccessKeys(input) => {
            Output::ListAccessKeys(access_keys::handle_list_access_keys(tx, context, input).await?)
        }
        Operation::UpdateAccessKey(input) => {
            access_keys::handle_update_access_key(app, tx, context, input).await?;
            Output::UpdateAccessKey
        }
        Operation::DeleteAccessKey(input) => {
            access_keys::handle_delete_access_key(app, tx, context, input).await?;
            Output::DeleteAccessKey
        }
        Operation::GetAccessKeyLastUsed(input) => Output::GetAccessKeyLastUsed(
            access_keys::handle_get_access_key_last_used(app, tx, context, input).await?,
        ),
        Operation::AttachUserPolicy(input) => {
            let found =
                users::find_user(tx, &context.principal.account.to_string(), &input.user_name)
                    .await?;
            policies::attach(tx, context, user, &found.user_name, &input.policy_arn).await?;
            Output::AttachUserPolicy
        }
        Operation::DetachUserPolicy(input) => {
            let found =
                users::find_user(tx, &context.principal.account.to_string(), &input.user_name)
                    .await?;
            policies::detach(tx, context, user, &found.user_name, &input.policy_arn).await?;
            Output::DetachUserPolicy
        }
        Operation::ListAttachedUserPolicies(input) => {
            let found =
                users::find_user(tx, &context.principal.account.to_string(), &input.user_name)
                    .await?;
            let (attached, truncated, marker) = policies::attached_page(
                tx,
                context,
                (user, &found.user_name),
                input.path_prefix.as_deref(),
                (input.max_items, input.marker.as_deref()),
            )
            .await?;
            Output::ListAttachedUserPolicies(ListAttachedUserPoliciesResponse {
                attached_policies: Some(attached),
                is_truncated: Some(truncated),
                marker,
            })
        }
        Operation::AttachGroupPolicy(input) => {
            let found = groups::find_group(tx, context, &input.group_name).await?;
            policies::attach(tx, context, group, &found.group_name, &input.policy_arn).await?;
            Output::AttachGroupPolicy
        }
        Operation::DetachGroupPolicy(input) => {
            let found = groups::find_group(tx, context, &input.group_name).await?;
            policies::detach(tx, context, group, &found.group_name, &input.policy_arn).await?;
            Output::DetachGroupPolicy
        }
        Operation::ListAttachedGroupPolicies(input) => {
            let found = groups::find_group(tx, context, &input.group_name).await?;
            let (attached, truncated, marker) = policies::attached_page(
                tx,
                context,
                (group, &found.group_name),
                input.path_prefix.as_deref(),
                (input.max_items, input.marker.as_deref()),
            )
            .await?;
            Output::ListAttachedGroupPolicies(ListAttachedGroupPoliciesResponse {
                attached_policies: Some(attached),
                is_truncated: Some(truncated),
                marker,
            })
        }
        Operation::PutUserPolicy(input) => {
            let found =
                users::find_user(tx, &context.principal.account.to_string(), &input.user_name)
                    .await?;
            inline_policies::put(
                tx,
                context,
                user,
                &found.user_name,
                &input.policy_name,
                &input.policy_document,
            )
            .await?;
            Output::PutUserPolicy
        }
        Operation::GetUserPolicy(input) => {
            let found =
                users::find_user(tx, &context.principal.account.to_string(), &input.user_name)
                    .await?;
            let document =
                inline_policies::get(tx, context, user, &found.user_name, &input.policy_name)
                    .await?;
            Output::GetUserPolicy(GetUserPolicyResponse {
                user_name: found.user_name,
                policy_name: input.policy_name,
                policy_document: document,
            })
        }
        Operation::ListUserPolicies(input) => {
            let found =
                users::find_user(tx, &context.principal.account.to_string(), &input.user_name)
                    .await?;
            let (policy_names, truncated, marker) = inline_policies::list(
                tx,
                context,
                (user, &found.user_name),
                input.max_items,
                input.marker.as_deref(),
            )
            .await?;
            Output::ListUserPolicies(ListUserPoliciesResponse {
                policy_names,
                is_truncated: Some(truncated),
                marker,
            })
        }
        Operation::DeleteUserPolicy(input) => {
            let found =
                users::find_user(tx, &context.principal.account.to_string(), &input.user_name)
                    .await?;
            inline_policies::delete(tx, context, user, &found.user_name, &input.policy_name)
                .await?;
            Output::DeleteUserPolicy
        }
        Operation::PutGroupPolicy(input) => {
            let found = groups::find_group(tx, context, &input.group_name).await?;
            inline_policies::put(
                tx,
                context,
                group,
                &found.group_name,
                &input.policy_name,
                &input.policy_document,
            )
            .await?;
            Output::PutGroupPolicy
        }
        Operation::GetGroupPolicy(input) => {
            let found = groups::find_group(tx, context, &input.group_name).await?;
            let document =
                inline_policies::get(tx, context, group, &found.group_name, &input.policy_name)
                    .await?;
            Output::GetGroupPolicy(GetGroupPolicyResponse {
                group_name: found.group_name,
                policy_name: input.policy_name,
                policy_document: document,
            })
        }
        Operation::ListGroupPolicies(input) => {
            let found = groups::find_group(tx, context, &input.group_name).await?;
            let (policy_names, truncated, marker) = inline_policies::list(
                tx,
                context,
                (group, &found.group_name),
                input.max_items,
                input.marker.as_deref(),
            )
            .await?;
            Output::ListGroupPolicies(ListGroupPoliciesResponse {
                policy_names,
                is_truncated: Some(truncated),
                marker,
            })
        }
        Operation::DeleteGroupPolicy(input) => {
            let found = groups::find_group(tx, context, &input.group_name).await?;
            inline_policies::delete(tx, context, group, &found.group_name, &input.policy_name)
                .await?;
            Output::DeleteGroupPolicy
        }
        Operation::CreateGroup(input) => {
            Output::CreateGroup(groups::handle_create_group(tx, context, input).await?)
        }
        Operation::GetGroup(input) => {
            Output::GetGroup(groups::handle_get_group(tx, context, input).await?)
        }
        Operation::ListGroups(input) => {
            Output::ListGroups(groups::handle_list_groups(tx, context, input).await?)
        }
        Operation::UpdateGroup(input) => {
            groups::handle_update_group(tx, context, input).await?;
            Output::UpdateGroup
        }
        Operation::UpdateUser(input) => {
            users::handle_update_user(app, tx, context, input).await?;
            Output::UpdateUser
        }
        Operation::DeleteGroup(input) => {
            groups::handle_delete_group(tx, context, &input.group_name).await?;
            Output::DeleteGroup
        }
        Operation::AddUserToGroup(input) => {
            groups::handle_add_user_to_group(tx, context, &input.group_name, &input.user_name)
                .await?;
            Output::AddUserToGroup
        }
        Operation::RemoveUserFromGroup(input) => {
            groups::handle_remove_user_from_group(tx, context, &input.group_name, &input.user_name)
                .await?;
            Output::RemoveUserFromGroup
        }
        Operation::ListGroupsForUser(input) => Output::ListGroupsForUser(
            groups::handle_list_groups_for_user(tx, context, input).await?,
        ),
        Operation::PutRolePermissionsBoundary(input) => {
            users::check_boundary(
                tx,
                &context.principal.account.to_string(),
                &input.permissions_boundary,
            )
            .await?;
            roles::update(tx, context, &input.role_name, |record| {
                service_linked_roles::check_modifiable(record)?;
                record.permissions_boundary = Some(input.permissions_boundary);
                Ok(())
            })
            .await?;
            Output::PutRolePermissionsBoundary
        }
        Operation::CreateLoginProfile(input) => {
            Output::CreateLoginProfile(login_profiles::handle_create(tx, context, input).await?)
        }
        Operation::GetLoginProfile(input) => Output::GetLoginProfile(GetLoginProfileResponse {
            login_profile: login_profiles::handle_get(tx, context, input.user_name.as_deref())
                .await?,
        }),
        Operation::UpdateLoginProfile(input) => {
            login_profiles::handle_update(tx, context, input).await?;
            Output::UpdateLoginProfile
        }
        Operation::DeleteLoginProfile(input) => {
            login_profiles::handle_delete(tx, context, input.user_name.as_deref()).await?;
            Output::DeleteLoginProfile
        }
        Operation::ChangePassword(input) => {
            login_profiles::handle_change_password(tx, context, input).await?;
            Output::ChangePassword
        }
        Operation::CreateVirtualMFADevice(input) => {
            Output::CreateVirtualMFADevice(mfa::handle_create(app, tx, context, input).await?)
        }
        Operation::EnableMFADevice(input) => {
            mfa::handle_enable(
                app,
                tx,
                context,
                (&input.user_name, &input.serial_number),
                (&input.authentication_code1, &input.authentication_code2),
            )
            .await?;
            Output::EnableMFADevice
        }
        Operation::ResyncMFADevice(input) => {
            mfa::handle_resync(
                app,
                tx,
                context,
                (&input.user_name, &input.serial_number),
                (&input.authentication_code1, &input.authentication_code2),
            )
            .await?;
            Output::ResyncMFADevice
        }
        Operation::DeactivateMFADevice(input) => {
            mfa::handle_deactivate(
                tx,
                context,
                input.user_name.as_deref(),
                &input.serial_number,
            )
            .await?;
            Output::DeactivateMFADevice
        }
        Operation::GetMFADevice(input) => Output::GetMFADevice(
            mfa::handle_get(
                tx,
                context,
                input.user_name.as_deref(),
                &input.serial_number,
            )
            .await?,
        ),
        Operation::ListMFADevices(input) => Output::ListMFADevices(
            mfa::handle_list_for_user(tx, context, input.user_name.as_deref()).await?,
        ),
        Operation::ListVirtualMFADevices(input) => {
            Output::ListVirtualMFADevices(mfa::handle_list_virtual(tx, context, input).await?)
        }
        Operation::DeleteVirtualMFADevice(input) => {
            mfa::handle_delete(tx, context, &input.serial_number).await?;
            Output::DeleteVirtualMFADevice
        }
        Operation::TagMFADevice(input) => {
            mfa::update_tags(tx, context, &input.serial_number, |tags| {
                tags::merge_tags(tags, input.tags)
            })
            .await?;
            Output::TagMFADevice
        }
        Operation::UntagMFADevice(input) => {
            mfa::update_tags(tx, context, &input.serial_number, |tags| {
                tags::remove_tags(tags, &input.tag_keys);
                Ok(())
            })
            .await?;
            Output::UntagMFADevice
        }
        Operation::ListMFADeviceTags(input) => {
            // A read: writing the device back could undo a code accepted meanwhile.
            let found = mfa::tags(tx, context, &input.serial_number).await?;
            let (tags, truncated, marker) =
                tags::page(&found, input.marker.as_deref(), input.max_items)?;
            Output::ListMFADeviceTags(ListMFADeviceTagsResponse {
                tags,
                is_truncated: Some(truncated),
                marker,
            })
        }
        // Instance profiles.
        other => return Ok(Routed::Next(other)),
    }))
}
