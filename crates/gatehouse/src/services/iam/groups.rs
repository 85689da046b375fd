//! IAM groups: create, read, list, delete, and membership.

use wire::iam::{
    errors, CreateGroupRequest, CreateGroupResponse, GetGroupRequest, GetGroupResponse, Group,
    ListGroupsForUserRequest, ListGroupsForUserResponse, ListGroupsRequest, ListGroupsResponse,
    UpdateGroupRequest,
};
use wire::ServiceError;

use crate::model::{ids, IdPrefix};
use crate::store::{from_millis, GroupRecord, OwnerKind, StoreError, Tx};

use super::pagination;
use super::policies::entity_arn;
use super::users::{find_user, user_to_wire};
use crate::request::RequestContext;

/// AWS's quota of groups per account.
pub(super) const GROUPS_PER_ACCOUNT: i64 = 300;
/// AWS's quota of groups a user can belong to.
pub(super) const GROUPS_PER_USER: usize = 10;

fn to_wire(context: &RequestContext, record: &GroupRecord) -> Group {
    Group {
        path: record.path.clone(),
        group_name: record.group_name.clone(),
        group_id: record.group_id.clone(),
        arn: entity_arn(context, "group", &record.path, &record.group_name),
        create_date: from_millis(record.created_at),
    }
}

/// `UpdateGroup`: a new name and/or path; memberships and policies follow.
pub(super) async fn handle_update_group(
    tx: &mut Tx,
    context: &RequestContext,
    input: UpdateGroupRequest,
) -> Result<(), ServiceError> {
    let account = context.principal.account.to_string();
    let found = find_group(tx, context, &input.group_name).await?;
    let new_name = input.new_group_name.as_deref().unwrap_or(&found.group_name);
    let new_path = input.new_path.as_deref().unwrap_or(&found.path);
    match tx
        .rename_group(&account, &found.group_name, new_name, new_path)
        .await
    {
        Ok(()) => Ok(()),
        Err(StoreError::Duplicate) => Err(errors::entity_already_exists(format!(
            "Group with name {new_name} already exists."
        ))),
        Err(err) => Err(err.into()),
    }
}

/// The group of that name in the caller's account, or `NoSuchEntity`.
pub(super) async fn find_group(
    tx: &mut Tx,
    context: &RequestContext,
    name: &str,
) -> Result<GroupRecord, ServiceError> {
    let account = context.principal.account.to_string();
    tx.group(&account, name).await?.ok_or_else(|| {
        errors::no_such_entity(format!("The group with name {name} cannot be found."))
    })
}

pub(super) async fn handle_create_group(
    tx: &mut Tx,
    context: &RequestContext,
    input: CreateGroupRequest,
) -> Result<CreateGroupResponse, ServiceError> {
    let account = context.principal.account.to_string();
    let existing = tx
        .list_groups(&account, "/", None, GROUPS_PER_ACCOUNT + 1)
        .await?;
    if i64::try_from(existing.len()).unwrap_or(i64::MAX) >= GROUPS_PER_ACCOUNT {
        return Err(errors::limit_exceeded(format!(
            "Cannot exceed quota for GroupsPerAccount: {GROUPS_PER_ACCOUNT}"
        )));
    }
    let record = GroupRecord {
        account_id: account,
        group_name: input.group_name,
        group_id: ids::unique_id(IdPrefix::Group),
        path: input.path.unwrap_or_else(|| "/".to_owned()),
        created_at: crate::store::now_millis(),
    };
    match tx.insert_group(&record).await {
        Ok(()) => Ok(CreateGroupResponse {
            group: to_wire(context, &record),
        }),
        Err(StoreError::Duplicate) => Err(errors::entity_already_exists(format!(
            "Group with name {} already exists.",
            record.group_name
        ))),
        Err(err) => Err(err.into()),
    }
}

pub(super) async fn handle_get_group(
    tx: &mut Tx,
    context: &RequestContext,
    input: GetGroupRequest,
) -> Result<GetGroupResponse, ServiceError> {
    let group = find_group(tx, context, &input.group_name).await?;
    let keys = tx
        .group_member_keys(&group.account_id, &group.group_name)
        .await?;
    let after = pagination::decode_marker(input.marker.as_deref())?;
    let limit = usize::try_from(pagination::page_size(input.max_items)).unwrap_or(100);
    let rest: Vec<String> = keys
        .into_iter()
        .filter(|key| after.as_deref().is_none_or(|after| key.as_str() > after))
        .collect();
    let truncated = rest.len() > limit;
    let mut users = Vec::new();
    for key in rest.iter().take(limit) {
        let user = find_user(tx, &group.account_id, key).await?;
        users.push(user_to_wire(context, &user));
    }
    let marker = truncated
        .then(|| {
            rest.get(limit.saturating_sub(1))
                .map(|key| pagination::encode_marker(key))
        })
        .flatten();
    Ok(GetGroupResponse {
        group: to_wire(context, &group),
        users,
        is_truncated: Some(truncated),
        marker,
    })
}

pub(super) async fn handle_list_groups(
    tx: &mut Tx,
    context: &RequestContext,
    input: ListGroupsRequest,
) -> Result<ListGroupsResponse, ServiceError> {
    let account = context.principal.account.to_string();
    let limit = pagination::page_size(input.max_items);
    let after = pagination::decode_marker(input.marker.as_deref())?;
    let prefix = input.path_prefix.as_deref().unwrap_or("/");
    let rows = tx
        .list_groups(&account, prefix, after.as_deref(), limit + 1)
        .await?;
    let (page, truncated, marker) = pagination::split(rows, limit, |group| {
        crate::store::name_key(&group.group_name)
    });
    Ok(ListGroupsResponse {
        groups: page.iter().map(|group| to_wire(context, group)).collect(),
        is_truncated: Some(truncated),
        marker,
    })
}

pub(super) async fn handle_delete_group(
    tx: &mut Tx,
    context: &RequestContext,
    name: &str,
) -> Result<(), ServiceError> {
    let group = find_group(tx, context, name).await?;
    let account = &group.account_id;
    let members = tx.group_member_keys(account, &group.group_name).await?;
    if !members.is_empty() {
        return Err(errors::delete_conflict(
            "Cannot delete entity, must remove users from group first.",
        ));
    }
    let inline = tx
        .inline_policies(account, OwnerKind::Group, &group.group_name)
        .await?;
    if !inline.is_empty() {
        return Err(errors::delete_conflict(
            "Cannot delete entity, must delete policies first.",
        ));
    }
    let attached = tx
        .attached_policies(account, OwnerKind::Group, &group.group_name)
        .await?;
    if !attached.is_empty() {
        return Err(errors::delete_conflict(
            "Cannot delete entity, must detach all policies first.",
        ));
    }
    tx.delete_group(account, &group.group_name).await?;
    Ok(())
}

pub(super) async fn handle_add_user_to_group(
    tx: &mut Tx,
    context: &RequestContext,
    group_name: &str,
    user_name: &str,
) -> Result<(), ServiceError> {
    let group = find_group(tx, context, group_name).await?;
    let user = find_user(tx, &group.account_id, user_name).await?;
    let groups = tx
        .groups_of_user(&group.account_id, &user.user_name)
        .await?;
    let already = groups.iter().any(|g| g.group_id == group.group_id);
    if !already && groups.len() >= GROUPS_PER_USER {
        return Err(errors::limit_exceeded(format!(
            "Cannot exceed quota for GroupsPerUser: {GROUPS_PER_USER}"
        )));
    }
    tx.add_group_member(&group.account_id, &group.group_name, &user.user_name)
        .await
        .map_err(Into::into)
}

pub(super) async fn handle_remove_user_from_group(
    tx: &mut Tx,
    context: &RequestContext,
    group_name: &str,
    user_name: &str,
) -> Result<(), ServiceError> {
    let group = find_group(tx, context, group_name).await?;
    let user = find_user(tx, &group.account_id, user_name).await?;
    let removed = tx
        .remove_group_member(&group.account_id, &group.group_name, &user.user_name)
        .await?;
    if removed {
        Ok(())
    } else {
        Err(errors::no_such_entity(format!(
            "User {user_name} is not in group {group_name}."
        )))
    }
}

pub(super) async fn handle_list_groups_for_user(
    tx: &mut Tx,
    context: &RequestContext,
    input: ListGroupsForUserRequest,
) -> Result<ListGroupsForUserResponse, ServiceError> {
    let account = context.principal.account.to_string();
    let user = find_user(tx, &account, &input.user_name).await?;
    let groups = tx.groups_of_user(&account, &user.user_name).await?;
    let (page, truncated, marker) =
        super::pagination::page(groups, input.max_items, input.marker.as_deref(), |group| {
            group.group_name.to_lowercase()
        })?;
    Ok(ListGroupsForUserResponse {
        groups: page.iter().map(|group| to_wire(context, group)).collect(),
        is_truncated: Some(truncated),
        marker,
    })
}
