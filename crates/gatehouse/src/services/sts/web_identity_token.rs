//! `GetWebIdentityToken`: a signed JWT about the caller, for services outside Gatehouse
//! that trust the account's outbound federation issuer (enabled in IAM, see
//! `services/iam/outbound_federation.rs`). The key is the account's key of the requested
//! algorithm (`auth/outbound_tokens.rs`), made on first use in this request's
//! transaction.
//!
//! Claims follow AWS's: `iss`, `sub` (the caller's ARN; a role session's role), `aud`
//! (one string, or a list when several audiences are asked), `iat`, `nbf`, `exp`, `jti`,
//! and under `https://sts.amazonaws.com/` the account, region, the principal's ARN,
//! organization and OU path, principal tags and the request's tags.

use serde_json::{json, Map, Value};
use wire::sts::{errors, GetWebIdentityTokenRequest, GetWebIdentityTokenResponse};
use wire::ServiceError;

use crate::app::App;
use crate::auth::authorize::Access;
use crate::auth::outbound_tokens::{self, Algorithm};
use crate::auth::PrincipalKind;
use crate::request::RequestContext;
use crate::services::Needs;
use crate::store::Tx;

/// Token lifetime when the request names none, seconds.
const DEFAULT_DURATION: i64 = 300;
/// Largest claims set Gatehouse signs, bytes of JSON (AWS publishes no number; this
/// leaves room for every request tag at its longest but refuses runaway token sizes).
const MAX_PAYLOAD_BYTES: usize = 16 * 1024;
/// The namespace of AWS's own claims.
const NAMESPACE: &str = "https://sts.amazonaws.com/";

/// What `GetWebIdentityToken` was found to need: the algorithm, the token's lifetime and
/// the request's tags.
pub(crate) struct WebIdentityTokenPlan {
    algorithm: Algorithm,
    duration: i64,
    tags: Vec<(String, String)>,
}

/// `sts:GetWebIdentityToken` with the request's tags and AWS's `sts:IdentityTokenAudience`,
/// `sts:DurationSeconds` and `sts:SigningAlgorithm`, once the input is valid.
pub(super) fn web_identity_token_needs(
    input: &GetWebIdentityTokenRequest,
) -> Result<(Needs, WebIdentityTokenPlan), ServiceError> {
    let algorithm = Algorithm::parse(&input.signing_algorithm).ok_or_else(|| {
        ServiceError::validation(format!(
            "1 validation error detected: Value '{}' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [RS256, ES384]",
            input.signing_algorithm
        ))
    })?;
    let duration = input.duration_seconds.map_or(DEFAULT_DURATION, i64::from);
    let tags: Vec<(String, String)> = input
        .tags
        .iter()
        .flatten()
        .map(|tag| (tag.key.clone(), tag.value.clone()))
        .collect();
    for (index, (key, _)) in tags.iter().enumerate() {
        if tags
            .iter()
            .skip(index + 1)
            .any(|(other, _)| other.eq_ignore_ascii_case(key))
        {
            return Err(ServiceError::validation(format!(
                "Duplicate tag keys found. Please note that Tag keys are case insensitive: {key}"
            )));
        }
    }

    let mut access = Access::new("sts:GetWebIdentityToken", "*").with_request_tags(&tags);
    access.context.push((
        "sts:IdentityTokenAudience".to_owned(),
        policy::ContextValue::multi(input.audience.clone()),
    ));
    access.context.push((
        "sts:DurationSeconds".to_owned(),
        policy::ContextValue::from(duration.to_string().as_str()),
    ));
    access.context.push((
        "sts:SigningAlgorithm".to_owned(),
        policy::ContextValue::from(algorithm.as_str()),
    ));
    Ok((
        Needs::one(access),
        WebIdentityTokenPlan {
            algorithm,
            duration,
            tags,
        },
    ))
}

/// The token, once the account's outbound federation is on; signed with the account's
/// key of the algorithm, made now when it has none.
pub(super) async fn handle_get_web_identity_token(
    app: &App,
    tx: &mut Tx,
    context: &RequestContext,
    input: GetWebIdentityTokenRequest,
    plan: WebIdentityTokenPlan,
) -> Result<GetWebIdentityTokenResponse, ServiceError> {
    let WebIdentityTokenPlan {
        algorithm,
        duration,
        tags,
    } = plan;
    let caller = &context.principal;
    let account = caller.account.to_string();
    let view = app.policies().view(tx, caller).await?;
    if tx.outbound_federation(&account).await? != Some(true) {
        return Err(errors::outbound_web_identity_federation_disabled_exception(
            "Outbound web identity federation is not enabled for this account.",
        ));
    }
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let expires = now + duration;
    if let Some(session) = &caller.session {
        if expires > session.expires {
            return Err(errors::session_duration_escalation_exception(
                "The requested token duration would extend beyond the expiration of the calling session.",
            ));
        }
    }

    let issuer = app.issuer(&account);
    let mut aws = Map::new();
    aws.insert("aws_account".into(), json!(account));
    aws.insert("source_region".into(), json!(context.region));
    aws.insert("principal_id".into(), json!(caller.arn()));
    if let Some(org) = &view.organization {
        aws.insert("org_id".into(), json!(org.org_id));
        aws.insert("ou_path".into(), json!(org.path));
    }
    if !view.tags.is_empty() {
        aws.insert("principal_tags".into(), tag_object(&view.tags));
    }
    if let Some(session) = &caller.session {
        if !session.tags.is_empty() {
            aws.insert("session_tags".into(), tag_object(&session.tags));
        }
    }
    if !tags.is_empty() {
        aws.insert("request_tags".into(), tag_object(&tags));
    }
    let audience = match input.audience.as_slice() {
        [one] => json!(one),
        many => json!(many),
    };
    let claims = json!({
        "iss": issuer,
        "sub": subject(caller),
        "aud": audience,
        "iat": now,
        "nbf": now,
        "exp": expires,
        "jti": uuid::Uuid::new_v4().to_string(),
        NAMESPACE: Value::Object(aws),
    });
    if claims.to_string().len() > MAX_PAYLOAD_BYTES {
        return Err(errors::jwt_payload_size_exceeded_exception(
            "The token payload exceeds the maximum size. Reduce the number or size of the request tags.",
        ));
    }

    let key = match tx
        .outbound_keys(&account)
        .await?
        .into_iter()
        .rev()
        .find(|key| key.algorithm == algorithm.as_str())
    {
        Some(key) => key,
        None => {
            // RSA key generation takes a while: keep it off the async workers.
            let key = tokio::task::spawn_blocking(move || outbound_tokens::generate(algorithm))
                .await
                .map_err(crate::app::internal)?
                .map_err(crate::app::internal)?
                .seal(app.master_key(), &account, crate::store::now_millis());
            tx.insert_outbound_key(&key).await?;
            key
        }
    };
    let token =
        outbound_tokens::sign(app.master_key(), &key, &claims).map_err(crate::app::internal)?;
    Ok(GetWebIdentityTokenResponse {
        web_identity_token: Some(token),
        expiration: time::OffsetDateTime::from_unix_timestamp(expires).ok(),
    })
}

/// The `sub` claim: the caller's ARN, or for a role session the role's.
fn subject(caller: &crate::auth::Principal) -> String {
    match &caller.kind {
        PrincipalKind::AssumedRole { .. } => caller.role_arn().unwrap_or_else(|| caller.arn()),
        _ => caller.arn(),
    }
}

fn tag_object(tags: &[(String, String)]) -> Value {
    Value::Object(
        tags.iter()
            .map(|(key, value)| (key.clone(), json!(value)))
            .collect(),
    )
}
