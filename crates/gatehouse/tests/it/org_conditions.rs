//! Organization facts as condition keys (`aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`,
//! `aws:ResourceOrgID`) and closed accounts, through the AWS SDK for Rust. Dev mode lets a
//! 12-digit key id act as the root of an account outside the organization.

use aws_sdk_iam::error::ProvideErrorMetadata;

use super::support::credentials::{dev_root, user_with_policy, Keys};
use super::support::organizations::{create_member, root_id};
use super::support::policies::ASSUME_ANY_ROLE;
use super::support::server::Server;

#[tokio::test]
async fn organization_keys_decide_trust_and_closed_accounts_stop_authenticating() {
    let server = Server::start(&["--dev"]);
    let management = server.root_keys();
    let orgs = server.organizations(&management);
    let org = orgs.create_organization().send().await.unwrap();
    let org_id = org.organization().unwrap().id().unwrap().to_owned();
    let root_id = root_id(&orgs).await;
    let workloads = orgs
        .create_organizational_unit()
        .parent_id(&root_id)
        .name("workloads")
        .send()
        .await
        .unwrap();
    let workloads = workloads
        .organizational_unit()
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    let development = create_member(&orgs, "development", "dev@example.com").await;
    orgs.move_account()
        .account_id(&development)
        .source_parent_id(&root_id)
        .destination_parent_id(&workloads)
        .send()
        .await
        .unwrap();

    // In development: a role any principal of the organization may assume, and nobody else.
    let development_iam = server.iam(&dev_root(&development));
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"*"}},"Action":"sts:AssumeRole","Condition":{{"StringEquals":{{"aws:PrincipalOrgID":"{org_id}"}}}}}}]}}"#
    );
    development_iam
        .create_role()
        .role_name("OrgReader")
        .assume_role_policy_document(&trust)
        .send()
        .await
        .unwrap();
    let role_arn = format!("arn:aws:iam::{development}:role/OrgReader");

    // A user of the management account (inside the organization) may assume it.
    let ops = user_with_policy(&server.iam(&management), "ops", ASSUME_ANY_ROLE).await;
    server
        .sts(&ops)
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("ops")
        .send()
        .await
        .unwrap();

    // A user of a standalone account may not, though it holds sts:AssumeRole on `*`.
    let outsider_root = server.iam(&dev_root("123456789012"));
    let outsider = user_with_policy(&outsider_root, "stranger", ASSUME_ANY_ROLE).await;
    let err = server
        .sts(&outsider)
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("stranger")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));

    // aws:PrincipalOrgPaths: a policy granting only to principals under `workloads`.
    let by_path = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{{"ForAnyValue:StringLike":{{"aws:PrincipalOrgPaths":"{org_id}/{root_id}/{workloads}/*"}}}}}}]}}"#
    );
    let worker = user_with_policy(&development_iam, "worker", &by_path).await;
    server.iam(&worker).list_users().send().await.unwrap();
    let managed = user_with_policy(&server.iam(&management), "planner", &by_path).await;
    let err = server.iam(&managed).list_users().send().await.unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));

    // aws:ResourceOrgID: the management user may assume roles only inside its organization.
    let inside_only = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*","Condition":{{"StringEquals":{{"aws:ResourceOrgID":"{org_id}"}}}}}}]}}"#
    );
    let careful = user_with_policy(&server.iam(&management), "careful", &inside_only).await;
    server
        .sts(&careful)
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("careful")
        .send()
        .await
        .unwrap();
    let open_trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#;
    outsider_root
        .create_role()
        .role_name("Open")
        .assume_role_policy_document(open_trust)
        .send()
        .await
        .unwrap();
    let err = server
        .sts(&careful)
        .assume_role()
        .role_arn("arn:aws:iam::123456789012:role/Open")
        .role_session_name("careful")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));

    // Closing development: its keys and its sessions stop authenticating at once.
    let session = server
        .sts(&ops)
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("before-close")
        .send()
        .await
        .unwrap();
    let creds = session.credentials().unwrap();
    let session_keys = Keys::from(creds);
    server
        .sts_with_token(&session_keys, creds.session_token())
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    orgs.close_account()
        .account_id(&development)
        .send()
        .await
        .unwrap();
    let err = server
        .sts(&worker)
        .get_caller_identity()
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_sts::error::ProvideErrorMetadata::code(&err),
        Some("InvalidClientTokenId")
    );
    let err = server
        .sts_with_token(&session_keys, creds.session_token())
        .get_caller_identity()
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_sts::error::ProvideErrorMetadata::code(&err),
        Some("InvalidClientTokenId")
    );
    let err = development_iam.list_users().send().await.unwrap_err();
    assert_eq!(err.code(), Some("InvalidClientTokenId"));
    // Other accounts are untouched.
    server.sts(&ops).get_caller_identity().send().await.unwrap();
}
