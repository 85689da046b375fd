//! `GetSessionToken` (temporary credentials of the caller itself, optionally proving an
//! MFA code) and `GetFederationToken` (a federated user bounded by the caller's
//! permissions and the request's session policies). Both need the caller's long-term keys.

use wire::sts::{
    FederatedUser, GetFederationTokenRequest, GetFederationTokenResponse, GetSessionTokenRequest,
    GetSessionTokenResponse,
};
use wire::ServiceError;

use crate::app::App;
use crate::auth::authorize::{authorize, Access};
use crate::auth::principal::FederatingUser;
use crate::auth::session::Session;
use crate::auth::{Principal, PrincipalKind};
use crate::model::{ids, AccessKeyId};
use crate::request::RequestContext;

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

pub(super) async fn handle_get_session_token(
    app: &App,
    context: &RequestContext,
    input: GetSessionTokenRequest,
) -> Result<GetSessionTokenResponse, ServiceError> {
    let caller = &context.principal;
    long_term_only(caller, "GetSessionToken")?;
    let mut tx = app.store().begin().await?;
    let mfa_at = mfa::prove(
        app,
        &mut tx,
        caller,
        input.serial_number.as_deref(),
        input.token_code.as_deref(),
    )
    .await?;
    // An accepted code is recorded as used.
    tx.commit().await?;
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

pub(super) async fn handle_get_federation_token(
    app: &App,
    context: &RequestContext,
    input: GetFederationTokenRequest,
) -> Result<GetFederationTokenResponse, ServiceError> {
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

    let mut tx = app.store().begin().await?;
    let view = app.policies().view(&mut tx, caller).await?;
    let policies = session_policies(
        &mut tx,
        &account,
        input.policy.as_deref(),
        input.policy_arns.as_deref(),
    )
    .await?;
    drop(tx);

    let environment = context.environment(app);
    authorize(
        caller,
        &view,
        &Access::new("sts:GetFederationToken", federated_arn.clone()),
        &environment,
    )?;
    let tags: Vec<(String, String)> = input
        .tags
        .iter()
        .flatten()
        .map(|tag| (tag.key.clone(), tag.value.clone()))
        .collect();
    if !tags.is_empty() {
        authorize(
            caller,
            &view,
            &Access::new("sts:TagSession", federated_arn.clone()).with_request_tags(&tags),
            &environment,
        )?;
    }

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
