//! IAM roles: create, read, list, update, delete, tags and permissions boundaries. Their
//! policies go through `policies.rs` and `inline_policies.rs` like users' and groups'.

use policy::PolicyKind;
use wire::iam::{
    errors, AttachedPermissionsBoundary, CreateRoleRequest, CreateRoleResponse, ListRolesRequest,
    ListRolesResponse, PermissionsBoundaryAttachmentType, Role,
};
use wire::ServiceError;

use crate::model::{ids, IdPrefix};
use crate::store::{from_millis, OwnerKind, RoleRecord, StoreError, Tx};

use super::policies::entity_arn;
use super::tags::{merge_tags, tags_to_wire};
use super::users::check_boundary;
use super::{documents, pagination};
use crate::request::RequestContext;

/// AWS's default session length for a role, in seconds.
const DEFAULT_MAX_SESSION: i64 = 3600;
/// AWS's quota of roles per account.
pub(super) const ROLES_PER_ACCOUNT: i64 = 1000;

/// The role of that name in the caller's account, or `NoSuchEntity`.
pub(super) async fn find_role(
    tx: &mut Tx,
    context: &RequestContext,
    name: &str,
) -> Result<RoleRecord, ServiceError> {
    let account = context.principal.account.to_string();
    tx.role(&account, name).await?.ok_or_else(|| {
        errors::no_such_entity(format!("The role with name {name} cannot be found."))
    })
}

/// A role as IAM returns it (trust policy URL-encoded).
pub(super) fn to_wire(context: &RequestContext, record: &RoleRecord) -> Role {
    Role {
        path: record.path.clone(),
        role_name: record.role_name.clone(),
        role_id: record.role_id.clone(),
        arn: entity_arn(context, "role", &record.path, &record.role_name),
        create_date: from_millis(record.created_at),
        assume_role_policy_document: Some(documents::encode(&record.trust_policy)),
        description: record.description.clone(),
        max_session_duration: Some(i32::try_from(record.max_session_duration).unwrap_or(i32::MAX)),
        permissions_boundary: record.permissions_boundary.as_ref().map(|arn| {
            AttachedPermissionsBoundary {
                permissions_boundary_type: Some(
                    PermissionsBoundaryAttachmentType::PermissionsBoundaryPolicy,
                ),
                permissions_boundary_arn: Some(arn.clone()),
            }
        }),
        tags: (!record.tags.is_empty()).then(|| tags_to_wire(&record.tags)),
        role_last_used: None,
    }
}

pub(super) async fn handle_create_role(
    tx: &mut Tx,
    context: &RequestContext,
    input: CreateRoleRequest,
) -> Result<CreateRoleResponse, ServiceError> {
    let account = context.principal.account.to_string();
    if input
        .path
        .as_deref()
        .is_some_and(|path| path.starts_with(super::service_linked_roles::PATH_PREFIX))
    {
        return Err(errors::invalid_input(format!(
            "The path prefix {} is reserved for service-linked roles; use CreateServiceLinkedRole.",
            super::service_linked_roles::PATH_PREFIX
        )));
    }
    documents::validate(&input.assume_role_policy_document, PolicyKind::Trust)?;
    if let Some(boundary) = &input.permissions_boundary {
        check_boundary(tx, &account, boundary).await?;
    }
    let existing = tx
        .list_roles(&account, "/", None, ROLES_PER_ACCOUNT)
        .await?;
    if i64::try_from(existing.len()).unwrap_or(i64::MAX) >= ROLES_PER_ACCOUNT {
        return Err(errors::limit_exceeded(format!(
            "Cannot exceed quota for RolesPerAccount: {ROLES_PER_ACCOUNT}"
        )));
    }
    let mut tags = Vec::new();
    merge_tags(&mut tags, input.tags.unwrap_or_default())?;
    let record = RoleRecord {
        account_id: account,
        role_name: input.role_name,
        role_id: ids::unique_id(IdPrefix::Role),
        path: input.path.unwrap_or_else(|| "/".to_owned()),
        trust_policy: input.assume_role_policy_document,
        description: input.description,
        max_session_duration: input
            .max_session_duration
            .map_or(DEFAULT_MAX_SESSION, i64::from),
        permissions_boundary: input.permissions_boundary,
        tags,
        created_at: crate::store::now_millis(),
    };
    match tx.insert_role(&record).await {
        Ok(()) => Ok(CreateRoleResponse {
            role: to_wire(context, &record),
        }),
        Err(StoreError::Duplicate) => Err(errors::entity_already_exists(format!(
            "Role with name {} already exists.",
            record.role_name
        ))),
        Err(err) => Err(err.into()),
    }
}

pub(super) async fn handle_list_roles(
    tx: &mut Tx,
    context: &RequestContext,
    input: ListRolesRequest,
) -> Result<ListRolesResponse, ServiceError> {
    let account = context.principal.account.to_string();
    let limit = pagination::page_size(input.max_items);
    let after = pagination::decode_marker(input.marker.as_deref())?;
    let prefix = input.path_prefix.as_deref().unwrap_or("/");
    let rows = tx
        .list_roles(&account, prefix, after.as_deref(), limit + 1)
        .await?;
    let (page, truncated, marker) =
        pagination::split(rows, limit, |role| crate::store::name_key(&role.role_name));
    Ok(ListRolesResponse {
        roles: page.iter().map(|role| to_wire(context, role)).collect(),
        is_truncated: Some(truncated),
        marker,
    })
}

pub(super) async fn handle_delete_role(
    tx: &mut Tx,
    context: &RequestContext,
    name: &str,
) -> Result<(), ServiceError> {
    let role = find_role(tx, context, name).await?;
    super::service_linked_roles::check_modifiable(&role)?;
    let account = &role.account_id;
    let inline = tx
        .inline_policies(account, OwnerKind::Role, &role.role_name)
        .await?;
    if !inline.is_empty() {
        return Err(errors::delete_conflict(
            "Cannot delete entity, must delete policies first.",
        ));
    }
    let attached = tx
        .attached_policies(account, OwnerKind::Role, &role.role_name)
        .await?;
    if !attached.is_empty() {
        return Err(errors::delete_conflict(
            "Cannot delete entity, must detach all policies first.",
        ));
    }
    if super::instance_profiles::role_in_profile(tx, account, &role.role_name).await? {
        return Err(errors::delete_conflict(
            "Cannot delete entity, must remove roles from instance profile first.",
        ));
    }
    tx.delete_role(account, &role.role_name).await?;
    Ok(())
}

/// Applies a change to a stored role and writes it back.
pub(super) async fn update(
    tx: &mut Tx,
    context: &RequestContext,
    name: &str,
    change: impl FnOnce(&mut RoleRecord) -> Result<(), ServiceError>,
) -> Result<RoleRecord, ServiceError> {
    let mut role = find_role(tx, context, name).await?;
    change(&mut role)?;
    tx.update_role(&role).await?;
    Ok(role)
}
