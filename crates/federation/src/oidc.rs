//! OpenID Connect ID tokens as `AssumeRoleWithWebIdentity` accepts them: [`verify`]
//! checks a compact JWS against the keys an operator configured for the provider (a JWKS;
//! Gatehouse never fetches keys), refusing anything a careful reader would not trust —
//! a structure that is not exactly three parts, repeated JSON members, critical header
//! extensions, shared-secret or absent algorithms, a key the provider does not own — and
//! then its issuer, audience (one of the provider's client ids) and time claims within a
//! skew of [`LEEWAY`] seconds. [`unverified_issuer`] reads the issuer before any of that,
//! only to find the provider whose keys decide.

mod token_json;

use std::collections::HashMap;

use base64::Engine;
use jsonwebtoken::{jwk::JwkSet, Algorithm, DecodingKey, Validation};
use serde::Deserialize;

/// Why a token is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not a good token (`InvalidIdentityToken`).
    Invalid(String),
    /// Its expiry has passed (`ExpiredTokenException`).
    Expired(String),
}

impl Refusal {
    /// The explanation, whatever the kind.
    pub fn message(&self) -> &str {
        match self {
            Self::Invalid(message) | Self::Expired(message) => message,
        }
    }
}

/// Clock skew tolerated on the token's `exp` and `nbf`, seconds.
pub const LEEWAY: u64 = 60;

/// The claims Gatehouse reads (the signature and the registered claims are checked by
/// `jsonwebtoken`).
#[derive(Debug, Deserialize)]
pub struct Claims {
    /// The issuer.
    pub iss: String,
    /// The subject.
    pub sub: String,
    /// The audience(s).
    pub aud: Audience,
    /// The authorized party, when the token names one.
    #[serde(default)]
    pub azp: Option<String>,
    /// The authentication methods, when given.
    #[serde(default)]
    pub amr: Option<Audience>,
    /// AWS session tags (`https://aws.amazon.com/tags`).
    #[serde(default, rename = "https://aws.amazon.com/tags")]
    pub tags: Option<TagClaim>,
}

/// `aud` (and `amr`): one string or several.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    /// One value.
    One(String),
    /// A list.
    Many(Vec<String>),
}

impl Audience {
    /// Every value, in order.
    pub fn values(&self) -> Vec<String> {
        match self {
            Self::One(one) => vec![one.clone()],
            Self::Many(many) => many.clone(),
        }
    }
}

/// Session tags in a token: `principal_tags` (each a list of one value) and
/// `transitive_tag_keys`.
#[derive(Debug, Deserialize)]
pub struct TagClaim {
    /// Tag key to values (AWS uses the first).
    #[serde(default)]
    pub principal_tags: HashMap<String, Vec<String>>,
    /// Keys of tags that pass on through role chaining.
    #[serde(default)]
    pub transitive_tag_keys: Vec<String>,
}

fn invalid(message: impl Into<String>) -> Refusal {
    Refusal::Invalid(message.into())
}

/// The issuer of a token, read before its signature is checked (only to find the
/// provider whose keys will check it).
pub fn unverified_issuer(token: &str) -> Result<String, Refusal> {
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
fn check_structure(token: &str) -> Result<(), Refusal> {
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
pub fn verify(
    token: &str,
    jwks: &str,
    issuer: &str,
    audiences: &[String],
) -> Result<Claims, Refusal> {
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
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => Refusal::Expired(
                "Token expired: the web identity token's expiration time (exp) has passed.".into(),
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
        assert!(
            matches!(&err, Refusal::Invalid(why) if why.contains("HS256")),
            "{err:?}"
        );
    }

    // The attack catalogue: tokens an attacker would try, each refused for its flaw
    // alone (every other part of it is right), beside a control that passes.
    const JWKS: &str = include_str!("../tests/data/oidc-test-jwks.json");
    const ISSUER: &str = "https://token.example.test/tenant";
    const CLIENT: &str = "gatehouse-test";

    fn test_key() -> jsonwebtoken::EncodingKey {
        jsonwebtoken::EncodingKey::from_ec_pem(include_bytes!("../tests/data/oidc-test-key.pem"))
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

    fn check(token: &str) -> Result<Claims, Refusal> {
        verify(token, JWKS, ISSUER, &[CLIENT.to_owned()])
    }

    fn refused(token: &str, code: &str, words: &str) {
        match check(token) {
            Ok(_) => panic!("accepted: {token}"),
            Err(err) => {
                let kind = match &err {
                    Refusal::Invalid(_) => "InvalidIdentityToken",
                    Refusal::Expired(_) => "ExpiredTokenException",
                };
                assert_eq!(kind, code, "{err:?}");
                assert!(err.message().contains(words), "{err:?}");
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
        assert!(err.message().contains("(kid)"), "{err:?}");
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
}
