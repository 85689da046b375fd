//! Instance profiles: create, read, list (all, or those holding a role), delete, tags,
//! and the one role each may hold.

use wire::iam::{
    errors, CreateInstanceProfileRequest, InstanceProfile, ListInstanceProfilesForRoleRequest,
    ListInstanceProfilesRequest,
};
use wire::ServiceError;

use crate::model::{ids, IdPrefix};
use crate::store::{from_millis, name_key, now_millis, InstanceProfileRecord, StoreError, Tx};

use super::pagination;
use super::policies::entity_arn;
use super::roles::{find_role, to_wire as role_to_wire};
use super::tags::{merge_tags, tags_to_wire};
use crate::request::RequestContext;

/// AWS's quota of instance profiles per account.
pub(super) const PROFILES_PER_ACCOUNT: i64 = 1000;
/// Roles an instance profile may hold.
const ROLES_PER_PROFILE: usize = 1;

/// The instance profile of that name in the caller's account, or `NoSuchEntity`.
pub(super) async fn find_profile(
    tx: &mut Tx,
    context: &RequestContext,
    name: &str,
) -> Result<InstanceProfileRecord, ServiceError> {
    let account = context.principal.account.to_string();
    tx.instance_profile(&account, name)
        .await?
        .ok_or_else(|| errors::no_such_entity(format!("Instance Profile {name} cannot be found.")))
}

/// An instance profile as IAM returns it, with its role.
async fn to_wire(
    tx: &mut Tx,
    context: &RequestContext,
    record: &InstanceProfileRecord,
) -> Result<InstanceProfile, ServiceError> {
    let mut roles = Vec::new();
    if let Some(key) = &record.role_key {
        let role = tx.role(&record.account_id, key).await?;
        roles.extend(role.map(|role| role_to_wire(context, &role)));
    }
    Ok(InstanceProfile {
        path: record.path.clone(),
        instance_profile_name: record.profile_name.clone(),
        instance_profile_id: record.profile_id.clone(),
        arn: entity_arn(
            context,
            "instance-profile",
            &record.path,
            &record.profile_name,
        ),
        create_date: from_millis(record.created_at),
        roles,
        tags: (!record.tags.is_empty()).then(|| tags_to_wire(&record.tags)),
    })
}

pub(super) async fn handle_create(
    tx: &mut Tx,
    context: &RequestContext,
    input: CreateInstanceProfileRequest,
) -> Result<InstanceProfile, ServiceError> {
    let account = context.principal.account.to_string();
    let count = tx.count_instance_profiles(&account).await?;
    if count >= PROFILES_PER_ACCOUNT {
        return Err(errors::limit_exceeded(format!(
            "Cannot exceed quota for InstanceProfilesPerAccount: {PROFILES_PER_ACCOUNT}"
        )));
    }
    let mut tags = Vec::new();
    merge_tags(&mut tags, input.tags.unwrap_or_default())?;
    let record = InstanceProfileRecord {
        account_id: account,
        profile_name: input.instance_profile_name,
        profile_id: ids::unique_id(IdPrefix::InstanceProfile),
        path: input.path.unwrap_or_else(|| "/".to_owned()),
        role_key: None,
        tags,
        created_at: now_millis(),
    };
    match tx.insert_instance_profile(&record).await {
        Ok(()) => to_wire(tx, context, &record).await,
        Err(StoreError::Duplicate) => Err(errors::entity_already_exists(format!(
            "Instance Profile {} already exists.",
            record.profile_name
        ))),
        Err(err) => Err(err.into()),
    }
}

pub(super) async fn handle_get(
    tx: &mut Tx,
    context: &RequestContext,
    name: &str,
) -> Result<InstanceProfile, ServiceError> {
    let record = find_profile(tx, context, name).await?;
    to_wire(tx, context, &record).await
}

pub(super) async fn handle_delete(
    tx: &mut Tx,
    context: &RequestContext,
    name: &str,
) -> Result<(), ServiceError> {
    let record = find_profile(tx, context, name).await?;
    if record.role_key.is_some() {
        return Err(errors::delete_conflict(
            "Cannot delete entity, must remove roles from instance profile first.",
        ));
    }
    tx.delete_instance_profile(&record.account_id, &record.profile_name)
        .await?;
    Ok(())
}

/// A page of instance profiles: all under a path prefix, or those holding `role`.
async fn list(
    tx: &mut Tx,
    context: &RequestContext,
    (prefix, role): (&str, Option<&str>),
    (marker, max_items): (Option<&str>, Option<i32>),
) -> Result<(Vec<InstanceProfile>, bool, Option<String>), ServiceError> {
    let account = context.principal.account.to_string();
    let limit = pagination::page_size(max_items);
    let after = pagination::decode_marker(marker)?;
    let rows = tx
        .list_instance_profiles(&account, prefix, role, after.as_deref(), limit + 1)
        .await?;
    let (page, truncated, marker) =
        pagination::split(rows, limit, |profile| name_key(&profile.profile_name));
    let mut profiles = Vec::with_capacity(page.len());
    for record in &page {
        profiles.push(to_wire(tx, context, record).await?);
    }
    Ok((profiles, truncated, marker))
}

pub(super) async fn handle_list(
    tx: &mut Tx,
    context: &RequestContext,
    input: ListInstanceProfilesRequest,
) -> Result<(Vec<InstanceProfile>, bool, Option<String>), ServiceError> {
    let prefix = input.path_prefix.as_deref().unwrap_or("/");
    list(
        tx,
        context,
        (prefix, None),
        (input.marker.as_deref(), input.max_items),
    )
    .await
}

pub(super) async fn handle_list_for_role(
    tx: &mut Tx,
    context: &RequestContext,
    input: ListInstanceProfilesForRoleRequest,
) -> Result<(Vec<InstanceProfile>, bool, Option<String>), ServiceError> {
    let role = find_role(tx, context, &input.role_name).await?;
    list(
        tx,
        context,
        ("/", Some(&role.role_name)),
        (input.marker.as_deref(), input.max_items),
    )
    .await
}

pub(super) async fn handle_add_role(
    tx: &mut Tx,
    context: &RequestContext,
    profile_name: &str,
    role_name: &str,
) -> Result<(), ServiceError> {
    let mut profile = find_profile(tx, context, profile_name).await?;
    let role = find_role(tx, context, role_name).await?;
    if profile.role_key.is_some() {
        return Err(errors::limit_exceeded(format!(
            "Cannot exceed quota for InstanceSessionsPerInstanceProfile: {ROLES_PER_PROFILE}"
        )));
    }
    profile.role_key = Some(name_key(&role.role_name));
    tx.update_instance_profile(&profile).await?;
    Ok(())
}

pub(super) async fn handle_remove_role(
    tx: &mut Tx,
    context: &RequestContext,
    profile_name: &str,
    role_name: &str,
) -> Result<(), ServiceError> {
    let mut profile = find_profile(tx, context, profile_name).await?;
    let role = find_role(tx, context, role_name).await?;
    if profile.role_key.as_deref() != Some(name_key(&role.role_name).as_str()) {
        return Err(errors::no_such_entity(format!(
            "The role with name {} cannot be found in instance profile {}.",
            role.role_name, profile.profile_name
        )));
    }
    profile.role_key = None;
    tx.update_instance_profile(&profile).await?;
    Ok(())
}

/// Applies a change to an instance profile's tags and writes it back.
pub(super) async fn update_tags(
    tx: &mut Tx,
    context: &RequestContext,
    name: &str,
    change: impl FnOnce(&mut Vec<(String, String)>) -> Result<(), ServiceError>,
) -> Result<(), ServiceError> {
    let mut profile = find_profile(tx, context, name).await?;
    change(&mut profile.tags)?;
    tx.update_instance_profile(&profile).await?;
    Ok(())
}

/// The instance profiles holding a role, as `ListInstanceProfilesForRole` returns them (a
/// profile holds at most one role, so these are few).
pub(super) async fn profiles_of_role(
    tx: &mut Tx,
    context: &RequestContext,
    role_name: &str,
) -> Result<Vec<InstanceProfile>, ServiceError> {
    let account = context.principal.account.to_string();
    let records = tx
        .list_instance_profiles(&account, "/", Some(role_name), None, i64::from(u16::MAX))
        .await?;
    let mut profiles = Vec::with_capacity(records.len());
    for record in &records {
        profiles.push(to_wire(tx, context, record).await?);
    }
    Ok(profiles)
}

/// Whether a role is held by any instance profile (then it cannot be deleted).
pub(super) async fn role_in_profile(
    tx: &mut Tx,
    account: &str,
    role_name: &str,
) -> Result<bool, ServiceError> {
    let held = tx
        .list_instance_profiles(account, "/", Some(role_name), None, 1)
        .await?;
    Ok(!held.is_empty())
}
