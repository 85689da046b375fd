//! Organizations access reports (`GenerateOrganizationsAccessReport`,
//! `GetOrganizationsAccessReport`): for a root, OU or account of the caller's
//! organization (named by its entity path `o-…/r-…/ou-…/<account>`), every service the
//! SCPs along that path allow (or, given `OrganizationsPolicyId`, that one SCP allows),
//! and when principals of the accounts below it last tried each, from the audit events.
//! Only the management account asks; its own activity is reported only when the path
//! names it (SCPs never limit it, so it is left out of roots and OUs).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use wire::iam::{
    errors, AccessDetail, GenerateOrganizationsAccessReportRequest,
    GenerateOrganizationsAccessReportResponse, GetOrganizationsAccessReportRequest,
    GetOrganizationsAccessReportResponse, JobStatusType, SortKeyType,
};
use wire::ServiceError;

use crate::store::{from_millis, now_millis, OrganizationRecord, Tx, UnitRecord};

use super::last_accessed::{
    find_job, granted_services, page_by_position, parse_all, service_name, store_job,
    TRACKING_MILLIS,
};
use crate::request::RequestContext;

const KIND: &str = "organizations";
const SCP: &str = "SERVICE_CONTROL_POLICY";

/// One service of a finished report.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ServiceAccess {
    namespace: String,
    /// The latest attempt: when, in which region, from which account's path.
    last: Option<(i64, Option<String>, String)>,
    /// Accounts whose principals tried.
    accounts: usize,
}

/// A finished report as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Report {
    services: Vec<ServiceAccess>,
}

/// What an entity path names, once checked against the organization.
enum Entity {
    /// The root or an OU: the unit ids from the root down to it.
    Unit(Vec<String>),
    /// An account: the unit ids from the root down to its parent, then the account.
    Account(Vec<String>, String),
}

fn invalid_path(path: &str) -> ServiceError {
    errors::invalid_input(format!("Invalid entity path: {path}"))
}

/// Checks an entity path against the organization: each OU under the one before, an
/// account (last only) directly under the last unit.
async fn resolve(
    tx: &mut Tx,
    org: &OrganizationRecord,
    units: &[UnitRecord],
    path: &str,
) -> Result<Entity, ServiceError> {
    let trimmed = path.strip_suffix('/').unwrap_or(path);
    let mut parts = trimmed.split('/');
    if parts.next() != Some(org.org_id.as_str()) || parts.next() != Some(org.root_id.as_str()) {
        return Err(invalid_path(path));
    }
    let mut chain = vec![org.root_id.clone()];
    let rest: Vec<&str> = parts.collect();
    for (index, part) in rest.iter().enumerate() {
        let parent = chain.last().cloned().unwrap_or_default();
        if part.starts_with("ou-") {
            let under = units
                .iter()
                .any(|unit| unit.unit_id == *part && unit.parent_id.as_deref() == Some(&parent));
            if !under {
                return Err(invalid_path(path));
            }
            chain.push((*part).to_owned());
        } else if index + 1 == rest.len()
            && part.len() == 12
            && part.bytes().all(|b| b.is_ascii_digit())
        {
            let member = tx.member(&org.org_id, part).await?;
            if member.is_none_or(|(member, _)| member.parent_id != parent) {
                return Err(invalid_path(path));
            }
            return Ok(Entity::Account(chain, (*part).to_owned()));
        } else {
            return Err(invalid_path(path));
        }
    }
    Ok(Entity::Unit(chain))
}

/// The unit ids from the root down to `unit_id`.
fn chain_to(units: &[UnitRecord], unit_id: &str) -> Vec<String> {
    let mut chain = Vec::new();
    let mut next = Some(unit_id.to_owned());
    while let Some(id) = next {
        if chain.len() > 16 || chain.contains(&id) {
            break;
        }
        next = units
            .iter()
            .find(|unit| unit.unit_id == id)
            .and_then(|unit| unit.parent_id.clone());
        chain.push(id);
    }
    chain.reverse();
    chain
}

pub(super) async fn handle_generate(
    tx: &mut Tx,
    context: &RequestContext,
    input: GenerateOrganizationsAccessReportRequest,
) -> Result<GenerateOrganizationsAccessReportResponse, ServiceError> {
    let account = context.principal.account.to_string();
    let org = tx
        .organization_of_account(&account)
        .await?
        .filter(|org| org.management_account_id == account)
        .ok_or_else(|| {
            ServiceError::new(
                "AccessDenied",
                403,
                "Organizations access reports can be generated only from the organization's management account.",
            )
        })?;
    let enabled = tx.enabled_policy_types(&org.org_id).await?;
    if !enabled.iter().any(|kind| kind == SCP) {
        return Err(errors::invalid_input(
            "Service control policies must be enabled for the organization root.",
        ));
    }
    let units = tx.units(&org.org_id).await?;
    let entity = resolve(tx, &org, &units, &input.entity_path).await?;
    let selected = match &input.organizations_policy_id {
        Some(id) => Some(
            tx.org_policy(&org.org_id, id)
                .await?
                .filter(|policy| policy.policy_type == SCP)
                .ok_or_else(|| {
                    errors::invalid_input(format!("Invalid Organizations policy ID: {id}"))
                })?,
        ),
        None => None,
    };
    let members = tx.members(&org.org_id, None).await?;
    // Each account in scope with its path (units then account id).
    let management = &org.management_account_id;
    let mut in_scope: Vec<(String, Vec<String>)> = Vec::new();
    match &entity {
        Entity::Account(chain, id) => in_scope.push((id.clone(), chain.clone())),
        Entity::Unit(chain) => {
            for (member, _) in &members {
                if member.account_id == *management {
                    continue;
                }
                let path = chain_to(&units, &member.parent_id);
                if path.starts_with(chain) {
                    in_scope.push((member.account_id.clone(), path));
                }
            }
        }
    }
    let names_management = matches!(&entity, Entity::Account(_, id) if id == management);
    // The SCP given applies to the accounts below one of its targets.
    if let (Some(policy), false) = (&selected, names_management) {
        let targets = tx.targets_of_policy(&org.org_id, &policy.policy_id).await?;
        in_scope.retain(|(id, path)| {
            targets
                .iter()
                .any(|target| target == id || path.contains(target))
        });
    }
    let namespaces = if names_management {
        // SCPs never limit the management account: every service (the policy is ignored).
        let all = parse_all(
            &[r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#.to_owned()],
            policy::PolicyKind::ServiceControl,
        );
        granted_services(&all)
    } else if let Some(policy) = &selected {
        granted_services(&parse_all(
            std::slice::from_ref(&policy.content),
            policy::PolicyKind::ServiceControl,
        ))
    } else {
        // Every level from the root down to the entity must allow the service.
        let mut targets: Vec<String> = match &entity {
            Entity::Unit(chain) => chain.clone(),
            Entity::Account(chain, id) => chain.iter().cloned().chain([id.clone()]).collect(),
        };
        targets.dedup();
        let mut allowed: Option<Vec<String>> = None;
        for target in &targets {
            let attached: Vec<String> = tx
                .policies_of_target(&org.org_id, target, Some(SCP))
                .await?
                .into_iter()
                .map(|policy| policy.content)
                .collect();
            let here = granted_services(&parse_all(&attached, policy::PolicyKind::ServiceControl));
            allowed = Some(match allowed {
                None => here,
                Some(before) => before.into_iter().filter(|ns| here.contains(ns)).collect(),
            });
        }
        allowed.unwrap_or_default()
    };
    let created = now_millis();
    // Per service: the latest attempt and the accounts that tried.
    let mut seen: BTreeMap<String, ServiceAccess> = namespaces
        .iter()
        .map(|ns| {
            (
                ns.clone(),
                ServiceAccess {
                    namespace: ns.clone(),
                    last: None,
                    accounts: 0,
                },
            )
        })
        .collect();
    for (id, path) in &in_scope {
        let summaries = tx
            .account_access_summaries(id, created - TRACKING_MILLIS)
            .await?;
        let mut latest: BTreeMap<&str, (i64, Option<String>)> = BTreeMap::new();
        for (service, region, at) in &summaries {
            let slot = latest
                .entry(service.as_str())
                .or_insert((*at, region.clone()));
            if *at > slot.0 {
                *slot = (*at, region.clone());
            }
        }
        let entity_path = format!("{}/{}/{id}", org.org_id, path.join("/"));
        for (service, (at, region)) in latest {
            let Some(access) = seen.get_mut(service) else {
                continue;
            };
            access.accounts += 1;
            if access.last.as_ref().is_none_or(|(last, _, _)| at > *last) {
                access.last = Some((at, region, entity_path.clone()));
            }
        }
    }
    let report = Report {
        services: seen.into_values().collect(),
    };
    let job_id = uuid::Uuid::new_v4().to_string();
    store_job(tx, context, KIND, &job_id, created, &report).await?;
    Ok(GenerateOrganizationsAccessReportResponse {
        job_id: Some(job_id),
    })
}

pub(super) async fn handle_get(
    tx: &mut Tx,
    context: &RequestContext,
    input: GetOrganizationsAccessReportRequest,
) -> Result<GetOrganizationsAccessReportResponse, ServiceError> {
    let job = find_job(tx, context, KIND, &input.job_id)
        .await?
        .ok_or_else(|| {
            errors::no_such_entity(format!(
                "The report with job ID {} cannot be found.",
                input.job_id
            ))
        })?;
    let report: Report = serde_json::from_str(&job.content).map_err(crate::app::internal)?;
    let accessible = report.services.len();
    let not_accessed = report.services.iter().filter(|s| s.last.is_none()).count();
    let mut services = report.services;
    let time = |service: &ServiceAccess| service.last.as_ref().map_or(0, |(at, _, _)| *at);
    match &input.sort_key {
        None | Some(SortKeyType::ServiceNamespaceAscending) => {
            services.sort_by(|a, b| a.namespace.cmp(&b.namespace));
        }
        Some(SortKeyType::ServiceNamespaceDescending) => {
            services.sort_by(|a, b| b.namespace.cmp(&a.namespace));
        }
        Some(SortKeyType::LastAuthenticatedTimeAscending) => {
            services.sort_by(|a, b| time(a).cmp(&time(b)).then(a.namespace.cmp(&b.namespace)));
        }
        Some(SortKeyType::LastAuthenticatedTimeDescending) => {
            services.sort_by(|a, b| time(b).cmp(&time(a)).then(a.namespace.cmp(&b.namespace)));
        }
        Some(SortKeyType::Unknown(other)) => {
            return Err(errors::invalid_input(format!("Invalid SortKey: {other}")));
        }
    }
    let details: Vec<AccessDetail> = services
        .into_iter()
        .map(|service| {
            let (at, region, path) = match service.last {
                Some((at, region, path)) => (Some(from_millis(at)), region, Some(path)),
                None => (None, None, None),
            };
            AccessDetail {
                service_name: service_name(&service.namespace),
                service_namespace: service.namespace,
                region,
                entity_path: path,
                last_authenticated_time: at,
                total_authenticated_entities: Some(
                    i32::try_from(service.accounts).unwrap_or(i32::MAX),
                ),
            }
        })
        .collect();
    let (page, truncated, marker) =
        page_by_position(details, input.max_items, input.marker.as_deref())?;
    Ok(GetOrganizationsAccessReportResponse {
        job_status: JobStatusType::Completed,
        job_creation_date: from_millis(job.created_at),
        job_completion_date: Some(from_millis(job.completed_at)),
        number_of_services_accessible: Some(i32::try_from(accessible).unwrap_or(i32::MAX)),
        number_of_services_not_accessed: Some(i32::try_from(not_accessed).unwrap_or(i32::MAX)),
        access_details: Some(page),
        is_truncated: Some(truncated),
        marker,
        error_details: None,
    })
}
