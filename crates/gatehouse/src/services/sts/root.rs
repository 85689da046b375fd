//! `AssumeRoot`: the management account of an organization (or IAM's delegated
//! administrator) takes a short root session in a member account for one privileged task.
//! The organization must have centralized root sessions on (`iam:
//! EnableOrganizationsRootSessions`); the session is the member's root user limited by
//! one of AWS's root task policies (`model/aws_managed.rs` `ROOT_TASKS`) and still bound by
//! the member's SCPs; it lasts at most 15 minutes.

use policy::ContextValue;
use wire::sts::{AssumeRootRequest, AssumeRootResponse};
use wire::ServiceError;

use crate::app::App;
use crate::auth::authorize::Access;
use crate::auth::session::Session;
use crate::auth::PrincipalKind;
use crate::model::{aws_managed, ids, AccessKeyId, AccountId};
use crate::request::RequestContext;
use crate::services::Needs;
use crate::store::Tx;

use super::sealed_credentials;

/// Longest (and default) root session, seconds.
const MAX_DURATION: i64 = 900;
/// IAM's service principal, which trusted access and delegated administration name.
const IAM_PRINCIPAL: &str = "iam.amazonaws.com";
/// The feature `EnableOrganizationsRootSessions` turns on.
const ROOT_SESSIONS: &str = "RootSessions";

fn denied(context: &RequestContext, target: &str, why: &str) -> ServiceError {
    ServiceError::new(
        "AccessDenied",
        403,
        format!(
            "User: {} is not authorized to perform: sts:AssumeRoot on resource: {target}: {why}",
            context.principal.arn()
        ),
    )
}

/// What `AssumeRoot` was found to need: the target account, the task and its length.
pub(crate) struct AssumeRootPlan {
    target: AccountId,
    task_arn: String,
    task: &'static aws_managed::AwsManagedPolicy,
    duration: i64,
}

/// `sts:AssumeRoot` with the task policy as `sts:TaskPolicyArn`, once the input names an
/// account, a root task policy and a length within 15 minutes.
pub(super) fn assume_root_needs(
    input: &AssumeRootRequest,
) -> Result<(Needs, AssumeRootPlan), ServiceError> {
    let target = AccountId::parse(&input.target_principal).ok_or_else(|| {
        ServiceError::validation(format!(
            "TargetPrincipal `{}` is not an account id",
            input.target_principal
        ))
    })?;
    let task_arn = input.task_policy_arn.arn.clone().unwrap_or_default();
    let task = aws_managed::root_task(&task_arn).ok_or_else(|| {
        ServiceError::validation(format!(
            "TaskPolicyArn `{task_arn}` is not one of the AWS managed root task policies"
        ))
    })?;
    let duration = input.duration_seconds.map_or(MAX_DURATION, i64::from);
    if !(0..=MAX_DURATION).contains(&duration) {
        return Err(ServiceError::validation(
            "DurationSeconds must be at most 900 seconds.",
        ));
    }
    let mut access = Access::new("sts:AssumeRoot", "*");
    access.context.push((
        "sts:TaskPolicyArn".to_owned(),
        ContextValue::from(task_arn.as_str()),
    ));
    Ok((
        Needs::one(access),
        AssumeRootPlan {
            target,
            task_arn,
            task,
            duration,
        },
    ))
}

/// Where the caller must stand (the management account or IAM's delegated administrator
/// of an organization with root sessions on, the target a member of it), then the
/// session.
pub(super) async fn handle_assume_root(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    plan: AssumeRootPlan,
) -> Result<AssumeRootResponse, ServiceError> {
    let AssumeRootPlan {
        target,
        task_arn,
        task,
        duration,
    } = plan;
    // Who may ask, and for which account.
    let caller_account = context.principal.account.to_string();
    let target_id = target.to_string();
    let org = tx
        .organization_of_account(&caller_account)
        .await?
        .ok_or_else(|| denied(context, &target_id, "the account is not in an organization"))?;
    if org.management_account_id != caller_account {
        let delegated = tx
            .delegated_admins(&org.org_id)
            .await?
            .iter()
            .any(|(admin, principal, _)| *admin == caller_account && principal == IAM_PRINCIPAL);
        if !delegated {
            return Err(denied(
                context,
                &target_id,
                "only the management account or IAM's delegated administrator may assume root",
            ));
        }
    }
    let enabled = tx
        .iam_org_features(&org.org_id)
        .await?
        .iter()
        .any(|feature| feature == ROOT_SESSIONS);
    if !enabled {
        return Err(denied(
            context,
            &target_id,
            "centralized root sessions are not enabled for the organization",
        ));
    }
    let member = tx.member(&org.org_id, &target_id).await?;
    if member.is_none() || target_id == org.management_account_id {
        return Err(denied(
            context,
            &target_id,
            "the target is not a member account of the organization",
        ));
    }

    let now = time::OffsetDateTime::now_utc();
    let session = Session {
        compiled_policies: Default::default(),
        access_key_id: AccessKeyId::generate(target, true).to_string(),
        secret: ids::secret_access_key(),
        account: target_id,
        holder: PrincipalKind::Root,
        issued: now.unix_timestamp(),
        expires: now.unix_timestamp() + duration,
        policies: vec![task.document.to_owned()],
        tags: Vec::new(),
        transitive_tag_keys: Vec::new(),
        source_identity: context
            .principal
            .session
            .as_ref()
            .and_then(|session| session.source_identity.clone()),
        chained: false,
        mfa_at: None,
        root_task: Some(task_arn),
        delegation: None,
    };
    Ok(AssumeRootResponse {
        credentials: Some(sealed_credentials(app, &session)),
        source_identity: session.source_identity.clone(),
    })
}
