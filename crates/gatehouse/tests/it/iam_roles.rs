//! IAM roles through the AWS SDK: trust policies, updates, tags, policies, deletion rules.

use aws_sdk_iam::error::ProvideErrorMetadata;
use aws_sdk_iam::types::Tag;

use super::support::credentials::account_of;
use super::support::policies::decoded;
use super::support::server::Server;

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}"#;

#[tokio::test]
async fn role_lifecycle() {
    let server = Server::start(&[]);
    let iam = server.iam(&server.root_keys());
    let account = account_of(&server, &server.root_keys()).await;

    let created = iam
        .create_role()
        .role_name("Deployer")
        .path("/ci/")
        .assume_role_policy_document(TRUST)
        .description("deploys things")
        .max_session_duration(7200)
        .tags(Tag::builder().key("team").value("core").build().unwrap())
        .send()
        .await
        .unwrap();
    let role = created.role().unwrap();
    assert_eq!(
        role.arn(),
        format!("arn:aws:iam::{account}:role/ci/Deployer")
    );
    assert!(role.role_id().starts_with("AROA"));
    assert_eq!(role.max_session_duration(), Some(7200));

    let err = iam
        .create_role()
        .role_name("deployer")
        .assume_role_policy_document(TRUST)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("EntityAlreadyExists"));
    let with_resource = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Resource":"*"}]}"#;
    let err = iam
        .create_role()
        .role_name("Bad")
        .assume_role_policy_document(with_resource)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("MalformedPolicyDocument"));
    let err = iam
        .create_role()
        .role_name("TooLong")
        .assume_role_policy_document(TRUST)
        .max_session_duration(50_000)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ValidationError"));

    let got = iam.get_role().role_name("DEPLOYER").send().await.unwrap();
    let trust = got.role().unwrap().assume_role_policy_document().unwrap();
    assert_eq!(decoded(trust), TRUST);

    iam.update_role()
        .role_name("Deployer")
        .max_session_duration(3600)
        .description("new")
        .send()
        .await
        .unwrap();
    iam.tag_role()
        .role_name("Deployer")
        .tags(Tag::builder().key("env").value("prod").build().unwrap())
        .send()
        .await
        .unwrap();
    iam.untag_role()
        .role_name("Deployer")
        .tag_keys("team")
        .send()
        .await
        .unwrap();
    let tags = iam
        .list_role_tags()
        .role_name("Deployer")
        .send()
        .await
        .unwrap();
    let keys: Vec<_> = tags.tags().iter().map(|t| t.key()).collect();
    assert_eq!(keys, ["env"]);
    let got = iam.get_role().role_name("Deployer").send().await.unwrap();
    assert_eq!(got.role().unwrap().description(), Some("new"));
    assert_eq!(got.role().unwrap().max_session_duration(), Some(3600));

    let new_trust = TRUST.replace("111122223333", "444455556666");
    iam.update_assume_role_policy()
        .role_name("Deployer")
        .policy_document(&new_trust)
        .send()
        .await
        .unwrap();

    iam.attach_role_policy()
        .role_name("Deployer")
        .policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
        .send()
        .await
        .unwrap();
    iam.put_role_policy()
        .role_name("Deployer")
        .policy_name("Extra")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let listed = iam.list_roles().path_prefix("/ci/").send().await.unwrap();
    assert_eq!(listed.roles().len(), 1);
    let err = iam
        .delete_role()
        .role_name("Deployer")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("DeleteConflict"));
    iam.delete_role_policy()
        .role_name("Deployer")
        .policy_name("Extra")
        .send()
        .await
        .unwrap();
    iam.detach_role_policy()
        .role_name("Deployer")
        .policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
        .send()
        .await
        .unwrap();
    iam.delete_role()
        .role_name("Deployer")
        .send()
        .await
        .unwrap();
    let err = iam
        .get_role()
        .role_name("Deployer")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
}
