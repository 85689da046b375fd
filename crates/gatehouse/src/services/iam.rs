//! IAM: the identities of an account. `call` works out the access an operation needs,
//! has it authorized, then runs the `handle_*` function (one file per topic) inside one
//! transaction, and marks the account's authorization views stale after a change.

mod access_keys;
mod account_alias;
mod account_summary;
mod certificates;
mod credential_report;
mod delegation_requests;
mod documents;
mod entity_tags;
mod groups;
mod human_readable_summary;
mod inline_policies;
mod instance_profiles;
mod last_accessed;
mod login_profiles;
pub(crate) mod mfa;
mod org_access_report;
mod org_features;
mod outbound_federation;
mod pagination;
mod password_policy;
mod policies;
mod providers;
mod reports;
mod roles;
pub(crate) mod saml_metadata;
mod server_certificates;
mod service_access;
mod service_credentials;
mod service_linked_roles;
mod signing_certificates;
mod simulator;
mod ssh_keys;
mod tags;
mod users;

use wire::iam::*;
use wire::ServiceError;

use super::{Api, Needs};
use crate::app::App;
use crate::auth::authorize::{Access, Denied};
use crate::model::arn;
use crate::request::RequestContext;
use crate::store::{LazyTx, OwnerKind, Tx};

/// IAM as the pipeline runs it.
pub(crate) struct Iam;

impl Api for Iam {
    type Operation = Operation;
    type Output = Output;
    type Plan = ();

    fn name(operation: &Operation) -> &'static str {
        operation.name()
    }

    fn is_read_only(operation: &Operation) -> bool {
        operation.is_read_only()
    }

    async fn needs(
        _app: &App,
        tx: &mut LazyTx<'_>,
        context: &RequestContext,
        operation: &Operation,
    ) -> Result<(Needs, ()), ServiceError> {
        let accesses = access(tx.get().await?, context, operation).await?;
        Ok((
            Needs {
                accesses,
                resource_policy: None,
            },
            (),
        ))
    }

    async fn exempt(
        _app: &App,
        tx: &mut LazyTx<'_>,
        context: &RequestContext,
        operation: &Operation,
        denied: &Denied,
    ) -> Result<bool, ServiceError> {
        let tx = tx.get().await?;
        if matches!(operation, Operation::ChangePassword(_))
            && !denied.explicit
            && login_profiles::users_may_change_password(tx, context).await?
        {
            return Ok(true);
        }
        // The owner of a delegation request may read, update, summarize and send the
        // token of its request without a policy saying so (AWS's default permission).
        match owned_request(operation) {
            Some(id) => delegation_requests::caller_owns(tx, context, &id).await,
            None => Ok(false),
        }
    }

    async fn dispatch(
        app: &App,
        tx: &mut LazyTx<'_>,
        context: &RequestContext,
        (): (),
        operation: Operation,
    ) -> Result<Output, ServiceError> {
        dispatch(app, tx.get().await?, context, operation).await
    }

    fn changed(app: &App, context: &RequestContext) {
        app.policies().changed(context.principal.account);
    }
}

/// Authorizes and runs one IAM operation.
pub async fn call(
    app: &App,
    context: &RequestContext,
    operation: Operation,
) -> Result<Output, ServiceError> {
    super::call::<Iam>(app, context, operation).await
}

async fn dispatch(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    operation: Operation,
) -> Result<Output, ServiceError> {
    let user = OwnerKind::User;
    let group = OwnerKind::Group;
    let role = OwnerKind::Role;
    Ok(match operation {
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
        Operation::CreateOpenIDConnectProvider(input) => {
            Output::CreateOpenIDConnectProvider(providers::create_oidc(tx, context, input).await?)
        }
        Operation::GetOpenIDConnectProvider(input) => {
            let found =
                providers::find_oidc(tx, context, &input.open_id_connect_provider_arn).await?;
            Output::GetOpenIDConnectProvider(providers::oidc_to_wire(&found))
        }
        Operation::DeleteOpenIDConnectProvider(input) => {
            providers::delete_oidc(tx, context, &input.open_id_connect_provider_arn).await?;
            Output::DeleteOpenIDConnectProvider
        }
        Operation::ListOpenIDConnectProviders(_) => {
            Output::ListOpenIDConnectProviders(ListOpenIDConnectProvidersResponse {
                open_id_connect_provider_list: Some(providers::list_oidc(tx, context).await?),
            })
        }
        Operation::AddClientIDToOpenIDConnectProvider(input) => {
            providers::update_oidc(tx, context, &input.open_id_connect_provider_arn, |p| {
                providers::with_client_id(p, input.client_id)
            })
            .await?;
            Output::AddClientIDToOpenIDConnectProvider
        }
        Operation::RemoveClientIDFromOpenIDConnectProvider(input) => {
            providers::update_oidc(tx, context, &input.open_id_connect_provider_arn, |p| {
                p.client_ids.retain(|id| *id != input.client_id);
                Ok(())
            })
            .await?;
            Output::RemoveClientIDFromOpenIDConnectProvider
        }
        Operation::UpdateOpenIDConnectProviderThumbprint(input) => {
            providers::update_oidc(tx, context, &input.open_id_connect_provider_arn, |p| {
                providers::with_thumbprints(p, input.thumbprint_list)
            })
            .await?;
            Output::UpdateOpenIDConnectProviderThumbprint
        }
        Operation::TagOpenIDConnectProvider(input) => {
            providers::update_oidc(tx, context, &input.open_id_connect_provider_arn, |p| {
                tags::merge_tags(&mut p.tags, input.tags)
            })
            .await?;
            Output::TagOpenIDConnectProvider
        }
        Operation::UntagOpenIDConnectProvider(input) => {
            providers::update_oidc(tx, context, &input.open_id_connect_provider_arn, |p| {
                tags::remove_tags(&mut p.tags, &input.tag_keys);
                Ok(())
            })
            .await?;
            Output::UntagOpenIDConnectProvider
        }
        Operation::ListOpenIDConnectProviderTags(input) => {
            let found =
                providers::find_oidc(tx, context, &input.open_id_connect_provider_arn).await?;
            let (tags, truncated, marker) =
                tags::page(&found.tags, input.marker.as_deref(), input.max_items)?;
            Output::ListOpenIDConnectProviderTags(ListOpenIDConnectProviderTagsResponse {
                tags,
                is_truncated: Some(truncated),
                marker,
            })
        }
        Operation::CreateSAMLProvider(input) => {
            Output::CreateSAMLProvider(providers::create_saml(tx, context, input).await?)
        }
        Operation::GetSAMLProvider(input) => {
            let found = providers::find_saml(tx, context, &input.saml_provider_arn).await?;
            Output::GetSAMLProvider(providers::saml_to_wire(&found))
        }
        Operation::UpdateSAMLProvider(input) => {
            Output::UpdateSAMLProvider(UpdateSAMLProviderResponse {
                saml_provider_arn: Some(providers::update_saml(tx, context, input).await?),
            })
        }
        Operation::DeleteSAMLProvider(input) => {
            providers::delete_saml(tx, context, &input.saml_provider_arn).await?;
            Output::DeleteSAMLProvider
        }
        Operation::ListSAMLProviders(_) => Output::ListSAMLProviders(ListSAMLProvidersResponse {
            saml_provider_list: Some(providers::list_saml(tx, context).await?),
        }),
        Operation::TagSAMLProvider(input) => {
            providers::update_saml_record(tx, context, &input.saml_provider_arn, |p| {
                tags::merge_tags(&mut p.tags, input.tags)
            })
            .await?;
            Output::TagSAMLProvider
        }
        Operation::UntagSAMLProvider(input) => {
            providers::update_saml_record(tx, context, &input.saml_provider_arn, |p| {
                tags::remove_tags(&mut p.tags, &input.tag_keys);
                Ok(())
            })
            .await?;
            Output::UntagSAMLProvider
        }
        Operation::ListSAMLProviderTags(input) => {
            let found = providers::find_saml(tx, context, &input.saml_provider_arn).await?;
            let (tags, truncated, marker) =
                tags::page(&found.tags, input.marker.as_deref(), input.max_items)?;
            Output::ListSAMLProviderTags(ListSAMLProviderTagsResponse {
                tags,
                is_truncated: Some(truncated),
                marker,
            })
        }
        // The account alias.
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
        Operation::UploadServerCertificate(input) => Output::UploadServerCertificate(
            server_certificates::handle_upload(app, tx, context, input).await?,
        ),
        Operation::GetServerCertificate(input) => {
            Output::GetServerCertificate(GetServerCertificateResponse {
                server_certificate: server_certificates::handle_get(
                    tx,
                    context,
                    &input.server_certificate_name,
                )
                .await?,
            })
        }
        Operation::ListServerCertificates(input) => Output::ListServerCertificates(
            server_certificates::handle_list(tx, context, input).await?,
        ),
        Operation::UpdateServerCertificate(input) => {
            server_certificates::handle_update(tx, context, input).await?;
            Output::UpdateServerCertificate
        }
        Operation::DeleteServerCertificate(input) => {
            server_certificates::handle_delete(tx, context, &input.server_certificate_name).await?;
            Output::DeleteServerCertificate
        }
        Operation::TagServerCertificate(input) => {
            server_certificates::update_tags(tx, context, &input.server_certificate_name, |tags| {
                tags::merge_tags(tags, input.tags)
            })
            .await?;
            Output::TagServerCertificate
        }
        Operation::UntagServerCertificate(input) => {
            server_certificates::update_tags(tx, context, &input.server_certificate_name, |tags| {
                tags::remove_tags(tags, &input.tag_keys);
                Ok(())
            })
            .await?;
            Output::UntagServerCertificate
        }
        Operation::ListServerCertificateTags(input) => {
            let found =
                server_certificates::find(tx, context, &input.server_certificate_name).await?;
            let (tags, truncated, marker) =
                tags::page(&found.tags, input.marker.as_deref(), input.max_items)?;
            Output::ListServerCertificateTags(ListServerCertificateTagsResponse {
                tags,
                is_truncated: Some(truncated),
                marker,
            })
        }
        // SSH public keys.
        Operation::UploadSSHPublicKey(input) => {
            Output::UploadSSHPublicKey(UploadSSHPublicKeyResponse {
                ssh_public_key: Some(
                    ssh_keys::handle_upload(
                        tx,
                        context,
                        &input.user_name,
                        &input.ssh_public_key_body,
                    )
                    .await?,
                ),
            })
        }
        Operation::GetSSHPublicKey(input) => Output::GetSSHPublicKey(GetSSHPublicKeyResponse {
            ssh_public_key: Some(
                ssh_keys::handle_get(
                    tx,
                    context,
                    (&input.user_name, &input.ssh_public_key_id),
                    &input.encoding,
                )
                .await?,
            ),
        }),
        Operation::ListSSHPublicKeys(input) => {
            Output::ListSSHPublicKeys(ssh_keys::handle_list(tx, context, input).await?)
        }
        Operation::UpdateSSHPublicKey(input) => {
            ssh_keys::handle_update(
                tx,
                context,
                (&input.user_name, &input.ssh_public_key_id),
                &input.status,
            )
            .await?;
            Output::UpdateSSHPublicKey
        }
        Operation::DeleteSSHPublicKey(input) => {
            ssh_keys::handle_delete(tx, context, (&input.user_name, &input.ssh_public_key_id))
                .await?;
            Output::DeleteSSHPublicKey
        }
        // Signing certificates.
        Operation::UploadSigningCertificate(input) => {
            Output::UploadSigningCertificate(UploadSigningCertificateResponse {
                certificate: signing_certificates::handle_upload(
                    tx,
                    context,
                    input.user_name.as_deref(),
                    &input.certificate_body,
                )
                .await?,
            })
        }
        Operation::ListSigningCertificates(input) => Output::ListSigningCertificates(
            signing_certificates::handle_list(tx, context, input).await?,
        ),
        Operation::UpdateSigningCertificate(input) => {
            signing_certificates::handle_update(
                tx,
                context,
                (input.user_name.as_deref(), &input.certificate_id),
                &input.status,
            )
            .await?;
            Output::UpdateSigningCertificate
        }
        Operation::DeleteSigningCertificate(input) => {
            signing_certificates::handle_delete(
                tx,
                context,
                (input.user_name.as_deref(), &input.certificate_id),
            )
            .await?;
            Output::DeleteSigningCertificate
        }
        // Service-specific credentials.
        Operation::CreateServiceSpecificCredential(input) => {
            Output::CreateServiceSpecificCredential(CreateServiceSpecificCredentialResponse {
                service_specific_credential: Some(
                    service_credentials::handle_create(tx, context, input).await?,
                ),
            })
        }
        Operation::ListServiceSpecificCredentials(input) => Output::ListServiceSpecificCredentials(
            service_credentials::handle_list(tx, context, input).await?,
        ),
        Operation::ResetServiceSpecificCredential(input) => {
            Output::ResetServiceSpecificCredential(ResetServiceSpecificCredentialResponse {
                service_specific_credential: Some(
                    service_credentials::handle_reset(
                        tx,
                        context,
                        (
                            input.user_name.as_deref(),
                            &input.service_specific_credential_id,
                        ),
                    )
                    .await?,
                ),
            })
        }
        Operation::UpdateServiceSpecificCredential(input) => {
            service_credentials::handle_update(
                tx,
                context,
                (
                    input.user_name.as_deref(),
                    &input.service_specific_credential_id,
                ),
                &input.status,
            )
            .await?;
            Output::UpdateServiceSpecificCredential
        }
        Operation::DeleteServiceSpecificCredential(input) => {
            service_credentials::handle_delete(
                tx,
                context,
                (
                    input.user_name.as_deref(),
                    &input.service_specific_credential_id,
                ),
            )
            .await?;
            Output::DeleteServiceSpecificCredential
        }
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
    })
}

/// The delegation request an operation acts on, for the operations its owner may call
/// without a policy.
fn owned_request(operation: &Operation) -> Option<String> {
    match operation {
        Operation::GetDelegationRequest(i) => Some(i.delegation_request_id.clone()),
        Operation::UpdateDelegationRequest(i) => Some(i.delegation_request_id.clone()),
        Operation::SendDelegationToken(i) => Some(i.delegation_request_id.clone()),
        Operation::GetHumanReadableSummary(i) => i
            .entity_arn
            .rsplit_once(":delegation-request/")
            .map(|(_, id)| id.to_owned()),
        _ => None,
    }
}

/// The Organizations actions `GenerateOrganizationsAccessReport` depends on.
const ORG_REPORT_READS: [&str; 6] = [
    "organizations:DescribePolicy",
    "organizations:ListChildren",
    "organizations:ListParents",
    "organizations:ListPoliciesForTarget",
    "organizations:ListRoots",
    "organizations:ListTargetsForPolicy",
];

/// What an operation acts on, before entity paths are looked up.
#[derive(Clone)]
enum Target {
    /// No resource (`*`).
    Star,
    /// A resource whose ARN is known from the input.
    Arn(String),
    /// A user; `None` is the caller itself (the root ARN for the root user).
    User(Option<String>),
    /// A group by name.
    Group(String),
    /// A role by name.
    Role(String),
    /// An instance profile by name.
    InstanceProfile(String),
    /// The user owning an access key of the caller's account.
    KeyOwner(String),
    /// A server certificate by name; with `renamed`, what it becomes: the new name, and
    /// the new path or else its current one.
    ServerCertificate {
        name: String,
        renamed: Option<(String, Option<String>)>,
    },
    /// What a user or group becomes when renamed or moved: the new name, and the new path
    /// or else its current one.
    Renamed {
        kind: OwnerKind,
        name: String,
        new_name: String,
        new_path: Option<String>,
    },
}

/// One action an operation needs, on one target, with request-specific condition keys.
struct Need {
    action: &'static str,
    target: Target,
    tags: Vec<(String, String)>,
    context: Vec<(String, policy::ContextValue)>,
}

impl Need {
    fn new(action: &'static str, target: Target) -> Self {
        Self {
            action,
            target,
            tags: Vec::new(),
            context: Vec::new(),
        }
    }

    fn with(mut self, key: &str, value: policy::ContextValue) -> Self {
        self.context.push((key.to_owned(), value));
        self
    }

    fn tagged(mut self, tags: &[(String, String)]) -> Self {
        self.tags = tags.to_vec();
        self
    }
}

fn tag_pairs(tags: Option<&Vec<Tag>>) -> Vec<(String, String)> {
    tags.into_iter()
        .flatten()
        .map(|tag| (tag.key.clone(), tag.value.clone()))
        .collect()
}

/// Creating an entity: the create action on its future ARN, the tag action when tags are
/// given, and the boundary as `iam:PermissionsBoundary`.
fn creation(
    context: &RequestContext,
    (kind, create, tag): (&str, &'static str, &'static str),
    (path, name): (Option<&str>, &str),
    tags: Vec<(String, String)>,
    boundary: Option<&str>,
) -> Vec<Need> {
    let principal = &context.principal;
    let resource = arn::iam_entity(
        principal.partition,
        principal.account,
        kind,
        path.unwrap_or("/"),
        name,
    );
    let mut first = Need::new(create, Target::Arn(resource.clone())).tagged(&tags);
    if let Some(boundary) = boundary {
        first = first.with(
            "iam:PermissionsBoundary",
            policy::ContextValue::from(boundary),
        );
    }
    let mut needs = vec![first];
    if !tags.is_empty() {
        needs.push(Need::new(tag, Target::Arn(resource)).tagged(&tags));
    }
    needs
}

/// The actions and targets an operation needs, as AWS's Service Authorization Reference
/// lists them. The match names every operation of the model.
fn needs(context: &RequestContext, operation: &Operation) -> Vec<Need> {
    let caller = context.principal.user_name().map(str::to_owned);
    let me = |name: &Option<String>| Target::User(name.clone().or_else(|| caller.clone()));
    let user = |name: &str| Target::User(Some(name.to_owned()));
    let group = |name: &str| Target::Group(name.to_owned());
    let role = |name: &str| Target::Role(name.to_owned());
    let profile = |name: &str| Target::InstanceProfile(name.to_owned());
    let certificate = |name: &str| Target::ServerCertificate {
        name: name.to_owned(),
        renamed: None,
    };
    let arn = |text: &str| Target::Arn(text.to_owned());
    let delegation =
        |id: &str| Target::Arn(delegation_requests::request_arn(&context.principal, id));
    let policy_arn = |text: &str| policy::ContextValue::from(text);
    let one = |action, target| vec![Need::new(action, target)];
    use Operation as Op;
    match operation {
        Op::CreateUser(i) => creation(
            context,
            ("user", "iam:CreateUser", "iam:TagUser"),
            (i.path.as_deref(), &i.user_name),
            tag_pairs(i.tags.as_ref()),
            i.permissions_boundary.as_deref(),
        ),
        Op::GetUser(i) => one("iam:GetUser", me(&i.user_name)),
        Op::ListUsers(_) => one("iam:ListUsers", Target::Star),
        Op::DeleteUser(i) => one("iam:DeleteUser", user(&i.user_name)),
        // Renaming or moving needs the action on the entity as it is and as it will be.
        Op::UpdateUser(i) => vec![
            Need::new("iam:UpdateUser", user(&i.user_name)),
            Need::new(
                "iam:UpdateUser",
                Target::Renamed {
                    kind: OwnerKind::User,
                    name: i.user_name.clone(),
                    new_name: i
                        .new_user_name
                        .clone()
                        .unwrap_or_else(|| i.user_name.clone()),
                    new_path: i.new_path.clone(),
                },
            ),
        ],
        Op::PutUserPermissionsBoundary(i) => {
            vec![
                Need::new("iam:PutUserPermissionsBoundary", user(&i.user_name)).with(
                    "iam:PermissionsBoundary",
                    policy_arn(&i.permissions_boundary),
                ),
            ]
        }
        Op::DeleteUserPermissionsBoundary(i) => {
            one("iam:DeleteUserPermissionsBoundary", user(&i.user_name))
        }
        Op::CreateAccessKey(i) => one("iam:CreateAccessKey", me(&i.user_name)),
        Op::ListAccessKeys(i) => one("iam:ListAccessKeys", me(&i.user_name)),
        Op::UpdateAccessKey(i) => one("iam:UpdateAccessKey", me(&i.user_name)),
        Op::DeleteAccessKey(i) => one("iam:DeleteAccessKey", me(&i.user_name)),
        Op::GetAccessKeyLastUsed(i) => one(
            "iam:GetAccessKeyLastUsed",
            Target::KeyOwner(i.access_key_id.clone()),
        ),
        Op::CreatePolicy(i) => one(
            "iam:CreatePolicy",
            arn(&policies::policy_arn(
                context,
                i.path.as_deref().unwrap_or("/"),
                &i.policy_name,
            )),
        ),
        Op::GetPolicy(i) => one("iam:GetPolicy", arn(&i.policy_arn)),
        Op::ListPolicies(_) => one("iam:ListPolicies", Target::Star),
        Op::DeletePolicy(i) => one("iam:DeletePolicy", arn(&i.policy_arn)),
        Op::CreatePolicyVersion(i) => one("iam:CreatePolicyVersion", arn(&i.policy_arn)),
        Op::GetPolicyVersion(i) => one("iam:GetPolicyVersion", arn(&i.policy_arn)),
        Op::ListPolicyVersions(i) => one("iam:ListPolicyVersions", arn(&i.policy_arn)),
        Op::DeletePolicyVersion(i) => one("iam:DeletePolicyVersion", arn(&i.policy_arn)),
        Op::SetDefaultPolicyVersion(i) => one("iam:SetDefaultPolicyVersion", arn(&i.policy_arn)),
        Op::AttachUserPolicy(i) => vec![Need::new("iam:AttachUserPolicy", user(&i.user_name))
            .with("iam:PolicyARN", policy_arn(&i.policy_arn))],
        Op::DetachUserPolicy(i) => vec![Need::new("iam:DetachUserPolicy", user(&i.user_name))
            .with("iam:PolicyARN", policy_arn(&i.policy_arn))],
        Op::ListAttachedUserPolicies(i) => one("iam:ListAttachedUserPolicies", user(&i.user_name)),
        Op::PutUserPolicy(i) => one("iam:PutUserPolicy", user(&i.user_name)),
        Op::GetUserPolicy(i) => one("iam:GetUserPolicy", user(&i.user_name)),
        Op::ListUserPolicies(i) => one("iam:ListUserPolicies", user(&i.user_name)),
        Op::DeleteUserPolicy(i) => one("iam:DeleteUserPolicy", user(&i.user_name)),
        Op::ListGroupsForUser(i) => one("iam:ListGroupsForUser", user(&i.user_name)),
        Op::CreateGroup(i) => {
            let principal = &context.principal;
            let path = i.path.as_deref().unwrap_or("/");
            one(
                "iam:CreateGroup",
                arn(&crate::model::arn::iam_entity(
                    principal.partition,
                    principal.account,
                    "group",
                    path,
                    &i.group_name,
                )),
            )
        }
        Op::ListGroups(_) => one("iam:ListGroups", Target::Star),
        Op::GetGroup(i) => one("iam:GetGroup", group(&i.group_name)),
        Op::DeleteGroup(i) => one("iam:DeleteGroup", group(&i.group_name)),
        Op::UpdateGroup(i) => vec![
            Need::new("iam:UpdateGroup", group(&i.group_name)),
            Need::new(
                "iam:UpdateGroup",
                Target::Renamed {
                    kind: OwnerKind::Group,
                    name: i.group_name.clone(),
                    new_name: i
                        .new_group_name
                        .clone()
                        .unwrap_or_else(|| i.group_name.clone()),
                    new_path: i.new_path.clone(),
                },
            ),
        ],
        Op::AddUserToGroup(i) => one("iam:AddUserToGroup", group(&i.group_name)),
        Op::RemoveUserFromGroup(i) => one("iam:RemoveUserFromGroup", group(&i.group_name)),
        Op::AttachGroupPolicy(i) => vec![Need::new("iam:AttachGroupPolicy", group(&i.group_name))
            .with("iam:PolicyARN", policy_arn(&i.policy_arn))],
        Op::DetachGroupPolicy(i) => vec![Need::new("iam:DetachGroupPolicy", group(&i.group_name))
            .with("iam:PolicyARN", policy_arn(&i.policy_arn))],
        Op::ListAttachedGroupPolicies(i) => {
            one("iam:ListAttachedGroupPolicies", group(&i.group_name))
        }
        Op::PutGroupPolicy(i) => one("iam:PutGroupPolicy", group(&i.group_name)),
        Op::GetGroupPolicy(i) => one("iam:GetGroupPolicy", group(&i.group_name)),
        Op::ListGroupPolicies(i) => one("iam:ListGroupPolicies", group(&i.group_name)),
        Op::DeleteGroupPolicy(i) => one("iam:DeleteGroupPolicy", group(&i.group_name)),
        Op::CreateRole(i) => creation(
            context,
            ("role", "iam:CreateRole", "iam:TagRole"),
            (i.path.as_deref(), &i.role_name),
            tag_pairs(i.tags.as_ref()),
            i.permissions_boundary.as_deref(),
        ),
        Op::ListRoles(_) => one("iam:ListRoles", Target::Star),
        Op::GetRole(i) => one("iam:GetRole", role(&i.role_name)),
        Op::DeleteRole(i) => one("iam:DeleteRole", role(&i.role_name)),
        Op::UpdateRole(i) => one("iam:UpdateRole", role(&i.role_name)),
        Op::UpdateRoleDescription(i) => one("iam:UpdateRoleDescription", role(&i.role_name)),
        Op::UpdateAssumeRolePolicy(i) => one("iam:UpdateAssumeRolePolicy", role(&i.role_name)),
        Op::PutRolePermissionsBoundary(i) => {
            vec![
                Need::new("iam:PutRolePermissionsBoundary", role(&i.role_name)).with(
                    "iam:PermissionsBoundary",
                    policy_arn(&i.permissions_boundary),
                ),
            ]
        }
        Op::DeleteRolePermissionsBoundary(i) => {
            one("iam:DeleteRolePermissionsBoundary", role(&i.role_name))
        }
        Op::TagRole(i) => {
            vec![Need::new("iam:TagRole", role(&i.role_name)).tagged(&tag_pairs(Some(&i.tags)))]
        }
        Op::UntagRole(i) => vec![Need::new("iam:UntagRole", role(&i.role_name)).with(
            "aws:TagKeys",
            policy::ContextValue::multi(i.tag_keys.clone()),
        )],
        Op::ListRoleTags(i) => one("iam:ListRoleTags", role(&i.role_name)),
        Op::AttachRolePolicy(i) => vec![Need::new("iam:AttachRolePolicy", role(&i.role_name))
            .with("iam:PolicyARN", policy_arn(&i.policy_arn))],
        Op::DetachRolePolicy(i) => vec![Need::new("iam:DetachRolePolicy", role(&i.role_name))
            .with("iam:PolicyARN", policy_arn(&i.policy_arn))],
        Op::ListAttachedRolePolicies(i) => one("iam:ListAttachedRolePolicies", role(&i.role_name)),
        Op::PutRolePolicy(i) => one("iam:PutRolePolicy", role(&i.role_name)),
        Op::GetRolePolicy(i) => one("iam:GetRolePolicy", role(&i.role_name)),
        Op::ListRolePolicies(i) => one("iam:ListRolePolicies", role(&i.role_name)),
        Op::DeleteRolePolicy(i) => one("iam:DeleteRolePolicy", role(&i.role_name)),
        Op::CreateLoginProfile(i) => one("iam:CreateLoginProfile", me(&i.user_name)),
        Op::GetLoginProfile(i) => one("iam:GetLoginProfile", me(&i.user_name)),
        Op::UpdateLoginProfile(i) => one("iam:UpdateLoginProfile", user(&i.user_name)),
        Op::DeleteLoginProfile(i) => one("iam:DeleteLoginProfile", me(&i.user_name)),
        Op::ChangePassword(_) => one("iam:ChangePassword", me(&None)),
        Op::UpdateAccountPasswordPolicy(_) => one("iam:UpdateAccountPasswordPolicy", Target::Star),
        Op::GetAccountPasswordPolicy => one("iam:GetAccountPasswordPolicy", Target::Star),
        Op::DeleteAccountPasswordPolicy => one("iam:DeleteAccountPasswordPolicy", Target::Star),
        Op::CreateVirtualMFADevice(i) => creation(
            context,
            ("mfa", "iam:CreateVirtualMFADevice", "iam:TagMFADevice"),
            (i.path.as_deref(), &i.virtual_mfa_device_name),
            tag_pairs(i.tags.as_ref()),
            None,
        ),
        Op::EnableMFADevice(i) => one("iam:EnableMFADevice", user(&i.user_name)),
        Op::ResyncMFADevice(i) => one("iam:ResyncMFADevice", user(&i.user_name)),
        Op::DeactivateMFADevice(i) => one("iam:DeactivateMFADevice", me(&i.user_name)),
        Op::GetMFADevice(i) => one("iam:GetMFADevice", me(&i.user_name)),
        Op::ListMFADevices(i) => one("iam:ListMFADevices", me(&i.user_name)),
        Op::ListVirtualMFADevices(_) => one("iam:ListVirtualMFADevices", Target::Star),
        Op::DeleteVirtualMFADevice(i) => one("iam:DeleteVirtualMFADevice", arn(&i.serial_number)),
        Op::TagMFADevice(i) => {
            vec![Need::new("iam:TagMFADevice", arn(&i.serial_number))
                .tagged(&tag_pairs(Some(&i.tags)))]
        }
        Op::UntagMFADevice(i) => vec![Need::new("iam:UntagMFADevice", arn(&i.serial_number)).with(
            "aws:TagKeys",
            policy::ContextValue::multi(i.tag_keys.clone()),
        )],
        Op::ListMFADeviceTags(i) => one("iam:ListMFADeviceTags", arn(&i.serial_number)),
        Op::CreateInstanceProfile(i) => creation(
            context,
            (
                "instance-profile",
                "iam:CreateInstanceProfile",
                "iam:TagInstanceProfile",
            ),
            (i.path.as_deref(), &i.instance_profile_name),
            tag_pairs(i.tags.as_ref()),
            None,
        ),
        Op::GetInstanceProfile(i) => {
            one("iam:GetInstanceProfile", profile(&i.instance_profile_name))
        }
        Op::DeleteInstanceProfile(i) => one(
            "iam:DeleteInstanceProfile",
            profile(&i.instance_profile_name),
        ),
        Op::ListInstanceProfiles(_) => one("iam:ListInstanceProfiles", Target::Star),
        Op::ListInstanceProfilesForRole(i) => {
            one("iam:ListInstanceProfilesForRole", role(&i.role_name))
        }
        // AWS requires the caller to be allowed to pass the role it puts in the profile.
        Op::AddRoleToInstanceProfile(i) => vec![
            Need::new(
                "iam:AddRoleToInstanceProfile",
                profile(&i.instance_profile_name),
            ),
            Need::new("iam:PassRole", role(&i.role_name)),
        ],
        Op::RemoveRoleFromInstanceProfile(i) => one(
            "iam:RemoveRoleFromInstanceProfile",
            profile(&i.instance_profile_name),
        ),
        Op::TagInstanceProfile(i) => {
            vec![
                Need::new("iam:TagInstanceProfile", profile(&i.instance_profile_name))
                    .tagged(&tag_pairs(Some(&i.tags))),
            ]
        }
        Op::UntagInstanceProfile(i) => vec![Need::new(
            "iam:UntagInstanceProfile",
            profile(&i.instance_profile_name),
        )
        .with(
            "aws:TagKeys",
            policy::ContextValue::multi(i.tag_keys.clone()),
        )],
        Op::ListInstanceProfileTags(i) => one(
            "iam:ListInstanceProfileTags",
            profile(&i.instance_profile_name),
        ),
        Op::TagUser(i) => {
            vec![Need::new("iam:TagUser", user(&i.user_name)).tagged(&tag_pairs(Some(&i.tags)))]
        }
        Op::UntagUser(i) => vec![Need::new("iam:UntagUser", user(&i.user_name)).with(
            "aws:TagKeys",
            policy::ContextValue::multi(i.tag_keys.clone()),
        )],
        Op::ListUserTags(i) => one("iam:ListUserTags", user(&i.user_name)),
        Op::TagPolicy(i) => {
            vec![Need::new("iam:TagPolicy", arn(&i.policy_arn)).tagged(&tag_pairs(Some(&i.tags)))]
        }
        Op::UntagPolicy(i) => vec![Need::new("iam:UntagPolicy", arn(&i.policy_arn)).with(
            "aws:TagKeys",
            policy::ContextValue::multi(i.tag_keys.clone()),
        )],
        Op::ListPolicyTags(i) => one("iam:ListPolicyTags", arn(&i.policy_arn)),
        Op::CreateServiceLinkedRole(i) => {
            let path = format!(
                "{}{}/",
                service_linked_roles::PATH_PREFIX,
                i.aws_service_name
            );
            let name =
                service_linked_roles::role_name(&i.aws_service_name, i.custom_suffix.as_deref())
                    .unwrap_or_default();
            let principal = &context.principal;
            vec![Need::new(
                "iam:CreateServiceLinkedRole",
                arn(&arn::iam_entity(
                    principal.partition,
                    principal.account,
                    "role",
                    &path,
                    &name,
                )),
            )
            .with(
                "iam:AWSServiceName",
                policy::ContextValue::from(i.aws_service_name.as_str()),
            )]
        }
        Op::DeleteServiceLinkedRole(i) => one("iam:DeleteServiceLinkedRole", role(&i.role_name)),
        Op::GetServiceLinkedRoleDeletionStatus(i) => {
            let principal = &context.principal;
            let (path, name) = service_linked_roles::task_role(&i.deletion_task_id)
                .unwrap_or_else(|| ("/".to_owned(), String::new()));
            one(
                "iam:GetServiceLinkedRoleDeletionStatus",
                arn(&arn::iam_entity(
                    principal.partition,
                    principal.account,
                    "role",
                    &path,
                    &name,
                )),
            )
        }
        Op::GetAccountSummary => one("iam:GetAccountSummary", Target::Star),
        Op::GenerateCredentialReport => one("iam:GenerateCredentialReport", Target::Star),
        Op::GetCredentialReport => one("iam:GetCredentialReport", Target::Star),
        Op::CreateOpenIDConnectProvider(i) => {
            let resource = i
                .url
                .strip_prefix("https://")
                .map(|rest| rest.trim_end_matches('/'))
                .unwrap_or(&i.url);
            let target = arn(&providers::oidc_arn(context, resource));
            let tags = tag_pairs(i.tags.as_ref());
            let mut needs =
                vec![Need::new("iam:CreateOpenIDConnectProvider", target.clone()).tagged(&tags)];
            if !tags.is_empty() {
                needs.push(Need::new("iam:TagOpenIDConnectProvider", target).tagged(&tags));
            }
            needs
        }
        Op::GetOpenIDConnectProvider(i) => one(
            "iam:GetOpenIDConnectProvider",
            arn(&i.open_id_connect_provider_arn),
        ),
        Op::DeleteOpenIDConnectProvider(i) => one(
            "iam:DeleteOpenIDConnectProvider",
            arn(&i.open_id_connect_provider_arn),
        ),
        Op::ListOpenIDConnectProviders(_) => one("iam:ListOpenIDConnectProviders", Target::Star),
        Op::AddClientIDToOpenIDConnectProvider(i) => one(
            "iam:AddClientIDToOpenIDConnectProvider",
            arn(&i.open_id_connect_provider_arn),
        ),
        Op::RemoveClientIDFromOpenIDConnectProvider(i) => one(
            "iam:RemoveClientIDFromOpenIDConnectProvider",
            arn(&i.open_id_connect_provider_arn),
        ),
        Op::UpdateOpenIDConnectProviderThumbprint(i) => one(
            "iam:UpdateOpenIDConnectProviderThumbprint",
            arn(&i.open_id_connect_provider_arn),
        ),
        Op::TagOpenIDConnectProvider(i) => vec![Need::new(
            "iam:TagOpenIDConnectProvider",
            arn(&i.open_id_connect_provider_arn),
        )
        .tagged(&tag_pairs(Some(&i.tags)))],
        Op::UntagOpenIDConnectProvider(i) => vec![Need::new(
            "iam:UntagOpenIDConnectProvider",
            arn(&i.open_id_connect_provider_arn),
        )
        .with(
            "aws:TagKeys",
            policy::ContextValue::multi(i.tag_keys.clone()),
        )],
        Op::ListOpenIDConnectProviderTags(i) => one(
            "iam:ListOpenIDConnectProviderTags",
            arn(&i.open_id_connect_provider_arn),
        ),
        Op::CreateSAMLProvider(i) => {
            let target = arn(&providers::saml_arn(context, &i.name));
            let tags = tag_pairs(i.tags.as_ref());
            let mut needs = vec![Need::new("iam:CreateSAMLProvider", target.clone()).tagged(&tags)];
            if !tags.is_empty() {
                needs.push(Need::new("iam:TagSAMLProvider", target).tagged(&tags));
            }
            needs
        }
        Op::GetSAMLProvider(i) => one("iam:GetSAMLProvider", arn(&i.saml_provider_arn)),
        Op::UpdateSAMLProvider(i) => one("iam:UpdateSAMLProvider", arn(&i.saml_provider_arn)),
        Op::DeleteSAMLProvider(i) => one("iam:DeleteSAMLProvider", arn(&i.saml_provider_arn)),
        Op::ListSAMLProviders(_) => one("iam:ListSAMLProviders", Target::Star),
        Op::TagSAMLProvider(i) => vec![Need::new("iam:TagSAMLProvider", arn(&i.saml_provider_arn))
            .tagged(&tag_pairs(Some(&i.tags)))],
        Op::UntagSAMLProvider(i) => {
            vec![
                Need::new("iam:UntagSAMLProvider", arn(&i.saml_provider_arn)).with(
                    "aws:TagKeys",
                    policy::ContextValue::multi(i.tag_keys.clone()),
                ),
            ]
        }
        Op::ListSAMLProviderTags(i) => one("iam:ListSAMLProviderTags", arn(&i.saml_provider_arn)),
        Op::CreateAccountAlias(_) => one("iam:CreateAccountAlias", Target::Star),
        Op::DeleteAccountAlias(_) => one("iam:DeleteAccountAlias", Target::Star),
        Op::ListAccountAliases(_) => one("iam:ListAccountAliases", Target::Star),
        Op::SimulatePrincipalPolicy(i) => {
            one("iam:SimulatePrincipalPolicy", arn(&i.policy_source_arn))
        }
        Op::SimulateCustomPolicy(_) => one("iam:SimulateCustomPolicy", Target::Star),
        Op::GetContextKeysForPrincipalPolicy(i) => one(
            "iam:GetContextKeysForPrincipalPolicy",
            arn(&i.policy_source_arn),
        ),
        Op::GetContextKeysForCustomPolicy(_) => {
            one("iam:GetContextKeysForCustomPolicy", Target::Star)
        }
        Op::ListEntitiesForPolicy(i) => one("iam:ListEntitiesForPolicy", arn(&i.policy_arn)),
        Op::EnableOrganizationsRootCredentialsManagement(_) => one(
            "iam:EnableOrganizationsRootCredentialsManagement",
            Target::Star,
        ),
        Op::DisableOrganizationsRootCredentialsManagement(_) => one(
            "iam:DisableOrganizationsRootCredentialsManagement",
            Target::Star,
        ),
        Op::EnableOrganizationsRootSessions(_) => {
            one("iam:EnableOrganizationsRootSessions", Target::Star)
        }
        Op::DisableOrganizationsRootSessions(_) => {
            one("iam:DisableOrganizationsRootSessions", Target::Star)
        }
        Op::ListOrganizationsFeatures(_) => one("iam:ListOrganizationsFeatures", Target::Star),
        Op::SetSecurityTokenServicePreferences(_) => {
            one("iam:SetSecurityTokenServicePreferences", Target::Star)
        }
        Op::ListPoliciesGrantingServiceAccess(i) => {
            one("iam:ListPoliciesGrantingServiceAccess", arn(&i.arn))
        }
        Op::GetAccountAuthorizationDetails(_) => {
            one("iam:GetAccountAuthorizationDetails", Target::Star)
        }
        Op::UploadServerCertificate(i) => creation(
            context,
            (
                "server-certificate",
                "iam:UploadServerCertificate",
                "iam:TagServerCertificate",
            ),
            (i.path.as_deref(), &i.server_certificate_name),
            tag_pairs(i.tags.as_ref()),
            None,
        ),
        Op::GetServerCertificate(i) => one(
            "iam:GetServerCertificate",
            certificate(&i.server_certificate_name),
        ),
        Op::ListServerCertificates(_) => one("iam:ListServerCertificates", Target::Star),
        // Renaming or moving needs the action on the certificate as it is and as it will be.
        Op::UpdateServerCertificate(i) => vec![
            Need::new(
                "iam:UpdateServerCertificate",
                certificate(&i.server_certificate_name),
            ),
            Need::new(
                "iam:UpdateServerCertificate",
                Target::ServerCertificate {
                    name: i.server_certificate_name.clone(),
                    renamed: Some((
                        i.new_server_certificate_name
                            .clone()
                            .unwrap_or_else(|| i.server_certificate_name.clone()),
                        i.new_path.clone(),
                    )),
                },
            ),
        ],
        Op::DeleteServerCertificate(i) => one(
            "iam:DeleteServerCertificate",
            certificate(&i.server_certificate_name),
        ),
        Op::TagServerCertificate(i) => vec![Need::new(
            "iam:TagServerCertificate",
            certificate(&i.server_certificate_name),
        )
        .tagged(&tag_pairs(Some(&i.tags)))],
        Op::UntagServerCertificate(i) => vec![Need::new(
            "iam:UntagServerCertificate",
            certificate(&i.server_certificate_name),
        )
        .with(
            "aws:TagKeys",
            policy::ContextValue::multi(i.tag_keys.clone()),
        )],
        Op::ListServerCertificateTags(i) => one(
            "iam:ListServerCertificateTags",
            certificate(&i.server_certificate_name),
        ),
        Op::UploadSSHPublicKey(i) => one("iam:UploadSSHPublicKey", user(&i.user_name)),
        Op::GetSSHPublicKey(i) => one("iam:GetSSHPublicKey", user(&i.user_name)),
        Op::ListSSHPublicKeys(i) => one("iam:ListSSHPublicKeys", me(&i.user_name)),
        Op::UpdateSSHPublicKey(i) => one("iam:UpdateSSHPublicKey", user(&i.user_name)),
        Op::DeleteSSHPublicKey(i) => one("iam:DeleteSSHPublicKey", user(&i.user_name)),
        Op::UploadSigningCertificate(i) => one("iam:UploadSigningCertificate", me(&i.user_name)),
        Op::ListSigningCertificates(i) => one("iam:ListSigningCertificates", me(&i.user_name)),
        Op::UpdateSigningCertificate(i) => one("iam:UpdateSigningCertificate", me(&i.user_name)),
        Op::DeleteSigningCertificate(i) => one("iam:DeleteSigningCertificate", me(&i.user_name)),
        Op::CreateServiceSpecificCredential(i) => {
            one("iam:CreateServiceSpecificCredential", user(&i.user_name))
        }
        // Listing every user's credentials is about no one user.
        Op::ListServiceSpecificCredentials(i) if i.all_users == Some(true) => {
            one("iam:ListServiceSpecificCredentials", Target::Star)
        }
        Op::ListServiceSpecificCredentials(i) => {
            one("iam:ListServiceSpecificCredentials", me(&i.user_name))
        }
        Op::ResetServiceSpecificCredential(i) => {
            one("iam:ResetServiceSpecificCredential", me(&i.user_name))
        }
        Op::UpdateServiceSpecificCredential(i) => {
            one("iam:UpdateServiceSpecificCredential", me(&i.user_name))
        }
        Op::DeleteServiceSpecificCredential(i) => {
            one("iam:DeleteServiceSpecificCredential", me(&i.user_name))
        }
        Op::GenerateServiceLastAccessedDetails(i) => {
            one("iam:GenerateServiceLastAccessedDetails", arn(&i.arn))
        }
        Op::GetServiceLastAccessedDetails(_) => {
            one("iam:GetServiceLastAccessedDetails", Target::Star)
        }
        Op::GetServiceLastAccessedDetailsWithEntities(_) => one(
            "iam:GetServiceLastAccessedDetailsWithEntities",
            Target::Star,
        ),
        // The report reads the organization's structure and SCPs: AWS lists these
        // Organizations actions as its dependent actions.
        Op::GenerateOrganizationsAccessReport(i) => {
            let principal = &context.principal;
            let report = format!(
                "arn:{}:iam::{}:access-report/{}",
                principal.partition, principal.account, i.entity_path
            );
            let mut first = Need::new("iam:GenerateOrganizationsAccessReport", arn(&report));
            if let Some(id) = &i.organizations_policy_id {
                first = first.with(
                    "iam:OrganizationsPolicyId",
                    policy::ContextValue::from(id.as_str()),
                );
            }
            let mut needs = vec![first];
            needs.extend(
                ORG_REPORT_READS
                    .iter()
                    .map(|action| Need::new(action, Target::Star)),
            );
            needs
        }
        Op::GetOrganizationsAccessReport(_) => {
            one("iam:GetOrganizationsAccessReport", Target::Star)
        }
        // A delegation request is authorized as a resource of the caller's account.
        Op::CreateDelegationRequest(_) => one("iam:CreateDelegationRequest", Target::Star),
        Op::ListDelegationRequests(_) => one("iam:ListDelegationRequests", Target::Star),
        Op::GetDelegationRequest(i) => one(
            "iam:GetDelegationRequest",
            delegation(&i.delegation_request_id),
        ),
        Op::AssociateDelegationRequest(i) => one(
            "iam:AssociateDelegationRequest",
            delegation(&i.delegation_request_id),
        ),
        Op::UpdateDelegationRequest(i) => one(
            "iam:UpdateDelegationRequest",
            delegation(&i.delegation_request_id),
        ),
        Op::AcceptDelegationRequest(i) => one(
            "iam:AcceptDelegationRequest",
            delegation(&i.delegation_request_id),
        ),
        Op::RejectDelegationRequest(i) => one(
            "iam:RejectDelegationRequest",
            delegation(&i.delegation_request_id),
        ),
        Op::SendDelegationToken(i) => one(
            "iam:SendDelegationToken",
            delegation(&i.delegation_request_id),
        ),
        // A delegation request's summary is checked on the request as the caller's
        // account names it, whichever account the given ARN names.
        Op::GetHumanReadableSummary(i) => one(
            "iam:GetHumanReadableSummary",
            match i.entity_arn.rsplit_once(":delegation-request/") {
                Some((_, id)) => delegation(id),
                None => arn(&i.entity_arn),
            },
        ),
        Op::EnableOutboundWebIdentityFederation => {
            one("iam:EnableOutboundWebIdentityFederation", Target::Star)
        }
        Op::DisableOutboundWebIdentityFederation => {
            one("iam:DisableOutboundWebIdentityFederation", Target::Star)
        }
        Op::GetOutboundWebIdentityFederationInfo => {
            one("iam:GetOutboundWebIdentityFederationInfo", Target::Star)
        }
    }
}

/// The accesses an operation needs, with each target's ARN resolved (entity paths are
/// read from the store, inside the request's transaction).
async fn access(
    tx: &mut Tx,
    context: &RequestContext,
    operation: &Operation,
) -> Result<Vec<Access>, ServiceError> {
    let mut resolved = Vec::new();
    for need in needs(context, operation) {
        let mut access = match need.target {
            Target::Star => Access::new(need.action, "*"),
            Target::Arn(arn) => Access::new(need.action, arn),
            Target::User(name) => user_access(tx, context, need.action, name).await?,
            Target::Group(name) => {
                entity_access(tx, context, OwnerKind::Group, need.action, &name).await?
            }
            Target::Role(name) => {
                entity_access(tx, context, OwnerKind::Role, need.action, &name).await?
            }
            Target::Renamed {
                kind,
                name,
                new_name,
                new_path,
            } => {
                let (label, path) = entity_path(tx, context, kind, &name).await?;
                let path = new_path.or(path).unwrap_or_else(|| "/".to_owned());
                let principal = &context.principal;
                Access::new(
                    need.action,
                    arn::iam_entity(
                        principal.partition,
                        principal.account,
                        label,
                        &path,
                        &new_name,
                    ),
                )
            }
            Target::InstanceProfile(name) => {
                let principal = &context.principal;
                let path = tx
                    .instance_profile(&principal.account.to_string(), &name)
                    .await?
                    .map_or_else(|| "/".to_owned(), |profile| profile.path);
                Access::new(
                    need.action,
                    arn::iam_entity(
                        principal.partition,
                        principal.account,
                        "instance-profile",
                        &path,
                        &name,
                    ),
                )
            }
            Target::ServerCertificate { name, renamed } => {
                let principal = &context.principal;
                let current = tx
                    .server_certificate(&principal.account.to_string(), &name)
                    .await?
                    .map(|found| found.path);
                let (name, path) = match renamed {
                    Some((new_name, new_path)) => (new_name, new_path.or(current)),
                    None => (name, current),
                };
                Access::new(
                    need.action,
                    server_certificates::certificate_arn(
                        context,
                        path.as_deref().unwrap_or("/"),
                        &name,
                    ),
                )
            }
            Target::KeyOwner(key_id) => {
                let account = context.principal.account.to_string();
                let owner = tx
                    .access_key_by_id(&key_id)
                    .await?
                    .filter(|key| key.account_id == account)
                    .and_then(|key| match key.owner {
                        crate::store::KeyOwner::User(name) => Some(name),
                        crate::store::KeyOwner::Root => None,
                    });
                user_access(tx, context, need.action, owner).await?
            }
        }
        .with_request_tags(&need.tags);
        access.context.extend(need.context);
        resolved.push(access);
    }
    Ok(resolved)
}

/// Access to a user resource; `None` (the root user acting on itself) is the account's
/// root ARN.
async fn user_access(
    tx: &mut Tx,
    context: &RequestContext,
    action: &'static str,
    name: Option<String>,
) -> Result<Access, ServiceError> {
    match name {
        Some(name) => entity_access(tx, context, OwnerKind::User, action, &name).await,
        None => {
            let principal = &context.principal;
            Ok(Access::new(
                action,
                arn::root(principal.partition, principal.account),
            ))
        }
    }
}

/// Access to a user, group or role. The ARN carries the entity's path when it exists
/// (`/` otherwise, as AWS authorizes requests about entities that do not exist).
async fn entity_access(
    tx: &mut Tx,
    context: &RequestContext,
    kind: OwnerKind,
    action: &'static str,
    name: &str,
) -> Result<Access, ServiceError> {
    let principal = &context.principal;
    let (label, path) = entity_path(tx, context, kind, name).await?;
    let path = path.unwrap_or_else(|| "/".to_owned());
    Ok(Access::new(
        action,
        arn::iam_entity(principal.partition, principal.account, label, &path, name),
    ))
}

/// The ARN label of a user, group or role (`user`, …) and its path, when it exists.
async fn entity_path(
    tx: &mut Tx,
    context: &RequestContext,
    kind: OwnerKind,
    name: &str,
) -> Result<(&'static str, Option<String>), ServiceError> {
    let account = context.principal.account.to_string();
    Ok(match kind {
        OwnerKind::User => ("user", tx.user(&account, name).await?.map(|user| user.path)),
        OwnerKind::Group => (
            "group",
            tx.group(&account, name).await?.map(|group| group.path),
        ),
        OwnerKind::Role => ("role", tx.role(&account, name).await?.map(|role| role.path)),
    })
}
