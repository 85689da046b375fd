//! IAM: the identities of an account. `call` works out the access an operation needs,
//! has it authorized, then runs the `handle_*` function (one file per topic) inside one
//! transaction, and marks the account's authorization views stale after a change.

mod access_keys;
mod documents;
mod groups;
mod inline_policies;
mod pagination;
mod policies;
mod roles;
mod users;

use wire::iam::*;
use wire::ServiceError;

use crate::auth::authorize::{authorize, Access};
use crate::model::arn;
use crate::server::App;
use crate::store::{OwnerKind, Tx};

use super::RequestContext;

/// Authorizes and runs one IAM operation.
pub async fn call(
    app: &App,
    context: &RequestContext,
    operation: Operation,
) -> Result<Output, ServiceError> {
    context.trace(operation.name());
    let mutates = !["Get", "List", "Generate", "Simulate"]
        .iter()
        .any(|prefix| operation.name().starts_with(prefix));
    let mut tx = app.store().begin().await.map_err(|err| app.internal(err))?;
    let needed = access(app, &mut tx, context, &operation).await?;
    let view = app
        .policies()
        .view(&mut tx, &context.principal)
        .await
        .map_err(|err| app.internal(err))?;
    let environment = context.environment(app);
    for access in &needed {
        authorize(&context.principal, &view, access, &environment)?;
    }
    let output = dispatch(app, &mut tx, context, operation).await?;
    tx.commit().await.map_err(|err| app.internal(err))?;
    if mutates {
        app.policies().changed(context.principal.account);
    }
    Ok(output)
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
            Output::CreateUser(users::handle_create_user(app, tx, context, input).await?)
        }
        Operation::GetUser(input) => {
            Output::GetUser(users::handle_get_user(app, tx, context, input).await?)
        }
        Operation::ListUsers(input) => {
            Output::ListUsers(users::handle_list_users(app, tx, context, input).await?)
        }
        Operation::DeleteUser(input) => {
            users::handle_delete_user(app, tx, context, input).await?;
            Output::DeleteUser
        }
        Operation::PutUserPermissionsBoundary(input) => {
            users::handle_put_user_permissions_boundary(
                app,
                tx,
                context,
                &input.user_name,
                &input.permissions_boundary,
            )
            .await?;
            Output::PutUserPermissionsBoundary
        }
        Operation::DeleteUserPermissionsBoundary(input) => {
            users::handle_delete_user_permissions_boundary(app, tx, context, &input.user_name)
                .await?;
            Output::DeleteUserPermissionsBoundary
        }
        Operation::CreateAccessKey(input) => Output::CreateAccessKey(
            access_keys::handle_create_access_key(app, tx, context, input).await?,
        ),
        Operation::ListAccessKeys(input) => Output::ListAccessKeys(
            access_keys::handle_list_access_keys(app, tx, context, input).await?,
        ),
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
            Output::CreatePolicy(policies::handle_create_policy(app, tx, context, input).await?)
        }
        Operation::GetPolicy(input) => {
            Output::GetPolicy(policies::handle_get_policy(app, tx, context, input).await?)
        }
        Operation::ListPolicies(input) => {
            Output::ListPolicies(policies::handle_list_policies(app, tx, context, input).await?)
        }
        Operation::DeletePolicy(input) => {
            policies::handle_delete_policy(app, tx, context, &input.policy_arn).await?;
            Output::DeletePolicy
        }
        Operation::CreatePolicyVersion(input) => Output::CreatePolicyVersion(
            policies::handle_create_policy_version(app, tx, context, input).await?,
        ),
        Operation::GetPolicyVersion(input) => Output::GetPolicyVersion(
            policies::handle_get_policy_version(app, tx, context, input).await?,
        ),
        Operation::ListPolicyVersions(input) => Output::ListPolicyVersions(
            policies::handle_list_policy_versions(app, tx, context, input).await?,
        ),
        Operation::DeletePolicyVersion(input) => {
            policies::handle_delete_policy_version(
                app,
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
                app,
                tx,
                context,
                &input.policy_arn,
                &input.version_id,
            )
            .await?;
            Output::SetDefaultPolicyVersion
        }
        Operation::AttachUserPolicy(input) => {
            let found = users::find_user(
                app,
                tx,
                &context.principal.account.to_string(),
                &input.user_name,
            )
            .await?;
            policies::attach(app, tx, context, user, &found.user_name, &input.policy_arn).await?;
            Output::AttachUserPolicy
        }
        Operation::DetachUserPolicy(input) => {
            let found = users::find_user(
                app,
                tx,
                &context.principal.account.to_string(),
                &input.user_name,
            )
            .await?;
            policies::detach(app, tx, context, user, &found.user_name, &input.policy_arn).await?;
            Output::DetachUserPolicy
        }
        Operation::ListAttachedUserPolicies(input) => {
            let found = users::find_user(
                app,
                tx,
                &context.principal.account.to_string(),
                &input.user_name,
            )
            .await?;
            let attached = policies::attached(
                app,
                tx,
                context,
                user,
                &found.user_name,
                input.path_prefix.as_deref(),
            )
            .await?;
            Output::ListAttachedUserPolicies(ListAttachedUserPoliciesResponse {
                attached_policies: Some(attached),
                is_truncated: Some(false),
                marker: None,
            })
        }
        Operation::AttachGroupPolicy(input) => {
            let found = groups::find_group(app, tx, context, &input.group_name).await?;
            policies::attach(
                app,
                tx,
                context,
                group,
                &found.group_name,
                &input.policy_arn,
            )
            .await?;
            Output::AttachGroupPolicy
        }
        Operation::DetachGroupPolicy(input) => {
            let found = groups::find_group(app, tx, context, &input.group_name).await?;
            policies::detach(
                app,
                tx,
                context,
                group,
                &found.group_name,
                &input.policy_arn,
            )
            .await?;
            Output::DetachGroupPolicy
        }
        Operation::ListAttachedGroupPolicies(input) => {
            let found = groups::find_group(app, tx, context, &input.group_name).await?;
            let attached = policies::attached(
                app,
                tx,
                context,
                group,
                &found.group_name,
                input.path_prefix.as_deref(),
            )
            .await?;
            Output::ListAttachedGroupPolicies(ListAttachedGroupPoliciesResponse {
                attached_policies: Some(attached),
                is_truncated: Some(false),
                marker: None,
            })
        }
        Operation::PutUserPolicy(input) => {
            let found = users::find_user(
                app,
                tx,
                &context.principal.account.to_string(),
                &input.user_name,
            )
            .await?;
            inline_policies::put(
                app,
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
            let found = users::find_user(
                app,
                tx,
                &context.principal.account.to_string(),
                &input.user_name,
            )
            .await?;
            let document =
                inline_policies::get(app, tx, context, user, &found.user_name, &input.policy_name)
                    .await?;
            Output::GetUserPolicy(GetUserPolicyResponse {
                user_name: found.user_name,
                policy_name: input.policy_name,
                policy_document: document,
            })
        }
        Operation::ListUserPolicies(input) => {
            let found = users::find_user(
                app,
                tx,
                &context.principal.account.to_string(),
                &input.user_name,
            )
            .await?;
            Output::ListUserPolicies(ListUserPoliciesResponse {
                policy_names: inline_policies::list(app, tx, context, user, &found.user_name)
                    .await?,
                is_truncated: Some(false),
                marker: None,
            })
        }
        Operation::DeleteUserPolicy(input) => {
            let found = users::find_user(
                app,
                tx,
                &context.principal.account.to_string(),
                &input.user_name,
            )
            .await?;
            inline_policies::delete(app, tx, context, user, &found.user_name, &input.policy_name)
                .await?;
            Output::DeleteUserPolicy
        }
        Operation::PutGroupPolicy(input) => {
            let found = groups::find_group(app, tx, context, &input.group_name).await?;
            inline_policies::put(
                app,
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
            let found = groups::find_group(app, tx, context, &input.group_name).await?;
            let document = inline_policies::get(
                app,
                tx,
                context,
                group,
                &found.group_name,
                &input.policy_name,
            )
            .await?;
            Output::GetGroupPolicy(GetGroupPolicyResponse {
                group_name: found.group_name,
                policy_name: input.policy_name,
                policy_document: document,
            })
        }
        Operation::ListGroupPolicies(input) => {
            let found = groups::find_group(app, tx, context, &input.group_name).await?;
            Output::ListGroupPolicies(ListGroupPoliciesResponse {
                policy_names: inline_policies::list(app, tx, context, group, &found.group_name)
                    .await?,
                is_truncated: Some(false),
                marker: None,
            })
        }
        Operation::DeleteGroupPolicy(input) => {
            let found = groups::find_group(app, tx, context, &input.group_name).await?;
            inline_policies::delete(
                app,
                tx,
                context,
                group,
                &found.group_name,
                &input.policy_name,
            )
            .await?;
            Output::DeleteGroupPolicy
        }
        Operation::CreateGroup(input) => {
            Output::CreateGroup(groups::handle_create_group(app, tx, context, input).await?)
        }
        Operation::GetGroup(input) => {
            Output::GetGroup(groups::handle_get_group(app, tx, context, input).await?)
        }
        Operation::ListGroups(input) => {
            Output::ListGroups(groups::handle_list_groups(app, tx, context, input).await?)
        }
        Operation::DeleteGroup(input) => {
            groups::handle_delete_group(app, tx, context, &input.group_name).await?;
            Output::DeleteGroup
        }
        Operation::AddUserToGroup(input) => {
            groups::handle_add_user_to_group(app, tx, context, &input.group_name, &input.user_name)
                .await?;
            Output::AddUserToGroup
        }
        Operation::RemoveUserFromGroup(input) => {
            groups::handle_remove_user_from_group(
                app,
                tx,
                context,
                &input.group_name,
                &input.user_name,
            )
            .await?;
            Output::RemoveUserFromGroup
        }
        Operation::ListGroupsForUser(input) => Output::ListGroupsForUser(
            groups::handle_list_groups_for_user(app, tx, context, input).await?,
        ),
        Operation::CreateRole(input) => {
            Output::CreateRole(roles::handle_create_role(app, tx, context, input).await?)
        }
        Operation::GetRole(input) => {
            let found = roles::find_role(app, tx, context, &input.role_name).await?;
            Output::GetRole(GetRoleResponse {
                role: roles::to_wire(context, &found),
            })
        }
        Operation::ListRoles(input) => {
            Output::ListRoles(roles::handle_list_roles(app, tx, context, input).await?)
        }
        Operation::DeleteRole(input) => {
            roles::handle_delete_role(app, tx, context, &input.role_name).await?;
            Output::DeleteRole
        }
        Operation::UpdateRole(input) => {
            roles::update(app, tx, context, &input.role_name, |record| {
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
            let updated = roles::update(app, tx, context, &input.role_name, |record| {
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
            roles::update(app, tx, context, &input.role_name, |record| {
                record.trust_policy = input.policy_document;
                Ok(())
            })
            .await?;
            Output::UpdateAssumeRolePolicy
        }
        Operation::PutRolePermissionsBoundary(input) => {
            users::check_boundary(
                app,
                tx,
                &context.principal.account.to_string(),
                &input.permissions_boundary,
            )
            .await?;
            roles::update(app, tx, context, &input.role_name, |record| {
                record.permissions_boundary = Some(input.permissions_boundary);
                Ok(())
            })
            .await?;
            Output::PutRolePermissionsBoundary
        }
        Operation::DeleteRolePermissionsBoundary(input) => {
            roles::update(app, tx, context, &input.role_name, |record| {
                record.permissions_boundary = None;
                Ok(())
            })
            .await?;
            Output::DeleteRolePermissionsBoundary
        }
        Operation::TagRole(input) => {
            roles::update(app, tx, context, &input.role_name, |record| {
                roles::merge_tags(&mut record.tags, input.tags)
            })
            .await?;
            Output::TagRole
        }
        Operation::UntagRole(input) => {
            roles::update(app, tx, context, &input.role_name, |record| {
                record
                    .tags
                    .retain(|(key, _)| !input.tag_keys.iter().any(|k| k.eq_ignore_ascii_case(key)));
                Ok(())
            })
            .await?;
            Output::UntagRole
        }
        Operation::ListRoleTags(input) => {
            let found = roles::find_role(app, tx, context, &input.role_name).await?;
            Output::ListRoleTags(ListRoleTagsResponse {
                tags: roles::tags_to_wire(&found.tags),
                is_truncated: Some(false),
                marker: None,
            })
        }
        Operation::AttachRolePolicy(input) => {
            let found = roles::find_role(app, tx, context, &input.role_name).await?;
            policies::attach(app, tx, context, role, &found.role_name, &input.policy_arn).await?;
            Output::AttachRolePolicy
        }
        Operation::DetachRolePolicy(input) => {
            let found = roles::find_role(app, tx, context, &input.role_name).await?;
            policies::detach(app, tx, context, role, &found.role_name, &input.policy_arn).await?;
            Output::DetachRolePolicy
        }
        Operation::ListAttachedRolePolicies(input) => {
            let found = roles::find_role(app, tx, context, &input.role_name).await?;
            let attached = policies::attached(
                app,
                tx,
                context,
                role,
                &found.role_name,
                input.path_prefix.as_deref(),
            )
            .await?;
            Output::ListAttachedRolePolicies(ListAttachedRolePoliciesResponse {
                attached_policies: Some(attached),
                is_truncated: Some(false),
                marker: None,
            })
        }
        Operation::PutRolePolicy(input) => {
            let found = roles::find_role(app, tx, context, &input.role_name).await?;
            inline_policies::put(
                app,
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
            let found = roles::find_role(app, tx, context, &input.role_name).await?;
            let document =
                inline_policies::get(app, tx, context, role, &found.role_name, &input.policy_name)
                    .await?;
            Output::GetRolePolicy(GetRolePolicyResponse {
                role_name: found.role_name,
                policy_name: input.policy_name,
                policy_document: document,
            })
        }
        Operation::ListRolePolicies(input) => {
            let found = roles::find_role(app, tx, context, &input.role_name).await?;
            Output::ListRolePolicies(ListRolePoliciesResponse {
                policy_names: inline_policies::list(app, tx, context, role, &found.role_name)
                    .await?,
                is_truncated: Some(false),
                marker: None,
            })
        }
        Operation::DeleteRolePolicy(input) => {
            let found = roles::find_role(app, tx, context, &input.role_name).await?;
            inline_policies::delete(app, tx, context, role, &found.role_name, &input.policy_name)
                .await?;
            Output::DeleteRolePolicy
        }
        other => return Err(ServiceError::not_implemented(other.name())),
    })
}

/// The actions and resources an operation needs, as AWS's Service Authorization
/// Reference lists them. Unimplemented operations need nothing: they are refused anyway.
async fn access(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    operation: &Operation,
) -> Result<Vec<Access>, ServiceError> {
    let principal = &context.principal;
    let (partition, account) = (principal.partition, principal.account);
    let caller = || principal.user_name().map(str::to_owned);
    let star = |action| Access::new(action, "*");
    let policy = |action, arn: &str| Access::new(action, arn.to_owned());
    let with_policy_arn = |access: Access, arn: &str| {
        let mut access = access;
        access
            .context
            .push(("iam:PolicyARN".to_owned(), policy::ContextValue::from(arn)));
        access
    };
    Ok(match operation {
        Operation::CreateUser(input) => {
            let path = input.path.as_deref().unwrap_or("/");
            let resource = arn::iam_entity(partition, account, "user", path, &input.user_name);
            let tags: Vec<(String, String)> = input
                .tags
                .iter()
                .flatten()
                .map(|tag| (tag.key.clone(), tag.value.clone()))
                .collect();
            let mut create =
                Access::new("iam:CreateUser", resource.clone()).with_request_tags(&tags);
            if let Some(boundary) = &input.permissions_boundary {
                create.context.push((
                    "iam:PermissionsBoundary".to_owned(),
                    policy::ContextValue::from(boundary.as_str()),
                ));
            }
            let mut needed = vec![create];
            if !tags.is_empty() {
                needed.push(Access::new("iam:TagUser", resource).with_request_tags(&tags));
            }
            needed
        }
        Operation::GetUser(input) => vec![
            user_access(
                app,
                tx,
                context,
                "iam:GetUser",
                input.user_name.clone().or_else(caller),
            )
            .await?,
        ],
        Operation::ListUsers(_) => vec![star("iam:ListUsers")],
        Operation::DeleteUser(input) => vec![
            user_access(
                app,
                tx,
                context,
                "iam:DeleteUser",
                Some(input.user_name.clone()),
            )
            .await?,
        ],
        Operation::PutUserPermissionsBoundary(input) => {
            let mut access = user_access(
                app,
                tx,
                context,
                "iam:PutUserPermissionsBoundary",
                Some(input.user_name.clone()),
            )
            .await?;
            access.context.push((
                "iam:PermissionsBoundary".to_owned(),
                policy::ContextValue::from(input.permissions_boundary.as_str()),
            ));
            vec![access]
        }
        Operation::DeleteUserPermissionsBoundary(input) => {
            vec![
                user_access(
                    app,
                    tx,
                    context,
                    "iam:DeleteUserPermissionsBoundary",
                    Some(input.user_name.clone()),
                )
                .await?,
            ]
        }
        Operation::CreateAccessKey(input) => {
            vec![
                user_access(
                    app,
                    tx,
                    context,
                    "iam:CreateAccessKey",
                    input.user_name.clone().or_else(caller),
                )
                .await?,
            ]
        }
        Operation::ListAccessKeys(input) => {
            vec![
                user_access(
                    app,
                    tx,
                    context,
                    "iam:ListAccessKeys",
                    input.user_name.clone().or_else(caller),
                )
                .await?,
            ]
        }
        Operation::UpdateAccessKey(input) => {
            vec![
                user_access(
                    app,
                    tx,
                    context,
                    "iam:UpdateAccessKey",
                    input.user_name.clone().or_else(caller),
                )
                .await?,
            ]
        }
        Operation::DeleteAccessKey(input) => {
            vec![
                user_access(
                    app,
                    tx,
                    context,
                    "iam:DeleteAccessKey",
                    input.user_name.clone().or_else(caller),
                )
                .await?,
            ]
        }
        Operation::GetAccessKeyLastUsed(input) => {
            let owner = tx
                .access_key_by_id(&input.access_key_id)
                .await
                .map_err(|err| app.internal(err))?
                .filter(|key| key.account_id == account.to_string())
                .and_then(|key| match key.owner {
                    crate::store::KeyOwner::User(name) => Some(name),
                    crate::store::KeyOwner::Root => None,
                });
            vec![user_access(app, tx, context, "iam:GetAccessKeyLastUsed", owner).await?]
        }
        Operation::CreatePolicy(input) => {
            let path = input.path.as_deref().unwrap_or("/");
            vec![policy(
                "iam:CreatePolicy",
                &policies::policy_arn(context, path, &input.policy_name),
            )]
        }
        Operation::GetPolicy(input) => vec![policy("iam:GetPolicy", &input.policy_arn)],
        Operation::ListPolicies(_) => vec![star("iam:ListPolicies")],
        Operation::DeletePolicy(input) => vec![policy("iam:DeletePolicy", &input.policy_arn)],
        Operation::CreatePolicyVersion(input) => {
            vec![policy("iam:CreatePolicyVersion", &input.policy_arn)]
        }
        Operation::GetPolicyVersion(input) => {
            vec![policy("iam:GetPolicyVersion", &input.policy_arn)]
        }
        Operation::ListPolicyVersions(input) => {
            vec![policy("iam:ListPolicyVersions", &input.policy_arn)]
        }
        Operation::DeletePolicyVersion(input) => {
            vec![policy("iam:DeletePolicyVersion", &input.policy_arn)]
        }
        Operation::SetDefaultPolicyVersion(input) => {
            vec![policy("iam:SetDefaultPolicyVersion", &input.policy_arn)]
        }
        Operation::AttachUserPolicy(input) => vec![with_policy_arn(
            user_access(
                app,
                tx,
                context,
                "iam:AttachUserPolicy",
                Some(input.user_name.clone()),
            )
            .await?,
            &input.policy_arn,
        )],
        Operation::DetachUserPolicy(input) => vec![with_policy_arn(
            user_access(
                app,
                tx,
                context,
                "iam:DetachUserPolicy",
                Some(input.user_name.clone()),
            )
            .await?,
            &input.policy_arn,
        )],
        Operation::ListAttachedUserPolicies(input) => {
            vec![
                user_access(
                    app,
                    tx,
                    context,
                    "iam:ListAttachedUserPolicies",
                    Some(input.user_name.clone()),
                )
                .await?,
            ]
        }
        Operation::PutUserPolicy(input) => vec![
            user_access(
                app,
                tx,
                context,
                "iam:PutUserPolicy",
                Some(input.user_name.clone()),
            )
            .await?,
        ],
        Operation::GetUserPolicy(input) => vec![
            user_access(
                app,
                tx,
                context,
                "iam:GetUserPolicy",
                Some(input.user_name.clone()),
            )
            .await?,
        ],
        Operation::ListUserPolicies(input) => {
            vec![
                user_access(
                    app,
                    tx,
                    context,
                    "iam:ListUserPolicies",
                    Some(input.user_name.clone()),
                )
                .await?,
            ]
        }
        Operation::DeleteUserPolicy(input) => {
            vec![
                user_access(
                    app,
                    tx,
                    context,
                    "iam:DeleteUserPolicy",
                    Some(input.user_name.clone()),
                )
                .await?,
            ]
        }
        Operation::ListGroupsForUser(input) => {
            vec![
                user_access(
                    app,
                    tx,
                    context,
                    "iam:ListGroupsForUser",
                    Some(input.user_name.clone()),
                )
                .await?,
            ]
        }
        Operation::CreateGroup(input) => {
            let path = input.path.as_deref().unwrap_or("/");
            vec![Access::new(
                "iam:CreateGroup",
                arn::iam_entity(partition, account, "group", path, &input.group_name),
            )]
        }
        Operation::ListGroups(_) => vec![star("iam:ListGroups")],
        Operation::GetGroup(input) => {
            vec![group_access(app, tx, context, "iam:GetGroup", &input.group_name).await?]
        }
        Operation::DeleteGroup(input) => {
            vec![group_access(app, tx, context, "iam:DeleteGroup", &input.group_name).await?]
        }
        Operation::AddUserToGroup(input) => {
            vec![group_access(app, tx, context, "iam:AddUserToGroup", &input.group_name).await?]
        }
        Operation::RemoveUserFromGroup(input) => {
            vec![
                group_access(
                    app,
                    tx,
                    context,
                    "iam:RemoveUserFromGroup",
                    &input.group_name,
                )
                .await?,
            ]
        }
        Operation::AttachGroupPolicy(input) => vec![with_policy_arn(
            group_access(app, tx, context, "iam:AttachGroupPolicy", &input.group_name).await?,
            &input.policy_arn,
        )],
        Operation::DetachGroupPolicy(input) => vec![with_policy_arn(
            group_access(app, tx, context, "iam:DetachGroupPolicy", &input.group_name).await?,
            &input.policy_arn,
        )],
        Operation::ListAttachedGroupPolicies(input) => {
            vec![
                group_access(
                    app,
                    tx,
                    context,
                    "iam:ListAttachedGroupPolicies",
                    &input.group_name,
                )
                .await?,
            ]
        }
        Operation::PutGroupPolicy(input) => {
            vec![group_access(app, tx, context, "iam:PutGroupPolicy", &input.group_name).await?]
        }
        Operation::GetGroupPolicy(input) => {
            vec![group_access(app, tx, context, "iam:GetGroupPolicy", &input.group_name).await?]
        }
        Operation::ListGroupPolicies(input) => {
            vec![group_access(app, tx, context, "iam:ListGroupPolicies", &input.group_name).await?]
        }
        Operation::DeleteGroupPolicy(input) => {
            vec![group_access(app, tx, context, "iam:DeleteGroupPolicy", &input.group_name).await?]
        }
        Operation::CreateRole(input) => {
            let path = input.path.as_deref().unwrap_or("/");
            let resource = arn::iam_entity(partition, account, "role", path, &input.role_name);
            let tags: Vec<(String, String)> = input
                .tags
                .iter()
                .flatten()
                .map(|tag| (tag.key.clone(), tag.value.clone()))
                .collect();
            let mut create =
                Access::new("iam:CreateRole", resource.clone()).with_request_tags(&tags);
            if let Some(boundary) = &input.permissions_boundary {
                create.context.push((
                    "iam:PermissionsBoundary".to_owned(),
                    policy::ContextValue::from(boundary.as_str()),
                ));
            }
            let mut needed = vec![create];
            if !tags.is_empty() {
                needed.push(Access::new("iam:TagRole", resource).with_request_tags(&tags));
            }
            needed
        }
        Operation::ListRoles(_) => vec![star("iam:ListRoles")],
        Operation::GetRole(input) => {
            vec![role_access(app, tx, context, "iam:GetRole", &input.role_name).await?]
        }
        Operation::DeleteRole(input) => {
            vec![role_access(app, tx, context, "iam:DeleteRole", &input.role_name).await?]
        }
        Operation::UpdateRole(input) => {
            vec![role_access(app, tx, context, "iam:UpdateRole", &input.role_name).await?]
        }
        Operation::UpdateRoleDescription(input) => {
            vec![
                role_access(
                    app,
                    tx,
                    context,
                    "iam:UpdateRoleDescription",
                    &input.role_name,
                )
                .await?,
            ]
        }
        Operation::UpdateAssumeRolePolicy(input) => {
            vec![
                role_access(
                    app,
                    tx,
                    context,
                    "iam:UpdateAssumeRolePolicy",
                    &input.role_name,
                )
                .await?,
            ]
        }
        Operation::PutRolePermissionsBoundary(input) => {
            let mut access = role_access(
                app,
                tx,
                context,
                "iam:PutRolePermissionsBoundary",
                &input.role_name,
            )
            .await?;
            access.context.push((
                "iam:PermissionsBoundary".to_owned(),
                policy::ContextValue::from(input.permissions_boundary.as_str()),
            ));
            vec![access]
        }
        Operation::DeleteRolePermissionsBoundary(input) => {
            vec![
                role_access(
                    app,
                    tx,
                    context,
                    "iam:DeleteRolePermissionsBoundary",
                    &input.role_name,
                )
                .await?,
            ]
        }
        Operation::TagRole(input) => {
            let tags: Vec<(String, String)> = input
                .tags
                .iter()
                .map(|tag| (tag.key.clone(), tag.value.clone()))
                .collect();
            vec![
                role_access(app, tx, context, "iam:TagRole", &input.role_name)
                    .await?
                    .with_request_tags(&tags),
            ]
        }
        Operation::UntagRole(input) => {
            let mut access =
                role_access(app, tx, context, "iam:UntagRole", &input.role_name).await?;
            access.context.push((
                "aws:TagKeys".to_owned(),
                policy::ContextValue::multi(input.tag_keys.clone()),
            ));
            vec![access]
        }
        Operation::ListRoleTags(input) => {
            vec![role_access(app, tx, context, "iam:ListRoleTags", &input.role_name).await?]
        }
        Operation::AttachRolePolicy(input) => vec![with_policy_arn(
            role_access(app, tx, context, "iam:AttachRolePolicy", &input.role_name).await?,
            &input.policy_arn,
        )],
        Operation::DetachRolePolicy(input) => vec![with_policy_arn(
            role_access(app, tx, context, "iam:DetachRolePolicy", &input.role_name).await?,
            &input.policy_arn,
        )],
        Operation::ListAttachedRolePolicies(input) => {
            vec![
                role_access(
                    app,
                    tx,
                    context,
                    "iam:ListAttachedRolePolicies",
                    &input.role_name,
                )
                .await?,
            ]
        }
        Operation::PutRolePolicy(input) => {
            vec![role_access(app, tx, context, "iam:PutRolePolicy", &input.role_name).await?]
        }
        Operation::GetRolePolicy(input) => {
            vec![role_access(app, tx, context, "iam:GetRolePolicy", &input.role_name).await?]
        }
        Operation::ListRolePolicies(input) => {
            vec![role_access(app, tx, context, "iam:ListRolePolicies", &input.role_name).await?]
        }
        Operation::DeleteRolePolicy(input) => {
            vec![role_access(app, tx, context, "iam:DeleteRolePolicy", &input.role_name).await?]
        }
        _ => Vec::new(),
    })
}

/// Access to a user resource; `None` (the root user acting on itself) is the account's
/// root ARN.
async fn user_access(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    action: &'static str,
    name: Option<String>,
) -> Result<Access, ServiceError> {
    match name {
        Some(name) => entity_access(app, tx, context, OwnerKind::User, action, &name).await,
        None => {
            let principal = &context.principal;
            Ok(Access::new(
                action,
                arn::root(principal.partition, principal.account),
            ))
        }
    }
}

async fn group_access(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    action: &'static str,
    name: &str,
) -> Result<Access, ServiceError> {
    entity_access(app, tx, context, OwnerKind::Group, action, name).await
}

async fn role_access(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    action: &'static str,
    name: &str,
) -> Result<Access, ServiceError> {
    entity_access(app, tx, context, OwnerKind::Role, action, name).await
}

/// Access to a user, group or role. The ARN carries the entity's path when it exists
/// (`/` otherwise, as AWS authorizes requests about entities that do not exist).
async fn entity_access(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    kind: OwnerKind,
    action: &'static str,
    name: &str,
) -> Result<Access, ServiceError> {
    let principal = &context.principal;
    let account = principal.account.to_string();
    let fail = |err| app.internal(err);
    let (label, path) = match kind {
        OwnerKind::User => (
            "user",
            tx.user(&account, name)
                .await
                .map_err(fail)?
                .map(|user| user.path),
        ),
        OwnerKind::Group => (
            "group",
            tx.group(&account, name)
                .await
                .map_err(fail)?
                .map(|group| group.path),
        ),
        OwnerKind::Role => (
            "role",
            tx.role(&account, name)
                .await
                .map_err(fail)?
                .map(|role| role.path),
        ),
    };
    let path = path.unwrap_or_else(|| "/".to_owned());
    Ok(Access::new(
        action,
        arn::iam_entity(principal.partition, principal.account, label, &path, name),
    ))
}
