//! `AssumeRoleWithSAML` through the AWS SDK for Rust and the AWS CLI (unsigned, as AWS
//! serves it). The SAML responses in `tests/data/saml/` were signed once by `signxml`
//! (`generate.py` there, with test-only keys), an XML-DSig implementation independent of
//! Gatehouse's; the tampered, wrapped, foreign-key and expired variants must be refused.

use aws_sdk_sts::error::ProvideErrorMetadata;
use base64::Engine;
use sha1::Digest;

use super::support::aws_cli;
use super::support::credentials::{dev_root, Keys};
use super::support::fixtures::read_data;
use super::support::server::Server;

const ACCOUNT: &str = "111122223333";
const ENTITY: &str = "https://idp.example.test/saml";
const PROVIDER: &str = "arn:aws:iam::111122223333:saml-provider/TestIdP";
const ROLE: &str = "arn:aws:iam::111122223333:role/SamlDeveloper";
const AUDITOR: &str = "arn:aws:iam::111122223333:role/SamlAuditor";

/// A fixture as the `SAMLAssertion` parameter carries it: base64.
fn encoded(name: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(read_data(&format!("saml/{name}")))
}

/// IdP metadata naming the test IdP and its test-only certificate.
fn metadata() -> String {
    let certificate: String = read_data("saml/test-only-idp-cert.pem")
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    format!(
        r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{ENTITY}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{certificate}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.test/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#
    )
}

fn trust(actions: &str, condition: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"{PROVIDER}"}},"Action":{actions},"Condition":{condition}}}]}}"#
    )
}

#[tokio::test]
async fn signed_saml_responses_buy_role_sessions_the_trust_policy_allows() {
    let server = Server::start(&["--dev"]);
    let root = dev_root(ACCOUNT);
    let iam = server.iam(&root);
    let created = iam
        .create_saml_provider()
        .name("TestIdP")
        .saml_metadata_document(metadata())
        .send()
        .await
        .unwrap();
    assert_eq!(created.saml_provider_arn(), Some(PROVIDER));
    iam.create_role()
        .role_name("SamlDeveloper")
        .assume_role_policy_document(trust(
            r#"["sts:AssumeRoleWithSAML","sts:TagSession","sts:SetSourceIdentity"]"#,
            r#"{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml","saml:sub_type":["persistent","transient"]}}"#,
        ))
        .send()
        .await
        .unwrap();
    // The session's tag from the assertion opens ListRoles.
    iam.put_role_policy()
        .role_name("SamlDeveloper")
        .policy_name("by-department")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/Department":"Engineering & Research"}}}]}"#)
        .send()
        .await
        .unwrap();
    let sts = server.sts_unsigned();
    let assume = |role: &'static str, fixture: &'static str| {
        sts.assume_role_with_saml()
            .role_arn(role)
            .principal_arn(PROVIDER)
            .saml_assertion(encoded(fixture))
            .send()
    };

    let assumed = assume(ROLE, "signed-assertion.xml").await.unwrap();
    assert_eq!(assumed.subject(), Some("alice-0001"));
    assert_eq!(assumed.subject_type(), Some("persistent"));
    assert_eq!(assumed.issuer(), Some(ENTITY));
    assert_eq!(
        assumed.audience(),
        Some("https://signin.aws.amazon.com/saml")
    );
    assert_eq!(assumed.source_identity(), Some("alice"));
    let qualifier = base64::engine::general_purpose::STANDARD
        .encode(sha1::Sha1::digest(format!("{ENTITY}{ACCOUNT}/TestIdP")));
    assert_eq!(assumed.name_qualifier(), Some(qualifier.as_str()));
    assert_eq!(
        assumed.assumed_role_user().unwrap().arn(),
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/SamlDeveloper/alice@example.test")
    );
    let creds = assumed.credentials().unwrap();
    assert!(creds.access_key_id().starts_with("ASIA"));
    let keys = Keys::from(creds);
    let me = server
        .sts_with_token(&keys, creds.session_token())
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(
        me.arn(),
        Some("arn:aws:sts::111122223333:assumed-role/SamlDeveloper/alice@example.test")
    );
    let session_iam = server.iam_with_token(&keys, creds.session_token());
    session_iam.list_roles().send().await.unwrap();
    let err = session_iam.list_users().send().await.unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));

    // Response-level signatures, RSA-SHA1 and transient subjects.
    for fixture in ["signed-response.xml", "signed-rsa-sha1.xml"] {
        let assumed = assume(ROLE, fixture).await.unwrap();
        assert_eq!(assumed.subject(), Some("alice-0001"), "{fixture}");
    }
    let transient = assume(ROLE, "signed-transient.xml").await.unwrap();
    assert_eq!(transient.subject_type(), Some("transient"));
    assert!(transient
        .assumed_role_user()
        .unwrap()
        .arn()
        .ends_with("/SamlDeveloper/bob"));

    // Broken, foreign or stale responses.
    for (fixture, code) in [
        ("tampered-attribute.xml", "InvalidIdentityToken"),
        ("wrapped-assertion.xml", "InvalidIdentityToken"),
        ("forged-with-copied-signature.xml", "InvalidIdentityToken"),
        ("wrong-key.xml", "InvalidIdentityToken"),
        ("wrong-recipient.xml", "InvalidIdentityToken"),
        ("wrong-audience.xml", "InvalidIdentityToken"),
        ("expired.xml", "ExpiredTokenException"),
        ("idp-rejected.xml", "IDPRejectedClaim"),
    ] {
        let err = assume(ROLE, fixture).await.unwrap_err();
        assert_eq!(err.code(), Some(code), "{fixture}: {:?}", err.message());
    }
    let err = sts
        .assume_role_with_saml()
        .role_arn(ROLE)
        .principal_arn("arn:aws:iam::111122223333:saml-provider/Nobody")
        .saml_assertion(encoded("signed-assertion.xml"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidIdentityToken"));
    let err = sts
        .assume_role_with_saml()
        .role_arn(ROLE)
        .principal_arn(PROVIDER)
        .saml_assertion("bm90IHhtbA==")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidIdentityToken"));

    // The Role attribute lists `provider,role` for the auditor: either order counts; its
    // trust policy decides on the eduPersonAffiliation attribute.
    iam.create_role()
        .role_name("SamlAuditor")
        .assume_role_policy_document(trust(
            r#"["sts:AssumeRoleWithSAML","sts:TagSession","sts:SetSourceIdentity"]"#,
            r#"{"ForAnyValue:StringEquals":{"saml:edupersonaffiliation":"staff"},"StringEquals":{"saml:iss":"https://idp.example.test/saml","saml:doc":"111122223333/TestIdP"}}"#,
        ))
        .send()
        .await
        .unwrap();
    assume(AUDITOR, "signed-assertion.xml").await.unwrap();
    iam.update_assume_role_policy()
        .role_name("SamlAuditor")
        .policy_document(trust(
            r#"["sts:AssumeRoleWithSAML","sts:TagSession","sts:SetSourceIdentity"]"#,
            r#"{"ForAnyValue:StringEquals":{"saml:edupersonaffiliation":"faculty"}}"#,
        ))
        .send()
        .await
        .unwrap();
    let err = assume(AUDITOR, "signed-assertion.xml").await.unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    // Without sts:TagSession the assertion's session tags are refused.
    iam.update_assume_role_policy()
        .role_name("SamlAuditor")
        .policy_document(trust(
            r#"["sts:AssumeRoleWithSAML","sts:SetSourceIdentity"]"#,
            "{}",
        ))
        .send()
        .await
        .unwrap();
    let err = assume(AUDITOR, "signed-assertion.xml").await.unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    // A role the assertion does not offer.
    iam.create_role()
        .role_name("Unlisted")
        .assume_role_policy_document(trust(r#""sts:AssumeRoleWithSAML""#, "{}"))
        .send()
        .await
        .unwrap();
    let err = assume(
        "arn:aws:iam::111122223333:role/Unlisted",
        "signed-assertion.xml",
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    // DurationSeconds beyond the role's maximum.
    let err = sts
        .assume_role_with_saml()
        .role_arn(ROLE)
        .principal_arn(PROVIDER)
        .saml_assertion(encoded("signed-assertion.xml"))
        .duration_seconds(7200)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ValidationError"));

    // The AWS CLI, unsigned.
    if !aws_cli::installed("AWS CLI assume-role-with-saml") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("assertion.b64");
    std::fs::write(&file, encoded("signed-assertion.xml")).unwrap();
    let output = std::process::Command::new("aws")
        .args(["sts", "assume-role-with-saml", "--no-sign-request"])
        .args(["--endpoint-url", &server.endpoint, "--region", "us-east-1"])
        .args(["--role-arn", ROLE, "--principal-arn", PROVIDER])
        .arg("--saml-assertion")
        .arg(format!("file://{}", file.display()))
        .args([
            "--query",
            "[AssumedRoleUser.Arn,SubjectType]",
            "--output",
            "text",
        ])
        .env("AWS_CONFIG_FILE", dir.path().join("none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.path().join("none"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        stdout.trim(),
        "arn:aws:sts::111122223333:assumed-role/SamlDeveloper/alice@example.test\tpersistent"
    );
}
