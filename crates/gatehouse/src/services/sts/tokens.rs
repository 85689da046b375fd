//! `GetSessionToken` (temporary credentials of the caller itself, optionally proving an
//! MFA code) and `GetFederationToken` (a federated user bounded by the caller's
//! permissions and the request's session policies). Both need the caller's long-term keys.

use wire::sts::{
    FederatedUser, GetFederationTokenRequest, GetFederationTokenResponse, GetSessionTokenRequest,
    GetSessionTokenResponse,
};
use wire::ServiceError;

use crate::app::App;
use crate::auth::authorize::Access;
use crate::auth::principal::FederatingUser;
use crate::auth::session::Session;
use crate::auth::{Principal, PrincipalKind};
use crate::model::{ids, AccessKeyId};
use crate::request::RequestContext;
use crate::services::Needs;
use crate::store::LazyTx;

use super::{mfa, packed_size, sealed_credentials, session_policies};

/// Session length when the request names none, seconds (12 hours).
const DEFAULT_DURATION: i64 = 43_200;
/// The root user's sessions last at most an hour; longer requests get an hour.
const ROOT_MAX: i64 = 3_600;

fn long_term_only(principal: &Principal, operation: &str) -> Result<(), ServiceError> {
    if principal.session.is_some() {
        return Err(ServiceError::new(
            "AccessDenied",
            403,
            format!("Cannot call {operation} with session credentials"),
        ));
    }
    Ok(())
}

/// The session length granted: the request's (validated against the model's range by
/// the decoder) or the default, capped at an hour for the root user.
fn duration(principal: &Principal, requested: Option<i32>) -> i64 {
    let duration = requested.map_or(DEFAULT_DURATION, i64::from);
    if principal.is_root() {
        duration.min(ROOT_MAX)
    } else {
        duration
    }
}

/// `GetSessionToken` needs no permission (AWS's rule): only long-term keys, and the MFA
/// code when one is given, proved now (a code counts once; the use commits with the
/// request). Returns when the code was proved.
pub(super) async fn session_token_needs(
    app: &App,
    tx: &mut LazyTx<'_>,
    caller: &Principal,
    input: &GetSessionTokenRequest,
) -> Result<Option<i64>, ServiceError> {
    long_term_only(caller, "GetSessionToken")?;
    mfa::prove(
        app,
        tx.get().await?,
        caller,
        input.serial_number.as_deref(),
        input.token_code.as_deref(),
    )
    .await
}

pub(super) fn handle_get_session_token(
    app: &App,
    context: &RequestContext,
    input: GetSessionTokenRequest,
    mfa_at: Option<i64>,
) -> Result<GetSessionTokenResponse, ServiceError> {
    let caller = &context.principal;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let session = Session {
        compiled_policies: Default::default(),
        access_key_id: AccessKeyId::generate(caller.account, true).to_string(),
        secret: ids::secret_access_key(),
        account: caller.account.to_string(),
        holder: caller.kind.clone(),
        issued: now,
        expires: now + duration(caller, input.duration_seconds),
        policies: Vec::new(),
        tags: Vec::new(),
        transitive_tag_keys: Vec::new(),
        source_identity: None,
        chained: false,
        mfa_at,
        root_task: None,
        delegation: None,
    };
    let credentials = sealed_credentials(app, &session);
    Ok(GetSessionTokenResponse {
        credentials: Some(credentials),
    })
}

/// What `GetFederationToken` was found to need: the federating user (none for the root
/// user), the federated user's ARN and the validated session policies.
pub(crate) struct FederationPlan {
    user: Option<FederatingUser>,
    federated_arn: String,
    policies: Vec<String>,
    tags: Vec<(String, String)>,
}

/// `sts:GetFederationToken` on the federated user, and `sts:TagSession` when tags are
/// passed; only an IAM user's (or the root user's) long-term keys may ask.
pub(super) async fn federation_token_needs(
    tx: &mut LazyTx<'_>,
    context: &RequestContext,
    input: &GetFederationTokenRequest,
) -> Result<(Needs, FederationPlan), ServiceError> {
    let caller = &context.principal;
    long_term_only(caller, "GetFederationToken")?;
    let user = match &caller.kind {
        PrincipalKind::Root => None,
        PrincipalKind::User { name, id, path } => Some(FederatingUser {
            name: name.clone(),
            id: id.clone(),
            path: path.clone(),
        }),
        _ => {
            return Err(ServiceError::new(
                "AccessDenied",
                403,
                "GetFederationToken must be called with the long-term keys of an IAM user",
            ))
        }
    };
    let account = caller.account.to_string();
    let federated_arn = format!(
        "arn:{}:sts::{account}:federated-user/{}",
        caller.partition, input.name
    );
    let policies = session_policies(
        tx.get().await?,
        &account,
        input.policy.as_deref(),
        input.policy_arns.as_deref(),
    )
    .await?;
    let tags: Vec<(String, String)> = input
        .tags
        .iter()
        .flatten()
        .map(|tag| (tag.key.clone(), tag.value.clone()))
        .collect();
    let mut accesses = vec![Access::new("sts:GetFederationToken", federated_arn.clone())];
    if !tags.is_empty() {
        accesses
            .push(Access::new("sts:TagSession", federated_arn.clone()).with_request_tags(&tags));
    }
    Ok((
        Needs {
            accesses,
            resource_policy: None,
        },
        FederationPlan {
            user,
            federated_arn,
            policies,
            tags,
        },
    ))
}

pub(super) fn handle_get_federation_token(
    app: &App,
    context: &RequestContext,
    input: GetFederationTokenRequest,
    plan: FederationPlan,
) -> Result<GetFederationTokenResponse, ServiceError> {
    let caller = &context.principal;
    let FederationPlan {
        user,
        federated_arn,
        policies,
        tags,
    } = plan;
    let account = caller.account.to_string();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let session = Session {
        compiled_policies: Default::default(),
        access_key_id: AccessKeyId::generate(caller.account, true).to_string(),
        secret: ids::secret_access_key(),
        account: account.clone(),
        holder: PrincipalKind::FederatedUser {
            name: input.name.clone(),
            user,
        },
        issued: now,
        expires: now + duration(caller, input.duration_seconds),
        policies,
        tags,
        transitive_tag_keys: Vec::new(),
        source_identity: None,
        chained: false,
        mfa_at: None,
        root_task: None,
        delegation: None,
    };
    let credentials = sealed_credentials(app, &session);
    Ok(GetFederationTokenResponse {
        credentials: Some(credentials),
        federated_user: Some(FederatedUser {
            federated_user_id: format!("{account}:{}", input.name),
            arn: federated_arn,
        }),
        packed_policy_size: packed_size(input.policy.as_deref()),
    })
}
