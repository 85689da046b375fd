//! `AssumeRole`: the only door between accounts. The role's trust policy is evaluated with
//! the caller as principal (and, across accounts, the caller's own policies must allow
//! `sts:AssumeRole` too); the session is sealed into its token.

use policy::{CompiledPolicy, ContextValue, PolicyKind};
use wire::sts::{AssumeRoleRequest, AssumeRoleResponse, AssumedRoleUser};
use wire::ServiceError;

use crate::app::App;
use crate::auth::authorize::Access;
use crate::auth::identity::organization_facts;
use crate::auth::session::Session;
use crate::auth::PrincipalKind;
use crate::model::{ids, AccessKeyId, AccountId};
use crate::request::RequestContext;
use crate::services::Needs;
use crate::store::{LazyTx, RoleRecord};

use super::{mfa, packed_size, sealed_credentials, session_policies};

/// Default session length, seconds.
const DEFAULT_DURATION: i64 = 3600;
/// Shortest session STS grants, seconds.
const MIN_DURATION: i64 = 900;
/// Longest session when a role session assumes a role (role chaining), seconds.
const CHAINED_MAX: i64 = 3600;

/// Splits `arn:<partition>:iam::<account>:role/<path><name>`.
fn parse_role_arn(text: &str) -> Option<(AccountId, String, &str)> {
    let (account, path, name) = crate::model::arn::parse_iam_resource(text, "role")?;
    Some((AccountId::parse(account)?, path, name))
}

fn denied(context: &RequestContext, role_arn: &str) -> ServiceError {
    ServiceError::new(
        "AccessDenied",
        403,
        format!(
            "User: {} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
            context.principal.arn()
        ),
    )
}

/// What `AssumeRole` was found to need besides the input: the role, its account, the
/// validated session policies and when an MFA code was proved.
pub(crate) struct AssumeRolePlan {
    role: RoleRecord,
    account: AccountId,
    policies: Vec<String>,
    mfa_at: Option<i64>,
    /// The session's tags and the keys that stay transitive.
    tags: (Vec<(String, String)>, Vec<String>),
}

/// `sts:AssumeRole` on the role (and `sts:TagSession` when tags are passed), decided with
/// the role's trust policy as the resource policy: same-account grants to the caller
/// suffice, across accounts the caller's own policies must allow too. The role's
/// organization and RCPs come along when crossing accounts.
pub(super) async fn assume_role_needs(
    app: &App,
    tx: &mut LazyTx<'_>,
    context: &RequestContext,
    input: &AssumeRoleRequest,
) -> Result<(Needs, AssumeRolePlan), ServiceError> {
    let caller = &context.principal;
    if caller.is_root() {
        return Err(ServiceError::new(
            "AccessDenied",
            403,
            "Roles may not be assumed by root accounts.",
        ));
    }
    let (account, path, name) = parse_role_arn(&input.role_arn)
        .ok_or_else(|| ServiceError::validation(format!("{} is invalid", input.role_arn)))?;
    let tags = session_tags(caller, input)?;

    let tx = tx.get().await?;
    let role = tx
        .role(&account.to_string(), name)
        .await?
        .filter(|role| role.path == path)
        // A missing role looks like a refusal: existence is not disclosed across accounts.
        .ok_or_else(|| denied(context, &input.role_arn))?;

    // Session policies: inline and managed, validated now, enforced on every request.
    let policies = session_policies(
        tx,
        &account.to_string(),
        input.policy.as_deref(),
        input.policy_arns.as_deref(),
    )
    .await?;
    // The role's organization (`aws:ResourceOrgID`) and its RCPs, when crossing accounts.
    let (role_org, role_rcps) = if account == caller.account {
        (None, None)
    } else {
        let facts = organization_facts(tx, account).await?;
        (
            facts.membership,
            Some(std::sync::Arc::new(facts.rcp_levels)),
        )
    };
    // An MFA code proved now (its use commits with the request), or the proof the
    // caller's own session carries.
    let mfa_at = match mfa::prove(
        app,
        tx,
        caller,
        input.serial_number.as_deref(),
        input.token_code.as_deref(),
    )
    .await?
    {
        Some(at) => Some(at),
        None => caller.mfa_at(),
    };

    let trust = CompiledPolicy::parse(
        input.role_arn.clone(),
        &role.trust_policy,
        PolicyKind::Trust,
    )
    .map_err(|_| denied(context, &input.role_arn))?;
    // Every action this request is checked for sees the same context: the session's
    // name, its source identity, the MFA proof, the role's organization, the tags.
    let mut shared: Vec<(String, ContextValue)> = vec![(
        "sts:RoleSessionName".to_owned(),
        ContextValue::from(input.role_session_name.as_str()),
    )];
    if let Some(source) = &input.source_identity {
        shared.push((
            "sts:SourceIdentity".to_owned(),
            ContextValue::from(source.as_str()),
        ));
    }
    if let Some(at) = mfa_at {
        let age = context.now.unix_timestamp() - at;
        shared.push((
            "aws:MultiFactorAuthPresent".to_owned(),
            ContextValue::from(true),
        ));
        shared.push((
            "aws:MultiFactorAuthAge".to_owned(),
            ContextValue::from(age.max(0)),
        ));
    }
    if let Some(org) = role_org {
        shared.push((
            "aws:ResourceOrgID".to_owned(),
            ContextValue::from(org.org_id.as_str()),
        ));
        shared.push((
            "aws:ResourceOrgPaths".to_owned(),
            ContextValue::multi(vec![org.path]),
        ));
    }
    if let Some(keys) = &input.transitive_tag_keys {
        shared.push((
            "sts:TransitiveTagKeys".to_owned(),
            ContextValue::multi(keys.clone()),
        ));
    }
    let requested: Vec<(String, String)> = input
        .tags
        .iter()
        .flatten()
        .map(|tag| (tag.key.clone(), tag.value.clone()))
        .collect();
    // Session tags need sts:TagSession, a source identity sts:SetSourceIdentity, as AWS
    // asks of every role assumption that carries them.
    let mut actions = vec!["sts:AssumeRole"];
    if !requested.is_empty() {
        actions.push("sts:TagSession");
    }
    if input.source_identity.is_some() {
        actions.push("sts:SetSourceIdentity");
    }
    let accesses = actions
        .into_iter()
        .map(|action| {
            let mut access =
                Access::new(action, input.role_arn.clone()).with_request_tags(&requested);
            access.context.extend(shared.iter().cloned());
            access.resource_rcps = role_rcps.clone();
            access
        })
        .collect();
    Ok((
        Needs {
            accesses,
            resource_policy: Some(trust),
        },
        AssumeRolePlan {
            role,
            account,
            policies,
            mfa_at,
            tags,
        },
    ))
}

pub(super) fn handle_assume_role(
    app: &App,
    context: &RequestContext,
    input: AssumeRoleRequest,
    plan: AssumeRolePlan,
) -> Result<AssumeRoleResponse, ServiceError> {
    let caller = &context.principal;
    let AssumeRolePlan {
        role,
        account,
        policies,
        mfa_at,
        tags: (tags, transitive_tag_keys),
    } = plan;

    let chained = matches!(caller.kind, PrincipalKind::AssumedRole { .. });
    let limit = if chained {
        CHAINED_MAX.min(role.max_session_duration)
    } else {
        role.max_session_duration
    };
    let duration = input.duration_seconds.map_or(DEFAULT_DURATION, i64::from);
    if duration > limit {
        return Err(ServiceError::validation(if chained {
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.".to_owned()
        } else {
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
                .to_owned()
        }));
    }
    let duration = duration.max(MIN_DURATION);

    let now = time::OffsetDateTime::now_utc();
    let key_id = AccessKeyId::generate(account, true);
    let session = Session {
        compiled_policies: Default::default(),
        access_key_id: key_id.to_string(),
        secret: ids::secret_access_key(),
        account: account.to_string(),
        holder: PrincipalKind::AssumedRole {
            role_name: role.role_name.clone(),
            role_id: role.role_id.clone(),
            role_path: role.path.clone(),
            session_name: input.role_session_name.clone(),
        },
        issued: now.unix_timestamp(),
        expires: now.unix_timestamp() + duration,
        policies,
        tags,
        transitive_tag_keys,
        source_identity: input.source_identity.clone().or_else(|| {
            caller
                .session
                .as_ref()
                .and_then(|s| s.source_identity.clone())
        }),
        chained,
        mfa_at,
        root_task: None,
        delegation: None,
    };
    let packed = packed_size(input.policy.as_deref());
    Ok(AssumeRoleResponse {
        credentials: Some(sealed_credentials(app, &session)),
        assumed_role_user: Some(AssumedRoleUser {
            assumed_role_id: format!("{}:{}", role.role_id, input.role_session_name),
            arn: format!(
                "arn:{}:sts::{account}:assumed-role/{}/{}",
                caller.partition, role.role_name, input.role_session_name
            ),
        }),
        packed_policy_size: packed,
        source_identity: input.source_identity,
    })
}

/// The session's tags: those passed on by the caller's session as transitive, then the
/// request's own; and the keys that stay transitive. A request may not redefine an
/// inherited transitive tag, and may mark as transitive only tags it passes.
#[allow(clippy::type_complexity)]
fn session_tags(
    caller: &crate::auth::Principal,
    input: &AssumeRoleRequest,
) -> Result<(Vec<(String, String)>, Vec<String>), ServiceError> {
    let mut tags = Vec::new();
    let mut transitive = Vec::new();
    if let Some(session) = &caller.session {
        for (key, value) in &session.tags {
            if session
                .transitive_tag_keys
                .iter()
                .any(|k| k.eq_ignore_ascii_case(key))
            {
                tags.push((key.clone(), value.clone()));
                transitive.push(key.clone());
            }
        }
    }
    let inherited = tags.len();
    for tag in input.tags.iter().flatten() {
        if tags
            .iter()
            .any(|(key, _)| key.eq_ignore_ascii_case(&tag.key))
        {
            return Err(ServiceError::validation(format!(
                "the tag key `{}` is set more than once, or redefines a transitive tag of the calling session",
                tag.key
            )));
        }
        tags.push((tag.key.clone(), tag.value.clone()));
    }
    for key in input.transitive_tag_keys.iter().flatten() {
        let passed = tags
            .get(inherited..)
            .unwrap_or_default()
            .iter()
            .any(|(tag, _)| tag.eq_ignore_ascii_case(key));
        if !passed {
            return Err(ServiceError::validation(format!(
                "the transitive tag key `{key}` is not among the session tags of the request"
            )));
        }
        if !transitive
            .iter()
            .any(|k: &String| k.eq_ignore_ascii_case(key))
        {
            transitive.push(key.clone());
        }
    }
    Ok((tags, transitive))
}

/// The role ARN of a session's role, for tests and messages.
#[cfg(test)]
fn role_arn(account: AccountId, path: &str, name: &str) -> String {
    crate::model::arn::iam_entity(crate::model::Partition::AWS, account, "role", path, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_parse_with_paths() {
        let account = AccountId::parse("123456789012").unwrap();
        let text = role_arn(account, "/ci/", "Deployer");
        assert_eq!(
            parse_role_arn(&text),
            Some((account, "/ci/".to_owned(), "Deployer"))
        );
        assert_eq!(
            parse_role_arn("arn:aws:iam::123456789012:role/Dev"),
            Some((account, "/".to_owned(), "Dev"))
        );
        assert_eq!(parse_role_arn("arn:aws:iam::123456789012:user/Dev"), None);
        assert_eq!(parse_role_arn("arn:aws:iam::12345:role/Dev"), None);
    }
}
