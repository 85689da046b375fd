//! `AssumeRoleWithWebIdentity` through the AWS SDK for Rust (unsigned, as AWS serves it):
//! an OIDC provider registered in IAM, its signing keys set with `gatehouse oidc
//! set-keys`, tokens signed here with the matching private key (a test-only P-256 key in
//! `tests/data`), and the role's trust policy deciding on the token's claims.

use aws_sdk_sts::error::ProvideErrorMetadata;
use serde_json::json;

use super::support::credentials::{account_of, Keys};
use super::support::fixtures::data_path;
use super::support::server::Server;
use super::support::tokens::oidc_token;

const ISSUER: &str = "https://token.example.test/tenant";
const URL: &str = "token.example.test/tenant";
const CLIENT: &str = "gatehouse-test";

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A token signed with the test key (`kid` test-key-1) carrying `claims`.
fn token(claims: serde_json::Value) -> String {
    oidc_token(&claims)
}

fn claims(sub: &str, aud: &str, exp: i64) -> serde_json::Value {
    json!({"iss": ISSUER, "sub": sub, "aud": aud, "iat": now(), "exp": exp})
}

#[tokio::test]
async fn oidc_tokens_buy_role_sessions_the_trust_policy_allows() {
    let server = Server::start(&[]);
    let root = server.root_keys();
    let iam = server.iam(&root);
    let account = account_of(&server, &root).await;
    let provider = iam
        .create_open_id_connect_provider()
        .url(ISSUER)
        .client_id_list(CLIENT)
        .thumbprint_list("0123456789abcdef0123456789abcdef01234567")
        .send()
        .await
        .unwrap();
    let provider_arn = provider.open_id_connect_provider_arn().unwrap().to_owned();
    assert_eq!(
        provider_arn,
        format!("arn:aws:iam::{account}:oidc-provider/{URL}")
    );
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"{provider_arn}"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringEquals":{{"{URL}:aud":"{CLIENT}"}},"StringLike":{{"{URL}:sub":"repo:gatehouse/*"}}}}}}]}}"#
    );
    iam.create_role()
        .role_name("Deployer")
        .assume_role_policy_document(trust)
        .send()
        .await
        .unwrap();
    iam.attach_role_policy()
        .role_name("Deployer")
        .policy_arn("arn:aws:iam::aws:policy/IAMReadOnlyAccess")
        .send()
        .await
        .unwrap();
    let role_arn = format!("arn:aws:iam::{account}:role/Deployer");
    let sts = server.sts_unsigned();
    let assume = |token: String| {
        sts.assume_role_with_web_identity()
            .role_arn(&role_arn)
            .role_session_name("ci-run")
            .web_identity_token(token)
            .send()
    };
    let good = || token(claims("repo:gatehouse/main", CLIENT, now() + 600));

    // No keys configured yet: the token cannot be checked.
    let err = assume(good()).await.unwrap_err();
    assert_eq!(err.code(), Some("InvalidIdentityToken"));
    assert!(err.message().unwrap().contains("gatehouse oidc set-keys"));

    let set = server
        .command(&["oidc", "set-keys", &provider_arn])
        .arg(data_path("oidc-test-jwks.json"))
        .output()
        .unwrap();
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );

    let assumed = assume(good()).await.unwrap();
    assert_eq!(
        assumed.subject_from_web_identity_token(),
        Some("repo:gatehouse/main")
    );
    assert_eq!(assumed.provider(), Some(ISSUER));
    assert_eq!(assumed.audience(), Some(CLIENT));
    assert_eq!(
        assumed.assumed_role_user().unwrap().arn(),
        format!("arn:aws:sts::{account}:assumed-role/Deployer/ci-run")
    );
    let creds = assumed.credentials().unwrap();
    let keys = Keys::from(creds);
    server
        .iam_with_token(&keys, creds.session_token())
        .list_roles()
        .send()
        .await
        .unwrap();

    // The trust policy's conditions, the audience, the expiry and the signature all count.
    let err = assume(token(claims("repo:other/main", CLIENT, now() + 600)))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    let err = assume(token(claims(
        "repo:gatehouse/main",
        "someone-else",
        now() + 600,
    )))
    .await
    .unwrap_err();
    assert_eq!(err.code(), Some("InvalidIdentityToken"));
    let err = assume(token(claims("repo:gatehouse/main", CLIENT, now() - 3600)))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ExpiredTokenException"));
    let mut tampered = good();
    tampered.push_str("AA");
    let err = assume(tampered).await.unwrap_err();
    assert_eq!(err.code(), Some("InvalidIdentityToken"));
    let mut stranger = claims("repo:gatehouse/main", CLIENT, now() + 600);
    stranger["iss"] = json!("https://elsewhere.example.test");
    let err = assume(token(stranger)).await.unwrap_err();
    assert_eq!(err.code(), Some("InvalidIdentityToken"));
    // A garbled token is refused cleanly.
    let err = assume("not-a-token".to_owned()).await.unwrap_err();
    assert_eq!(err.code(), Some("InvalidIdentityToken"));
}
