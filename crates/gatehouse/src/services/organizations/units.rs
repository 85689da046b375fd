//! The OU tree: organizational units under the root (at most five levels deep), and the
//! parent/child views of it.

use wire::organizations::{
    errors, Child, ChildType, CreateOrganizationalUnitRequest, CreateOrganizationalUnitResponse,
    DeleteOrganizationalUnitRequest, DescribeOrganizationalUnitRequest,
    DescribeOrganizationalUnitResponse, ListChildrenRequest, ListChildrenResponse,
    ListOrganizationalUnitsForParentRequest, ListOrganizationalUnitsForParentResponse,
    ListParentsRequest, ListParentsResponse, OrganizationalUnit, Parent, ParentType,
    UpdateOrganizationalUnitRequest, UpdateOrganizationalUnitResponse,
};
use wire::ServiceError;

use crate::model::organizations::{self as ids, EntityKind};
use crate::store::{now_millis, StoreError, Tx, UnitRecord};

use super::{constraint, pagination, policies, tags_from_wire, OrgScope};

/// AWS's limit on OU nesting below the root.
const MAX_DEPTH: i64 = 5;
/// AWS's limit on OUs per organization.
const MAX_UNITS: usize = 1000;

pub(super) async fn handle_create_unit(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: CreateOrganizationalUnitRequest,
) -> Result<CreateOrganizationalUnitResponse, ServiceError> {
    let tags = tags_from_wire(input.tags)?;
    let parent = find_parent(scope, tx, &input.parent_id).await?;
    if parent.depth >= MAX_DEPTH {
        return Err(constraint(
            "OU_DEPTH_LIMIT_EXCEEDED",
            "You attempted to create an OU tree that is too many levels deep.",
        ));
    }
    let units = tx.units(scope.org_id()).await?;
    // The root is a unit too.
    if units.len() > MAX_UNITS {
        return Err(constraint(
            "OU_NUMBER_LIMIT_EXCEEDED",
            "You have reached the maximum number of OUs in your organization.",
        ));
    }
    let unit = UnitRecord {
        org_id: scope.org_id().to_owned(),
        unit_id: ids::organizational_unit_id(&scope.org.root_id),
        parent_id: Some(parent.unit_id.clone()),
        name: input.name,
        depth: parent.depth + 1,
        created_at: now_millis(),
    };
    match tx.insert_unit(&unit).await {
        Ok(()) => {}
        Err(StoreError::Duplicate) => return Err(duplicate_unit()),
        Err(err) => return Err(err.into()),
    }
    if !tags.is_empty() {
        tx.put_org_tags(scope.org_id(), &unit.unit_id, &tags)
            .await?;
    }
    policies::attach_defaults(scope, tx, &unit.unit_id).await?;
    let mut units = units;
    units.push(unit.clone());
    Ok(CreateOrganizationalUnitResponse {
        organizational_unit: Some(unit_to_wire(scope, &unit, &units)),
    })
}

pub(super) async fn handle_describe_unit(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: DescribeOrganizationalUnitRequest,
) -> Result<DescribeOrganizationalUnitResponse, ServiceError> {
    let unit = find_unit(scope, tx, &input.organizational_unit_id).await?;
    let units = tx.units(scope.org_id()).await?;
    Ok(DescribeOrganizationalUnitResponse {
        organizational_unit: Some(unit_to_wire(scope, &unit, &units)),
    })
}

pub(super) async fn handle_update_unit(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: UpdateOrganizationalUnitRequest,
) -> Result<UpdateOrganizationalUnitResponse, ServiceError> {
    let mut unit = find_unit(scope, tx, &input.organizational_unit_id).await?;
    if let Some(name) = input.name {
        match tx.rename_unit(scope.org_id(), &unit.unit_id, &name).await {
            Ok(()) => {}
            Err(StoreError::Duplicate) => return Err(duplicate_unit()),
            Err(err) => return Err(err.into()),
        }
        unit.name = name;
    }
    let units = tx.units(scope.org_id()).await?;
    Ok(UpdateOrganizationalUnitResponse {
        organizational_unit: Some(unit_to_wire(scope, &unit, &units)),
    })
}

pub(super) async fn handle_delete_unit(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: DeleteOrganizationalUnitRequest,
) -> Result<(), ServiceError> {
    let unit = find_unit(scope, tx, &input.organizational_unit_id).await?;
    let children = tx.child_units(scope.org_id(), &unit.unit_id).await?;
    let accounts = tx.members(scope.org_id(), Some(&unit.unit_id)).await?;
    if !children.is_empty() || !accounts.is_empty() {
        return Err(errors::organizational_unit_not_empty_exception(
            "The specified organizational unit is not empty. You must first remove all accounts and child OUs.",
        ));
    }
    tx.delete_unit(scope.org_id(), &unit.unit_id)
        .await
        .map(|_| ())
        .map_err(Into::into)
}

pub(super) async fn handle_list_units_for_parent(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: ListOrganizationalUnitsForParentRequest,
) -> Result<ListOrganizationalUnitsForParentResponse, ServiceError> {
    let parent = find_parent(scope, tx, &input.parent_id).await?;
    let units = tx.units(scope.org_id()).await?;
    let children: Vec<&UnitRecord> = units
        .iter()
        .filter(|unit| unit.parent_id.as_deref() == Some(parent.unit_id.as_str()))
        .collect();
    let (page, next_token) =
        pagination::page(children, input.next_token.as_deref(), input.max_results)?;
    Ok(ListOrganizationalUnitsForParentResponse {
        organizational_units: Some(
            page.into_iter()
                .map(|unit| unit_to_wire(scope, unit, &units))
                .collect(),
        ),
        next_token,
    })
}

pub(super) async fn handle_list_children(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: ListChildrenRequest,
) -> Result<ListChildrenResponse, ServiceError> {
    let parent = find_parent(scope, tx, &input.parent_id).await?;
    let children: Vec<Child> = match input.child_type {
        ChildType::Account => tx
            .members(scope.org_id(), Some(&parent.unit_id))
            .await?
            .into_iter()
            .map(|(member, _)| Child {
                id: Some(member.account_id),
                type_: Some(ChildType::Account),
            })
            .collect(),
        ChildType::OrganizationalUnit => tx
            .child_units(scope.org_id(), &parent.unit_id)
            .await?
            .into_iter()
            .map(|unit| Child {
                id: Some(unit.unit_id),
                type_: Some(ChildType::OrganizationalUnit),
            })
            .collect(),
        ChildType::Unknown(_) => {
            return Err(super::invalid_input(
                "INVALID_ENUM",
                "You specified an invalid value.",
            ))
        }
    };
    let (page, next_token) =
        pagination::page(children, input.next_token.as_deref(), input.max_results)?;
    Ok(ListChildrenResponse {
        children: Some(page),
        next_token,
    })
}

pub(super) async fn handle_list_parents(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    input: ListParentsRequest,
) -> Result<ListParentsResponse, ServiceError> {
    let not_found = || {
        errors::child_not_found_exception("We can't find an organizational unit (OU) or account with the ChildId that you specified.")
    };
    let parent_id = match ids::kind_of(&input.child_id) {
        EntityKind::Account => tx
            .member(scope.org_id(), &input.child_id)
            .await?
            .map(|(member, _)| member.parent_id),
        EntityKind::OrganizationalUnit => tx
            .unit(scope.org_id(), &input.child_id)
            .await?
            .and_then(|unit| unit.parent_id),
        EntityKind::Root | EntityKind::Other => None,
    }
    .ok_or_else(not_found)?;
    let type_ = if ids::kind_of(&parent_id) == EntityKind::Root {
        ParentType::Root
    } else {
        ParentType::OrganizationalUnit
    };
    let parents = vec![Parent {
        id: Some(parent_id),
        type_: Some(type_),
    }];
    let (page, next_token) =
        pagination::page(parents, input.next_token.as_deref(), input.max_results)?;
    Ok(ListParentsResponse {
        parents: Some(page),
        next_token,
    })
}

/// A root or OU that can be a parent, or AWS's `ParentNotFoundException`.
pub(super) async fn find_parent(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    parent_id: &str,
) -> Result<UnitRecord, ServiceError> {
    tx.unit(scope.org_id(), parent_id).await?.ok_or_else(|| {
        errors::parent_not_found_exception(
            "We can't find a root or OU with the ParentId that you specified.",
        )
    })
}

/// An OU (not the root), or AWS's `OrganizationalUnitNotFoundException`.
async fn find_unit(
    scope: &OrgScope<'_>,
    tx: &mut Tx,
    unit_id: &str,
) -> Result<UnitRecord, ServiceError> {
    tx.unit(scope.org_id(), unit_id)
        .await?
        .filter(|unit| unit.parent_id.is_some())
        .ok_or_else(|| {
            errors::organizational_unit_not_found_exception(
                "We can't find an OU with the OrganizationalUnitId that you specified.",
            )
        })
}

fn duplicate_unit() -> ServiceError {
    errors::duplicate_organizational_unit_exception("An OU with the same name already exists.")
}

/// An OU as Organizations reports it; its path is `o-…/r-…/ou-…/…/` down to itself.
fn unit_to_wire(
    scope: &OrgScope<'_>,
    unit: &UnitRecord,
    units: &[UnitRecord],
) -> OrganizationalUnit {
    let mut chain = vec![unit.unit_id.clone()];
    let mut next = unit.parent_id.clone();
    while let Some(id) = next {
        if chain.len() > 8 {
            break;
        }
        next = units
            .iter()
            .find(|candidate| candidate.unit_id == id)
            .and_then(|found| found.parent_id.clone());
        chain.push(id);
    }
    chain.push(scope.org_id().to_owned());
    chain.reverse();
    OrganizationalUnit {
        id: Some(unit.unit_id.clone()),
        arn: Some(scope.target_arn(&unit.unit_id)),
        name: Some(unit.name.clone()),
        path: Some(format!("{}/", chain.join("/"))),
    }
}
