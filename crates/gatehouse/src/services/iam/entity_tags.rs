//! Tags on users and customer managed policies (`Tag*`/`Untag*`/`List*Tags`), whose
//! records keep their tags in their own row. Roles, instance profiles and MFA devices
//! change their tags through their own `update` functions; every path merges through
//! `tags.rs`, which enforces IAM's rules and the 50-tag quota.

use wire::ServiceError;

use crate::store::{TaggedTable, Tx};

use super::policies;
use super::users::find_user;
use crate::request::RequestContext;

/// Applies a change to a user's tags; returns the tags after it.
/// A user's tags, read without writing anything.
pub(super) async fn user_tags(
    tx: &mut Tx,
    context: &RequestContext,
    name: &str,
) -> Result<Vec<(String, String)>, ServiceError> {
    let account = context.principal.account.to_string();
    Ok(find_user(tx, &account, name).await?.tags)
}

/// A customer managed policy's tags, read without writing anything.
pub(super) async fn policy_tags(
    tx: &mut Tx,
    context: &RequestContext,
    arn: &str,
) -> Result<Vec<(String, String)>, ServiceError> {
    Ok(policies::find(tx, context, arn).await?.tags)
}

pub(super) async fn user(
    tx: &mut Tx,
    context: &RequestContext,
    name: &str,
    change: impl FnOnce(&mut Vec<(String, String)>) -> Result<(), ServiceError>,
) -> Result<Vec<(String, String)>, ServiceError> {
    let account = context.principal.account.to_string();
    let mut record = find_user(tx, &account, name).await?;
    change(&mut record.tags)?;
    tx.set_entity_tags(TaggedTable::User, &account, &record.user_name, &record.tags)
        .await?;
    Ok(record.tags)
}

/// Applies a change to a customer managed policy's tags; returns the tags after it.
pub(super) async fn policy(
    tx: &mut Tx,
    context: &RequestContext,
    arn: &str,
    change: impl FnOnce(&mut Vec<(String, String)>) -> Result<(), ServiceError>,
) -> Result<Vec<(String, String)>, ServiceError> {
    let mut record = policies::find(tx, context, arn).await?;
    change(&mut record.tags)?;
    tx.set_entity_tags(
        TaggedTable::Policy,
        &record.account_id,
        &record.policy_name,
        &record.tags,
    )
    .await?;
    Ok(record.tags)
}
