//! Inline policies of users and groups: put (create or replace), get, list, delete.

use policy::PolicyKind;
use wire::iam::errors;
use wire::ServiceError;

use crate::store::{OwnerKind, Tx};

use super::documents;
use crate::request::RequestContext;

/// The aggregate size limit of one identity's inline policies.
fn aggregate_limit(owner: OwnerKind) -> usize {
    match owner {
        OwnerKind::User => policy::USER_INLINE_AGGREGATE_MAX_CHARS,
        OwnerKind::Group => policy::GROUP_INLINE_AGGREGATE_MAX_CHARS,
        OwnerKind::Role => policy::ROLE_INLINE_AGGREGATE_MAX_CHARS,
    }
}

/// Creates or replaces an inline policy on an existing identity.
pub(super) async fn put(
    tx: &mut Tx,
    context: &RequestContext,
    owner: OwnerKind,
    owner_name: &str,
    policy_name: &str,
    document: &str,
) -> Result<(), ServiceError> {
    documents::validate(document, PolicyKind::Identity)?;
    let account = context.principal.account.to_string();
    let existing = tx.inline_policies(&account, owner, owner_name).await?;
    let others = existing
        .iter()
        .filter(|(name, _)| name != policy_name)
        .map(|(_, text)| text.as_str());
    let label = match owner {
        OwnerKind::User => format!("user {owner_name}"),
        OwnerKind::Group => format!("group {owner_name}"),
        OwnerKind::Role => format!("role {owner_name}"),
    };
    documents::check_aggregate(
        others.chain(std::iter::once(document)),
        aggregate_limit(owner),
        &label,
    )?;
    tx.put_inline_policy(&account, owner, owner_name, policy_name, document)
        .await
        .map_err(Into::into)
}

/// One inline policy's document (URL-encoded, as IAM returns it).
pub(super) async fn get(
    tx: &mut Tx,
    context: &RequestContext,
    owner: OwnerKind,
    owner_name: &str,
    policy_name: &str,
) -> Result<String, ServiceError> {
    let account = context.principal.account.to_string();
    let existing = tx.inline_policies(&account, owner, owner_name).await?;
    existing
        .into_iter()
        .find(|(name, _)| name == policy_name)
        .map(|(_, text)| documents::encode(&text))
        .ok_or_else(|| {
            errors::no_such_entity(format!(
                "The {} policy with name {policy_name} cannot be found.",
                match owner {
                    OwnerKind::User => "user",
                    OwnerKind::Group => "group",
                    OwnerKind::Role => "role",
                }
            ))
        })
}

/// One page of the names of an identity's inline policies, by name: the names, whether
/// more follow, and the marker to continue from.
pub(super) async fn list(
    tx: &mut Tx,
    context: &RequestContext,
    owner: (OwnerKind, &str),
    max_items: Option<i32>,
    marker: Option<&str>,
) -> Result<(Vec<String>, bool, Option<String>), ServiceError> {
    let account = context.principal.account.to_string();
    let existing = tx.inline_policies(&account, owner.0, owner.1).await?;
    let names: Vec<String> = existing.into_iter().map(|(name, _)| name).collect();
    super::pagination::page(names, max_items, marker, Clone::clone)
}

/// Deletes an inline policy, or `NoSuchEntity`.
pub(super) async fn delete(
    tx: &mut Tx,
    context: &RequestContext,
    owner: OwnerKind,
    owner_name: &str,
    policy_name: &str,
) -> Result<(), ServiceError> {
    let account = context.principal.account.to_string();
    let deleted = tx
        .delete_inline_policy(&account, owner, owner_name, policy_name)
        .await?;
    if deleted {
        Ok(())
    } else {
        Err(errors::no_such_entity(format!(
            "The policy with name {policy_name} cannot be found."
        )))
    }
}
