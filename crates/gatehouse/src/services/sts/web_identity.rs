//! `AssumeRoleWithWebIdentity`: an OpenID Connect ID token from a provider registered in
//! the role's account (`iam:CreateOpenIDConnectProvider`) buys a role session. The token's
//! signature is checked against the keys the operator configured for the provider
//! (`gatehouse oidc set-keys`; Gatehouse never fetches them), then its issuer, audience
//! (one of the provider's client ids) and expiry; the role's trust policy decides with the
//! provider as the federated principal and the token's `aud`, `sub` and `amr` as
//! `<provider-url>:aud|sub|amr` condition keys. AWS serves this call unsigned: the token is
//! the proof of identity.

mod token_json;

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

/// What must hold of a token before any library reads it: three dot-separated parts,
/// a header and claims that are each one JSON object naming no member twice (at any
/// depth), and no critical header extension (`crit`): RFC 7515 makes a recipient refuse
/// extensions it does not understand, and Gatehouse understands none.
fn check_structure(token: &str) -> Result<(), ServiceError> {
    let not_a_token = || invalid("The web identity token is not a JSON Web Token.");
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(not_a_token());
    };
    let decode = |part: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| not_a_token())
    };
    let header = decode(header)?;
    for part in [&header, &decode(payload)?] {
        if !token_json::is_object_without_duplicates(part) {
            return Err(invalid(
                "The web identity token's header and claims must each be one JSON object that names each member once.",
            ));
        }
    }
    let fields: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&header).map_err(|_| not_a_token())?;
    if fields.contains_key("crit") {
        return Err(invalid(
            "The web identity token names critical header extensions (crit), which are not supported.",
        ));
    }
    Ok(())
}

/// Checks the token with the provider's keys; its claims when it is good.
fn verify(
    token: &str,
    jwks: &str,
    issuer: &str,
    audiences: &[String],
) -> Result<Claims, ServiceError> {
    check_structure(token)?;
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
    // `nbf`, when present, holds too (the library leaves it unchecked by default): a
    // token is not good before its time, give or take the skew.
    validation.validate_nbf = true;
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

    // The attack catalogue: tokens an attacker would try, each refused for its flaw
    // alone (every other part of it is right), beside a control that passes.
    const JWKS: &str = include_str!("../../../tests/data/oidc-test-jwks.json");
    const ISSUER: &str = "https://token.example.test/tenant";
    const CLIENT: &str = "gatehouse-test";

    fn test_key() -> jsonwebtoken::EncodingKey {
        jsonwebtoken::EncodingKey::from_ec_pem(include_bytes!(
            "../../../tests/data/oidc-test-key.pem"
        ))
        .unwrap()
    }

    fn now() -> i64 {
        time::OffsetDateTime::now_utc().unix_timestamp()
    }

    fn good_claims() -> serde_json::Value {
        serde_json::json!({"iss": ISSUER, "sub": "repo:x", "aud": CLIENT, "iat": now(), "exp": now() + 600})
    }

    /// `header` and `claims` as given (any JSON text), signed with `key` by `alg`.
    fn raw_token(
        header: &str,
        claims: &str,
        key: &jsonwebtoken::EncodingKey,
        alg: Algorithm,
    ) -> String {
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let message = format!("{}.{}", engine.encode(header), engine.encode(claims));
        let signature = jsonwebtoken::crypto::sign(message.as_bytes(), key, alg).unwrap();
        format!("{message}.{signature}")
    }

    fn signed(claims: &serde_json::Value) -> String {
        raw_token(
            r#"{"alg":"ES256","typ":"JWT","kid":"test-key-1"}"#,
            &claims.to_string(),
            &test_key(),
            Algorithm::ES256,
        )
    }

    fn check(token: &str) -> Result<Claims, ServiceError> {
        verify(token, JWKS, ISSUER, &[CLIENT.to_owned()])
    }

    fn refused(token: &str, code: &str, words: &str) {
        match check(token) {
            Ok(_) => panic!("accepted: {token}"),
            Err(err) => {
                assert_eq!(err.code, code, "{}", err.message);
                assert!(err.message.contains(words), "{}", err.message);
            }
        }
    }

    #[test]
    fn a_good_token_passes() {
        assert_eq!(check(&signed(&good_claims())).unwrap().sub, "repo:x");
    }

    #[test]
    fn unsigned_and_shared_secret_tokens_are_refused() {
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let none = format!(
            "{}.{}.",
            engine.encode(r#"{"alg":"none","typ":"JWT"}"#),
            engine.encode(good_claims().to_string())
        );
        refused(&none, "InvalidIdentityToken", "header");
        // HS256 "signed" with the provider's public key as the shared secret.
        let secret = jsonwebtoken::EncodingKey::from_secret(JWKS.as_bytes());
        let hs = raw_token(
            r#"{"alg":"HS256","typ":"JWT","kid":"test-key-1"}"#,
            &good_claims().to_string(),
            &secret,
            Algorithm::HS256,
        );
        refused(&hs, "InvalidIdentityToken", "HS256");
    }

    #[test]
    fn keys_must_be_the_providers_own() {
        let unknown_kid = raw_token(
            r#"{"alg":"ES256","kid":"another-key"}"#,
            &good_claims().to_string(),
            &test_key(),
            Algorithm::ES256,
        );
        refused(&unknown_kid, "InvalidIdentityToken", "(kid)");
        // No kid: the provider's only key is the one.
        let no_kid = raw_token(
            r#"{"alg":"ES256"}"#,
            &good_claims().to_string(),
            &test_key(),
            Algorithm::ES256,
        );
        assert!(check(&no_kid).is_ok());
        // …but with two keys, a token must say which.
        let mut two: serde_json::Value = serde_json::from_str(JWKS).unwrap();
        let mut second = two["keys"][0].clone();
        second["kid"] = "test-key-2".into();
        two["keys"].as_array_mut().unwrap().push(second);
        let err = verify(&no_kid, &two.to_string(), ISSUER, &[CLIENT.to_owned()]).unwrap_err();
        assert!(err.message.contains("(kid)"), "{}", err.message);
        // Another provider's key, claiming this provider's key id.
        let rng = ring::rand::SystemRandom::new();
        let other = ring::signature::EcdsaKeyPair::generate_pkcs8(
            &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            &rng,
        )
        .unwrap();
        let other = jsonwebtoken::EncodingKey::from_ec_der(other.as_ref());
        let forged = raw_token(
            r#"{"alg":"ES256","kid":"test-key-1"}"#,
            &good_claims().to_string(),
            &other,
            Algorithm::ES256,
        );
        refused(&forged, "InvalidIdentityToken", "signature");
    }

    #[test]
    fn times_hold_within_the_skew_only() {
        let with = |field: &str, value: i64| {
            let mut claims = good_claims();
            claims[field] = value.into();
            signed(&claims)
        };
        let skew = i64::try_from(LEEWAY).unwrap();
        refused(
            &with("exp", now() - skew - 5),
            "ExpiredTokenException",
            "exp",
        );
        assert!(check(&with("exp", now() - skew + 10)).is_ok());
        refused(
            &with("nbf", now() + skew + 30),
            "InvalidIdentityToken",
            "nbf",
        );
        assert!(check(&with("nbf", now() + skew - 10)).is_ok());
        let mut no_exp = good_claims();
        no_exp.as_object_mut().unwrap().remove("exp");
        refused(&signed(&no_exp), "InvalidIdentityToken", "exp");
    }

    #[test]
    fn audiences_and_issuers_match_exactly() {
        let mut claims = good_claims();
        claims["aud"] = serde_json::json!(["someone-else", CLIENT]);
        assert!(check(&signed(&claims)).is_ok());
        claims["aud"] = serde_json::json!(["someone-else"]);
        refused(&signed(&claims), "InvalidIdentityToken", "audience");
        for issuer in [
            format!("{ISSUER}/"),
            ISSUER.to_uppercase(),
            "https://token.example.test".to_owned(),
        ] {
            let mut claims = good_claims();
            claims["iss"] = issuer.into();
            refused(&signed(&claims), "InvalidIdentityToken", "issuer");
        }
    }

    #[test]
    fn critical_extensions_and_repeated_members_are_refused() {
        let crit = raw_token(
            r#"{"alg":"ES256","kid":"test-key-1","crit":["exp"]}"#,
            &good_claims().to_string(),
            &test_key(),
            Algorithm::ES256,
        );
        refused(&crit, "InvalidIdentityToken", "crit");
        let claims = good_claims().to_string();
        // A second `sub`: some readers take the first, some the last.
        let repeated = claims.replacen('{', r#"{"sub":"admin","#, 1);
        let token = raw_token(
            r#"{"alg":"ES256","kid":"test-key-1"}"#,
            &repeated,
            &test_key(),
            Algorithm::ES256,
        );
        refused(&token, "InvalidIdentityToken", "names each member once");
        let repeated_header = raw_token(
            r#"{"alg":"ES256","alg":"HS256","kid":"test-key-1"}"#,
            &claims,
            &test_key(),
            Algorithm::ES256,
        );
        refused(
            &repeated_header,
            "InvalidIdentityToken",
            "names each member once",
        );
        refused("a.b", "InvalidIdentityToken", "not a JSON Web Token");
        refused("a.b.c.d", "InvalidIdentityToken", "not a JSON Web Token");
    }

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
