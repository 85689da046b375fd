//! `AssumeRoleWithWebIdentity`: an OpenID Connect ID token from a provider registered in
//! the role's account (`iam:CreateOpenIDConnectProvider`) buys a role session. The token's
//! signature is checked against the keys the operator configured for the provider
//! (`gatehouse oidc set-keys`; Gatehouse never fetches them), then its issuer, audience
//! (one of the provider's client ids) and expiry; the role's trust policy decides with the
//! provider as the federated principal and the token's `aud`, `sub` and `amr` as
//! `<provider-url>:aud|sub|amr` condition keys. AWS serves this call unsigned: the token is
//! the proof of identity.

use std::collections::HashMap;

use base64::Engine;
use jsonwebtoken::{jwk::JwkSet, Algorithm, DecodingKey, Validation};
use policy::{CompiledPolicy, ContextValue, PolicyKind};
use serde::Deserialize;
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
/// Clock skew tolerated on the token's `exp` and `nbf`, seconds.
const LEEWAY: u64 = 60;

/// The claims Gatehouse reads (the signature and the registered claims are checked by
/// `jsonwebtoken`).
#[derive(Debug, Deserialize)]
struct Claims {
    iss: String,
    sub: String,
    aud: Audience,
    #[serde(default)]
    azp: Option<String>,
    #[serde(default)]
    amr: Option<Audience>,
    #[serde(default, rename = "https://aws.amazon.com/tags")]
    tags: Option<TagClaim>,
}

/// `aud` (and `amr`): one string or several.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    fn values(&self) -> Vec<String> {
        match self {
            Self::One(one) => vec![one.clone()],
            Self::Many(many) => many.clone(),
        }
    }
}

/// Session tags in a token: `principal_tags` (each a list of one value) and
/// `transitive_tag_keys`.
#[derive(Debug, Deserialize)]
struct TagClaim {
    #[serde(default)]
    principal_tags: HashMap<String, Vec<String>>,
    #[serde(default)]
    transitive_tag_keys: Vec<String>,
}

fn invalid(message: impl Into<String>) -> ServiceError {
    errors::invalid_identity_token(message)
}

/// The issuer of a token, read before its signature is checked (only to find the
/// provider whose keys will check it).
fn unverified_issuer(token: &str) -> Result<String, ServiceError> {
    let payload = token
        .split('.')
        .nth(1)
        .ok_or_else(|| invalid("The web identity token is not a JSON Web Token."))?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| invalid("The web identity token is not a JSON Web Token."))?;
    #[derive(Deserialize)]
    struct Issuer {
        iss: String,
    }
    serde_json::from_slice::<Issuer>(&bytes)
        .map(|found| found.iss)
        .map_err(|_| invalid("The web identity token has no issuer (iss)."))
}

/// Checks the token with the provider's keys; its claims when it is good.
fn verify(
    token: &str,
    jwks: &str,
    issuer: &str,
    audiences: &[String],
) -> Result<Claims, ServiceError> {
    let header = jsonwebtoken::decode_header(token)
        .map_err(|_| invalid("The web identity token's header cannot be read."))?;
    // Asymmetric signatures only: a shared-secret algorithm would let anyone who knows the
    // public key sign.
    if !matches!(
        header.alg,
        Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512
            | Algorithm::ES256
            | Algorithm::ES384
    ) {
        return Err(invalid(format!(
            "The web identity token's algorithm {:?} is not accepted.",
            header.alg
        )));
    }
    let keys: JwkSet = serde_json::from_str(jwks)
        .map_err(|_| invalid("The provider's configured keys cannot be read."))?;
    let jwk = match &header.kid {
        Some(kid) => keys.find(kid),
        None if keys.keys.len() == 1 => keys.keys.first(),
        None => None,
    }
    .ok_or_else(|| {
        invalid("No key of the provider matches the web identity token's key id (kid).")
    })?;
    let key = DecodingKey::from_jwk(jwk)
        .map_err(|_| invalid("The provider's configured key cannot be used."))?;
    let mut validation = Validation::new(header.alg);
    validation.leeway = LEEWAY;
    validation.set_issuer(&[issuer]);
    validation.set_audience(audiences);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    match jsonwebtoken::decode::<Claims>(token, &key, &validation) {
        Ok(data) => Ok(data.claims),
        Err(err) => Err(match err.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => errors::expired_token_exception(
                "Token expired: the web identity token's expiration time (exp) has passed.",
            ),
            jsonwebtoken::errors::ErrorKind::InvalidAudience => {
                invalid("Incorrect token audience.")
            }
            jsonwebtoken::errors::ErrorKind::InvalidIssuer => invalid("Incorrect token issuer."),
            jsonwebtoken::errors::ErrorKind::ImmatureSignature => {
                invalid("The web identity token is not valid yet (nbf).")
            }
            jsonwebtoken::errors::ErrorKind::MissingRequiredClaim(claim) => {
                invalid(format!("The web identity token has no {claim} claim."))
            }
            _ => invalid("The web identity token's signature is not valid."),
        }),
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
    let issuer = unverified_issuer(&input.web_identity_token)?;
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
    let claims = verify(
        &input.web_identity_token,
        &jwks,
        &issuer,
        &provider.client_ids,
    )?;
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
    use super::*;

    #[test]
    fn the_issuer_is_read_from_the_payload_only_to_find_the_provider() {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"iss":"https://token.example.test/tenant","sub":"x"}"#);
        let token = format!("e30.{payload}.c2ln");
        assert_eq!(
            unverified_issuer(&token).unwrap(),
            "https://token.example.test/tenant"
        );
        assert!(unverified_issuer("not-a-token").is_err());
        assert!(unverified_issuer("a.!!!.c").is_err());
    }

    #[test]
    fn shared_secret_algorithms_are_refused() {
        let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"iss":"x","sub":"y"}"#);
        let token = format!("{header}.{payload}.c2ln");
        let err = verify(&token, r#"{"keys":[]}"#, "x", &["a".to_owned()]).unwrap_err();
        assert_eq!(err.code, "InvalidIdentityToken");
        assert!(err.message.contains("HS256"), "{}", err.message);
    }
}
