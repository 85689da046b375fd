//! Account-wide reports over IAM's entities: `ListEntitiesForPolicy` (who uses a managed
//! policy, as a permissions policy or as a boundary) and `GetAccountAuthorizationDetails`
//! (every user, group, role and managed policy in use, with their policies). Both page
//! over one combined, ordered list; only the page's entities are read in full.

use wire::iam::{
    errors, AttachedPermissionsBoundary, AttachedPolicy, EntityType,
    GetAccountAuthorizationDetailsRequest, GetAccountAuthorizationDetailsResponse, GroupDetail,
    InstanceProfile, ListEntitiesForPolicyRequest, ListEntitiesForPolicyResponse,
    ManagedPolicyDetail, PermissionsBoundaryAttachmentType, PolicyDetail, PolicyGroup, PolicyRole,
    PolicyUsageType, PolicyUser, PolicyVersion, RoleDetail, UserDetail,
};
use wire::ServiceError;

use crate::app::App;
use crate::auth::identity::managed_document;
use crate::model::aws_managed;
use crate::store::{
    from_millis, GroupRecord, ManagedPolicyRecord, OwnerKind, RoleRecord, Tx, UserRecord,
};

use super::policies::{attached, entity_arn, policy_arn, usage_counts as usage, wire_count};
use super::tags::tags_to_wire;
use super::{documents, pagination};
use crate::request::RequestContext;

/// More entities than any account may hold: list calls read everything in one go.
const ALL: i64 = 1_000_000;

pub(super) async fn handle_list_entities_for_policy(
    tx: &mut Tx,
    context: &RequestContext,
    input: ListEntitiesForPolicyRequest,
) -> Result<ListEntitiesForPolicyResponse, ServiceError> {
    let account = context.principal.account.to_string();
    let policy = input.policy_arn.as_str();
    let exists = managed_document(tx, &account, policy).await?.is_some();
    if !exists {
        return Err(errors::no_such_entity(format!(
            "Policy {policy} does not exist or is not attachable."
        )));
    }
    let usage = input.policy_usage_filter.as_ref();
    let mut users: Vec<(OwnerKind, String)> = Vec::new();
    if usage.is_none_or(|u| *u == PolicyUsageType::PermissionsPolicy) {
        users.extend(tx.policy_attachments(&account, policy).await?);
    }
    if usage.is_none_or(|u| *u == PolicyUsageType::PermissionsBoundary) {
        users.extend(tx.boundary_users(&account, policy).await?);
    }
    let wanted = |owner: OwnerKind| match &input.entity_filter {
        None => true,
        Some(EntityType::User) => owner == OwnerKind::User,
        Some(EntityType::Group) => owner == OwnerKind::Group,
        Some(EntityType::Role) => owner == OwnerKind::Role,
        // Policies are not attached to policies.
        Some(_) => false,
    };
    let prefix = input.path_prefix.as_deref().unwrap_or("/");
    // Each entity once, by kind then name; with its current name, id and path.
    let mut found: Vec<(String, Entity)> = Vec::new();
    for (owner, name) in users {
        if !wanted(owner) {
            continue;
        }
        let Some(entity) = Entity::read(tx, &account, owner, &name).await? else {
            continue;
        };
        let key = entity.sort_key();
        if entity.path().starts_with(prefix) && !found.iter().any(|(k, _)| *k == key) {
            found.push((key, entity));
        }
    }
    let (page, truncated, marker) = pagination::page(
        found,
        input.max_items,
        input.marker.as_deref(),
        |(key, _)| key.clone(),
    )?;
    let mut response = ListEntitiesForPolicyResponse {
        policy_groups: Some(Vec::new()),
        policy_users: Some(Vec::new()),
        policy_roles: Some(Vec::new()),
        is_truncated: Some(truncated),
        marker,
    };
    for (_, entity) in page {
        match entity {
            Entity::User(user) => response
                .policy_users
                .get_or_insert_default()
                .push(PolicyUser {
                    user_name: Some(user.user_name),
                    user_id: Some(user.user_id),
                }),
            Entity::Group(group) => {
                response
                    .policy_groups
                    .get_or_insert_default()
                    .push(PolicyGroup {
                        group_name: Some(group.group_name),
                        group_id: Some(group.group_id),
                    })
            }
            Entity::Role(role) => response
                .policy_roles
                .get_or_insert_default()
                .push(PolicyRole {
                    role_name: Some(role.role_name),
                    role_id: Some(role.role_id),
                }),
            Entity::Policy(_) | Entity::AwsPolicy(_) => {}
        }
    }
    Ok(response)
}

/// One entity of a report.
enum Entity {
    User(UserRecord),
    Group(GroupRecord),
    Role(RoleRecord),
    Policy(ManagedPolicyRecord),
    AwsPolicy(&'static aws_managed::AwsManagedPolicy),
}

impl Entity {
    async fn read(
        tx: &mut Tx,
        account: &str,
        owner: OwnerKind,
        name: &str,
    ) -> Result<Option<Entity>, crate::store::StoreError> {
        Ok(match owner {
            OwnerKind::User => tx.user(account, name).await?.map(Entity::User),
            OwnerKind::Group => tx.group(account, name).await?.map(Entity::Group),
            OwnerKind::Role => tx.role(account, name).await?.map(Entity::Role),
        })
    }

    fn path(&self) -> &str {
        match self {
            Entity::User(user) => &user.path,
            Entity::Group(group) => &group.path,
            Entity::Role(role) => &role.path,
            Entity::Policy(policy) => &policy.path,
            Entity::AwsPolicy(policy) => policy.path,
        }
    }

    /// The order of a combined report: groups, users, roles, then policies; each by
    /// lower-cased name (AWS managed policies after the account's own).
    fn sort_key(&self) -> String {
        match self {
            Entity::Group(group) => format!("0/{}", group.group_name.to_lowercase()),
            Entity::User(user) => format!("1/{}", user.user_name.to_lowercase()),
            Entity::Role(role) => format!("2/{}", role.role_name.to_lowercase()),
            Entity::Policy(policy) => format!("3/{}", policy.policy_name.to_lowercase()),
            Entity::AwsPolicy(policy) => format!("4/{}", policy.name.to_lowercase()),
        }
    }
}

pub(super) async fn handle_get_account_authorization_details(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    input: GetAccountAuthorizationDetailsRequest,
) -> Result<GetAccountAuthorizationDetailsResponse, ServiceError> {
    let account = context.principal.account.to_string();
    let filter = input.filter.clone().unwrap_or_default();
    let wanted = |kind: EntityType| filter.is_empty() || filter.contains(&kind);
    let mut entities: Vec<Entity> = Vec::new();
    if wanted(EntityType::User) {
        let users = tx.list_users(&account, "/", None, ALL).await?;
        entities.extend(users.into_iter().map(Entity::User));
    }
    if wanted(EntityType::Group) {
        let groups = tx.list_groups(&account, "/", None, ALL).await?;
        entities.extend(groups.into_iter().map(Entity::Group));
    }
    if wanted(EntityType::Role) {
        let roles = tx.list_roles(&account, "/", None, ALL).await?;
        entities.extend(roles.into_iter().map(Entity::Role));
    }
    if wanted(EntityType::LocalManagedPolicy) {
        let policies = tx.list_managed_policies(&account, "/", None, ALL).await?;
        entities.extend(policies.into_iter().map(Entity::Policy));
    }
    if wanted(EntityType::AwsManagedPolicy) {
        // AWS managed policies appear once the account uses them.
        for policy in aws_managed::ALL {
            let arn = policy.arn(context.principal.partition);
            if usage(tx, &account, &arn).await? != (0, 0) {
                entities.push(Entity::AwsPolicy(policy));
            }
        }
    }
    let (page, truncated, marker) = pagination::page(
        entities,
        input.max_items,
        input.marker.as_deref(),
        Entity::sort_key,
    )?;
    let mut response = GetAccountAuthorizationDetailsResponse {
        user_detail_list: Some(Vec::new()),
        group_detail_list: Some(Vec::new()),
        role_detail_list: Some(Vec::new()),
        policies: Some(Vec::new()),
        is_truncated: Some(truncated),
        marker,
    };
    for entity in page {
        match entity {
            Entity::User(user) => {
                let detail = user_detail(tx, context, user).await?;
                response
                    .user_detail_list
                    .get_or_insert_default()
                    .push(detail);
            }
            Entity::Group(group) => {
                let detail = group_detail(tx, context, group).await?;
                response
                    .group_detail_list
                    .get_or_insert_default()
                    .push(detail);
            }
            Entity::Role(role) => {
                let detail = role_detail(app, tx, context, role).await?;
                response
                    .role_detail_list
                    .get_or_insert_default()
                    .push(detail);
            }
            Entity::Policy(policy) => {
                let detail = policy_detail(tx, context, policy).await?;
                response.policies.get_or_insert_default().push(detail);
            }
            Entity::AwsPolicy(policy) => {
                let detail = aws_policy_detail(tx, context, policy).await?;
                response.policies.get_or_insert_default().push(detail);
            }
        }
    }
    Ok(response)
}

/// Inline policies with their documents URL-encoded, as IAM returns them.
async fn inline_details(
    tx: &mut Tx,
    account: &str,
    owner: OwnerKind,
    name: &str,
) -> Result<Vec<PolicyDetail>, ServiceError> {
    let inline = tx.inline_policies(account, owner, name).await?;
    Ok(inline
        .into_iter()
        .map(|(policy_name, document)| PolicyDetail {
            policy_name: Some(policy_name),
            policy_document: Some(documents::encode(&document)),
        })
        .collect())
}

async fn attached_details(
    tx: &mut Tx,
    context: &RequestContext,
    owner: OwnerKind,
    name: &str,
) -> Result<Vec<AttachedPolicy>, ServiceError> {
    attached(tx, context, owner, name, None).await
}

fn boundary(arn: Option<&String>) -> Option<AttachedPermissionsBoundary> {
    arn.map(|arn| AttachedPermissionsBoundary {
        permissions_boundary_type: Some(
            PermissionsBoundaryAttachmentType::PermissionsBoundaryPolicy,
        ),
        permissions_boundary_arn: Some(arn.clone()),
    })
}

async fn user_detail(
    tx: &mut Tx,
    context: &RequestContext,
    user: UserRecord,
) -> Result<UserDetail, ServiceError> {
    let account = user.account_id.clone();
    let groups = tx.groups_of_user(&account, &user.user_name).await?;
    Ok(UserDetail {
        arn: Some(entity_arn(context, "user", &user.path, &user.user_name)),
        user_policy_list: Some(
            inline_details(tx, &account, OwnerKind::User, &user.user_name).await?,
        ),
        group_list: Some(groups.into_iter().map(|g| g.group_name).collect()),
        attached_managed_policies: Some(
            attached_details(tx, context, OwnerKind::User, &user.user_name).await?,
        ),
        permissions_boundary: boundary(user.permissions_boundary.as_ref()),
        tags: Some(tags_to_wire(&user.tags)),
        create_date: Some(from_millis(user.created_at)),
        path: Some(user.path),
        user_name: Some(user.user_name),
        user_id: Some(user.user_id),
    })
}

async fn group_detail(
    tx: &mut Tx,
    context: &RequestContext,
    group: GroupRecord,
) -> Result<GroupDetail, ServiceError> {
    let account = group.account_id.clone();
    Ok(GroupDetail {
        arn: Some(entity_arn(context, "group", &group.path, &group.group_name)),
        group_policy_list: Some(
            inline_details(tx, &account, OwnerKind::Group, &group.group_name).await?,
        ),
        attached_managed_policies: Some(
            attached_details(tx, context, OwnerKind::Group, &group.group_name).await?,
        ),
        create_date: Some(from_millis(group.created_at)),
        path: Some(group.path),
        group_name: Some(group.group_name),
        group_id: Some(group.group_id),
    })
}

/// The instance profiles a role belongs to, for `RoleDetail.InstanceProfileList`.
pub(super) async fn role_instance_profiles(
    tx: &mut Tx,
    context: &RequestContext,
    role: &RoleRecord,
) -> Result<Vec<InstanceProfile>, ServiceError> {
    super::instance_profiles::profiles_of_role(tx, context, &role.role_name).await
}

async fn role_detail(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    role: RoleRecord,
) -> Result<RoleDetail, ServiceError> {
    let account = role.account_id.clone();
    let profiles = role_instance_profiles(tx, context, &role).await?;
    Ok(RoleDetail {
        arn: Some(entity_arn(context, "role", &role.path, &role.role_name)),
        assume_role_policy_document: Some(documents::encode(&role.trust_policy)),
        instance_profile_list: Some(profiles),
        role_policy_list: Some(
            inline_details(tx, &account, OwnerKind::Role, &role.role_name).await?,
        ),
        attached_managed_policies: Some(
            attached_details(tx, context, OwnerKind::Role, &role.role_name).await?,
        ),
        permissions_boundary: boundary(role.permissions_boundary.as_ref()),
        tags: Some(tags_to_wire(&role.tags)),
        role_last_used: Some(super::last_accessed::role_last_used(app, tx, &role).await?),
        create_date: Some(from_millis(role.created_at)),
        path: Some(role.path),
        role_name: Some(role.role_name),
        role_id: Some(role.role_id),
    })
}

async fn policy_detail(
    tx: &mut Tx,
    context: &RequestContext,
    policy: ManagedPolicyRecord,
) -> Result<ManagedPolicyDetail, ServiceError> {
    let arn = policy_arn(context, &policy.path, &policy.policy_name);
    let (attachments, boundaries) = usage(tx, &policy.account_id, &arn).await?;
    let versions = tx
        .policy_versions(&policy.account_id, &policy.policy_name)
        .await?;
    Ok(ManagedPolicyDetail {
        policy_version_list: Some(
            versions
                .iter()
                .rev()
                .map(|v| PolicyVersion {
                    document: Some(documents::encode(&v.document)),
                    version_id: Some(format!("v{}", v.version)),
                    is_default_version: Some(v.version == policy.default_version),
                    create_date: Some(from_millis(v.created_at)),
                })
                .collect(),
        ),
        arn: Some(arn),
        default_version_id: Some(format!("v{}", policy.default_version)),
        attachment_count: wire_count(attachments),
        permissions_boundary_usage_count: wire_count(boundaries),
        is_attachable: Some(true),
        description: policy.description,
        create_date: Some(from_millis(policy.created_at)),
        update_date: Some(from_millis(policy.updated_at)),
        policy_name: Some(policy.policy_name),
        policy_id: Some(policy.policy_id),
        path: Some(policy.path),
    })
}

async fn aws_policy_detail(
    tx: &mut Tx,
    context: &RequestContext,
    policy: &aws_managed::AwsManagedPolicy,
) -> Result<ManagedPolicyDetail, ServiceError> {
    let account = context.principal.account.to_string();
    let arn = policy.arn(context.principal.partition);
    let (attachments, boundaries) = usage(tx, &account, &arn).await?;
    // The same fixed date `GetPolicy` reports for AWS managed policies.
    let created = from_millis(1_423_000_000_000);
    Ok(ManagedPolicyDetail {
        policy_name: Some(policy.name.to_owned()),
        policy_id: Some(policy.id.to_owned()),
        arn: Some(arn),
        path: Some(policy.path.to_owned()),
        default_version_id: Some("v1".to_owned()),
        attachment_count: wire_count(attachments),
        permissions_boundary_usage_count: wire_count(boundaries),
        is_attachable: Some(true),
        description: Some(policy.description.to_owned()),
        create_date: Some(created),
        update_date: Some(created),
        policy_version_list: Some(vec![PolicyVersion {
            document: Some(documents::encode(policy.document)),
            version_id: Some("v1".to_owned()),
            is_default_version: Some(true),
            create_date: Some(created),
        }]),
    })
}
