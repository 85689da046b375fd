//! `AssumeRoot` through the AWS SDK for Rust: only with centralized root sessions on, only
//! from the management account, only for a member, only with a root task policy; the
//! session is the member's root user narrowed to its task, for at most 15 minutes.

use aws_sdk_sts::error::ProvideErrorMetadata;
use aws_sdk_sts::types::PolicyDescriptorType;

use super::support::credentials::{account_of, dev_root, seconds_left, user_with_key, Keys};
use super::support::organizations::create_member;
use super::support::server::Server;

const AUDIT: &str = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials";

fn task(arn: &str) -> PolicyDescriptorType {
    PolicyDescriptorType::builder().arn(arn).build()
}

#[tokio::test]
async fn management_takes_task_limited_root_sessions_in_members() {
    let server = Server::start(&["--dev"]);
    let management = server.root_keys();
    let orgs = server.organizations(&management);
    orgs.create_organization().send().await.unwrap();
    let member = create_member(&orgs, "workload", "workload@example.com").await;
    let sts = server.sts(&management);
    let assume = |target: &str, policy: &str, duration: Option<i32>| {
        sts.assume_root()
            .target_principal(target)
            .task_policy_arn(task(policy))
            .set_duration_seconds(duration)
            .send()
    };

    // Not before the organization turns root sessions on.
    let err = assume(&member, AUDIT, None).await.unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    assert!(err.message().unwrap().contains("root sessions"));
    orgs.enable_aws_service_access()
        .service_principal("iam.amazonaws.com")
        .send()
        .await
        .unwrap();
    server
        .iam(&management)
        .enable_organizations_root_sessions()
        .send()
        .await
        .unwrap();

    let assumed = assume(&member, AUDIT, Some(900)).await.unwrap();
    let creds = assumed.credentials().unwrap();
    let lifetime = seconds_left(creds);
    assert!((880..=900).contains(&lifetime), "{lifetime}");
    let keys = Keys::from(creds);
    let me = server
        .sts_with_token(&keys, creds.session_token())
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(
        me.arn(),
        Some(format!("arn:aws:iam::{member}:root").as_str())
    );
    // The audit task reads the root user's credentials and nothing more.
    let root_iam = server.iam_with_token(&keys, creds.session_token());
    root_iam.list_access_keys().send().await.unwrap();
    let err = root_iam
        .create_user()
        .user_name("intruder")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_iam::error::ProvideErrorMetadata::code(&err),
        Some("AccessDenied")
    );

    // Refusals: an unknown task policy, too long a session, a non-member, the management
    // account itself, a member calling, and an IAM user without sts:AssumeRoot.
    let err = assume(&member, "arn:aws:iam::aws:policy/AdministratorAccess", None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ValidationError"));
    let err = assume(&member, AUDIT, Some(901)).await.unwrap_err();
    assert_eq!(err.code(), Some("ValidationError"));
    let err = assume("999988887777", AUDIT, None).await.unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    let management_id = account_of(&server, &management).await;
    let err = assume(&management_id, AUDIT, None).await.unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    let err = server
        .sts(&dev_root(&member))
        .assume_root()
        .target_principal(&member)
        .task_policy_arn(task(AUDIT))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    let operator = user_with_key(&server.iam(&management), "operator").await;
    let err = server
        .sts(&operator)
        .assume_root()
        .target_principal(&member)
        .task_policy_arn(task(AUDIT))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    server
        .iam(&management)
        .put_user_policy()
        .user_name("operator")
        .policy_name("root-audit")
        .policy_document(format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"sts:AssumeRoot","Resource":"*","Condition":{{"StringEquals":{{"sts:TaskPolicyArn":"{AUDIT}"}}}}}}]}}"#))
        .send()
        .await
        .unwrap();
    server
        .sts(&operator)
        .assume_root()
        .target_principal(&member)
        .task_policy_arn(task(AUDIT))
        .send()
        .await
        .unwrap();
    let err = server
        .sts(&operator)
        .assume_root()
        .target_principal(&member)
        .task_policy_arn(task(
            "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials",
        ))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
}
