//! Service-linked roles: roles an AWS service creates and uses on the account's behalf,
//! named `AWSServiceRoleFor…`, under `/aws-service-role/<service>/`, trusting only that
//! service. Only `DeleteServiceLinkedRole` removes them; IAM refuses to change their
//! trust, policies or boundary (`UnmodifiableEntity`).

use wire::iam::{
    errors, CreateServiceLinkedRoleRequest, CreateServiceLinkedRoleResponse,
    DeletionTaskStatusType, GetServiceLinkedRoleDeletionStatusResponse,
};
use wire::ServiceError;

use crate::model::{ids, IdPrefix};
use crate::store::{now_millis, OwnerKind, RoleRecord, StoreError, Tx};

use super::roles::{find_role, to_wire};
use crate::request::RequestContext;

/// The path prefix that marks a service-linked role.
pub(super) const PATH_PREFIX: &str = "/aws-service-role/";
/// The name prefix of every service-linked role.
const NAME_PREFIX: &str = "AWSServiceRoleFor";
/// Longest role name IAM accepts.
const MAX_ROLE_NAME: usize = 64;
/// Service principal suffix.
const PRINCIPAL_SUFFIX: &str = ".amazonaws.com";

/// Role-name stems AWS uses for some services, where capitalising the principal's
/// words would not give AWS's name.
const KNOWN_NAMES: &[(&str, &str)] = &[
    ("autoscaling", "AutoScaling"),
    ("elasticloadbalancing", "ElasticLoadBalancing"),
    ("elasticbeanstalk", "ElasticBeanstalk"),
    ("ecs", "ECS"),
    ("rds", "RDS"),
    ("sso", "SSO"),
    ("eks", "AmazonEKS"),
    ("organizations", "Organizations"),
    ("support", "Support"),
    ("trustedadvisor", "TrustedAdvisor"),
    ("cloudtrail", "CloudTrail"),
    ("config", "Config"),
    ("guardduty", "AmazonGuardDuty"),
    ("securityhub", "SecurityHub"),
];

/// Whether a role is service-linked (its path says so).
pub(super) fn is_service_linked(role: &RoleRecord) -> bool {
    role.path.starts_with(PATH_PREFIX)
}

/// AWS's refusal to change a service-linked role through ordinary IAM calls.
pub(super) fn unmodifiable(role: &RoleRecord) -> ServiceError {
    errors::unmodifiable_entity(format!(
        "Cannot perform the operation on the protected role '{}' - this role is only modifiable by AWS",
        role.role_name
    ))
}

/// Refuses when the role is service-linked.
pub(super) fn check_modifiable(role: &RoleRecord) -> Result<(), ServiceError> {
    if is_service_linked(role) {
        Err(unmodifiable(role))
    } else {
        Ok(())
    }
}

/// The role name for a service principal (`AWSServiceRoleFor<Stem>[_<suffix>]`).
pub(super) fn role_name(service: &str, suffix: Option<&str>) -> Result<String, ServiceError> {
    let invalid = || errors::invalid_input(format!("Invalid ServiceName: {service}"));
    let Some(prefix) = service.strip_suffix(PRINCIPAL_SUFFIX) else {
        return Err(invalid());
    };
    let words_ok = !prefix.is_empty()
        && prefix.split(['.', '-']).all(|word| {
            !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
    if !words_ok {
        return Err(invalid());
    }
    let stem = KNOWN_NAMES
        .iter()
        .find(|(principal, _)| *principal == prefix)
        .map_or_else(
            || {
                prefix
                    .split(['.', '-'])
                    .map(|word| {
                        let mut chars = word.chars();
                        chars
                            .next()
                            .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                            .unwrap_or_default()
                    })
                    .collect::<String>()
            },
            |(_, stem)| (*stem).to_owned(),
        );
    let name = match suffix {
        Some(suffix) => format!("{NAME_PREFIX}{stem}_{suffix}"),
        None => format!("{NAME_PREFIX}{stem}"),
    };
    if name.len() > MAX_ROLE_NAME {
        return Err(errors::invalid_input(format!(
            "The role name {name} is longer than {MAX_ROLE_NAME} characters; use a shorter custom suffix."
        )));
    }
    Ok(name)
}

/// The trust policy of a service-linked role: only the service may assume it.
fn trust_policy(service: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "sts:AssumeRole"
        }]
    })
    .to_string()
}

pub(super) async fn handle_create(
    tx: &mut Tx,
    context: &RequestContext,
    input: CreateServiceLinkedRoleRequest,
) -> Result<CreateServiceLinkedRoleResponse, ServiceError> {
    let service = input.aws_service_name;
    let name = role_name(&service, input.custom_suffix.as_deref())?;
    let record = RoleRecord {
        account_id: context.principal.account.to_string(),
        role_name: name,
        role_id: ids::unique_id(IdPrefix::Role),
        path: format!("{PATH_PREFIX}{service}/"),
        trust_policy: trust_policy(&service),
        description: input.description,
        max_session_duration: 3600,
        permissions_boundary: None,
        tags: Vec::new(),
        created_at: now_millis(),
    };
    match tx.insert_role(&record).await {
        Ok(()) => Ok(CreateServiceLinkedRoleResponse {
            role: Some(to_wire(context, &record)),
        }),
        Err(StoreError::Duplicate) => Err(errors::invalid_input(format!(
            "Service role name {} has been taken in this account, please try a different suffix.",
            record.role_name
        ))),
        Err(err) => Err(err.into()),
    }
}

/// The deletion task id AWS's format gives: `task/<role path without slashes at the
/// ends>/<role name>/<uuid>`.
fn task_id(role: &RoleRecord) -> String {
    format!(
        "task{}{}/{}",
        role.path,
        role.role_name,
        uuid::Uuid::new_v4()
    )
}

/// The role ARN a deletion task id refers to (for authorization).
pub(super) fn task_role(task_id: &str) -> Option<(String, String)> {
    let rest = task_id.strip_prefix("task/")?;
    let (role_part, _uuid) = rest.rsplit_once('/')?;
    let (path, name) = role_part.rsplit_once('/')?;
    Some((format!("/{path}/"), name.to_owned()))
}

pub(super) async fn handle_delete(
    tx: &mut Tx,
    context: &RequestContext,
    name: &str,
) -> Result<String, ServiceError> {
    let role = find_role(tx, context, name).await?;
    if !is_service_linked(&role) {
        return Err(errors::invalid_input(format!(
            "Role {} is not a service-linked role.",
            role.role_name
        )));
    }
    if super::instance_profiles::role_in_profile(tx, &role.account_id, &role.role_name).await? {
        return Err(errors::delete_conflict(
            "Cannot delete entity, must remove roles from instance profile first.",
        ));
    }
    for policy in tx
        .inline_policies(&role.account_id, OwnerKind::Role, &role.role_name)
        .await?
    {
        tx.delete_inline_policy(
            &role.account_id,
            OwnerKind::Role,
            &role.role_name,
            &policy.0,
        )
        .await?;
    }
    for arn in tx
        .attached_policies(&role.account_id, OwnerKind::Role, &role.role_name)
        .await?
    {
        tx.detach_policy(&role.account_id, OwnerKind::Role, &role.role_name, &arn)
            .await?;
    }
    tx.delete_role(&role.account_id, &role.role_name).await?;
    let task = task_id(&role);
    tx.insert_deletion_task(&role.account_id, &task, "SUCCEEDED", now_millis())
        .await?;
    Ok(task)
}

pub(super) async fn handle_deletion_status(
    tx: &mut Tx,
    context: &RequestContext,
    task_id: &str,
) -> Result<GetServiceLinkedRoleDeletionStatusResponse, ServiceError> {
    let account = context.principal.account.to_string();
    let status = tx.deletion_task(&account, task_id).await?.ok_or_else(|| {
        errors::no_such_entity(format!("Deletion task {task_id} cannot be found."))
    })?;
    Ok(GetServiceLinkedRoleDeletionStatusResponse {
        status: match status.as_str() {
            "SUCCEEDED" => DeletionTaskStatusType::Succeeded,
            "FAILED" => DeletionTaskStatusType::Failed,
            "IN_PROGRESS" => DeletionTaskStatusType::InProgress,
            _ => DeletionTaskStatusType::NotStarted,
        },
        reason: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_aws_conventions() {
        assert_eq!(
            role_name("autoscaling.amazonaws.com", None).unwrap(),
            "AWSServiceRoleForAutoScaling"
        );
        assert_eq!(
            role_name("autoscaling.amazonaws.com", Some("web")).unwrap(),
            "AWSServiceRoleForAutoScaling_web"
        );
        assert_eq!(
            role_name("replication.dynamodb.amazonaws.com", None).unwrap(),
            "AWSServiceRoleForReplicationDynamodb"
        );
        assert!(role_name("example.com", None).is_err());
        assert!(role_name("Bad.amazonaws.com", None).is_err());
        assert!(role_name("autoscaling.amazonaws.com", Some(&"x".repeat(60))).is_err());
    }

    #[test]
    fn deletion_task_ids_name_their_role() {
        let id =
            "task/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling/0f1e";
        assert_eq!(
            task_role(id),
            Some((
                "/aws-service-role/autoscaling.amazonaws.com/".to_owned(),
                "AWSServiceRoleForAutoScaling".to_owned()
            ))
        );
        assert_eq!(task_role("nonsense"), None);
    }
}
