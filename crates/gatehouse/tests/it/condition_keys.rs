//! Every path to a policy decision sees the same global condition keys (issue 16, item 5):
//! for each key and each path, a `Deny` that applies only when the key is present
//! (`Null: false`) takes effect, and so do deny conditions on the key's value. The paths:
//! an identity-based policy, a permissions boundary, a session policy, a role's trust
//! policy for `AssumeRole`, and the trust policies of `AssumeRoleWithWebIdentity` and
//! `AssumeRoleWithSAML`. Each path also has a control: without the `Deny`, it allows.

use aws_sdk_sts::error::ProvideErrorMetadata;
use base64::Engine;
use serde_json::json;

use super::support::credentials::{dev_root, new_key, Keys};
use super::support::fixtures::{data_path, read_data};
use super::support::server::Server;
use super::support::tokens::oidc_token;

const ACCOUNT: &str = "111122223333";
const ISSUER: &str = "https://token.example.test/tenant";
const CLIENT: &str = "gatehouse-test";
const SAML_PROVIDER: &str = "arn:aws:iam::111122223333:saml-provider/TestIdP";
const ENTITY: &str = "https://idp.example.test/saml";

/// The global keys every request carries, each with a condition that holds for the
/// requests of this test (sent now, over plain HTTP from loopback, in us-east-1, by the
/// AWS SDK for Rust).
fn holding_conditions() -> Vec<(&'static str, serde_json::Value)> {
    let present = |key: &str| json!({"Null": {key: "false"}});
    vec![
        ("aws:CurrentTime", present("aws:CurrentTime")),
        (
            "aws:CurrentTime",
            json!({"DateGreaterThan": {"aws:CurrentTime": "2001-01-01T00:00:00Z"}}),
        ),
        ("aws:EpochTime", present("aws:EpochTime")),
        // Decimal seconds, as AWS gives it: numeric and date operators both read it.
        (
            "aws:EpochTime",
            json!({"NumericGreaterThan": {"aws:EpochTime": "978307200"}}),
        ),
        (
            "aws:EpochTime",
            json!({"DateGreaterThan": {"aws:EpochTime": "2001-01-01T00:00:00Z"}}),
        ),
        ("aws:SourceIp", present("aws:SourceIp")),
        (
            "aws:SourceIp",
            json!({"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}),
        ),
        ("aws:SecureTransport", present("aws:SecureTransport")),
        (
            "aws:SecureTransport",
            json!({"Bool": {"aws:SecureTransport": "false"}}),
        ),
        ("aws:UserAgent", present("aws:UserAgent")),
        (
            "aws:UserAgent",
            json!({"StringLike": {"aws:UserAgent": "*aws-sdk-rust*"}}),
        ),
        ("aws:RequestedRegion", present("aws:RequestedRegion")),
        (
            "aws:RequestedRegion",
            json!({"StringEquals": {"aws:RequestedRegion": "us-east-1"}}),
        ),
    ]
}

fn document(statements: Vec<serde_json::Value>) -> String {
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

fn allow_all() -> serde_json::Value {
    json!({"Effect": "Allow", "Action": "*", "Resource": "*"})
}

fn deny_when(condition: &serde_json::Value) -> serde_json::Value {
    json!({"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": condition})
}

/// A trust policy's statement denying every STS action when `condition` holds.
fn trust_deny_when(condition: &serde_json::Value) -> serde_json::Value {
    json!({"Effect": "Deny", "Principal": "*", "Action": "sts:*", "Condition": condition})
}

fn saml_metadata() -> String {
    let certificate: String = read_data("saml/test-only-idp-cert.pem")
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    format!(
        r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{ENTITY}"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{certificate}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.test/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>"#
    )
}

fn web_identity_token() -> String {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let claims =
        json!({"iss": ISSUER, "sub": "repo:x", "aud": CLIENT, "iat": now, "exp": now + 600});
    let pem = std::fs::read(data_path("oidc-test-key.pem")).unwrap();
    let key = jsonwebtoken::EncodingKey::from_ec_pem(&pem).unwrap();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some("test-key-1".to_owned());
    jsonwebtoken::encode(&header, &claims, &key).unwrap()
}

/// The decision paths under test, set up once; each `allows_*` sends one request with
/// `deny` (or no `Deny`) in the path's policy.
struct Paths {
    server: Server,
    iam: aws_sdk_iam::Client,
    user: Keys,
    oidc_provider: String,
}

impl Paths {
    async fn new() -> Self {
        let server = Server::start(&["--dev"]);
        let iam = server.iam(&dev_root(ACCOUNT));
        iam.create_user().user_name("subject").send().await.unwrap();
        let user = new_key(&iam, "subject").await;
        let provider = iam
            .create_open_id_connect_provider()
            .url(ISSUER)
            .client_id_list(CLIENT)
            .thumbprint_list("0123456789abcdef0123456789abcdef01234567")
            .send()
            .await
            .unwrap();
        let oidc_provider = provider.open_id_connect_provider_arn().unwrap().to_owned();
        let set = server
            .command(&["oidc", "set-keys", &oidc_provider])
            .arg(data_path("oidc-test-jwks.json"))
            .output()
            .unwrap();
        assert!(
            set.status.success(),
            "{}",
            String::from_utf8_lossy(&set.stderr)
        );
        iam.create_saml_provider()
            .name("TestIdP")
            .saml_metadata_document(saml_metadata())
            .send()
            .await
            .unwrap();
        for role in ["Assumed", "WebIdentity", "SamlDeveloper"] {
            iam.create_role()
                .role_name(role)
                .assume_role_policy_document(document(vec![json!({
                    "Effect": "Allow",
                    "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")},
                    "Action": "sts:AssumeRole"
                })]))
                .send()
                .await
                .unwrap_or_else(|_| panic!("role {role}"));
        }
        Paths {
            server,
            iam,
            user,
            oidc_provider,
        }
    }

    async fn set_user_policy(&self, statements: Vec<serde_json::Value>) {
        self.iam
            .put_user_policy()
            .user_name("subject")
            .policy_name("inline")
            .policy_document(document(statements))
            .send()
            .await
            .unwrap();
    }

    async fn set_trust(
        &self,
        role: &str,
        allow: serde_json::Value,
        deny: Option<serde_json::Value>,
    ) {
        let mut statements = vec![allow];
        statements.extend(deny);
        self.iam
            .update_assume_role_policy()
            .role_name(role)
            .policy_document(document(statements))
            .send()
            .await
            .unwrap();
    }

    /// The user's identity-based policy: `GetUser` with `deny` beside an allow-all.
    async fn allows_identity(&self, deny: Option<serde_json::Value>) -> bool {
        self.iam
            .delete_user_permissions_boundary()
            .user_name("subject")
            .send()
            .await
            .ok();
        let mut statements = vec![allow_all()];
        statements.extend(deny);
        self.set_user_policy(statements).await;
        self.server.iam(&self.user).get_user().send().await.is_ok()
    }

    /// The user's permissions boundary.
    async fn allows_boundary(&self, deny: Option<serde_json::Value>) -> bool {
        self.set_user_policy(vec![allow_all()]).await;
        let mut statements = vec![allow_all()];
        statements.extend(deny);
        let name = format!("boundary-{}", uuid_like());
        let created = self
            .iam
            .create_policy()
            .policy_name(&name)
            .policy_document(document(statements))
            .send()
            .await
            .unwrap();
        self.iam
            .put_user_permissions_boundary()
            .user_name("subject")
            .permissions_boundary(created.policy().unwrap().arn().unwrap())
            .send()
            .await
            .unwrap();
        let allowed = self.server.iam(&self.user).get_user().send().await.is_ok();
        self.iam
            .delete_user_permissions_boundary()
            .user_name("subject")
            .send()
            .await
            .unwrap();
        allowed
    }

    /// A role's trust policy, for `AssumeRole` by the user.
    async fn allows_assume_role(&self, deny: Option<serde_json::Value>) -> bool {
        self.set_user_policy(vec![allow_all()]).await;
        let allow = json!({"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:user/subject")}, "Action": "sts:AssumeRole"});
        self.set_trust("Assumed", allow, deny).await;
        let result = self
            .server
            .sts(&self.user)
            .assume_role()
            .role_arn(format!("arn:aws:iam::{ACCOUNT}:role/Assumed"))
            .role_session_name("session")
            .send()
            .await;
        if let Err(err) = &result {
            assert_eq!(err.code(), Some("AccessDenied"), "{err:?}");
        }
        result.is_ok()
    }

    /// A session policy of a role session, for `GetUser` by the session.
    async fn allows_session_policy(&self, deny: Option<serde_json::Value>) -> bool {
        let allow = json!({"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:user/subject")}, "Action": "sts:AssumeRole"});
        self.set_trust("Assumed", allow, None).await;
        self.iam
            .put_role_policy()
            .role_name("Assumed")
            .policy_name("all")
            .policy_document(document(vec![allow_all()]))
            .send()
            .await
            .unwrap();
        let mut statements = vec![allow_all()];
        statements.extend(deny);
        let assumed = self
            .server
            .sts(&self.user)
            .assume_role()
            .role_arn(format!("arn:aws:iam::{ACCOUNT}:role/Assumed"))
            .role_session_name("session")
            .policy(document(statements))
            .send()
            .await
            .unwrap();
        let credentials = assumed.credentials().unwrap();
        self.server
            .iam_with_token(&Keys::from(credentials), credentials.session_token())
            .get_user()
            .user_name("subject")
            .send()
            .await
            .is_ok()
    }

    /// The trust policy of `AssumeRoleWithWebIdentity`.
    async fn allows_web_identity(&self, deny: Option<serde_json::Value>) -> bool {
        let allow = json!({"Effect": "Allow", "Principal": {"Federated": self.oidc_provider}, "Action": "sts:AssumeRoleWithWebIdentity"});
        self.set_trust("WebIdentity", allow, deny).await;
        let result = self
            .server
            .sts_unsigned()
            .assume_role_with_web_identity()
            .role_arn(format!("arn:aws:iam::{ACCOUNT}:role/WebIdentity"))
            .role_session_name("session")
            .web_identity_token(web_identity_token())
            .send()
            .await;
        if let Err(err) = &result {
            assert_eq!(err.code(), Some("AccessDenied"), "{err:?}");
        }
        result.is_ok()
    }

    /// The trust policy of `AssumeRoleWithSAML` (the fixture carries session tags and a
    /// source identity, so the trust allows those actions too).
    async fn allows_saml(&self, deny: Option<serde_json::Value>) -> bool {
        let allow = json!({"Effect": "Allow", "Principal": {"Federated": SAML_PROVIDER}, "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession", "sts:SetSourceIdentity"]});
        self.set_trust("SamlDeveloper", allow, deny).await;
        let assertion = base64::engine::general_purpose::STANDARD
            .encode(read_data("saml/signed-assertion.xml"));
        let result = self
            .server
            .sts_unsigned()
            .assume_role_with_saml()
            .role_arn(format!("arn:aws:iam::{ACCOUNT}:role/SamlDeveloper"))
            .principal_arn(SAML_PROVIDER)
            .saml_assertion(assertion)
            .send()
            .await;
        if let Err(err) = &result {
            assert_eq!(err.code(), Some("AccessDenied"), "{err:?}");
        }
        result.is_ok()
    }
}

/// A name part unique within the test run.
fn uuid_like() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed).to_string()
}

#[tokio::test]
async fn every_global_key_reaches_every_decision_path() {
    let paths = Paths::new().await;
    // Controls: with no Deny, each path allows.
    assert!(paths.allows_identity(None).await, "identity control");
    assert!(paths.allows_boundary(None).await, "boundary control");
    assert!(paths.allows_assume_role(None).await, "trust control");
    assert!(paths.allows_session_policy(None).await, "session control");
    assert!(
        paths.allows_web_identity(None).await,
        "web identity control"
    );
    assert!(paths.allows_saml(None).await, "SAML control");

    let mut missed = Vec::new();
    for (key, condition) in holding_conditions() {
        let cases = [
            (
                "identity",
                paths.allows_identity(Some(deny_when(&condition))).await,
            ),
            (
                "boundary",
                paths.allows_boundary(Some(deny_when(&condition))).await,
            ),
            (
                "AssumeRole trust",
                paths
                    .allows_assume_role(Some(trust_deny_when(&condition)))
                    .await,
            ),
            (
                "session policy",
                paths
                    .allows_session_policy(Some(deny_when(&condition)))
                    .await,
            ),
            (
                "web identity trust",
                paths
                    .allows_web_identity(Some(trust_deny_when(&condition)))
                    .await,
            ),
            (
                "SAML trust",
                paths.allows_saml(Some(trust_deny_when(&condition))).await,
            ),
        ];
        for (path, allowed) in cases {
            if allowed {
                missed.push(format!(
                    "{path}: a Deny on {key} ({condition}) did not apply"
                ));
            }
        }
    }
    assert!(missed.is_empty(), "{}", missed.join("\n"));
}

#[tokio::test]
async fn session_tags_and_source_identities_need_their_own_actions() {
    let paths = Paths::new().await;
    paths.set_user_policy(vec![allow_all()]).await;
    let user_arn = format!("arn:aws:iam::{ACCOUNT}:user/subject");
    let role_arn = format!("arn:aws:iam::{ACCOUNT}:role/Assumed");
    let assume_with_source = || {
        paths
            .server
            .sts(&paths.user)
            .assume_role()
            .role_arn(&role_arn)
            .role_session_name("session")
            .source_identity("alice")
            .send()
    };
    // The trust policy allows sts:AssumeRole only: a source identity needs
    // sts:SetSourceIdentity.
    let allow = |actions: serde_json::Value| json!({"Effect": "Allow", "Principal": {"AWS": user_arn}, "Action": actions});
    paths
        .set_trust("Assumed", allow(json!("sts:AssumeRole")), None)
        .await;
    let err = assume_with_source().await.unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"), "{err:?}");
    paths
        .set_trust(
            "Assumed",
            allow(json!(["sts:AssumeRole", "sts:SetSourceIdentity"])),
            None,
        )
        .await;
    let assumed = assume_with_source().await.unwrap();
    assert_eq!(assumed.source_identity(), Some("alice"));
    // An explicit Deny of it wins.
    paths
        .set_trust(
            "Assumed",
            allow(json!(["sts:AssumeRole", "sts:SetSourceIdentity"])),
            Some(json!({"Effect": "Deny", "Principal": "*", "Action": "sts:SetSourceIdentity"})),
        )
        .await;
    let err = assume_with_source().await.unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"), "{err:?}");

    // A web identity token's session tags need sts:TagSession, and reach its conditions
    // as aws:RequestTag and aws:TagKeys.
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let tagged = oidc_token(&json!({
        "iss": ISSUER, "sub": "repo:x", "aud": CLIENT, "iat": now, "exp": now + 600,
        "https://aws.amazon.com/tags": {"principal_tags": {"team": ["blue"]}}
    }));
    let web_role = format!("arn:aws:iam::{ACCOUNT}:role/WebIdentity");
    let assume_web = || {
        paths
            .server
            .sts_unsigned()
            .assume_role_with_web_identity()
            .role_arn(&web_role)
            .role_session_name("session")
            .web_identity_token(tagged.clone())
            .send()
    };
    let federated = |actions: serde_json::Value, condition: serde_json::Value| json!({"Effect": "Allow", "Principal": {"Federated": paths.oidc_provider}, "Action": actions, "Condition": condition});
    paths
        .set_trust(
            "WebIdentity",
            federated(json!("sts:AssumeRoleWithWebIdentity"), json!({})),
            None,
        )
        .await;
    let err = assume_web().await.unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"), "{err:?}");
    paths
        .set_trust(
            "WebIdentity",
            federated(
                json!(["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]),
                json!({"StringEquals": {"aws:RequestTag/team": "blue"}, "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}),
            ),
            None,
        )
        .await;
    assume_web().await.unwrap();
    paths
        .set_trust(
            "WebIdentity",
            federated(
                json!(["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]),
                json!({"StringEquals": {"aws:RequestTag/team": "red"}}),
            ),
            None,
        )
        .await;
    let err = assume_web().await.unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"), "{err:?}");
}
