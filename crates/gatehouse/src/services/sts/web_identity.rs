//! `AssumeRoleWithWebIdentity`: an OpenID Connect ID token from a provider registered in
//! the role's account (`iam:CreateOpenIDConnectProvider`) buys a role session. The token's
//! signature is checked against the keys the operator configured for the provider
//! (`gatehouse oidc set-keys`; Gatehouse never fetches them), then its issuer, audience
//! (one of the provider's client ids) and expiry; the role's trust policy decides with the
//! provider as the federated principal and the token's `aud`, `sub` and `amr` as
//! `<provider-url>:aud|sub|amr` condition keys. AWS serves this call unsigned: the token is
//! the proof of identity.

use federation::oidc::{self, TagClaim};
use policy::{CompiledPolicy, ContextValue, PolicyKind};
use wire::sts::{
    errors, AssumeRoleWithWebIdentityRequest, AssumeRoleWithWebIdentityResponse, AssumedRoleUser,
};
use wire::ServiceError;

use crate::app::App;
use crate::auth::authorize::{authorize_federated, Access};
use crate::auth::identity::organization_facts;
use crate::auth::session::Session;
use crate::auth::PrincipalKind;
use crate::model::{ids, AccessKeyId, AccountId, Partition};
use crate::request::Origin;

use super::{packed_size, sealed_credentials, session_policies};

/// Default session length, seconds.
const DEFAULT_DURATION: i64 = 3600;
fn invalid(message: impl Into<String>) -> ServiceError {
    errors::invalid_identity_token(message)
}

/// The STS error for a refused token.
fn refusal(refused: oidc::Refusal) -> ServiceError {
    match refused {
        oidc::Refusal::Invalid(message) => errors::invalid_identity_token(message),
        oidc::Refusal::Expired(message) => errors::expired_token_exception(message),
    }
}

pub(super) async fn handle_assume_role_with_web_identity(
    app: &App,
    caller: &Origin,
    input: AssumeRoleWithWebIdentityRequest,
) -> Result<AssumeRoleWithWebIdentityResponse, ServiceError> {
    if input.provider_id.is_some() {
        return Err(ServiceError::validation(
            "ProviderId names OAuth 2.0 providers; Gatehouse accepts OpenID Connect tokens of providers registered in IAM only.",
        ));
    }
    let (account, path, name) = crate::model::arn::parse_iam_resource(&input.role_arn, "role")
        .and_then(|(account, path, name)| Some((AccountId::parse(account)?, path, name)))
        .ok_or_else(|| ServiceError::validation(format!("{} is invalid", input.role_arn)))?;
    let partition = Partition::for_region(&caller.region);
    let issuer = oidc::unverified_issuer(&input.web_identity_token).map_err(refusal)?;
    let url = issuer
        .strip_prefix("https://")
        .unwrap_or(&issuer)
        .trim_end_matches('/')
        .to_owned();
    let provider_arn = format!("arn:{partition}:iam::{account}:oidc-provider/{url}");

    let mut tx = app.store().begin().await?;
    let account_id = account.to_string();
    let provider = tx.oidc_provider(&account_id, &url).await?.ok_or_else(|| {
        invalid(format!(
            "No OpenIDConnect provider found in your account for {issuer}"
        ))
    })?;
    let jwks = tx
        .oidc_provider_keys(&account_id, &url)
        .await?
        .ok_or_else(|| {
            invalid(format!(
                "No signing keys are configured for the OpenID Connect provider {provider_arn}; an operator sets them with `gatehouse oidc set-keys`."
            ))
        })?;
    let claims = oidc::verify(
        &input.web_identity_token,
        &jwks,
        &issuer,
        &provider.client_ids,
    )
    .map_err(refusal)?;
    let role = tx
        .role(&account_id, name)
        .await?
        .filter(|role| role.path == path);
    let policies = session_policies(
        &mut tx,
        &account_id,
        input.policy.as_deref(),
        input.policy_arns.as_deref(),
    )
    .await?;
    // The role's account's RCPs govern its roles for federated callers too.
    let rcps = organization_facts(&mut tx, account).await?.rcp_levels;
    drop(tx);
    let denied = || {
        ServiceError::new(
            "AccessDenied",
            403,
            "Not authorized to perform sts:AssumeRoleWithWebIdentity",
        )
    };
    let role = role.ok_or_else(denied)?;

    // The trust policy decides, with the provider as the federated principal.
    let trust = CompiledPolicy::parse(
        input.role_arn.clone(),
        &role.trust_policy,
        PolicyKind::Trust,
    )
    .map_err(|_| denied())?;
    let (tags, transitive_tag_keys) = token_tags(claims.tags.as_ref());
    let mut shared: Vec<(String, ContextValue)> = Vec::new();
    let mut key = |name: &str, value: ContextValue| shared.push((name.to_owned(), value));
    key(
        "aws:FederatedProvider",
        ContextValue::from(provider_arn.as_str()),
    );
    key(
        &format!("{url}:aud"),
        ContextValue::multi(claims.aud.values()),
    );
    key(
        &format!("{url}:sub"),
        ContextValue::from(claims.sub.as_str()),
    );
    if let Some(amr) = &claims.amr {
        key(&format!("{url}:amr"), ContextValue::multi(amr.values()));
    }
    key(
        "sts:RoleSessionName",
        ContextValue::from(input.role_session_name.as_str()),
    );
    if !transitive_tag_keys.is_empty() {
        key(
            "sts:TransitiveTagKeys",
            ContextValue::multi(transitive_tag_keys.clone()),
        );
    }
    // Tags the token carries need sts:TagSession, as on AWS; every check sees the same
    // context.
    let environment = caller.environment(app);
    let rcps = std::sync::Arc::new(rcps);
    let decide = |action: &'static str| {
        let mut access = Access::new(action, input.role_arn.clone()).with_request_tags(&tags);
        access.context.extend(shared.iter().cloned());
        access.resource_rcps = Some(rcps.clone());
        authorize_federated(&provider_arn, &access, &environment, &trust)
    };
    if !decide("sts:AssumeRoleWithWebIdentity") || (!tags.is_empty() && !decide("sts:TagSession")) {
        return Err(denied());
    }
    let audience = claims
        .azp
        .clone()
        .unwrap_or_else(|| claims.aud.values().join(","));

    let duration = input.duration_seconds.map_or(DEFAULT_DURATION, i64::from);
    if duration > role.max_session_duration {
        return Err(ServiceError::validation(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        ));
    }
    let now = time::OffsetDateTime::now_utc();
    let session = Session {
        compiled_policies: Default::default(),
        access_key_id: AccessKeyId::generate(account, true).to_string(),
        secret: ids::secret_access_key(),
        account: account_id.clone(),
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
        source_identity: None,
        chained: false,
        mfa_at: None,
        root_task: None,
        delegation: None,
    };
    Ok(AssumeRoleWithWebIdentityResponse {
        credentials: Some(sealed_credentials(app, &session)),
        subject_from_web_identity_token: Some(claims.sub),
        assumed_role_user: Some(AssumedRoleUser {
            assumed_role_id: format!("{}:{}", role.role_id, input.role_session_name),
            arn: format!(
                "arn:{partition}:sts::{account_id}:assumed-role/{}/{}",
                role.role_name, input.role_session_name
            ),
        }),
        packed_policy_size: packed_size(input.policy.as_deref()),
        provider: Some(claims.iss),
        audience: Some(audience),
        source_identity: None,
    })
}

/// Session tags from the token's AWS tags claim (first value of each).
fn token_tags(claim: Option<&TagClaim>) -> (Vec<(String, String)>, Vec<String>) {
    let Some(claim) = claim else {
        return (Vec::new(), Vec::new());
    };
    let mut tags: Vec<(String, String)> = claim
        .principal_tags
        .iter()
        .filter_map(|(key, values)| values.first().map(|value| (key.clone(), value.clone())))
        .collect();
    tags.sort();
    let transitive = claim
        .transitive_tag_keys
        .iter()
        .filter(|key| tags.iter().any(|(tag, _)| tag == *key))
        .cloned()
        .collect();
    (tags, transitive)
}

#[cfg(test)]
mod tests {
    #[test]
    fn oversized_tokens_are_refused_by_the_model_limit() {
        let token = "a".repeat(20_001);
        let form = format!(
            "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=session&WebIdentityToken={token}"
        );
        let params = wire::query::QueryParams::parse(form.as_bytes()).unwrap();
        let err = wire::sts::Operation::from_query(&params).unwrap_err();
        assert_eq!(err.code, "ValidationError", "{}", err.message);
    }
}
