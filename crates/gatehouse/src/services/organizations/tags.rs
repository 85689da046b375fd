//! Tags on an organization's roots, OUs, accounts, policies and responsibility transfers
//! (each side of a transfer keeps its own tags).

use wire::organizations::{
    ListTagsForResourceRequest, ListTagsForResourceResponse, Tag, TagResourceRequest,
    UntagResourceRequest,
};
use wire::ServiceError;

use crate::store::Tx;

use super::{constraint, pagination, policies, tags_from_wire, transfers, OrgScope};

/// AWS's limit on tags per resource.
pub(super) const MAX_TAGS: usize = 50;

pub(super) async fn handle_tag_resource(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: TagResourceRequest,
) -> Result<(), ServiceError> {
    find_resource(scope, tx, &input.resource_id).await?;
    let tags = tags_from_wire(Some(input.tags))?;
    let existing = tx.org_tags(scope.org_id(), &input.resource_id).await?;
    let added = tags
        .iter()
        .filter(|(key, _)| !existing.iter().any(|(old, _)| old == key))
        .count();
    if existing.len() + added > MAX_TAGS {
        return Err(constraint(
            "MAX_TAG_LIMIT_EXCEEDED",
            "You have exceeded the maximum number of tags allowed on this resource.",
        ));
    }
    tx.put_org_tags(scope.org_id(), &input.resource_id, &tags)
        .await
        .map_err(Into::into)
}

pub(super) async fn handle_untag_resource(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: UntagResourceRequest,
) -> Result<(), ServiceError> {
    find_resource(scope, tx, &input.resource_id).await?;
    tx.remove_org_tags(scope.org_id(), &input.resource_id, &input.tag_keys)
        .await
        .map_err(Into::into)
}

pub(super) async fn handle_list_tags_for_resource(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: ListTagsForResourceRequest,
) -> Result<ListTagsForResourceResponse, ServiceError> {
    find_resource(scope, tx, &input.resource_id).await?;
    let tags = tx.org_tags(scope.org_id(), &input.resource_id).await?;
    let (page, next_token) = pagination::page(tags, input.next_token.as_deref(), None)?;
    Ok(ListTagsForResourceResponse {
        tags: Some(
            page.into_iter()
                .map(|(key, value)| Tag { key, value })
                .collect(),
        ),
        next_token,
    })
}

/// A taggable resource: a policy (`p-…`) or a root, OU or account.
async fn find_resource(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    resource_id: &str,
) -> Result<(), ServiceError> {
    if resource_id.starts_with("p-") {
        policies::find_policy(scope, tx, resource_id)
            .await
            .map(|_| ())
    } else if resource_id.starts_with("rt-") {
        if transfers::exists_for(scope, tx, resource_id).await? {
            Ok(())
        } else {
            Err(wire::organizations::errors::target_not_found_exception(
                "We can't find a root, OU, account, or policy with the TargetId that you specified.",
            ))
        }
    } else {
        policies::find_target(scope, tx, resource_id)
            .await
            .map(|_| ())
    }
}
