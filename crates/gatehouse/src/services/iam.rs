//! IAM: the identities of an account. `call` works out the access an operation needs,
//! has it authorized, then runs the `handle_*` function (one file per topic) inside one
//! transaction, and marks the account's authorization views stale after a change.

mod access_keys;
mod documents;
mod groups;
mod inline_policies;
mod pagination;
mod policies;
mod reports;
mod roles;
mod simulator;
mod tags;
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
            let (attached, truncated, marker) = policies::attached_page(
                app,
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
            let (attached, truncated, marker) = policies::attached_page(
                app,
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
            let (policy_names, truncated, marker) = inline_policies::list(
                app,
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
            let (policy_names, truncated, marker) = inline_policies::list(
                app,
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
                tags::merge_tags(&mut record.tags, input.tags)
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
                tags: tags::tags_to_wire(&found.tags),
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
            let (attached, truncated, marker) = policies::attached_page(
                app,
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
            let (policy_names, truncated, marker) = inline_policies::list(
                app,
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
            let found = roles::find_role(app, tx, context, &input.role_name).await?;
            inline_policies::delete(app, tx, context, role, &found.role_name, &input.policy_name)
                .await?;
            Output::DeleteRolePolicy
        }
        Operation::SimulatePrincipalPolicy(input) => Output::SimulatePrincipalPolicy(
            simulator::handle_simulate_principal_policy(app, tx, context, input).await?,
        ),
        Operation::SimulateCustomPolicy(input) => {
            Output::SimulateCustomPolicy(simulator::handle_simulate_custom_policy(context, input)?)
        }
        Operation::GetContextKeysForPrincipalPolicy(input) => {
            Output::GetContextKeysForPrincipalPolicy(
                simulator::handle_get_context_keys_for_principal_policy(app, tx, context, input)
                    .await?,
            )
        }
        Operation::GetContextKeysForCustomPolicy(input) => Output::GetContextKeysForCustomPolicy(
            simulator::handle_get_context_keys_for_custom_policy(input)?,
        ),
        Operation::ListEntitiesForPolicy(input) => Output::ListEntitiesForPolicy(
            reports::handle_list_entities_for_policy(app, tx, context, input).await?,
        ),
        Operation::GetAccountAuthorizationDetails(input) => Output::GetAccountAuthorizationDetails(
            reports::handle_get_account_authorization_details(app, tx, context, input).await?,
        ),
        other => return Err(ServiceError::not_implemented(other.name())),
    })
}

/// What an operation acts on, before entity paths are looked up.
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
    /// The user owning an access key of the caller's account.
    KeyOwner(String),
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
/// lists them. Unimplemented operations need nothing: they are refused anyway.
fn needs(context: &RequestContext, operation: &Operation) -> Vec<Need> {
    let caller = context.principal.user_name().map(str::to_owned);
    let me = |name: &Option<String>| Target::User(name.clone().or_else(|| caller.clone()));
    let user = |name: &str| Target::User(Some(name.to_owned()));
    let group = |name: &str| Target::Group(name.to_owned());
    let role = |name: &str| Target::Role(name.to_owned());
    let arn = |text: &str| Target::Arn(text.to_owned());
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
        Op::GetAccountAuthorizationDetails(_) => {
            one("iam:GetAccountAuthorizationDetails", Target::Star)
        }
        _ => Vec::new(),
    }
}

/// The accesses an operation needs, with each target's ARN resolved (entity paths are
/// read from the store, inside the request's transaction).
async fn access(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    operation: &Operation,
) -> Result<Vec<Access>, ServiceError> {
    let mut resolved = Vec::new();
    for need in needs(context, operation) {
        let mut access = match need.target {
            Target::Star => Access::new(need.action, "*"),
            Target::Arn(arn) => Access::new(need.action, arn),
            Target::User(name) => user_access(app, tx, context, need.action, name).await?,
            Target::Group(name) => {
                entity_access(app, tx, context, OwnerKind::Group, need.action, &name).await?
            }
            Target::Role(name) => {
                entity_access(app, tx, context, OwnerKind::Role, need.action, &name).await?
            }
            Target::KeyOwner(key_id) => {
                let account = context.principal.account.to_string();
                let owner = tx
                    .access_key_by_id(&key_id)
                    .await
                    .map_err(|err| app.internal(err))?
                    .filter(|key| key.account_id == account)
                    .and_then(|key| match key.owner {
                        crate::store::KeyOwner::User(name) => Some(name),
                        crate::store::KeyOwner::Root => None,
                    });
                user_access(app, tx, context, need.action, owner).await?
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
