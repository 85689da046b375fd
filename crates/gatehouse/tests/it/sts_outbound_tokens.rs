//! Outbound web identity federation through the AWS SDK for Rust: the account switch in
//! IAM, JWTs from STS `GetWebIdentityToken`, and the issuer's discovery document and key
//! set, fetched over HTTP and checked by an independent verifier (`jsonwebtoken`).

use aws_sdk_iam::error::ProvideErrorMetadata;
use aws_sdk_sts::types::Tag;
use serde_json::Value;

use super::support::credentials::{account_of, user_with_policy, Keys};
use super::support::policies::ASSUME_ANY_ROLE;
use super::support::requests::get;
use super::support::server::Server;

const AUDIENCE: &str = "https://api.example.com";

/// GETs `url`; the status and the body as JSON (`null` when it is none).
async fn get_json(url: &str) -> (u16, Value) {
    let (status, body) = get(url).await;
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

/// Verifies `token` with the issuer's published keys; its claims.
async fn verify(issuer: &str, token: &str, algorithm: jsonwebtoken::Algorithm) -> Value {
    let (status, jwks) = get_json(&format!("{issuer}/.well-known/jwks.json")).await;
    assert_eq!(status, 200);
    let set: jsonwebtoken::jwk::JwkSet = serde_json::from_value(jwks).unwrap();
    let header = jsonwebtoken::decode_header(token).unwrap();
    assert_eq!(header.alg, algorithm);
    let kid = header.kid.unwrap();
    let jwk = set.find(&kid).expect("the token's key is published");
    let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
    let mut validation = jsonwebtoken::Validation::new(algorithm);
    validation.set_audience(&[AUDIENCE]);
    validation.set_issuer(&[issuer]);
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .unwrap()
        .claims
}

#[tokio::test]
async fn outbound_tokens_are_jwts_the_issuer_publishes_keys_for() {
    let server = Server::start(&[]);
    let root = server.root_keys();
    let iam = server.iam(&root);
    let account = account_of(&server, &root).await;
    let issuer = format!("{}/oidc/{account}", server.endpoint);

    // Off until enabled: no info, no tokens, no discovery.
    let err = iam
        .get_outbound_web_identity_federation_info()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("FeatureDisabled"));
    let err = server
        .sts(&root)
        .get_web_identity_token()
        .audience(AUDIENCE)
        .signing_algorithm("ES384")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some("OutboundWebIdentityFederationDisabledException")
    );
    let (status, _) = get_json(&format!("{issuer}/.well-known/jwks.json")).await;
    assert_eq!(status, 404);

    let enabled = iam
        .enable_outbound_web_identity_federation()
        .send()
        .await
        .unwrap();
    assert_eq!(enabled.issuer_identifier(), Some(issuer.as_str()));
    let err = iam
        .enable_outbound_web_identity_federation()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("FeatureEnabled"));
    let info = iam
        .get_outbound_web_identity_federation_info()
        .send()
        .await
        .unwrap();
    assert_eq!(info.issuer_identifier(), Some(issuer.as_str()));
    assert!(info.jwt_vending_enabled());
    let (status, configuration) =
        get_json(&format!("{issuer}/.well-known/openid-configuration")).await;
    assert_eq!(status, 200);
    assert_eq!(configuration["issuer"], issuer.as_str());
    assert_eq!(
        configuration["jwks_uri"],
        format!("{issuer}/.well-known/jwks.json")
    );

    // A user allowed tokens for one audience and at most 10 minutes.
    let keys = user_with_policy(
        &iam,
        "workload",
        &format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"sts:GetWebIdentityToken","Resource":"*","Condition":{{"ForAllValues:StringEquals":{{"sts:IdentityTokenAudience":"{AUDIENCE}"}},"NumericLessThanEquals":{{"sts:DurationSeconds":"600"}}}}}}]}}"#
        ),
    )
    .await;
    iam.tag_user()
        .user_name("workload")
        .tags(
            aws_sdk_iam::types::Tag::builder()
                .key("team")
                .value("data")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let sts = server.sts(&keys);
    let issued = sts
        .get_web_identity_token()
        .audience(AUDIENCE)
        .signing_algorithm("ES384")
        .duration_seconds(600)
        .tags(Tag::builder().key("job").value("nightly").build().unwrap())
        .send()
        .await
        .unwrap();
    let claims = verify(
        &issuer,
        issued.web_identity_token().unwrap(),
        jsonwebtoken::Algorithm::ES384,
    )
    .await;
    let user_arn = format!("arn:aws:iam::{account}:user/workload");
    assert_eq!(claims["sub"], user_arn.as_str());
    assert_eq!(claims["aud"], AUDIENCE);
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        600
    );
    assert_eq!(
        issued.expiration().unwrap().secs(),
        claims["exp"].as_i64().unwrap()
    );
    let aws = &claims["https://sts.amazonaws.com/"];
    assert_eq!(aws["aws_account"], account.as_str());
    assert_eq!(aws["principal_id"], user_arn.as_str());
    assert_eq!(aws["request_tags"]["job"], "nightly");
    assert_eq!(aws["principal_tags"]["team"], "data");

    let rsa = sts
        .get_web_identity_token()
        .audience(AUDIENCE)
        .signing_algorithm("RS256")
        .send()
        .await
        .unwrap();
    let claims = verify(
        &issuer,
        rsa.web_identity_token().unwrap(),
        jsonwebtoken::Algorithm::RS256,
    )
    .await;
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        300,
        "five minutes by default"
    );
    let (_, jwks) = get_json(&format!("{issuer}/.well-known/jwks.json")).await;
    let published = jwks["keys"].as_array().unwrap();
    assert_eq!(published.len(), 2, "one key per algorithm: {jwks}");
    assert!(
        published
            .iter()
            .all(|key| key.get("d").is_none() && key.get("p").is_none()),
        "public halves only: {jwks}"
    );

    // The policy's conditions decide; bad input is refused.
    let err = sts
        .get_web_identity_token()
        .audience("https://elsewhere.example.com")
        .signing_algorithm("ES384")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    let err = sts
        .get_web_identity_token()
        .audience(AUDIENCE)
        .signing_algorithm("ES384")
        .duration_seconds(900)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    let err = sts
        .get_web_identity_token()
        .audience(AUDIENCE)
        .signing_algorithm("HS256")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ValidationError"));
    let mut oversized = sts
        .get_web_identity_token()
        .audience(AUDIENCE)
        .signing_algorithm("ES384");
    for n in 0..50 {
        oversized = oversized.tags(
            Tag::builder()
                .key(format!("{n:0>128}"))
                .value("v".repeat(256))
                .build()
                .unwrap(),
        );
    }
    let err = oversized.send().await.unwrap_err();
    assert_eq!(err.code(), Some("JWTPayloadSizeExceededException"));

    // Disabled: no new tokens, the issuer's keys stay for the tokens already out.
    iam.disable_outbound_web_identity_federation()
        .send()
        .await
        .unwrap();
    let err = iam
        .disable_outbound_web_identity_federation()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("FeatureDisabled"));
    let info = iam
        .get_outbound_web_identity_federation_info()
        .send()
        .await
        .unwrap();
    assert!(!info.jwt_vending_enabled());
    let err = sts
        .get_web_identity_token()
        .audience(AUDIENCE)
        .signing_algorithm("ES384")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some("OutboundWebIdentityFederationDisabledException")
    );
    verify(
        &issuer,
        issued.web_identity_token().unwrap(),
        jsonwebtoken::Algorithm::ES384,
    )
    .await;
}

#[tokio::test]
async fn outbound_tokens_of_role_sessions_name_the_role_and_never_outlive_the_session() {
    let server = Server::start(&[]);
    let root = server.root_keys();
    let iam = server.iam(&root);
    let account = account_of(&server, &root).await;
    iam.enable_outbound_web_identity_federation()
        .send()
        .await
        .unwrap();
    iam.create_role()
        .role_name("worker")
        .assume_role_policy_document(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:root"}},"Action":"sts:AssumeRole"}}]}}"#
        ))
        .send()
        .await
        .unwrap();
    iam.put_role_policy()
        .role_name("worker")
        .policy_name("tokens")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetWebIdentityToken","Resource":"*"}]}"#,
        )
        .send()
        .await
        .unwrap();
    let caller = user_with_policy(&iam, "caller", ASSUME_ANY_ROLE).await;
    let session = server
        .sts(&caller)
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/worker"))
        .role_session_name("job-7")
        .duration_seconds(900)
        .send()
        .await
        .unwrap()
        .credentials
        .unwrap();
    let keys = Keys::from(&session);
    let sts = server.sts_with_token(&keys, &session.session_token);
    let err = sts
        .get_web_identity_token()
        .audience(AUDIENCE)
        .signing_algorithm("ES384")
        .duration_seconds(3600)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("SessionDurationEscalationException"));
    let token = sts
        .get_web_identity_token()
        .audience(AUDIENCE)
        .audience("https://second.example.com")
        .signing_algorithm("ES384")
        .send()
        .await
        .unwrap();
    let claims = verify(
        &format!("{}/oidc/{account}", server.endpoint),
        token.web_identity_token().unwrap(),
        jsonwebtoken::Algorithm::ES384,
    )
    .await;
    assert_eq!(
        claims["sub"],
        format!("arn:aws:iam::{account}:role/worker").as_str()
    );
    assert_eq!(
        claims["aud"],
        serde_json::json!([AUDIENCE, "https://second.example.com"])
    );
    assert_eq!(
        claims["https://sts.amazonaws.com/"]["principal_id"],
        format!("arn:aws:sts::{account}:assumed-role/worker/job-7").as_str()
    );
}

#[tokio::test]
async fn the_issuer_follows_public_url() {
    let server = Server::start(&["--public-url", "https://iam.example.test/"]);
    let root = server.root_keys();
    let iam = server.iam(&root);
    let account = account_of(&server, &root).await;
    let enabled = iam
        .enable_outbound_web_identity_federation()
        .send()
        .await
        .unwrap();
    assert_eq!(
        enabled.issuer_identifier(),
        Some(format!("https://iam.example.test/oidc/{account}").as_str())
    );
}
