//! IAM users: create, read, list, delete.

use wire::iam::{
    errors, AttachedPermissionsBoundary, CreateUserRequest, CreateUserResponse, DeleteUserRequest,
    GetUserRequest, GetUserResponse, ListUsersRequest, ListUsersResponse,
    PermissionsBoundaryAttachmentType, UpdateUserRequest, User,
};
use wire::ServiceError;

use crate::app::App;
use crate::auth::identity::managed_document;
use crate::model::{arn, ids, IdPrefix};
use crate::store::{from_millis, KeyOwner, OwnerKind, StoreError, Tx, UserRecord};

use super::pagination;
use super::tags::{merge_tags, tags_to_wire};
use crate::request::RequestContext;

/// AWS's default quota of users per account.
pub(super) const USERS_PER_ACCOUNT: usize = 5000;

pub(super) async fn handle_create_user(
    tx: &mut Tx,
    context: &RequestContext,
    input: CreateUserRequest,
) -> Result<CreateUserResponse, ServiceError> {
    let account = context.principal.account.to_string();
    let path = input.path.unwrap_or_else(|| "/".to_owned());
    if let Some(boundary) = &input.permissions_boundary {
        check_boundary(tx, &account, boundary).await?;
    }
    let mut tags = Vec::new();
    merge_tags(&mut tags, input.tags.unwrap_or_default())?;
    let existing = tx.count_users(&account).await?;
    if existing >= USERS_PER_ACCOUNT {
        return Err(errors::limit_exceeded(format!(
            "Cannot exceed quota for UsersPerAccount: {USERS_PER_ACCOUNT}"
        )));
    }
    let record = UserRecord {
        account_id: account,
        user_name: input.user_name,
        user_id: ids::unique_id(IdPrefix::User),
        path,
        created_at: crate::store::now_millis(),
        permissions_boundary: input.permissions_boundary,
        tags,
    };
    match tx.insert_user(&record).await {
        Ok(()) => {}
        Err(StoreError::Duplicate) => {
            return Err(errors::entity_already_exists(format!(
                "User with name {} already exists.",
                record.user_name
            )))
        }
        Err(err) => return Err(err.into()),
    }
    Ok(CreateUserResponse {
        user: Some(user_to_wire(context, &record)),
    })
}

pub(super) async fn handle_get_user(
    tx: &mut Tx,
    context: &RequestContext,
    input: GetUserRequest,
) -> Result<GetUserResponse, ServiceError> {
    let principal = &context.principal;
    let account = principal.account.to_string();
    let Some(name) = input.user_name.as_deref().or_else(|| principal.user_name()) else {
        // The root user asking about itself.
        let created = tx
            .account(&account)
            .await?
            .map_or(0, |record| record.created_at);
        return Ok(GetUserResponse {
            user: User {
                path: "/".to_owned(),
                user_name: String::new(),
                user_id: account,
                arn: arn::root(principal.partition, principal.account),
                create_date: from_millis(created),
                ..User::default()
            },
        });
    };
    let record = find_user(tx, &account, name).await?;
    Ok(GetUserResponse {
        user: user_to_wire(context, &record),
    })
}

pub(super) async fn handle_list_users(
    tx: &mut Tx,
    context: &RequestContext,
    input: ListUsersRequest,
) -> Result<ListUsersResponse, ServiceError> {
    let account = context.principal.account.to_string();
    let limit = pagination::page_size(input.max_items);
    let after = pagination::decode_marker(input.marker.as_deref())?;
    let prefix = input.path_prefix.as_deref().unwrap_or("/");
    let rows = tx
        .list_users(&account, prefix, after.as_deref(), limit + 1)
        .await?;
    let (page, truncated, marker) =
        pagination::split(rows, limit, |user| crate::store::name_key(&user.user_name));
    Ok(ListUsersResponse {
        users: page
            .iter()
            .map(|user| user_to_wire(context, user))
            .collect(),
        is_truncated: Some(truncated),
        marker,
    })
}

pub(super) async fn handle_delete_user(
    tx: &mut Tx,
    context: &RequestContext,
    input: DeleteUserRequest,
) -> Result<(), ServiceError> {
    let account = context.principal.account.to_string();
    let record = find_user(tx, &account, &input.user_name).await?;
    let keys = tx
        .access_keys_of(&account, &KeyOwner::User(record.user_name.clone()))
        .await?;
    if !keys.is_empty() {
        return Err(errors::delete_conflict(
            "Cannot delete entity, must delete access keys first.",
        ));
    }
    if !tx
        .inline_policies(&account, OwnerKind::User, &record.user_name)
        .await?
        .is_empty()
    {
        return Err(errors::delete_conflict(
            "Cannot delete entity, must delete policies first.",
        ));
    }
    if !tx
        .attached_policies(&account, OwnerKind::User, &record.user_name)
        .await?
        .is_empty()
    {
        return Err(errors::delete_conflict(
            "Cannot delete entity, must detach all policies first.",
        ));
    }
    if !tx
        .groups_of_user(&account, &record.user_name)
        .await?
        .is_empty()
    {
        return Err(errors::delete_conflict(
            "Cannot delete entity, must remove user from all groups first.",
        ));
    }
    if tx
        .login_profile(&account, &record.user_name)
        .await?
        .is_some()
    {
        return Err(errors::delete_conflict(
            "Cannot delete entity, must delete login profile first.",
        ));
    }
    if !tx
        .mfa_devices_of_user(&account, &record.user_name)
        .await?
        .is_empty()
    {
        return Err(errors::delete_conflict(
            "Cannot delete entity, must delete MFA device first.",
        ));
    }
    if !tx
        .ssh_public_keys_of(&account, &record.user_name)
        .await?
        .is_empty()
    {
        return Err(errors::delete_conflict(
            "Cannot delete entity, must delete SSH public keys first.",
        ));
    }
    if !tx
        .signing_certificates_of(&account, &KeyOwner::User(record.user_name.clone()))
        .await?
        .is_empty()
    {
        return Err(errors::delete_conflict(
            "Cannot delete entity, must delete signing certificates first.",
        ));
    }
    if !tx
        .service_credentials(&account, Some(&record.user_name), None)
        .await?
        .is_empty()
    {
        return Err(errors::delete_conflict(
            "Cannot delete entity, must delete service-specific credentials first.",
        ));
    }
    tx.delete_user(&account, &record.user_name).await?;
    Ok(())
}

/// `UpdateUser`: a new name and/or path; everything that refers to the user follows.
pub(super) async fn handle_update_user(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    input: UpdateUserRequest,
) -> Result<(), ServiceError> {
    let account = context.principal.account.to_string();
    let found = find_user(tx, &account, &input.user_name).await?;
    let new_name = input.new_user_name.as_deref().unwrap_or(&found.user_name);
    let new_path = input.new_path.as_deref().unwrap_or(&found.path);
    match tx
        .rename_user(&account, &found.user_name, new_name, new_path)
        .await
    {
        Ok(()) => {}
        Err(StoreError::Duplicate) => {
            return Err(errors::entity_already_exists(format!(
                "User with name {new_name} already exists."
            )))
        }
        Err(err) => return Err(err.into()),
    }
    // Cached credentials carry the user's name and path.
    app.credentials().clear();
    Ok(())
}

/// The user of that name in the account, or AWS's `NoSuchEntity`.
pub(super) async fn find_user(
    tx: &mut Tx,
    account: &str,
    name: &str,
) -> Result<UserRecord, ServiceError> {
    tx.user(account, name).await?.ok_or_else(|| {
        errors::no_such_entity(format!("The user with name {name} cannot be found."))
    })
}

pub(super) fn user_to_wire(context: &RequestContext, record: &UserRecord) -> User {
    let principal = &context.principal;
    User {
        path: record.path.clone(),
        user_name: record.user_name.clone(),
        user_id: record.user_id.clone(),
        arn: arn::iam_entity(
            principal.partition,
            principal.account,
            "user",
            &record.path,
            &record.user_name,
        ),
        create_date: from_millis(record.created_at),
        permissions_boundary: record.permissions_boundary.as_ref().map(|arn| {
            AttachedPermissionsBoundary {
                permissions_boundary_type: Some(
                    PermissionsBoundaryAttachmentType::PermissionsBoundaryPolicy,
                ),
                permissions_boundary_arn: Some(arn.clone()),
            }
        }),
        tags: (!record.tags.is_empty()).then(|| tags_to_wire(&record.tags)),
        ..User::default()
    }
}

/// A permissions boundary must be an existing managed policy.
pub(super) async fn check_boundary(
    tx: &mut Tx,
    account: &str,
    arn: &str,
) -> Result<(), ServiceError> {
    let exists = managed_document(tx, account, arn).await?.is_some();
    if exists {
        Ok(())
    } else {
        Err(errors::no_such_entity(format!(
            "Scope ARN: {arn} does not exist or is not attachable."
        )))
    }
}

pub(super) async fn handle_put_user_permissions_boundary(
    tx: &mut Tx,
    context: &RequestContext,
    user_name: &str,
    boundary: &str,
) -> Result<(), ServiceError> {
    let account = context.principal.account.to_string();
    let user = find_user(tx, &account, user_name).await?;
    check_boundary(tx, &account, boundary).await?;
    tx.set_user_boundary(&account, &user.user_name, Some(boundary))
        .await?;
    Ok(())
}

pub(super) async fn handle_delete_user_permissions_boundary(
    tx: &mut Tx,
    context: &RequestContext,
    user_name: &str,
) -> Result<(), ServiceError> {
    let account = context.principal.account.to_string();
    let user = find_user(tx, &account, user_name).await?;
    tx.set_user_boundary(&account, &user.user_name, None)
        .await?;
    Ok(())
}
