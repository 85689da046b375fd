//! STS AssumeRole: trust policies, cross-account access, session policies and sealed
//! session tokens, through the AWS SDK.

use aws_sdk_iam::error::ProvideErrorMetadata;

use super::support::credentials::{account_of, dev_root, user_with_key, Keys};
use super::support::server::Server;

#[tokio::test]
async fn same_account_role_sessions() {
    let server = Server::start(&[]);
    let root_keys = server.root_keys();
    let iam = server.iam(&root_keys);
    let account = account_of(&server, &root_keys).await;
    let alice = user_with_key(&iam, "alice").await;
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:user/alice"}},"Action":["sts:AssumeRole","sts:TagSession"]}}]}}"#
    );
    let role_arn = iam
        .create_role()
        .role_name("Reader")
        .assume_role_policy_document(trust)
        .max_session_duration(7200)
        .send()
        .await
        .unwrap()
        .role()
        .unwrap()
        .arn()
        .to_owned();
    iam.attach_role_policy()
        .role_name("Reader")
        .policy_arn("arn:aws:iam::aws:policy/IAMReadOnlyAccess")
        .send()
        .await
        .unwrap();

    // The root user cannot assume roles.
    let err = server
        .sts(&root_keys)
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("root-try")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"), "{err:?}");

    // The trust policy names alice: no identity policy is needed in the same account.
    let assumed = server
        .sts(&alice)
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("alice-session")
        .send()
        .await
        .unwrap();
    let credentials = assumed.credentials().unwrap();
    assert!(credentials.access_key_id().starts_with("ASIA"));
    assert_eq!(
        assumed.assumed_role_user().unwrap().arn(),
        format!("arn:aws:sts::{account}:assumed-role/Reader/alice-session")
    );
    let mut session = Keys::from(credentials);
    let token = credentials.session_token().to_owned();
    let sts = server.sts_with_token(&session, &token);
    let who = sts.get_caller_identity().send().await.unwrap();
    assert_eq!(
        who.arn(),
        Some(format!("arn:aws:sts::{account}:assumed-role/Reader/alice-session").as_str())
    );
    assert!(
        who.user_id().unwrap().starts_with("AROA")
            && who.user_id().unwrap().ends_with(":alice-session")
    );

    // The session has the role's permissions, not alice's.
    let as_role = server.iam_with_token(&session, &token);
    as_role.list_users().send().await.unwrap();
    let err = as_role
        .create_user()
        .user_name("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    assert!(
        err.message()
            .unwrap()
            .contains("assumed-role/Reader/alice-session"),
        "{err:?}"
    );

    // A session policy narrows the session further.
    let narrowed = server
        .sts(&alice)
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("narrow")
        .policy(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let creds = narrowed.credentials().unwrap();
    let narrow = server.iam_with_token(&Keys::from(creds), creds.session_token());
    narrow.get_role().role_name("Reader").send().await.unwrap();
    let err = narrow.list_users().send().await.unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    assert!(
        err.message().unwrap().contains("no session policy allows"),
        "{err:?}"
    );

    // A tampered token or a wrong secret is refused.
    let mut bad_token = token.clone();
    bad_token.replace_range(10..11, if &token[10..11] == "A" { "B" } else { "A" });
    let err = server
        .sts_with_token(&session, &bad_token)
        .get_caller_identity()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidClientTokenId"));
    session.secret = "x".repeat(40);
    let err = server
        .sts_with_token(&session, &token)
        .get_caller_identity()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"));

    // Durations are bounded by the role, and by one hour when chaining.
    let err = server
        .sts(&alice)
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("long")
        .duration_seconds(10_000)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ValidationError"));

    // Removing the trust revokes new sessions at once.
    iam.update_assume_role_policy()
        .role_name("Reader")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}"#)
        .send()
        .await
        .unwrap();
    let err = server
        .sts(&alice)
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("again")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
}

#[tokio::test]
async fn cross_account_role_assumption_needs_both_sides() {
    let server = Server::start(&["--dev"]);
    let root_a = dev_root("111111111111");
    let root_b = dev_root("222222222222");
    let iam_a = server.iam(&root_a);
    let iam_b = server.iam(&root_b);
    let dev = user_with_key(&iam_a, "developer").await;
    iam_b
        .create_user()
        .user_name("only-in-b")
        .send()
        .await
        .unwrap();
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}"#;
    let role_arn = iam_b
        .create_role()
        .role_name("DevRole")
        .assume_role_policy_document(trust)
        .send()
        .await
        .unwrap()
        .role()
        .unwrap()
        .arn()
        .to_owned();
    iam_b
        .attach_role_policy()
        .role_name("DevRole")
        .policy_arn("arn:aws:iam::aws:policy/IAMReadOnlyAccess")
        .send()
        .await
        .unwrap();

    // B trusts A, but A has not allowed the developer to assume anything.
    let err = server
        .sts(&dev)
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("dev-session")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    let allow = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"{role_arn}"}}]}}"#
    );
    iam_a
        .put_user_policy()
        .user_name("developer")
        .policy_name("AssumeDev")
        .policy_document(allow)
        .send()
        .await
        .unwrap();
    let assumed = server
        .sts(&dev)
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("dev-session")
        .send()
        .await
        .unwrap();
    let creds = assumed.credentials().unwrap();
    let keys = Keys::from(creds);
    let who = server
        .sts_with_token(&keys, creds.session_token())
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(who.account(), Some("222222222222"));

    // The session sees B's users, never A's.
    let in_b = server.iam_with_token(&keys, creds.session_token());
    let users = in_b.list_users().send().await.unwrap();
    let names: Vec<_> = users.users().iter().map(|u| u.user_name()).collect();
    assert_eq!(names, ["only-in-b"]);
    let err = in_b
        .get_user()
        .user_name("developer")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
}
