//! Service last accessed reports (`GenerateServiceLastAccessedDetails`,
//! `GetServiceLastAccessedDetails`, `GetServiceLastAccessedDetailsWithEntities`): for a
//! user, group, role or managed policy, every service its identity policies grant, and
//! when the entities behind it (the user, the role's sessions, a group's members, a
//! policy's users and roles) last tried to use each, allowed or denied, from the audit
//! events of the last 400 days. `RoleLastUsed` of `GetRole` is here too.
//!
//! A job completes inside the generating request; its report is stored and read back
//! by id, by the caller that generated it only, for [`JOB_TTL_MILLIS`].

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use wire::iam::{
    errors, AccessAdvisorUsageGranularityType, EntityDetails, EntityInfo,
    GenerateServiceLastAccessedDetailsRequest, GenerateServiceLastAccessedDetailsResponse,
    GetServiceLastAccessedDetailsRequest, GetServiceLastAccessedDetailsResponse,
    GetServiceLastAccessedDetailsWithEntitiesRequest,
    GetServiceLastAccessedDetailsWithEntitiesResponse, JobStatusType, PolicyOwnerEntityType,
    RoleLastUsed, ServiceLastAccessed, TrackedActionLastAccessed,
};
use wire::ServiceError;

use crate::app::App;
use crate::auth::identity::{identity_sources, managed_document};
use crate::model::arn;
use crate::store::{
    from_millis, now_millis, AccessReportRecord, AccessSummary, OwnerKind, RoleRecord, Tx,
    UserRecord,
};

use super::pagination;
use crate::request::RequestContext;

/// How far back the reports look, as AWS's tracking period: 400 days.
pub(super) const TRACKING_MILLIS: i64 = 400 * 24 * 3600 * 1000;
/// How long a finished job can be read: seven days. AWS does not document how long it
/// keeps jobs; a week covers any reasonable polling and bounds what is stored.
pub(super) const JOB_TTL_MILLIS: i64 = 7 * 24 * 3600 * 1000;
/// Jobs kept per account; creating one more drops the oldest.
pub(super) const JOBS_KEPT: i64 = 1000;
/// The services Gatehouse serves: every policy that grants `*` grants these.
pub(super) const SERVED: [&str; 4] = ["iam", "organizations", "servicequotas", "sts"];

const KIND: &str = "service";

/// The name AWS gives a service in these reports; the namespace itself for services
/// Gatehouse does not know.
pub(super) fn service_name(namespace: &str) -> String {
    match namespace {
        "iam" => "AWS Identity and Access Management",
        "sts" => "AWS Security Token Service",
        "organizations" => "AWS Organizations",
        "servicequotas" => "Service Quotas",
        "s3" => "Amazon S3",
        "ec2" => "Amazon EC2",
        "lambda" => "AWS Lambda",
        "dynamodb" => "Amazon DynamoDB",
        "sqs" => "Amazon SQS",
        "sns" => "Amazon SNS",
        "kms" => "AWS Key Management Service",
        "cloudwatch" => "Amazon CloudWatch",
        "logs" => "Amazon CloudWatch Logs",
        "cloudtrail" => "AWS CloudTrail",
        "secretsmanager" => "AWS Secrets Manager",
        other => other,
    }
    .to_owned()
}

/// The services that any of `documents` grants: those Gatehouse serves and those the
/// documents name, each kept when some `Allow` grants it. In namespace order.
pub(super) fn granted_services(documents: &[policy::PolicyDocument]) -> Vec<String> {
    let mut candidates: BTreeSet<String> = SERVED.iter().map(|s| (*s).to_owned()).collect();
    for document in documents {
        candidates.extend(policy::named_services(document));
    }
    candidates
        .into_iter()
        .filter(|namespace| {
            documents
                .iter()
                .any(|document| policy::grants_service(document, namespace))
        })
        .collect()
}

/// Parses stored documents; one that no longer parses grants nothing.
pub(super) fn parse_all(texts: &[String], kind: policy::PolicyKind) -> Vec<policy::PolicyDocument> {
    texts
        .iter()
        .filter_map(|text| policy::PolicyDocument::parse(text, kind).ok())
        .collect()
}

/// The `RoleLastUsed` of a role: the newest of what is stored and what waits in memory.
pub(super) async fn role_last_used(
    app: &App,
    tx: &mut Tx,
    role: &RoleRecord,
) -> Result<RoleLastUsed, ServiceError> {
    let stored = tx.role_last_used(&role.account_id, &role.role_id).await?;
    let pending = app.last_used().peek_role(&role.account_id, &role.role_id);
    let newest = match (stored, pending) {
        (Some(stored), Some(pending)) => Some(if pending.0 > stored.0 {
            pending
        } else {
            stored
        }),
        (stored, pending) => stored.or(pending),
    };
    let cutoff = now_millis() - TRACKING_MILLIS;
    Ok(match newest.filter(|(at, _)| *at >= cutoff) {
        Some((at, region)) => RoleLastUsed {
            last_used_date: Some(from_millis(at)),
            region: Some(region),
        },
        None => RoleLastUsed::default(),
    })
}

/// A user or role whose activity the report counts.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ReportEntity {
    arn: String,
    name: String,
    /// `USER` or `ROLE`.
    kind: String,
    id: String,
    path: String,
    /// Events before this (the entity's creation) belong to an earlier namesake.
    since: i64,
}

/// One entity's latest attempt on a service or an action.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Attempt {
    /// Index into the report's entities.
    entity: usize,
    at: i64,
    region: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ServiceUse {
    namespace: String,
    /// The latest attempt of each entity that tried, newest first.
    attempts: Vec<Attempt>,
    /// For `ACTION_LEVEL`: the latest attempt per action (`ListUsers`), by action name.
    actions: Vec<(String, Attempt)>,
}

/// A finished report as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Report {
    action_level: bool,
    entities: Vec<ReportEntity>,
    services: Vec<ServiceUse>,
}

impl ReportEntity {
    fn user(context: &RequestContext, user: &UserRecord) -> Self {
        let principal = &context.principal;
        Self {
            arn: arn::iam_entity(
                principal.partition,
                principal.account,
                "user",
                &user.path,
                &user.user_name,
            ),
            name: user.user_name.clone(),
            kind: "USER".to_owned(),
            id: user.user_id.clone(),
            path: user.path.clone(),
            since: user.created_at,
        }
    }

    fn role(context: &RequestContext, role: &RoleRecord) -> Self {
        let principal = &context.principal;
        Self {
            arn: arn::iam_entity(
                principal.partition,
                principal.account,
                "role",
                &role.path,
                &role.role_name,
            ),
            name: role.role_name.clone(),
            kind: "ROLE".to_owned(),
            id: role.role_id.clone(),
            path: role.path.clone(),
            since: role.created_at,
        }
    }

    /// Whether an audit event's principal is this entity: the user itself, or a session
    /// of the role.
    fn matches(&self, context: &RequestContext, principal_arn: &str) -> bool {
        match self.kind.as_str() {
            "ROLE" => principal_arn.starts_with(&session_prefix(context, &self.name)),
            _ => principal_arn == self.arn,
        }
    }
}

/// The start of the ARN of every session of a role: `arn:…:sts::<account>:assumed-role/<name>/`.
fn session_prefix(context: &RequestContext, role_name: &str) -> String {
    let principal = &context.principal;
    format!(
        "arn:{}:sts::{}:assumed-role/{role_name}/",
        principal.partition, principal.account
    )
}

/// The identity documents and the counted entities of the report's subject.
async fn subject(
    tx: &mut Tx,
    context: &RequestContext,
    target: &str,
) -> Result<(Vec<String>, Vec<ReportEntity>), ServiceError> {
    let account = context.principal.account.to_string();
    let not_found = || errors::no_such_entity(format!("The entity {target} cannot be found."));
    let invalid = || errors::invalid_input(format!("ARN {target} is not valid."));
    if target.contains(":policy/") {
        let document = managed_document(tx, &account, target)
            .await?
            .ok_or_else(not_found)?;
        let mut entities: Vec<ReportEntity> = Vec::new();
        for (owner, name) in tx.policy_attachments(&account, target).await? {
            match owner {
                OwnerKind::User => {
                    if let Some(user) = tx.user(&account, &name).await? {
                        entities.push(ReportEntity::user(context, &user));
                    }
                }
                OwnerKind::Role => {
                    if let Some(role) = tx.role(&account, &name).await? {
                        entities.push(ReportEntity::role(context, &role));
                    }
                }
                OwnerKind::Group => {
                    entities.extend(group_members(tx, context, &name).await?);
                }
            }
        }
        let mut seen = BTreeSet::new();
        entities.retain(|entity| seen.insert(entity.arn.clone()));
        return Ok((vec![document], entities));
    }
    let (owner, name) = [
        ("user", OwnerKind::User),
        ("group", OwnerKind::Group),
        ("role", OwnerKind::Role),
    ]
    .into_iter()
    .find_map(|(kind, owner)| {
        arn::parse_iam_resource(target, kind).map(|(arn_account, _, name)| {
            (arn_account == account).then(|| (owner, name.to_owned()))
        })
    })
    .ok_or_else(invalid)?
    .ok_or_else(not_found)?;
    let sources = identity_sources(tx, &account, owner, &name)
        .await?
        .ok_or_else(not_found)?;
    let documents = sources.policies.into_iter().map(|p| p.document).collect();
    let entities = match owner {
        OwnerKind::User => {
            let user = tx.user(&account, &name).await?;
            user.iter()
                .map(|user| ReportEntity::user(context, user))
                .collect()
        }
        OwnerKind::Role => {
            let role = tx.role(&account, &name).await?;
            role.iter()
                .map(|role| ReportEntity::role(context, role))
                .collect()
        }
        OwnerKind::Group => group_members(tx, context, &name).await?,
    };
    Ok((documents, entities))
}

async fn group_members(
    tx: &mut Tx,
    context: &RequestContext,
    group: &str,
) -> Result<Vec<ReportEntity>, ServiceError> {
    let account = context.principal.account.to_string();
    let mut members = Vec::new();
    for key in tx.group_member_keys(&account, group).await? {
        if let Some(user) = tx.user(&account, &key).await? {
            members.push(ReportEntity::user(context, &user));
        }
    }
    Ok(members)
}

/// Folds audit summaries into the report's services.
fn build(
    context: &RequestContext,
    action_level: bool,
    entities: Vec<ReportEntity>,
    namespaces: Vec<String>,
    summaries: &[AccessSummary],
) -> Report {
    // Each summary once, attributed to its entity.
    let attributed: Vec<(usize, &AccessSummary)> = summaries
        .iter()
        .filter_map(|summary| {
            entities
                .iter()
                .position(|entity| {
                    entity.matches(context, &summary.principal_arn) && summary.at >= entity.since
                })
                .map(|index| (index, summary))
        })
        .collect();
    let newer = |slot: &mut Option<Attempt>, index: usize, summary: &AccessSummary| {
        if slot.as_ref().is_none_or(|seen| summary.at > seen.at) {
            *slot = Some(Attempt {
                entity: index,
                at: summary.at,
                region: summary.region.clone(),
            });
        }
    };
    let services = namespaces
        .into_iter()
        .map(|namespace| {
            let mut per_entity: Vec<Option<Attempt>> = vec![None; entities.len()];
            let mut per_action: std::collections::BTreeMap<String, Option<Attempt>> =
                std::collections::BTreeMap::new();
            for (index, summary) in &attributed {
                if summary.service != namespace {
                    continue;
                }
                if let Some(slot) = per_entity.get_mut(*index) {
                    newer(slot, *index, summary);
                }
                if action_level && summary.operation != "unknown" {
                    newer(
                        per_action.entry(summary.operation.clone()).or_default(),
                        *index,
                        summary,
                    );
                }
            }
            let mut attempts: Vec<Attempt> = per_entity.into_iter().flatten().collect();
            attempts.sort_by(|a, b| b.at.cmp(&a.at).then(a.entity.cmp(&b.entity)));
            ServiceUse {
                namespace,
                attempts,
                actions: per_action
                    .into_iter()
                    .filter_map(|(action, attempt)| attempt.map(|attempt| (action, attempt)))
                    .collect(),
            }
        })
        .collect();
    Report {
        action_level,
        entities,
        services,
    }
}

pub(super) async fn handle_generate(
    tx: &mut Tx,
    context: &RequestContext,
    input: GenerateServiceLastAccessedDetailsRequest,
) -> Result<GenerateServiceLastAccessedDetailsResponse, ServiceError> {
    let action_level = match &input.granularity {
        None | Some(AccessAdvisorUsageGranularityType::ServiceLevel) => false,
        Some(AccessAdvisorUsageGranularityType::ActionLevel) => true,
        Some(AccessAdvisorUsageGranularityType::Unknown(other)) => {
            return Err(errors::invalid_input(format!(
                "Granularity must be SERVICE_LEVEL or ACTION_LEVEL, not {other}."
            )))
        }
    };
    let created = now_millis();
    let (texts, entities) = subject(tx, context, &input.arn).await?;
    let documents = parse_all(&texts, policy::PolicyKind::Identity);
    let namespaces = granted_services(&documents);
    let account = context.principal.account.to_string();
    let users: Vec<String> = entities
        .iter()
        .filter(|entity| entity.kind == "USER")
        .map(|entity| entity.arn.clone())
        .collect();
    let roles: Vec<String> = entities
        .iter()
        .filter(|entity| entity.kind == "ROLE")
        .map(|entity| session_prefix(context, &entity.name))
        .collect();
    let summaries = tx
        .access_summaries(&account, created - TRACKING_MILLIS, &users, &roles)
        .await?;
    let report = build(context, action_level, entities, namespaces, &summaries);
    let job_id = uuid::Uuid::new_v4().to_string();
    store_job(tx, context, KIND, &job_id, created, &report).await?;
    Ok(GenerateServiceLastAccessedDetailsResponse {
        job_id: Some(job_id),
    })
}

/// Stores a finished job after dropping the account's expired (and surplus) ones.
pub(super) async fn store_job<T: Serialize>(
    tx: &mut Tx,
    context: &RequestContext,
    kind: &str,
    job_id: &str,
    created: i64,
    report: &T,
) -> Result<(), ServiceError> {
    let account = context.principal.account.to_string();
    let content = serde_json::to_string(report).map_err(crate::app::internal)?;
    tx.prune_access_reports(&account, created - JOB_TTL_MILLIS, JOBS_KEPT - 1)
        .await?;
    tx.insert_access_report(&AccessReportRecord {
        account_id: account,
        job_id: job_id.to_owned(),
        kind: kind.to_owned(),
        requester: context.principal.arn(),
        created_at: created,
        completed_at: now_millis(),
        content,
    })
    .await
    .map_err(Into::into)
}

/// A stored job of the caller, unexpired; `None` otherwise.
pub(super) async fn find_job(
    tx: &mut Tx,
    context: &RequestContext,
    kind: &str,
    job_id: &str,
) -> Result<Option<AccessReportRecord>, ServiceError> {
    let account = context.principal.account.to_string();
    let job = tx.access_report(&account, kind, job_id).await?;
    // Only the caller that generated a job reads it, as AWS has it.
    Ok(job.filter(|job| {
        job.requester == context.principal.arn() && job.created_at >= now_millis() - JOB_TTL_MILLIS
    }))
}

async fn load(
    tx: &mut Tx,
    context: &RequestContext,
    job_id: &str,
) -> Result<(AccessReportRecord, Report), ServiceError> {
    let job = find_job(tx, context, KIND, job_id)
        .await?
        .ok_or_else(|| errors::invalid_input(format!("Invalid job ID: {job_id}")))?;
    let report: Report = serde_json::from_str(&job.content).map_err(crate::app::internal)?;
    Ok((job, report))
}

/// One page of a stored, ordered list: the marker is the position to go on from.
pub(super) fn page_by_position<T>(
    items: Vec<T>,
    max_items: Option<i32>,
    marker: Option<&str>,
) -> Result<(Vec<T>, bool, Option<String>), ServiceError> {
    let start = match pagination::decode_marker(marker)? {
        Some(position) => position
            .parse::<usize>()
            .map_err(|_| ServiceError::new("InvalidInput", 400, "Invalid Marker."))?,
        None => 0,
    };
    let size = usize::try_from(pagination::page_size(max_items)).unwrap_or(usize::MAX);
    let total = items.len();
    let page: Vec<T> = items.into_iter().skip(start).take(size).collect();
    let end = start.saturating_add(page.len());
    let truncated = end < total;
    let next = truncated.then(|| pagination::encode_marker(&end.to_string()));
    Ok((page, truncated, next))
}

pub(super) async fn handle_get(
    tx: &mut Tx,
    context: &RequestContext,
    input: GetServiceLastAccessedDetailsRequest,
) -> Result<GetServiceLastAccessedDetailsResponse, ServiceError> {
    let (job, report) = load(tx, context, &input.job_id).await?;
    let arn_of = |attempt: &Attempt| report.entities.get(attempt.entity).map(|e| e.arn.clone());
    let services: Vec<ServiceLastAccessed> = report
        .services
        .iter()
        .map(|service| {
            let last = service.attempts.first();
            let actions: Vec<TrackedActionLastAccessed> = service
                .actions
                .iter()
                .map(|(action, attempt)| TrackedActionLastAccessed {
                    action_name: Some(action.clone()),
                    last_accessed_entity: arn_of(attempt),
                    last_accessed_time: Some(from_millis(attempt.at)),
                    last_accessed_region: attempt.region.clone(),
                })
                .collect();
            ServiceLastAccessed {
                service_name: service_name(&service.namespace),
                service_namespace: service.namespace.clone(),
                last_authenticated: last.map(|attempt| from_millis(attempt.at)),
                last_authenticated_entity: last.and_then(arn_of),
                last_authenticated_region: last.and_then(|attempt| attempt.region.clone()),
                total_authenticated_entities: Some(
                    i32::try_from(service.attempts.len()).unwrap_or(i32::MAX),
                ),
                tracked_actions_last_accessed: (report.action_level && !actions.is_empty())
                    .then_some(actions),
            }
        })
        .collect();
    let (page, truncated, marker) =
        page_by_position(services, input.max_items, input.marker.as_deref())?;
    Ok(GetServiceLastAccessedDetailsResponse {
        job_status: JobStatusType::Completed,
        job_type: Some(if report.action_level {
            AccessAdvisorUsageGranularityType::ActionLevel
        } else {
            AccessAdvisorUsageGranularityType::ServiceLevel
        }),
        job_creation_date: from_millis(job.created_at),
        services_last_accessed: page,
        job_completion_date: from_millis(job.completed_at),
        is_truncated: Some(truncated),
        marker,
        error: None,
    })
}

pub(super) async fn handle_get_with_entities(
    tx: &mut Tx,
    context: &RequestContext,
    input: GetServiceLastAccessedDetailsWithEntitiesRequest,
) -> Result<GetServiceLastAccessedDetailsWithEntitiesResponse, ServiceError> {
    let (job, report) = load(tx, context, &input.job_id).await?;
    let service = report
        .services
        .iter()
        .find(|service| service.namespace == input.service_namespace);
    // Entities that tried, newest first; then the others, which could have.
    let mut details: Vec<EntityDetails> = Vec::new();
    if let Some(service) = service {
        let mut tried = vec![false; report.entities.len()];
        let mut push = |index: usize, at: Option<i64>| {
            if let Some(entity) = report.entities.get(index) {
                details.push(EntityDetails {
                    entity_info: EntityInfo {
                        arn: entity.arn.clone(),
                        name: entity.name.clone(),
                        type_: if entity.kind == "ROLE" {
                            PolicyOwnerEntityType::Role
                        } else {
                            PolicyOwnerEntityType::User
                        },
                        id: entity.id.clone(),
                        path: Some(entity.path.clone()),
                    },
                    last_authenticated: at.map(from_millis),
                });
            }
        };
        for attempt in &service.attempts {
            if let Some(flag) = tried.get_mut(attempt.entity) {
                *flag = true;
            }
            push(attempt.entity, Some(attempt.at));
        }
        for (index, tried) in tried.into_iter().enumerate() {
            if !tried {
                push(index, None);
            }
        }
    }
    let (page, truncated, marker) =
        page_by_position(details, input.max_items, input.marker.as_deref())?;
    Ok(GetServiceLastAccessedDetailsWithEntitiesResponse {
        job_status: JobStatusType::Completed,
        job_creation_date: from_millis(job.created_at),
        job_completion_date: from_millis(job.completed_at),
        entity_details_list: page,
        is_truncated: Some(truncated),
        marker,
        error: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(statements: &str) -> policy::PolicyDocument {
        policy::PolicyDocument::parse(
            &format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#),
            policy::PolicyKind::Identity,
        )
        .unwrap()
    }

    #[test]
    fn granted_services_are_the_served_and_named_ones_some_allow_grants() {
        let documents = [
            doc(r#"{"Effect":"Allow","Action":["iam:List*","s3:GetObject"],"Resource":"*"}"#),
            doc(
                r#"{"Effect":"Allow","Action":"sts:*","Resource":"*"},{"Effect":"Deny","Action":"ec2:*","Resource":"*"}"#,
            ),
        ];
        assert_eq!(granted_services(&documents), vec!["iam", "s3", "sts"]);
        let all = [doc(r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#)];
        assert_eq!(granted_services(&all), SERVED.to_vec());
        assert!(granted_services(&[]).is_empty());
    }

    #[test]
    fn pages_by_position_cover_the_list_once() {
        let items: Vec<u32> = (0..5).collect();
        let (first, truncated, marker) = page_by_position(items.clone(), Some(2), None).unwrap();
        assert_eq!((first, truncated), (vec![0, 1], true));
        let (second, _, marker) =
            page_by_position(items.clone(), Some(2), marker.as_deref()).unwrap();
        assert_eq!(second, vec![2, 3]);
        let (last, truncated, marker) =
            page_by_position(items.clone(), Some(2), marker.as_deref()).unwrap();
        assert_eq!((last, truncated, marker), (vec![4], false, None));
        assert!(page_by_position(items, None, Some("***")).is_err());
    }
}
